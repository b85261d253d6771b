//! MLP, multinomial logistic regression, Gaussian naive Bayes and the SVM.
//!
//! Determinism natively *and* in wasm: the model checksums asserted below are the same constants on
//! both targets (`cargo test --target wasm32-unknown-unknown` runs this file in headless Chromium),
//! so a seed gives bit-identical models everywhere. Also: parameter validation, cancelling, NaN/∞
//! robustness, a problem only the MLP can learn, agreement with scikit-learn
//! (`tests/fixtures/sklearn/nn_small.json`, made by `make_nn_small.py` beside it), and accuracy
//! floors on the IoT-23 fixture. Fixtures are compiled in (`include_str!`), so nothing reads files.

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::models::mlp::MlpParams;

/// FNV-1a of the model's JSON: floats print as their shortest round-trip decimal, so equal
/// checksums mean bit-equal parameters and curves.
fn checksum<T: serde::Serialize>(model: &T) -> u64 {
    let json = serde_json::to_string(model).unwrap();
    json.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `n` points uniform in [-1, 1]², labelled by quadrant parity (XOR): no line separates them.
fn xor(n: usize, seed: u64) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(seed, 99);
    let mut data = Vec::with_capacity(2 * n);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let (a, b) = (rng.unit() * 2.0 - 1.0, rng.unit() * 2.0 - 1.0);
        data.extend([a as f32, b as f32]);
        y.push(((a > 0.0) != (b > 0.0)) as u32);
    }
    (
        Matrix {
            rows: n,
            cols: 2,
            data,
        },
        y,
    )
}

/// Three noisy blobs in 4 dimensions (one feature pure noise).
fn blobs(n: usize, seed: u64) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(seed, 7);
    let mut data = Vec::with_capacity(4 * n);
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        let c = (i % 3) as u32;
        let centre = [c as f64, (c as f64 - 1.0) * 2.0, 0.5 * c as f64, 0.0];
        for m in centre {
            data.push((m + rng.unit() * 2.0 - 1.0) as f32);
        }
        y.push(c);
    }
    (
        Matrix {
            rows: n,
            cols: 4,
            data,
        },
        y,
    )
}

fn accuracy(pred: &[u32], y: &[u32]) -> f64 {
    pred.iter().zip(y).filter(|(p, t)| p == t).count() as f64 / y.len() as f64
}

fn assert_distributions(p: &[f32], k: usize) {
    for row in p.chunks(k) {
        assert!(
            row.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
            "bad row {row:?}"
        );
        let s: f32 = row.iter().sum();
        assert!((s - 1.0).abs() < 1e-5, "row sums to {s}: {row:?}");
    }
}

fn small_mlp() -> MlpParams {
    MlpParams {
        hidden: vec![16, 8],
        max_epochs: 30,
        batch_size: 32,
        learning_rate: 0.01,
        seed: 5,
        ..Default::default()
    }
}

mod real_flows;
mod robustness;
mod sequence;
mod sklearn;
mod svm;
mod training;
mod validation;
