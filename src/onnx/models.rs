//! flowlab's models as ONNX nodes: the `f32` feature matrix in, `float [N, classes]`
//! probabilities out, with the arithmetic of each model's `predict_proba`.
//!
//! Tree models (decision tree, random forest, gradient boosting) become one
//! `ai.onnx.ml.TreeEnsembleRegressor` with one target per class (per boosting output): a
//! regressor's `SUM` of leaf weights is exactly what flowlab adds up, and it avoids the
//! classifier's special cases for two classes. Splits are `BRANCH_LEQ` on flowlab's own `f32`
//! thresholds, missing values follow `missing_left` (`nodes_missing_value_tracks_true`), and
//! `+inf` is first lowered to `f32::MAX` as flowlab's walk does. Since the feature matrix holds
//! flowlab's `f32` values (see `features.rs`), every row reaches the leaf it reaches in flowlab.
//! The forest's average and boosting's link (sigmoid or softmax, in `f64`) follow. Logistic
//! regression standardises and multiplies in `f64` like flowlab; the MLP in `f32`. The SVM is
//! the same as logistic regression on its decision values, with the RBF kernel's random Fourier
//! map (`MatMul`, `Add`, `Cos`, `Mul`) in between, in `f64`.

use super::builder::{Attr, Builder, ML};
use super::proto::dtype;
use super::OnnxError;
use crate::models::boosting::RegressionNode;
use crate::models::standardize::{Standardizer, CLIP};
use crate::models::tree::{DecisionTree, Node};
use crate::models::Model;

/// Appends the model to the graph; returns the probabilities' value name (`float [N, k]`).
pub fn probabilities(b: &mut Builder, model: &Model, x: &str) -> Result<String, OnnxError> {
    match model {
        Model::Dt(t) => {
            let mut e = Ensemble::new(t.n_classes());
            e.add_tree(t);
            Ok(e.emit(b, x))
        }
        Model::Rf(f) => {
            let k = f.n_classes();
            let mut e = Ensemble::new(k);
            for t in f.trees() {
                e.add_tree(t);
            }
            let sum = e.emit(b, x);
            let inv = b.floats(&[], &[1.0 / f.trees().len().max(1) as f32]);
            Ok(b.bin("Mul", &sum, &inv))
        }
        Model::Gbdt(g) => boosting(b, g, x),
        Model::Logreg(m) => {
            let z = standardize(b, &m.standardizer, x);
            let d = m.standardizer.n_features() as i64;
            let k = m.n_classes() as i64;
            let w = b.doubles(&[d, k], &m.coef);
            let bias = b.doubles(&[k], &m.intercept);
            let logits = b.bin("MatMul", &z, &w);
            let logits = b.bin("Add", &logits, &bias);
            let p = b.op("Softmax", &[&logits], vec![("axis", Attr::Int(-1))]);
            Ok(b.cast(&p, dtype::FLOAT))
        }
        Model::Mlp(m) => {
            let z = standardize(b, &m.standardizer, x);
            let mut a = b.cast(&z, dtype::FLOAT);
            let last = m.layers.len().saturating_sub(1);
            for (l, layer) in m.layers.iter().enumerate() {
                let w = b.floats(&[layer.n_in as i64, layer.n_out as i64], &layer.weights);
                let bias = b.floats(&[layer.n_out as i64], &layer.bias);
                let y = b.bin("MatMul", &a, &w);
                let y = b.bin("Add", &y, &bias);
                a = if l < last {
                    b.op("Relu", &[&y], vec![])
                } else {
                    b.op("Softmax", &[&y], vec![("axis", Attr::Int(-1))])
                };
            }
            Ok(a)
        }
        Model::Nb(_) => Err(OnnxError::UnsupportedModel("nb")),
        Model::Gru(_) => Err(OnnxError::UnsupportedModel("gru")),
        Model::Lstm(_) => Err(OnnxError::UnsupportedModel("lstm")),
        Model::Cnn1d(_) => Err(OnnxError::UnsupportedModel("cnn1d")),
        Model::Svm(m) => {
            let mut z = standardize(b, &m.standardizer, x);
            if let Some(f) = &m.fourier {
                // φ = scale · cos(z·ω + b), in f64 as `FourierFeatures::map`.
                let d = m.standardizer.n_features() as i64;
                let c = f.offset.len() as i64;
                let w = b.doubles(&[d, c], &f.weights);
                let offset = b.doubles(&[c], &f.offset);
                let t = b.bin("MatMul", &z, &w);
                let t = b.bin("Add", &t, &offset);
                let t = b.op("Cos", &[&t], vec![]);
                let scale = b.double(f.scale);
                z = b.bin("Mul", &t, &scale);
            }
            let k = m.n_classes() as i64;
            let inputs = (m.coef.len() / m.n_classes().max(1)) as i64;
            let w = b.doubles(&[inputs, k], &m.coef);
            let bias = b.doubles(&[k], &m.intercept);
            let scores = b.bin("MatMul", &z, &w);
            let scores = b.bin("Add", &scores, &bias);
            let p = b.op("Softmax", &[&scores], vec![("axis", Attr::Int(-1))]);
            Ok(b.cast(&p, dtype::FLOAT))
        }
    }
}

