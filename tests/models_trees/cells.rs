//! Deduplicated prediction (rows of one cell predicted once, `models::cells`) gives bit for bit
//! what walking every row gives: forest and boosting (two and three classes), on rows with
//! missing values, values exactly on a threshold and one step either side of it, ±inf and -0.
//! The reference walks rows one at a time (a single row is never deduplicated).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::Matrix;
use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::no_progress;

use super::{small_boost, synthetic};

/// The next float towards +inf (`up`) or -inf.
fn step(t: f32, up: bool) -> f32 {
    if t == 0.0 {
        return if up {
            f32::MIN_POSITIVE
        } else {
            -f32::MIN_POSITIVE
        };
    }
    let bits = t.to_bits();
    f32::from_bits(if (t > 0.0) == up { bits + 1 } else { bits - 1 })
}

/// `x` repeated `times` times, then edited copies of rows of `x`: for every split and each
/// of `per` rows, the split's feature set to one float above its threshold, the threshold
/// itself, one float below, NaN, +inf, -inf and -0 (in that order, so a wrong cell key that
/// merged a threshold with its neighbour would hand the first row's leaf to the next). Roots
/// come first in `splits`: every row reaches them.
pub(super) fn repeated_with_edges(
    x: &Matrix,
    times: usize,
    splits: &[(u32, f32)],
    per: impl Fn(usize) -> usize,
) -> Matrix {
    let mut data = Vec::new();
    for _ in 0..times {
        data.extend_from_slice(&x.data);
    }
    for (i, &(f, t)) in splits.iter().enumerate() {
        for j in 0..per(i) {
            let base = x.row((i * 31 + j * 7) % x.rows);
            for v in [
                step(t, true),
                t,
                step(t, false),
                f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
                -0.0,
            ] {
                let mut row = base.to_vec();
                row[f as usize] = v;
                data.extend_from_slice(&row);
            }
        }
    }
    Matrix {
        rows: data.len() / x.cols,
        cols: x.cols,
        data,
    }
}

/// Row-by-row predictions concatenated (never deduplicated).
pub(super) fn one_by_one<T>(x: &Matrix, predict: impl Fn(&Matrix) -> Vec<T>) -> Vec<T> {
    (0..x.rows)
        .flat_map(|r| {
            predict(&Matrix {
                rows: 1,
                cols: x.cols,
                data: x.row(r).to_vec(),
            })
        })
        .collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|p| p.to_bits()).collect()
}

/// Checks a forest on `x`: deduplication is used (few cells) and exact; the coded walk, on
/// the whole of `x` and row by row, gives the float walk's bits.
pub(super) fn forest_exact(f: &RandomForest, x: &Matrix) {
    let ratio = f.cell_ratio(x).unwrap();
    assert!(ratio < 0.5, "cells / rows = {ratio}");
    let want = bits(&f.predict_proba_walked(x).unwrap());
    assert_eq!(bits(&f.predict_proba(x).unwrap()), want);
    assert_eq!(bits(&one_by_one(x, |r| f.predict_proba(r).unwrap())), want);
}

