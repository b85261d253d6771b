//! Binned (histogram) decision tree classifier — the engine of the random forest.
//!
//! Training works on [`BinnedMatrix`] codes (at most 255 value bins per feature plus a missing
//! bin), as in LightGBM and scikit-learn's `HistGradientBoosting`: a node's best split comes from
//! per-bin class counts instead of sorting. When every feature is a candidate at every node
//! ([`MaxFeatures::All`]), a split builds the histogram of the smaller child only and gets the
//! sibling's by subtraction from the parent's; with a random feature subset per node (the forest)
//! histograms are built for the drawn features only, and small nodes sort their few rows instead.
//!
//! Missing values (`NaN`) have their own bin: every split learns whether they go left or right
//! (nodes that saw none send them to the child with more training samples). Splits store real
//! thresholds (`x <= threshold` goes left), so prediction needs no binning. Leaves store class
//! probabilities. The tree is laid out as a vector of [`Node`]s (root first, children after their
//! parent) that the page can draw.
//!
//! Criteria: Gini impurity and entropy; `class_weight` `Balanced` weights classes by
//! `n_rows / (n_classes * class_rows)`. Integer sample counts (bootstrap multiplicities) are
//! supported through [`DecisionTree::fit_counts`].
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::{no_progress, Classifier};
//! use flowlab::models::tree::{DecisionTree, DecisionTreeParams};
//! // One feature; class 1 above 2.5.
//! let x = Matrix { rows: 6, cols: 1, data: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0] };
//! let y = [0, 0, 0, 1, 1, 1];
//! let params = DecisionTreeParams { max_depth: Some(1), ..Default::default() };
//! let tree = DecisionTree::fit(&params, &x, &y, 2, &mut no_progress()).unwrap();
//! assert_eq!(tree.nodes()[0].threshold, 2.5);
//! assert_eq!(tree.predict(&x).unwrap(), vec![0, 0, 0, 1, 1, 1]);
//! let p = tree.predict_proba(&Matrix { rows: 1, cols: 1, data: vec![f32::NAN] }).unwrap();
//! assert_eq!(p.iter().sum::<f32>(), 1.0);
//! ```

use serde::{Deserialize, Serialize};

use super::binning::{BinnedMatrix, RowGroups, MISSING_BIN};
use super::leaves::{LeafEnsemble, Shape};
use super::num;
use super::params::{Checked, Param, Params};
use super::{check_data, check_labels, check_width, ModelError, Progress, Step};
use crate::data::rng::FlowRng;
use crate::data::Matrix;

/// Impurity measure of a classification tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Criterion {
    /// Gini impurity `1 - Σ p²`.
    #[default]
    Gini,
    /// Shannon entropy `-Σ p log2 p`.
    Entropy,
}

/// How many features are candidates at each node.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// Every feature.
    #[default]
    All,
    /// `max(1, floor(sqrt(n_features)))`.
    Sqrt,
    /// `max(1, floor(log2(n_features)))`.
    Log2,
    /// `max(1, floor(fraction * n_features))`, fraction in `(0, 1]`.
    Fraction(f32),
    /// A fixed count, `1 ..= n_features`.
    Count(usize),
}

impl MaxFeatures {
    /// Number of candidate features out of `n_features` (at least 1, at most `n_features`).
    pub fn resolve(&self, n_features: usize) -> usize {
        let d = n_features.max(1);
        let k = match *self {
            MaxFeatures::All => d,
            MaxFeatures::Sqrt => (d as f64).sqrt() as usize,
            MaxFeatures::Log2 => d.ilog2() as usize,
            MaxFeatures::Fraction(f) => (f as f64 * d as f64) as usize,
            MaxFeatures::Count(c) => c,
        };
        k.clamp(1, d)
    }

    fn check_width(&self, n_features: usize) -> Result<(), ModelError> {
        match *self {
            MaxFeatures::Count(c) if c > n_features => Err(ModelError::InvalidParam {
                name: "max_features",
                value: format!("Count({c})"),
                expected: "a count of at most the number of features".into(),
            }),
            _ => Ok(()),
        }
    }
}

