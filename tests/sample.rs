//! The page's embedded sample (issue 15 part 4): 3,437 IoT-23 flows cut into one file per
//! recording period, so the first training on the page is scored on captures it never saw.
//! The page (`src/ui/sample.rs`), its service worker (`public/sw.js`) and the folder must list the
//! same files; the files hold the documented rows; a default job scores them by capture.
#![cfg(not(target_arch = "wasm32"))]

use crate::common::*;
use flowlab::ingest::{IngestOptions, Taxonomy};
use flowlab::job::{self, JobRequest};
use flowlab::models::{no_progress, ModelSpec};

fn names() -> Vec<String> {
    sample_files()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// The quoted `*.conn.log.labeled` names in `text`, in order.
fn quoted_names(text: &str) -> Vec<String> {
    text.split(['"', '\''])
        .filter_map(|s| s.strip_prefix("./sample/").or(Some(s)))
        .filter(|s| s.ends_with(".conn.log.labeled") && !s.contains(['*', ' ', '/']))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_page_the_service_worker_and_the_folder_list_the_same_sample_files() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let ui = std::fs::read_to_string(root.join("src/ui/sample.rs")).unwrap();
    let list = ui
        .split("pub const SAMPLE_FILES")
        .nth(1)
        .and_then(|rest| rest.split("];").next())
        .expect("SAMPLE_FILES in src/ui/sample.rs");
    let sw = std::fs::read_to_string(root.join("public/sw.js")).unwrap();
    let folder = names();
    assert_eq!(folder.len(), 12, "{folder:?}");
    assert_eq!(quoted_names(list), folder, "src/ui/sample.rs SAMPLE_FILES");
    assert_eq!(quoted_names(&sw), folder, "public/sw.js");
}

#[test]
fn the_sample_files_hold_the_documented_rows_per_period() {
    // python3 scripts/split_sample.py prints these counts (public/sample/README.md).
    let expected = [
        ("iot23-2018-05-09.conn.log.labeled", 1),
        ("iot23-2018-05-11.conn.log.labeled", 3),
        ("iot23-2018-05-19.conn.log.labeled", 599),
        ("iot23-2018-07-20.conn.log.labeled", 131),
        ("iot23-2018-07-31.conn.log.labeled", 229),
        ("iot23-2018-10-25.conn.log.labeled", 10),
        ("iot23-2018-12-20.conn.log.labeled", 1399),
        ("iot23-2019-01-10.conn.log.labeled", 994),
        ("iot23-2019-02-28.conn.log.labeled", 51),
        ("iot23-2019-03-08.conn.log.labeled", 1),
        ("iot23-2019-07-03.conn.log.labeled", 1),
        ("iot23-2019-09-20.conn.log.labeled", 18),
    ];
    let d = load(&sample_files(), IngestOptions::default()).unwrap();
    assert_eq!(d.labels.len(), 3437);
    let got: Vec<(String, usize)> = d
        .files
        .iter()
        .map(|f| {
            let name = std::path::Path::new(&f.path).file_name().unwrap();
            (name.to_string_lossy().into_owned(), f.kept as usize)
        })
        .collect();
    let want: Vec<(String, usize)> = expected.iter().map(|(n, c)| (n.to_string(), *c)).collect();
    assert_eq!(got, want);
    assert_eq!(
        counts(&d, Taxonomy::Attack),
        pairs(&[
            ("Attack", 600),
            ("Benign", 600),
            ("C&C", 600),
            ("DDoS", 600),
            ("Okiru", 600),
            ("PortScan", 437),
        ])
    );
}

#[test]
fn a_default_job_on_the_sample_is_scored_by_capture() {
    let d = load(&sample_files(), IngestOptions::default()).unwrap();
    let mut req = JobRequest::new(vec![ModelSpec::default_for("dt").unwrap()]);
    req.taxonomy = Taxonomy::Attack;
    let prepared = job::prepare(&d, &req, 1).unwrap();
    assert_eq!(
        prepared.plan.by_capture.as_deref(),
        Some("group 5-fold by source file (12 captures)")
    );
    let results = job::run_local(&d, &req, &mut no_progress()).unwrap();
    let (model, diag) = &results[0];
    let split = model.meta.metrics.macro_f1;
    let capture = diag.by_capture.as_ref().unwrap().macro_f1;
    eprintln!("sample, dt: split macro-F1 {split:.4}, by capture {capture:.4}");
    // Rows of one period are not all alike, but a period's classes are: the split score is high,
    // the by-capture score far lower (Attack lives in one period and is never seen by capture).
    assert!(split > 0.8, "{split}");
    assert!(capture < split - 0.2, "{capture} vs {split}");
}
