//! Learning curve: the train and test score of a model fitted on growing, stratified, nested
//! subsets of the training rows (scikit-learn's `learning_curve`, on one split).
//!
//! Every subset keeps each class present in the training rows (at least one row of it) and
//! contains every smaller subset, so the curve shows the effect of more data, not of a different
//! sample. The fitting and scoring is a closure, so any model and any score can be used.
//!
//! ```
//! use flowlab::eval::learning_curve::{learning_curve, DEFAULT_FRACTIONS};
//! let y = [0u32, 1, 0, 1, 0, 1, 0, 1, 0, 1];
//! let train: Vec<usize> = (0..10).collect();
//! let mut fit = |rows: &[usize]| -> Result<(f64, f64), String> { Ok((1.0, rows.len() as f64 / 10.0)) };
//! let curve = learning_curve(&train, &y, &DEFAULT_FRACTIONS, 7, &mut fit).unwrap();
//! assert_eq!(curve.iter().map(|p| p.rows).collect::<Vec<_>>(), vec![2, 2, 6, 8, 10]);
//! ```

use serde::{Deserialize, Serialize};

use crate::data::rng::FlowRng;
use crate::data::sampling::{subset_count, StratifiedOrder};

/// The fractions of the training rows used by default.
pub const DEFAULT_FRACTIONS: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 1.0];

/// One point of a learning curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearningPoint {
    /// The requested fraction of the training rows.
    pub fraction: f64,
    /// Rows actually used (per class: the rounded fraction, at least one).
    pub rows: usize,
    pub train_score: f64,
    pub test_score: f64,
}

/// The closure [`learning_curve`] calls: fits on the given rows, returns `(train score, test
/// score)`.
pub type FitAndScore<'a, E> = &'a mut dyn FnMut(&[usize]) -> Result<(f64, f64), E>;

/// Stream of the generator that orders the training rows.
const STREAM_CURVE: u64 = 0xc0_12e;

fn order(train_rows: &[usize], y: &[u32], seed: u64) -> StratifiedOrder {
    StratifiedOrder::of_rows(train_rows, y, &mut FlowRng::new(seed, STREAM_CURVE))
}

/// The number of rows [`learning_curve`] would use for each fraction (no fitting), e.g. to show
/// the plan before a long run. `y` is indexed by row, like `train_rows`.
pub fn learning_curve_sizes(train_rows: &[usize], y: &[u32], fractions: &[f64]) -> Vec<usize> {
    // Class sizes do not depend on the shuffle.
    let sizes = order(train_rows, y, 0).class_sizes();
    fractions
        .iter()
        .map(|&f| {
            let f = f.clamp(0.0, 1.0);
            sizes.iter().map(|&n| subset_count(n, f)).sum()
        })
        .collect()
}

/// Calls `fit_and_score` with a stratified subset of `train_rows` for each fraction (in the order
/// given; fractions are clamped to `0..=1`) and collects its `(train score, test score)`.
///
/// `y` is the label of every row (indexed by row number, like `train_rows`); rows labelled
/// [`crate::ingest::MISSING`] are never used. Subsets of one call are nested: the subset for a
/// fraction contains the subsets of all smaller fractions. The first error of `fit_and_score`
/// stops the curve and is returned.
pub fn learning_curve<E>(
    train_rows: &[usize],
    y: &[u32],
    fractions: &[f64],
    seed: u64,
    fit_and_score: FitAndScore<E>,
) -> Result<Vec<LearningPoint>, E> {
    let order = order(train_rows, y, seed);
    let mut out = Vec::with_capacity(fractions.len());
    for &fraction in fractions {
        let rows = order.subset(fraction.clamp(0.0, 1.0));
        let (train_score, test_score) = fit_and_score(&rows)?;
        out.push(LearningPoint {
            fraction,
            rows: rows.len(),
            train_score,
            test_score,
        });
    }
    Ok(out)
}
