//! Random forest of binned decision trees ([`super::tree`]).
//!
//! The data are binned once per forest; each tree draws a bootstrap sample (row multiplicities)
//! and a random subset of candidate features at every node, both from `FlowRng::new(seed, i)`
//! for tree `i` only. So trees can be built in independent chunks — several workers each call
//! [`RandomForest::fit_trees`] on a range of tree indices, and [`RandomForest::from_trees`]
//! merges the parts into exactly the model one worker builds with [`RandomForest::fit`].
//! Probabilities are the mean of the trees' leaf probabilities. With `oob_score`, every row is
//! predicted by the trees that did not sample it (`oob_accuracy`).
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::forest::{RandomForest, RandomForestParams};
//! use flowlab::models::{no_progress, Classifier};
//! // Two features; class 1 when both are large.
//! let mut data = Vec::new();
//! let mut y = Vec::new();
//! for i in 0..40 {
//!     let (a, b) = ((i % 8) as f32, (i / 8) as f32);
//!     data.extend([a, b]);
//!     y.push(u32::from(a > 3.0 && b > 1.0));
//! }
//! let x = Matrix { rows: 40, cols: 2, data };
//! let params = RandomForestParams { n_trees: 20, oob_score: true, ..Default::default() };
//! let forest = RandomForest::fit(&params, &x, &y, 2, &mut no_progress()).unwrap();
//! assert_eq!(forest.predict(&x).unwrap(), y);
//! assert!(forest.oob_accuracy.unwrap() > 0.8);
//! let importance = forest.feature_importance();
//! assert!((importance.iter().sum::<f64>() - 1.0).abs() < 1e-9);
//! ```

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::binning::BinnedMatrix;
use super::cells::{by_cells, distinct_ratio, Cells, LazyCells};
use super::coded::{CellCache, Coded};
use super::leaves::{LeafEnsemble, Shape};
use super::params::{int, log, Param, Params, Search, BOOL};
use super::tree::{
    check_binned, grow, normalise, rows, ClassWeight, Criterion, DecisionTree, DecisionTreeParams,
    GrowSpec, MaxFeatures, Workspace,
};
use super::{argmax_rows, check_data, check_width, ModelError, Progress, Step};
use crate::data::rng::FlowRng;
use crate::data::Matrix;

/// Rows predicted together (they stay in cache while every tree walks them).
pub(crate) const BLOCK: usize = 256;
/// Rows walking a tree together ([`DecisionTree::leaves_of`]).
pub(crate) const WALK: usize = 8;

/// Hyper-parameters of a [`RandomForest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForestParams {
    /// Number of trees (`>= 1`).
    pub n_trees: usize,
    /// Grow each tree on a bootstrap sample (else on every row).
    pub bootstrap: bool,
    /// Candidate features per node.
    pub max_features: MaxFeatures,
    /// Impurity measure.
    pub criterion: Criterion,
    /// Deepest level; `None` grows until leaves are pure or too small.
    pub max_depth: Option<usize>,
    /// A node needs at least this many samples to be split (`>= 2`).
    pub min_samples_split: usize,
    /// Each child keeps at least this many samples (`>= 1`).
    pub min_samples_leaf: usize,
    /// Per-class weights. `Balanced` by default: chosen by the by-capture score (group 5-fold
    /// over 14 IoT-23 and Stratosphere recording periods, five samples, `bash
    /// bench/capture_seeds.sh`), where it lifts macro-F1 from 0.277 to 0.309 (above the peer's
    /// 0.283 on every sample) by trading Benign F1 (0.57 → 0.26) for C&C (0.38 → 0.81).
    pub class_weight: ClassWeight,
    /// Value bins per feature (`2 ..= 255`).
    pub max_bins: usize,
    /// Estimate accuracy on out-of-bag rows (needs `bootstrap`).
    pub oob_score: bool,
    /// Seed; tree `i` depends on `(seed, i)` only.
    pub seed: u64,
}

impl Default for RandomForestParams {
    fn default() -> Self {
        RandomForestParams {
            n_trees: 100,
            bootstrap: true,
            max_features: MaxFeatures::Sqrt,
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            class_weight: ClassWeight::Balanced,
            max_bins: 255,
            oob_score: false,
            seed: 0,
        }
    }
}