/// Per-class weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ClassWeight {
    /// Every class weighs 1.
    #[default]
    None,
    /// `n_rows / (n_classes_present * class_rows)`, as scikit-learn's `"balanced"`.
    Balanced,
}

impl ClassWeight {
    /// The weight of each class given the training labels.
    pub fn weights(&self, y: &[u32], n_classes: usize) -> Vec<f64> {
        match self {
            ClassWeight::None => vec![1.0; n_classes],
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; n_classes];
                for &l in y {
                    if let Some(c) = counts.get_mut(l as usize) {
                        *c += 1;
                    }
                }
                let present = counts.iter().filter(|&&c| c > 0).count().max(1);
                counts
                    .iter()
                    .map(|&c| {
                        if c == 0 {
                            1.0
                        } else {
                            y.len() as f64 / (present as f64 * c as f64)
                        }
                    })
                    .collect()
            }
        }
    }
}

/// Hyper-parameters of a [`DecisionTree`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeParams {
    /// Impurity measure.
    pub criterion: Criterion,
    /// Deepest level (root = 0); `None` grows until leaves are pure or too small.
    pub max_depth: Option<usize>,
    /// A node needs at least this many samples to be split (`>= 2`).
    pub min_samples_split: usize,
    /// Each child keeps at least this many samples (`>= 1`).
    pub min_samples_leaf: usize,
    /// Candidate features per node.
    pub max_features: MaxFeatures,
    /// Per-class weights.
    pub class_weight: ClassWeight,
    /// Value bins per feature (`2 ..= 255`), plus one for missing values.
    pub max_bins: usize,
    /// Seed for the feature draws (and the binning sample on very large inputs).
    pub seed: u64,
}

impl Default for DecisionTreeParams {
    fn default() -> Self {
        DecisionTreeParams {
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            class_weight: ClassWeight::None,
            max_bins: 255,
            seed: 0,
        }
    }
}

/// The rows the decision tree shares with the random forest (one definition each).
pub(crate) mod rows {
    use super::super::params::{int, int_in, optional_int, Param, Range, SEED};
    use serde_json::Value;

    /// `All`, `Sqrt`, `Log2`, `{"Fraction": f}` with `f` in (0, 1], or `{"Count": n}` with n ≥ 1.
    fn max_features_ok(v: &Value) -> bool {
        match v {
            Value::String(s) => matches!(s.as_str(), "All" | "Sqrt" | "Log2"),
            Value::Object(m) if m.len() == 1 => match (m.get("Fraction"), m.get("Count")) {
                (Some(f), _) => f.as_f64().is_some_and(|f| f > 0.0 && f <= 1.0),
                (_, Some(c)) => c.as_u64().is_some_and(|c| c >= 1),
                _ => false,
            },
            _ => false,
        }
    }

    pub const CRITERION: Param = Param {
        name: "criterion",
        range: Range::Choice(&["Gini", "Entropy"]),
        help: "split quality measure",
    };
    pub const MAX_DEPTH: Param = Param {
        name: "max_depth",
        range: optional_int(1),
        help: "deepest level a tree may grow to (root = 0); null = unlimited",
    };
    pub const MIN_SAMPLES_SPLIT: Param = Param {
        name: "min_samples_split",
        range: int(2),
        help: "fewest samples a node needs to be split",
    };
    pub const MIN_SAMPLES_LEAF: Param = Param {
        name: "min_samples_leaf",
        range: int(1),
        help: "fewest samples each child keeps",
    };
    pub const MAX_FEATURES: Param = Param {
        name: "max_features",
        range: Range::Custom {
            expected:
                "All, Sqrt, Log2, {\"Fraction\": f} with f in (0, 1], or {\"Count\": n} with n ≥ 1",
            accepts: max_features_ok,
        },
        help: "features tried per split",
    };
    pub const CLASS_WEIGHT: Param = Param {
        name: "class_weight",
        range: Range::Choice(&["None", "Balanced"]),
        help: "None, or Balanced to weight rare classes up",
    };
    pub const MAX_BINS: Param = Param {
        name: "max_bins",
        range: int_in(2, 255),
        help: "value bins per feature (one more holds missing values)",
    };
    pub const SEED_ROW: Param = Param {
        name: "seed",
        range: SEED,
        help: "random seed of the model (the split has its own)",
    };
}

