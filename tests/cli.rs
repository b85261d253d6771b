//! The `flowlab` binary, run as a user would.
#![cfg(not(target_arch = "wasm32"))] // reads files and runs the CLI: native only

use crate::common::flowlab;

use crate::common::fixture;
use crate::common::{load, sample_files};

fn path(name: &str) -> String {
    fixture(name).display().to_string()
}

#[test]
fn inspect_json_has_the_documented_shape() {
    let (code, out, err) = flowlab(&[
        "inspect",
        "--json",
        "--taxonomy",
        "attack",
        &path("iot23-34-1.conn.log.labeled"),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"], 400);
    assert_eq!(v["files"][0]["format"], "zeek");
    assert_eq!(v["files"][0]["rows"], 400);
    assert_eq!(v["files"][0]["skipped"], 0);
    assert_eq!(v["label_counts"]["Benign"], 120);
    assert_eq!(v["label_counts"]["PortScan"], 40);
    assert_eq!(v["columns"].as_array().unwrap().len(), 23);
    assert_eq!(v["warnings"].as_array().unwrap().len(), 0);
}

#[test]
fn inspect_text_names_formats() {
    for (file, format) in [
        ("nsl-kdd.txt", "nsl-kdd"),
        ("cidds-001.csv", "cidds"),
        ("unsw-nb15.csv", "unsw-nb15"),
        ("iot23-reduced.csv", "csv"),
    ] {
        let (code, out, _) = flowlab(&["inspect", &path(file)]);
        assert_eq!(code, 0);
        let line = out.lines().nth(1).unwrap();
        assert!(
            line.split_whitespace().nth(1) == Some(format),
            "{file}: {line}"
        );
    }
}

#[test]
fn bad_input_exits_non_zero_with_the_message() {
    let (code, out, err) = flowlab(&["inspect", &path("bad/bad-binary.bin")]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("bad-binary.bin: binary content at byte 0"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    let (code, out, err) = flowlab(&[
        "inspect",
        &path("bad/bad-empty.csv"),
        &path("iot23-reduced.csv"),
    ]);
    assert_eq!(code, 1, "one file failed: exit 1, the rest still reported");
    assert!(out.contains("rows: 251"));
    assert!(err.contains("bad-empty.csv: the file is empty"));
    let (code, _, err) = flowlab(&["inspect", "/no/such/file.csv"]);
    assert_eq!(code, 2);
    assert!(err.contains("/no/such/file.csv: No such file"), "{err}");
    // `family` is a taxonomy since the labels work (tests/labels.rs); `families` is not.
    let (code, _, err) = flowlab(&["inspect", "--taxonomy", "families", &path("nsl-kdd.txt")]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'families'"), "{err}");
}

#[test]
fn sample_writes_a_balanced_readable_zeek_log() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.conn.log.labeled");
    let (code, _, err) = flowlab(&[
        "sample",
        "--per-class",
        "25",
        "--taxonomy",
        "attack",
        "--out",
        out.to_str().unwrap(),
        &path("iot23-34-1.conn.log.labeled"),
        &path("iot23-34-1.conn.log.labeled.gz"),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 100 rows"), "{err}");
    let (code, json, _) = flowlab(&[
        "inspect",
        "--json",
        "--taxonomy",
        "attack",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["files"][0]["format"], "zeek");
    for class in ["Benign", "C&C", "DDoS", "PortScan"] {
        assert_eq!(v["label_counts"][class], 25, "{class}");
    }
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text
        .lines()
        .nth(5)
        .unwrap()
        .ends_with("tunnel_parents   label   detailed-label"));
}

/// A Zeek JSON log is sampled into Zeek JSON lines (not CSV), which read back as the same rows:
/// every class kept whole (`--per-class` above every count), the same columns and labels.
#[test]
fn sample_of_zeek_json_writes_zeek_json_that_reads_back_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.conn.json");
    let input = fixture("formats/iot23-34-1.conn.json");
    let (code, _, err) = flowlab(&[
        "sample",
        "--per-class",
        "1000",
        "--out",
        out.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 400 rows"), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("{\"ts\":"), "{}", &text[..80]);
    let read = |p: &std::path::Path| load(&[p.to_path_buf()], Default::default()).unwrap();
    let (a, b) = (read(&input), read(&out));
    assert_eq!(
        b.summary().files[0].format,
        flowlab::ingest::Format::ZeekJson
    );
    assert_eq!(a.columns.len(), b.columns.len());
    // Debug text: a missing number is NaN, which `==` never equals.
    for (x, y) in a.columns.iter().zip(&b.columns) {
        assert!(
            format!("{x:?}") == format!("{y:?}"),
            "column {} differs",
            x.name
        );
    }
    assert_eq!(
        (a.labels.clone(), a.label_names.clone()),
        (b.labels, b.label_names)
    );
}

#[test]
fn sample_of_csv_writes_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.csv");
    let (code, _, err) = flowlab(&[
        "sample",
        "--per-class",
        "5",
        "--out",
        out.to_str().unwrap(),
        &path("nsl-kdd.txt"),
    ]);
    assert_eq!(code, 0, "{err}");
    let (_, json, _) = flowlab(&["inspect", "--json", out.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["label_counts"]["normal"], 5);
    assert_eq!(v["label_counts"]["neptune"], 5);
    assert_eq!(v["files"][0]["format"], "csv");
}

#[test]
fn train_importance_ranks_features_by_permutation() {
    let (code, out, err) = flowlab(&[
        "train",
        "--model",
        "dt",
        "--importance",
        "--json",
        &path("iot23-mix.csv"),
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = v["importance"].as_array().unwrap();
    assert_eq!(rows.len() as u64, v["features"].as_u64().unwrap());
    let means: Vec<f64> = rows
        .iter()
        .map(|r| r["permutation_mean"].as_f64().unwrap())
        .collect();
    assert!(means.windows(2).all(|w| w[0] >= w[1]), "sorted: {means:?}");
    assert!(means[0] > 0.05, "the top feature matters: {}", means[0]);
    let gain: f64 = rows.iter().map(|r| r["gain"].as_f64().unwrap()).sum();
    assert!((gain - 1.0).abs() < 1e-6, "gain shares sum to 1: {gain}");
}

/// The parameter reference is generated from the models' parameter tables; the copy in
/// `docs/PARAMETERS.md` must match what `flowlab models` prints.
#[test]
fn parameter_reference_in_docs_is_current() {
    let printed = flowlab::cli::models_reference(None);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/PARAMETERS.md");
    let saved = std::fs::read_to_string(path).expect("docs/PARAMETERS.md");
    assert!(
        printed == saved,
        "docs/PARAMETERS.md is stale: run `cargo run --bin flowlab -- models > docs/PARAMETERS.md`"
    );
    assert!(printed
        .contains("| `n_trees` | `100` | an integer ≥ 1 | 10 … 200, log | trees in the forest |"));
}

/// `&str`s of `args`, for [`flowlab`].
fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn a_tiny_memory_budget_samples_train_and_refuses_a_sample_that_cannot_fit() {
    // The embedded sample: 12 files, one per recording period.
    let files = sample_files();
    let sample: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
    let with = |args: &[&str]| -> Vec<String> {
        args.iter().chain(&sample).map(|a| a.to_string()).collect()
    };
    // 1 MiB holds about 718 rows of these logs (see data::budget): 6 classes (+1 unseen) → 100 each.
    let (code, out, err) = flowlab(&refs(&with(&[
        "train",
        "--memory-budget",
        "1",
        "--model",
        "dt",
    ])));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("flowlab train: kept 614 of 3,437 rows: 100 per class; all the files need ~5 MiB, 1 MiB available; use --per-class/--max-rows-per-file to choose"),
        "{err}"
    );
    // 614 rows less 106 duplicates (without the time of day more rows are identical), 25 % held out.
    assert!(out.contains("train rows 460  test rows 48"), "{out}");
    // Without the flag the machine's memory holds the whole log: nothing is said about sampling.
    let (code, _, err) = flowlab(&refs(&with(&["train", "--model", "dt"])));
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("kept"), "{err}");
    // The user chose the caps: they do not fit, so the load is refused, not resampled.
    let dir = std::env::temp_dir().join(format!("flowlab-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out_file = dir.join("s.csv");
    let (code, _, err) = flowlab(&refs(&with(&[
        "sample",
        "--memory-budget",
        "1",
        "--per-class",
        "100000",
        "--out",
        out_file.to_str().unwrap(),
    ])));
    assert_eq!(code, 2);
    assert!(
        err.contains("the rows asked for do not fit in the 1 MiB of memory available (about 3,053 rows; about 718 fit): lower --per-class or --max-rows-per-file, or raise --memory-budget"),
        "{err}"
    );
    assert!(!out_file.exists());
    // A sample that fits is written whole.
    let (code, _, err) = flowlab(&refs(&with(&[
        "sample",
        "--memory-budget",
        "1",
        "--per-class",
        "20",
        "--out",
        out_file.to_str().unwrap(),
    ])));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 134 rows (Attack: 20, Benign: 20, C&C: 20, C&C-FileDownload: 3, DDoS: 20, Okiru: 20, PartOfAHorizontalPortScan: 20, benign: 11)"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tune_prints_the_trials_and_settings_train_accepts() {
    let files = [path("iot23-mix.csv"), path("iot23-34-1.conn.log.labeled")];
    let mut args = vec![
        "tune",
        "--model",
        "dt",
        "--trials",
        "4",
        "--seed",
        "3",
        "--taxonomy",
        "attack",
        "--set",
        "max_bins=64",
        "--json",
    ];
    args.extend(files.iter().map(String::as_str));
    let (code, out, err) = flowlab(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["objective"].as_str(), v["metric"].as_str()),
        (Some("by-capture"), Some("macro-f1"))
    );
    assert_eq!(v["trials"].as_array().unwrap().len(), 4);
    let best = &v["best"];
    let score = best["score"].as_f64().unwrap();
    assert!(score > 0.0 && score <= 1.0);
    // The printed --set arguments are the ones `flowlab train` takes.
    let sets = best["set"].as_str().unwrap();
    assert!(
        sets.starts_with("--set max_bins=64 --set criterion="),
        "{sets}"
    );
    let mut train: Vec<String> = ["train", "--model", "dt", "--taxonomy", "attack"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for word in sets.split_whitespace() {
        train.push(word.trim_matches('\'').to_string());
    }
    train.push(files[0].clone());
    let (code, _, err) = flowlab(&refs(&train));
    assert_eq!(code, 0, "{err}");
    // Bad input is refused with the reason.
    let (code, _, err) = flowlab(&["tune", "--model", "dt", "--trials", "0", &files[0]]);
    assert_eq!(code, 2);
    assert!(
        err.contains("flowlab tune: trials 0: expected at least 1"),
        "{err}"
    );
    let (code, _, err) = flowlab(&[
        "tune",
        "--model",
        "dt",
        "--objective",
        "by-capture",
        &files[0],
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("needs at least 2 labelled captures"), "{err}");
}
