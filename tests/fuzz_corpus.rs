//! The fuzzers' smoke test on stable Rust: every input of the committed seed corpus
//! (`fuzz/corpus/<target>/`) and every crash the fuzzers found (`tests/fixtures/fuzz-regressions/
//! <target>/`, kept after the fix) goes through the fuzz targets' own bodies (`fuzz/harness.rs`,
//! included here), so a regression fails `cargo test` without nightly or libFuzzer.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::time::{Duration, Instant};

#[path = "../fuzz/harness.rs"]
mod harness;

/// The files of `dir` (relative to the crate), sorted.
fn inputs(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    files
}

/// Runs `target` on every input of the corpus and the regressions; returns how many ran. An
/// input slower than `limit` fails (the fuzzers count more than 1 s as a hang; this is a debug
/// build, so the limit is looser).
fn replay(name: &str, target: fn(&[u8]), limit: Duration) -> usize {
    let mut n = 0;
    for dir in [
        format!("fuzz/corpus/{name}"),
        format!("tests/fixtures/fuzz-regressions/{name}"),
    ] {
        for path in inputs(&dir) {
            let bytes = std::fs::read(&path).unwrap();
            let started = Instant::now();
            target(&bytes);
            let took = started.elapsed();
            assert!(took < limit, "{}: {took:?}", path.display());
            n += 1;
        }
    }
    n
}

#[test]
fn ingest_corpus_replays() {
    let n = replay("ingest", harness::ingest, Duration::from_secs(10));
    assert!(n >= 30, "only {n} ingest inputs");
}

#[test]
fn model_file_corpus_replays() {
    let n = replay("model_file", harness::model, Duration::from_secs(10));
    assert!(n >= 6, "only {n} model inputs");
}

#[test]
fn the_seed_models_decode_and_predict() {
    // The seeds must reach the checks and prediction, not stop at the header.
    for path in inputs("fuzz/corpus/model_file") {
        let bytes = std::fs::read(&path).unwrap();
        let m: flowlab::job::TrainedModel =
            flowlab::model_file::read(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let p = m.predict(harness_rows()).unwrap();
        assert_eq!(
            p.predicted.len(),
            harness_rows().n_rows(),
            "{}",
            path.display()
        );
    }
}

fn harness_rows() -> &'static flowlab::ingest::Dataset {
    harness::rows()
}

#[test]
fn a_format_2_gbdt_file_reads_unweighted_and_format_3_keeps_the_weights() {
    // The seed gbdt.flowlab is format 2: written before gbdt had class_weight, so its
    // parameters end without it, and it was trained unweighted.
    let bytes = std::fs::read("fuzz/corpus/model_file/gbdt.flowlab").unwrap();
    assert_eq!(u32::from_le_bytes(bytes[8..12].try_into().unwrap()), 2);
    let mut m: flowlab::job::TrainedModel = flowlab::model_file::read(&bytes).unwrap();
    let flowlab::models::ModelSpec::Gbdt(p) = &mut m.meta.request.spec else {
        panic!("not a gbdt: {:?}", m.meta.request.spec)
    };
    assert_eq!(p.class_weight, flowlab::models::tree::ClassWeight::None);
    // Written again it is format 3 and keeps what it holds.
    p.class_weight = flowlab::models::tree::ClassWeight::Balanced;
    let again = flowlab::model_file::write(&m).unwrap();
    assert_eq!(u32::from_le_bytes(again[8..12].try_into().unwrap()), 3);
    let back: flowlab::job::TrainedModel = flowlab::model_file::read(&again).unwrap();
    assert_eq!(back, m);
}
