//! Permutation importance and learning curves: real values on synthetic data where the answer
//! is known, determinism, subsampling, nesting, class presence and error propagation.
//!
//! Also runs in headless Chromium under `cargo test --target wasm32-unknown-unknown`; the pinned
//! numbers are the same on both targets.

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::eval::importance::{
    permutation_importance, permutation_importance_of, PermutationImportance, PermutationOptions,
};
use flowlab::eval::learning_curve::{learning_curve, learning_curve_sizes, DEFAULT_FRACTIONS};
use flowlab::ingest::MISSING;
use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::leaves::LeafCache;
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::tree::{DecisionTree, DecisionTreeParams};
use flowlab::models::{no_progress, Classifier, ModelError};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// `n` rows, 3 classes: feature 0 decides the class (`class + small noise`), features 1 and 2 are
/// uniform noise.
fn one_informative(n: usize, seed: u64) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(seed, 3);
    let (mut data, mut y) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let c = rng.below(3) as u32;
        data.push(c as f32 + (rng.unit() * 0.5) as f32);
        data.push(rng.unit() as f32);
        data.push((rng.unit() * 100.0) as f32);
        y.push(c);
    }
    (
        Matrix {
            rows: n,
            cols: 3,
            data,
        },
        y,
    )
}

/// A fixed model: class = floor(feature 0), certain.
fn oracle(m: &Matrix) -> Result<Vec<f32>, ModelError> {
    let mut out = Vec::with_capacity(m.rows * 3);
    for r in 0..m.rows {
        let c = (m.get(r, 0).floor() as usize).min(2);
        out.extend((0..3).map(|k| if k == c { 1.0 } else { 0.0 }));
    }
    Ok(out)
}

fn importance(x: &Matrix, y: &[u32], opts: &PermutationOptions) -> PermutationImportance {
    permutation_importance(&mut oracle, x, y, 3, opts).unwrap()
}

#[test]
fn the_deciding_feature_matters_and_noise_does_not() {
    let (x, y) = one_informative(600, 1);
    let imp = importance(&x, &y, &PermutationOptions::default());
    assert_eq!((imp.baseline_macro_f1, imp.baseline_accuracy), (1.0, 1.0));
    assert_eq!(imp.rows, 600);
    assert_eq!(imp.features.len(), 3);
    // Shuffling the class column of a 3-class problem leaves about a third right by chance:
    // the drop is about 2/3 (pinned: the same on every target).
    let f0 = &imp.features[0];
    assert!((f0.mean - 0.679357).abs() < 1e-6, "{f0:?}");
    assert!((f0.std - 0.015888).abs() < 1e-6, "{f0:?}");
    assert!((f0.accuracy_mean - 0.679).abs() < 1e-12, "{f0:?}");
    for noise in &imp.features[1..] {
        assert_eq!(
            (noise.mean, noise.std, noise.accuracy_mean),
            (0.0, 0.0, 0.0)
        );
    }
}

#[test]
fn a_fitted_tree_relies_on_the_deciding_feature_only() {
    let (x, y) = one_informative(900, 2);
    let params = DecisionTreeParams {
        max_depth: Some(4),
        ..Default::default()
    };
    let tree = DecisionTree::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
    let mut predict = |m: &Matrix| tree.predict_proba(m);
    let opts = PermutationOptions {
        seed: 5,
        ..Default::default()
    };
    let imp = permutation_importance(&mut predict, &x, &y, 3, &opts).unwrap();
    assert_eq!(imp.baseline_macro_f1, 1.0);
    assert!(imp.features[0].mean > 0.6, "{:?}", imp.features);
    for noise in &imp.features[1..] {
        assert!(noise.mean.abs() < 0.005, "{:?}", imp.features);
    }
    // The gain importance agrees.
    let gain = tree.gain_importance().unwrap();
    assert!(gain[0] > 0.99, "{gain:?}");
}

