//! The tree grower: the node stack, the partition of a node's rows between its children and
//! the children's histograms. The split search itself is in `split`.
//!
//! Rows are handled as [`Item`]s — one per group of identical rows (same bin codes) and class,
//! with its multiplicity — kept in one vector in which every open node owns a contiguous range.
//! Splitting a node partitions its range stably (`crate::models::partition`), so the children's
//! ranges are adjacent and keep the parent's order.

use super::model::{DecisionTree, Node};
use super::split::{build_full, cost, find_split, Best, Scan};
use super::{Criterion, DecisionTreeParams};
use crate::data::rng::FlowRng;
use crate::models::binning::{BinnedMatrix, RowGroups};
use crate::models::params::Checked;
use crate::models::partition::{partition_by_bin, BinnedRow};

/// A row of the node partition: row index, class, multiplicity.
#[derive(Clone, Copy, Debug)]
pub(super) struct Item {
    pub(super) row: u32,
    pub(super) class: u32,
    pub(super) mult: u32,
}

/// Buffers reused across nodes and trees (no allocation per node once warm).
#[derive(Default)]
pub(crate) struct Workspace {
    pub(super) items: Vec<Item>,
    pub(super) tmp: Vec<Item>,
    pub(super) feats: Vec<usize>,
    pub(super) pool: Vec<Vec<u32>>,
    pub(super) scratch: Vec<u32>,
    pub(super) keys: Vec<u64>,
    pub(super) node_counts: Vec<u32>,
    pub(super) left: Vec<u32>,
    pub(super) miss: Vec<u32>,
    pub(super) best_counts: Vec<u32>,
    pub(super) acc: Vec<u32>,
}

/// Everything fixed while growing the trees of one model.
pub(crate) struct GrowSpec<'a> {
    pub(super) b: &'a BinnedMatrix,
    pub(super) k: usize,
    pub(super) cw: &'a [f64],
    pub(super) crit: Criterion,
    pub(super) mtry: usize,
    pub(super) max_depth: usize,
    pub(super) min_split: u64,
    pub(super) min_leaf: u64,
    /// Start of each feature's block in a full histogram (in `u32` entries), plus the total.
    pub(super) offsets: Vec<usize>,
    pub(super) nbins: Vec<usize>,
    /// Skip the dominant code when building histograms (it holds most rows).
    pub(super) skip: Vec<bool>,
    /// Rows with identical codes.
    pub(super) groups: RowGroups,
}

impl<'a> GrowSpec<'a> {
    pub(crate) fn new(
        p: &Checked<DecisionTreeParams>,
        b: &'a BinnedMatrix,
        k: usize,
        cw: &'a [f64],
    ) -> Self {
        let nbins = b.n_bins();
        let mut offsets = Vec::with_capacity(nbins.len() + 1);
        let mut o = 0;
        for &n in &nbins {
            offsets.push(o);
            o += n * k;
        }
        offsets.push(o);
        GrowSpec {
            b,
            k,
            cw,
            crit: p.criterion,
            mtry: p.max_features.resolve(b.cols),
            max_depth: p.max_depth.unwrap_or(usize::MAX),
            min_split: p.min_samples_split as u64,
            min_leaf: p.min_samples_leaf as u64,
            offsets,
            nbins,
            skip: b.most_frequent_share.iter().map(|&s| s >= 0.5).collect(),
            groups: b.row_groups(),
        }
    }
}

/// A node waiting on the stack: its items are `items[start..end]`.
pub(super) struct Task {
    pub(super) node: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) depth: usize,
    /// The node's full class-count histogram, when the grower derived one.
    pub(super) hist: Option<Vec<u32>>,
}
impl BinnedRow for Item {
    #[inline]
    fn row(&self) -> usize {
        self.row as usize
    }
}

