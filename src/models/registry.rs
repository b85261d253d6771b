//! The model registry: every model flowlab knows, in one place. A new model is one module in
//! `models/`, one parameter table (its [`Params`] impl) and one line in the [`registry!`] call
//! below; the page's model list, the CLI's `--model` choices and `--set` checks, model files and
//! `flowlab models` all read from here.
//!
//! ```
//! use flowlab::models::registry::{ModelSpec, MODELS};
//! let spec = ModelSpec::default_for("rf").unwrap();
//! assert_eq!((spec.name(), spec.title()), ("rf", "random forest"));
//! assert!(spec.validate().is_ok());
//! assert_eq!(MODELS.iter().map(|m| m.name).collect::<Vec<_>>(), ["dt", "rf", "gbdt", "mlp", "logreg", "nb", "svm", "gru", "lstm", "cnn1d"]);
//! let err = ModelSpec::with_values("rf", &[("n_trees", "0")]).unwrap_err();
//! assert_eq!(err.to_string(), "hyper-parameter n_trees = 0: expected an integer ≥ 1");
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use thiserror::Error;

use super::boosting::{GradientBoosting, GradientBoostingParams};
use super::forest::{RandomForest, RandomForestParams};
use super::linear::{LogisticParams, LogisticRegression};
use super::mlp::{Mlp, MlpParams};
use super::naive_bayes::{GaussianNb, GaussianNbParams};
use super::params::{markdown, Param, Params};
use super::seq::{Cnn1d, Cnn1dParams, Gru, GruParams, Lstm, LstmParams, Sequence};
use super::svm::{Svm, SvmParams};
use super::tree::{DecisionTree, DecisionTreeParams};
use super::{CellCache, Classifier, ModelError, Progress};
use crate::data::rng::FlowRng;
use crate::data::Matrix;

/// What the registry knows of one model kind.
#[derive(Debug, Clone, Copy)]
pub struct ModelKind {
    /// Short name: on the command line, in model files and in the page's test ids.
    pub name: &'static str,
    /// Human name ("random forest").
    pub title: &'static str,
    /// Ticked when the page opens.
    pub on_by_default: bool,
    /// Its parameter table.
    pub table: &'static [Param],
    /// Its default hyper-parameters.
    pub default: fn() -> ModelSpec,
    /// Its parameter reference as Markdown.
    pub reference: fn() -> String,
}

/// Declares the models: `Variant(Params => Fitted) "name", "title", ticked_at_first;`.
macro_rules! registry {
    ($($variant:ident($params:ty => $fitted:ty) $name:literal, $title:literal, $on:literal;)*) => {
        /// A model kind and its hyper-parameters.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ModelSpec {
            $($variant($params),)*
        }

        /// A fitted model.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Model {
            $($variant($fitted),)*
        }

        /// Position of each model in [`MODELS`].
        #[derive(Clone, Copy)]
        enum Index {
            $($variant,)*
        }

        /// Every model, in the order the page and the CLI list them.
        pub const MODELS: &[ModelKind] = &[$(ModelKind {
            name: $name,
            title: $title,
            on_by_default: $on,
            table: <$params as Params>::TABLE,
            default: || ModelSpec::$variant(<$params>::default()),
            reference: markdown::<$params>,
        },)*];

        impl ModelSpec {
            /// Where this model sits in [`MODELS`].
            pub fn kind(&self) -> &'static ModelKind {
                &MODELS[match self { $(ModelSpec::$variant(_) => Index::$variant as usize,)* }]
            }

            /// Checks the hyper-parameters against their table (before any data is touched).
            pub fn validate(&self) -> Result<(), ModelError> {
                match self { $(ModelSpec::$variant(p) => p.validate(),)* }
            }

            /// Relative work of one fit per training value ([`Params::work`]).
            pub fn work(&self) -> f64 {
                match self { $(ModelSpec::$variant(p) => p.work(),)* }
            }

            /// Fits this model (its fit checks the parameters first: nothing fits unchecked).
            pub fn fit(
                &self,
                x: &Matrix,
                y: &[u32],
                n_classes: usize,
                progress: Progress,
            ) -> Result<Model, ModelError> {
                Ok(match self {
                    $(ModelSpec::$variant(p) => Model::$variant(<$fitted>::fit(p, x, y, n_classes, progress)?),)*
                })
            }
        }

        impl Model {
            /// The model behind the [`Classifier`] trait.
            pub fn as_classifier(&self) -> &dyn Classifier {
                match self { $(Model::$variant(m) => m,)* }
            }
        }
    };
}

