//! A random forest laid out for prediction over interval codes: the same leaves as walking the
//! trees on the raw floats, several times faster.
//!
//! As in [`super::cells`], every split of every tree tests `x[f] <= t` against one of the sorted
//! distinct thresholds `t_0 < … < t_{n-1}` of feature `f` (a forest's trees share one binning,
//! so a feature has at most 254 of them). A value `v` gets the code `c` = the number of
//! thresholds below `v.min(f32::MAX)`, and `v <= t_j` exactly when `c <= j`; a missing value
//! gets code 255 and follows the node's `missing_left`. A row is thus turned into one byte per
//! tested feature, once, and the walk compares bytes:
//!
//! - a node is 8 bytes ([`CNode`]): the tested feature's slot in the code row, the threshold's
//!   index `j`, `missing_left`, the left child (the right one follows it) — every tree's nodes
//!   are in one vector;
//! - a leaf with one non-zero probability (most leaves of fully grown trees are pure) holds that
//!   class and probability in the node itself: adding the leaf's zeros would change no sum (a
//!   sum that starts at +0 is never -0, and `a + ±0 == a` for every other `a`), so the walk adds
//!   the one value and no leaf table is read; other leaves point into a table of their `k`
//!   probabilities, all added in class order;
//! - the trees are walked in order for each row, so every row's sums are the float walk's, bit
//!   for bit; blocks of rows walk one tree at a time (its nodes stay in cache), eight rows
//!   interleaved (their loads overlap).
//!
//! Rows of one cell (the same code row) reach the same leaves: [`Coded::predict`] walks one row
//! per distinct code row of each chunk and copies its probabilities to the others — the
//! deduplication of [`super::cells`], keyed by the code row itself.
//!
//! A [`CellCache`] carries the probabilities of the cells walked so far from one call to the
//! next (the batches of one stream, on any thread): a cell met again is not walked again.
//!
//! The layout is derived when a forest first predicts (never saved: model files do not change)
//! and only when it fits — a NaN threshold, more than 254 thresholds or 254 tested features,
//! more than 256 classes or 2³² nodes leave the forest on its float walk.

use std::collections::HashMap;
use std::sync::Mutex;

use rustc_hash::FxBuildHasher;

use super::cells::{thresholds_by_feature, CHUNK, MIN_ROWS};
use super::tree::DecisionTree;
use crate::data::Matrix;

/// The code of a missing value.
const MISSING: u8 = 255;
/// [`CNode::slot`] of a leaf whose one non-zero probability is in the node.
const PURE: u8 = 254;
/// [`CNode::slot`] of a leaf whose probabilities are in [`Coded::mixed`].
const MIXED: u8 = 255;
/// Rows of a block (their codes and sums stay in cache while every tree walks them).
const BLOCK: usize = 512;
/// Rows walking a tree together.
const WALK: usize = 8;

/// One node: a split, or a leaf.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
struct CNode {
    /// Split: the left child (index in [`Coded::nodes`]; the right one follows it). Pure leaf:
    /// the bits of its probability. Mixed leaf: the offset of its row in [`Coded::mixed`].
    a: u32,
    /// Split: the slot of the tested feature in a code row; else [`PURE`] or [`MIXED`].
    slot: u8,
    /// Split: the index `j` of its threshold (codes `<= j` go left). Pure leaf: its class.
    code: u8,
    /// Split: 1 when missing values go left.
    missing_left: u8,
    _pad: u8,
}

/// One tested feature: where it is in a row and its sorted distinct thresholds.
#[derive(Debug, Clone, PartialEq)]
struct Slot {
    feature: usize,
    thresholds: Vec<f32>,
}

/// A forest laid out for the coded walk. See the [module docs](self).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Coded {
    slots: Vec<Slot>,
    nodes: Vec<CNode>,
    roots: Vec<u32>,
    mixed: Vec<f32>,
    k: usize,
}