/// Grows one tree. `rng` draws the candidate features; `counts` are row multiplicities.
///
/// The tree grows depth-first from an explicit stack of [`Task`]s, left child before right
/// child, so nodes are evaluated — and the RNG drawn — in one fixed order (this order is pinned
/// by the tests' checksums and by the forest chunks that must merge into the single fit). For
/// each task:
/// 1. [`evaluate_node`] records the node's statistics and, unless a stopping rule holds, searches
///    its best split (the only place the RNG is used);
/// 2. without a split the node becomes a leaf ([`make_leaf`]);
/// 3. otherwise [`partition_node`] reorders the node's items so the left child's come first,
///    [`record_split`] appends the two children and fills the split node, and
///    [`child_histograms`] hands the children their histograms (when the parent had one);
/// 4. the right child is pushed, then the left one, so the left subtree is grown first.
pub(crate) fn grow(
    spec: &GrowSpec,
    y: &[u32],
    counts: Option<&[u32]>,
    rng: &mut FlowRng,
    w: &mut Workspace,
) -> DecisionTree {
    let (k, d) = (spec.k, spec.b.cols);
    load_items(spec, y, counts, w);

    let mut nodes: Vec<Node> = vec![placeholder()];
    let mut leaf_proba: Vec<f32> = Vec::new();
    // With every feature a candidate at every node, the root's full histogram is built once and
    // each split derives its children's from it; with a feature subset per node (the forest),
    // each node builds only its drawn features' histograms (in `find_split`).
    let root_hist = if spec.mtry >= d && !w.items.is_empty() {
        let mut h = take_hist(&mut w.pool, spec.offsets[d]);
        build_full(spec, &w.items, &w.node_counts[..k], &mut h);
        Some(h)
    } else {
        None
    };
    let mut total = vec![0u32; k];
    let mut stack = vec![Task {
        node: 0,
        start: 0,
        end: w.items.len(),
        depth: 0,
        hist: root_hist,
    }];

    while let Some(mut task) = stack.pop() {
        let best = evaluate_node(spec, &task, &mut nodes[task.node], &mut total, rng, w);
        let Some(best) = best else {
            make_leaf(
                &mut nodes[task.node],
                &mut leaf_proba,
                &w.node_counts,
                task.node,
                spec,
            );
            if let Some(h) = task.hist {
                w.pool.push(h);
            }
            continue;
        };
        let mid = partition_node(spec, &task, &best, w);
        let (left_id, right_id) = record_split(spec, &mut nodes, task.node, &best, w);
        let parent = task.hist.take();
        let (lh, rh) = child_histograms(spec, &task, mid, (left_id, right_id), parent, w);
        stack.push(Task {
            node: right_id,
            start: mid,
            end: task.end,
            depth: task.depth + 1,
            hist: rh,
        });
        stack.push(Task {
            node: left_id,
            start: task.start,
            end: mid,
            depth: task.depth + 1,
            hist: lh,
        });
    }
    DecisionTree::from_grown(nodes, leaf_proba, k, d)
}

/// Fills the workspace for a new tree: the items (one per group of identical rows and class,
/// counting its rows), the root's class counts, the identity feature order and the per-class
/// scratch buffers.
fn load_items(spec: &GrowSpec, y: &[u32], counts: Option<&[u32]>, w: &mut Workspace) {
    let k = spec.k;
    // One item per (group of identical rows, class), counting its rows: the same histograms as
    // one item per row, with fewer items when rows repeat. Items come in group order, then class
    // order, whatever the row order.
    let groups = &spec.groups;
    w.acc.clear();
    w.acc.resize(groups.first_row.len() * k, 0);
    for (r, (&g, &c)) in groups.group.iter().zip(y).enumerate() {
        let m = counts.map_or(1, |cn| cn[r]);
        w.acc[g as usize * k + c as usize] += m;
    }
    w.items.clear();
    for (g, &row) in groups.first_row.iter().enumerate() {
        for (class, &mult) in w.acc[g * k..(g + 1) * k].iter().enumerate() {
            if mult > 0 {
                w.items.push(Item {
                    row,
                    class: class as u32,
                    mult,
                });
            }
        }
    }
    w.tmp.resize(
        w.items.len(),
        Item {
            row: 0,
            class: 0,
            mult: 0,
        },
    );
    // The feature order the candidate draws shuffle (identity at the start of every tree).
    w.feats.clear();
    w.feats.extend(0..spec.b.cols);
    // `node_counts` holds `k` class counts per node, in node order; the root's first.
    w.node_counts.clear();
    w.node_counts.resize(k, 0);
    for it in &w.items {
        w.node_counts[it.class as usize] += it.mult;
    }
    w.left.resize(k, 0);
    w.miss.resize(k, 0);
    w.best_counts.resize(2 * k, 0);
}

