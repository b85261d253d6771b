//! The ONNX writer (issue 14): a model's bytes decode back with the hand-declared messages and
//! hold the graph the export promises; models and pipelines without an ONNX form are refused
//! with a typed error. (onnxruntime's agreement with `flowlab predict` is checked by
//! `tests/onnx/check.sh`, run by `scripts/test.sh`.)
#![cfg(not(target_arch = "wasm32"))]

use flowlab::data::Matrix;
use flowlab::features::FeatureSpec;
use flowlab::ingest::is_missing;
use flowlab::job::TrainedModel;
use flowlab::model_file;
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::no_progress;
use flowlab::models::registry::Model;
use flowlab::onnx::proto::{dtype, DimValue, ModelProto, ValueInfoProto};
use flowlab::onnx::{export, inputs, InputKind, OnnxError, MISSING_SPELLINGS};
use prost::Message;

use crate::common::{fixture, flowlab};

/// The fixture model: a decision tree on IoT-23 flows, 8 classes.
fn dt_model() -> TrainedModel {
    let bytes = std::fs::read(fixture("models/iot23-dt.flowlab")).unwrap();
    model_file::read(&bytes).unwrap()
}

fn elem_and_dims(v: &ValueInfoProto) -> (i32, Vec<String>) {
    let t = v.r#type.as_ref().unwrap().tensor_type.as_ref().unwrap();
    let dims = t
        .shape
        .as_ref()
        .unwrap()
        .dim
        .iter()
        .map(|d| match d.value.as_ref().unwrap() {
            DimValue::DimValue(n) => n.to_string(),
            DimValue::DimParam(p) => p.clone(),
        })
        .collect();
    (t.elem_type, dims)
}

#[test]
fn a_decision_tree_decodes_back_with_its_inputs_outputs_and_classes() {
    let m = dt_model();
    let bytes = export(&m).unwrap();
    let p = ModelProto::decode(bytes.as_slice()).unwrap();
    assert_eq!(p.ir_version, 9);
    let opsets: Vec<(&str, i64)> = p
        .opset_import
        .iter()
        .map(|o| (o.domain.as_str(), o.version))
        .collect();
    assert_eq!(opsets, [("", 20), ("ai.onnx.ml", 3)]);
    let g = p.graph.unwrap();

    // One input per raw column, `double` or `string`, `[N, 1]`.
    let want = inputs(&m).unwrap();
    assert_eq!(g.input.len(), want.len());
    for (i, (name, kind)) in g.input.iter().zip(&want) {
        assert_eq!(&i.name, name);
        let elem = match kind {
            InputKind::Number => dtype::DOUBLE,
            InputKind::Text => dtype::STRING,
        };
        assert_eq!(elem_and_dims(i), (elem, vec!["N".into(), "1".into()]));
    }
    let names: Vec<&str> = want.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"proto") && names.contains(&"history"),
        "{names:?}"
    );
    assert!(
        !names.contains(&"uid") && !names.contains(&"id.orig_h"),
        "{names:?}"
    );

    // Outputs: label [N] strings, probabilities [N, 8] floats.
    assert_eq!(g.output[0].name, "label");
    assert_eq!(
        elem_and_dims(&g.output[0]),
        (dtype::STRING, vec!["N".into()])
    );
    assert_eq!(g.output[1].name, "probabilities");
    assert_eq!(
        elem_and_dims(&g.output[1]),
        (dtype::FLOAT, vec!["N".into(), "8".into()])
    );

    // The class names in the metadata, in the model's order.
    let classes = p
        .metadata_props
        .iter()
        .find(|e| e.key == "classes")
        .unwrap();
    let classes: Vec<String> = serde_json::from_str(&classes.value).unwrap();
    assert_eq!(classes, m.classes);

    // The tree: one ensemble node holding every node of the tree, with flowlab's thresholds.
    let trees: Vec<_> = g
        .node
        .iter()
        .filter(|n| n.op_type == "TreeEnsembleRegressor")
        .collect();
    assert_eq!(trees.len(), 1);
    assert_eq!(trees[0].domain, "ai.onnx.ml");
    let Model::Dt(tree) = &m.model else {
        panic!("the fixture is a decision tree")
    };
    let attr = |name: &str| {
        trees[0]
            .attribute
            .iter()
            .find(|a| a.name == name)
            .unwrap()
            .clone()
    };
    assert_eq!(attr("nodes_nodeids").ints.len(), tree.nodes().len());
    let thresholds: Vec<f32> = tree
        .nodes()
        .iter()
        .map(|n| if n.is_leaf() { 0.0 } else { n.threshold })
        .collect();
    assert_eq!(attr("nodes_values").floats, thresholds);
    assert_eq!(attr("n_targets").i, 8);
    // Every feature of the pipeline is built: the concatenation has one input per feature.
    let concat = g
        .node
        .iter()
        .find(|n| n.op_type == "Concat" && n.input.len() == m.pipeline.width())
        .expect("the feature matrix");
    assert_eq!(concat.input.len(), 79, "the fixture model has 79 features");
}

