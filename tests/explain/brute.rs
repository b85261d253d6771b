//! TreeSHAP against Shapley values by brute force: every subset of the features enumerated,
//! the tree's expected output given a subset computed by its definition (known feature: follow
//! the row; unknown: both branches weighted by the training rows that went each way).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::models::boosting::GradientBoostingParams;
use flowlab::models::forest::RandomForestParams;
use flowlab::models::shap::Explainer;
use flowlab::models::tree::DecisionTreeParams;
use flowlab::models::{no_progress, Model, ModelSpec};

/// A tree as plain data: per node `(left, feature, threshold, missing_left, samples)` and
/// `outputs` values per node (leaves only).
pub(super) struct Plain {
    pub(super) nodes: Vec<(usize, usize, f32, bool, f64)>,
    pub(super) values: Vec<f64>,
    pub(super) outputs: usize,
}

impl Plain {
    /// Training rows under `node` (a leaf's own count, at least one).
    pub(super) fn cover(&self, node: usize) -> f64 {
        let (l, ..) = self.nodes[node];
        if l == 0 {
            self.nodes[node].4.max(1.0)
        } else {
            self.cover(l) + self.cover(l + 1)
        }
    }

    /// Expected output of the tree for `row` when only the features in `known` are known.
    fn given(&self, node: usize, row: &[f32], known: u32, out: &mut [f64], weight: f64) {
        let (l, f, t, ml, _) = self.nodes[node];
        if l == 0 {
            for (o, v) in out.iter_mut().zip(&self.values[node * self.outputs..]) {
                *o += weight * v;
            }
        } else if known & (1 << f) != 0 {
            let v = row[f];
            let left = if v.is_nan() { ml } else { v <= t };
            self.given(if left { l } else { l + 1 }, row, known, out, weight);
        } else {
            let (cl, cr) = (self.cover(l), self.cover(l + 1));
            self.given(l, row, known, out, weight * cl / (cl + cr));
            self.given(l + 1, row, known, out, weight * cr / (cl + cr));
        }
    }
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// Shapley values (`d × outputs`) of `row` for the sum of `trees` times `scale`, by enumeration.
fn brute(trees: &[Plain], scale: f64, row: &[f32], d: usize, outputs: usize) -> Vec<f64> {
    let value = |known: u32| {
        let mut out = vec![0.0; outputs];
        for t in trees {
            t.given(0, row, known, &mut out, scale);
        }
        out
    };
    let mut phi = vec![0.0; d * outputs];
    for i in 0..d {
        for s in 0u32..(1 << d) {
            if s & (1 << i) != 0 {
                continue;
            }
            let size = s.count_ones() as usize;
            let w = factorial(size) * factorial(d - size - 1) / factorial(d);
            let (with, without) = (value(s | (1 << i)), value(s));
            for o in 0..outputs {
                phi[i * outputs + o] += w * (with[o] - without[o]);
            }
        }
    }
    phi
}

/// 300 rows of 5 features; the class depends on features 0, 1 and 2 (3 classes); some missing.
fn small_data(seed: u64) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(seed, 5);
    let (n, d) = (300, 5);
    let mut data = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let mut row: Vec<f32> = (0..d).map(|_| (rng.unit() * 10.0) as f32).collect();
        let c = if row[0] < 3.0 || row[2] > 8.0 {
            0
        } else if row[1] < 5.0 {
            1
        } else {
            2
        };
        if rng.unit() < 0.05 {
            row[1] = f32::NAN;
        }
        y.push(if rng.unit() < 0.1 {
            rng.below(3) as u32
        } else {
            c
        });
        data.extend(row);
    }
    (
        Matrix {
            rows: n,
            cols: d,
            data,
        },
        y,
    )
}

pub(super) fn dt_plain(t: &flowlab::models::tree::DecisionTree) -> Plain {
    let k = t.n_classes();
    let mut values = vec![0.0; t.nodes().len() * k];
    for (i, n) in t.nodes().iter().enumerate().filter(|(_, n)| n.is_leaf()) {
        for (v, &p) in values[i * k..]
            .iter_mut()
            .zip(t.leaf_proba(n.leaf as usize))
        {
            *v = p as f64;
        }
    }
    let nodes = t.nodes().iter().map(|n| {
        (
            n.left as usize,
            n.feature as usize,
            n.threshold,
            n.missing_left,
            n.samples as f64,
        )
    });
    Plain {
        nodes: nodes.collect(),
        values,
        outputs: k,
    }
}