registry! {
    Dt(DecisionTreeParams => DecisionTree) "dt", "decision tree", true;
    Rf(RandomForestParams => RandomForest) "rf", "random forest", true;
    Gbdt(GradientBoostingParams => GradientBoosting) "gbdt", "gradient boosting", true;
    Mlp(MlpParams => Mlp) "mlp", "MLP", true;
    Logreg(LogisticParams => LogisticRegression) "logreg", "logistic regression", false;
    Nb(GaussianNbParams => GaussianNb) "nb", "Gaussian naive Bayes", false;
    Svm(SvmParams => Svm) "svm", "SVM", false;
    Gru(GruParams => Gru) "gru", "GRU over flow windows", false;
    Lstm(LstmParams => Lstm) "lstm", "LSTM over flow windows", false;
    Cnn1d(Cnn1dParams => Cnn1d) "cnn1d", "1D-CNN over flow windows", false;
}

impl ModelKind {
    /// One draw of every searched row of the table ([`super::params::Search`]), in table order,
    /// as `(name, value)`; the rows a search leaves alone are not in it.
    pub fn sample(&self, rng: &mut FlowRng) -> Vec<(&'static str, Value)> {
        self.table
            .iter()
            .filter_map(|p| p.search.sample(&p.range, rng).map(|v| (p.name, v)))
            .collect()
    }

    /// The names of the rows a search draws.
    pub fn searched(&self) -> Vec<&'static str> {
        self.table
            .iter()
            .filter(|p| p.search != super::params::Search::Fixed)
            .map(|p| p.name)
            .collect()
    }
}

/// Why a model name and `NAME=VALUE` settings do not make a model.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum SpecError {
    #[error("unknown model {name:?}; the models are: {known}")]
    UnknownModel { name: String, known: String },
    #[error("{model} has no hyper-parameter {name:?}; it has: {known}")]
    UnknownParam {
        model: &'static str,
        name: String,
        known: String,
    },
    /// A value out of its range (or of the wrong type), or parameters that do not go together.
    #[error(transparent)]
    Invalid(#[from] ModelError),
}

/// The model kind called `name`.
pub fn kind(name: &str) -> Result<&'static ModelKind, SpecError> {
    MODELS
        .iter()
        .find(|k| k.name == name)
        .ok_or_else(|| SpecError::UnknownModel {
            name: name.to_string(),
            known: names().join(", "),
        })
}

/// The short names of every model, in order.
pub fn names() -> Vec<&'static str> {
    MODELS.iter().map(|k| k.name).collect()
}