/// The standardiser in `f64` (`double [N, d]` out): missing → the training median,
/// `(v − mean) / std`, NaN → 0, clipped to `±CLIP`, as `Standardizer::scale_f64`.
fn standardize(b: &mut Builder, s: &Standardizer, x: &str) -> String {
    let d = s.n_features() as i64;
    let xd = b.cast(x, dtype::DOUBLE);
    let nan = b.op("IsNaN", &[&xd], vec![]);
    let median = b.doubles(&[d], &s.median);
    let v = b.select(&nan, &median, &xd);
    let mean = b.doubles(&[d], &s.mean);
    let std = b.doubles(&[d], &s.std);
    let c = b.bin("Sub", &v, &mean);
    let z = b.bin("Div", &c, &std);
    let z_nan = b.op("IsNaN", &[&z], vec![]);
    let zero = b.double(0.0);
    let z = b.select(&z_nan, &zero, &z);
    let lo = b.double(-(CLIP as f64));
    let hi = b.double(CLIP as f64);
    let z = b.bin("Max", &z, &lo);
    b.bin("Min", &z, &hi)
}

/// Gradient boosting: leaf values summed per output (`f32` in the ensemble), plus the initial
/// scores in `f64`, through flowlab's link.
fn boosting(
    b: &mut Builder,
    g: &crate::models::boosting::GradientBoosting,
    x: &str,
) -> Result<String, OnnxError> {
    let m = g.n_outputs();
    if m == 0 {
        return Err(OnnxError::UnsupportedModel("gbdt with a single class"));
    }
    let mut e = Ensemble::new(m);
    for (t, tree) in g.trees().iter().enumerate() {
        e.add_regression_tree(&tree.nodes, t % m);
    }
    let sum = e.emit(b, x);
    let sum = b.cast(&sum, dtype::DOUBLE);
    let init = b.doubles(&[m as i64], g.init_scores());
    let scores = b.bin("Add", &sum, &init);
    let p = if m == 1 {
        // p(1) = 1 / (1 + e^−s), p(0) = 1 − p(1).
        let q = b.op("Sigmoid", &[&scores], vec![]);
        let one = b.double(1.0);
        let q0 = b.bin("Sub", &one, &q);
        b.op("Concat", &[&q0, &q], vec![("axis", Attr::Int(1))])
    } else {
        b.op("Softmax", &[&scores], vec![("axis", Attr::Int(-1))])
    };
    Ok(b.cast(&p, dtype::FLOAT))
}

/// The attributes of a `TreeEnsembleRegressor`, tree by tree.
struct Ensemble {
    targets: usize,
    trees: i64,
    tree_ids: Vec<i64>,
    node_ids: Vec<i64>,
    features: Vec<i64>,
    modes: Vec<String>,
    values: Vec<f32>,
    true_ids: Vec<i64>,
    false_ids: Vec<i64>,
    missing_true: Vec<i64>,
    t_tree: Vec<i64>,
    t_node: Vec<i64>,
    t_id: Vec<i64>,
    t_weight: Vec<f32>,
}

