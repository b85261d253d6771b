//! Ingest throughput on the files in ../shared/data: `cargo bench --bench ingest`.
//!
//! Prints MB/s per file (best of 3), and for the largest file replicated 10× in memory (to see
//! the steady state past start-up costs). Chunks of 1 MiB, as the CLI and the page's worker use.

use std::path::Path;
use std::time::Instant;

use flowlab::ingest::{IngestOptions, Loader};

fn parse(name: &str, bytes: &[u8], copies: usize) -> (usize, f64) {
    let mut best = f64::INFINITY;
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let mut loader = Loader::new(IngestOptions::default());
        for i in 0..copies {
            loader.start_file(&format!("{name}#{i}"));
            for chunk in bytes.chunks(1 << 20) {
                loader.feed(chunk).expect("parse");
            }
            loader.end_file().expect("end");
        }
        rows = loader.finish().expect("finish").n_rows();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (rows, best)
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let files = [
        "iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled",
        "iot23/iot23_mix_shared.conn.log.labeled",
        "iot23/iot23_mix_shared.csv",
        "iot23/iot23_balanced_multiclass_reduced.csv",
        "nsl-kdd/KDDTrain+_20Percent.txt",
    ];
    if !root.exists() {
        eprintln!(
            "SKIP: {} not found; the ingest benchmark needs the shared data",
            root.display()
        );
        return;
    }
    println!(
        "{:<52} {:>9} {:>9} {:>9} {:>10}",
        "file", "MB", "rows", "seconds", "MB/s"
    );
    for f in files {
        let bytes = std::fs::read(root.join(f)).expect("read");
        for copies in [1, 10] {
            if copies == 10 && f != "iot23/iot23_mix_shared.conn.log.labeled" {
                continue;
            }
            let (rows, secs) = parse(f, &bytes, copies);
            let mb = (bytes.len() * copies) as f64 / 1e6;
            let label = if copies == 1 {
                f.to_string()
            } else {
                format!("{f} ×{copies}")
            };
            println!(
                "{label:<52} {mb:>9.1} {rows:>9} {secs:>9.3} {:>10.1}",
                mb / secs
            );
        }
    }
}