/// TreeSHAP of every row equals the brute-force values to 1e-6.
fn check(model: &Model, x: &Matrix, trees: &[(Plain, usize)], scale: f64, outputs: usize) {
    let e = Explainer::new(model).unwrap();
    let k = e.n_classes();
    let phi = e.explain(x).unwrap();
    let mut nonzero = 0;
    for r in 0..x.rows {
        let mut want = vec![0.0; x.cols * k];
        // Group the trees by the output they feed (boosting: tree t → output t % outputs).
        for o in 0..outputs {
            let group: Vec<&Plain> = trees.iter().filter(|t| t.1 == o).map(|t| &t.0).collect();
            let plain: Vec<Plain> = group
                .iter()
                .map(|p| Plain {
                    nodes: p.nodes.clone(),
                    values: p.values.clone(),
                    outputs: p.outputs,
                })
                .collect();
            let w = plain.first().map_or(1, |p| p.outputs);
            let b = brute(&plain, scale, x.row(r), x.cols, w);
            for f in 0..x.cols {
                for j in 0..w {
                    want[f * k + o + j] = b[f * w + j];
                }
            }
        }
        if k == 2 && outputs == 1 && trees[0].0.outputs == 1 {
            // Binary boosting: class 1 on the score, class 0 on its negation.
            for f in 0..x.cols {
                want[f * 2 + 1] = want[f * 2];
                want[f * 2] = -want[f * 2 + 1];
            }
        }
        let got = &phi[r * x.cols * k..(r + 1) * x.cols * k];
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!((g - w).abs() < 1e-6, "row {r} entry {i}: {g} vs {w}");
            nonzero += usize::from(w.abs() > 1e-3);
        }
    }
    assert!(
        nonzero > x.rows,
        "the trees should attribute something ({nonzero})"
    );
}

#[test]
fn treeshap_equals_brute_force_on_a_small_tree() {
    let (x, y) = small_data(1);
    let params = DecisionTreeParams {
        max_depth: Some(6),
        ..Default::default()
    };
    let model = ModelSpec::Dt(params)
        .fit(&x, &y, 3, &mut no_progress())
        .unwrap();
    let Model::Dt(t) = &model else { panic!() };
    // Deep enough that a feature is split on twice along a path (the unwind case).
    assert!(t.depth() >= 5);
    let small = Matrix {
        rows: 60,
        cols: x.cols,
        data: x.data[..60 * x.cols].to_vec(),
    };
    check(&model, &small, &[(dt_plain(t), 0)], 1.0, 1);
}

#[test]
fn treeshap_equals_brute_force_on_a_small_forest() {
    let (x, y) = small_data(2);
    let params = RandomForestParams {
        n_trees: 4,
        max_depth: Some(4),
        ..Default::default()
    };
    let model = ModelSpec::Rf(params)
        .fit(&x, &y, 3, &mut no_progress())
        .unwrap();
    let Model::Rf(f) = &model else { panic!() };
    let trees: Vec<(Plain, usize)> = f.trees().iter().map(|t| (dt_plain(t), 0)).collect();
    let small = Matrix {
        rows: 40,
        cols: x.cols,
        data: x.data[..40 * x.cols].to_vec(),
    };
    check(&model, &small, &trees, 0.25, 1);
}

#[test]
fn treeshap_equals_brute_force_on_small_boosting() {
    for (classes, y_map) in [(3usize, None), (2, Some(()))] {
        let (x, mut y) = small_data(3);
        if y_map.is_some() {
            y.iter_mut().for_each(|c| *c = u32::from(*c > 0));
        }
        let params = GradientBoostingParams {
            n_rounds: 5,
            max_depth: Some(3),
            ..Default::default()
        };
        let model = ModelSpec::Gbdt(params)
            .fit(&x, &y, classes, &mut no_progress())
            .unwrap();
        let Model::Gbdt(g) = &model else { panic!() };
        let m = g.n_outputs();
        let trees: Vec<(Plain, usize)> = g
            .trees()
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let nodes = t.nodes.iter().map(|n| {
                    (
                        n.left as usize,
                        n.feature as usize,
                        n.threshold,
                        n.missing_left,
                        n.samples as f64,
                    )
                });
                let values = t.nodes.iter().map(|n| n.value as f64).collect();
                (
                    Plain {
                        nodes: nodes.collect(),
                        values,
                        outputs: 1,
                    },
                    i % m,
                )
            })
            .collect();
        let small = Matrix {
            rows: 40,
            cols: x.cols,
            data: x.data[..40 * x.cols].to_vec(),
        };
        check(&model, &small, &trees, 1.0, m);
    }
}
