//! The fitted decision tree: its nodes and leaf table, the checked serialised form, prediction
//! (a walk over packed nodes) and the read-only views the page and the importance code use.

use serde::{Deserialize, Serialize};

use super::grow::{grow, GrowSpec, Workspace};
use super::DecisionTreeParams;
use crate::data::rng::FlowRng;
use crate::data::Matrix;
use crate::models::binning::{BinnedMatrix, MISSING_BIN};
use crate::models::leaves::{LeafEnsemble, Shape};
use crate::models::params::{Checked, Params};
use crate::models::{check_data, check_labels, check_width, ModelError, Progress, Step};

/// One node of a [`DecisionTree`]; `left == 0` marks a leaf (the root is never a child). The
/// right child always directly follows the left one (`right == left + 1`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Feature tested (splits only).
    pub feature: u32,
    /// Rows with `x[feature] <= threshold` go left (splits only; finite).
    pub threshold: f32,
    /// The same test on binned data: bin codes `1 ..= bin` go left.
    pub bin: u8,
    /// Where missing values go.
    pub missing_left: bool,
    /// Index of the left child, 0 for a leaf.
    pub left: u32,
    /// Index of the right child, 0 for a leaf.
    pub right: u32,
    /// For a leaf: its row in the leaf probability table.
    pub leaf: u32,
    /// Training samples that reached the node (counting bootstrap repeats).
    pub samples: u32,
    /// Their total class weight.
    pub weight: f32,
    /// Impurity of the node (Gini, or entropy in bits).
    pub impurity: f32,
    /// Weighted impurity decrease of the split (0 at a leaf).
    pub gain: f32,
}

impl Node {
    /// Whether the node is a leaf.
    pub fn is_leaf(&self) -> bool {
        self.left == 0
    }
}

/// A fitted decision tree classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TreeRepr")]
pub struct DecisionTree {
    nodes: Vec<Node>,
    leaf_proba: Vec<f32>,
    n_classes: usize,
    n_features: usize,
    /// `nodes` packed for prediction (derived, not saved).
    #[serde(skip)]
    packed: Vec<Packed>,
}

/// A node packed for walking: 12 bytes instead of a [`Node`]'s 40, so a walk down a deep tree
/// touches a third of the cache lines (prediction, permutation importance).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Packed {
    /// A split's feature, with [`MISSING_LEFT`] set when missing values go left; a leaf's row in
    /// the leaf table.
    test: u32,
    threshold: f32,
    /// Left child (the right one directly follows it); 0 at a leaf.
    left: u32,
}

/// The bit of [`Packed::test`] that sends missing values left.
const MISSING_LEFT: u32 = 1 << 31;

/// Packs checked nodes (features below 2³¹).
fn pack(nodes: &[Node]) -> Vec<Packed> {
    nodes
        .iter()
        .map(|n| Packed {
            test: if n.is_leaf() {
                n.leaf
            } else {
                n.feature | if n.missing_left { MISSING_LEFT } else { 0 }
            },
            threshold: n.threshold,
            left: n.left,
        })
        .collect()
}

/// The serialised form, checked before it becomes a [`DecisionTree`].
#[derive(Deserialize)]
struct TreeRepr {
    nodes: Vec<Node>,
    leaf_proba: Vec<f32>,
    n_classes: usize,
    n_features: usize,
}

impl TryFrom<TreeRepr> for DecisionTree {
    type Error = ModelError;

    fn try_from(r: TreeRepr) -> Result<Self, ModelError> {
        let mut t = DecisionTree {
            nodes: r.nodes,
            leaf_proba: r.leaf_proba,
            n_classes: r.n_classes,
            n_features: r.n_features,
            packed: Vec::new(),
        };
        t.check()?;
        t.packed = pack(&t.nodes);
        Ok(t)
    }
}

impl DecisionTree {
    /// The tree the grower built (nodes root first, one leaf-table row per leaf).
    pub(super) fn from_grown(
        nodes: Vec<Node>,
        leaf_proba: Vec<f32>,
        n_classes: usize,
        n_features: usize,
    ) -> Self {
        DecisionTree {
            packed: pack(&nodes),
            nodes,
            leaf_proba,
            n_classes,
            n_features,
        }
    }

