//! Models: binned decision trees, random forest, gradient boosting, MLP, and linear baselines.
//!
//! Every model follows one shape (as in linfa): a hyper-parameter struct that is validated before
//! fitting (`Params::validate`), `fit(params, x, y, n_classes, progress)`, and `predict_proba`
//! returning one row of class probabilities per input row. Inputs are the row-major `f32`
//! [`Matrix`] of [`crate::features`] (`NaN` = missing); labels are class codes `0..n_classes`.
//! Everything random takes an explicit seed and uses [`crate::rng::FlowRng`], so a seed gives the
//! same model natively and in wasm.

pub mod binning;
pub mod boosting;
pub mod forest;
pub mod linear;
pub mod mlp;
pub mod naive_bayes;
pub mod standardize;
pub mod tree;

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use crate::features::Matrix;

/// Why a model could not be fitted.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// A hyper-parameter is out of range; says which, the value, and what is allowed.
    #[error("hyper-parameter {name} = {value}: expected {expected}")]
    InvalidParam {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("no training rows")]
    Empty,
    #[error("{rows} rows but {labels} labels")]
    Shape { rows: usize, labels: usize },
    #[error("label {label} is not below n_classes = {n_classes}")]
    BadLabel { label: u32, n_classes: usize },
    #[error("the model expects {expected} features, the data has {got}")]
    Width { expected: usize, got: usize },
    /// A model returned a probability matrix of the wrong size.
    #[error("the model returned {got} probabilities, expected {expected} (rows × classes)")]
    ProbaShape { expected: usize, got: usize },
    #[error("cancelled")]
    Cancelled,
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
    if x.rows == 0 {
        return Err(ModelError::Empty);
    }
    if x.rows != y.len() {
        return Err(ModelError::Shape {
            rows: x.rows,
            labels: y.len(),
        });
    }
    if let Some(&label) = y.iter().find(|&&l| l as usize >= n_classes) {
        return Err(ModelError::BadLabel { label, n_classes });
    }
    Ok(())
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
