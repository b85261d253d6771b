//! One regression tree of the boosted ensemble, grown leaf-wise on gradient/hessian histograms.
//!
//! A histogram holds, per feature bin, the sums of gradient `G`, hessian `H` and sampled rows
//! `n` of a leaf's items. With the second-order (Newton) approximation of the loss, a leaf's
//! best value is `-G / (H + l2)` and it lowers the loss by `G² / (H + l2)` (up to a factor ½,
//! the same for every candidate); a split's gain is therefore
//! `score(left) + score(right) - score(parent)` with `score = G² / (H + l2)`. A split must keep
//! `min_samples_leaf` rows and `min_child_weight` hessian on each side.

use super::booster::{Booster, Gh, Item, Leaf, Split};
use super::model::{RegressionNode, RegressionTree};
use crate::models::partition::partition_by_bin;

/// Fewest items of a node whose histogram is built on several threads (natively).
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_ITEMS: usize = 16 * 1024;

impl Booster<'_> {
    /// A zeroed full histogram (every feature's bins), reusing a pooled buffer.
    fn take_hist(&mut self) -> Vec<Gh> {
        let mut h = self.pool.pop().unwrap_or_default();
        h.clear();
        h.resize(self.offsets[self.b.cols], Gh::default());
        h
    }

    /// Gradient/hessian histograms over items `start..end` (whose sums are `sum`), row-wise over
    /// the sparse codes; only the sampled features' dominant bins are recovered.
    fn build_hist(&self, start: usize, end: usize, sum: &Gh, hist: &mut [Gh]) {
        self.add_items(start, end, 0, hist);
        // The most frequent code's slot is the node total minus every other slot.
        for &f in &self.feats {
            let h = &mut hist[self.offsets[f]..self.offsets[f + 1]];
            let mut others = Gh::default();
            for e in h.iter() {
                others.add(e);
            }
            h[self.b.most_frequent[f] as usize] = sum.sub(&others);
        }
    }

    /// Adds items `start..end` to the histogram slots `lo..lo + hist.len()`. Each item adds its
    /// sums to the slot of every feature whose code is not the column's most frequent one (the
    /// row's sparse codes, precomputed in `Booster::new`, ascending). Natively, a large node's
    /// slots are cut into one range per thread: every slot still sums its items in item order,
    /// so the histogram is the same, bit for bit, as on one thread.
    fn add_items(&self, start: usize, end: usize, lo: usize, hist: &mut [Gh]) {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let threads = rayon::current_num_threads();
            if threads > 1 && end - start >= PARALLEL_ITEMS && hist.len() >= 2 * threads {
                let per = hist.len().div_ceil(threads);
                rayon::scope(|s| {
                    for (i, part) in hist.chunks_mut(per).enumerate() {
                        s.spawn(move |_| self.add_items_serial(start, end, lo + i * per, part));
                    }
                });
                return;
            }
        }
        self.add_items_serial(start, end, lo, hist);
    }

    fn add_items_serial(&self, start: usize, end: usize, lo: usize, hist: &mut [Gh]) {
        let hi = (lo + hist.len()) as u32;
        let all = lo == 0 && hi as usize >= self.offsets[self.b.cols];
        for it in &self.items[start..end] {
            let r = it.row as usize;
            let (g, h) = (it.g as f64, it.h as f64);
            let mut slots = &self.csr_idx[self.csr_ptr[r]..self.csr_ptr[r + 1]];
            if !all {
                slots = &slots[slots.partition_point(|&s| (s as usize) < lo)..];
            }
            for &slot in slots {
                if slot >= hi {
                    break;
                }
                let e = &mut hist[slot as usize - lo];
                e.g += g;
                e.h += h;
                e.n += it.w;
            }
        }
    }

    /// Twice the loss reduction of giving `s`'s rows their Newton value: `G² / (H + l2)`.
    #[inline]
    fn score(&self, s: &Gh) -> f64 {
        let d = s.h + self.p.l2;
        if d > 0.0 {
            s.g * s.g / d
        } else {
            0.0
        }
    }

    /// Stopping rules of a leaf: room for two children of `min_samples_leaf` rows, and the
    /// depth limit.
    fn can_split(&self, leaf_n: u32, depth: usize) -> bool {
        leaf_n as usize >= 2 * self.p.min_samples_leaf
            && self.p.max_depth.is_none_or(|md| depth < md)
    }

    /// Best split of a leaf with histogram `hist` and sums `sum` over the tree's features: a
    /// left-to-right scan over each feature's value bins (bin 0 holds the missing rows, tried on
    /// the right, then on the left). The first candidate with the strictly highest gain above
    /// `1e-12` wins.
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
                // Every non-missing row is left: later bins are empty.
                if left.n == n_nm {
                    break;
                }
            }
        }
        best
    }

    /// Grows one tree on the sampled units with per-row gradients `g`, hessians `h`; adds its leaf
    /// values to output `c` of the sampled units' scores.
    ///
    /// Growth is leaf-wise (best-first, as LightGBM): every open leaf knows its best split, and
    /// the one with the highest gain is split next (the first in `leaves` on ties; `leaves` is
    /// reordered by `swap_remove`, so the tie order is part of the pinned results), until
    /// `max_leaves` leaves exist or no leaf has a split.
    pub(super) fn grow(
        &mut self,
        g: &[f32],
        h: &[f32],
        scores: &mut [f64],
        c: usize,
    ) -> RegressionTree {
        let p = self.p;
        let sum = self.load_items(g, h);
        let mut nodes = vec![node_of(&sum)];
        let mut leaves: Vec<Leaf> = vec![self.root_leaf(sum)];
        let mut n_leaves = 1;
        while n_leaves < p.max_leaves {
            let Some(i) = pick_leaf(&leaves) else { break };
            let leaf = leaves.swap_remove(i);
            let Some(split) = leaf.best else { break };
            n_leaves += 1;
            let more = n_leaves < p.max_leaves;
            let children = self.split_leaf(leaf, &split, &mut nodes, more);
            leaves.extend(children);
        }
        self.set_leaf_values(leaves, &mut nodes, scores, c);
        RegressionTree { nodes }
    }

    /// One item per sampled unit, weighted by how many of its rows the round sampled: its
    /// gradient and hessian sums are the per-row values times that count. Returns the root's sums.
    fn load_items(&mut self, g: &[f32], h: &[f32]) -> Gh {
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
        // The root's sums, in item order (the order every later sum also follows).
        let mut sum = Gh::default();
        for it in &self.items {
            sum.g += it.g as f64;
            sum.h += it.h as f64;
            sum.n += it.w;
        }
        sum
    }

    /// The root leaf, with its histogram and best split when it may split at all.
    fn root_leaf(&mut self, sum: Gh) -> Leaf {
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
        root
    }

    /// Splits `leaf` by `split`: partitions its items (stably), appends the two children to
    /// `nodes`, fills the split node, and returns the two children as open leaves (left first),
    /// each with its histogram and best split when it may still split (`more`: the leaf budget
    /// is not spent).
    fn split_leaf(
        &mut self,
        leaf: Leaf,
        split: &Split,
        nodes: &mut Vec<RegressionNode>,
        more: bool,
    ) -> [Leaf; 2] {
        let col = self.b.col(split.feature);
        let n_left = partition_by_bin(
            &mut self.items[leaf.start..leaf.end],
            &mut self.tmp,
            col,
            (split.bin, split.missing_left),
            |_, _| {},
        );
        let mid = leaf.start + n_left;
        // The left sums were accumulated by the split search; the right ones are the rest.
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

        let depth = leaf.depth + 1;
        let l_ok = more && self.can_split(lsum.n, depth);
        let r_ok = more && self.can_split(rsum.n, depth);
        let range = (leaf.start, leaf.end);
        let (lh, rh) = self.child_hists(range, mid, (&lsum, &rsum), l_ok || r_ok, leaf.hist);
        let mut child = |node, start, end, s: Gh, ok, hist: Option<Vec<Gh>>| {
            let best = match (&hist, ok) {
                (Some(h), true) => self.find_split(h, &s),
                _ => None,
            };
            // A leaf without a split keeps no histogram.
            let hist = if best.is_some() {
                hist
            } else {
                if let Some(h) = hist {
                    self.pool.push(h);
                }
                None
            };
            Leaf {
                node,
                start,
                end,
                depth,
                sum: s,
                hist,
                best,
            }
        };
        let left = child(lid, leaf.start, mid, lsum, l_ok, lh);
        let right = child(rid, mid, leaf.end, rsum, r_ok, rh);
        [left, right]
    }

    /// The children's histograms from the parent's (`None` without one, or when neither child
    /// may split): the smaller child's is built from its items, the larger one's is the parent's
    /// minus it, for the sampled features only.
    fn child_hists(
        &mut self,
        (start, end): (usize, usize),
        mid: usize,
        (lsum, rsum): (&Gh, &Gh),
        any_ok: bool,
        parent: Option<Vec<Gh>>,
    ) -> (Option<Vec<Gh>>, Option<Vec<Gh>>) {
        let Some(mut parent) = parent else {
            return (None, None);
        };
        if !any_ok {
            self.pool.push(parent);
            return (None, None);
        }
        let mut small = self.take_hist();
        let left_small = mid - start <= end - mid;
        if left_small {
            self.build_hist(start, mid, lsum, &mut small);
        } else {
            self.build_hist(mid, end, rsum, &mut small);
        }
        for &f in &self.feats {
            let range = self.offsets[f]..self.offsets[f + 1];
            for (a, s) in parent[range.clone()].iter_mut().zip(&small[range]) {
                *a = a.sub(s);
            }
        }
        if left_small {
            (Some(small), Some(parent))
        } else {
            (Some(parent), Some(small))
        }
    }

    /// Newton leaf values `-learning_rate · G / (H + l2)` (shrinkage included), added to output
    /// `c` of the scores of the units in each leaf; the leaves' histograms return to the pool.
    fn set_leaf_values(
        &mut self,
        leaves: Vec<Leaf>,
        nodes: &mut [RegressionNode],
        scores: &mut [f64],
        c: usize,
    ) {
        let p = self.p;
        let m = self.m;
        for leaf in leaves {
            let d = leaf.sum.h + p.l2;
            let v = if d > 0.0 {
                (-p.learning_rate * leaf.sum.g / d) as f32
            } else {
                0.0
            };
            nodes[leaf.node].value = v;
            // The score moves by the stored `f32` value, exactly as prediction will.
            for it in &self.items[leaf.start..leaf.end] {
                scores[it.unit as usize * m + c] += v as f64;
            }
            if let Some(h) = leaf.hist {
                self.pool.push(h);
            }
        }
    }
}

/// The open leaf to split next: the highest gain, the first one on ties; `None` when no leaf
/// has a split.
fn pick_leaf(leaves: &[Leaf]) -> Option<usize> {
    let mut pick: Option<usize> = None;
    for (i, l) in leaves.iter().enumerate() {
        if let Some(s) = l.best {
            if pick.is_none_or(|j| leaves[j].best.is_none_or(|t| s.gain > t.gain)) {
                pick = Some(i);
            }
        }
    }
    pick
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
