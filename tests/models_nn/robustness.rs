//! Missing and infinite inputs, degenerate shapes.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::Matrix;
use flowlab::models::linear::{LogisticParams, LogisticRegression};
use flowlab::models::mlp::{Mlp, MlpParams};
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::no_progress;

use super::{assert_distributions, blobs, small_mlp};

#[test]
fn missing_and_infinite_inputs_never_give_nan() {
    let (mut x, y) = blobs(150, 6);
    // Training data with missing and infinite values, and an all-missing column.
    for r in 0..x.rows {
        if r % 7 == 0 {
            x.data[r * 4] = f32::NAN;
        }
        if r % 11 == 0 {
            x.data[r * 4 + 1] = f32::INFINITY;
        }
        x.data[r * 4 + 3] = f32::NAN;
    }
    let odd = Matrix {
        rows: 4,
        cols: 4,
        data: vec![
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
            1e30,
            -1e30,
            0.0,
            5.0,
            f32::MIN_POSITIVE,
            0.0,
            -0.0,
            f32::NAN,
        ],
    };
    let mlp = Mlp::fit(&small_mlp(), &x, &y, 3, &mut no_progress()).unwrap();
    let lr =
        LogisticRegression::fit(&LogisticParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    assert!(mlp.loss_curve.iter().all(|l| l.is_finite()));
    assert!(lr.loss_curve.iter().all(|l| l.is_finite()));
    for p in [
        mlp.predict_proba(&odd).unwrap(),
        lr.predict_proba(&odd).unwrap(),
        nb.predict_proba(&odd).unwrap(),
    ] {
        assert_distributions(&p, 3);
    }
    // A class with no training rows: probability 0 under naive Bayes, finite everywhere.
    let nb4 = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 4, &mut no_progress()).unwrap();
    let p = nb4.predict_proba(&odd).unwrap();
    assert_distributions(&p, 4);
    assert!(p.chunks(4).all(|r| r[3] == 0.0));
    let mlp4 = Mlp::fit(&small_mlp(), &x, &y, 4, &mut no_progress()).unwrap();
    assert_distributions(&mlp4.predict_proba(&odd).unwrap(), 4);
    // A diverging learning rate stops at the last finite weights instead of producing NaN.
    let wild = MlpParams {
        learning_rate: 10.0,
        early_stopping: false,
        ..small_mlp()
    };
    let m = Mlp::fit(&wild, &x, &y, 3, &mut no_progress()).unwrap();
    assert_distributions(&m.predict_proba(&odd).unwrap(), 3);
}

#[test]
fn degenerate_shapes_still_fit() {
    // No features at all: every model falls back to the class priors (or close to them).
    let x = Matrix {
        rows: 6,
        cols: 0,
        data: vec![],
    };
    let y = [0, 0, 0, 0, 1, 1];
    let mlp = Mlp::fit(
        &MlpParams {
            early_stopping: false,
            max_epochs: 300,
            learning_rate: 0.05,
            ..small_mlp()
        },
        &x,
        &y,
        2,
        &mut no_progress(),
    )
    .unwrap();
    let lr =
        LogisticRegression::fit(&LogisticParams::default(), &x, &y, 2, &mut no_progress()).unwrap();
    let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 2, &mut no_progress()).unwrap();
    for p in [
        mlp.predict_proba(&x).unwrap(),
        lr.predict_proba(&x).unwrap(),
        nb.predict_proba(&x).unwrap(),
    ] {
        assert_distributions(&p, 2);
        assert!(
            (p[0] - 2.0 / 3.0).abs() < 0.05,
            "prior-like probability {}",
            p[0]
        );
    }
    // No hidden layer (softmax regression), one class, a batch larger than the data.
    let (x, y) = blobs(60, 9);
    let flat = MlpParams {
        hidden: vec![],
        batch_size: 1000,
        ..small_mlp()
    };
    assert_distributions(
        &Mlp::fit(&flat, &x, &y, 3, &mut no_progress())
            .unwrap()
            .predict_proba(&x)
            .unwrap(),
        3,
    );
    let one = vec![0; 60];
    let m = Mlp::fit(&small_mlp(), &x, &one, 1, &mut no_progress()).unwrap();
    assert!(m.predict_proba(&x).unwrap().iter().all(|&p| p == 1.0));
    let lr = LogisticRegression::fit(&LogisticParams::default(), &x, &one, 1, &mut no_progress())
        .unwrap();
    assert!(lr.predict_proba(&x).unwrap().iter().all(|&p| p == 1.0));
}