    /// Fits a tree on `x` (row-major, `NaN` = missing) and labels `y` in `0..n_classes`.
    pub fn fit(
        params: &DecisionTreeParams,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Self, ModelError> {
        let params = params.check()?;
        check_data(x, y, n_classes)?;
        params.max_features.check_width(x.cols)?;
        let binned = BinnedMatrix::new(x, params.max_bins, params.seed)?;
        let tree = Self::fit_binned(&params, &binned, y, n_classes, None)?;
        if !progress(Step {
            done: 1,
            total: 1,
            loss: None,
            val_loss: None,
        }) {
            return Err(ModelError::Cancelled);
        }
        Ok(tree)
    }

    /// Fits a tree on already binned data, each row counted `counts[row]` times (`None`: once).
    pub fn fit_counts(
        params: &DecisionTreeParams,
        binned: &BinnedMatrix,
        y: &[u32],
        n_classes: usize,
        counts: Option<&[u32]>,
    ) -> Result<Self, ModelError> {
        Self::fit_binned(&params.check()?, binned, y, n_classes, counts)
    }

    /// [`DecisionTree::fit_counts`] once the parameters are checked.
    fn fit_binned(
        params: &Checked<DecisionTreeParams>,
        binned: &BinnedMatrix,
        y: &[u32],
        n_classes: usize,
        counts: Option<&[u32]>,
    ) -> Result<Self, ModelError> {
        check_binned(binned, y, n_classes)?;
        params.max_features.check_width(binned.cols)?;
        if let Some(c) = counts {
            if c.len() != y.len() {
                return Err(ModelError::Shape {
                    rows: y.len(),
                    labels: c.len(),
                });
            }
            let total: u64 = c.iter().map(|&c| c as u64).sum();
            if total == 0 {
                return Err(ModelError::Empty);
            }
            if total > u32::MAX as u64 {
                return Err(ModelError::InvalidParam {
                    name: "counts",
                    value: total.to_string(),
                    expected: "a total below 2^32".into(),
                });
            }
        }
        let cw = params.class_weight.weights(y, n_classes);
        let mut rng = FlowRng::new(params.seed, 0);
        let mut work = Workspace::default();
        Ok(grow(
            &GrowSpec::new(params, binned, n_classes, &cw),
            y,
            counts,
            &mut rng,
            &mut work,
        ))
    }

    /// Class probabilities, `rows × n_classes` row-major.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        self.check_width(x)?;
        let k = self.n_classes;
        let mut out = Vec::with_capacity(x.rows * k);
        for r in 0..x.rows {
            let leaf = self.leaf_of(x.row(r));
            out.extend_from_slice(&self.leaf_proba[leaf * k..(leaf + 1) * k]);
        }
        Ok(out)
    }

    /// Total impurity decrease per feature, normalised to sum 1 (all zero for a single leaf).
    pub fn feature_importance(&self) -> Vec<f64> {
        let mut imp = vec![0.0; self.n_features];
        self.add_importance(&mut imp);
        normalise(&mut imp);
        imp
    }

    pub(crate) fn add_importance(&self, imp: &mut [f64]) {
        for n in self.nodes.iter().filter(|n| !n.is_leaf()) {
            imp[n.feature as usize] += n.gain as f64;
        }
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of input features.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The nodes, root first; children always come after their parent.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// Class probabilities of leaf row `leaf` (see [`Node::leaf`]).
    pub fn leaf_proba(&self, leaf: usize) -> &[f32] {
        &self.leaf_proba[leaf * self.n_classes..(leaf + 1) * self.n_classes]
    }

    /// Weighted class distribution of the training samples that reached `node` (sums to the
    /// node's weight), for drawing the tree.
    pub fn class_distribution(&self, node: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.n_classes];
        let mut stack = vec![node];
        while let Some(i) = stack.pop() {
            let Some(n) = self.nodes.get(i) else { continue };
            if n.is_leaf() {
                for (o, &p) in out.iter_mut().zip(self.leaf_proba(n.leaf as usize)) {
                    *o += p as f64 * n.weight as f64;
                }
            } else {
                stack.push(n.right as usize);
                stack.push(n.left as usize);
            }
        }
        out
    }

    /// Depth of the deepest leaf (a single leaf has depth 0).
    pub fn depth(&self) -> usize {
        let mut depth = vec![0usize; self.nodes.len()];
        let mut max = 0;
        for (i, n) in self.nodes.iter().enumerate() {
            if !n.is_leaf() {
                depth[n.left as usize] = depth[i] + 1;
                depth[n.right as usize] = depth[i] + 1;
                max = max.max(depth[i] + 1);
            }
        }
        max
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.leaf_proba.len() / self.n_classes.max(1)
    }