impl Params for RandomForestParams {
    const TABLE: &'static [Param] = &[
        Param {
            name: "n_trees",
            range: int(1),
            help: "trees in the forest",
            search: log(10.0, 200.0),
        },
        Param {
            name: "bootstrap",
            range: BOOL,
            help: "grow each tree on a bootstrap sample of the rows (else on every row)",
            search: Search::OneOf(&["true", "false"]),
        },
        rows::MAX_FEATURES,
        rows::CRITERION,
        rows::MAX_DEPTH,
        rows::MIN_SAMPLES_SPLIT,
        rows::MIN_SAMPLES_LEAF,
        rows::CLASS_WEIGHT,
        rows::MAX_BINS,
        Param {
            name: "oob_score",
            range: BOOL,
            help: "score each tree on the rows it did not see (needs bootstrap)",
            search: Search::Fixed,
        },
        rows::SEED_ROW,
    ];

    /// One tree per `n_trees`.
    fn work(&self) -> f64 {
        self.n_trees as f64
    }

    fn check_together(&self) -> Result<(), ModelError> {
        if self.oob_score && !self.bootstrap {
            return Err(ModelError::InvalidParam {
                name: "oob_score",
                value: "true".into(),
                expected: "false when bootstrap is false (no row is out of bag)".into(),
            });
        }
        Ok(())
    }
}

impl RandomForestParams {
    /// The parameters of each tree.
    pub fn tree_params(&self) -> DecisionTreeParams {
        DecisionTreeParams {
            criterion: self.criterion,
            max_depth: self.max_depth,
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            max_features: self.max_features,
            class_weight: self.class_weight,
            max_bins: self.max_bins,
            seed: self.seed,
        }
    }
}

/// A fitted random forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ForestRepr")]
pub struct RandomForest {
    trees: Vec<DecisionTree>,
    n_classes: usize,
    n_features: usize,
    /// Out-of-bag accuracy, when fitted with `oob_score`.
    pub oob_accuracy: Option<f64>,
    /// The trees' cells, for deduplicating rows (derived, not saved).
    #[serde(skip)]
    cells: LazyCells,
    /// The trees laid out for the coded walk (derived, not saved).
    #[serde(skip)]
    coded: LazyCells<Coded>,
}

#[derive(Deserialize)]
struct ForestRepr {
    trees: Vec<DecisionTree>,
    n_classes: usize,
    n_features: usize,
    oob_accuracy: Option<f64>,
}

impl TryFrom<ForestRepr> for RandomForest {
    type Error = ModelError;

    fn try_from(r: ForestRepr) -> Result<Self, ModelError> {
        if r.trees.is_empty()
            || r.trees
                .iter()
                .any(|t| t.n_classes() != r.n_classes || t.n_features() != r.n_features)
        {
            return Err(ModelError::Malformed {
                model: "random forest",
                what: "no trees, or trees of another shape",
            });
        }
        Ok(RandomForest {
            trees: r.trees,
            n_classes: r.n_classes,
            n_features: r.n_features,
            oob_accuracy: r.oob_accuracy,
            cells: LazyCells::default(),
            coded: LazyCells::default(),
        })
    }
}

/// Grows the trees `part` (in that order): on rayon's threads natively, here on wasm.
fn grow_part<F>(part: &[usize], grow_one: &F, work: &mut Workspace) -> Vec<DecisionTree>
where
    F: Fn(usize, &mut Workspace) -> DecisionTree + Sync,
{
    #[cfg(not(target_arch = "wasm32"))]
    if part.len() > 1 {
        use rayon::prelude::*;
        return part
            .par_iter()
            .map_init(Workspace::default, |w, &i| grow_one(i, w))
            .collect();
    }
    part.iter().map(|&i| grow_one(i, work)).collect()
}

/// Bootstrap multiplicities of tree `i` (drawn first from its generator).
fn bootstrap_counts(rng: &mut FlowRng, n: usize) -> Vec<u32> {
    let mut counts = vec![0u32; n];
    for _ in 0..n {
        counts[rng.below(n as u64) as usize] += 1;
    }
    counts
}

impl RandomForest {
    /// Fits `n_trees` trees on `x` (row-major, `NaN` = missing) and labels `y`; one [`Step`] per
    /// tree.
    pub fn fit(
        params: &RandomForestParams,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        params.validate()?;
        check_data(x, y, n_classes)?;
        let binned = Self::bin(params, x)?;
        let trees = Self::fit_trees(params, &binned, y, n_classes, 0..params.n_trees, progress)?;
        Self::from_trees(params, &binned, y, n_classes, trees)
    }

    /// Bins `x` as every part of a forest must (the same for the same `x` and params).
    pub fn bin(params: &RandomForestParams, x: &Matrix) -> Result<BinnedMatrix, ModelError> {
        params.validate()?;
        BinnedMatrix::new(x, params.max_bins, params.seed)
    }

