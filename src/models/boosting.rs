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

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::binning::{BinnedMatrix, MISSING_BIN};
use super::forest::BLOCK;
use super::leaves::{LeafEnsemble, Shape};
use super::num;
use super::params::{at_least, int, left_open, open, optional_int, Checked, Param, Params, SEED};
use super::tree::{normalise, rows};
use super::{check_data, check_width, ModelError, Progress, Step};
use crate::data::rng::FlowRng;
use crate::data::sampling::stratified_validation;
use crate::data::Matrix;

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
    /// Seed of the row/feature samples and the validation split.
    pub seed: u64,
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
        },
        Param {
            name: "learning_rate",
            range: left_open(0.0, 1.0),
            help: "shrinkage of every tree",
        },
        Param {
            name: "max_depth",
            range: optional_int(1),
            help: "deepest level of a tree; null = limited by max_leaves only",
        },
        Param {
            name: "max_leaves",
            range: int(2),
            help: "most leaves per tree, grown best-first",
        },
        Param {
            name: "min_samples_leaf",
            range: int(1),
            help: "fewest rows in a leaf",
        },
        Param {
            name: "min_child_weight",
            range: at_least(0.0),
            help: "smallest hessian sum in a leaf",
        },
        Param {
            name: "l2",
            range: at_least(0.0),
            help: "L2 penalty on leaf values",
        },
        Param {
            name: "subsample",
            range: left_open(0.0, 1.0),
            help: "share of rows sampled per round",
        },
        Param {
            name: "colsample",
            range: left_open(0.0, 1.0),
            help: "share of features sampled per tree",
        },
        Param {
            name: "early_stopping_rounds",
            range: optional_int(1),
            help: "stop after this many rounds without a better validation loss; null = off",
        },
        Param {
            name: "validation_fraction",
            range: open(0.0, 1.0),
            help: "share of training rows held out (stratified) for early stopping",
        },
        rows::MAX_BINS,
        Param {
            name: "seed",
            range: SEED,
            help: "seed of the row and feature samples and the validation split",
        },
    ];
}

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

    #[inline]
    fn value_binned(&self, b: &BinnedMatrix, r: usize) -> f32 {
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
    trees: Vec<RegressionTree>,
    init: Vec<f64>,
    n_outputs: usize,
    n_classes: usize,
    n_features: usize,
    /// Mean training log loss after each round.
    pub train_loss: Vec<f64>,
    /// Mean validation log loss after each round (empty without early stopping).
    pub val_loss: Vec<f64>,
    /// With early stopping: the round (0-based) whose model is kept.
    pub best_round: Option<usize>,
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
    type Error = String;

    fn try_from(r: BoostRepr) -> Result<Self, String> {
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
            return Err("gradient boosting: malformed model".into());
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
        })
    }
}

