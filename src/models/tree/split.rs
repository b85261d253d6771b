//! The split search of a tree node.
//!
//! A node's rows are summarised, per candidate feature, as a class-count histogram over the
//! feature's bins (bin 0 = missing values, bins `1..` = value bins in increasing order). The
//! scan then walks the value bins left to right: after bin `b` the left child holds every row
//! with a code in `1 ..= b`, the right child the rest, and the missing rows are tried on each
//! side in turn. Every candidate is scored by the impurity decrease
//! `cost(parent) - cost(left) - cost(right)` where `cost = W·impurity` (see [`cost`]); the first
//! candidate with the strictly highest decrease wins, so ties go to the lower feature position
//! in the draw, the lower bin and "missing right".

use crate::data::rng::FlowRng;
use crate::models::num;

use super::grow::{GrowSpec, Item, Task, Workspace};
use super::Criterion;

#[derive(Clone, Copy)]
pub(super) struct Best {
    /// Impurity decrease `cost(parent) - cost(left) - cost(right)`.
    pub(super) gain: f64,
    pub(super) feature: usize,
    /// Codes `1 ..= bin` go left.
    pub(super) bin: u8,
    pub(super) missing_left: bool,
}

/// Node cost `W·impurity` (Gini: `W - Σw²/W`; entropy: `W ln W - Σ w ln w`) from class counts.
#[inline]
pub(super) fn cost(crit: Criterion, cw: &[f64], counts: impl Iterator<Item = u32>) -> f64 {
    match crit {
        Criterion::Gini => {
            let (mut w, mut s) = (0.0, 0.0);
            for (c, &q) in counts.zip(cw) {
                let v = c as f64 * q;
                w += v;
                s += v * v;
            }
            if w > 0.0 {
                w - s / w
            } else {
                0.0
            }
        }
        Criterion::Entropy => {
            let (mut w, mut s) = (0.0, 0.0);
            for (c, &q) in counts.zip(cw) {
                if c > 0 {
                    let v = c as f64 * q;
                    w += v;
                    s += v * num::ln(v);
                }
            }
            if w > 0.0 {
                w * num::ln(w) - s
            } else {
                0.0
            }
        }
    }
}

/// State of the left-to-right scan over one feature's bins.
pub(super) struct Scan<'s> {
    pub(super) spec: &'s GrowSpec<'s>,
    /// Class counts of the node.
    pub(super) total: &'s [u32],
    /// Their sum (samples in the node).
    pub(super) n_total: u64,
    /// `cost` of the node itself.
    pub(super) parent_cost: f64,
    /// A split must decrease the cost by more than this (a relative epsilon, so rounding noise
    /// in a pure-looking node never makes a split).
    pub(super) min_gain: f64,
}

impl Scan<'_> {
    /// Evaluates "bins `<= bin` of `feature` go left" with left non-missing counts `left`
    /// (`n_left` samples) and missing counts `miss` (`n_miss` samples), both missing directions.
    #[inline]
    fn eval(
        &self,
        left: &[u32],
        n_left: u64,
        miss: &[u32],
        n_miss: u64,
        (feature, bin): (usize, u8),
        best: &mut Option<Best>,
    ) {
        let spec = self.spec;
        let n_right_nm = self.n_total - n_left - n_miss;
        // Missing rows right first, then left; without missing rows the two are one candidate.
        for missing_left in [false, true] {
            if missing_left && n_miss == 0 {
                break;
            }
            let (nl, nr) = if missing_left {
                (n_left + n_miss, n_right_nm)
            } else {
                (n_left, n_right_nm + n_miss)
            };
            // Stopping rule: each child keeps at least `min_samples_leaf` samples.
            if nl < spec.min_leaf || nr < spec.min_leaf {
                continue;
            }
            let l = |c: usize| left[c] + if missing_left { miss[c] } else { 0 };
            let cl = cost(spec.crit, spec.cw, (0..spec.k).map(l));
            let cr = cost(
                spec.crit,
                spec.cw,
                (0..spec.k).map(|c| self.total[c] - l(c)),
            );
            // Strictly greater: the first of equal candidates wins.
            let gain = self.parent_cost - cl - cr;
            if gain > self.min_gain && best.is_none_or(|b| gain > b.gain) {
                *best = Some(Best {
                    gain,
                    feature,
                    bin,
                    missing_left,
                });
            }
        }
    }
}

/// Class-count histograms of every feature over `items` (whose class counts are `total`).
pub(super) fn build_full(spec: &GrowSpec, items: &[Item], total: &[u32], hist: &mut [u32]) {
    for f in 0..spec.b.cols {
        let h = &mut hist[spec.offsets[f]..spec.offsets[f + 1]];
        build_one(spec, f, items, total, h);
    }
}

/// Class-count histogram of feature `f` over `items` into the zeroed `h`. A column's dominant
/// code (one-hot zeros, missing) is skipped and its counts recovered from the node total.
#[inline]
fn build_one(spec: &GrowSpec, f: usize, items: &[Item], total: &[u32], h: &mut [u32]) {
    let k = spec.k;
    let col = spec.b.col(f);
    if spec.skip[f] {
        let mf = spec.b.most_frequent[f];
        for it in items {
            let code = col[it.row as usize];
            if code != mf {
                h[code as usize * k + it.class as usize] += it.mult;
            }
        }
        let base = mf as usize * k;
        for c in 0..k {
            let others: u32 = h.iter().skip(c).step_by(k).sum();
            h[base + c] = total[c] - others;
        }
    } else {
        for it in items {
            h[col[it.row as usize] as usize * k + it.class as usize] += it.mult;
        }
    }
}

