//! flowlab's TreeSHAP (Gauss–Legendre quadrature, trees explained once per split pattern)
//! against an independent reference: Algorithm 2 of Lundberg, Erion and Lee (2018), as in the
//! `shap` package's `treeshap.h` (and as flowlab computed it before), on trees too deep for
//! brute force — unrestricted trees on the IoT-23 fixture, where features repeat along paths
//! and the quadrature needs many points.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::brute::{dt_plain, Plain};
use super::iot23;
use flowlab::data::Matrix;
use flowlab::ingest::Taxonomy;
use flowlab::models::forest::RandomForestParams;
use flowlab::models::shap::Explainer;
use flowlab::models::tree::DecisionTreeParams;
use flowlab::models::{no_progress, Model, ModelSpec};

/// One element of Algorithm 2's path: feature, zero and one fractions, subset-size weight.
#[derive(Clone, Copy, Default)]
struct Elem {
    feature: usize,
    zero: f64,
    one: f64,
    weight: f64,
}

fn extend(path: &mut Vec<Elem>, zero: f64, one: f64, feature: usize) {
    let d = path.len();
    path.push(Elem {
        feature,
        zero,
        one,
        weight: if d == 0 { 1.0 } else { 0.0 },
    });
    for i in (0..d).rev() {
        path[i + 1].weight += one * path[i].weight * (i + 1) as f64 / (d + 1) as f64;
        path[i].weight = zero * path[i].weight * (d - i) as f64 / (d + 1) as f64;
    }
}

fn unwind(path: &mut Vec<Elem>, k: usize) {
    let d = path.len() - 1;
    let (one, zero) = (path[k].one, path[k].zero);
    let mut next = path[d].weight;
    for i in (0..d).rev() {
        if one != 0.0 {
            let tmp = path[i].weight;
            path[i].weight = next * (d + 1) as f64 / ((i + 1) as f64 * one);
            next = tmp - path[i].weight * zero * (d - i) as f64 / (d + 1) as f64;
        } else {
            path[i].weight = path[i].weight * (d + 1) as f64 / (zero * (d - i) as f64);
        }
    }
    for i in k..d {
        let (f, z, o) = (path[i + 1].feature, path[i + 1].zero, path[i + 1].one);
        (path[i].feature, path[i].zero, path[i].one) = (f, z, o);
    }
    path.pop();
}

fn unwound_sum(path: &[Elem], k: usize) -> f64 {
    let d = path.len() - 1;
    let (one, zero) = (path[k].one, path[k].zero);
    let mut next = path[d].weight;
    let mut total = 0.0;
    for i in (0..d).rev() {
        if one != 0.0 {
            let tmp = next * (d + 1) as f64 / ((i + 1) as f64 * one);
            total += tmp;
            next = path[i].weight - tmp * zero * (d - i) as f64 / (d + 1) as f64;
        } else {
            total += path[i].weight / zero / ((d - i) as f64 / (d + 1) as f64);
        }
    }
    total
}

/// Algorithm 2's recursion: adds `scale ×` the tree's SHAP values of `row` to `phi`
/// (`features × outputs`).
#[allow(clippy::too_many_arguments)]
fn recurse(
    t: &Plain,
    row: &[f32],
    phi: &mut [f64],
    scale: f64,
    node: usize,
    mut path: Vec<Elem>,
    (zero, one, feature): (f64, f64, usize),
) {
    extend(&mut path, zero, one, feature);
    let (l, f, thr, missing_left, _) = t.nodes[node];
    if l == 0 {
        for i in 1..path.len() {
            let w = unwound_sum(&path, i) * (path[i].one - path[i].zero) * scale;
            for o in 0..t.outputs {
                phi[path[i].feature * t.outputs + o] += w * t.values[node * t.outputs + o];
            }
        }
        return;
    }
    let v = row[f];
    let left = if v.is_nan() { missing_left } else { v <= thr };
    let (hot, cold) = if left { (l, l + 1) } else { (l + 1, l) };
    let (mut z, mut o) = (1.0, 1.0);
    if let Some(k) = (1..path.len()).find(|&k| path[k].feature == f) {
        (z, o) = (path[k].zero, path[k].one);
        unwind(&mut path, k);
    }
    let cover = t.cover(node);
    let hot_frac = t.cover(hot) / cover * z;
    let cold_frac = t.cover(cold) / cover * z;
    recurse(t, row, phi, scale, hot, path.clone(), (hot_frac, o, f));
    recurse(t, row, phi, scale, cold, path, (cold_frac, 0.0, f));
}

/// flowlab's values of every row of `x` equal Algorithm 2's to `tol`.
fn check(model: &Model, trees: &[Plain], scale: f64, x: &Matrix, tol: f64) {
    let e = Explainer::new(model).unwrap();
    let k = e.n_classes();
    let got = e.explain(x).unwrap();
    for r in 0..x.rows {
        let mut want = vec![0.0; x.cols * k];
        for t in trees {
            recurse(
                t,
                x.row(r),
                &mut want,
                scale,
                0,
                Vec::new(),
                (1.0, 1.0, usize::MAX),
            );
        }
        let row = &got[r * x.cols * k..(r + 1) * x.cols * k];
        for (i, (g, w)) in row.iter().zip(&want).enumerate() {
            assert!((g - w).abs() <= tol, "row {r} value {i}: {g} vs {w}");
        }
    }
}

#[test]
fn deep_tree_equals_algorithm_2() {
    let (x, y, k) = iot23(Taxonomy::Raw);
    let model = ModelSpec::Dt(DecisionTreeParams::default())
        .fit(&x, &y, k, &mut no_progress())
        .unwrap();
    let Model::Dt(t) = &model else { panic!() };
    // Deep enough for many quadrature points, with features split on more than once.
    assert!(t.depth() >= 10, "depth {}", t.depth());
    check(&model, &[dt_plain(t)], 1.0, &x, 1e-9);
}

#[test]
fn unrestricted_forest_equals_algorithm_2() {
    let (x, y, k) = iot23(Taxonomy::Attack);
    let params = RandomForestParams {
        n_trees: 8,
        ..Default::default()
    };
    let model = ModelSpec::Rf(params)
        .fit(&x, &y, k, &mut no_progress())
        .unwrap();
    let Model::Rf(f) = &model else { panic!() };
    let trees: Vec<Plain> = f.trees().iter().map(dt_plain).collect();
    assert!(f.trees().iter().map(|t| t.depth()).max().unwrap() >= 8);
    check(&model, &trees, 1.0 / 8.0, &x, 1e-9);
}