#[test]
fn the_committed_onnx_fixture_is_what_the_export_writes() {
    // The page's "Export ONNX" is checked against this file (e2e/predict.test.mjs).
    let want = std::fs::read(fixture("models/iot23-dt.onnx")).unwrap();
    assert!(
        export(&dt_model()).unwrap() == want,
        "tests/fixtures/models/iot23-dt.onnx is stale: rerun the command in tests/fixtures/README.md"
    );
}

#[test]
fn missing_spellings_are_the_readers() {
    for s in MISSING_SPELLINGS {
        assert!(is_missing(s), "{s:?}");
    }
    for s in ["tcp", "S0", "0", "none", "empty"] {
        assert!(!is_missing(s), "{s:?}");
    }
}

#[test]
fn naive_bayes_is_refused_by_name() {
    let mut m = dt_model();
    let x = Matrix {
        rows: 8,
        cols: 1,
        data: (0..8).map(|i| i as f32).collect(),
    };
    let y: Vec<u32> = (0..8).collect();
    let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 8, &mut no_progress()).unwrap();
    m.model = Model::Nb(nb);
    let e = export(&m).unwrap_err();
    assert_eq!(e, OnnxError::UnsupportedModel("nb"));
    assert!(e.to_string().contains("dt, rf, gbdt, logreg or mlp"), "{e}");
}

#[test]
fn a_model_whose_class_names_do_not_match_is_refused() {
    let mut m = dt_model();
    m.classes.pop();
    assert_eq!(
        export(&m).unwrap_err(),
        OnnxError::Classes { model: 8, names: 7 }
    );
}

#[test]
fn a_column_read_both_as_text_and_as_number_is_refused() {
    let mut m = dt_model();
    let f = m
        .pipeline
        .features
        .iter_mut()
        .find(|f| f.name == "proto=tcp")
        .unwrap();
    f.spec = FeatureSpec::OneHot {
        column: "duration".into(),
        category: Some("1".into()),
    };
    f.name = "duration=1".into();
    match export(&m).unwrap_err() {
        OnnxError::MixedColumn { column, feature } => {
            assert_eq!(column, "duration");
            assert!(
                feature == "duration=1" || feature.contains("duration"),
                "{feature}"
            );
        }
        e => panic!("expected MixedColumn, got {e:?}"),
    }
}

#[test]
fn the_cli_writes_the_same_bytes_and_refuses_a_non_model() {
    let dir = std::env::temp_dir().join(format!("flowlab-onnx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("dt.onnx");
    let model = fixture("models/iot23-dt.flowlab");
    let (code, _, err) = flowlab(&[
        "export",
        "--format",
        "onnx",
        model.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("inputs [N, 1]: ") && err.contains("proto (string)"),
        "{err}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), export(&dt_model()).unwrap());

    let csv = fixture("iot23-mix.csv");
    let (code, _, err) = flowlab(&[
        "export",
        csv.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not a flowlab model file"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
