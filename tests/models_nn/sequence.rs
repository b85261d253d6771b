//! The sequence models (GRU, LSTM, 1D-CNN) over windows of flows: seeded and deterministic, the
//! same bits natively and in wasm (pinned checksums), and they learn what only a window shows.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::features::CONTEXT;
use flowlab::models::seq::{Cnn1d, Cnn1dParams, Gru, GruParams, Lstm, LstmParams, Pooling};
use flowlab::models::tree::{DecisionTree, DecisionTreeParams};
use flowlab::models::{no_progress, Classifier};

use super::{accuracy, checksum};

/// Six hosts; each flow's one feature is noise, its class whether the host's previous flow was
/// above 0.5: a single flow cannot tell, a window of two can. Rows are shuffled (the windows
/// follow the context, not the row order).
fn beacons(n: usize, seed: u64) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(seed, 5);
    let mut rows: Vec<([f32; 1 + CONTEXT], u32)> = Vec::new();
    let mut prev = [0.0f32; 6];
    for i in 0..n {
        let host = i % 6;
        let v = rng.unit() as f32;
        let step = (i / 6) as f32;
        let h = host as f32;
        rows.push(([v, h, h, h, step, step * 2.0], (prev[host] > 0.5) as u32));
        prev[host] = v;
    }
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let data = order.iter().flat_map(|&r| rows[r].0).collect();
    let y = order.iter().map(|&r| rows[r].1).collect();
    (
        Matrix {
            rows: n,
            cols: 1 + CONTEXT,
            data,
        },
        y,
    )
}

fn small() -> GruParams {
    GruParams {
        hidden: 6,
        window: 3,
        max_epochs: 40,
        batch_size: 32,
        learning_rate: 0.02,
        seed: 3,
        ..GruParams::default()
    }
}

#[test]
fn a_gru_is_deterministic_and_sees_what_one_flow_cannot() {
    let (x, y) = beacons(360, 1);
    let a = Gru::fit(&small(), &x, &y, 2, &mut no_progress()).unwrap();
    let b = Gru::fit(&small(), &x, &y, 2, &mut no_progress()).unwrap();
    assert_eq!(a, b, "the same seed, the same model");
    let acc = accuracy(&a.predict(&x).unwrap(), &y);
    // A tree on the single flow cannot do better than chance on this problem.
    let tree = DecisionTree::fit(
        &DecisionTreeParams::default(),
        &x,
        &y,
        2,
        &mut no_progress(),
    )
    .unwrap();
    let (tx, ty) = beacons(360, 2);
    let tree_acc = accuracy(&tree.predict(&tx).unwrap(), &ty);
    let gru_acc = accuracy(&a.predict(&tx).unwrap(), &ty);
    assert!(
        acc > 0.9 && gru_acc > 0.9,
        "gru: train {acc}, new data {gru_acc}"
    );
    assert!(tree_acc < 0.75, "the tree on one flow: {tree_acc}");
    assert_eq!(a.n_features(), 1 + CONTEXT);
    // The same constant natively and in wasm (headless Chromium): bit-identical models.
    assert_eq!(
        checksum(&a),
        11702062932750670774,
        "gru checksum changed: the fitted numbers differ from the recorded ones"
    );
}

/// A decision tree on the single flow of new data: no better than chance on [`beacons`].
fn tree_accuracy(x: &Matrix, y: &[u32]) -> f64 {
    let tree =
        DecisionTree::fit(&DecisionTreeParams::default(), x, y, 2, &mut no_progress()).unwrap();
    let (tx, ty) = beacons(360, 2);
    accuracy(&tree.predict(&tx).unwrap(), &ty)
}

#[test]
fn an_lstm_is_deterministic_and_sees_what_one_flow_cannot() {
    let (x, y) = beacons(360, 1);
    let p = LstmParams {
        hidden: 6,
        window: 3,
        max_epochs: 40,
        batch_size: 32,
        learning_rate: 0.02,
        seed: 3,
        ..LstmParams::default()
    };
    let a = Lstm::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
    let b = Lstm::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
    assert_eq!(a, b, "the same seed, the same model");
    let (tx, ty) = beacons(360, 2);
    let (acc, new_acc) = (
        accuracy(&a.predict(&x).unwrap(), &y),
        accuracy(&a.predict(&tx).unwrap(), &ty),
    );
    assert!(
        acc > 0.9 && new_acc > 0.9,
        "lstm: train {acc}, new data {new_acc}"
    );
    assert!(tree_accuracy(&x, &y) < 0.75);
    assert_eq!(
        checksum(&a),
        1246244356313850901,
        "lstm checksum changed: the fitted numbers differ from the recorded ones"
    );
}

#[test]
fn a_cnn_is_deterministic_and_sees_what_one_flow_cannot() {
    let (x, y) = beacons(360, 1);
    // Causal kernel 2 over windows of 2: the last step's output reads the previous flow.
    for (pooling, sum) in [
        (Pooling::Max, 17587179366793495157u64),
        (Pooling::Mean, 37340999193782040),
    ] {
        let p = Cnn1dParams {
            channels: 6,
            layers: 1,
            kernel: 2,
            window: 2,
            pooling,
            max_epochs: 40,
            batch_size: 32,
            learning_rate: 0.02,
            seed: 3,
            ..Cnn1dParams::default()
        };
        let a = Cnn1d::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
        let b = Cnn1d::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
        assert_eq!(a, b, "the same seed, the same model");
        let (tx, ty) = beacons(360, 2);
        let (acc, new_acc) = (
            accuracy(&a.predict(&x).unwrap(), &y),
            accuracy(&a.predict(&tx).unwrap(), &ty),
        );
        assert!(
            acc > 0.9 && new_acc > 0.9,
            "cnn1d {pooling:?}: train {acc}, new data {new_acc}"
        );
        assert_eq!(
            checksum(&a),
            sum,
            "cnn1d {pooling:?} checksum changed: the fitted numbers differ from the recorded ones"
        );
    }
    // Two dilated layers with same padding train too (and stay deterministic).
    let p = Cnn1dParams {
        channels: 4,
        layers: 2,
        kernel: 3,
        dilation: 2,
        window: 4,
        padding: flowlab::models::seq::Padding::Same,
        max_epochs: 5,
        batch_size: 64,
        seed: 1,
        ..Cnn1dParams::default()
    };
    let a = Cnn1d::fit(&p, &x, &y, 2, &mut no_progress()).unwrap();
    assert_eq!(a, Cnn1d::fit(&p, &x, &y, 2, &mut no_progress()).unwrap());
    assert_eq!(a.net.layers[1].dilation, 2);
    assert!(a.loss_curve.len() == a.epochs && a.epochs >= 1);
}