/// Best split of a node over its candidate features (drawn in batches of `mtry` until a valid
/// split turns up, as scikit-learn does).
pub(super) fn find_split(
    spec: &GrowSpec,
    scan: &Scan,
    task: &Task,
    rng: &mut FlowRng,
    w: &mut Workspace,
) -> Option<Best> {
    let d = spec.b.cols;
    let k = spec.k;
    let items = &w.items[task.start..task.end];
    let n_items = items.len();
    let mut best: Option<Best> = None;
    let mut drawn = 0;
    // Candidate features come in batches of `mtry`, drawn without replacement by a partial
    // Fisher–Yates shuffle of `w.feats` (positions `drawn..upto` receive the batch). A batch is
    // drawn only while no valid split has turned up, so the number of RNG draws — and with it
    // every later node's draws, since one RNG serves the whole tree — depends on the data. The
    // nodes are visited in a fixed order (see `grow`), which keeps the sequence reproducible.
    // `w.feats` is not reset between nodes: each node shuffles on from the previous order.
    while drawn < d && best.is_none() {
        let upto = if spec.mtry >= d {
            // Every feature is a candidate: no draw at all.
            d
        } else {
            let upto = (drawn + spec.mtry).min(d);
            for i in drawn..upto {
                let j = i + rng.below((d - i) as u64) as usize;
                w.feats.swap(i, j);
            }
            upto
        };
        for &f in &w.feats[drawn..upto] {
            let nb = spec.nbins[f];
            if nb <= 2 {
                continue; // no value bins beyond one: constant feature
            }
            // Three ways to the same counts: the node's full histogram when the grower kept one,
            // a one-feature histogram when the node has enough rows to fill the bins, else
            // sorting the few rows by (code, class) (`scan_sparse`).
            if let Some(h) = &task.hist {
                let hf = &h[spec.offsets[f]..spec.offsets[f + 1]];
                scan_dense(scan, hf, nb, f, &mut w.left, &mut best);
            } else if n_items * 4 >= nb {
                let hf = &mut w.scratch;
                hf.clear();
                hf.resize(nb * k, 0);
                build_one(spec, f, items, scan.total, hf);
                scan_dense(scan, hf, nb, f, &mut w.left, &mut best);
            } else {
                scan_sparse(
                    scan,
                    spec.b.col(f),
                    items,
                    f,
                    (&mut w.keys, &mut w.left, &mut w.miss),
                    &mut best,
                );
            }
        }
        drawn = upto;
    }
    best
}

/// Scans the value bins of feature `f` from its class-count histogram `h` (`nb` bins of `k`
/// counts, bin 0 = missing): `left` accumulates the counts of bins `1 ..= b`, and every bin that
/// holds rows is evaluated as a split point. The scan stops once every non-missing row is left.
fn scan_dense(
    scan: &Scan,
    h: &[u32],
    nb: usize,
    f: usize,
    left: &mut [u32],
    best: &mut Option<Best>,
) {
    let k = scan.spec.k;
    let miss = &h[..k];
    let n_miss: u64 = miss.iter().map(|&c| c as u64).sum();
    let n_nm = scan.n_total - n_miss;
    left.fill(0);
    let mut n_left = 0u64;
    for b in 1..nb {
        let hb = &h[b * k..(b + 1) * k];
        let mut add = 0u64;
        for (l, &c) in left.iter_mut().zip(hb) {
            *l += c;
            add += c as u64;
        }
        if add == 0 {
            continue;
        }
        n_left += add;
        scan.eval(left, n_left, miss, n_miss, (f, b as u8), best);
        if n_left == n_nm {
            break;
        }
    }
}

/// The same scan as [`scan_dense`] for a node with few rows: each item becomes one sort key
/// `code << 56 | class << 32 | multiplicity`, so sorting groups them by bin (missing, code 0,
/// first) and the bins are walked in increasing order without a histogram.
fn scan_sparse(
    scan: &Scan,
    col: &[u8],
    items: &[Item],
    f: usize,
    (keys, left, miss): (&mut Vec<u64>, &mut [u32], &mut [u32]),
    best: &mut Option<Best>,
) {
    keys.clear();
    keys.extend(
        items.iter().map(|it| {
            (col[it.row as usize] as u64) << 56 | (it.class as u64) << 32 | it.mult as u64
        }),
    );
    keys.sort_unstable();
    left.fill(0);
    miss.fill(0);
    // Missing rows first: they are tried on either side, never accumulated into `left`.
    let mut i = 0;
    let mut n_miss = 0u64;
    while i < keys.len() && keys[i] >> 56 == 0 {
        let m = keys[i] as u32;
        miss[(keys[i] >> 32) as usize & 0xff_ffff] += m;
        n_miss += m as u64;
        i += 1;
    }
    let n_nm = scan.n_total - n_miss;
    let mut n_left = 0u64;
    while i < keys.len() {
        let bin = keys[i] >> 56;
        while i < keys.len() && keys[i] >> 56 == bin {
            let m = keys[i] as u32;
            left[(keys[i] >> 32) as usize & 0xff_ffff] += m;
            n_left += m as u64;
            i += 1;
        }
        scan.eval(left, n_left, miss, n_miss, (f, bin as u8), best);
        if n_left == n_nm {
            break;
        }
    }
}