impl Coded {
    /// The coded layout of `trees` (`k` classes), or `None` when it does not fit.
    pub(crate) fn new(trees: &[DecisionTree], k: usize) -> Option<Coded> {
        let by_feature = thresholds_by_feature(trees.iter().flat_map(|t| t.splits()))?;
        let mut slot_of = vec![u8::MAX; by_feature.len()];
        let mut slots = Vec::new();
        for (feature, thresholds) in by_feature.into_iter().enumerate() {
            if thresholds.is_empty() {
                continue;
            }
            if thresholds.len() > 254 || slots.len() >= PURE as usize || k > 256 {
                return None;
            }
            slot_of[feature] = slots.len() as u8;
            slots.push(Slot {
                feature,
                thresholds,
            });
        }
        let mut coded = Coded {
            slots,
            nodes: Vec::new(),
            roots: Vec::new(),
            mixed: Vec::new(),
            k,
        };
        for t in trees {
            coded.push_tree(t, &slot_of)?;
        }
        Some(coded)
    }

    /// Appends the nodes of `t`.
    fn push_tree(&mut self, t: &DecisionTree, slot_of: &[u8]) -> Option<()> {
        let base = u32::try_from(self.nodes.len()).ok()?;
        u32::try_from(self.nodes.len() + t.nodes().len()).ok()?;
        self.roots.push(base);
        for n in t.nodes() {
            let node = if n.is_leaf() {
                let p = t.leaf_proba(n.leaf as usize);
                let mut nonzero = (0..self.k).filter(|&c| p[c] != 0.0);
                match (nonzero.next(), nonzero.next()) {
                    (None, _) => CNode::pure(0, 0.0),
                    (Some(c), None) => CNode::pure(c as u8, p[c]),
                    _ => {
                        let at = u32::try_from(self.mixed.len()).ok()?;
                        self.mixed.extend_from_slice(p);
                        CNode {
                            a: at,
                            slot: MIXED,
                            code: 0,
                            missing_left: 0,
                            _pad: 0,
                        }
                    }
                }
            } else {
                let slot = slot_of[n.feature as usize];
                let thresholds = &self.slots[slot as usize].thresholds;
                let j = thresholds.partition_point(|&t| t < n.threshold);
                CNode {
                    a: base + n.left,
                    slot,
                    code: j as u8,
                    missing_left: u8::from(n.missing_left),
                    _pad: 0,
                }
            };
            self.nodes.push(node);
        }
        Some(())
    }

    /// Code rows of rows `rows` of `x` (one byte per slot) into `out`.
    fn encode(&self, x: &Matrix, rows: std::ops::Range<usize>, out: &mut Vec<u8>) {
        // One byte per row when no feature is tested (every tree a leaf).
        let s = self.slots.len().max(1);
        out.clear();
        out.resize(rows.len() * s, 0);
        for (r, codes) in rows.zip(out.chunks_exact_mut(s)) {
            let row = x.row(r);
            for (c, slot) in codes.iter_mut().zip(&self.slots) {
                *c = code(&slot.thresholds, row[slot.feature]);
            }
        }
    }

