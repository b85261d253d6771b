//! Explanations: per row, per class, one contribution per feature plus an expected value, in
//! the model's output space, adding up exactly to the model's output.
//!
//! - Decision tree and random forest: exact TreeSHAP ([`tree`]) on the leaf class
//!   probabilities; a forest's values are the mean of its trees'. Output: the probability.
//! - Gradient boosting: exact TreeSHAP on the leaf values, per class on the raw score (as
//!   LightGBM's `predict_contrib`); the expected value includes the initial score. With two
//!   classes the model has one score `s` (the log odds of class 1): class 1 is explained on `s`,
//!   class 0 on `−s`. Output: the raw score.
//! - Logistic regression: exact linear contributions on the class scores (the softmax's
//!   inputs): `coef[j][k] · z_j` with `z_j` the standardised value (0 at the training mean), the
//!   expected value being the intercept. A probability is not linear in the features, so the
//!   contributions are exact on the score. Output: the raw score.
//! - Linear SVM: the same, on the decision values (the one-vs-rest SVMs' scores, the softmax's
//!   inputs). Output: the raw score (the decision value).
//! - MLP, naive Bayes and the RBF SVM are not explained ([`ModelError::NotExplained`]).

pub(crate) mod tree;

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::data::Matrix;
use crate::models::cells::{by_cells, Cells};
use crate::models::registry::Model;
use crate::models::{check_width, ModelError};
use tree::{Out, Path, ShapNode, ShapTree};

/// What an explanation's numbers add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputSpace {
    /// The class probability (decision tree, random forest).
    Probability,
    /// The class's raw score before the link (gradient boosting, logistic regression).
    RawScore,
}

/// A model prepared for explanation: per-tree node data laid out once, reused for every row.
#[derive(Debug, Clone)]
pub struct Explainer {
    kind: Kind,
    n_features: usize,
    n_classes: usize,
    expected: Vec<f64>,
    space: OutputSpace,
    /// The trees' cells, for explaining each distinct cell once (tree models only).
    cells: Option<Cells>,
}

#[derive(Debug, Clone)]
enum Kind {
    /// Trees whose outputs are all classes (dt, rf), each scaled by `scale`.
    Trees { trees: Vec<ShapTree>, scale: f64 },
    /// Boosting: tree `t` explains output `t % outputs`; `binary` mirrors the one score.
    Boosted {
        trees: Vec<ShapTree>,
        outputs: usize,
        binary: bool,
    },
    /// Logistic regression, linear SVM: class scores linear in the standardised inputs.
    Linear(Linear),
}

/// Class scores `intercept[c] + Σ_j coef[j][c] · z_j` on standardised inputs `z`.
#[derive(Debug, Clone)]
struct Linear {
    standardizer: crate::models::standardize::Standardizer,
    /// `features × classes`, row-major.
    coef: Vec<f64>,
    intercept: Vec<f64>,
}

impl Linear {
    /// The explanation of a linear model (logistic regression, linear SVM): a copy of its
    /// standardisation and weights.
    fn kind(
        standardizer: &crate::models::standardize::Standardizer,
        coef: &[f64],
        intercept: &[f64],
    ) -> Kind {
        Kind::Linear(Linear {
            standardizer: standardizer.clone(),
            coef: coef.to_vec(),
            intercept: intercept.to_vec(),
        })
    }
}

/// A decision tree's node as TreeSHAP walks it (its training rows as cover).
impl From<&crate::models::tree::Node> for ShapNode {
    fn from(n: &crate::models::tree::Node) -> ShapNode {
        ShapNode {
            left: n.left,
            feature: n.feature,
            threshold: n.threshold,
            missing_left: n.missing_left,
            cover: n.samples as f64,
        }
    }
}

/// A boosting tree's node as TreeSHAP walks it (its training rows as cover).
impl From<&crate::models::boosting::RegressionNode> for ShapNode {
    fn from(n: &crate::models::boosting::RegressionNode) -> ShapNode {
        ShapNode {
            left: n.left,
            feature: n.feature,
            threshold: n.threshold,
            missing_left: n.missing_left,
            cover: n.samples as f64,
        }
    }
}

