//! The GRU over windows of flows: seeded and deterministic, the same bits natively and in wasm
//! (pinned checksum), and it learns what only a window shows.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::features::CONTEXT;
use flowlab::models::seq::{Gru, GruParams};
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
        9107495511093755757,
        "gru checksum changed: the fitted numbers differ from the recorded ones"
    );
}