    /// Class probabilities (mean over trees) of every row of `x` (width checked by the caller),
    /// `rows × k`: the float walk's, bit for bit. Cells found in `cache` are not walked; the
    /// others are added to it.
    pub(crate) fn predict(&self, x: &Matrix, cache: Option<&CellCache>) -> Vec<f32> {
        let (k, s) = (self.k, self.slots.len().max(1));
        let mut out = vec![0f32; x.rows * k];
        let mut codes = Vec::new();
        let mut reps = Vec::new();
        let mut rep_out = Vec::new();
        for start in (0..x.rows).step_by(CHUNK) {
            let rows = start..(start + CHUNK).min(x.rows);
            let part = &mut out[rows.start * k..rows.end * k];
            self.encode(x, rows.clone(), &mut codes);
            if rows.len() < MIN_ROWS && cache.is_none() {
                self.walk(&codes, part);
                continue;
            }
            let mut map: HashMap<&[u8], u32, FxBuildHasher> =
                HashMap::with_capacity_and_hasher(rows.len() / 4, FxBuildHasher);
            reps.clear();
            let of: Vec<u32> = codes
                .chunks_exact(s)
                .map(|row| {
                    *map.entry(row).or_insert_with(|| {
                        reps.extend_from_slice(row);
                        (reps.len() / s - 1) as u32
                    })
                })
                .collect();
            let cells = map.len();
            drop(map);
            match cache {
                Some(cache) => {
                    rep_out.clear();
                    rep_out.resize(cells * k, 0.0);
                    cache.predict(self, &reps, &mut rep_out);
                }
                None if cells * 2 > rows.len() => {
                    self.walk(&codes, part);
                    continue;
                }
                None => {
                    rep_out.clear();
                    rep_out.resize(cells * k, 0.0);
                    self.walk(&reps, &mut rep_out);
                }
            }
            for (o, &id) in part.chunks_exact_mut(k).zip(&of) {
                o.copy_from_slice(&rep_out[id as usize * k..(id as usize + 1) * k]);
            }
        }
        out
    }

    /// Walks the code rows `codes` down every tree into `out` (`k` sums per row, zero), then
    /// scales the sums by `1 / trees`.
    fn walk(&self, codes: &[u8], out: &mut [f32]) {
        let (k, s) = (self.k, self.slots.len().max(1));
        for (codes, out) in codes.chunks(BLOCK * s).zip(out.chunks_mut(BLOCK * k)) {
            for &root in &self.roots {
                let mut groups = codes.chunks_exact(WALK * s);
                let mut outs = out.chunks_exact_mut(WALK * k);
                for (c, o) in (&mut groups).zip(&mut outs) {
                    let rows: [&[u8]; WALK] = std::array::from_fn(|i| &c[i * s..(i + 1) * s]);
                    for (leaf, o) in self
                        .leaves(root, rows)
                        .into_iter()
                        .zip(o.chunks_exact_mut(k))
                    {
                        self.add_leaf(leaf, o);
                    }
                }
                let rest = groups.remainder().chunks_exact(s);
                for (c, o) in rest.zip(outs.into_remainder().chunks_exact_mut(k)) {
                    let [leaf] = self.leaves(root, [c]);
                    self.add_leaf(leaf, o);
                }
            }
        }
        let inv = 1.0 / self.roots.len() as f32;
        for v in out {
            *v *= inv;
        }
    }

    /// The leaves `N` code rows reach from `root`, walked together one level per round.
    #[inline]
    fn leaves<const N: usize>(&self, root: u32, rows: [&[u8]; N]) -> [CNode; N] {
        let mut at = [root as usize; N];
        loop {
            let mut moved = false;
            for (i, row) in at.iter_mut().zip(rows) {
                let n = self.nodes[*i];
                if n.slot < PURE {
                    let c = row[n.slot as usize];
                    let left = (c <= n.code) | ((c == MISSING) & (n.missing_left != 0));
                    *i = (n.a + u32::from(!left)) as usize;
                    moved = true;
                }
            }
            if !moved {
                return at.map(|i| self.nodes[i]);
            }
        }
    }

    /// Adds a leaf's probabilities to a row's sums.
    #[inline]
    fn add_leaf(&self, leaf: CNode, out: &mut [f32]) {
        if leaf.slot == PURE {
            out[leaf.code as usize] += f32::from_bits(leaf.a);
        } else {
            let p = &self.mixed[leaf.a as usize..leaf.a as usize + self.k];
            for (o, &p) in out.iter_mut().zip(p) {
                *o += p;
            }
        }
    }
}

impl CNode {
    fn pure(class: u8, p: f32) -> CNode {
        CNode {
            a: p.to_bits(),
            slot: PURE,
            code: class,
            missing_left: 0,
            _pad: 0,
        }
    }
}