    /// Grows trees `range` of the forest (tree `i` from `(seed, i)` only); one [`Step`] per tree
    /// (`done` counts within the range).
    pub fn fit_trees(
        params: &RandomForestParams,
        binned: &BinnedMatrix,
        y: &[u32],
        n_classes: usize,
        range: Range<usize>,
        progress: Progress,
    ) -> Result<Vec<DecisionTree>, ModelError> {
        params.validate()?;
        check_binned(binned, y, n_classes)?;
        if range.end > params.n_trees || range.start > range.end {
            return Err(ModelError::InvalidParam {
                name: "range",
                value: format!("{range:?}"),
                expected: "a range of tree indices within 0..n_trees".into(),
            });
        }
        let tp = params.tree_params().check()?;
        if let MaxFeatures::Count(c) = params.max_features {
            if c > binned.cols {
                return Err(ModelError::InvalidParam {
                    name: "max_features",
                    value: format!("Count({c})"),
                    expected: "a count of at most the number of features".into(),
                });
            }
        }
        let cw = params.class_weight.weights(y, n_classes);
        let spec = GrowSpec::new(&tp, binned, n_classes, &cw);
        // Tree `i` depends on `(seed, i)` only, so trees grow in any order, on any thread.
        let grow_one = |i: usize, work: &mut Workspace| {
            let mut rng = FlowRng::new(params.seed, i as u64);
            let counts = params
                .bootstrap
                .then(|| bootstrap_counts(&mut rng, binned.rows));
            grow(&spec, y, counts.as_deref(), &mut rng, work)
        };
        let mut trees = Vec::with_capacity(range.len());
        let total = range.len();
        let indices: Vec<usize> = range.collect();
        // Natively, as many trees at a time as rayon has threads; in the page, one (the page
        // runs several workers instead).
        #[cfg(not(target_arch = "wasm32"))]
        let at_once = rayon::current_num_threads().max(1);
        #[cfg(target_arch = "wasm32")]
        let at_once = 1;
        let mut work = Workspace::default();
        for part in indices.chunks(at_once) {
            let grown = grow_part(part, &grow_one, &mut work);
            for tree in grown {
                trees.push(tree);
                if !progress(Step {
                    done: trees.len(),
                    total,
                    loss: None,
                    val_loss: None,
                }) {
                    return Err(ModelError::Cancelled);
                }
            }
        }
        Ok(trees)
    }

    /// Assembles a forest from all its trees, in tree order (the concatenated outputs of
    /// [`RandomForest::fit_trees`] over ranges covering `0..n_trees`); computes the out-of-bag
    /// accuracy when asked for, which needs the same binned data and labels.
    pub fn from_trees(
        params: &RandomForestParams,
        binned: &BinnedMatrix,
        y: &[u32],
        n_classes: usize,
        trees: Vec<DecisionTree>,
    ) -> Result<Self, ModelError> {
        params.validate()?;
        check_binned(binned, y, n_classes)?;
        if trees.len() != params.n_trees {
            return Err(ModelError::InvalidParam {
                name: "n_trees",
                value: params.n_trees.to_string(),
                expected: "the number of trees given to from_trees".into(),
            });
        }
        if let Some(t) = trees
            .iter()
            .find(|t| t.n_features() != binned.cols || t.n_classes() != n_classes)
        {
            return Err(ModelError::Width {
                expected: binned.cols,
                got: t.n_features(),
            });
        }
        let oob_accuracy = params
            .oob_score
            .then(|| oob_accuracy(params, binned, y, n_classes, &trees))
            .flatten();
        Ok(RandomForest {
            trees,
            n_classes,
            n_features: binned.cols,
            oob_accuracy,
            cells: LazyCells::default(),
            coded: LazyCells::default(),
        })
    }

