//! The fuzz targets' bodies, shared with the corpus replay of `cargo test`
//! (`tests/fuzz_corpus.rs` includes this file), so a crash the fuzzer found stays caught by a
//! plain stable `cargo test`.
//!
//! Both take arbitrary bytes and must never panic, hang or allocate without bound; errors are
//! fine (they are the expected answer to most inputs).

#![allow(dead_code)] // each target uses one of the two bodies

use std::sync::OnceLock;

use flowlab::data::matrix::Matrix;
use flowlab::ingest::{Dataset, IngestOptions, Loader};
use flowlab::job::TrainedModel;
use flowlab::model_file;

/// File names the loader is given (the name is only reported, but keep it realistic).
const NAMES: [&str; 6] = [
    "conn.log.labeled",
    "flows.csv",
    "KDDTrain+.txt",
    "capture.binetflow",
    "captures.zip",
    "conn.log.gz",
];

/// Reads `data` through [`Loader`] as one file: the first byte chooses the name and the
/// sampling options, the second seeds the chunk sizes (1 to 4096 bytes, so every split of a
/// record, a UTF-16 pair, a gzip block or the sniffer's head is met); the rest is the file.
pub fn ingest(data: &[u8]) {
    let (Some(&mode), Some(&seed)) = (data.first(), data.get(1)) else {
        return;
    };
    let file = &data[2..];
    let opts = IngestOptions {
        max_rows_per_file: (mode & 0x10 != 0).then_some(5),
        per_class: (mode & 0x20 != 0).then_some(3),
        max_files: (mode & 0x40 != 0).then_some(1),
        sample_files: mode & 0x80 != 0,
        ..IngestOptions::default()
    };
    let mut loader = Loader::new(opts);
    loader.start_file(NAMES[(mode & 0x0f) as usize % NAMES.len()]);
    // A small LCG: chunk sizes vary within one file.
    let mut state = u32::from(seed) | 1;
    let mut at = 0;
    while at < file.len() {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        let size = match (state >> 16) % 4 {
            0 => 1,
            1 => 1 + (state >> 20) as usize % 16,
            2 => 1 + (state >> 20) as usize % 512,
            _ => 4096,
        };
        let end = file.len().min(at + size);
        if loader.feed(&file[at..end]).is_err() {
            break;
        }
        at = end;
    }
    let _ = loader.end_file();
    if let Ok(dataset) = loader.finish() {
        // What the page and the CLI do next with a loaded file.
        let _ = dataset.summary();
    }
}

/// A small labelled data set (the first rows of `tests/fixtures/iot23-reduced.csv`, the file
/// the seed models were trained on), read once.
pub fn rows() -> &'static Dataset {
    static ROWS: OnceLock<Dataset> = OnceLock::new();
    ROWS.get_or_init(|| {
        let csv = include_bytes!("../tests/fixtures/iot23-reduced.csv");
        let end = csv
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(24)
            .map_or(csv.len(), |(i, _)| i + 1);
        let mut loader = Loader::new(IngestOptions::default());
        loader.start_file("iot23-reduced.csv");
        loader.feed(&csv[..end]).expect("fixture feeds");
        loader.finish().expect("fixture loads")
    })
}

/// Reads `data` as a model file twice: as given, and with a valid header whose length field
/// matches the bytes (so the fuzzer reaches the payload's decoding and checks); a model that
/// decodes predicts and scores a few rows, and its network predicts three rows of odd values.
pub fn model(data: &[u8]) {
    let _ = model_file::read::<TrainedModel>(data);
    let mut fixed = Vec::with_capacity(data.len() + 20);
    fixed.extend_from_slice(&model_file::MAGIC);
    fixed.extend_from_slice(&model_file::VERSION.to_le_bytes());
    let payload = data.get(20..).unwrap_or(&[]);
    fixed.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    fixed.extend_from_slice(payload);
    if let Ok(m) = model_file::read::<TrainedModel>(&fixed) {
        let _ = m.predict(rows());
        let _ = m.evaluate(rows());
        let cols = m.pipeline.width();
        let values = [0.0, -1.0, 1e30, f32::NAN, 3.5, f32::INFINITY];
        let x = Matrix {
            rows: 3,
            cols,
            data: (0..3 * cols).map(|i| values[i % values.len()]).collect(),
        };
        let _ = m.model.predict_proba(&x);
    }
}
