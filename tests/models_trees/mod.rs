//! Binned trees, random forest and gradient boosting: determinism, forest chunks, thresholds,
//! missing values, parameter validation, cancellation, serialisation, and accuracy on real flows.
//!
//! Every test but the real-data one also runs in headless Chromium under
//! `cargo test --target wasm32-unknown-unknown`; `same_bits_natively_and_in_wasm` pins checksums
//! of fitted models, so both targets must produce the same bits.

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::models::boosting::GradientBoostingParams;
use flowlab::models::tree::ClassWeight;

/// `n` rows of `d` noisy features; the class depends on features 0 and 1 (3 classes), some
/// values missing.
fn synthetic(n: usize, d: usize, seed: u64) -> (Matrix, Vec<u32>) {
    let mut rng = FlowRng::new(seed, 99);
    let mut data = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let row: Vec<f32> = (0..d).map(|_| (rng.unit() * 10.0) as f32).collect();
        let c = if row[0] < 3.0 {
            0
        } else if row[1] < 5.0 {
            1
        } else {
            2
        };
        // 10 % label noise, 5 % missing values.
        let c = if rng.unit() < 0.1 {
            rng.below(3) as u32
        } else {
            c
        };
        for v in row {
            data.push(if rng.unit() < 0.05 { f32::NAN } else { v });
        }
        y.push(c);
    }
    (
        Matrix {
            rows: n,
            cols: d,
            data,
        },
        y,
    )
}

fn accuracy(pred: &[u32], y: &[u32]) -> f64 {
    pred.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

fn proba_rows_sum_to_one(p: &[f32], k: usize) {
    for row in p.chunks(k) {
        let s: f32 = row.iter().sum();
        assert!((s - 1.0).abs() < 1e-5, "row sums to {s}");
        assert!(row.iter().all(|v| v.is_finite() && *v >= 0.0));
    }
}

/// Pinned by checksums: keeps the L2 penalty these were pinned with (0; the default is 1) and
/// the unweighted classes (the default is `Balanced` since issue 15 part 3).
fn small_boost() -> GradientBoostingParams {
    GradientBoostingParams {
        n_rounds: 20,
        min_samples_leaf: 5,
        l2: 0.0,
        class_weight: ClassWeight::None,
        ..Default::default()
    }
}

/// FNV-style checksum of float bits.
fn checksum(values: impl IntoIterator<Item = u64>) -> u64 {
    values.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, v| {
        (h ^ v).wrapping_mul(0x100_0000_01b3)
    })
}

mod boosting;
mod cells;
mod coded;
mod determinism;
mod growth;
mod params;
#[cfg(not(target_arch = "wasm32"))]
mod real_data;
mod robustness;
#[cfg(not(target_arch = "wasm32"))]
mod threads;
