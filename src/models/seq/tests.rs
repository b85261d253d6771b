//! Gradient checks by central finite differences for every weight of every layer (two stacked
//! GRU, LSTM or convolution layers and the head, with padded steps; the CNN with causal and same
//! padding, mean and max pooling), and the masking rule.

use super::conv::ConvLayer;
use super::gru::GruLayer;
use super::kernel::{sigmoid, tanh};
use super::layer::SeqLayer;
use super::lstm::LstmLayer;
use super::net::{Batch, Net, NetTrace, Readout};
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
fn loss<L: SeqLayer>(net: &Net<L>, batch: &Batch, readout: Readout, y: &[u32], w: &[f32]) -> f64 {
    let mut tr = NetTrace::default();
    net.forward(batch, &mut tr, readout, None);
    Net::loss(&tr, net.n_classes(), y, w) / batch.b as f64
}

/// Compares every backpropagated gradient of `net` with central finite differences (step `eps`)
/// and returns how many weights it checked; then shows that a wrong gradient would be caught.
fn check_gradients<L: SeqLayer>(
    mut net: Net<L>,
    batch: &Batch,
    readout: Readout,
    names: &[&str],
    eps: f32,
) -> usize {
    let (y, w) = (vec![0, 2, 1, 2], vec![1.0, 0.5, 2.0, 1.0]);
    let mut tr = NetTrace::default();
    net.forward(batch, &mut tr, readout, None);
    let mut grads = net.zero_grads();
    net.backward(batch, &tr, &y, &w, &mut grads);
    let analytic: Vec<Vec<f32>> = grads.slices().iter().map(|g| g.to_vec()).collect();
    assert_eq!(analytic.len(), names.len());
    let numeric_at = |net: &mut Net<L>, p: usize, i: usize| {
        let orig = net.params_mut()[p][i];
        net.params_mut()[p][i] = orig + eps;
        let up = loss(net, batch, readout, &y, &w);
        net.params_mut()[p][i] = orig - eps;
        let down = loss(net, batch, readout, &y, &w);
        net.params_mut()[p][i] = orig;
        (up - down) / (2.0 * eps as f64)
    };
    let close = |a: f64, n: f64| (a - n).abs() <= 1e-3 + 2e-2 * n.abs();
    let (mut checked, mut nonzero) = (0, 0);
    for (p, name) in names.iter().enumerate() {
        for (i, &a) in analytic[p].iter().enumerate() {
            let numeric = numeric_at(&mut net, p, i);
            assert!(
                close(a as f64, numeric),
                "{name}[{i}]: backprop {a}, finite differences {numeric}"
            );
            checked += 1;
            nonzero += (numeric.abs() > 1e-4) as usize;
        }
    }
    // Most weights matter (a check of zeros against zeros would prove nothing).
    assert!(
        nonzero * 2 > checked,
        "{nonzero} of {checked} gradients non-zero"
    );
    // The check can fail: a wrong gradient is caught.
    let numeric = numeric_at(&mut net, 0, 5);
    assert!(!close(analytic[0][5] as f64 + 0.05, numeric));
    checked
}

/// Weights scaled up from the initialisation, so gates leave their linear middle.
fn scaled<L: SeqLayer>(mut net: Net<L>, by: f32) -> Net<L> {
    for p in net.params_mut() {
        for v in p.iter_mut() {
            *v *= by;
        }
    }
    net
}

#[test]
fn every_gru_gradient_matches_finite_differences() {
    let mut rng = FlowRng::new(7, 0);
    let (b, t, d, k) = (4, 5, 3, 3);
    let layers = vec![
        GruLayer::init(d, 4, &mut rng),
        GruLayer::init(4, 4, &mut rng),
    ];
    let net = scaled(Net::init(layers, k, &mut rng), 2.0);
    let batch = batch(b, t, d, &mut rng);
    let names = [
        "w0", "u0", "bx0", "bh0", "w1", "u1", "bx1", "bh1", "head_w", "head_b",
    ];
    let checked = check_gradients(net, &batch, Readout::Last, &names, 1e-2);
    assert_eq!(checked, 36 + 48 + 12 + 12 + 48 + 48 + 12 + 12 + 12 + 3);
}

#[test]
fn every_lstm_gradient_matches_finite_differences() {
    let mut rng = FlowRng::new(11, 0);
    let (b, t, d, k) = (4, 5, 3, 3);
    let layers = vec![
        LstmLayer::init(d, 4, &mut rng),
        LstmLayer::init(4, 4, &mut rng),
    ];
    let net = scaled(Net::init(layers, k, &mut rng), 2.0);
    let batch = batch(b, t, d, &mut rng);
    let names = ["w0", "u0", "b0", "w1", "u1", "b1", "head_w", "head_b"];
    let checked = check_gradients(net, &batch, Readout::Last, &names, 1e-2);
    assert_eq!(checked, 48 + 64 + 16 + 64 + 64 + 16 + 12 + 3);
}

