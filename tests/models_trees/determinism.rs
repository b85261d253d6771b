//! Determinism: pinned checksums of fitted models (the same bits natively and in wasm), seeds,
//! and forest chunks that merge into exactly the single fit.

use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::tree::{
    ClassWeight, Criterion, DecisionTree, DecisionTreeParams, MaxFeatures,
};
use flowlab::models::{no_progress, ModelError, Step};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{checksum, small_boost, synthetic};

#[test]
fn same_bits_natively_and_in_wasm() {
    let (x, y) = synthetic(400, 5, 12);
    let t = DecisionTree::fit(
        &DecisionTreeParams {
            criterion: Criterion::Entropy,
            max_features: MaxFeatures::Sqrt,
            seed: 1,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let f = RandomForest::fit(
        &RandomForestParams {
            n_trees: 6,
            oob_score: true,
            class_weight: ClassWeight::Balanced,
            seed: 2,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let g = GradientBoosting::fit(
        &GradientBoostingParams {
            n_rounds: 15,
            subsample: 0.8,
            colsample: 0.8,
            early_stopping_rounds: Some(20),
            min_samples_leaf: 3,
            seed: 3,
            l2: 0.0,
            // The configuration these bits were pinned with (natively and in wasm).
            class_weight: ClassWeight::None,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let bits = |p: Vec<f32>| checksum(p.into_iter().map(|v| v.to_bits() as u64));
    let sums = [
        bits(t.predict_proba(&x).unwrap()),
        bits(f.predict_proba(&x).unwrap()),
        bits(g.predict_proba(&x).unwrap()),
        checksum(f.oob_accuracy.map(f64::to_bits)),
        checksum(g.train_loss.iter().chain(&g.val_loss).map(|v| v.to_bits())),
    ];
    eprintln!("{sums:?}");
    assert_eq!(
        sums,
        [
            6171008978476953829,
            3291861811627143922,
            7203485351392930084,
            2513082306834769858,
            4413877791572865753
        ]
    );
}

#[test]
fn same_seed_same_models_other_seed_other_forest() {
    let (x, y) = synthetic(600, 6, 1);
    let tp = DecisionTreeParams {
        max_features: MaxFeatures::Sqrt,
        seed: 3,
        ..Default::default()
    };
    let a = DecisionTree::fit(&tp, &x, &y, 3, &mut no_progress()).unwrap();
    let b = DecisionTree::fit(&tp, &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(a, b);

    let fp = RandomForestParams {
        n_trees: 8,
        oob_score: true,
        seed: 5,
        ..Default::default()
    };
    let f1 = RandomForest::fit(&fp, &x, &y, 3, &mut no_progress()).unwrap();
    let f2 = RandomForest::fit(&fp, &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(f1, f2);
    let f3 = RandomForest::fit(
        &RandomForestParams { seed: 6, ..fp },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    assert_ne!(f1, f3);

    let gp = GradientBoostingParams {
        subsample: 0.7,
        colsample: 0.5,
        early_stopping_rounds: Some(5),
        seed: 9,
        ..small_boost()
    };
    let g1 = GradientBoosting::fit(&gp, &x, &y, 3, &mut no_progress()).unwrap();
    let g2 = GradientBoosting::fit(&gp, &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(g1, g2);
    assert_eq!(g1.predict_proba(&x).unwrap(), g2.predict_proba(&x).unwrap());
}

#[test]
fn forest_chunks_merge_into_the_single_fit() {
    let (x, y) = synthetic(500, 5, 2);
    let params = RandomForestParams {
        n_trees: 10,
        oob_score: true,
        seed: 11,
        ..Default::default()
    };
    let whole = RandomForest::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
    // Two "workers", each binning the data itself and building part of the trees.
    let mut trees = Vec::new();
    for range in [0..3, 3..4, 4..10] {
        let binned = RandomForest::bin(&params, &x).unwrap();
        let mut steps = Vec::new();
        let mut record = |s: Step| {
            steps.push(s.done);
            true
        };
        trees.extend(
            RandomForest::fit_trees(&params, &binned, &y, 3, range.clone(), &mut record).unwrap(),
        );
        assert_eq!(steps, (1..=range.len()).collect::<Vec<_>>());
    }
    let binned = RandomForest::bin(&params, &x).unwrap();
    let merged = RandomForest::from_trees(&params, &binned, &y, 3, trees).unwrap();
    assert_eq!(merged, whole);
    assert!(whole.oob_accuracy.is_some());
    // A range past n_trees and the wrong number of trees are refused.
    let err =
        RandomForest::fit_trees(&params, &binned, &y, 3, 8..12, &mut no_progress()).unwrap_err();
    assert!(matches!(
        err,
        ModelError::InvalidParam { name: "range", .. }
    ));
    let err =
        RandomForest::from_trees(&params, &binned, &y, 3, whole.trees()[..4].to_vec()).unwrap_err();
    assert!(matches!(
        err,
        ModelError::InvalidParam {
            name: "n_trees",
            ..
        }
    ));
}