#[test]
fn every_model_answers_the_same_questions() {
    let (x, y) = one_informative(300, 6);
    let forest = RandomForest::fit(
        &RandomForestParams {
            n_trees: 5,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    let models: [&dyn Classifier; 2] = [&forest, &nb];
    for m in models {
        assert_eq!((m.n_classes(), m.n_features()), (3, 3));
        let right = m
            .predict(&x)
            .unwrap()
            .iter()
            .zip(&y)
            .filter(|(p, t)| p == t)
            .count();
        assert!(right >= 297, "{right} of 300 right");
    }
    // Gain importance: normalised to sum 1 for the tree models, none for the others.
    let gain = forest.gain_importance().unwrap();
    assert!((gain.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{gain:?}");
    assert!(gain[0] > 0.5, "{gain:?}");
    assert_eq!(nb.gain_importance(), None);
    let narrow = Matrix {
        rows: 1,
        cols: 2,
        data: vec![0.0, 0.0],
    };
    let width = ModelError::Width {
        expected: 3,
        got: 2,
    };
    assert_eq!(forest.predict(&narrow).unwrap_err(), width);
    assert_eq!(nb.predict(&narrow).unwrap_err(), width);
    let torn = Matrix {
        rows: 2,
        cols: 3,
        data: vec![0.0; 5],
    };
    let size = ModelError::MatrixSize {
        rows: 2,
        cols: 3,
        len: 5,
    };
    assert_eq!(forest.predict_proba(&torn).unwrap_err(), size);
    assert_eq!(nb.predict_proba(&torn).unwrap_err(), size);
}

#[test]
fn same_seed_same_numbers_other_seed_other_shuffles() {
    let (x, y) = one_informative(300, 3);
    let opts = PermutationOptions {
        seed: 11,
        repeats: 3,
        max_rows: 1000,
    };
    let a = importance(&x, &y, &opts);
    assert_eq!(a, importance(&x, &y, &opts));
    let b = importance(&x, &y, &PermutationOptions { seed: 12, ..opts });
    assert_ne!(a.features[0], b.features[0]);
    // One repeat: no spread.
    let one = importance(&x, &y, &PermutationOptions { repeats: 1, ..opts });
    assert_eq!(one.features[0].std, 0.0);
}

#[test]
fn large_inputs_are_subsampled_by_class() {
    let (x, mut y) = one_informative(2000, 4);
    // A rare class: 3 rows of class 2 at most, the rest relabelled to 0 and 1 by feature 0.
    let mut rare = 0;
    for (r, c) in y.iter_mut().enumerate() {
        if *c == 2 {
            if rare < 3 {
                rare += 1;
            } else {
                *c = (r % 2) as u32;
            }
        }
    }
    let mut seen = Vec::new();
    let mut spy = |m: &Matrix| {
        seen.push(m.rows);
        oracle(m)
    };
    let opts = PermutationOptions {
        repeats: 2,
        seed: 1,
        max_rows: 200,
    };
    let imp = permutation_importance(&mut spy, &x, &y, 3, &opts).unwrap();
    // 1 baseline + 3 features × 2 repeats, each on the same subsample of about 200 rows.
    assert_eq!(seen.len(), 7);
    assert!(seen.iter().all(|&n| n == imp.rows));
    assert!((199..=202).contains(&imp.rows), "{}", imp.rows);
}

#[test]
fn errors_are_specific_and_the_model_error_is_passed_on() {
    let (x, y) = one_informative(50, 5);
    let opts = PermutationOptions::default();
    let zero = PermutationOptions { repeats: 0, ..opts };
    assert!(matches!(
        permutation_importance(&mut oracle, &x, &y, 3, &zero),
        Err(ModelError::InvalidParam {
            name: "repeats",
            ..
        })
    ));
    assert_eq!(
        permutation_importance(&mut oracle, &x, &y[..49], 3, &opts).unwrap_err(),
        ModelError::Shape {
            rows: 50,
            labels: 49
        }
    );
    let mut short = |m: &Matrix| Ok(vec![0.5; m.rows]);
    assert_eq!(
        permutation_importance(&mut short, &x, &y, 3, &opts).unwrap_err(),
        ModelError::ProbaShape {
            expected: 150,
            got: 50
        }
    );
    // Cancelling after the baseline and two permutations stops at once.
    let mut calls = 0;
    let mut cancel = |m: &Matrix| {
        calls += 1;
        if calls > 3 {
            Err(ModelError::Cancelled)
        } else {
            oracle(m)
        }
    };
    assert_eq!(
        permutation_importance(&mut cancel, &x, &y, 3, &opts).unwrap_err(),
        ModelError::Cancelled
    );
    assert_eq!(calls, 4);
}

/// 50 rows of class 0, 30 of class 1, 2 of class 2, interleaved.
fn unbalanced() -> Vec<u32> {
    let mut y = Vec::new();
    for i in 0..82 {
        y.push(match i {
            _ if i == 40 || i == 81 => 2,
            _ if i % 8 < 3 && y.iter().filter(|&&c| c == 1).count() < 30 => 1,
            _ => 0,
        });
    }
    y
}

#[test]
fn learning_curve_subsets_are_stratified_nested_and_sized() {
    let y = unbalanced();
    let counts: Vec<usize> = (0..3)
        .map(|c| y.iter().filter(|&&l| l == c).count())
        .collect();
    assert_eq!(counts, vec![50, 30, 2]);
    let train: Vec<usize> = (0..y.len()).collect();
    // Per class: round(n × f), at least 1 (0.5 rounds up).
    let sizes = learning_curve_sizes(&train, &y, &DEFAULT_FRACTIONS);
    assert_eq!(sizes, vec![9, 22, 41, 63, 82]);
    let mut subsets: Vec<Vec<usize>> = Vec::new();
    let mut fit = |rows: &[usize]| -> Result<(f64, f64), String> {
        subsets.push(rows.to_vec());
        Ok((1.0, rows.len() as f64 / 82.0))
    };
    let curve = learning_curve(&train, &y, &DEFAULT_FRACTIONS, 3, &mut fit).unwrap();
    assert_eq!(curve.iter().map(|p| p.rows).collect::<Vec<_>>(), sizes);
    assert_eq!(curve[1].fraction, 0.25);
    assert_eq!(curve[2].test_score, 41.0 / 82.0);
    for pair in subsets.windows(2) {
        assert!(pair[0].iter().all(|r| pair[1].contains(r)), "not nested");
    }
    for s in &subsets {
        assert!(s.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        for c in 0..3 {
            assert!(s.iter().any(|&r| y[r] == c), "class {c} missing");
        }
    }
    assert_eq!(subsets[4], train);
    // Another seed: other rows, same sizes.
    let mut other = Vec::new();
    let mut fit2 = |rows: &[usize]| -> Result<(f64, f64), String> {
        other.push(rows.to_vec());
        Ok((0.0, 0.0))
    };
    learning_curve(&train, &y, &DEFAULT_FRACTIONS, 4, &mut fit2).unwrap();
    assert_ne!(other[0], subsets[0]);
    assert_eq!(other[0].len(), subsets[0].len());
}

#[test]
fn learning_curve_uses_only_the_labelled_training_rows() {
    let mut y = unbalanced();
    y[1] = MISSING;
    y[3] = MISSING;
    // Even rows only (row 40 of class 2 is even; row 81 is not).
    let train: Vec<usize> = (0..y.len()).step_by(2).collect();
    let mut used = Vec::new();
    let mut fit = |rows: &[usize]| -> Result<(f64, f64), String> {
        used.extend_from_slice(rows);
        Ok((0.0, 0.0))
    };
    let curve = learning_curve(&train, &y, &[0.5, 1.0], 1, &mut fit).unwrap();
    assert!(used.iter().all(|r| r % 2 == 0 && y[*r] != MISSING));
    assert_eq!(curve[1].rows, 41);
    assert!(used.contains(&40));
    assert_eq!(learning_curve_sizes(&train, &y, &[0.5, 1.0]), vec![21, 41]);
}

#[test]
fn learning_curve_stops_at_the_first_error() {
    let y = unbalanced();
    let train: Vec<usize> = (0..y.len()).collect();
    let mut calls = 0;
    let mut fit = |rows: &[usize]| -> Result<(f64, f64), String> {
        calls += 1;
        if rows.len() > 30 {
            Err(format!("too many rows: {}", rows.len()))
        } else {
            Ok((1.0, 1.0))
        }
    };
    let err = learning_curve(&train, &y, &DEFAULT_FRACTIONS, 0, &mut fit).unwrap_err();
    assert_eq!(err, "too many rows: 41");
    assert_eq!(calls, 3);
}

/// `n` rows of 70 columns, 3 classes: column 0 and column 66 (in the second 64-bit word of a
/// feature set) carry the class, the rest is noise; one value in seven is missing.
fn wide(n: usize, seed: u64) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(seed, 9);
    let (mut data, mut y) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let c = rng.below(3) as u32;
        for j in 0..70 {
            let v = match j {
                0 => c as f32 + rng.unit() as f32,
                66 => (c * 2) as f32 + rng.unit() as f32 * 3.0,
                _ => rng.unit() as f32,
            };
            data.push(if rng.below(7) == 0 { f32::NAN } else { v });
        }
        y.push(c);
    }
    (
        Matrix {
            rows: n,
            cols: 70,
            data,
        },
        y,
    )
}

#[test]
fn tree_models_take_the_leaf_cache_and_get_exactly_the_plain_numbers() {
    let (x, y) = wide(400, 11);
    let (xt, yt) = wide(300, 12);
    let binary: Vec<u32> = y.iter().map(|&c| c.min(1)).collect();
    let binary_t: Vec<u32> = yt.iter().map(|&c| c.min(1)).collect();
    let tree = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let forest = RandomForest::fit(
        &RandomForestParams {
            n_trees: 12,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let boost_params = GradientBoostingParams {
        n_rounds: 15,
        ..Default::default()
    };
    let boost = GradientBoosting::fit(&boost_params, &x, &y, 3, &mut no_progress()).unwrap();
    let boost2 = GradientBoosting::fit(&boost_params, &x, &binary, 2, &mut no_progress()).unwrap();
    let opts = PermutationOptions {
        repeats: 3,
        seed: 5,
        max_rows: 250,
    };
    let cases: [(&str, &dyn Classifier, &[u32]); 4] = [
        ("tree", &tree, &yt),
        ("forest", &forest, &yt),
        ("boosting", &boost, &yt),
        ("binary boosting", &boost2, &binary_t),
    ];
    for (name, model, labels) in cases {
        let leaves = model
            .leaves()
            .unwrap_or_else(|| panic!("{name}: no leaves"));
        let cache = LeafCache::new(leaves, &xt).unwrap();
        assert_eq!(
            cache.base_proba(),
            model.predict_proba(&xt).unwrap(),
            "{name}"
        );
        let fast = permutation_importance_of(model, &xt, labels, &opts).unwrap();
        let plain = permutation_importance(
            &mut |m| model.predict_proba(m),
            &xt,
            labels,
            model.n_classes(),
            &opts,
        )
        .unwrap();
        assert_eq!(fast, plain, "{name}");
        assert!(fast.rows.abs_diff(250) <= 1, "{name}: {} rows", fast.rows);
        // The two informative columns matter; the model relies on them.
        let best = |j: usize| fast.features[j].mean;
        assert!(best(0) > 0.05 || best(66) > 0.05, "{name}: {fast:?}");
    }
    // Models without trees take the plain path.
    let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    assert!(nb.leaves().is_none());
    let plain = permutation_importance(&mut |m| nb.predict_proba(m), &xt, &yt, 3, &opts).unwrap();
    assert_eq!(
        permutation_importance_of(&nb, &xt, &yt, &opts).unwrap(),
        plain
    );
    // A matrix of another shape is refused, not mispredicted.
    let cache = LeafCache::new(&forest, &xt).unwrap();
    let (short, _) = wide(10, 13);
    assert_eq!(
        cache.proba_with_column(&short, 0).unwrap_err(),
        ModelError::Shape {
            rows: 10,
            labels: 300
        }
    );
}
