//! Gradient boosting specifics: early stopping, two classes and a single class, class weights.

use flowlab::data::Matrix;
use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::tree::ClassWeight;
use flowlab::models::{no_progress, Classifier, Step};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::{accuracy, proba_rows_sum_to_one, small_boost, synthetic};

#[test]
fn boosting_early_stopping_keeps_the_best_round() {
    let (x, y) = synthetic(800, 5, 7);
    let p = GradientBoostingParams {
        n_rounds: 300,
        learning_rate: 0.3,
        min_samples_leaf: 2,
        early_stopping_rounds: Some(5),
        validation_fraction: 0.2,
        l2: 0.0,
        ..Default::default()
    };
    let mut val_steps = 0;
    let mut count = |s: Step| {
        val_steps += usize::from(s.val_loss.is_some());
        true
    };
    let g = GradientBoosting::fit(&p, &x, &y, 3, &mut count).unwrap();
    let best = g.best_round.unwrap();
    assert!(
        g.val_loss.len() < 300,
        "stopped early after {} rounds",
        g.val_loss.len()
    );
    assert_eq!(g.val_loss.len(), best + 6);
    assert_eq!(val_steps, g.val_loss.len());
    assert_eq!(g.train_loss.len(), g.val_loss.len());
    assert_eq!(g.n_rounds(), best + 1);
    assert_eq!(g.trees().len(), (best + 1) * 3);
    let min = g.val_loss.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(g.val_loss[best], min);
    // Training loss keeps falling.
    assert!(g.train_loss.windows(2).all(|w| w[1] <= w[0] + 1e-9));
}

#[test]
fn binary_and_single_class_boosting() {
    let (x, y3) = synthetic(300, 3, 8);
    let y: Vec<u32> = y3.iter().map(|&c| u32::from(c == 2)).collect();
    let g = GradientBoosting::fit(&small_boost(), &x, &y, 2, &mut no_progress()).unwrap();
    assert_eq!(g.n_outputs(), 1);
    assert_eq!(g.trees().len(), 20);
    let p = g.predict_proba(&x).unwrap();
    proba_rows_sum_to_one(&p, 2);
    assert!(accuracy(&g.predict(&x).unwrap(), &y) > 0.85);
    let one =
        GradientBoosting::fit(&small_boost(), &x, &vec![0; 300], 1, &mut no_progress()).unwrap();
    assert_eq!(one.predict_proba(&x).unwrap(), vec![1.0; 300]);
}

#[test]
fn boosting_class_weight_balanced_favours_the_rare_class() {
    // 95 rows of class 0 and 5 of class 1 that overlap at value 9 (9 rows of class 0 there).
    let data: Vec<f32> = (0..100)
        .map(|i| if i < 95 { (i % 10) as f32 } else { 9.0 })
        .collect();
    let y: Vec<u32> = (0..100).map(|i| u32::from(i >= 95)).collect();
    let x = Matrix {
        rows: 100,
        cols: 1,
        data,
    };
    let probe = Matrix {
        rows: 1,
        cols: 1,
        data: vec![9.0],
    };
    let p = GradientBoostingParams {
        n_rounds: 300,
        learning_rate: 0.3,
        min_samples_leaf: 1,
        l2: 0.0,
        class_weight: ClassWeight::None,
        ..Default::default()
    };
    // Unweighted, the leaf of value 9 converges to its class share: 5 / 14.
    let plain = GradientBoosting::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
    let p1 = plain.predict_proba(&probe).unwrap()[1] as f64;
    assert!((p1 - 5.0 / 14.0).abs() < 0.01, "{p1}");
    assert_eq!(plain.predict(&probe).unwrap(), vec![0]);
    // Balanced: class 0 rows weigh 100 / (2 · 95), class 1 rows 100 / (2 · 5) = 10, so the
    // leaf's weighted share of class 1 is 50 / (50 + 9 · 100 / 190).
    let p = GradientBoostingParams {
        class_weight: ClassWeight::Balanced,
        ..p
    };
    let balanced = GradientBoosting::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
    let p1 = balanced.predict_proba(&probe).unwrap()[1] as f64;
    let want = 50.0 / (50.0 + 9.0 * 100.0 / 190.0);
    assert!((p1 - want).abs() < 0.01, "{p1} vs {want}");
    assert_eq!(balanced.predict(&probe).unwrap(), vec![1]);
}
