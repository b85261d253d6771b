//! Gradient boosting of binned regression trees (LightGBM-style), multiclass softmax.
//!
//! Each round fits one tree per class to the gradient and hessian of the multi-class log loss
//! (`K` trees per round; two classes use a single tree on the logistic loss), with Newton leaf
//! values `-learning_rate * G / (H + l2)`. Trees grow leaf-wise (best gain first) up to
//! `max_leaves` and an optional `max_depth`, on gradient/hessian histograms of the binned data;
//! a split builds the smaller child's histogram and gets the sibling's by subtraction. Missing
//! values have their own bin and each split learns their direction.
//!
//! `subsample` samples rows (without replacement) per round, `colsample` features per tree.
//! With `early_stopping_rounds`, a stratified `validation_fraction` of the training rows is held
//! out; training stops when its loss has not improved for that many rounds, and the model keeps
//! the best round. `train_loss` and `val_loss` keep the loss curve (mean multi-class log loss).
//! All floating-point work uses deterministic arithmetic, so a seed gives the same model natively
//! and in wasm.
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
//! use flowlab::models::{no_progress, Classifier};
//! // Three classes by the value of one feature.
//! let data: Vec<f32> = (0..90).map(|i| i as f32).collect();
//! let y: Vec<u32> = (0..90).map(|i| i / 30).collect();
//! let x = Matrix { rows: 90, cols: 1, data };
//! let params = GradientBoostingParams { n_rounds: 30, min_samples_leaf: 5, ..Default::default() };
//! let model = GradientBoosting::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
//! assert_eq!(model.predict(&x).unwrap(), y);
//! assert_eq!(model.train_loss.len(), 30);
//! assert!(model.train_loss[29] < model.train_loss[0]);
//! ```
//!
//! The module is laid out by job:
//! - here: the hyper-parameters ([`GradientBoostingParams`]) and their validation;
//! - `model`: the fitted ensemble ([`GradientBoosting`], [`RegressionTree`]), its checked
//!   serialisation, prediction and the softmax / logistic link;
//! - `booster`: training — units of identical rows, the validation split, the rounds
//!   (gradients and hessians, early stopping) and the row / feature samples;
//! - `grow`: one regression tree — gradient/hessian histograms, split gain, leaf-wise growth
//!   and Newton leaf values.

use std::cell::Cell;

use serde::{Deserialize, Deserializer, Serialize};

use super::params::{
    at_least, int, left_open, linear, log, open, optional_int, Param, Params, Search, SEED,
};
use super::tree::{rows, ClassWeight};

mod booster;
mod grow;
mod model;

pub use model::{GradientBoosting, RegressionNode, RegressionTree};

const STREAM_VALIDATION: u64 = 0xB005_7000_0000_0001;
const STREAM_SUBSAMPLE: u64 = 0xB005_7100_0000_0000;
const STREAM_COLSAMPLE: u64 = 0xB005_7200_0000_0000;

/// Hyper-parameters of [`GradientBoosting`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradientBoostingParams {
    /// Boosting rounds (`>= 1`).
    pub n_rounds: usize,
    /// Shrinkage of every tree, `(0, 1]`.
    pub learning_rate: f64,
    /// Deepest level of a tree; `None`: limited by `max_leaves` only.
    pub max_depth: Option<usize>,
    /// Leaves per tree (`>= 2`), grown best-first.
    pub max_leaves: usize,
    /// Each leaf keeps at least this many rows (`>= 1`).
    pub min_samples_leaf: usize,
    /// Each leaf keeps at least this hessian sum (`>= 0`).
    pub min_child_weight: f64,
    /// L2 penalty on leaf values (`>= 0`). The default, 1 (as XGBoost's `lambda`), keeps leaves
    /// whose rows are already predicted with near certainty (hessian ≈ 0) from taking huge
    /// values: with 0, macro-F1 on the IoT-23 captures fell from 0.91 after 10 rounds to 0.12
    /// after 100 (`bash bench/compare.sh`), as scikit-learn's HistGradientBoosting also does.
    pub l2: f64,
    /// Fraction of training rows sampled per round, `(0, 1]`.
    pub subsample: f64,
    /// Fraction of features sampled per tree, `(0, 1]`.
    pub colsample: f64,
    /// Stop when the validation loss has not improved for this many rounds (`>= 1`).
    pub early_stopping_rounds: Option<usize>,
    /// Fraction of training rows held out (stratified) for early stopping, `(0, 1)`.
    pub validation_fraction: f64,
    /// Value bins per feature (`2 ..= 255`).
    pub max_bins: usize,
    /// Per-class weights: `Balanced` (the default) multiplies each row's gradient and hessian
    /// (and its share of the initial scores) by `n_rows / (n_classes_present * class_rows)`, as
    /// scikit-learn's `class_weight="balanced"`. Chosen by the by-capture score (`bash
    /// bench/capture_seeds.sh`: macro-F1 0.281 → 0.309 over five samples, above the peer's 0.283
    /// on every one; Benign F1 0.57 → 0.27, C&C 0.41 → 0.78). Absent from model files written
    /// before it existed, which were trained unweighted: read as `None`.
    #[serde(default = "unweighted", deserialize_with = "class_weight_of")]
    pub class_weight: ClassWeight,
    /// Seed of the row/feature samples and the validation split.
    pub seed: u64,
}

