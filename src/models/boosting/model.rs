//! The fitted boosted ensemble: regression trees whose leaf values add up to raw class scores,
//! turned into probabilities by the softmax (three or more classes) or logistic (two classes)
//! link; its checked serialisation, prediction and importance.

use serde::{Deserialize, Serialize};

use super::booster::Booster;
use super::GradientBoostingParams;
use crate::data::Matrix;
use crate::models::binning::{BinnedMatrix, MISSING_BIN};
use crate::models::cells::{by_cells, distinct_ratio, Cells, LazyCells};
use crate::models::forest::{BLOCK, WALK};
use crate::models::leaves::{LeafEnsemble, Shape};
use crate::models::num;
use crate::models::params::{Checked, Params};
use crate::models::tree::{check_binned, normalise};
use crate::models::{check_data, check_width, ModelError, Progress};

/// One node of a [`RegressionTree`]; `left == 0` marks a leaf. The right child always directly
/// follows the left one (`right == left + 1`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RegressionNode {
    /// Feature tested (splits only).
    pub feature: u32,
    /// Rows with `x[feature] <= threshold` go left (finite).
    pub threshold: f32,
    /// The same test on binned data: bin codes `1 ..= bin` go left.
    pub bin: u8,
    /// Where missing values go.
    pub missing_left: bool,
    /// Index of the left child, 0 for a leaf.
    pub left: u32,
    /// Index of the right child, 0 for a leaf.
    pub right: u32,
    /// Leaf output added to the raw score (learning rate included); 0 for splits.
    pub value: f32,
    /// Loss reduction of the split (0 at a leaf).
    pub gain: f32,
    /// Training rows that reached the node.
    pub samples: u32,
    /// Their hessian sum.
    pub hessian: f32,
}

/// A regression tree of the boosted ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegressionTree {
    /// Nodes, root first; children come after their parent.
    pub nodes: Vec<RegressionNode>,
}

impl RegressionTree {
    #[inline]
    fn value(&self, row: &[f32]) -> f32 {
        self.nodes[walk_raw!(self.nodes, row)].value
    }

    /// Leaf values of `N` rows walked down together, one level per round (as
    /// `DecisionTree::leaves_of`): the same leaves as [`RegressionTree::value`].
    #[inline]
    fn values_of<const N: usize>(&self, rows: [&[f32]; N]) -> [f32; N] {
        let mut at = [0usize; N];
        loop {
            let mut moved = false;
            for (i, row) in at.iter_mut().zip(rows) {
                let n = &self.nodes[*i];
                if n.left != 0 {
                    let v = row[n.feature as usize];
                    let nan = v.is_nan();
                    let go_left =
                        (nan & n.missing_left) | (!nan & (v.min(f32::MAX) <= n.threshold));
                    *i = if go_left { n.left } else { n.right } as usize;
                    moved = true;
                }
            }
            if !moved {
                return at.map(|i| self.nodes[i].value);
            }
        }
    }

    #[inline]
    pub(super) fn value_binned(&self, b: &BinnedMatrix, r: usize) -> f32 {
        self.nodes[walk_binned!(self.nodes, b, r)].value
    }

    fn check(&self, n_features: usize) -> bool {
        let len = self.nodes.len();
        len > 0
            && self.nodes.iter().enumerate().all(|(i, n)| {
                n.left == 0
                    || ((n.feature as usize) < n_features
                        && (n.left as usize) > i
                        && n.right as u64 == n.left as u64 + 1
                        && (n.right as usize) < len)
            })
    }
}

/// A fitted gradient-boosted tree ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BoostRepr")]
pub struct GradientBoosting {
    pub(super) trees: Vec<RegressionTree>,
    /// Initial raw scores (log prior or log odds), one per output.
    pub(super) init: Vec<f64>,
    pub(super) n_outputs: usize,
    pub(super) n_classes: usize,
    pub(super) n_features: usize,
    /// Mean training log loss after each round.
    pub train_loss: Vec<f64>,
    /// Mean validation log loss after each round (empty without early stopping).
    pub val_loss: Vec<f64>,
    /// With early stopping: the round (0-based) whose model is kept.
    pub best_round: Option<usize>,
    /// The trees' cells, for deduplicating rows (derived, not saved).
    #[serde(skip)]
    pub(super) cells: LazyCells,
}