/// A value as typed: JSON where it parses (`12`, `null`, `[64, 32]`, `{"Count": 3}`), else the
/// bare text (`Sqrt`, `Balanced`).
pub fn parse_value(text: &str) -> Value {
    let text = text.trim();
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

impl ModelSpec {
    /// The short name used on the command line (`dt`, `rf`, `gbdt`, `mlp`, `logreg`, `nb`, `svm`, `gru`, `lstm`, `cnn1d`).
    pub fn name(&self) -> &'static str {
        self.kind().name
    }

    /// Whether the model reads windows of flows (the sequence context of
    /// `features::Pipeline::with_context`) rather than single rows.
    pub fn reads_windows(&self) -> bool {
        matches!(
            self,
            ModelSpec::Gru(_) | ModelSpec::Lstm(_) | ModelSpec::Cnn1d(_)
        )
    }

    /// A human name: "random forest", …
    pub fn title(&self) -> &'static str {
        self.kind().title
    }

    /// The default hyper-parameters of the model called `name`.
    pub fn default_for(name: &str) -> Option<ModelSpec> {
        kind(name).ok().map(|k| (k.default)())
    }

    /// The hyper-parameters as JSON, field by field.
    pub fn values(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(outer)) => outer
                .into_iter()
                .next()
                .and_then(|(_, v)| v.as_object().cloned())
                .unwrap_or_default(),
            _ => Map::new(),
        }
    }

    /// The model `name` with its defaults, then each `(NAME, VALUE)` set (values as typed, see
    /// [`parse_value`]); every value is checked against its table row, then the whole set.
    pub fn with_values<K: AsRef<str>, V: AsRef<str>>(
        name: &str,
        settings: &[(K, V)],
    ) -> Result<ModelSpec, SpecError> {
        let parsed: Vec<(&str, Value)> = settings
            .iter()
            .map(|(k, v)| (k.as_ref(), parse_value(v.as_ref())))
            .collect();
        ModelSpec::with_json(name, &parsed)
    }

    /// [`ModelSpec::with_values`] with the values already JSON (as a search draws them).
    pub fn with_json<K: AsRef<str>>(
        name: &str,
        settings: &[(K, Value)],
    ) -> Result<ModelSpec, SpecError> {
        let kind = kind(name)?;
        let mut values = (kind.default)().values();
        for (key, value) in settings {
            let key = key.as_ref();
            let row = kind.table.iter().find(|p| p.name == key).ok_or_else(|| {
                SpecError::UnknownParam {
                    model: kind.name,
                    name: key.to_string(),
                    known: kind
                        .table
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            })?;
            row.check(value)?;
            values.insert(key.to_string(), value.clone());
        }
        let mut outer = Map::new();
        outer.insert(kind.name.to_string(), Value::Object(values));
        // Every value passed its row, so only a range wider than its Rust type can fail here.
        let spec: ModelSpec =
            serde_json::from_value(Value::Object(outer)).map_err(|e| ModelError::InvalidParam {
                name: "parameters",
                value: e.to_string(),
                expected: "values of the parameter's type".into(),
            })?;
        spec.validate()?;
        Ok(spec)
    }
}

