//! Models: binned decision trees, random forest, gradient boosting, MLP, an SVM, and linear baselines.
//!
//! Every model follows one shape (as in linfa): a hyper-parameter struct that is validated before
//! fitting (`Params::validate`), `fit(params, x, y, n_classes, progress)`, and `predict_proba`
//! returning one row of class probabilities per input row. Inputs are the row-major `f32`
//! [`Matrix`] of [`crate::data`], built by [`crate::features`] (`NaN` = missing); labels are class codes `0..n_classes`.
//! Everything random takes an explicit seed and uses [`crate::data::rng::FlowRng`], so a seed gives the
//! same model natively and in wasm.

/// Walks a tree's nodes (fields `feature`, `threshold`, `missing_left`, `left`, `right`; `left ==
/// 0` at a leaf; root first) down to the leaf a raw feature row reaches; evaluates to that leaf's
/// node index. Missing values follow `missing_left`; +inf counts as `f32::MAX`. (Branches beat a
/// branch-free select here: speculation hides the next node's load.)
macro_rules! walk_raw {
    ($nodes:expr, $row:expr) => {{
        let (nodes, row) = (&$nodes, $row);
        let mut i = 0usize;
        loop {
            let n = &nodes[i];
            if n.left == 0 {
                break i;
            }
            let v = row[n.feature as usize];
            let go_left = if v.is_nan() {
                n.missing_left
            } else {
                v.min(f32::MAX) <= n.threshold
            };
            i = if go_left { n.left } else { n.right } as usize;
        }
    }};
}

/// [`walk_raw!`] on row `r` of a [`binning::BinnedMatrix`]: bin codes `1 ..= bin` go left.
macro_rules! walk_binned {
    ($nodes:expr, $binned:expr, $r:expr) => {{
        let (nodes, b, r) = (&$nodes, $binned, $r);
        let mut i = 0usize;
        loop {
            let n = &nodes[i];
            if n.left == 0 {
                break i;
            }
            let code = b.get(r, n.feature as usize);
            let go_left = if code == MISSING_BIN {
                n.missing_left
            } else {
                code <= n.bin
            };
            i = if go_left { n.left } else { n.right } as usize;
        }
    }};
}

pub mod binning;
pub mod boosting;
pub(crate) mod cells;
pub(crate) mod coded;
pub mod describe;
pub mod forest;
pub mod leaves;
pub mod linear;
pub mod mlp;
pub mod naive_bayes;
pub(crate) mod num;
pub mod params;
pub(crate) mod partition;
pub mod registry;
pub mod seq;
pub mod shap;
pub mod standardize;
mod stopping;
pub mod svm;
pub mod tree;

pub use coded::CellCache;
pub use params::{Checked, Params};
pub use registry::{Model, ModelSpec};
pub use stopping::EarlyStopping;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::data::Matrix;

/// Why a model could not be fitted.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// A hyper-parameter is out of range; says which, the value, and what is allowed.
    #[error("hyper-parameter {name} = {value}: expected {expected}")]
    InvalidParam {
        name: &'static str,
        value: String,
        expected: String,
    },
    #[error("no training rows")]
    Empty,
    #[error("{rows} rows but {labels} labels")]
    Shape { rows: usize, labels: usize },
    #[error("label {label} is not below n_classes = {n_classes}")]
    BadLabel { label: u32, n_classes: usize },
    #[error("the model expects {expected} features, the data has {got}")]
    Width { expected: usize, got: usize },
    /// A matrix whose data buffer does not hold `rows × cols` values.
    #[error("the matrix claims {rows} × {cols} values but holds {len}")]
    MatrixSize {
        rows: usize,
        cols: usize,
        len: usize,
    },
    /// A model returned a probability matrix of the wrong size.
    #[error("the model returned {got} probabilities, expected {expected} (rows × classes)")]
    ProbaShape { expected: usize, got: usize },
    /// A saved model whose parts do not fit together (a damaged or hand-edited model file).
    #[error("{model}: {what}")]
    Malformed {
        model: &'static str,
        what: &'static str,
    },
    /// A saved tree with a node that points outside the tree or at a missing feature.
    #[error("{model}: node {node} is malformed")]
    MalformedNode { model: &'static str, node: usize },
    #[error("cancelled")]
    Cancelled,
    /// A sequence model given a matrix without the sequence context columns
    /// (`features::Pipeline::with_context`).
    #[error(
        "{model} reads windows of flows per host, but the data has no sequence context columns"
    )]
    NoContext { model: &'static str },
    /// A model the explanations do not cover (no exact method and no estimate for it).
    #[error("{model} predictions are not explained: explanations exist for the decision tree, random forest, gradient boosting, logistic regression and the linear SVM")]
    NotExplained { model: &'static str },
}

/// One step of training, reported to the progress callback (which returns `false` to cancel).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Trees, rounds or epochs done so far.
    pub done: usize,
    pub total: usize,
    /// Training loss after this step, where the model has one (boosting, MLP, logistic).
    pub loss: Option<f64>,
    /// Validation loss, where the model keeps a validation split for early stopping.
    pub val_loss: Option<f64>,
}

