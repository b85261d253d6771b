//! Training: the same bits on every target, progress and cancelling, early stopping, and XOR
//! (which only the MLP can learn).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::models::linear::{LogisticParams, LogisticRegression};
use flowlab::models::mlp::{Mlp, MlpParams};
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::{no_progress, Classifier, ModelError, Step};

use super::{accuracy, blobs, checksum, small_mlp, xor};

#[test]
fn same_seed_same_model_on_every_target() {
    let (x, y) = blobs(300, 1);
    let a = Mlp::fit(&small_mlp(), &x, &y, 3, &mut no_progress()).unwrap();
    let b = Mlp::fit(&small_mlp(), &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(a, b);
    let other = Mlp::fit(
        &MlpParams {
            seed: 6,
            ..small_mlp()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap();
    assert_ne!(a.layers, other.layers, "another seed, other weights");
    let lr =
        LogisticRegression::fit(&LogisticParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(
        lr,
        LogisticRegression::fit(&LogisticParams::default(), &x, &y, 3, &mut no_progress()).unwrap()
    );
    let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    // The same constants natively and in wasm (headless Chromium): bit-identical models.
    assert_eq!(
        (checksum(&a), checksum(&lr), checksum(&nb)),
        (3660065368042654721, 4693156462973653640, 10248505813938927993),
        "model checksums (mlp, logistic, nb) changed: the fitted numbers differ from the recorded ones"
    );
    // A model file (bincode) keeps the model exactly. (JSON does not quite: serde_json parses
    // some floats one ulp off without its `float_roundtrip` feature.)
    let back: Mlp = flowlab::model_file::read(&flowlab::model_file::write(&a).unwrap()).unwrap();
    assert_eq!(back, a);
    assert_eq!(
        back.predict_proba(&x).unwrap(),
        a.predict_proba(&x).unwrap()
    );
    let back: LogisticRegression =
        flowlab::model_file::read(&flowlab::model_file::write(&lr).unwrap()).unwrap();
    assert_eq!(back, lr);
    let back: GaussianNb =
        flowlab::model_file::read(&flowlab::model_file::write(&nb).unwrap()).unwrap();
    assert_eq!(back, nb);
}

#[test]
fn progress_reports_every_epoch_and_false_cancels() {
    let (x, y) = blobs(120, 2);
    let mut steps: Vec<Step> = Vec::new();
    let p = MlpParams {
        patience: 0,
        ..small_mlp()
    };
    let m = Mlp::fit(&p, &x, &y, 3, &mut |s| {
        steps.push(s);
        true
    })
    .unwrap();
    assert_eq!(steps.len(), 30);
    assert_eq!(m.epochs, 30);
    assert!(steps.iter().enumerate().all(|(i, s)| s.done == i + 1
        && s.total == 30
        && s.loss.is_some()
        && s.val_loss.is_some()));
    assert_eq!(
        steps.iter().map(|s| s.loss.unwrap()).collect::<Vec<_>>(),
        m.loss_curve
    );
    assert_eq!(
        steps
            .iter()
            .map(|s| s.val_loss.unwrap())
            .collect::<Vec<_>>(),
        m.val_loss_curve
    );

    let mut calls = 0;
    let err = Mlp::fit(&p, &x, &y, 3, &mut |_| {
        calls += 1;
        calls < 3
    })
    .unwrap_err();
    assert_eq!((err, calls), (ModelError::Cancelled, 3));
    let err = LogisticRegression::fit(&LogisticParams::default(), &x, &y, 3, &mut |s| s.done < 2)
        .unwrap_err();
    assert_eq!(err, ModelError::Cancelled);
    let err = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 3, &mut |_| false).unwrap_err();
    assert_eq!(err, ModelError::Cancelled);
}

#[test]
fn early_stopping_keeps_the_best_validation_epoch() {
    let (x, y) = blobs(300, 3);
    let p = MlpParams {
        hidden: vec![32],
        max_epochs: 400,
        patience: 5,
        batch_size: 16,
        learning_rate: 0.05,
        seed: 2,
        ..Default::default()
    };
    let m = Mlp::fit(&p, &x, &y, 3, &mut no_progress()).unwrap();
    assert!(m.epochs < 400, "stopped early after {} epochs", m.epochs);
    assert_eq!(m.loss_curve.len(), m.epochs);
    assert_eq!(m.val_loss_curve.len(), m.epochs);
    let best = m.best_epoch.unwrap();
    assert_eq!(
        m.epochs - best,
        5,
        "patience 5: stops five epochs after the best"
    );
    let min = m
        .val_loss_curve
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    assert_eq!(m.val_loss_curve[best - 1], min);
    // Without early stopping: no validation curve, all weights from the last epoch.
    let q = MlpParams {
        early_stopping: false,
        patience: 0,
        max_epochs: 7,
        ..p
    };
    let m = Mlp::fit(&q, &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(
        (m.epochs, m.val_loss_curve.len(), m.best_epoch),
        (7, 0, None)
    );
}

#[test]
fn mlp_learns_xor_where_a_linear_model_cannot() {
    let (x, y) = xor(600, 4);
    let (xt, yt) = xor(400, 5);
    let p = MlpParams {
        hidden: vec![16, 16],
        batch_size: 32,
        learning_rate: 0.01,
        max_epochs: 300,
        seed: 3,
        ..Default::default()
    };
    let mlp = Mlp::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
    let lr =
        LogisticRegression::fit(&LogisticParams::default(), &x, &y, 2, &mut no_progress()).unwrap();
    let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 2, &mut no_progress()).unwrap();
    let (a_mlp, a_lr, a_nb) = (
        accuracy(&mlp.predict(&xt).unwrap(), &yt),
        accuracy(&lr.predict(&xt).unwrap(), &yt),
        accuracy(&nb.predict(&xt).unwrap(), &yt),
    );
    assert!(a_mlp >= 0.95, "mlp test accuracy {a_mlp}");
    assert!(
        a_lr <= 0.62,
        "logistic regression cannot beat chance by much on XOR: {a_lr}"
    );
    assert!(a_nb <= 0.62, "axis-aligned Gaussians cannot either: {a_nb}");
    assert!(lr.converged);
}