/// Records the statistics of `task`'s node (samples, class weight, impurity) and searches its
/// best split; `None` when a stopping rule holds or no split decreases the impurity.
fn evaluate_node(
    spec: &GrowSpec,
    task: &Task,
    node: &mut Node,
    total: &mut [u32],
    rng: &mut FlowRng,
    w: &mut Workspace,
) -> Option<Best> {
    let k = spec.k;
    let nc = &w.node_counts[task.node * k..(task.node + 1) * k];
    let n: u64 = nc.iter().map(|&c| c as u64).sum();
    let weight: f64 = nc.iter().zip(spec.cw).map(|(&c, &q)| c as f64 * q).sum();
    // `cost` is weight × impurity in nats; the node shows impurity per unit weight, in bits for
    // entropy.
    let parent_cost = cost(spec.crit, spec.cw, nc.iter().copied());
    let impurity = if weight > 0.0 {
        let i = parent_cost / weight;
        if spec.crit == Criterion::Entropy {
            i / std::f64::consts::LN_2
        } else {
            i
        }
    } else {
        0.0
    };
    node.samples = n.min(u32::MAX as u64) as u32;
    node.weight = weight as f32;
    node.impurity = impurity.max(0.0) as f32;
    // Stopping rules: a pure node, the depth limit, `min_samples_split`, and too few samples
    // for two children of `min_samples_leaf`. A stopped node draws no features.
    let pure = nc.iter().filter(|&&c| c > 0).count() <= 1;
    let splittable =
        !pure && task.depth < spec.max_depth && n >= spec.min_split && n >= 2 * spec.min_leaf;
    if !splittable {
        return None;
    }
    total.copy_from_slice(nc);
    let scan = Scan {
        spec,
        total,
        n_total: n,
        parent_cost,
        min_gain: 1e-12 * weight.max(1.0),
    };
    find_split(spec, &scan, task, rng, w)
}

/// Partitions the node's items by the split (stably: left items first) and counts the
/// children's classes into `w.best_counts` (left `k`, then right `k`). Returns the index of the
/// first right item.
fn partition_node(spec: &GrowSpec, task: &Task, best: &Best, w: &mut Workspace) -> usize {
    let col = spec.b.col(best.feature);
    let (lc, rc) = w.best_counts.split_at_mut(spec.k);
    lc.fill(0);
    rc.fill(0);
    let n_left = partition_by_bin(
        &mut w.items[task.start..task.end],
        &mut w.tmp,
        col,
        (best.bin, best.missing_left),
        |it, left| {
            let side = if left { &mut *lc } else { &mut *rc };
            side[it.class as usize] += it.mult;
        },
    );
    task.start + n_left
}

/// Appends the two children of node `id` (right directly after left), stores their class counts
/// and turns `id` into the split `best`. Returns the children's ids.
fn record_split(
    spec: &GrowSpec,
    nodes: &mut Vec<Node>,
    id: usize,
    best: &Best,
    w: &mut Workspace,
) -> (usize, usize) {
    let left_id = nodes.len();
    let right_id = left_id + 1;
    nodes.push(placeholder());
    nodes.push(placeholder());
    let (lc, rc) = w.best_counts.split_at(spec.k);
    w.node_counts.extend_from_slice(lc);
    w.node_counts.extend_from_slice(rc);
    let node = &mut nodes[id];
    node.feature = best.feature as u32;
    node.bin = best.bin;
    node.threshold = spec.b.mapper.threshold(best.feature, best.bin);
    node.missing_left = best.missing_left;
    node.left = left_id as u32;
    node.right = right_id as u32;
    node.gain = best.gain as f32;
    (left_id, right_id)
}

