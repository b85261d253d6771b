//! Hyper-parameter validation, progress reports and cancellation.

use flowlab::data::Matrix;
use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::tree::{DecisionTree, DecisionTreeParams, MaxFeatures};
use flowlab::models::{no_progress, ModelError, Step};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{small_boost, synthetic};

#[test]
fn every_parameter_is_validated() {
    let (x, y) = synthetic(50, 2, 5);
    let tree_cases: Vec<(&str, DecisionTreeParams)> = vec![
        (
            "max_depth",
            DecisionTreeParams {
                max_depth: Some(0),
                ..Default::default()
            },
        ),
        (
            "min_samples_split",
            DecisionTreeParams {
                min_samples_split: 1,
                ..Default::default()
            },
        ),
        (
            "min_samples_leaf",
            DecisionTreeParams {
                min_samples_leaf: 0,
                ..Default::default()
            },
        ),
        (
            "max_features",
            DecisionTreeParams {
                max_features: MaxFeatures::Fraction(0.0),
                ..Default::default()
            },
        ),
        (
            "max_features",
            DecisionTreeParams {
                max_features: MaxFeatures::Fraction(f32::NAN),
                ..Default::default()
            },
        ),
        (
            "max_features",
            DecisionTreeParams {
                max_features: MaxFeatures::Count(0),
                ..Default::default()
            },
        ),
        (
            "max_features",
            DecisionTreeParams {
                max_features: MaxFeatures::Count(3),
                ..Default::default()
            },
        ),
        (
            "max_bins",
            DecisionTreeParams {
                max_bins: 1,
                ..Default::default()
            },
        ),
        (
            "max_bins",
            DecisionTreeParams {
                max_bins: 256,
                ..Default::default()
            },
        ),
    ];
    for (name, p) in tree_cases {
        let err = DecisionTree::fit(&p, &x, &y, 3, &mut no_progress()).unwrap_err();
        assert!(
            matches!(err, ModelError::InvalidParam { name: n, .. } if n == name),
            "{name}: {err}"
        );
    }
    let forest_cases: Vec<(&str, RandomForestParams)> = vec![
        (
            "n_trees",
            RandomForestParams {
                n_trees: 0,
                ..Default::default()
            },
        ),
        (
            "oob_score",
            RandomForestParams {
                oob_score: true,
                bootstrap: false,
                ..Default::default()
            },
        ),
        (
            "min_samples_leaf",
            RandomForestParams {
                min_samples_leaf: 0,
                ..Default::default()
            },
        ),
        (
            "max_bins",
            RandomForestParams {
                max_bins: 0,
                ..Default::default()
            },
        ),
    ];
    for (name, p) in forest_cases {
        let err = RandomForest::fit(&p, &x, &y, 3, &mut no_progress()).unwrap_err();
        assert!(
            matches!(err, ModelError::InvalidParam { name: n, .. } if n == name),
            "{name}: {err}"
        );
    }
    let d = GradientBoostingParams::default;
    let boost_cases: Vec<(&str, GradientBoostingParams)> = vec![
        ("n_rounds", GradientBoostingParams { n_rounds: 0, ..d() }),
        (
            "learning_rate",
            GradientBoostingParams {
                learning_rate: 0.0,
                ..d()
            },
        ),
        (
            "learning_rate",
            GradientBoostingParams {
                learning_rate: f64::NAN,
                ..d()
            },
        ),
        (
            "max_depth",
            GradientBoostingParams {
                max_depth: Some(0),
                ..d()
            },
        ),
        (
            "max_leaves",
            GradientBoostingParams {
                max_leaves: 1,
                ..d()
            },
        ),
        (
            "min_samples_leaf",
            GradientBoostingParams {
                min_samples_leaf: 0,
                ..d()
            },
        ),
        (
            "min_child_weight",
            GradientBoostingParams {
                min_child_weight: -1.0,
                ..d()
            },
        ),
        (
            "l2",
            GradientBoostingParams {
                l2: f64::INFINITY,
                ..d()
            },
        ),
        (
            "subsample",
            GradientBoostingParams {
                subsample: 1.5,
                ..d()
            },
        ),
        (
            "colsample",
            GradientBoostingParams {
                colsample: 0.0,
                ..d()
            },
        ),
        (
            "early_stopping_rounds",
            GradientBoostingParams {
                early_stopping_rounds: Some(0),
                ..d()
            },
        ),
        (
            "validation_fraction",
            GradientBoostingParams {
                validation_fraction: 1.0,
                ..d()
            },
        ),
        (
            "max_bins",
            GradientBoostingParams {
                max_bins: 300,
                ..d()
            },
        ),
    ];
    for (name, p) in boost_cases {
        let err = GradientBoosting::fit(&p, &x, &y, 3, &mut no_progress()).unwrap_err();
        assert!(
            matches!(err, ModelError::InvalidParam { name: n, .. } if n == name),
            "{name}: {err}"
        );
        assert!(err.to_string().contains(name));
    }
    // Data errors.
    let err = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y[..10],
        3,
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(matches!(err, ModelError::Shape { .. }));
    let err = RandomForest::fit(
        &RandomForestParams::default(),
        &x,
        &y,
        2,
        &mut no_progress(),
    )
    .unwrap_err();
    assert!(matches!(err, ModelError::BadLabel { .. }));
    let empty = Matrix {
        rows: 0,
        cols: 2,
        data: vec![],
    };
    let err = GradientBoosting::fit(&d(), &empty, &[], 3, &mut no_progress()).unwrap_err();
    assert_eq!(err, ModelError::Empty);
}

#[test]
fn progress_reports_steps_and_cancels() {
    let (x, y) = synthetic(300, 4, 6);
    let mut seen = 0;
    let mut stop_after_3 = |s: Step| {
        seen = s.done;
        s.done < 3
    };
    let p = RandomForestParams {
        n_trees: 10,
        ..Default::default()
    };
    assert_eq!(
        RandomForest::fit(&p, &x, &y, 3, &mut stop_after_3).unwrap_err(),
        ModelError::Cancelled
    );
    assert_eq!(seen, 3);

    let mut steps: Vec<Step> = Vec::new();
    let mut stop_after_2 = |s: Step| {
        steps.push(s);
        s.done < 2
    };
    let err = GradientBoosting::fit(&small_boost(), &x, &y, 3, &mut stop_after_2).unwrap_err();
    assert_eq!(err, ModelError::Cancelled);
    assert_eq!(steps.len(), 2);
    assert!(steps
        .iter()
        .all(|s| s.total == 20 && s.loss.is_some() && s.val_loss.is_none()));
    assert!(steps[1].loss < steps[0].loss);

    let err =
        DecisionTree::fit(&DecisionTreeParams::default(), &x, &y, 3, &mut |_| false).unwrap_err();
    assert_eq!(err, ModelError::Cancelled);
}