impl Ensemble {
    fn new(targets: usize) -> Self {
        Ensemble {
            targets,
            trees: 0,
            tree_ids: Vec::new(),
            node_ids: Vec::new(),
            features: Vec::new(),
            modes: Vec::new(),
            values: Vec::new(),
            true_ids: Vec::new(),
            false_ids: Vec::new(),
            missing_true: Vec::new(),
            t_tree: Vec::new(),
            t_node: Vec::new(),
            t_id: Vec::new(),
            t_weight: Vec::new(),
        }
    }

    /// One node: a split (`Some((feature, threshold, missing_left, left, right))`) or a leaf.
    fn node(&mut self, id: usize, split: Option<(u32, f32, bool, u32, u32)>) {
        self.tree_ids.push(self.trees);
        self.node_ids.push(id as i64);
        match split {
            Some((f, thr, missing_left, l, r)) => {
                self.features.push(f as i64);
                self.modes.push("BRANCH_LEQ".into());
                self.values.push(thr);
                self.true_ids.push(l as i64);
                self.false_ids.push(r as i64);
                self.missing_true.push(missing_left as i64);
            }
            None => {
                self.features.push(0);
                self.modes.push("LEAF".into());
                self.values.push(0.0);
                self.true_ids.push(0);
                self.false_ids.push(0);
                self.missing_true.push(0);
            }
        }
    }

    fn leaf_weight(&mut self, id: usize, target: usize, w: f32) {
        self.t_tree.push(self.trees);
        self.t_node.push(id as i64);
        self.t_id.push(target as i64);
        self.t_weight.push(w);
    }

    /// A classification tree: each leaf adds its class probabilities.
    fn add_tree(&mut self, t: &DecisionTree) {
        for (i, n) in t.nodes().iter().enumerate() {
            let n: &Node = n;
            if n.is_leaf() {
                self.node(i, None);
                for (c, &p) in t.leaf_proba(n.leaf as usize).iter().enumerate() {
                    self.leaf_weight(i, c, p);
                }
            } else {
                self.node(
                    i,
                    Some((n.feature, n.threshold, n.missing_left, n.left, n.right)),
                );
            }
        }
        self.trees += 1;
    }

    /// A boosting tree: each leaf adds its value to output `target`.
    fn add_regression_tree(&mut self, nodes: &[RegressionNode], target: usize) {
        for (i, n) in nodes.iter().enumerate() {
            if n.left == 0 {
                self.node(i, None);
                self.leaf_weight(i, target, n.value);
            } else {
                self.node(
                    i,
                    Some((n.feature, n.threshold, n.missing_left, n.left, n.right)),
                );
            }
        }
        self.trees += 1;
    }

    /// The regressor node on `x` (after lowering `+inf` to `f32::MAX`); `float [N, targets]`.
    fn emit(self, b: &mut Builder, x: &str) -> String {
        let max = b.floats(&[], &[f32::MAX]);
        let above = b.bin("Greater", x, &max);
        let x = b.select(&above, &max, x);
        b.op_in(
            "TreeEnsembleRegressor",
            ML,
            &[&x],
            vec![
                ("n_targets", Attr::Int(self.targets as i64)),
                ("aggregate_function", Attr::Str("SUM".into())),
                ("post_transform", Attr::Str("NONE".into())),
                ("nodes_treeids", Attr::Ints(self.tree_ids)),
                ("nodes_nodeids", Attr::Ints(self.node_ids)),
                ("nodes_featureids", Attr::Ints(self.features)),
                ("nodes_modes", Attr::Strs(self.modes)),
                ("nodes_values", Attr::Floats(self.values)),
                ("nodes_truenodeids", Attr::Ints(self.true_ids)),
                ("nodes_falsenodeids", Attr::Ints(self.false_ids)),
                (
                    "nodes_missing_value_tracks_true",
                    Attr::Ints(self.missing_true),
                ),
                ("target_treeids", Attr::Ints(self.t_tree)),
                ("target_nodeids", Attr::Ints(self.t_node)),
                ("target_ids", Attr::Ints(self.t_id)),
                ("target_weights", Attr::Floats(self.t_weight)),
            ],
        )
    }
}