impl GradientBoosting {
    /// Fits on `x` (row-major, `NaN` = missing) and labels `y`; one [`Step`] per round with the
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
        super::tree::check_binned(binned, y, n_classes)?;
        Booster::new(params, binned, y, n_classes).run(progress)
    }

    /// Raw scores (`rows × n_outputs`) before the softmax / logistic link.
    pub fn decision_function(&self, x: &Matrix) -> Result<Vec<f64>, ModelError> {
        check_width(self.n_features, x)?;
        let m = self.n_outputs;
        let mut scores = Vec::with_capacity(x.rows * m);
        for _ in 0..x.rows {
            scores.extend_from_slice(&self.init);
        }
        if m == 0 {
            return Ok(scores);
        }
        for (b, block) in scores.chunks_mut(BLOCK * m).enumerate() {
            for (t, tree) in self.trees.iter().enumerate() {
                let k = t % m;
                for (i, s) in block.chunks_exact_mut(m).enumerate() {
                    s[k] += tree.value(x.row(b * BLOCK + i)) as f64;
                }
            }
        }
        Ok(scores)
    }

    /// Class probabilities, `rows × n_classes` row-major.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        let scores = self.decision_function(x)?;
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
        Ok(out)
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
fn link(scores: &[f64], p: &mut [f64]) {
    match scores.len() {
        0 => p.fill(1.0),
        1 => {
            let q = 1.0 / (1.0 + num::exp(-scores[0]));
            p[0] = 1.0 - q;
            p[1] = q;
        }
        _ => {
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

// ---------------------------------------------------------------------------------------------
// Training.

/// Gradient/hessian sums and row count of a histogram bin (or a node).
#[derive(Clone, Copy, Default, Debug)]
struct Gh {
    g: f64,
    h: f64,
    n: u32,
}

impl Gh {
    #[inline]
    fn add(&mut self, o: &Gh) {
        self.g += o.g;
        self.h += o.h;
        self.n += o.n;
    }

    #[inline]
    fn sub(&self, o: &Gh) -> Gh {
        Gh {
            g: self.g - o.g,
            h: self.h - o.h,
            n: self.n - o.n,
        }
    }
}

/// A unit in the node partition: its representative row (for codes), the unit, how many of its
/// rows the round sampled, and their summed gradient and hessian for the current tree.
#[derive(Clone, Copy, Default)]
struct Item {
    row: u32,
    unit: u32,
    w: u32,
    g: f32,
    h: f32,
}

#[derive(Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: u8,
    missing_left: bool,
    left: Gh,
}

struct Leaf {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    sum: Gh,
    hist: Option<Vec<Gh>>,
    best: Option<Split>,
}

struct Booster<'a> {
    p: &'a GradientBoostingParams,
    b: &'a BinnedMatrix,
    k: usize,
    m: usize,
    offsets: Vec<usize>,
    nbins: Vec<usize>,
    /// Training rows (original indices), for row subsampling.
    train: Vec<u32>,
    /// Unit of each training row (same order as `train`).
    train_unit: Vec<u32>,
    /// Units: rows with identical codes and label, training units first (`0..n_train_units`),
    /// then validation units. Rows of a unit always share their scores, so gradients, scores
    /// and histograms are computed once per unit, weighted by its row count.
    unit_row: Vec<u32>,
    unit_label: Vec<u32>,
    unit_count: Vec<u32>,
    n_train_units: usize,
    n_val_rows: usize,
    // Per-tree work buffers.
    items: Vec<Item>,
    tmp: Vec<Item>,
    pool: Vec<Vec<Gh>>,
    feats: Vec<usize>,
    /// Rows of each training unit sampled this round.
    sampled: Vec<u32>,
    /// Row-wise sparse codes: for row `r`, `csr_idx[csr_ptr[r]..csr_ptr[r + 1]]` are the
    /// histogram slots (feature offset + code) of its features whose code is not the column's
    /// most frequent one; the most frequent code's sums are recovered from the node total.
    csr_ptr: Vec<usize>,
    csr_idx: Vec<u32>,
}

impl<'a> Booster<'a> {
    fn new(
        p: &'a Checked<GradientBoostingParams>,
        b: &'a BinnedMatrix,
        y: &'a [u32],
        k: usize,
    ) -> Self {
        let nbins = b.n_bins();
        let mut offsets = Vec::with_capacity(nbins.len() + 1);
        let mut o = 0;
        for &n in &nbins {
            offsets.push(o);
            o += n;
        }
        offsets.push(o);
        let m = match k {
            1 => 0,
            2 => 1,
            k => k,
        };
        let (train, val) = if p.early_stopping_rounds.is_some() {
            let mut rng = FlowRng::new(p.seed, STREAM_VALIDATION);
            let (train, val) = stratified_validation(y, p.validation_fraction, &mut rng);
            let to_u32 = |v: Vec<usize>| v.into_iter().map(|r| r as u32).collect::<Vec<u32>>();
            (to_u32(train), to_u32(val))
        } else {
            ((0..y.len() as u32).collect(), Vec::new())
        };
        // Units: (group of identical rows, label), numbered by first appearance, training first.
        let groups = b.row_groups();
        let mut unit_of: HashMap<(u32, u32), u32> = HashMap::new();
        let (mut unit_row, mut unit_label, mut unit_count) = (Vec::new(), Vec::new(), Vec::new());
        let mut train_unit = Vec::with_capacity(train.len());
        let mut n_train_units = 0;
        for (rows, is_train) in [(&train, true), (&val, false)] {
            for &r in rows.iter() {
                let key = (groups.group[r as usize], y[r as usize]);
                let u = *unit_of.entry(key).or_insert_with(|| {
                    unit_row.push(r);
                    unit_label.push(y[r as usize]);
                    unit_count.push(0);
                    unit_row.len() as u32 - 1
                });
                unit_count[u as usize] += 1;
                if is_train {
                    train_unit.push(u);
                }
            }
            if is_train {
                n_train_units = unit_row.len();
            }
        }
        // Sparse codes of the representative rows.
        let mut csr_ptr = vec![0usize; b.rows + 1];
        let mut csr_idx = Vec::new();
        let mut is_rep = vec![false; b.rows];
        for &r in &unit_row {
            is_rep[r as usize] = true;
        }
        for r in 0..b.rows {
            if is_rep[r] {
                for (f, (&mf, &off)) in b.most_frequent.iter().zip(&offsets).enumerate() {
                    let code = b.get(r, f);
                    if code != mf {
                        csr_idx.push((off + code as usize) as u32);
                    }
                }
            }
            csr_ptr[r + 1] = csr_idx.len();
        }
        Booster {
            p,
            b,
            k,
            m,
            offsets,
            nbins,
            train,
            train_unit,
            unit_row,
            unit_label,
            unit_count,
            n_train_units,
            n_val_rows: val.len(),
            items: Vec::new(),
            tmp: Vec::new(),
            pool: Vec::new(),
            feats: Vec::new(),
            sampled: Vec::new(),
            csr_ptr,
            csr_idx,
        }
    }

    fn run(mut self, progress: Progress) -> Result<GradientBoosting, ModelError> {
        let (m, k) = (self.m, self.k);
        let p = self.p;
        let n_units = self.unit_row.len();
        let nt = self.n_train_units;
        let n_train = self.train.len() as f64;
        // Initial scores: log prior (softmax) or log odds (logistic).
        let mut counts = vec![0usize; k];
        for u in 0..nt {
            counts[self.unit_label[u] as usize] += self.unit_count[u] as usize;
        }
        let prior = |c: usize| (counts[c] as f64 / n_train).clamp(1e-12, 1.0 - 1e-12);
        let init: Vec<f64> = match m {
            0 => Vec::new(),
            1 => vec![num::ln(prior(1) / prior(0))],
            _ => (0..k).map(|c| num::ln(prior(c))).collect(),
        };
        let mut scores: Vec<f64> = Vec::with_capacity(n_units * m);
        for _ in 0..n_units {
            scores.extend_from_slice(&init);
        }
        let mut model = GradientBoosting {
            trees: Vec::new(),
            init,
            n_outputs: m,
            n_classes: k,
            n_features: self.b.cols,
            train_loss: Vec::new(),
            val_loss: Vec::new(),
            best_round: None,
        };
        // Per-row gradient and hessian of each training unit, output-major.
        let mut grad = vec![0f32; m * nt];
        let mut hess = vec![0f32; m * nt];
        let mut prob = vec![0f64; k.max(2)];
        let mut best_val = f64::INFINITY;
        let mut best_round = 0;
        for round in 0..=p.n_rounds {
            // Gradients of the current scores, and the training loss of the previous round.
            let mut loss = 0.0;
            for u in 0..nt {
                let yu = self.unit_label[u] as usize;
                link(&scores[u * m..(u + 1) * m], &mut prob[..k]);
                loss -= self.unit_count[u] as f64 * num::ln(prob[yu].max(1e-15));
                if m == 1 {
                    let q = prob[1];
                    grad[u] = (q - f64::from(u8::from(yu == 1))) as f32;
                    hess[u] = (q * (1.0 - q)).max(1e-16) as f32;
                } else {
                    for c in 0..m {
                        let q = prob[c];
                        grad[c * nt + u] = (q - f64::from(u8::from(yu == c))) as f32;
                        hess[c * nt + u] = (q * (1.0 - q)).max(1e-16) as f32;
                    }
                }
            }
            if round > 0 {
                model.train_loss.push(loss / n_train);
                let val_loss = (self.n_val_rows > 0).then(|| {
                    let mut l = 0.0;
                    for u in nt..n_units {
                        link(&scores[u * m..(u + 1) * m], &mut prob[..k]);
                        let p_true = prob[self.unit_label[u] as usize].max(1e-15);
                        l -= self.unit_count[u] as f64 * num::ln(p_true);
                    }
                    l / self.n_val_rows as f64
                });
                if let Some(v) = val_loss {
                    model.val_loss.push(v);
                    if v < best_val - 1e-12 {
                        best_val = v;
                        best_round = round - 1;
                    }
                }
                let step = Step {
                    done: round,
                    total: p.n_rounds,
                    loss: model.train_loss.last().copied(),
                    val_loss,
                };
                if !progress(step) {
                    return Err(ModelError::Cancelled);
                }
                let stop = p
                    .early_stopping_rounds
                    .is_some_and(|pat| val_loss.is_some() && round - 1 - best_round >= pat);
                if stop || round == p.n_rounds {
                    break;
                }
            }
            if m == 0 {
                continue;
            }
            self.sample_rows(round);
            for c in 0..m {
                let tree_id = (round * m + c) as u64;
                self.choose_features(tree_id);
                let (g, h) = (&grad[c * nt..(c + 1) * nt], &hess[c * nt..(c + 1) * nt]);
                let tree = self.grow(g, h, &mut scores, c);
                // Units outside the sample (and validation units) follow the tree on binned data.
                for u in 0..n_units {
                    if u >= nt || self.sampled[u] == 0 {
                        let r = self.unit_row[u] as usize;
                        scores[u * m + c] += tree.value_binned(self.b, r) as f64;
                    }
                }
                model.trees.push(tree);
            }
        }
        if p.early_stopping_rounds.is_some() && self.n_val_rows > 0 && m > 0 {
            model.best_round = Some(best_round);
            model.trees.truncate((best_round + 1) * m);
        }
        Ok(model)
    }

    /// Samples the round's training rows and counts them per unit (`sampled`).
    fn sample_rows(&mut self, round: usize) {
        self.sampled.clear();
        self.sampled.resize(self.n_train_units, 0);
        if self.p.subsample < 1.0 {
            let n = self.train.len();
            let want = ((self.p.subsample * n as f64).round() as usize).clamp(1, n);
            let mut idx: Vec<u32> = (0..n as u32).collect();
            let mut rng = FlowRng::new(self.p.seed, STREAM_SUBSAMPLE + round as u64);
            for i in 0..want {
                let j = i + rng.below((n - i) as u64) as usize;
                idx.swap(i, j);
            }
            for &i in &idx[..want] {
                self.sampled[self.train_unit[i as usize] as usize] += 1;
            }
        } else {
            self.sampled
                .copy_from_slice(&self.unit_count[..self.n_train_units]);
        }
    }

    fn choose_features(&mut self, tree_id: u64) {
        let d = self.b.cols;
        self.feats.clear();
        self.feats.extend(0..d);
        if self.p.colsample < 1.0 {
            let want = ((self.p.colsample * d as f64).round() as usize).clamp(1, d);
            let mut rng = FlowRng::new(self.p.seed, STREAM_COLSAMPLE + tree_id);
            for i in 0..want {
                let j = i + rng.below((d - i) as u64) as usize;
                self.feats.swap(i, j);
            }
            self.feats.truncate(want);
            self.feats.sort_unstable();
        }
        // Constant features never split.
        let nbins = &self.nbins;
        self.feats.retain(|&f| nbins[f] > 2);
    }

    fn take_hist(&mut self) -> Vec<Gh> {
        let mut h = self.pool.pop().unwrap_or_default();
        h.clear();
        h.resize(self.offsets[self.b.cols], Gh::default());
        h
    }

    /// Gradient/hessian histograms over items `start..end` (whose sums are `sum`), row-wise over
    /// the sparse codes; only the sampled features' dominant bins are recovered.
    fn build_hist(&self, start: usize, end: usize, sum: &Gh, hist: &mut [Gh]) {
        for it in &self.items[start..end] {
            let r = it.row as usize;
            let (g, h) = (it.g as f64, it.h as f64);
            for &slot in &self.csr_idx[self.csr_ptr[r]..self.csr_ptr[r + 1]] {
                let e = &mut hist[slot as usize];
                e.g += g;
                e.h += h;
                e.n += it.w;
            }
        }
        for &f in &self.feats {
            let h = &mut hist[self.offsets[f]..self.offsets[f + 1]];
            let mut others = Gh::default();
            for e in h.iter() {
                others.add(e);
            }
            h[self.b.most_frequent[f] as usize] = sum.sub(&others);
        }
    }

    #[inline]
    fn score(&self, s: &Gh) -> f64 {
        let d = s.h + self.p.l2;
        if d > 0.0 {
            s.g * s.g / d
        } else {
            0.0
        }
    }

    fn can_split(&self, leaf_n: u32, depth: usize) -> bool {
        leaf_n as usize >= 2 * self.p.min_samples_leaf
            && self.p.max_depth.is_none_or(|md| depth < md)
    }

    fn find_split(&self, hist: &[Gh], sum: &Gh) -> Option<Split> {
        let p = self.p;
        let min_n = p.min_samples_leaf as u32;
        let mcw = p.min_child_weight;
        let parent = self.score(sum);
        let mut best: Option<Split> = None;
        for &f in &self.feats {
            let h = &hist[self.offsets[f]..self.offsets[f + 1]];
            let miss = h[0];
            let n_nm = sum.n - miss.n;
            let mut left = Gh::default();
            for (b, e) in h.iter().enumerate().skip(1) {
                if e.n == 0 {
                    continue;
                }
                left.add(e);
                for missing_left in [false, true] {
                    if missing_left && miss.n == 0 {
                        break;
                    }
                    let mut l = left;
                    if missing_left {
                        l.add(&miss);
                    }
                    let r = sum.sub(&l);
                    if l.n < min_n || r.n < min_n || l.h < mcw || r.h < mcw {
                        continue;
                    }
                    let gain = self.score(&l) + self.score(&r) - parent;
                    if gain > 1e-12 && best.is_none_or(|s| gain > s.gain) {
                        best = Some(Split {
                            gain,
                            feature: f,
                            bin: b as u8,
                            missing_left,
                            left: l,
                        });
                    }
                }
                if left.n == n_nm {
                    break;
                }
            }
        }
        best
    }

    /// Grows one tree on the sampled units with per-row gradients `g`, hessians `h`; adds its leaf
    /// values to output `c` of the sampled units' scores.
    fn grow(&mut self, g: &[f32], h: &[f32], scores: &mut [f64], c: usize) -> RegressionTree {
        let p = self.p;
        self.items.clear();
        for (u, &w) in self.sampled.iter().enumerate() {
            if w > 0 {
                self.items.push(Item {
                    row: self.unit_row[u],
                    unit: u as u32,
                    w,
                    g: (g[u] as f64 * w as f64) as f32,
                    h: (h[u] as f64 * w as f64) as f32,
                });
            }
        }
        self.tmp.resize(self.items.len(), Item::default());
        let mut sum = Gh::default();
        for it in &self.items {
            sum.g += it.g as f64;
            sum.h += it.h as f64;
            sum.n += it.w;
        }
        let mut nodes = vec![node_of(&sum)];
        let mut leaves: Vec<Leaf> = Vec::new();
        let mut root = Leaf {
            node: 0,
            start: 0,
            end: self.items.len(),
            depth: 0,
            sum,
            hist: None,
            best: None,
        };
        if self.can_split(sum.n, 0) && !self.feats.is_empty() {
            let mut hist = self.take_hist();
            self.build_hist(0, self.items.len(), &sum, &mut hist);
            root.best = self.find_split(&hist, &sum);
            root.hist = Some(hist);
        }
        leaves.push(root);
        let mut n_leaves = 1;
        while n_leaves < p.max_leaves {
            // Best leaf to split: highest gain, first on ties.
            let mut pick: Option<usize> = None;
            for (i, l) in leaves.iter().enumerate() {
                if let Some(s) = l.best {
                    if pick.is_none_or(|j| leaves[j].best.is_none_or(|t| s.gain > t.gain)) {
                        pick = Some(i);
                    }
                }
            }
            let Some(i) = pick else { break };
            let leaf = leaves.swap_remove(i);
            let Some(split) = leaf.best else { break };
            // Partition (stable).
            let col = self.b.col(split.feature);
            let mut nl = leaf.start;
            let mut nr = 0;
            for j in leaf.start..leaf.end {
                let it = self.items[j];
                let code = col[it.row as usize];
                let go_left = if code == MISSING_BIN {
                    split.missing_left
                } else {
                    code <= split.bin
                };
                if go_left {
                    self.items[nl] = it;
                    nl += 1;
                } else {
                    self.tmp[nr] = it;
                    nr += 1;
                }
            }
            self.items[nl..leaf.end].copy_from_slice(&self.tmp[..nr]);
            let mid = nl;
            let lsum = split.left;
            let rsum = leaf.sum.sub(&lsum);
            let (lid, rid) = (nodes.len(), nodes.len() + 1);
            nodes.push(node_of(&lsum));
            nodes.push(node_of(&rsum));
            let nd = &mut nodes[leaf.node];
            nd.feature = split.feature as u32;
            nd.bin = split.bin;
            nd.threshold = self.b.mapper.threshold(split.feature, split.bin);
            nd.missing_left = split.missing_left;
            nd.left = lid as u32;
            nd.right = rid as u32;
            nd.gain = split.gain as f32;
            n_leaves += 1;

            let depth = leaf.depth + 1;
            let more = n_leaves < p.max_leaves;
            let l_ok = more && self.can_split(lsum.n, depth);
            let r_ok = more && self.can_split(rsum.n, depth);
            let mut lh = None;
            let mut rh = None;
            if let Some(mut parent) = leaf.hist {
                if l_ok || r_ok {
                    let mut small = self.take_hist();
                    let left_small = mid - leaf.start <= leaf.end - mid;
                    if left_small {
                        self.build_hist(leaf.start, mid, &lsum, &mut small);
                    } else {
                        self.build_hist(mid, leaf.end, &rsum, &mut small);
                    }
                    for &f in &self.feats {
                        let range = self.offsets[f]..self.offsets[f + 1];
                        for (a, s) in parent[range.clone()].iter_mut().zip(&small[range]) {
                            *a = a.sub(s);
                        }
                    }
                    if left_small {
                        (lh, rh) = (Some(small), Some(parent));
                    } else {
                        (lh, rh) = (Some(parent), Some(small));
                    }
                } else {
                    self.pool.push(parent);
                }
            }
            for (node, start, end, s, ok, hist) in [
                (lid, leaf.start, mid, lsum, l_ok, lh),
                (rid, mid, leaf.end, rsum, r_ok, rh),
            ] {
                let best = match (&hist, ok) {
                    (Some(h), true) => self.find_split(h, &s),
                    _ => None,
                };
                let hist = if best.is_some() {
                    hist
                } else {
                    if let Some(h) = hist {
                        self.pool.push(h);
                    }
                    None
                };
                leaves.push(Leaf {
                    node,
                    start,
                    end,
                    depth,
                    sum: s,
                    hist,
                    best,
                });
            }
        }
        // Leaf values; update the scores of the rows in each leaf.
        let m = self.m;
        for leaf in leaves {
            let d = leaf.sum.h + p.l2;
            let v = if d > 0.0 {
                (-p.learning_rate * leaf.sum.g / d) as f32
            } else {
                0.0
            };
            nodes[leaf.node].value = v;
            for it in &self.items[leaf.start..leaf.end] {
                scores[it.unit as usize * m + c] += v as f64;
            }
            if let Some(h) = leaf.hist {
                self.pool.push(h);
            }
        }
        RegressionTree { nodes }
    }
}

fn node_of(s: &Gh) -> RegressionNode {
    RegressionNode {
        feature: 0,
        threshold: 0.0,
        bin: 0,
        missing_left: false,
        left: 0,
        right: 0,
        value: 0.0,
        gain: 0.0,
        samples: s.n,
        hessian: s.h as f32,
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