#[derive(Deserialize)]
struct BoostRepr {
    trees: Vec<RegressionTree>,
    init: Vec<f64>,
    n_outputs: usize,
    n_classes: usize,
    n_features: usize,
    train_loss: Vec<f64>,
    val_loss: Vec<f64>,
    best_round: Option<usize>,
}

impl TryFrom<BoostRepr> for GradientBoosting {
    type Error = ModelError;

    fn try_from(r: BoostRepr) -> Result<Self, ModelError> {
        let outputs_ok = match r.n_classes {
            0 => false,
            1 => r.n_outputs == 0,
            2 => r.n_outputs == 1,
            k => r.n_outputs == k,
        };
        if !outputs_ok
            || r.init.len() != r.n_outputs
            || (r.n_outputs > 0 && !r.trees.len().is_multiple_of(r.n_outputs))
            || !r.trees.iter().all(|t| t.check(r.n_features))
        {
            return Err(ModelError::Malformed {
                model: "gradient boosting",
                what: "trees, outputs or features do not fit together",
            });
        }
        Ok(GradientBoosting {
            trees: r.trees,
            init: r.init,
            n_outputs: r.n_outputs,
            n_classes: r.n_classes,
            n_features: r.n_features,
            train_loss: r.train_loss,
            val_loss: r.val_loss,
            best_round: r.best_round,
            cells: LazyCells::default(),
        })
    }
}

impl GradientBoosting {
    /// Fits on `x` (row-major, `NaN` = missing) and labels `y`; one [`Step`](crate::models::Step) per round with the
    /// training (and validation) loss.
    pub fn fit(
        params: &GradientBoostingParams,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        let params = params.check()?;
        check_data(x, y, n_classes)?;
        let binned = BinnedMatrix::new(x, params.max_bins, params.seed)?;
        Self::fit_checked(&params, &binned, y, n_classes, progress)
    }

    /// Fits on already binned data.
    pub fn fit_binned(
        params: &GradientBoostingParams,
        binned: &BinnedMatrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        Self::fit_checked(&params.check()?, binned, y, n_classes, progress)
    }

    /// [`GradientBoosting::fit_binned`] once the parameters are checked.
    fn fit_checked(
        params: &Checked<GradientBoostingParams>,
        binned: &BinnedMatrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        check_binned(binned, y, n_classes)?;
        Booster::new(params, binned, y, n_classes).run(progress)
    }

    /// Raw scores (`rows × n_outputs`) before the softmax / logistic link. Rows in the same
    /// cell (see [`crate::models::cells`]) are walked once.
    pub fn decision_function(&self, x: &Matrix) -> Result<Vec<f64>, ModelError> {
        check_width(self.n_features, x)?;
        by_cells(self.cells(), x, self.n_outputs, |x| Ok(self.scores_walk(x)))
    }