    /// `(feature, threshold)` of every split.
    pub(crate) fn splits(&self) -> impl Iterator<Item = (u32, f32)> + '_ {
        self.nodes
            .iter()
            .filter(|n| !n.is_leaf())
            .map(|n| (n.feature, n.threshold))
    }

    /// Leaf row reached by a raw feature row.
    #[inline]
    pub(crate) fn leaf_of(&self, row: &[f32]) -> usize {
        self.packed[self.leaf_node(row)].test as usize
    }

    /// Leaf rows reached by `N` raw feature rows walked down together, one level per round:
    /// the rows' node loads overlap (a single walk waits for each), and the left/right choice
    /// is a select, not a branch. The same leaves as [`DecisionTree::leaf_of`].
    #[inline]
    pub(crate) fn leaves_of<const N: usize>(&self, rows: [&[f32]; N]) -> [usize; N] {
        let mut at = [0usize; N];
        loop {
            let mut moved = false;
            for (i, row) in at.iter_mut().zip(rows) {
                let n = self.packed[*i];
                if n.left != 0 {
                    let v = row[(n.test & !MISSING_LEFT) as usize];
                    let nan = v.is_nan();
                    let go_left = (nan & (n.test & MISSING_LEFT != 0))
                        | (!nan & (v.min(f32::MAX) <= n.threshold));
                    *i = (n.left + u32::from(!go_left)) as usize;
                    moved = true;
                }
            }
            if !moved {
                return at.map(|i| self.packed[i].test as usize);
            }
        }
    }

    /// Index (among the nodes) of the leaf reached by a raw feature row. Missing values follow
    /// `missing_left`; +inf counts as `f32::MAX`. (Branches beat a branch-free select here:
    /// speculation hides the next node's load.)
    #[inline]
    pub(crate) fn leaf_node(&self, row: &[f32]) -> usize {
        let mut i = 0;
        loop {
            let n = self.packed[i];
            if n.left == 0 {
                return i;
            }
            let v = row[(n.test & !MISSING_LEFT) as usize];
            let go_left = if v.is_nan() {
                n.test & MISSING_LEFT != 0
            } else {
                v.min(f32::MAX) <= n.threshold
            };
            i = (n.left + u32::from(!go_left)) as usize;
        }
    }

    /// Leaf row reached by row `r` of binned data (the same path as the raw row).
    #[inline]
    pub(crate) fn leaf_of_binned(&self, b: &BinnedMatrix, r: usize) -> usize {
        self.nodes[walk_binned!(self.nodes, b, r)].leaf as usize
    }

    pub(crate) fn check_width(&self, x: &Matrix) -> Result<(), ModelError> {
        check_width(self.n_features, x)
    }

    /// Structural invariants that make prediction panic-free (checked on deserialisation).
    fn check(&self) -> Result<(), ModelError> {
        let k = self.n_classes;
        if k == 0
            || self.nodes.is_empty()
            || !self.leaf_proba.len().is_multiple_of(k)
            || self.n_features > (MISSING_LEFT - 1) as usize
        {
            return Err(ModelError::Malformed {
                model: "decision tree",
                what: "empty tree or bad leaf table",
            });
        }
        let n_leaves = self.leaf_proba.len() / k;
        let len = self.nodes.len();
        for (i, n) in self.nodes.iter().enumerate() {
            let ok = if n.is_leaf() {
                (n.leaf as usize) < n_leaves
            } else {
                (n.feature as usize) < self.n_features
                    && (n.left as usize) > i
                    && n.right as u64 == n.left as u64 + 1
                    && (n.right as usize) < len
            };
            if !ok {
                return Err(ModelError::MalformedNode {
                    model: "decision tree",
                    node: i,
                });
            }
        }
        Ok(())
    }
}

pub(crate) fn normalise(v: &mut [f64]) {
    let total: f64 = v.iter().sum();
    if total > 0.0 && total.is_finite() {
        for x in v.iter_mut() {
            *x /= total;
        }
    }
}

pub(crate) fn check_binned(
    b: &BinnedMatrix,
    y: &[u32],
    n_classes: usize,
) -> Result<(), ModelError> {
    check_labels(b.rows, y, n_classes)?;
    if n_classes >= 1 << 24 {
        return Err(ModelError::InvalidParam {
            name: "n_classes",
            value: n_classes.to_string(),
            expected: "below 2^24".into(),
        });
    }
    Ok(())
}

impl LeafEnsemble for DecisionTree {
    fn n_trees(&self) -> usize {
        1
    }
    fn shape(&self, _t: usize) -> Vec<Shape> {
        self.nodes
            .iter()
            .map(|n| Shape::of(n.left, n.feature))
            .collect()
    }
    fn leaf_node(&self, _t: usize, row: &[f32]) -> u32 {
        DecisionTree::leaf_node(self, row) as u32
    }
    fn proba_from_leaves(&self, leaves: &[u32], out: &mut [f32]) {
        out.copy_from_slice(self.leaf_proba(self.nodes[leaves[0] as usize].leaf as usize));
    }
}
