//! Permutation importance for any model: how much the macro-F1 (and the accuracy) drop when one
//! feature's values are shuffled across rows, breaking its link to the label.
//!
//! The model is only seen through a `predict_proba` closure, so the same function serves every
//! model natively, in the CLI and in the Web Worker. Shuffles use [`FlowRng`] streams derived from
//! the seed and the feature index, so a seed gives the same numbers natively and in wasm, whatever
//! the order features are evaluated in.
//!
//! **Cost**: `1 + n_features × repeats` calls of `predict_proba` on at most `max_rows` rows (a
//! stratified subsample of the rows given; default 5 000). With 100 features and 5 repeats that
//! is 501 predictions of ≤ 5 000 rows — keep `max_rows` small in a browser. Only one column is
//! permuted at a time, in a single working copy of the matrix, and restored afterwards.
//!
//! ```
//! use flowlab::eval::importance::{permutation_importance, PermutationOptions};
//! use flowlab::data::Matrix;
//! // Feature 0 is the label, feature 1 is constant noise.
//! let x = Matrix { rows: 6, cols: 2, data: vec![0., 5., 1., 5., 0., 5., 1., 5., 0., 5., 1., 5.] };
//! let y = [0, 1, 0, 1, 0, 1];
//! let mut model = |m: &Matrix| -> Result<Vec<f32>, flowlab::models::ModelError> {
//!     Ok((0..m.rows).flat_map(|r| if m.get(r, 0) > 0.5 { [0.0, 1.0] } else { [1.0, 0.0] }).collect())
//! };
//! let imp = permutation_importance(&mut model, &x, &y, 2, &PermutationOptions::default()).unwrap();
//! assert_eq!(imp.baseline_macro_f1, 1.0);
//! assert!(imp.features[0].mean > 0.1);
//! assert_eq!(imp.features[1].mean, 0.0);
//! ```

use serde::{Deserialize, Serialize};

use crate::data::rng::FlowRng;
use crate::data::sampling::StratifiedOrder;
use crate::data::Matrix;
use crate::eval::metrics::Report;
use crate::models::leaves::LeafCache;
use crate::models::{argmax_rows, check_data, Classifier, ModelError};

/// How permutation importance is computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PermutationOptions {
    /// Shuffles per feature (≥ 1); the result is their mean and standard deviation.
    pub repeats: usize,
    pub seed: u64,
    /// Larger inputs are replaced by a stratified subsample of about this many rows (≥ 1).
    pub max_rows: usize,
}

impl Default for PermutationOptions {
    fn default() -> Self {
        PermutationOptions {
            repeats: 5,
            seed: 0,
            max_rows: 5000,
        }
    }
}

impl PermutationOptions {
    /// Checks the options before any prediction is made.
    pub fn validate(&self) -> Result<(), ModelError> {
        if self.repeats == 0 {
            return Err(ModelError::InvalidParam {
                name: "repeats",
                value: "0".into(),
                expected: "at least 1".into(),
            });
        }
        if self.max_rows == 0 {
            return Err(ModelError::InvalidParam {
                name: "max_rows",
                value: "0".into(),
                expected: "at least 1".into(),
            });
        }
        Ok(())
    }
}

/// The importance of one feature: the drop in score when it is shuffled, over the repeats.
/// Near 0 (or below) means the model does not rely on the feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    /// Mean drop in macro-F1 (baseline − permuted).
    pub mean: f64,
    /// Population standard deviation of that drop over the repeats.
    pub std: f64,
    /// Mean drop in accuracy.
    pub accuracy_mean: f64,
    /// Population standard deviation of the accuracy drop.
    pub accuracy_std: f64,
}

/// Permutation importance of every feature, with the unpermuted scores it is measured against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PermutationImportance {
    pub baseline_macro_f1: f64,
    pub baseline_accuracy: f64,
    /// Rows the scores were computed on (after subsampling).
    pub rows: usize,
    /// One entry per feature column, in column order.
    pub features: Vec<FeatureImportance>,
}

/// Stream of the generator that subsamples the rows.
const STREAM_SUBSAMPLE: u64 = 0x14b0;
/// Streams of the per-feature shuffles start here (`+ feature index`).
const STREAM_FEATURE: u64 = 0x14b0_0000;

/// Permutation importance of every column of `x` for the model behind `predict_proba` (which
/// returns `rows × n_classes` probabilities, row-major), scored on the labels `y`.
///
/// `predict_proba` may fail (e.g. [`ModelError::Cancelled`] to stop early from a UI); its error
/// is returned as is.
pub fn permutation_importance(
    predict_proba: &mut dyn FnMut(&Matrix) -> Result<Vec<f32>, ModelError>,
    x: &Matrix,
    y: &[u32],
    n_classes: usize,
    opts: &PermutationOptions,
) -> Result<PermutationImportance, ModelError> {
    shuffle_and_score(&mut |m, _| predict_proba(m), x, y, n_classes, opts)
}