fn dt_tree(t: &crate::models::tree::DecisionTree) -> ShapTree {
    let k = t.n_classes();
    let mut values = vec![0.0; t.nodes().len() * k];
    let nodes = t
        .nodes()
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if n.is_leaf() {
                for (v, &p) in values[i * k..(i + 1) * k]
                    .iter_mut()
                    .zip(t.leaf_proba(n.leaf as usize))
                {
                    *v = p as f64;
                }
            }
            ShapNode::from(n)
        })
        .collect();
    ShapTree::new(nodes, values, k)
}

fn boosted_tree(t: &crate::models::boosting::RegressionTree) -> ShapTree {
    let nodes = t.nodes.iter().map(ShapNode::from).collect();
    let values = t.nodes.iter().map(|n| n.value as f64).collect();
    ShapTree::new(nodes, values, 1)
}

impl Explainer {
    /// Prepares `model` (typed error for the models that are not explained).
    pub fn new(model: &Model) -> Result<Explainer, ModelError> {
        let (kind, n_features, n_classes, space) = match model {
            Model::Dt(t) => (
                Kind::Trees {
                    trees: vec![dt_tree(t)],
                    scale: 1.0,
                },
                t.n_features(),
                t.n_classes(),
                OutputSpace::Probability,
            ),
            Model::Rf(f) => (
                Kind::Trees {
                    trees: f.trees().iter().map(dt_tree).collect(),
                    scale: 1.0 / f.trees().len().max(1) as f64,
                },
                f.n_features(),
                f.n_classes(),
                OutputSpace::Probability,
            ),
            Model::Gbdt(g) => (
                Kind::Boosted {
                    trees: g.trees().iter().map(boosted_tree).collect(),
                    outputs: g.n_outputs(),
                    binary: g.n_outputs() == 1,
                },
                g.n_features(),
                g.n_classes(),
                OutputSpace::RawScore,
            ),
            Model::Logreg(m) => (
                Linear::kind(&m.standardizer, &m.coef, &m.intercept),
                m.n_features(),
                m.n_classes(),
                OutputSpace::RawScore,
            ),
            Model::Svm(m) if m.fourier.is_none() => (
                Linear::kind(&m.standardizer, &m.coef, &m.intercept),
                m.n_features(),
                m.n_classes(),
                OutputSpace::RawScore,
            ),
            Model::Svm(_) => {
                return Err(ModelError::NotExplained {
                    model: "SVM with the RBF kernel",
                })
            }
            Model::Mlp(_) => return Err(ModelError::NotExplained { model: "MLP" }),
            Model::Gru(_) => return Err(ModelError::NotExplained { model: "GRU" }),
            Model::Lstm(_) => return Err(ModelError::NotExplained { model: "LSTM" }),
            Model::Cnn1d(_) => return Err(ModelError::NotExplained { model: "1D-CNN" }),
            Model::Nb(_) => {
                return Err(ModelError::NotExplained {
                    model: "Gaussian naive Bayes",
                })
            }
        };
        let mut e = Explainer {
            kind,
            n_features,
            n_classes,
            expected: vec![0.0; n_classes],
            space,
            cells: None,
        };
        e.cells = match &e.kind {
            Kind::Trees { trees, .. } | Kind::Boosted { trees, .. } => {
                Cells::new(trees.iter().flat_map(|t| {
                    t.nodes
                        .iter()
                        .filter(|n| n.left != 0)
                        .map(|n| (n.feature, n.threshold))
                }))
            }
            Kind::Linear(_) => None,
        };
        e.expected = e.compute_expected(model);
        Ok(e)
    }

    fn compute_expected(&self, model: &Model) -> Vec<f64> {
        let k = self.n_classes;
        let mut out = vec![0.0; k];
        match &self.kind {
            Kind::Trees { trees, scale } => {
                for t in trees {
                    t.add_expected(&mut out);
                }
                out.iter_mut().for_each(|v| *v *= scale);
            }
            Kind::Boosted {
                trees,
                outputs,
                binary,
            } => {
                let Model::Gbdt(g) = model else { return out };
                let mut raw = g.init_scores().to_vec();
                for (i, t) in trees.iter().enumerate() {
                    t.add_expected(&mut raw[i % outputs..i % outputs + 1]);
                }
                if *binary {
                    out = vec![-raw[0], raw[0]];
                } else if raw.len() == k {
                    out = raw;
                }
            }
            Kind::Linear(m) => out.copy_from_slice(&m.intercept),
        }
        out
    }

    /// Expected value per class (the model's output with no feature known).
    pub fn expected_value(&self) -> &[f64] {
        &self.expected
    }