/// A progress callback: return `false` to stop training (the fit then returns
/// [`ModelError::Cancelled`]).
pub type Progress<'a> = &'a mut dyn FnMut(Step) -> bool;

/// A callback that never cancels, for tests and simple uses.
pub fn no_progress() -> impl FnMut(Step) -> bool {
    |_| true
}

/// Checks the shared preconditions of every `fit`.
pub fn check_data(x: &Matrix, y: &[u32], n_classes: usize) -> Result<(), ModelError> {
    check_labels(x.rows, y, n_classes)
}

/// `rows` training rows (at least one) with one label each, every label below `n_classes`.
pub fn check_labels(rows: usize, y: &[u32], n_classes: usize) -> Result<(), ModelError> {
    if rows == 0 {
        return Err(ModelError::Empty);
    }
    if rows != y.len() {
        return Err(ModelError::Shape {
            rows,
            labels: y.len(),
        });
    }
    if let Some(&label) = y.iter().find(|&&l| l as usize >= n_classes) {
        return Err(ModelError::BadLabel { label, n_classes });
    }
    Ok(())
}

/// Checks that `x` has the `expected` number of feature columns (and a data buffer of exactly
/// `rows × cols` values) before a fitted model reads it.
pub fn check_width(expected: usize, x: &Matrix) -> Result<(), ModelError> {
    if x.cols != expected {
        return Err(ModelError::Width {
            expected,
            got: x.cols,
        });
    }
    if x.rows.checked_mul(x.cols) != Some(x.data.len()) {
        return Err(ModelError::MatrixSize {
            rows: x.rows,
            cols: x.cols,
            len: x.data.len(),
        });
    }
    Ok(())
}

/// What every fitted model offers, so evaluation code (permutation importance, reports) can
/// treat them alike. Each model also keeps its own `predict_proba`, `n_classes` and
/// `n_features` methods, usable without importing this trait.
pub trait Classifier {
    /// Class probabilities, `rows × n_classes` row-major.
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError>;
    /// Number of classes (columns of [`Classifier::predict_proba`]).
    fn n_classes(&self) -> usize;
    /// Number of input features the model expects.
    fn n_features(&self) -> usize;
    /// Gain (impurity decrease) importance per feature, normalised to sum 1 (all zero when the
    /// model never split), for the tree models; `None` for models without one (use
    /// the eval layer's permutation importance for those).
    fn gain_importance(&self) -> Option<Vec<f64>> {
        None
    }
    /// The model as trees read leaf by leaf (decision tree, forest, boosting), which lets
    /// the permutation importance of the eval layer re-walk only the paths a shuffled column can change; `None`
    /// for the other models.
    fn leaves(&self) -> Option<&dyn leaves::LeafEnsemble> {
        None
    }
    /// Most probable class of each row (the first on ties).
    fn predict(&self, x: &Matrix) -> Result<Vec<u32>, ModelError> {
        Ok(argmax_rows(&self.predict_proba(x)?, self.n_classes()))
    }
}

/// Implements [`Classifier`] through a model's own methods.
macro_rules! classifier {
    ($($t:ty => $gain:expr, $leaves:expr;)*) => {$(
        impl Classifier for $t {
            fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
                <$t>::predict_proba(self, x)
            }
            fn n_classes(&self) -> usize {
                <$t>::n_classes(self)
            }
            fn n_features(&self) -> usize {
                <$t>::n_features(self)
            }
            fn gain_importance(&self) -> Option<Vec<f64>> {
                let gain: fn(&$t) -> Option<Vec<f64>> = $gain;
                gain(self)
            }
            fn leaves(&self) -> Option<&dyn leaves::LeafEnsemble> {
                let leaves: fn(&$t) -> Option<&dyn leaves::LeafEnsemble> = $leaves;
                leaves(self)
            }
        }
    )*};
}

classifier! {
    tree::DecisionTree => |m| Some(m.feature_importance()), |m| Some(m);
    forest::RandomForest => |m| Some(m.feature_importance()), |m| Some(m);
    boosting::GradientBoosting => |m| Some(m.feature_importance()), |m| Some(m);
    mlp::Mlp => |_| None, |_| None;
    linear::LogisticRegression => |_| None, |_| None;
    naive_bayes::GaussianNb => |_| None, |_| None;
    svm::Svm => |_| None, |_| None;
    seq::Gru => |_| None, |_| None;
    seq::Lstm => |_| None, |_| None;
    seq::Cnn1d => |_| None, |_| None;
}

/// Index of the largest probability in each row of a `rows × n_classes` probability matrix.
pub fn argmax_rows(proba: &[f32], n_classes: usize) -> Vec<u32> {
    proba
        .chunks(n_classes.max(1))
        .map(|row| {
            let mut best = 0;
            for (i, &p) in row.iter().enumerate() {
                if p > row[best] {
                    best = i;
                }
            }
            best as u32
        })
        .collect()
}
