//! Gradient boosting specifics: early stopping, two classes and a single class.

use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
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