#[test]
fn every_conv_gradient_matches_finite_differences() {
    // Causal and same padding, mean and max pooling; the second layer dilated by 2, the window
    // padded (window i for its first i steps), so taps reach past both ends and into padding.
    for (causal, readout, seed) in [
        (true, Readout::Max, 5),
        (false, Readout::Mean, 6),
        (true, Readout::Mean, 7),
        (false, Readout::Max, 8),
    ] {
        let mut rng = FlowRng::new(seed, 0);
        let (b, t, d, k) = (4, 6, 3, 3);
        let layers = vec![
            ConvLayer::init(d, 4, 3, 1, causal, &mut rng),
            ConvLayer::init(4, 4, 2, 2, causal, &mut rng),
        ];
        let mut net = Net::init(layers, k, &mut rng);
        // Biases off zero, so some units are off and the ReLU's gate is checked too.
        for l in &mut net.layers {
            for v in &mut l.b {
                *v = (rng.unit() - 0.5) as f32;
            }
        }
        let batch = batch(b, t, d, &mut rng);
        let names = ["w0", "b0", "w1", "b1", "head_w", "head_b"];
        // A small step: at 2e-3 one ReLU input (same padding, mean pooling) crosses 0 inside the
        // difference, a kink the derivative does not see; f32 noise is still well below 1e-3.
        let checked = check_gradients(net, &batch, readout, &names, 5e-4);
        assert_eq!(checked, 36 + 4 + 32 + 4 + 12 + 3, "{causal} {readout:?}");
    }
}

/// Garbage in a window's padded steps changes no score; a real step does.
fn padding_is_ignored<L: SeqLayer>(net: &Net<L>, readout: Readout, rng: &mut FlowRng) {
    let mut a = batch(3, 4, 2, rng);
    let mut tr = NetTrace::default();
    let before = net.predict(&a, &mut tr, readout);
    // Window 2 is padded for its first 2 steps: put garbage there.
    for s in 0..2 {
        for v in &mut a.x[(s * 3 + 2) * 2..(s * 3 + 3) * 2] {
            *v = 1e3;
        }
    }
    assert_eq!(net.predict(&a, &mut tr, readout), before);
    // A real step does change the scores.
    a.x[(3 * 3 + 2) * 2] += 1.0;
    assert_ne!(net.predict(&a, &mut tr, readout)[4..6], before[4..6]);
}

#[test]
fn padded_steps_change_nothing() {
    let mut rng = FlowRng::new(3, 0);
    let gru = Net::init(vec![GruLayer::init(2, 5, &mut rng)], 2, &mut rng);
    padding_is_ignored(&gru, Readout::Last, &mut rng);
    let lstm = Net::init(vec![LstmLayer::init(2, 5, &mut rng)], 2, &mut rng);
    padding_is_ignored(&lstm, Readout::Last, &mut rng);
    for (causal, readout) in [(true, Readout::Max), (false, Readout::Mean)] {
        let layers = vec![
            ConvLayer::init(2, 5, 3, 1, causal, &mut rng),
            ConvLayer::init(5, 5, 2, 2, causal, &mut rng),
        ];
        let cnn = Net::init(layers, 2, &mut rng);
        padding_is_ignored(&cnn, readout, &mut rng);
    }
}

#[test]
fn a_causal_convolution_reads_no_later_flow() {
    // One layer, kernel 2, dilation 1, weights 1, bias 0, one input: out[s] = x[s-1] + x[s].
    let conv = ConvLayer {
        n_in: 1,
        channels: 1,
        kernel: 2,
        dilation: 1,
        causal: true,
        w: vec![1.0, 1.0],
        b: vec![0.0],
    };
    let (t, b) = (4, 1);
    let x = [1.0, 2.0, 4.0, 8.0];
    let mut tr = Default::default();
    conv.forward(&x, &[0.0, 1.0, 1.0, 1.0], t, b, &mut tr);
    // Step 0 is padding (output 0, and it reads as 0 for step 1).
    assert_eq!(conv.output(&tr, t, b), [0.0, 2.0, 6.0, 12.0]);
    let same = ConvLayer {
        causal: false,
        kernel: 3,
        w: vec![1.0, 10.0, 100.0],
        ..conv
    };
    same.forward(&x, &[1.0; 4], t, b, &mut tr);
    // Centred: out[s] = x[s-1] + 10 x[s] + 100 x[s+1], zero past either end.
    assert_eq!(same.output(&tr, t, b), [210.0, 421.0, 842.0, 84.0]);
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
