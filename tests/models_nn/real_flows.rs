//! Accuracy floors on the IoT-23 fixture (compiled in, so this runs in wasm too).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::Matrix;
use flowlab::features::{FeatureOptions, Pipeline};
use flowlab::ingest::{Taxonomy, MISSING};
use flowlab::models::linear::{LogisticParams, LogisticRegression};
use flowlab::models::mlp::{Mlp, MlpParams};
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::no_progress;

use super::{accuracy, assert_distributions};

/// The IoT-23 fixture (350 flows), Attack taxonomy, deterministic split: within each class, every
/// fourth row (in file order) is a test row. Returns (train x, train y, test x, test y, classes).
fn iot23_split() -> (Matrix, Vec<u32>, Matrix, Vec<u32>, usize) {
    let data = crate::common::iot23_mix();
    let (codes, classes) = data.labels_as(Taxonomy::Attack);
    let mut seen = vec![0usize; classes.len()];
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (r, &c) in codes.iter().enumerate() {
        if c == MISSING {
            continue;
        }
        seen[c as usize] += 1;
        if seen[c as usize] % 4 == 0 {
            test.push(r);
        } else {
            train.push(r);
        }
    }
    // With the hour of day (off by default since issue 15): these floors were measured with
    // it, on a random split of one fixture, where the clock helps; they test the models.
    let opts = FeatureOptions::default().time_of_day(true);
    let pipe = Pipeline::fit(&data, &train, &opts);
    let x = pipe.transform(&data).unwrap();
    let take = |rows: &[usize]| {
        let data = rows
            .iter()
            .flat_map(|&r| x.row(r).iter().copied())
            .collect();
        (
            Matrix {
                rows: rows.len(),
                cols: x.cols,
                data,
            },
            rows.iter().map(|&r| codes[r]).collect::<Vec<u32>>(),
        )
    };
    let ((xtr, ytr), (xte, yte)) = (take(&train), take(&test));
    (xtr, ytr, xte, yte, classes.len())
}

#[test]
fn accuracy_floors_on_iot23_flows() {
    let (xtr, ytr, xte, yte, k) = iot23_split();
    assert_eq!((xtr.rows, xte.rows, k), (263, 87, 6));
    // 263 training rows: smaller batches than the default 256 give the MLP more steps per epoch.
    let p = MlpParams {
        seed: 1,
        batch_size: 32,
        learning_rate: 3e-3,
        ..Default::default()
    };
    let mlp = Mlp::fit(&p, &xtr, &ytr, k, &mut no_progress()).unwrap();
    let lr = LogisticRegression::fit(
        &LogisticParams::default(),
        &xtr,
        &ytr,
        k,
        &mut no_progress(),
    )
    .unwrap();
    let nb = GaussianNb::fit(
        &GaussianNbParams::default(),
        &xtr,
        &ytr,
        k,
        &mut no_progress(),
    )
    .unwrap();
    let (pm, pl, pn) = (
        mlp.predict_proba(&xte).unwrap(),
        lr.predict_proba(&xte).unwrap(),
        nb.predict_proba(&xte).unwrap(),
    );
    for p in [&pm, &pl, &pn] {
        assert_distributions(p, k);
    }
    let acc = |p: &[f32]| accuracy(&flowlab::models::argmax_rows(p, k), &yte);
    let (am, al, an) = (acc(&pm), acc(&pl), acc(&pn));
    eprintln!("iot23-mix test accuracy: mlp {am:.4} ({} epochs, best {:?}), logistic {al:.4} ({} iterations), naive Bayes {an:.4}", mlp.epochs, mlp.best_epoch, lr.n_iter);
    // Measured (87 test rows, identical on every platform): MLP 73 right (0.839), logistic
    // regression 69 (0.793), naive Bayes 62 (0.713). Floors are two rows below.
    assert!(am >= 71.0 / 87.0, "mlp accuracy {am}");
    assert!(al >= 67.0 / 87.0, "logistic accuracy {al}");
    assert!(an >= 60.0 / 87.0, "naive Bayes accuracy {an}");
}
