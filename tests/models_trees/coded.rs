//! The coded walk of a random forest (`models::coded`: one byte per tested feature, pure leaves
//! in their node) and its [`CellCache`] give the float walk's bits: pure and impure leaves,
//! missing values, values on a threshold and one float either side, ±inf and -0, in one call
//! or in slices of every size sharing one cache (small caches that fill up and start again).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::Matrix;
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::{no_progress, CellCache};

use super::cells::{forest_exact, forest_splits, repeated_with_edges};
use super::synthetic;

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|p| p.to_bits()).collect()
}

/// Rows `start..end` of `x`.
fn slice(x: &Matrix, start: usize, end: usize) -> Matrix {
    Matrix {
        rows: end - start,
        cols: x.cols,
        data: x.data[start * x.cols..end * x.cols].to_vec(),
    }
}

/// A forest whose leaves are mostly impure (large leaves, shallow trees), and its edge rows.
fn impure_forest() -> (RandomForest, Matrix) {
    let (x, y) = synthetic(600, 5, 21);
    let params = RandomForestParams {
        n_trees: 12,
        min_samples_leaf: 15,
        max_depth: Some(5),
        ..Default::default()
    };
    let f = RandomForest::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
    let (splits, roots) = forest_splits(&f);
    let big = repeated_with_edges(&x, 6, &splits, |i| if i < roots { 8 } else { 2 });
    (f, big)
}

#[test]
fn impure_leaves_walk_exactly() {
    let (f, big) = impure_forest();
    let impure = f
        .trees()
        .iter()
        .flat_map(|t| (0..t.n_leaves()).map(move |l| t.leaf_proba(l)))
        .filter(|p| p.iter().filter(|&&v| v != 0.0).count() > 1)
        .count();
    assert!(impure > 50, "{impure} impure leaves");
    forest_exact(&f, &big);
}

#[test]
fn a_cache_shared_by_calls_gives_the_same_bits() {
    let (f, big) = impure_forest();
    let want = bits(&f.predict_proba_walked(&big).unwrap());
    // Slices below and above the size where deduplication starts; the second pass finds
    // every cell in the cache (unless it is too small to keep them).
    for cap in [CellCache::CAP, 40] {
        let cache = CellCache::with_cap(cap);
        for pass in 0..2 {
            let mut got = Vec::new();
            let mut start = 0;
            for (i, len) in [1, 700, 3000, 1500].into_iter().cycle().enumerate() {
                if start == big.rows {
                    break;
                }
                let end = (start + len + i).min(big.rows);
                got.extend(
                    f.predict_proba_cached(&slice(&big, start, end), &cache)
                        .unwrap(),
                );
                start = end;
            }
            assert_eq!(bits(&got), want, "cap {cap}, pass {pass}");
            assert!(!cache.is_empty() && cache.len() <= cap, "{}", cache.len());
        }
    }
}
