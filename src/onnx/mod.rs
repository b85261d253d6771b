//! ONNX export of a trained model *with its feature pipeline*: raw flow columns in, class
//! probabilities and labels out, so a model trained in flowlab scores flows wherever an ONNX
//! runtime runs (onnxruntime in a Spark UDF, SynapseML's `ONNXModel`, …).
//!
//! The graph (`ir_version` 9, opsets `ai.onnx` 20 and `ai.onnx.ml` 3):
//!
//! - **inputs**: one per raw column the pipeline reads, named after it, `double [N, 1]` for
//!   numeric columns (NaN = missing) and `string [N, 1]` for text columns (`proto`, `service`,
//!   `conn_state`, `history`, …); the batch dimension `N` is free;
//! - **features** (`features.rs`): every [`crate::features::FeatureSpec`] as ONNX operators,
//!   computed in `f64` and rounded to `f32` where flowlab rounds;
//! - **model** (`models.rs`): trees as `ai.onnx.ml.TreeEnsembleRegressor`, logistic regression
//!   and the MLP as `MatMul`/`Add`/`Relu`/`Softmax`;
//! - **outputs**: `probabilities` (`float [N, classes]`, columns in the order of the model's
//!   classes) and `label` (`string [N]`, the most probable class, the first on ties, as
//!   `flowlab predict`). The class names are also in the metadata (`classes`, a JSON array),
//!   with the feature names (`features`) and the flowlab version.
//!
//! **Precision.** flowlab computes features in `f64` and rounds them to `f32`; tree thresholds
//! are `f32` and compared with `<=` in `f32`. Rounding at any other point (e.g. feeding `f32`
//! columns, or dividing in `f32`) could move a value across a threshold and flip a split, so the
//! numeric inputs are `double`, the features follow flowlab's `f64` arithmetic and are cast to
//! `float` once, and the trees use flowlab's own `f32` thresholds: the same value meets the
//! same threshold. The one approximation is `log1p` (no ONNX operator; see `features.rs`).
//!
//! **Not exported**: Gaussian naive Bayes ([`OnnxError::UnsupportedModel`]); the user's input
//! files are not needed. Every feature flowlab engineers has an ONNX form, so no model is
//! refused for its features; a pipeline that would need a column both as a number and as text
//! is refused ([`OnnxError::MixedColumn`]) rather than exported differently.
//!
//! The bytes are protobuf written with hand-declared `prost` messages ([`proto`]; no `protoc`),
//! so the export runs natively and in wasm.

mod builder;
mod features;
mod models;
pub mod proto;

use prost::Message;
use thiserror::Error;

use builder::{tensor_info, Attr, Builder};
use proto::{dtype, ModelProto, OperatorSetIdProto, StringStringEntryProto};

pub use features::{InputKind, MAX_TEXT_LENGTH, MISSING_SPELLINGS};

use crate::job::TrainedModel;

/// `ai.onnx` operator set the graph uses (`StringSplit`, `RegexFullMatch` need 20).
pub const OPSET: i64 = 20;
/// `ai.onnx.ml` operator set (`TreeEnsembleRegressor`, `LabelEncoder` with float values).
pub const ML_OPSET: i64 = 3;
/// IR version matching [`OPSET`].
pub const IR_VERSION: i64 = 9;

/// Why a model cannot be exported to ONNX.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum OnnxError {
    /// A model kind without an ONNX form.
    #[error("{0} models cannot be exported to ONNX; train a dt, rf, gbdt, logreg or mlp model")]
    UnsupportedModel(&'static str),
    /// A feature reads a column as text that another reads as a number (or the reverse).
    #[error("feature {feature:?} reads column {column:?} differently from another feature; switch that column off and train again to export this model")]
    MixedColumn { column: String, feature: String },
    /// A pipeline with no input at all.
    #[error("the model has no input features")]
    NoFeatures,
    /// The model and its class list disagree (a damaged model file).
    #[error("the model has {model} classes but names {names}")]
    Classes { model: usize, names: usize },
}

/// The ONNX graph inputs a model needs: `(column, kind)` in graph order.
pub fn inputs(model: &TrainedModel) -> Result<Vec<(String, InputKind)>, OnnxError> {
    features::inputs(&model.pipeline)
}

/// The model as ONNX bytes (a serialised `ModelProto`).
pub fn export(model: &TrainedModel) -> Result<Vec<u8>, OnnxError> {
    if model.model.as_sequence().is_some() {
        // Windows of flows per host need the rows sorted and grouped: no ONNX operator does it.
        return Err(OnnxError::UnsupportedModel(kind(&model.model)));
    }
    let k = model.model.n_classes();
    if k != model.classes.len() {
        return Err(OnnxError::Classes {
            model: k,
            names: model.classes.len(),
        });
    }
    let mut b = Builder::default();
    for (name, kind) in features::inputs(&model.pipeline)? {
        let elem = match kind {
            InputKind::Number => dtype::DOUBLE,
            InputKind::Text => dtype::STRING,
        };
        b.graph.input.push(tensor_info(&name, elem, &[1]));
    }
    let x = features::matrix(&mut b, &model.pipeline)?;
    let p = models::probabilities(&mut b, &model.model, &x)?;
    b.node("Identity", "", &[&p], &["probabilities"], vec![]);
    let idx = b.op(
        "ArgMax",
        &["probabilities"],
        vec![("axis", Attr::Int(1)), ("keepdims", Attr::Int(0))],
    );
    let names = b.strings(&[k as i64], &model.classes);
    b.node("Gather", "", &[&names, &idx], &["label"], vec![]);
    b.graph
        .output
        .push(tensor_info("label", dtype::STRING, &[]));
    b.graph
        .output
        .push(tensor_info("probabilities", dtype::FLOAT, &[k as i64]));
    b.graph.name = "flowlab".into();
    let json = |v: Vec<&str>| serde_json::to_string(&v).unwrap_or_default();
    let meta = [
        (
            "classes",
            json(model.classes.iter().map(String::as_str).collect()),
        ),
        ("features", json(model.pipeline.names())),
        ("model", kind(&model.model).to_string()),
        ("flowlab_version", env!("CARGO_PKG_VERSION").to_string()),
    ];
    let proto = ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![
            OperatorSetIdProto {
                domain: String::new(),
                version: OPSET,
            },
            OperatorSetIdProto {
                domain: builder::ML.into(),
                version: ML_OPSET,
            },
        ],
        producer_name: "flowlab".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        domain: String::new(),
        model_version: 1,
        doc_string: "flowlab model with its feature pipeline: raw flow columns in, \
                     `label` and `probabilities` out"
            .into(),
        graph: Some(b.graph),
        metadata_props: meta
            .into_iter()
            .map(|(key, value)| StringStringEntryProto {
                key: key.into(),
                value,
            })
            .collect(),
    };
    Ok(proto.encode_to_vec())
}

/// The model's short name (`dt`, `rf`, …) for the metadata.
fn kind(m: &crate::models::Model) -> &'static str {
    use crate::models::Model;
    match m {
        Model::Dt(_) => "dt",
        Model::Rf(_) => "rf",
        Model::Gbdt(_) => "gbdt",
        Model::Mlp(_) => "mlp",
        Model::Logreg(_) => "logreg",
        Model::Nb(_) => "nb",
        Model::Svm(_) => "svm",
        Model::Gru(_) => "gru",
        Model::Lstm(_) => "lstm",
        Model::Cnn1d(_) => "cnn1d",
    }
}
