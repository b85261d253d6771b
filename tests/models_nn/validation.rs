//! Invalid parameters and bad data are refused, naming the problem, before any training.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::Matrix;
use flowlab::models::linear::{LogisticParams, LogisticRegression};
use flowlab::models::mlp::{Mlp, MlpParams};
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::{no_progress, Classifier, ModelError};

use super::{blobs, small_mlp};

#[test]
fn invalid_parameters_are_named() {
    let (x, y) = blobs(30, 1);
    let name_of = |e: ModelError| match e {
        ModelError::InvalidParam { name, .. } => name,
        other => panic!("expected InvalidParam, got {other:?}"),
    };
    let mlp = |p: MlpParams| name_of(Mlp::fit(&p, &x, &y, 3, &mut no_progress()).unwrap_err());
    assert_eq!(
        mlp(MlpParams {
            hidden: vec![8, 0],
            ..Default::default()
        }),
        "hidden"
    );
    assert_eq!(
        mlp(MlpParams {
            learning_rate: 0.0,
            ..Default::default()
        }),
        "learning_rate"
    );
    assert_eq!(
        mlp(MlpParams {
            learning_rate: f64::NAN,
            ..Default::default()
        }),
        "learning_rate"
    );
    assert_eq!(
        mlp(MlpParams {
            beta1: 1.0,
            ..Default::default()
        }),
        "beta1"
    );
    assert_eq!(
        mlp(MlpParams {
            beta2: -0.1,
            ..Default::default()
        }),
        "beta2"
    );
    assert_eq!(
        mlp(MlpParams {
            epsilon: 0.0,
            ..Default::default()
        }),
        "epsilon"
    );
    assert_eq!(
        mlp(MlpParams {
            alpha: -1.0,
            ..Default::default()
        }),
        "alpha"
    );
    assert_eq!(
        mlp(MlpParams {
            batch_size: 0,
            ..Default::default()
        }),
        "batch_size"
    );
    assert_eq!(
        mlp(MlpParams {
            max_epochs: 0,
            ..Default::default()
        }),
        "max_epochs"
    );
    assert_eq!(
        mlp(MlpParams {
            validation_fraction: 0.0,
            ..Default::default()
        }),
        "validation_fraction"
    );
    assert_eq!(
        mlp(MlpParams {
            validation_fraction: 1.0,
            early_stopping: false,
            ..Default::default()
        }),
        "validation_fraction"
    );
    assert_eq!(
        mlp(MlpParams {
            tol: f64::INFINITY,
            ..Default::default()
        }),
        "tol"
    );
    let lr = |p: LogisticParams| {
        name_of(LogisticRegression::fit(&p, &x, &y, 3, &mut no_progress()).unwrap_err())
    };
    assert_eq!(
        lr(LogisticParams {
            c: 0.0,
            ..Default::default()
        }),
        "c"
    );
    assert_eq!(
        lr(LogisticParams {
            max_iter: 0,
            ..Default::default()
        }),
        "max_iter"
    );
    assert_eq!(
        lr(LogisticParams {
            tol: -1.0,
            ..Default::default()
        }),
        "tol"
    );
    assert_eq!(
        lr(LogisticParams {
            memory: 0,
            ..Default::default()
        }),
        "memory"
    );
    let nb = GaussianNb::fit(
        &GaussianNbParams {
            var_smoothing: -1e-9,
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap_err();
    assert_eq!(
        nb.to_string(),
        "hyper-parameter var_smoothing = -1e-9: expected a number ≥ 0"
    );
    let msg = Mlp::fit(
        &MlpParams {
            batch_size: 0,
            ..Default::default()
        },
        &x,
        &y,
        3,
        &mut no_progress(),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        msg,
        "hyper-parameter batch_size = 0: expected an integer ≥ 1"
    );
}

#[test]
fn data_errors_come_before_training() {
    let (x, y) = blobs(30, 1);
    let empty = Matrix {
        rows: 0,
        cols: 4,
        data: vec![],
    };
    assert_eq!(
        Mlp::fit(&small_mlp(), &empty, &[], 3, &mut no_progress()).unwrap_err(),
        ModelError::Empty
    );
    assert_eq!(
        LogisticRegression::fit(
            &LogisticParams::default(),
            &x,
            &y[..29],
            3,
            &mut no_progress()
        )
        .unwrap_err(),
        ModelError::Shape {
            rows: 30,
            labels: 29
        }
    );
    assert_eq!(
        GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 2, &mut no_progress()).unwrap_err(),
        ModelError::BadLabel {
            label: 2,
            n_classes: 2
        }
    );
    let narrow = Matrix {
        rows: 1,
        cols: 3,
        data: vec![0.0; 3],
    };
    let width = ModelError::Width {
        expected: 4,
        got: 3,
    };
    let mlp = Mlp::fit(&small_mlp(), &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(mlp.predict_proba(&narrow).unwrap_err(), width);
    let lr =
        LogisticRegression::fit(&LogisticParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(lr.predict(&narrow).unwrap_err(), width);
    let nb = GaussianNb::fit(&GaussianNbParams::default(), &x, &y, 3, &mut no_progress()).unwrap();
    assert_eq!(nb.predict_proba(&narrow).unwrap_err(), width);
    assert_eq!(
        (
            mlp.n_features(),
            mlp.n_classes(),
            lr.n_features(),
            nb.n_classes()
        ),
        (4, 3, 4, 3)
    );
}
