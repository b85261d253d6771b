//! Bad input: a specific message (file, line, column, what was expected), never a panic, and the
//! other files still load.
#![cfg(not(target_arch = "wasm32"))] // reads files and runs the CLI: native only

use crate::common::*;
use flowlab::ingest::{IngestError, IngestOptions, Loader};

fn error_of(name: &str) -> String {
    load(&[fixture(name)], IngestOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn empty_file() {
    assert_eq!(
        error_of("bad/bad-empty.csv"),
        "no file could be read: bad-empty.csv: the file is empty"
    );
}

#[test]
fn binary_content() {
    let e = error_of("bad/bad-binary.bin");
    assert!(
        e.contains("bad-binary.bin: binary content at byte 0, not a text flow log or CSV"),
        "{e}"
    );
}

#[test]
fn header_only_and_headerless() {
    let e = error_of("bad/bad-header-only.csv");
    assert!(
        e.contains("bad-header-only.csv, line 2: no data rows"),
        "{e}"
    );
    let e = error_of("bad/bad-headerless.csv");
    assert!(e.contains("bad-headerless.csv, line 1: the first row holds values (3 of 3 fields are numbers), not column names"), "{e}");
}

#[test]
fn no_label_column_loads_with_a_warning() {
    let d = load_one("bad/bad-no-label.csv");
    assert!(!d.has_labels());
    let w = &d.summary().warnings[0];
    assert_eq!(w.file.as_deref(), Some("bad-no-label.csv"));
    assert!(
        w.message.starts_with("no label column found"),
        "{}",
        w.message
    );
    assert!(w.message.contains("columns: proto, duration, bytes"));
}

#[test]
fn ragged_rows_are_counted_with_line_numbers() {
    let d = load_one("bad/bad-ragged.csv");
    let s = d.summary();
    assert_eq!((s.files[0].rows, s.files[0].skipped), (2, 2));
    let w = &s.warnings[0];
    assert_eq!(w.count, 2);
    assert_eq!(w.examples, ["line 3: 2 fields", "line 4: 6 fields"]);
    assert!(w.message.contains("expected 4"));
}

#[test]
fn text_in_a_numeric_column() {
    let d = load_one("bad/bad-text-in-number.csv");
    let w = &d.summary().warnings[0];
    assert_eq!(w.column.as_deref(), Some("bytes"));
    assert_eq!(w.examples, ["bad-text-in-number.csv line 32: \"lots\""]);
    assert!(d.column("bytes").unwrap().as_numeric().unwrap()[30].is_nan());
}

#[test]
fn truncated_gzip_keeps_complete_rows() {
    let d = load_one("bad/bad-truncated.csv.gz");
    let s = d.summary();
    assert_eq!(s.rows, 139);
    assert!(s
        .warnings
        .iter()
        .any(|w| w.message.contains("looks truncated")));
}

#[test]
fn a_bad_file_does_not_spoil_the_good_ones() {
    let files = [
        fixture("bad/bad-binary.bin"),
        fixture("iot23-reduced.csv"),
        fixture("bad/bad-empty.csv"),
        fixture("nsl-kdd.txt"),
    ];
    let d = load(&files, IngestOptions::default()).unwrap();
    let s = d.summary();
    assert_eq!(s.rows, 551);
    assert_eq!(s.files.len(), 2);
    assert_eq!(
        s.failed.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["bad-binary.bin", "bad-empty.csv"]
    );
    assert_eq!(
        d.sources.iter().filter(|&&f| f == 1).count(),
        300,
        "row sources point at the right file"
    );
}

#[test]
fn junk_of_every_shape_never_panics() {
    let junk: Vec<Vec<u8>> = vec![
        b"\n\n\n".to_vec(),
        b"#fields\n".to_vec(),
        b"1\t2\n#fields\ta\tb\n".to_vec(),
        b"a,b\n\"unterminated,1\n".to_vec(),
        b"a,,b\n1,2,3\n".to_vec(),
        b"label,label\nx,y\n".to_vec(),
        vec![0x1f, 0x8b, 0, 0, 0],
        b"PK\x03\x04garbage".to_vec(),
        (0..=255u8).cycle().take(5000).collect(),
        "é,ü\n\u{1F600},x\n".as_bytes().to_vec(),
        vec![0xff; 100],
    ];
    for (i, bytes) in junk.iter().enumerate() {
        let mut l = Loader::new(IngestOptions::default());
        l.start_file(&format!("junk{i}"));
        let _ = l.feed(bytes);
        let ended = l.end_file();
        match l.finish() {
            Ok(d) => assert!(d.n_rows() > 0),
            Err(e) => {
                assert!(matches!(e, IngestError::NothingLoaded(_)), "{i}: {e}");
                let why = ended.unwrap_err().to_string();
                assert!(
                    why.starts_with(&format!("junk{i}")),
                    "{i}: message names the file: {why}"
                );
            }
        }
    }
}

#[test]
fn duplicate_header_names_are_rejected_with_the_name() {
    let mut l = Loader::new(IngestOptions::default());
    l.start_file("dup.csv");
    l.feed(b"label,bytes,label\nx,1,y\n").unwrap();
    let e = l.end_file().unwrap_err().to_string();
    assert_eq!(e, "dup.csv, line 1: column \"label\" appears twice in the header; expected unique column names");
}

/// One trap file's entry in `tests/fixtures/bad/expected.json` (shared with the page's test,
/// `e2e/bad_files.test.mjs`).
#[derive(serde::Deserialize)]
struct Trap {
    outcome: String,
    message: Option<String>,
    rows: Option<u64>,
    warning: Option<String>,
}

/// `tests/fixtures/bad/expected.json`: fixture path → what loading it must do.
fn traps() -> std::collections::BTreeMap<String, Trap> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        files: std::collections::BTreeMap<String, Trap>,
    }
    let text = std::fs::read_to_string(fixture("bad/expected.json")).unwrap();
    serde_json::from_str::<Manifest>(&text).unwrap().files
}