/// The children's histograms from the parent's (`None` when the node had none): the smaller
/// child's is built from its items and the larger one's is the parent's minus it (integer
/// counts, so exact). Done only when a child may still split and building is worth it (the
/// larger child has at least twice as many item-feature pairs as a histogram has entries);
/// otherwise the parent's buffer returns to the pool and the children search without one.
fn child_histograms(
    spec: &GrowSpec,
    task: &Task,
    mid: usize,
    (left_id, right_id): (usize, usize),
    parent: Option<Vec<u32>>,
    w: &mut Workspace,
) -> (Option<Vec<u32>>, Option<Vec<u32>>) {
    let (k, d) = (spec.k, spec.b.cols);
    let Some(mut parent) = parent else {
        return (None, None);
    };
    let (n_left_items, n_right_items) = (mid - task.start, task.end - mid);
    // The same stopping rules `evaluate_node` applies, one level down.
    let child_ok = |counts: &[u32], items: usize| {
        let n: u64 = counts.iter().map(|&c| c as u64).sum();
        items > 0
            && counts.iter().filter(|&&c| c > 0).count() > 1
            && task.depth + 1 < spec.max_depth
            && n >= spec.min_split
            && n >= 2 * spec.min_leaf
    };
    let any_split = child_ok(&w.node_counts[left_id * k..(left_id + 1) * k], n_left_items)
        || child_ok(
            &w.node_counts[right_id * k..(right_id + 1) * k],
            n_right_items,
        );
    let large = n_left_items.max(n_right_items);
    if !(any_split && large * d >= 2 * spec.offsets[d]) {
        w.pool.push(parent);
        return (None, None);
    }
    let mut small = take_hist(&mut w.pool, spec.offsets[d]);
    let (s, e, id) = if n_left_items <= n_right_items {
        (task.start, mid, left_id)
    } else {
        (mid, task.end, right_id)
    };
    build_full(
        spec,
        &w.items[s..e],
        &w.node_counts[id * k..(id + 1) * k],
        &mut small,
    );
    for (p, &c) in parent.iter_mut().zip(small.iter()) {
        *p -= c;
    }
    if n_left_items <= n_right_items {
        (Some(small), Some(parent))
    } else {
        (Some(parent), Some(small))
    }
}

fn placeholder() -> Node {
    Node {
        feature: 0,
        threshold: 0.0,
        bin: 0,
        missing_left: false,
        left: 0,
        right: 0,
        leaf: 0,
        samples: 0,
        weight: 0.0,
        impurity: 0.0,
        gain: 0.0,
    }
}

/// Makes node `id` a leaf: its row of the leaf table holds the class-weighted shares of its
/// samples (uniform if it has no weight).
fn make_leaf(
    node: &mut Node,
    leaf_proba: &mut Vec<f32>,
    counts: &[u32],
    id: usize,
    spec: &GrowSpec,
) {
    let k = spec.k;
    let nc = &counts[id * k..(id + 1) * k];
    let w: f64 = nc.iter().zip(spec.cw).map(|(&c, &q)| c as f64 * q).sum();
    node.leaf = (leaf_proba.len() / k) as u32;
    if w > 0.0 {
        leaf_proba.extend(
            nc.iter()
                .zip(spec.cw)
                .map(|(&c, &q)| (c as f64 * q / w) as f32),
        );
    } else {
        leaf_proba.extend(std::iter::repeat_n(1.0 / k as f32, k));
    }
}

fn take_hist(pool: &mut Vec<Vec<u32>>, len: usize) -> Vec<u32> {
    let mut h = pool.pop().unwrap_or_default();
    h.clear();
    h.resize(len, 0);
    h
}