    /// Class probabilities, `rows × n_classes` row-major. Rows in the same cell (see
    /// [`crate::models::cells`]) are predicted once.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        check_width(self.n_features, x)?;
        by_cells(self.cells(), x, self.n_classes, |x| Ok(self.proba_walk(x)))
    }

    /// Fraction of distinct cells among the rows of `x`: the share of rows
    /// [`GradientBoosting::predict_proba`] walks down the trees (when deduplication is used).
    pub fn cell_ratio(&self, x: &Matrix) -> Result<f64, ModelError> {
        check_width(self.n_features, x)?;
        Ok(distinct_ratio(self.cells(), x))
    }

    fn cells(&self) -> Option<&Cells> {
        self.cells.get(|| {
            Cells::new(self.trees.iter().flat_map(|t| {
                t.nodes
                    .iter()
                    .filter(|n| n.left != 0)
                    .map(|n| (n.feature, n.threshold))
            }))
        })
    }

    /// Every row walked down every tree (width checked).
    fn scores_walk(&self, x: &Matrix) -> Vec<f64> {
        let m = self.n_outputs;
        let mut scores = Vec::with_capacity(x.rows * m);
        for _ in 0..x.rows {
            scores.extend_from_slice(&self.init);
        }
        if m == 0 {
            return scores;
        }
        for (b, block) in scores.chunks_mut(BLOCK * m).enumerate() {
            for (t, tree) in self.trees.iter().enumerate() {
                let k = t % m;
                // Rows in groups of WALK walk the tree together; the rest one by one.
                let mut groups = block.chunks_exact_mut(WALK * m);
                let mut r = b * BLOCK;
                for g in &mut groups {
                    let rows: [&[f32]; WALK] = std::array::from_fn(|j| x.row(r + j));
                    for (s, v) in g.chunks_exact_mut(m).zip(tree.values_of(rows)) {
                        s[k] += v as f64;
                    }
                    r += WALK;
                }
                for (i, s) in groups.into_remainder().chunks_exact_mut(m).enumerate() {
                    s[k] += tree.value(x.row(r + i)) as f64;
                }
            }
        }
        scores
    }

    /// [`GradientBoosting::scores_walk`] through the link.
    fn proba_walk(&self, x: &Matrix) -> Vec<f32> {
        let scores = self.scores_walk(x);
        let k = self.n_classes;
        let mut out = vec![0f32; x.rows * k];
        let mut p = vec![0f64; k];
        for r in 0..x.rows {
            link(
                &scores[r * self.n_outputs..(r + 1) * self.n_outputs],
                &mut p,
            );
            for (o, &q) in out[r * k..(r + 1) * k].iter_mut().zip(&p) {
                *o = q as f32;
            }
        }
        out
    }

    /// Total split gain per feature, normalised to sum 1.
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.n_features];
        for t in &self.trees {
            for n in t.nodes.iter().filter(|n| n.left != 0) {
                imp[n.feature as usize] += n.gain as f64;
            }
        }
        normalise(&mut imp);
        imp
    }

    /// The trees, round by round (`n_outputs` per round: one per class, or one for two classes).
    pub fn trees(&self) -> &[RegressionTree] {
        &self.trees
    }

    /// Initial raw scores, one per output (added before the first tree).
    pub fn init_scores(&self) -> &[f64] {
        &self.init
    }

    /// Trees per round.
    pub fn n_outputs(&self) -> usize {
        self.n_outputs
    }

    /// Rounds in the model.
    pub fn n_rounds(&self) -> usize {
        self.trees.len().checked_div(self.n_outputs).unwrap_or(0)
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

/// Probabilities from raw scores: softmax (≥ 3 outputs), logistic (1 output), 1 (no output).
pub(super) fn link(scores: &[f64], p: &mut [f64]) {
    match scores.len() {
        0 => p.fill(1.0),
        1 => {
            let q = 1.0 / (1.0 + num::exp(-scores[0]));
            p[0] = 1.0 - q;
            p[1] = q;
        }
        _ => {
            // Softmax, shifted by the largest score so no `exp` overflows.
            let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut sum = 0.0;
            for (q, &s) in p.iter_mut().zip(scores) {
                *q = num::exp(s - max);
                sum += *q;
            }
            for q in p.iter_mut() {
                *q /= sum;
            }
        }
    }
}

impl LeafEnsemble for GradientBoosting {
    fn n_trees(&self) -> usize {
        self.trees.len()
    }
    fn shape(&self, t: usize) -> Vec<Shape> {
        let nodes = &self.trees[t].nodes;
        nodes.iter().map(|n| Shape::of(n.left, n.feature)).collect()
    }
    fn leaf_node(&self, t: usize, row: &[f32]) -> u32 {
        walk_raw!(self.trees[t].nodes, row) as u32
    }
    /// As [`GradientBoosting::predict_proba`]: the initial scores plus the leaf values in tree
    /// order (tree `t` adds to output `t % n_outputs`), in `f64`, through the link.
    fn proba_from_leaves(&self, leaves: &[u32], out: &mut [f32]) {
        let m = self.n_outputs;
        let mut scores = self.init.clone();
        if m > 0 {
            for (t, (tree, &node)) in self.trees.iter().zip(leaves).enumerate() {
                scores[t % m] += tree.nodes[node as usize].value as f64;
            }
        }
        let mut p = vec![0f64; self.n_classes];
        link(&scores, &mut p);
        for (o, &q) in out.iter_mut().zip(&p) {
            *o = q as f32;
        }
    }
}