#[test]
fn every_trap_file_does_what_the_manifest_says() {
    let traps = traps();
    // Every file of the corpus is described, so the page's test covers the same files.
    for entry in std::fs::read_dir(fixture("bad")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name != "expected.json" {
            assert!(
                traps.contains_key(&format!("bad/{name}")),
                "bad/{name} is not in expected.json"
            );
        }
    }
    let mut refused = 0;
    for (path, trap) in &traps {
        match trap.outcome.as_str() {
            "refused" => {
                let e = load(&[fixture(path)], IngestOptions::default())
                    .unwrap_err()
                    .to_string();
                let want = trap.message.as_deref().unwrap();
                assert!(e.contains(want), "{path}: {e}\nexpected: {want}");
                refused += 1;
            }
            "loads" => {
                let d = load_one(path);
                let s = d.summary();
                assert_eq!(Some(s.rows), trap.rows, "{path}: rows");
                let warnings: Vec<String> = s.warnings.iter().map(|w| w.to_string()).collect();
                match &trap.warning {
                    Some(want) => assert!(
                        warnings.iter().any(|w| w.contains(want.as_str())),
                        "{path}: {warnings:?}\nexpected: {want}"
                    ),
                    None => assert_eq!(warnings, Vec::<String>::new(), "{path}"),
                }
            }
            other => panic!("{path}: unknown outcome {other}"),
        }
    }
    assert_eq!(refused, 9);
}

#[test]
fn zeek_community_id_and_mac_addresses_are_identifiers_not_features() {
    let d = load_one("bad/zeek-unknown-fields.conn.log.labeled");
    let s = d.summary();
    let role = |name: &str| {
        s.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.role.clone())
    };
    assert_eq!(role("community_id").as_deref(), Some("identifier"));
    assert_eq!(role("orig_l2_addr").as_deref(), Some("identifier"));
    // A field flowlab does not know is read by its declared type.
    assert_eq!(role("plugin.score").as_deref(), Some("feature"));
    assert_eq!(s.columns.len(), 27);
}

#[test]
fn a_five_megabyte_line_without_a_break_is_refused_on_line_1_at_once() {
    let line: Vec<u8> = (0..5 << 20)
        .map(|i: u32| {
            b"abcdefghij,;0123456789"[(i.wrapping_mul(2_654_435_761) >> 27) as usize % 22]
        })
        .collect();
    let mut l = Loader::new(IngestOptions::default());
    l.start_file("one-line.csv");
    for c in line.chunks(1 << 20) {
        if l.feed(c).is_err() {
            break;
        }
    }
    let e = l.end_file().unwrap_err().to_string();
    // Split at every ';' it is a "header" of 163,842 names, most of them repeated: refused at
    // once (it used to take minutes, numbering the repeated names one scan at a time).
    assert_eq!(e, "one-line.csv, line 1: the header has 163842 fields: expected a flow table of at most 4096 columns (is this one long line of something else?)");
}
