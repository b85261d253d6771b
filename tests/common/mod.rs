//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use flowlab::ingest::{Dataset, IngestError, IngestOptions, Loader};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The page's embedded sample: one file per recording period, in name (= time) order.
pub fn sample_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/sample");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".conn.log.labeled"))
        .collect();
    files.sort();
    files
}

/// The shared data folder, or `None` (and a note on stderr) when it is absent.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIP: {} not found (../shared/data is absent); this test needs the shared data set",
            p.display()
        );
        None
    }
}

/// Loads files in chunks of `chunk` bytes.
pub fn load_chunked(
    paths: &[PathBuf],
    opts: IngestOptions,
    chunk: usize,
) -> Result<Dataset, IngestError> {
    let mut loader = Loader::new(opts);
    for p in paths {
        let bytes = std::fs::read(p).expect("read fixture");
        loader.start_file(&p.file_name().unwrap().to_string_lossy());
        for c in bytes.chunks(chunk.max(1)) {
            if loader.feed(c).is_err() {
                break;
            }
        }
        let _ = loader.end_file();
    }
    loader.finish()
}

pub fn load(paths: &[PathBuf], opts: IngestOptions) -> Result<Dataset, IngestError> {
    load_chunked(paths, opts, 1 << 20)
}

pub fn load_one(name: &str) -> Dataset {
    load(&[fixture(name)], IngestOptions::default()).expect("fixture loads")
}

/// The IoT-23 fixture `iot23-mix.csv` (350 flows), built into the test binary so it loads in the
/// browser too.
pub fn iot23_mix() -> Dataset {
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file("iot23-mix.csv");
    loader
        .feed(include_bytes!("../fixtures/iot23-mix.csv"))
        .unwrap();
    loader.end_file().unwrap();
    loader.finish().unwrap()
}

pub fn counts(data: &Dataset, t: flowlab::ingest::Taxonomy) -> Vec<(String, u64)> {
    data.summary_as(t).label_counts.into_iter().collect()
}

pub fn pairs(v: &[(&str, u64)]) -> Vec<(String, u64)> {
    v.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

/// Column equality where missing (`NaN`) equals missing; prints only the first difference.
pub fn same_columns(
    a: &[flowlab::ingest::Column],
    b: &[flowlab::ingest::Column],
) -> Result<(), String> {
    if a.len() != b.len() {
        return Err(format!("{} vs {} columns", a.len(), b.len()));
    }
    for (x, y) in a.iter().zip(b) {
        if format!("{x:?}") != format!("{y:?}") {
            return Err(format!("column {:?} differs", x.name));
        }
    }
    Ok(())
}

/// Runs the `flowlab` binary with `args`: (exit code, stdout, stderr).
#[cfg(not(target_arch = "wasm32"))]
pub fn flowlab(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flowlab"))
        .args(args)
        .output()
        .expect("run flowlab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}
