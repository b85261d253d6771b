//! Training of the boosted ensemble: the units training works on, the validation split for
//! early stopping, the boosting rounds, and the per-round row and per-tree feature samples.
//!
//! Rows with identical bin codes and label always have identical scores, so training works on
//! *units* (one per distinct (codes, label) pair) weighted by their row counts; the sums that
//! feed the histograms are per unit gradients times row counts.

use std::collections::HashMap;

use super::model::{link, GradientBoosting};
use super::{GradientBoostingParams, STREAM_COLSAMPLE, STREAM_SUBSAMPLE, STREAM_VALIDATION};
use crate::data::rng::FlowRng;
use crate::data::sampling::stratified_validation;
use crate::models::binning::BinnedMatrix;
use crate::models::num;
use crate::models::params::Checked;
use crate::models::partition::BinnedRow;
use crate::models::{ModelError, Progress, Step};

/// Gradient/hessian sums and row count of a histogram bin (or a node).
#[derive(Clone, Copy, Default, Debug)]
pub(super) struct Gh {
    pub(super) g: f64,
    pub(super) h: f64,
    pub(super) n: u32,
}

impl Gh {
    #[inline]
    pub(super) fn add(&mut self, o: &Gh) {
        self.g += o.g;
        self.h += o.h;
        self.n += o.n;
    }

    #[inline]
    pub(super) fn sub(&self, o: &Gh) -> Gh {
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
pub(super) struct Item {
    pub(super) row: u32,
    pub(super) unit: u32,
    pub(super) w: u32,
    pub(super) g: f32,
    pub(super) h: f32,
}

#[derive(Clone, Copy)]
/// The best split of a leaf: its gain, the test, and the left child's sums.
pub(super) struct Split {
    pub(super) gain: f64,
    pub(super) feature: usize,
    pub(super) bin: u8,
    pub(super) missing_left: bool,
    pub(super) left: Gh,
}

/// A leaf of the tree being grown: its node, its items `items[start..end]`, their sums, its
/// histogram (kept only while it may still split) and its best split.
pub(super) struct Leaf {
    pub(super) node: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) depth: usize,
    pub(super) sum: Gh,
    pub(super) hist: Option<Vec<Gh>>,
    pub(super) best: Option<Split>,
}

pub(super) struct Booster<'a> {
    pub(super) p: &'a GradientBoostingParams,
    pub(super) b: &'a BinnedMatrix,
    pub(super) k: usize,
    pub(super) m: usize,
    pub(super) offsets: Vec<usize>,
    pub(super) nbins: Vec<usize>,
    /// Training rows (original indices), for row subsampling.
    pub(super) train: Vec<u32>,
    /// Unit of each training row (same order as `train`).
    pub(super) train_unit: Vec<u32>,
    /// Units: rows with identical codes and label, training units first (`0..n_train_units`),
    /// then validation units. Rows of a unit always share their scores, so gradients, scores
    /// and histograms are computed once per unit, weighted by its row count.
    pub(super) unit_row: Vec<u32>,
    pub(super) unit_label: Vec<u32>,
    pub(super) unit_count: Vec<u32>,
    pub(super) n_train_units: usize,
    pub(super) n_val_rows: usize,
    /// Weight of each class (`class_weight`, from the training rows; all 1 by default): it
    /// multiplies a row's gradient, hessian and loss, and its count in the initial scores.
    pub(super) class_w: Vec<f64>,
    // Per-tree work buffers.
    pub(super) items: Vec<Item>,
    pub(super) tmp: Vec<Item>,
    pub(super) pool: Vec<Vec<Gh>>,
    pub(super) feats: Vec<usize>,
    /// Rows of each training unit sampled this round.
    pub(super) sampled: Vec<u32>,
    /// Row-wise sparse codes: for row `r`, `csr_idx[csr_ptr[r]..csr_ptr[r + 1]]` are the
    /// histogram slots (feature offset + code) of its features whose code is not the column's
    /// most frequent one; the most frequent code's sums are recovered from the node total.
    pub(super) csr_ptr: Vec<usize>,
    pub(super) csr_idx: Vec<u32>,
}