/// Checks a boosted model on `x`: deduplication is used (few cells) and exact.
pub(super) fn boosting_exact(b: &GradientBoosting, x: &Matrix) {
    let ratio = b.cell_ratio(x).unwrap();
    assert!(ratio < 0.5, "cells / rows = {ratio}");
    let want = one_by_one(x, |r| b.predict_proba(r).unwrap());
    assert_eq!(bits(&b.predict_proba(x).unwrap()), bits(&want));
    let want = one_by_one(x, |r| b.decision_function(r).unwrap());
    let got = b.decision_function(x).unwrap();
    assert_eq!(
        got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        want.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
}

/// Roots first (`roots` of them), then the other splits.
fn roots_first(trees: Vec<Vec<(bool, u32, f32)>>) -> (Vec<(u32, f32)>, usize) {
    let roots: Vec<(u32, f32)> = trees
        .iter()
        .filter_map(|t| t.first().filter(|n| n.0).map(|n| (n.1, n.2)))
        .collect();
    let n = roots.len();
    let rest = trees
        .iter()
        .flat_map(|t| t.iter().skip(1).filter(|n| n.0).map(|n| (n.1, n.2)));
    (roots.into_iter().chain(rest).collect(), n)
}

/// Every split `(feature, threshold)`, the trees' roots first; and the number of roots.
pub(super) fn forest_splits(f: &RandomForest) -> (Vec<(u32, f32)>, usize) {
    roots_first(
        f.trees()
            .iter()
            .map(|t| {
                let n = t.nodes().iter();
                n.map(|n| (!n.is_leaf(), n.feature, n.threshold)).collect()
            })
            .collect(),
    )
}

/// As [`forest_splits`].
pub(super) fn boosting_splits(b: &GradientBoosting) -> (Vec<(u32, f32)>, usize) {
    roots_first(
        b.trees()
            .iter()
            .map(|t| {
                let n = t.nodes.iter();
                n.map(|n| (n.left != 0, n.feature, n.threshold)).collect()
            })
            .collect(),
    )
}

#[test]
fn forest_dedup_is_exact() {
    let (x, y) = synthetic(200, 5, 11);
    let params = RandomForestParams {
        n_trees: 10,
        ..Default::default()
    };
    let f = RandomForest::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
    let (mut splits, roots) = forest_splits(&f);
    splits.truncate(roots + 100);
    let big = repeated_with_edges(&x, 12, &splits, |i| if i < roots { 10 } else { 1 });
    assert!(big.rows >= 3800);
    forest_exact(&f, &big);
}

#[test]
fn boosting_dedup_is_exact() {
    let (x, y) = synthetic(200, 5, 12);
    let three = GradientBoosting::fit(&small_boost(), &x, &y, 3, &mut no_progress()).unwrap();
    let y2: Vec<u32> = y.iter().map(|&c| u32::from(c == 2)).collect();
    let two = GradientBoosting::fit(
        &GradientBoostingParams {
            n_rounds: 30,
            ..small_boost()
        },
        &x,
        &y2,
        2,
        &mut no_progress(),
    )
    .unwrap();
    for b in [&three, &two] {
        let (mut splits, roots) = boosting_splits(b);
        splits.truncate(roots + 100);
        let per = |i| if i < roots { 60 / roots.min(60) } else { 1 };
        let big = repeated_with_edges(&x, 30, &splits, per);
        boosting_exact(b, &big);
    }
}

#[test]
fn small_batches_and_distinct_rows_are_exact_too() {
    // 300 distinct rows (below the size threshold), and 3,000 rows almost all distinct (dedup
    // abandoned): the same bits either way.
    let (x, y) = synthetic(3000, 5, 13);
    let params = RandomForestParams {
        n_trees: 5,
        ..Default::default()
    };
    let f = RandomForest::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
    assert!(f.cell_ratio(&x).unwrap() > 0.5);
    let want = one_by_one(&x, |r| f.predict_proba(r).unwrap());
    assert_eq!(bits(&want), bits(&f.predict_proba_walked(&x).unwrap()));
    assert_eq!(bits(&f.predict_proba(&x).unwrap()), bits(&want));
    let head = Matrix {
        rows: 300,
        cols: x.cols,
        data: x.data[..300 * x.cols].to_vec(),
    };
    assert_eq!(bits(&f.predict_proba(&head).unwrap()), bits(&want[..900]));
}

#[test]
fn large_inputs_go_in_chunks_and_stay_exact() {
    // 65,600 repeated rows (the first chunk of 65,536 and 64 more), then 3,000 distinct ones:
    // the second chunk is mostly distinct and falls back to walking its rows.
    let (x, y) = synthetic(3000, 5, 14);
    let params = RandomForestParams {
        n_trees: 5,
        ..Default::default()
    };
    let f = RandomForest::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
    let mut data = Vec::new();
    for r in 0..65_600 {
        data.extend_from_slice(x.row(r % 100));
    }
    data.extend_from_slice(&x.data);
    let big = Matrix {
        rows: 68_600,
        cols: x.cols,
        data,
    };
    let ratio = f.cell_ratio(&big).unwrap();
    assert!(ratio > 0.002 && ratio < 0.05, "cells / rows = {ratio}");
    let mut want = Vec::new();
    for start in (0..big.rows).step_by(500) {
        let end = (start + 500).min(big.rows);
        want.extend(
            f.predict_proba(&Matrix {
                rows: end - start,
                cols: x.cols,
                data: big.data[start * x.cols..end * x.cols].to_vec(),
            })
            .unwrap(),
        );
    }
    assert_eq!(bits(&f.predict_proba(&big).unwrap()), bits(&want));
    assert_eq!(bits(&f.predict_proba_walked(&big).unwrap()), bits(&want));
}
