//! Stratified sampling: the one shuffled order per class that every hold-out, validation split,
//! subsample and learning-curve subset in flowlab is cut from. It sits at the bottom so that the
//! models (validation splits for early stopping) and evaluation (hold-outs, subsets) share it
//! without depending on each other.
//!
//! Rows whose label is [`MISSING`] are never sampled.
//!
//! ```
//! use flowlab::data::sampling::stratified_holdout;
//! let y = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
//! let s = stratified_holdout(&y, 0.5, 7);
//! assert_eq!((s.train.len(), s.test.len()), (5, 5));
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::data::rng::FlowRng;
use crate::data::MISSING;

/// Row indices of one split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Split {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

/// The labelled rows of `y` grouped by class (ascending class code), each in row order.
pub fn by_class(y: &[u32]) -> BTreeMap<u32, Vec<usize>> {
    let mut m: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (r, &c) in y.iter().enumerate() {
        if c != MISSING {
            m.entry(c).or_default().push(r);
        }
    }
    m
}

/// The labelled rows of each class (ascending class code), each class shuffled by one generator:
/// the single source of every stratified sample in flowlab (hold-out, the models' validation
/// splits, subsamples, learning-curve subsets). Prefixes of one order are nested, so a smaller
/// sample is always part of a larger one.
#[derive(Debug, Clone, PartialEq)]
pub struct StratifiedOrder {
    by_class: Vec<Vec<usize>>,
}

impl StratifiedOrder {
    /// Groups the rows of `y` by class (rows labelled [`MISSING`] are left out) and shuffles
    /// each class in turn with `rng`.
    pub fn new(y: &[u32], rng: &mut FlowRng) -> Self {
        let mut by_class: Vec<Vec<usize>> = by_class(y).into_values().collect();
        for rows in &mut by_class {
            rng.shuffle(rows);
        }
        StratifiedOrder { by_class }
    }

    /// Like [`StratifiedOrder::new`] over the rows `rows` only (`y` indexed by row).
    pub fn of_rows(rows: &[usize], y: &[u32], rng: &mut FlowRng) -> Self {
        let sub: Vec<u32> = rows.iter().map(|&r| y[r]).collect();
        let mut order = StratifiedOrder::new(&sub, rng);
        for class in &mut order.by_class {
            for r in class.iter_mut() {
                *r = rows[*r];
            }
        }
        order
    }

    /// Rows per class, in class order.
    pub fn class_sizes(&self) -> Vec<usize> {
        self.by_class.iter().map(Vec::len).collect()
    }

    /// Splits every class at `take(class size)` rows: the first rows of each class go to the
    /// first list, the rest to the second (both sorted).
    pub fn split_each(&self, take: impl Fn(usize) -> usize) -> (Vec<usize>, Vec<usize>) {
        let (mut first, mut rest) = (Vec::new(), Vec::new());
        for rows in &self.by_class {
            let n = take(rows.len()).min(rows.len());
            first.extend_from_slice(&rows[..n]);
            rest.extend_from_slice(&rows[n..]);
        }
        first.sort_unstable();
        rest.sort_unstable();
        (first, rest)
    }

    /// About `fraction` of every class (rounded, at least one row of each class), sorted.
    /// Subsets of one order for growing fractions are nested.
    pub fn subset(&self, fraction: f64) -> Vec<usize> {
        self.split_each(|n| subset_count(n, fraction)).0
    }
}

/// Rows [`StratifiedOrder::subset`] takes from a class of `n` rows: `fraction` of them, rounded,
/// at least one.
pub fn subset_count(n: usize, fraction: f64) -> usize {
    ((n as f64 * fraction).round() as usize).clamp(n.min(1), n)
}

/// Rounded `fraction` of `n` rows, keeping at least one on the other side.
fn share_leaving_one(n: usize, fraction: f64) -> usize {
    ((n as f64 * fraction).round() as usize).min(n.saturating_sub(1))
}

/// A stratified hold-out: about `test_size` of each class goes to the test rows (at least one row
/// of every class with two or more rows).
pub fn stratified_holdout(y: &[u32], test_size: f64, seed: u64) -> Split {
    let order = StratifiedOrder::new(y, &mut FlowRng::new(seed, 0x5e1));
    let (test, train) = order.split_each(|n| {
        if n >= 2 {
            share_leaving_one(n, test_size).max(1)
        } else {
            0
        }
    });
    Split { train, test }
}

/// A validation split for early stopping: `(train, validation)`, about `fraction` of each class
/// held out (rounded; a class may have no validation row, but always keeps a training row).
pub fn stratified_validation(
    y: &[u32],
    fraction: f64,
    rng: &mut FlowRng,
) -> (Vec<usize>, Vec<usize>) {
    let (val, train) = StratifiedOrder::new(y, rng).split_each(|n| share_leaving_one(n, fraction));
    (train, val)
}
