//! How much exact deduplication by cell (`flowlab::models::cells`) saves a tree ensemble on a
//! log: per batch of rows (the batches `flowlab predict` predicts), the share of distinct cells,
//! and one thread's time for the model's `predict_proba` (deduplicated) against walking every
//! row (the same model on slices of 1,000 rows, below the size where deduplication starts).
//!
//! ```text
//! cargo run --release --example cell_ratio -- MODEL.flowlab LOG [MAX_ROWS] [BATCH_ROWS]
//! ```

use std::io::Read;
use std::time::{Duration, Instant};

use flowlab::data::Matrix;
use flowlab::ingest::{IngestOptions, Loader};
use flowlab::job::TrainedModel;
use flowlab::models::Model;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: cell_ratio MODEL LOG [MAX_ROWS] [BATCH_ROWS]");
        std::process::exit(2);
    }
    let bytes = std::fs::read(&args[1]).expect("read the model file");
    let trained: TrainedModel = flowlab::model_file::read(&bytes).expect("a flowlab model");
    let max_rows: usize = args
        .get(3)
        .map_or(usize::MAX, |s| s.parse().expect("MAX_ROWS"));
    let batch_rows: usize = args
        .get(4)
        .map_or(65536, |s| s.parse().expect("BATCH_ROWS"));

    let mut loader = Loader::new(IngestOptions::default());
    let mut file = std::fs::File::open(&args[2]).expect("open the log");
    loader.start_file(&args[2]);
    let mut buf = vec![0u8; 1 << 20];
    let (mut rows, mut cells, mut batches) = (0usize, 0f64, 0usize);
    let (mut t_dedup, mut t_walk) = (Duration::ZERO, Duration::ZERO);
    let mut done = false;
    while !done {
        let n = file.read(&mut buf).expect("read the log");
        if n == 0 {
            loader.end_file().expect("the log parses");
            done = true;
        } else {
            loader.feed(&buf[..n]).expect("the log parses");
        }
        while loader.pending_rows() >= batch_rows || (done && loader.pending_rows() > 0) {
            let Some(batch) = loader.take_batch() else {
                break;
            };
            let x = trained.pipeline.transform(&batch).expect("features");
            let (ratio, dedup, walk) = measure(&trained.model, &x);
            rows += x.rows;
            cells += ratio * x.rows as f64;
            batches += 1;
            t_dedup += dedup;
            t_walk += walk;
            if rows >= max_rows {
                done = true;
                break;
            }
        }
    }
    println!(
        "{rows} rows in {batches} batches of up to {batch_rows}: distinct cells {:.2} % of rows; \
         one thread: predict_proba {:.2} s ({:.0} rows/s), every row walked {:.2} s ({:.0} rows/s), {:.1}x",
        100.0 * cells / rows.max(1) as f64,
        t_dedup.as_secs_f64(),
        rows as f64 / t_dedup.as_secs_f64(),
        t_walk.as_secs_f64(),
        rows as f64 / t_walk.as_secs_f64(),
        t_walk.as_secs_f64() / t_dedup.as_secs_f64()
    );
}

/// A model's `predict_proba`.
type Proba<'a> = dyn Fn(&Matrix) -> Vec<f32> + 'a;

/// Cell ratio, deduplicated time, every-row time (asserting equal bits).
fn measure(model: &Model, x: &Matrix) -> (f64, Duration, Duration) {
    let (ratio, proba): (f64, &Proba) = match model {
        Model::Rf(m) => (m.cell_ratio(x).unwrap(), &|x| m.predict_proba(x).unwrap()),
        Model::Gbdt(m) => (m.cell_ratio(x).unwrap(), &|x| m.predict_proba(x).unwrap()),
        _ => panic!("a random forest or gradient boosting model"),
    };
    let t = Instant::now();
    let fast = proba(x);
    let dedup = t.elapsed();
    let t = Instant::now();
    let mut slow = Vec::with_capacity(fast.len());
    for start in (0..x.rows).step_by(1000) {
        let end = (start + 1000).min(x.rows);
        slow.extend(proba(&Matrix {
            rows: end - start,
            cols: x.cols,
            data: x.data[start * x.cols..end * x.cols].to_vec(),
        }));
    }
    let walk = t.elapsed();
    assert!(
        fast.iter()
            .zip(&slow)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "deduplicated and walked probabilities differ"
    );
    (ratio, dedup, walk)
}