    /// What the contributions add up to.
    pub fn output_space(&self) -> OutputSpace {
        self.space
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    /// Number of features (the model's input columns).
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// Scratch for [`Explainer::explain_into`] (one per thread; reuse it across rows).
    pub fn scratch(&self) -> Scratch {
        let path = match &self.kind {
            Kind::Trees { trees, .. } | Kind::Boosted { trees, .. } => Path::new(
                trees.iter().map(|t| t.depth).max().unwrap_or(0),
                trees.iter().map(ShapTree::points).max().unwrap_or(1),
            ),
            Kind::Linear(_) => Path::default(),
        };
        Scratch { path }
    }

    /// Contributions of `row` (`n_features` values), written to `phi` (`n_features ×
    /// n_classes`, row-major: `phi[f * n_classes + c]`). `expected_value()[c] + Σ_f phi[f][c]`
    /// is the model's output for class `c`.
    pub fn explain_into(&self, row: &[f32], phi: &mut [f64], scratch: &mut Scratch) {
        let k = self.n_classes;
        phi.fill(0.0);
        match &self.kind {
            Kind::Trees { trees, scale } => {
                for t in trees {
                    let out = Out {
                        phi,
                        width: k,
                        col: 0,
                        scale: *scale,
                    };
                    t.shap(row, out, &mut scratch.path);
                }
            }
            Kind::Boosted {
                trees,
                outputs,
                binary,
            } => {
                for (i, t) in trees.iter().enumerate() {
                    let col = if *binary { 1 } else { i % outputs };
                    let out = Out {
                        phi,
                        width: k,
                        col,
                        scale: 1.0,
                    };
                    t.shap(row, out, &mut scratch.path);
                }
                if *binary {
                    for f in phi.chunks_mut(k) {
                        f[0] = -f[1];
                    }
                }
            }
            Kind::Linear(m) => {
                for (j, (f, &v)) in phi.chunks_mut(k).zip(row).enumerate() {
                    let z = m.standardizer.scale_f64(j, v);
                    for (p, &w) in f.iter_mut().zip(&m.coef[j * k..(j + 1) * k]) {
                        *p = w * z;
                    }
                }
            }
        }
    }

    /// How many trees the model has (1 for a linear model): the unit
    /// [`Explainer::explain_trees`] splits the work by.
    pub fn n_trees(&self) -> usize {
        match &self.kind {
            Kind::Trees { trees, .. } | Kind::Boosted { trees, .. } => trees.len(),
            Kind::Linear(_) => 1,
        }
    }

    /// Contributions of every row of `x`: `rows × n_features × n_classes`. For the tree
    /// models, rows in the same cell (the same answer to every split of every tree, see
    /// [`crate::models::cells`]) take the same path through every tree, so TreeSHAP gives them
    /// the same values: each cell is explained once and copied. Natively the trees are spread
    /// over rayon's threads.
    pub fn explain(&self, x: &Matrix) -> Result<Vec<f64>, ModelError> {
        self.explain_trees(x, 0..self.n_trees())
    }

    /// The share of [`Explainer::explain`] that trees `trees` make (a linear model is one
    /// "tree", index 0). TreeSHAP values add up over trees (a forest's are the mean of its
    /// trees', a boosting's their sum), so the parts of any cut of `0..n_trees()` add up to
    /// `explain`'s values, to rounding: this is how the page spreads an explanation over its
    /// pool of workers, each explaining every row on a range of trees.
    pub fn explain_trees(&self, x: &Matrix, trees: Range<usize>) -> Result<Vec<f64>, ModelError> {
        check_width(self.n_features, x)?;
        let w = self.n_features * self.n_classes;
        let trees = trees.start.min(self.n_trees())..trees.end.min(self.n_trees());
        by_cells(self.cells.as_ref(), x, w, |x| {
            Ok(self.explain_walk(x, &trees))
        })
    }

    /// Every row of `x` explained on `trees` (width checked). Natively, with enough trees,
    /// each thread takes a range of the trees over every row into its own buffer and the
    /// buffers are added: each tree still groups all the rows by split pattern, which cutting
    /// the rows into blocks would not (rows in different blocks cannot share a walk). With
    /// fewer trees than twice the threads (a decision tree, a linear model), the rows are cut
    /// into one block per thread instead.
    fn explain_walk(&self, x: &Matrix, trees: &Range<usize>) -> Vec<f64> {
        let w = (self.n_features * self.n_classes).max(1);
        #[cfg(not(target_arch = "wasm32"))]
        {
            use rayon::prelude::*;
            let threads = rayon::current_num_threads().max(1);
            if threads > 1 && trees.len() >= 2 * threads && x.rows > 1 {
                let per = trees.len().div_ceil(threads);
                let ranges: Vec<Range<usize>> = (trees.start..trees.end)
                    .step_by(per)
                    .map(|a| a..(a + per).min(trees.end))
                    .collect();
                return ranges
                    .into_par_iter()
                    .map(|r| {
                        let mut out = vec![0.0; x.rows * w];
                        self.explain_block(x, 0, &mut out, &r);
                        out
                    })
                    .reduce_with(|mut a, b| {
                        a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
                        a
                    })
                    .unwrap_or_else(|| vec![0.0; x.rows * w]);
            }
            if threads > 1 && x.rows > 1 {
                let mut out = vec![0.0; x.rows * w];
                let block = x.rows.div_ceil(threads);
                out.par_chunks_mut(block * w)
                    .enumerate()
                    .for_each(|(b, out)| self.explain_block(x, b * block, out, trees));
                return out;
            }
        }
        let mut out = vec![0.0; x.rows * w];
        self.explain_block(x, 0, &mut out, trees);
        out
    }

    /// Rows `first ..` of `x` (as many as `out` holds) explained into `out` on the trees
    /// `trees` (a linear model, its "tree" 0). Linear models row by row; tree models tree by tree: the block's rows are grouped by their
    /// [`ShapTree::pattern`] (their answers to the tree's splits) and each group explained
    /// once, its values added to every row of the group. Rows that reach different leaves of
    /// a forest still share most trees' patterns, so this saves far more than whole-forest
    /// cells do.
    fn explain_block(&self, x: &Matrix, first: usize, out: &mut [f64], trees: &Range<usize>) {
        let k = self.n_classes;
        let w = (self.n_features * k).max(1);
        let rows = out.len() / w;
        let mut scratch = self.scratch();
        let (all, scale, outputs, binary) = match &self.kind {
            Kind::Linear(_) if !trees.contains(&0) => return,
            Kind::Linear(_) => {
                for (r, phi) in out.chunks_mut(w).enumerate() {
                    self.explain_into(x.row(first + r), phi, &mut scratch);
                }
                return;
            }
            Kind::Trees { trees: all, scale } => (all, *scale, 1, false),
            Kind::Boosted {
                trees: all,
                outputs,
                binary,
            } => (all, 1.0, *outputs, *binary),
        };
        let mut phi = vec![0.0; w];
        let mut keys = Vec::new();
        let mut order: Vec<usize> = Vec::with_capacity(rows);
        for (i, t) in all.iter().enumerate().take(trees.end).skip(trees.start) {
            if t.features.is_empty() {
                continue;
            }
            let col = match (&self.kind, binary) {
                (Kind::Trees { .. }, _) => 0,
                (_, true) => 1,
                _ => i % outputs,
            };
            let words = t.pattern_words();
            keys.resize(rows * words, 0);
            for (r, key) in keys.chunks_mut(words).enumerate() {
                t.pattern(x.row(first + r), key);
            }
            let key = |r: usize| &keys[r * words..(r + 1) * words];
            order.clear();
            order.extend(0..rows);
            order.sort_unstable_by(|&a, &b| key(a).cmp(key(b)));
            for group in order.chunk_by(|&a, &b| key(a) == key(b)) {
                for &f in &t.features {
                    let at = f as usize * k + col;
                    phi[at..at + t.outputs].fill(0.0);
                }
                let o = Out {
                    phi: &mut phi,
                    width: k,
                    col,
                    scale,
                };
                t.shap(x.row(first + group[0]), o, &mut scratch.path);
                for &r in group {
                    let row = &mut out[r * w..(r + 1) * w];
                    for &f in &t.features {
                        let at = f as usize * k + col;
                        for (a, b) in row[at..at + t.outputs].iter_mut().zip(&phi[at..]) {
                            *a += b;
                        }
                    }
                }
            }
        }
        if binary {
            for f in out.chunks_mut(2) {
                f[0] = -f[1];
            }
        }
    }
}

/// Per-thread scratch for [`Explainer::explain_into`].
#[derive(Debug, Clone)]
pub struct Scratch {
    path: Path,
}