impl Params for DecisionTreeParams {
    const TABLE: &'static [Param] = &[
        rows::CRITERION,
        rows::MAX_DEPTH,
        rows::MIN_SAMPLES_SPLIT,
        rows::MIN_SAMPLES_LEAF,
        rows::MAX_FEATURES,
        rows::CLASS_WEIGHT,
        rows::MAX_BINS,
        rows::SEED_ROW,
    ];
}

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
    type Error = String;

    fn try_from(r: TreeRepr) -> Result<Self, String> {
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

    /// Leaf row reached by a raw feature row.
    #[inline]
    pub(crate) fn leaf_of(&self, row: &[f32]) -> usize {
        self.packed[self.leaf_node(row)].test as usize
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
    fn check(&self) -> Result<(), String> {
        let k = self.n_classes;
        if k == 0
            || self.nodes.is_empty()
            || !self.leaf_proba.len().is_multiple_of(k)
            || self.n_features > (MISSING_LEFT - 1) as usize
        {
            return Err("decision tree: empty tree or bad leaf table".into());
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
                return Err(format!("decision tree: node {i} is malformed"));
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

// ---------------------------------------------------------------------------------------------
// The grower.

/// A row of the node partition: row index, class, multiplicity.
#[derive(Clone, Copy, Debug)]
struct Item {
    row: u32,
    class: u32,
    mult: u32,
}

/// Buffers reused across nodes and trees (no allocation per node once warm).
#[derive(Default)]
pub(crate) struct Workspace {
    items: Vec<Item>,
    tmp: Vec<Item>,
    feats: Vec<usize>,
    pool: Vec<Vec<u32>>,
    scratch: Vec<u32>,
    keys: Vec<u64>,
    node_counts: Vec<u32>,
    left: Vec<u32>,
    miss: Vec<u32>,
    best_counts: Vec<u32>,
    acc: Vec<u32>,
}

/// Everything fixed while growing the trees of one model.
pub(crate) struct GrowSpec<'a> {
    b: &'a BinnedMatrix,
    k: usize,
    cw: &'a [f64],
    crit: Criterion,
    mtry: usize,
    max_depth: usize,
    min_split: u64,
    min_leaf: u64,
    /// Start of each feature's block in a full histogram (in `u32` entries), plus the total.
    offsets: Vec<usize>,
    nbins: Vec<usize>,
    /// Skip the dominant code when building histograms (it holds most rows).
    skip: Vec<bool>,
    /// Rows with identical codes.
    groups: RowGroups,
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

struct Task {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    hist: Option<Vec<u32>>,
}

#[derive(Clone, Copy)]
struct Best {
    gain: f64,
    feature: usize,
    bin: u8,
    missing_left: bool,
}

/// Node cost `W·impurity` (Gini: `W - Σw²/W`; entropy: `W ln W - Σ w ln w`) from class counts.
#[inline]
fn cost(crit: Criterion, cw: &[f64], counts: impl Iterator<Item = u32>) -> f64 {
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
struct Scan<'s> {
    spec: &'s GrowSpec<'s>,
    total: &'s [u32],
    n_total: u64,
    parent_cost: f64,
    min_gain: f64,
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
        for missing_left in [false, true] {
            if missing_left && n_miss == 0 {
                break;
            }
            let (nl, nr) = if missing_left {
                (n_left + n_miss, n_right_nm)
            } else {
                (n_left, n_right_nm + n_miss)
            };
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

/// Grows one tree. `rng` draws the candidate features; `counts` are row multiplicities.
pub(crate) fn grow(
    spec: &GrowSpec,
    y: &[u32],
    counts: Option<&[u32]>,
    rng: &mut FlowRng,
    w: &mut Workspace,
) -> DecisionTree {
    let k = spec.k;
    let d = spec.b.cols;
    // One item per (group of identical rows, class), counting its rows: the same histograms as
    // one item per row, with fewer items when rows repeat.
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
    w.feats.clear();
    w.feats.extend(0..d);
    w.node_counts.clear();
    w.node_counts.resize(k, 0);
    for it in &w.items {
        w.node_counts[it.class as usize] += it.mult;
    }
    w.left.resize(k, 0);
    w.miss.resize(k, 0);
    w.best_counts.resize(2 * k, 0);

    let all_features = spec.mtry >= d;
    let mut nodes: Vec<Node> = vec![placeholder()];
    let mut leaf_proba: Vec<f32> = Vec::new();
    let root_hist = if all_features && !w.items.is_empty() {
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

    while let Some(task) = stack.pop() {
        let nc = &w.node_counts[task.node * k..(task.node + 1) * k];
        let n: u64 = nc.iter().map(|&c| c as u64).sum();
        let weight: f64 = nc.iter().zip(spec.cw).map(|(&c, &q)| c as f64 * q).sum();
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
        let node = &mut nodes[task.node];
        node.samples = n.min(u32::MAX as u64) as u32;
        node.weight = weight as f32;
        node.impurity = impurity.max(0.0) as f32;
        let pure = nc.iter().filter(|&&c| c > 0).count() <= 1;
        let splittable =
            !pure && task.depth < spec.max_depth && n >= spec.min_split && n >= 2 * spec.min_leaf;
        let best = if splittable {
            total.copy_from_slice(nc);
            let scan = Scan {
                spec,
                total: &total,
                n_total: n,
                parent_cost,
                min_gain: 1e-12 * weight.max(1.0),
            };
            find_split(spec, &scan, &task, rng, w)
        } else {
            None
        };
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

        // Partition the node's items (stable) and count the children's classes.
        let col = spec.b.col(best.feature);
        let (lc, rc) = w.best_counts.split_at_mut(k);
        lc.fill(0);
        rc.fill(0);
        let mut nl = task.start;
        let mut nr = 0;
        for i in task.start..task.end {
            let it = w.items[i];
            let code = col[it.row as usize];
            let go_left = if code == MISSING_BIN {
                best.missing_left
            } else {
                code <= best.bin
            };
            if go_left {
                w.items[nl] = it;
                nl += 1;
                lc[it.class as usize] += it.mult;
            } else {
                w.tmp[nr] = it;
                nr += 1;
                rc[it.class as usize] += it.mult;
            }
        }
        w.items[nl..task.end].copy_from_slice(&w.tmp[..nr]);
        let mid = nl;

        let left_id = nodes.len();
        let right_id = left_id + 1;
        nodes.push(placeholder());
        nodes.push(placeholder());
        w.node_counts.extend_from_slice(lc);
        w.node_counts.extend_from_slice(rc);
        let node = &mut nodes[task.node];
        node.feature = best.feature as u32;
        node.bin = best.bin;
        node.threshold = spec.b.mapper.threshold(best.feature, best.bin);
        node.missing_left = best.missing_left;
        node.left = left_id as u32;
        node.right = right_id as u32;
        node.gain = best.gain as f32;

        // Children's histograms: smaller built, larger = parent − smaller, when worth it.
        let (n_left_items, n_right_items) = (mid - task.start, task.end - mid);
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
        let (mut lh, mut rh) = (None, None);
        if let Some(mut parent) = task.hist {
            let large = n_left_items.max(n_right_items);
            if any_split && large * d >= 2 * spec.offsets[d] {
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
                    (lh, rh) = (Some(small), Some(parent));
                } else {
                    (lh, rh) = (Some(parent), Some(small));
                }
            } else {
                w.pool.push(parent);
            }
        }
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
    DecisionTree {
        packed: pack(&nodes),
        nodes,
        leaf_proba,
        n_classes: k,
        n_features: d,
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

/// Class-count histograms of every feature over `items` (whose class counts are `total`).
fn build_full(spec: &GrowSpec, items: &[Item], total: &[u32], hist: &mut [u32]) {
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
fn find_split(
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
    while drawn < d && best.is_none() {
        let upto = if spec.mtry >= d {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_features_resolve() {
        assert_eq!(MaxFeatures::Sqrt.resolve(57), 7);
        assert_eq!(MaxFeatures::Log2.resolve(57), 5);
        assert_eq!(MaxFeatures::Fraction(0.5).resolve(57), 28);
        assert_eq!(MaxFeatures::Count(100).resolve(57), 57);
        assert_eq!(MaxFeatures::All.resolve(1), 1);
    }
}