    /// Class probabilities (mean over trees), `rows × n_classes` row-major: by the coded walk
    /// ([`super::coded`]) when the forest fits it, else by walking the floats; rows in the same
    /// cell (see [`super::cells`]) are predicted once. Both give the same bits as
    /// [`RandomForest::predict_proba_walked`].
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        let Some(first) = self.trees.first() else {
            return Err(ModelError::Empty);
        };
        first.check_width(x)?;
        if let Some(coded) = self.coded() {
            return Ok(coded.predict(x, None));
        }
        by_cells(self.cells(), x, self.n_classes, |x| Ok(self.proba_walk(x)))
    }

    /// [`RandomForest::predict_proba`], with the cells walked by earlier calls taken from
    /// `cache` and this call's added to it (the same bits: a cell's rows reach the same leaves).
    /// One cache per forest.
    pub fn predict_proba_cached(
        &self,
        x: &Matrix,
        cache: &CellCache,
    ) -> Result<Vec<f32>, ModelError> {
        let Some(first) = self.trees.first() else {
            return Err(ModelError::Empty);
        };
        first.check_width(x)?;
        match self.coded() {
            Some(coded) => Ok(coded.predict(x, Some(cache))),
            None => self.predict_proba(x),
        }
    }

    fn coded(&self) -> Option<&Coded> {
        self.coded.get(|| Coded::new(&self.trees, self.n_classes))
    }

    /// The reference for [`RandomForest::predict_proba`]: every row walked down every tree on
    /// its floats, no deduplication, no coded walk (tests and benchmarks compare the two).
    pub fn predict_proba_walked(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        let Some(first) = self.trees.first() else {
            return Err(ModelError::Empty);
        };
        first.check_width(x)?;
        Ok(self.proba_walk(x))
    }

    /// Fraction of distinct cells among the rows of `x`: the share of rows
    /// [`RandomForest::predict_proba`] walks down the trees (when deduplication is used).
    pub fn cell_ratio(&self, x: &Matrix) -> Result<f64, ModelError> {
        check_width(self.n_features, x)?;
        Ok(distinct_ratio(self.cells(), x))
    }

    fn cells(&self) -> Option<&Cells> {
        self.cells
            .get(|| Cells::new(self.trees.iter().flat_map(|t| t.splits())))
    }

    /// Every row walked down every tree (width checked).
    fn proba_walk(&self, x: &Matrix) -> Vec<f32> {
        let k = self.n_classes;
        let mut out = vec![0f32; x.rows * k];
        // Blocks of rows stay in cache while every tree walks them.
        for (b, block) in out.chunks_mut(BLOCK * k).enumerate() {
            for t in &self.trees {
                // Rows in groups of WALK walk the tree together; the rest one by one.
                let mut groups = block.chunks_exact_mut(WALK * k);
                let mut r = b * BLOCK;
                for o in &mut groups {
                    let rows: [&[f32]; WALK] = std::array::from_fn(|j| x.row(r + j));
                    for (o, leaf) in o.chunks_exact_mut(k).zip(t.leaves_of(rows)) {
                        for (a, &p) in o.iter_mut().zip(t.leaf_proba(leaf)) {
                            *a += p;
                        }
                    }
                    r += WALK;
                }
                for (i, o) in groups.into_remainder().chunks_exact_mut(k).enumerate() {
                    let leaf = t.leaf_proba(t.leaf_of(x.row(r + i)));
                    for (a, &p) in o.iter_mut().zip(leaf) {
                        *a += p;
                    }
                }
            }
        }
        let inv = 1.0 / self.trees.len() as f32;
        for v in &mut out {
            *v *= inv;
        }
        out
    }

    /// Mean of the trees' normalised impurity decreases, normalised to sum 1.
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.n_features];
        for t in &self.trees {
            for (a, b) in imp.iter_mut().zip(t.feature_importance()) {
                *a += b;
            }
        }
        normalise(&mut imp);
        imp
    }

    /// The trees.
    pub fn trees(&self) -> &[DecisionTree] {
        &self.trees
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }
}

fn oob_accuracy(
    params: &RandomForestParams,
    binned: &BinnedMatrix,
    y: &[u32],
    k: usize,
    trees: &[DecisionTree],
) -> Option<f64> {
    let n = binned.rows;
    let mut votes = vec![0f32; n * k];
    let mut seen = vec![false; n];
    for (i, t) in trees.iter().enumerate() {
        let counts = bootstrap_counts(&mut FlowRng::new(params.seed, i as u64), n);
        for r in (0..n).filter(|&r| counts[r] == 0) {
            seen[r] = true;
            let p = t.leaf_proba(t.leaf_of_binned(binned, r));
            for (v, &q) in votes[r * k..(r + 1) * k].iter_mut().zip(p) {
                *v += q;
            }
        }
    }
    let pred = argmax_rows(&votes, k);
    let (mut right, mut total) = (0usize, 0usize);
    for r in (0..n).filter(|&r| seen[r]) {
        total += 1;
        right += usize::from(pred[r] == y[r]);
    }
    (total > 0).then(|| right as f64 / total as f64)
}

impl LeafEnsemble for RandomForest {
    fn n_trees(&self) -> usize {
        self.trees.len()
    }
    fn shape(&self, t: usize) -> Vec<Shape> {
        let nodes = self.trees[t].nodes();
        nodes.iter().map(|n| Shape::of(n.left, n.feature)).collect()
    }
    fn leaf_node(&self, t: usize, row: &[f32]) -> u32 {
        self.trees[t].leaf_node(row) as u32
    }
    /// As [`RandomForest::predict_proba`]: the leaves' probabilities summed in tree order, then
    /// scaled by `1 / n_trees`.
    fn proba_from_leaves(&self, leaves: &[u32], out: &mut [f32]) {
        out.fill(0.0);
        for (t, &node) in self.trees.iter().zip(leaves) {
            let leaf = t.leaf_proba(t.nodes()[node as usize].leaf as usize);
            for (a, &p) in out.iter_mut().zip(leaf) {
                *a += p;
            }
        }
        let inv = 1.0 / self.trees.len() as f32;
        for v in out {
            *v *= inv;
        }
    }
}