/// The code of `v` among sorted distinct `thresholds`: how many are below `v.min(f32::MAX)`
/// (a branch-free binary search), [`MISSING`] for NaN.
#[inline]
fn code(thresholds: &[f32], v: f32) -> u8 {
    if v.is_nan() {
        return MISSING;
    }
    let v = v.min(f32::MAX);
    let (mut base, mut size) = (0usize, thresholds.len());
    while size > 1 {
        let half = size / 2;
        base = if thresholds[base + half] < v {
            base + half
        } else {
            base
        };
        size -= half;
    }
    (base + usize::from(!thresholds.is_empty() && thresholds[base] < v)) as u8
}

/// The probabilities of the cells a forest walked, kept from one call of
/// [`RandomForest::predict_proba_cached`](super::forest::RandomForest::predict_proba_cached) to
/// the next (the batches of one stream) and shared by the threads that predict them. At most
/// [`CellCache::CAP`] cells (about 100 bytes each; fewer in the page): when full it starts
/// again empty, following the cells of the part of the input being read.
///
/// A cache belongs to one model: its cells are that model's code rows.
#[derive(Debug)]
pub struct CellCache {
    inner: Mutex<CacheInner>,
    cap: usize,
}

impl Default for CellCache {
    fn default() -> Self {
        Self::with_cap(Self::CAP)
    }
}

#[derive(Debug, Default)]
struct CacheInner {
    /// Code row → index of its probabilities in `proba`.
    index: HashMap<Box<[u8]>, u32, FxBuildHasher>,
    proba: Vec<f32>,
}

impl CellCache {
    /// Most cells kept (natively ~50 MB; in the page ~6 MB).
    #[cfg(not(target_arch = "wasm32"))]
    pub const CAP: usize = 1 << 19;
    /// Most cells kept (natively ~50 MB; in the page ~6 MB).
    #[cfg(target_arch = "wasm32")]
    pub const CAP: usize = 1 << 16;

    /// A cache of at most `cap` cells.
    pub fn with_cap(cap: usize) -> Self {
        CellCache {
            inner: Mutex::default(),
            cap,
        }
    }

    /// Fills `out` (`k` zeros per code row of `reps`) with the probabilities of `reps`: from the
    /// cache, or walked by `coded` (and then kept).
    fn predict(&self, coded: &Coded, reps: &[u8], out: &mut [f32]) {
        let (k, s) = (coded.k, coded.slots.len().max(1));
        let mut missed = Vec::new();
        {
            let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            for (i, (row, o)) in reps
                .chunks_exact(s)
                .zip(out.chunks_exact_mut(k))
                .enumerate()
            {
                match inner.index.get(row) {
                    Some(&at) => o.copy_from_slice(&inner.proba[at as usize..at as usize + k]),
                    None => missed.push(i),
                }
            }
        }
        if missed.is_empty() {
            return;
        }
        let mut codes = Vec::with_capacity(missed.len() * s);
        for &i in &missed {
            codes.extend_from_slice(&reps[i * s..(i + 1) * s]);
        }
        let mut walked = vec![0f32; missed.len() * k];
        coded.walk(&codes, &mut walked);
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.index.len() + missed.len() > self.cap {
            inner.index.clear();
            inner.proba.clear();
        }
        for (&i, p) in missed.iter().zip(walked.chunks_exact(k)) {
            out[i * k..(i + 1) * k].copy_from_slice(p);
            let row = &reps[i * s..(i + 1) * s];
            // Another thread may have kept the same cell meanwhile.
            if inner.index.len() < self.cap && !inner.index.contains_key(row) {
                let at = inner.proba.len() as u32;
                inner.index.insert(row.into(), at);
                inner.proba.extend_from_slice(p);
            }
        }
    }

    /// Cells kept.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.index.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