/// [`permutation_importance`] of a fitted model. Tree models (decision tree, forest, boosting)
/// go through a [`LeafCache`]: after each shuffle only the paths that test the shuffled column
/// are walked again. The numbers are exactly those of the plain path, for far fewer walks.
pub fn permutation_importance_of(
    model: &dyn Classifier,
    x: &Matrix,
    y: &[u32],
    opts: &PermutationOptions,
) -> Result<PermutationImportance, ModelError> {
    let k = model.n_classes();
    let Some(trees) = model.leaves() else {
        return permutation_importance(&mut |m| model.predict_proba(m), x, y, k, opts);
    };
    let mut cache: Option<LeafCache> = None;
    shuffle_and_score(
        &mut |m, column| match (column, &cache) {
            (Some(j), Some(c)) => c.proba_with_column(m, j),
            _ => {
                let c = LeafCache::new(trees, m)?;
                let p = c.base_proba().to_vec();
                cache = Some(c);
                Ok(p)
            }
        },
        x,
        y,
        k,
        opts,
    )
}

/// Probabilities of a matrix; `Some(j)` says only column `j` differs from the first matrix asked.
type PredictColumn<'a> = &'a mut dyn FnMut(&Matrix, Option<usize>) -> Result<Vec<f32>, ModelError>;

/// The shuffling and scoring behind both entry points. `predict_proba(m, None)` is asked first,
/// for the unshuffled rows; after it, `predict_proba(m, Some(j))` for matrices that differ from
/// those rows only in column `j`.
fn shuffle_and_score(
    predict_proba: PredictColumn,
    x: &Matrix,
    y: &[u32],
    n_classes: usize,
    opts: &PermutationOptions,
) -> Result<PermutationImportance, ModelError> {
    opts.validate()?;
    check_data(x, y, n_classes)?;
    let (mut work, y) = if x.rows > opts.max_rows {
        let order = StratifiedOrder::new(y, &mut FlowRng::new(opts.seed, STREAM_SUBSAMPLE));
        let rows = order.subset(opts.max_rows as f64 / x.rows as f64);
        let mut data = Vec::with_capacity(rows.len() * x.cols);
        for &r in &rows {
            data.extend_from_slice(x.row(r));
        }
        let m = Matrix {
            rows: rows.len(),
            cols: x.cols,
            data,
        };
        (m, rows.iter().map(|&r| y[r]).collect::<Vec<u32>>())
    } else {
        (x.clone(), y.to_vec())
    };
    let mut score = |m: &Matrix, column: Option<usize>| -> Result<(f64, f64), ModelError> {
        let proba = predict_proba(m, column)?;
        if proba.len() != m.rows * n_classes {
            return Err(ModelError::ProbaShape {
                expected: m.rows * n_classes,
                got: proba.len(),
            });
        }
        let report = Report::new(&y, &argmax_rows(&proba, n_classes), None, n_classes);
        Ok((report.macro_f1, report.accuracy))
    };
    let (base_f1, base_acc) = score(&work, None)?;
    let (rows, cols) = (work.rows, work.cols);
    let mut features = Vec::with_capacity(cols);
    let mut column = vec![0f32; rows];
    let mut shuffled = vec![0f32; rows];
    for j in 0..cols {
        for (r, v) in column.iter_mut().enumerate() {
            *v = work.data[r * cols + j];
        }
        let mut rng = FlowRng::new(opts.seed, STREAM_FEATURE + j as u64);
        let (mut f1_drops, mut acc_drops) = (Vec::new(), Vec::new());
        for _ in 0..opts.repeats {
            shuffled.copy_from_slice(&column);
            rng.shuffle(&mut shuffled);
            for (r, &v) in shuffled.iter().enumerate() {
                work.data[r * cols + j] = v;
            }
            let scored = score(&work, Some(j));
            for (r, &v) in column.iter().enumerate() {
                work.data[r * cols + j] = v;
            }
            let (f1, acc) = scored?;
            f1_drops.push(base_f1 - f1);
            acc_drops.push(base_acc - acc);
        }
        let (mean, std) = mean_std(&f1_drops);
        let (accuracy_mean, accuracy_std) = mean_std(&acc_drops);
        features.push(FeatureImportance {
            mean,
            std,
            accuracy_mean,
            accuracy_std,
        });
    }
    Ok(PermutationImportance {
        baseline_macro_f1: base_f1,
        baseline_accuracy: base_acc,
        rows,
        features,
    })
}

/// Mean and population standard deviation (`numpy.std`, as scikit-learn reports).
fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}