/// The class weights of a model file written before `class_weight` existed.
fn unweighted() -> ClassWeight {
    ClassWeight::None
}

thread_local! {
    /// Set while a model file of format 2 is decoded (see [`decoding_format_2`]).
    static FORMAT_2: Cell<bool> = const { Cell::new(false) };
}

/// Runs `decode` with gbdt parameters read as model file format 2 wrote them: without
/// `class_weight` (read as `None`, how those models were trained). Model files are bincode,
/// which has no field names, so a format-2 file's parameters simply go on with `max_bins` and
/// `seed`; `model_file::read` calls this for format-2 files.
pub fn decoding_format_2<T>(decode: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            FORMAT_2.with(|f| f.set(false));
        }
    }
    FORMAT_2.with(|f| f.set(true));
    let _reset = Reset;
    decode()
}

/// `class_weight` as read from a model file or a message: absent in format 2 (nothing read).
fn class_weight_of<'de, D: Deserializer<'de>>(d: D) -> Result<ClassWeight, D::Error> {
    if FORMAT_2.with(Cell::get) {
        return Ok(unweighted());
    }
    ClassWeight::deserialize(d)
}

impl Default for GradientBoostingParams {
    fn default() -> Self {
        GradientBoostingParams {
            n_rounds: 100,
            learning_rate: 0.1,
            max_depth: None,
            max_leaves: 31,
            min_samples_leaf: 20,
            min_child_weight: 1e-3,
            l2: 1.0,
            subsample: 1.0,
            colsample: 1.0,
            early_stopping_rounds: None,
            validation_fraction: 0.1,
            max_bins: 255,
            class_weight: ClassWeight::Balanced,
            seed: 0,
        }
    }
}

impl Params for GradientBoostingParams {
    const TABLE: &'static [Param] = &[
        Param {
            name: "n_rounds",
            range: int(1),
            help: "boosting rounds (one tree per class each)",
            search: log(20.0, 300.0),
        },
        Param {
            name: "learning_rate",
            range: left_open(0.0, 1.0),
            help: "shrinkage of every tree",
            search: log(0.01, 0.5),
        },
        Param {
            name: "max_depth",
            range: optional_int(1),
            help: "deepest level of a tree; null = limited by max_leaves only",
            search: Search::OneOf(&["null", "3", "5", "8"]),
        },
        Param {
            name: "max_leaves",
            range: int(2),
            help: "most leaves per tree, grown best-first",
            search: log(4.0, 127.0),
        },
        Param {
            name: "min_samples_leaf",
            range: int(1),
            help: "fewest rows in a leaf",
            search: log(1.0, 100.0),
        },
        Param {
            name: "min_child_weight",
            range: at_least(0.0),
            help: "smallest hessian sum in a leaf",
            search: log(1e-4, 10.0),
        },
        Param {
            name: "l2",
            range: at_least(0.0),
            help: "L2 penalty on leaf values",
            search: log(0.01, 10.0),
        },
        Param {
            name: "subsample",
            range: left_open(0.0, 1.0),
            help: "share of rows sampled per round",
            search: linear(0.5, 1.0),
        },
        Param {
            name: "colsample",
            range: left_open(0.0, 1.0),
            help: "share of features sampled per tree",
            search: linear(0.5, 1.0),
        },
        Param {
            name: "early_stopping_rounds",
            range: optional_int(1),
            help: "stop after this many rounds without a better validation loss; null = off",
            search: Search::Fixed,
        },
        Param {
            name: "validation_fraction",
            range: open(0.0, 1.0),
            help: "share of training rows held out (stratified) for early stopping",
            search: Search::Fixed,
        },
        rows::MAX_BINS,
        rows::CLASS_WEIGHT,
        Param {
            name: "seed",
            range: SEED,
            help: "seed of the row and feature samples and the validation split",
            search: Search::Fixed,
        },
    ];

    /// A round costs about half a forest tree (leaf-wise on gradients, shallower).
    fn work(&self) -> f64 {
        self.n_rounds as f64 * 0.5
    }
}
