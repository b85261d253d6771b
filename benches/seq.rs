//! Training step time of the sequence models (`models::seq`): `cargo bench --bench seq`.
//!
//! A batch of 256 windows × 16 flows × 100 features (plus the time gap): the GRU and the LSTM
//! with hidden 64 and one layer, the 1D-CNN at its defaults (2 causal layers of 64 channels,
//! kernel 3, dilation 2, max pooling); the target is ≤ 30 ms per step on the 2-core
//! machine. Synthetic rows (32 hosts, noise features; the numbers do not matter to the time),
//! 40 batches per epoch, 3 epochs without a validation split; prints milliseconds per step (the
//! epoch's time over its batches, best epoch). `cargo bench --bench seq -- gru` runs one model.

use std::time::Instant;

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::features::CONTEXT;
use flowlab::models::seq::{Cnn1dParams, GruParams, LstmParams};
use flowlab::models::{ModelSpec, Step};

fn main() {
    let (features, batches, batch) = (100usize, 40usize, 256usize);
    let rows = batches * batch;
    let cols = features + CONTEXT;
    let mut rng = FlowRng::new(1, 0);
    let mut data = Vec::with_capacity(rows * cols);
    let mut y = Vec::with_capacity(rows);
    for r in 0..rows {
        for _ in 0..features {
            data.push(rng.unit() as f32);
        }
        let host = (r % 32) as f32;
        let step = (r / 32) as f32;
        data.extend([host, host, host, step, step]);
        y.push((r % 3) as u32);
    }
    let x = Matrix { rows, cols, data };
    let (window, max_epochs, validation_fraction, patience) = (16, 3, 0.0, 0);
    let specs = [
        ModelSpec::Gru(GruParams {
            hidden: 64,
            window,
            batch_size: batch,
            max_epochs,
            validation_fraction,
            patience,
            ..GruParams::default()
        }),
        ModelSpec::Lstm(LstmParams {
            hidden: 64,
            window,
            batch_size: batch,
            max_epochs,
            validation_fraction,
            patience,
            ..LstmParams::default()
        }),
        ModelSpec::Cnn1d(Cnn1dParams {
            window,
            batch_size: batch,
            max_epochs,
            validation_fraction,
            patience,
            ..Cnn1dParams::default()
        }),
    ];
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    for spec in specs {
        if !only.is_empty() && !only.iter().any(|o| o == spec.name()) {
            continue;
        }
        let mut last = Instant::now();
        let mut best = f64::INFINITY;
        let mut progress = |_: Step| {
            let now = Instant::now();
            best = best.min(now.duration_since(last).as_secs_f64());
            last = now;
            true
        };
        let started = Instant::now();
        spec.fit(&x, &y, 3, &mut progress).expect("fit");
        println!(
            "{} step: batch {batch} × {window} flows × {features} features: {:.1} ms per step (best of 3 epochs of {batches} steps; {:.1} s in all)",
            spec.name(),
            best / batches as f64 * 1e3,
            started.elapsed().as_secs_f64()
        );
    }
}
