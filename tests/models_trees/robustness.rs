//! Probabilities, widths and importance; serialisation and refused bad files; NaN and
//! infinite inputs.

use flowlab::data::Matrix;
use flowlab::models::boosting::GradientBoosting;
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::tree::{DecisionTree, DecisionTreeParams};
use flowlab::models::{no_progress, ModelError};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{proba_rows_sum_to_one, small_boost, synthetic};

#[test]
fn probabilities_widths_and_importance() {
    let (x, y) = synthetic(400, 6, 9);
    let narrow = Matrix {
        rows: 1,
        cols: 5,
        data: vec![0.0; 5],
    };
    let t = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let f = RandomForest::fit(
        &RandomForestParams {
            n_trees: 10,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let g = GradientBoosting::fit(&small_boost(), &x, &y, 3, &mut no_progress()).unwrap();
    let check =
        |p: Result<Vec<f32>, ModelError>, imp: Vec<f64>, wide: Result<Vec<f32>, ModelError>| {
            proba_rows_sum_to_one(&p.unwrap(), 3);
            assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            // Features 0 and 1 carry the signal.
            assert!(imp[0] + imp[1] > 0.5, "{imp:?}");
            assert_eq!(
                wide.unwrap_err(),
                ModelError::Width {
                    expected: 6,
                    got: 5
                }
            );
        };
    check(
        t.predict_proba(&x),
        t.feature_importance(),
        t.predict_proba(&narrow),
    );
    check(
        f.predict_proba(&x),
        f.feature_importance(),
        f.predict_proba(&narrow),
    );
    check(
        g.predict_proba(&x),
        g.feature_importance(),
        g.predict_proba(&narrow),
    );
    assert_eq!((t.n_classes(), f.n_classes(), g.n_classes()), (3, 3, 3));
    assert_eq!((t.n_features(), f.n_features(), g.n_features()), (6, 6, 6));
}

#[test]
fn models_round_trip_through_json_and_bad_files_are_refused() {
    let (x, y) = synthetic(300, 4, 10);
    let t = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let f = RandomForest::fit(
        &RandomForestParams {
            n_trees: 5,
            oob_score: true,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    let g = GradientBoosting::fit(&small_boost(), &x, &y, 3, &mut no_progress()).unwrap();
    let t2: DecisionTree = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
    let f2: RandomForest = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
    let g2: GradientBoosting = serde_json::from_str(&serde_json::to_string(&g).unwrap()).unwrap();
    assert_eq!((t2, f2), (t.clone(), f.clone()));
    // JSON does not carry every f64 exactly: same predictions to float precision.
    for (a, b) in g2
        .predict_proba(&x)
        .unwrap()
        .iter()
        .zip(g.predict_proba(&x).unwrap())
    {
        assert!((a - b).abs() < 1e-6);
    }
    // Model files (bincode) are exact.
    let bytes = flowlab::model_file::write(&(&t, &f, &g)).unwrap();
    let back: (DecisionTree, RandomForest, GradientBoosting) =
        flowlab::model_file::read(&bytes).unwrap();
    assert_eq!(back, (t.clone(), f, g.clone()));
    // A node pointing back at the root would loop forever: refused.
    let mut v: serde_json::Value = serde_json::to_value(&t).unwrap();
    v["nodes"][0]["left"] = serde_json::json!(0u32);
    v["nodes"][0]["right"] = serde_json::json!(0u32);
    v["nodes"][1]["left"] = serde_json::json!(0u32);
    v["nodes"][1]["right"] = serde_json::json!(0u32);
    v["nodes"][1]["leaf"] = serde_json::json!(100_000u32);
    assert!(serde_json::from_value::<DecisionTree>(v).is_err());
    let mut v: serde_json::Value = serde_json::to_value(&g).unwrap();
    v["trees"][0]["nodes"][0]["feature"] = serde_json::json!(99u32);
    assert!(serde_json::from_value::<GradientBoosting>(v).is_err());
}

#[test]
fn nan_and_infinite_inputs_never_panic() {
    let n = 60;
    let data: Vec<f32> = (0..n * 2)
        .map(|i| match i % 5 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            _ => i as f32,
        })
        .collect();
    let y: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
    let x = Matrix {
        rows: n,
        cols: 2,
        data,
    };
    let t = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    proba_rows_sum_to_one(&t.predict_proba(&x).unwrap(), 3);
    let f = RandomForest::fit(
        &RandomForestParams {
            n_trees: 3,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    proba_rows_sum_to_one(&f.predict_proba(&x).unwrap(), 3);
    let g = GradientBoosting::fit(&small_boost(), &x, &y, 3, &mut no_progress()).unwrap();
    proba_rows_sum_to_one(&g.predict_proba(&x).unwrap(), 3);
    // Training and prediction agree on where infinities go (binned vs raw thresholds).
    assert!(serde_json::to_string(&t).is_ok());
    // No feature at all: a single leaf with the class shares.
    let none = Matrix {
        rows: 4,
        cols: 0,
        data: vec![],
    };
    let y4 = [0, 1, 1, 1];
    let t = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &none,
        &y4,
        2,
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(t.predict_proba(&none).unwrap()[..2], [0.25, 0.75]);
    let g = GradientBoosting::fit(&small_boost(), &none, &y4, 2, &mut no_progress()).unwrap();
    assert!((g.predict_proba(&none).unwrap()[1] - 0.75).abs() < 1e-6);
    let all_nan = Matrix {
        rows: 4,
        cols: 1,
        data: vec![f32::NAN; 4],
    };
    let t = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &all_nan,
        &[0, 1, 0, 1],
        2,
        &mut no_progress(),
    )
    .unwrap();
    assert_eq!(t.nodes().len(), 1);
    assert_eq!(t.predict_proba(&all_nan).unwrap()[..2], [0.5, 0.5]);
}
