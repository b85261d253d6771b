//! Gradient checks by central finite differences for every weight of every layer (two stacked
//! GRU layers and the head, with padded steps), and the masking rule.

use super::kernel::{sigmoid, tanh};
use super::net::{Batch, Net, NetTrace};
use super::windows::Windows;
use crate::data::rng::FlowRng;
use crate::data::Matrix;

/// A batch of `b` windows of `t` steps, `d` inputs, window `i` padded for its first `i` steps.
fn batch(b: usize, t: usize, d: usize, rng: &mut FlowRng) -> Batch {
    let mut x = vec![0f32; t * b * d];
    let mut mask = vec![0f32; t * b];
    for s in 0..t {
        for i in 0..b {
            if s >= i.min(t - 1) {
                mask[s * b + i] = 1.0;
                for v in &mut x[(s * b + i) * d..(s * b + i + 1) * d] {
                    *v = (rng.unit() * 2.0 - 1.0) as f32;
                }
            }
        }
    }
    Batch { x, mask, b, t, d }
}

/// Mean weighted cross-entropy of the batch.
fn loss(net: &Net, batch: &Batch, y: &[u32], w: &[f32]) -> f64 {
    let mut tr = NetTrace::default();
    net.forward(batch, &mut tr, None);
    Net::loss(&tr, net.n_classes(), y, w) / batch.b as f64
}

#[test]
fn every_gradient_matches_finite_differences() {
    let mut rng = FlowRng::new(7, 0);
    let (b, t, d, k) = (4, 5, 3, 3);
    let mut net = Net::init(d, 4, 2, k, &mut rng);
    // Larger weights than the initialisation, so gates leave their linear middle.
    for p in net.params_mut() {
        for v in p.iter_mut() {
            *v *= 2.0;
        }
    }
    let batch = batch(b, t, d, &mut rng);
    let (y, w) = (vec![0, 2, 1, 2], vec![1.0, 0.5, 2.0, 1.0]);
    let mut tr = NetTrace::default();
    net.forward(&batch, &mut tr, None);
    let mut grads = net.zero_grads();
    net.backward(&batch, &tr, &y, &w, &mut grads);
    let analytic: Vec<Vec<f32>> = grads.slices().iter().map(|g| g.to_vec()).collect();
    let names = [
        "w0", "u0", "bx0", "bh0", "w1", "u1", "bx1", "bh1", "head_w", "head_b",
    ];
    let eps = 1e-2f32;
    let mut checked = 0;
    for (p, name) in names.iter().enumerate() {
        for (i, &a) in analytic[p].iter().enumerate() {
            let orig = net.params_mut()[p][i];
            net.params_mut()[p][i] = orig + eps;
            let up = loss(&net, &batch, &y, &w);
            net.params_mut()[p][i] = orig - eps;
            let down = loss(&net, &batch, &y, &w);
            net.params_mut()[p][i] = orig;
            let numeric = (up - down) / (2.0 * eps as f64);
            let a = a as f64;
            assert!(
                (a - numeric).abs() <= 1e-3 + 2e-2 * numeric.abs(),
                "{name}[{i}]: backprop {a}, finite differences {numeric}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 36 + 48 + 12 + 12 + 48 + 48 + 12 + 12 + 12 + 3);
    // The check can fail: a wrong gradient is caught.
    let wrong = analytic[1][5] as f64 + 0.05;
    let orig = net.params_mut()[1][5];
    net.params_mut()[1][5] = orig + eps;
    let up = loss(&net, &batch, &y, &w);
    net.params_mut()[1][5] = orig - eps;
    let down = loss(&net, &batch, &y, &w);
    let numeric = (up - down) / (2.0 * eps as f64);
    assert!((wrong - numeric).abs() > 1e-3 + 2e-2 * numeric.abs());
}

#[test]
fn padded_steps_change_nothing() {
    let mut rng = FlowRng::new(3, 0);
    let net = Net::init(2, 5, 1, 2, &mut rng);
    let mut a = batch(3, 4, 2, &mut rng);
    let mut tr = NetTrace::default();
    let before = net.predict(&a, &mut tr);
    // Window 2 is padded for its first 2 steps: put garbage there.
    for s in 0..2 {
        for v in &mut a.x[(s * 3 + 2) * 2..(s * 3 + 3) * 2] {
            *v = 1e3;
        }
    }
    assert_eq!(net.predict(&a, &mut tr), before);
    // A real step does change the scores.
    a.x[(3 * 3 + 2) * 2] += 1.0;
    assert_ne!(net.predict(&a, &mut tr)[4..6], before[4..6]);
}

#[test]
fn gates_use_the_crate_exp() {
    assert_eq!(sigmoid(0.0), 0.5);
    assert!((sigmoid(2.0) - 0.880_797_1).abs() < 1e-6);
    assert!((tanh(0.5) - 0.462_117_16).abs() < 1e-6);
    assert_eq!((tanh(-40.0), tanh(40.0)), (-1.0, 1.0));
}

#[test]
fn windows_of_a_matrix_follow_the_context() {
    // 1 feature + context (host, pair, responder, order, time): host 0 at orders 1, 0.
    let x = Matrix {
        rows: 2,
        cols: 6,
        data: vec![5.0, 0.0, 0.0, 0.0, 1.0, 4.0, 6.0, 0.0, 0.0, 0.0, 0.0, 1.0],
    };
    let w = Windows::build(&x, 0, 3);
    assert_eq!(
        w.rows,
        [
            super::windows::PAD,
            1,
            0,
            super::windows::PAD,
            super::windows::PAD,
            1
        ]
    );
    assert_eq!(w.gap, [3f32.ln_1p(), 0.0]);
}
