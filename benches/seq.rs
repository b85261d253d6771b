//! Training step time of the GRU (`models::seq`): `cargo bench --bench seq`.
//!
//! A batch of 256 windows × 16 flows × 100 features (plus the time gap), hidden 64, one layer:
//! the target is ≤ 30 ms per step on the 2-core machine. Synthetic rows (32 hosts, noise
//! features; the numbers do not matter to the time), 40 batches per epoch, 3 epochs without a
//! validation split; prints milliseconds per step (the epoch's time over its batches, best epoch).

use std::time::Instant;

use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::features::CONTEXT;
use flowlab::models::seq::{Gru, GruParams};
use flowlab::models::Step;

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
    let params = GruParams {
        hidden: 64,
        window: 16,
        batch_size: batch,
        max_epochs: 3,
        validation_fraction: 0.0,
        patience: 0,
        ..GruParams::default()
    };
    let mut last = Instant::now();
    let mut best = f64::INFINITY;
    let mut progress = |_: Step| {
        let now = Instant::now();
        best = best.min(now.duration_since(last).as_secs_f64());
        last = now;
        true
    };
    let started = Instant::now();
    Gru::fit(&params, &x, &y, 3, &mut progress).expect("fit");
    println!(
        "gru step: batch {batch} × {} flows × {features} features, hidden 64: {:.1} ms per step (best of 3 epochs of {batches} steps; {:.1} s in all)",
        params.window,
        best / batches as f64 * 1e3,
        started.elapsed().as_secs_f64()
    );
}