impl Model {
    /// Class probabilities, `rows × n_classes` row-major.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        self.as_classifier().predict_proba(x)
    }

    /// [`Model::predict_proba`], the random forest's cells kept in `cache` from one call to the
    /// next (see [`CellCache`]; one cache per model); the same bits.
    pub fn predict_proba_cached(
        &self,
        x: &Matrix,
        cache: &CellCache,
    ) -> Result<Vec<f32>, ModelError> {
        match self {
            Model::Rf(f) => f.predict_proba_cached(x, cache),
            _ => self.predict_proba(x),
        }
    }

    pub fn n_classes(&self) -> usize {
        self.as_classifier().n_classes()
    }

    /// Number of input features the model expects.
    pub fn n_features(&self) -> usize {
        self.as_classifier().n_features()
    }

    /// Checks a decoded model's structure before use, so that a damaged or crafted model file
    /// gives an error instead of a panic or a huge allocation. The tree models are checked as
    /// they are decoded (node, child and feature indices; see `DecisionTree`'s `TreeRepr`);
    /// the others here.
    pub fn check(&self) -> Result<(), ModelError> {
        match self {
            Model::Dt(_) | Model::Rf(_) | Model::Gbdt(_) => Ok(()),
            Model::Mlp(m) => m.check(),
            Model::Logreg(m) => m.check(),
            Model::Nb(m) => m.check(),
            Model::Svm(m) => m.check(),
            Model::Gru(m) => m.check(),
            Model::Lstm(m) => m.check(),
            Model::Cnn1d(m) => m.check(),
        }
    }

    /// The model as a sequence model (windows of flows), for the GRU, LSTM and 1D-CNN.
    pub fn as_sequence(&self) -> Option<&dyn Sequence> {
        match self {
            Model::Gru(m) => Some(m),
            Model::Lstm(m) => Some(m),
            Model::Cnn1d(m) => Some(m),
            _ => None,
        }
    }

    /// Gain (impurity decrease) importance per feature, summing to 1, for the tree models.
    pub fn gain_importance(&self) -> Option<Vec<f64>> {
        self.as_classifier().gain_importance()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One table row per struct field, in the struct's order, for every model: the table is the
    /// one definition, so a field without a row (or a row without a field) is a bug.
    #[test]
    fn every_field_has_exactly_one_row() {
        for kind in MODELS {
            let fields: Vec<String> = (kind.default)().values().keys().cloned().collect();
            let mut rows: Vec<String> = kind.table.iter().map(|p| p.name.to_string()).collect();
            rows.sort();
            assert_eq!(fields, rows, "{}", kind.name);
        }
    }

    #[test]
    fn every_default_passes_its_own_table() {
        for kind in MODELS {
            let spec = (kind.default)();
            assert_eq!(spec.name(), kind.name);
            spec.validate().unwrap();
            for row in kind.table {
                let v = spec.values()[row.name].clone();
                assert!(row.range.accepts(&v), "{}.{} = {v}", kind.name, row.name);
            }
        }
    }

    #[test]
    fn settings_are_checked_by_name_type_and_range() {
        let spec =
            ModelSpec::with_values("rf", &[("n_trees", "7"), ("max_depth", "null")]).unwrap();
        let ModelSpec::Rf(p) = spec else { panic!() };
        assert_eq!((p.n_trees, p.max_depth), (7, None));
        let e = ModelSpec::with_values("rf", &[("trees", "7")]).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("rf has no hyper-parameter \"trees\"; it has: n_trees, bootstrap"));
        let e = ModelSpec::with_values("gbdt", &[("learning_rate", "abc")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "hyper-parameter learning_rate = abc: expected a number in (0, 1]"
        );
        let e = ModelSpec::with_values("rf", &[("bootstrap", "false"), ("oob_score", "true")]);
        assert!(matches!(
            e,
            Err(SpecError::Invalid(ModelError::InvalidParam {
                name: "oob_score",
                ..
            }))
        ));
        let e = ModelSpec::with_values("svc", &[("c", "1")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown model \"svc\"; the models are: dt, rf, gbdt, mlp, logreg, nb, svm, gru, lstm, cnn1d"
        );
        let e = ModelSpec::with_values("svm", &[("kernel", "poly")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "hyper-parameter kernel = poly: expected one of linear, rbf"
        );
        let ModelSpec::Dt(p) =
            ModelSpec::with_values("dt", &[("max_features", "{\"Count\": 3}")]).unwrap()
        else {
            panic!()
        };
        assert_eq!(p.max_features, super::super::tree::MaxFeatures::Count(3));
    }

    /// Every searched row's draws pass the row and the whole table (`check`), for many seeds;
    /// each span lies inside its allowed range, and log spans are above 0.
    #[test]
    fn every_search_range_samples_valid_settings() {
        use super::super::params::Search;
        for kind in MODELS {
            assert!(
                !kind.searched().is_empty(),
                "{} has nothing to search",
                kind.name
            );
            for row in kind.table {
                if let Search::Span { low, high, log } = row.search {
                    assert!(
                        low <= high && (!log || low > 0.0),
                        "{}.{}",
                        kind.name,
                        row.name
                    );
                    let int = matches!(
                        row.range,
                        super::super::params::Range::Int { .. }
                            | super::super::params::Range::OptionalInt { .. }
                    );
                    for end in [low, high] {
                        let v = if int {
                            Value::from(end.round() as u64)
                        } else {
                            Value::from(end)
                        };
                        assert!(
                            row.range.accepts(&v),
                            "{}.{} bound {v}",
                            kind.name,
                            row.name
                        );
                    }
                }
            }
            let mut distinct = std::collections::BTreeSet::new();
            for seed in 0..60 {
                let drawn = kind.sample(&mut FlowRng::new(seed, 7));
                assert_eq!(
                    drawn.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                    kind.searched()
                );
                let spec = ModelSpec::with_json(kind.name, &drawn)
                    .unwrap_or_else(|e| panic!("{} seed {seed}: {e}", kind.name));
                spec.validate().unwrap();
                for (n, v) in &drawn {
                    assert_eq!(&spec.values()[*n], v, "{}.{n}", kind.name);
                }
                distinct.insert(serde_json::to_string(&spec).unwrap());
            }
            assert!(
                distinct.len() > 30,
                "{}: {} distinct draws",
                kind.name,
                distinct.len()
            );
        }
    }
}