impl<'a> Booster<'a> {
    pub(super) fn new(
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
        // Early stopping holds out a stratified `validation_fraction` of the rows (its own RNG
        // stream). Validation rows never enter a histogram; their scores follow every tree so
        // the validation loss can be measured after each round.
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
        let (csr_ptr, csr_idx) = sparse_codes(b, &offsets, &unit_row);
        let train_y: Vec<u32> = train.iter().map(|&r| y[r as usize]).collect();
        let class_w = p.class_weight.weights(&train_y, k);
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
            class_w,
            items: Vec::new(),
            tmp: Vec::new(),
            pool: Vec::new(),
            feats: Vec::new(),
            sampled: Vec::new(),
            csr_ptr,
            csr_idx,
        }
    }

    /// Boosts `n_rounds` rounds (fewer with early stopping). Round `r` (1-based) first reports
    /// the loss of the model after `r` rounds, then grows the trees of round `r + 1`; the extra
    /// pass `round == n_rounds` only reports. Each round:
    /// 1. computes every training unit's softmax (or logistic) probabilities from its current
    ///    scores, the log loss, and the gradient `p - [y == c]` and hessian `p (1 - p)` of each
    ///    output ([`Booster::gradients`]);
    /// 2. records the training and validation losses, reports them, and stops when the
    ///    validation loss has not improved by `1e-12` for `early_stopping_rounds` rounds;
    /// 3. samples the round's rows, then per output `c` samples the tree's features, grows the
    ///    tree on output `c`'s gradients and adds its leaf values (already shrunk by the
    ///    learning rate) to every unit's score `c`.
    pub(super) fn run(mut self, progress: Progress) -> Result<GradientBoosting, ModelError> {
        let (m, k) = (self.m, self.k);
        let p = self.p;
        let n_units = self.unit_row.len();
        let nt = self.n_train_units;
        let n_train = self.train.len() as f64;
        let init = self.initial_scores();
        // Scores are unit-major: unit `u`'s outputs are `scores[u * m..(u + 1) * m]`.
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
            cells: Default::default(),
        };
        // Per-row gradient and hessian of each training unit, output-major.
        let mut grad = vec![0f32; m * nt];
        let mut hess = vec![0f32; m * nt];
        let mut prob = vec![0f64; k.max(2)];
        let mut best_val = f64::INFINITY;
        let mut best_round = 0;
        for round in 0..=p.n_rounds {
            // Gradients of the current scores, and the training loss of the previous round.
            let loss = self.gradients(&scores, &mut prob, &mut grad, &mut hess);
            if round > 0 {
                model.train_loss.push(loss / n_train);
                let val_loss = (self.n_val_rows > 0).then(|| self.val_loss(&scores, &mut prob));
                if let Some(v) = val_loss {
                    model.val_loss.push(v);
                    // Early stopping remembers the round of the best validation loss (0-based:
                    // `round` trees per output have been grown so far).
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
            // A single class has nothing to learn: no outputs, no trees.
            if m == 0 {
                continue;
            }
            // RNG order: the round's row sample (stream `STREAM_SUBSAMPLE + round`), then each
            // tree's feature sample (stream `STREAM_COLSAMPLE + tree id`). Each draw has its own
            // stream, so a draw's outcome never depends on how many came before it.
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
        // Keep the best round's trees only.
        if p.early_stopping_rounds.is_some() && self.n_val_rows > 0 && m > 0 {
            model.best_round = Some(best_round);
            model.trees.truncate((best_round + 1) * m);
        }
        Ok(model)
    }

    /// Initial scores: log prior per class (softmax) or log odds of class 1 (logistic), from the
    /// training rows' class shares, each row counted with its class weight (clamped away from 0
    /// and 1).
    fn initial_scores(&self) -> Vec<f64> {
        let (m, k) = (self.m, self.k);
        let mut counts = vec![0f64; k];
        for u in 0..self.n_train_units {
            let c = self.unit_label[u] as usize;
            counts[c] += self.unit_count[u] as f64 * self.class_w[c];
        }
        let total: f64 = counts.iter().sum();
        let prior = |c: usize| (counts[c] / total).clamp(1e-12, 1.0 - 1e-12);
        match m {
            0 => Vec::new(),
            1 => vec![num::ln(prior(1) / prior(0))],
            _ => (0..k).map(|c| num::ln(prior(c))).collect(),
        }
    }

    /// Fills the per-row gradient and hessian of every training unit and output from the current
    /// `scores` (`prob` is scratch) and returns the summed training log loss of those scores.
    ///
    /// With probability `q` of a class and `t = [y == class]`, the multi-class log loss has
    /// gradient `q - t` and (diagonal) hessian `q (1 - q)` in that class's score; the logistic
    /// case (one output, class 1's score) has the same form. The hessian is floored at `1e-16`
    /// so a confident unit still counts. Both, and the loss, are multiplied by the weight `w` of
    /// the unit's class (`class_weight`; 1 by default). Stored as `f32`, output-major
    /// (`grad[c * nt + u]`).
    fn gradients(
        &self,
        scores: &[f64],
        prob: &mut [f64],
        grad: &mut [f32],
        hess: &mut [f32],
    ) -> f64 {
        let (m, k) = (self.m, self.k);
        let nt = self.n_train_units;
        let mut loss = 0.0;
        for u in 0..nt {
            let yu = self.unit_label[u] as usize;
            link(&scores[u * m..(u + 1) * m], &mut prob[..k]);
            let w = self.class_w[yu];
            // Each unit stands for `unit_count` identical rows.
            loss -= w * self.unit_count[u] as f64 * num::ln(prob[yu].max(1e-15));
            if m == 1 {
                let q = prob[1];
                grad[u] = (w * (q - f64::from(u8::from(yu == 1)))) as f32;
                hess[u] = (w * (q * (1.0 - q)).max(1e-16)) as f32;
            } else {
                for c in 0..m {
                    let q = prob[c];
                    grad[c * nt + u] = (w * (q - f64::from(u8::from(yu == c)))) as f32;
                    hess[c * nt + u] = (w * (q * (1.0 - q)).max(1e-16)) as f32;
                }
            }
        }
        loss
    }

    /// Mean log loss of the validation units' current `scores` (`prob` is scratch).
    fn val_loss(&self, scores: &[f64], prob: &mut [f64]) -> f64 {
        let (m, k) = (self.m, self.k);
        let mut l = 0.0;
        for u in self.n_train_units..self.unit_row.len() {
            link(&scores[u * m..(u + 1) * m], &mut prob[..k]);
            let p_true = prob[self.unit_label[u] as usize].max(1e-15);
            l -= self.unit_count[u] as f64 * num::ln(p_true);
        }
        l / self.n_val_rows as f64
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

    /// Samples the tree's candidate features (`colsample`, without replacement, kept in feature
    /// order) and drops constant features.
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
}

/// Row-wise sparse codes of the units' representative rows `reps` (see `Booster::csr_ptr`): for
/// each such row, the histogram slot of every feature whose code is not the column's most
/// frequent one; other rows get an empty range.
fn sparse_codes(b: &BinnedMatrix, offsets: &[usize], reps: &[u32]) -> (Vec<usize>, Vec<u32>) {
    let mut csr_ptr = vec![0usize; b.rows + 1];
    let mut csr_idx = Vec::new();
    let mut is_rep = vec![false; b.rows];
    for &r in reps {
        is_rep[r as usize] = true;
    }
    for r in 0..b.rows {
        if is_rep[r] {
            for (f, (&mf, &off)) in b.most_frequent.iter().zip(offsets).enumerate() {
                let code = b.get(r, f);
                if code != mf {
                    csr_idx.push((off + code as usize) as u32);
                }
            }
        }
        csr_ptr[r + 1] = csr_idx.len();
    }
    (csr_ptr, csr_idx)
}

impl BinnedRow for Item {
    #[inline]
    fn row(&self) -> usize {
        self.row as usize
    }
}
