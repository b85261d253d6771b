//! `flowlab features` exports the rows and features `flowlab train --split random` uses.
#![cfg(not(target_arch = "wasm32"))] // runs the CLI: native only

use crate::common::flowlab;
use std::collections::BTreeMap;

use crate::common::fixture;

/// Header and rows of an exported CSV (no field of these fixtures needs quoting).
fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().split(',').map(String::from).collect();
    let rows = lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn export_matches_the_rows_train_fits_and_scores() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let files = [
        fixture("iot23-mix.csv").display().to_string(),
        fixture("iot23-34-1.conn.log.labeled").display().to_string(),
    ];
    let common = ["--taxonomy", "attack", "--seed", "3", "--test-size", "0.3"];
    let mut args = vec!["features"];
    args.extend(common);
    args.extend(["--out", out.to_str().unwrap(), &files[0], &files[1]]);
    let (code, stdout, err) = flowlab(&args);
    assert_eq!(code, 0, "{err}");

    let mut args = vec!["train", "--model", "dt", "--json"];
    args.extend(common);
    args.extend([files[0].as_str(), files[1].as_str()]);
    let (code, json, err) = flowlab(&args);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();

    let (train_header, train) = read_csv(&out.join("train.csv"));
    let (test_header, test) = read_csv(&out.join("test.csv"));
    assert_eq!(train.len() as u64, v["train_rows"].as_u64().unwrap());
    assert_eq!(test.len() as u64, v["test_rows"].as_u64().unwrap());
    // 350 + 400 rows, 30 % held out per class, duplicates of training rows dropped from the test.
    assert_eq!(
        train.len() as u64 + test.len() as u64 + v["duplicates_removed"].as_u64().unwrap(),
        750
    );
    assert!(
        stdout.contains(&format!("train rows {}", train.len())),
        "{stdout}"
    );

    // Columns: the pipeline's features, then the label.
    assert_eq!(train_header, test_header);
    assert_eq!(
        train_header.len() as u64,
        v["features"].as_u64().unwrap() + 1
    );
    assert_eq!(train_header.last().unwrap(), "label");
    assert!(train_header.iter().any(|h| h == "orig_bytes_per_pkt"));
    assert!(!train_header.iter().any(|h| h.contains("id.resp_p")));

    // The test rows are the scored rows: same class supports as `train --json`.
    let mut support: BTreeMap<String, u64> = BTreeMap::new();
    for r in &test {
        assert_eq!(r.len(), test_header.len());
        for cell in &r[..r.len() - 1] {
            cell.parse::<f32>()
                .unwrap_or_else(|_| panic!("not a number: {cell:?}"));
        }
        *support.entry(r.last().unwrap().clone()).or_default() += 1;
    }
    for (class, n) in &support {
        assert_eq!(
            v["per_class"][class]["support"].as_u64(),
            Some(*n),
            "{class}"
        );
    }

    // `--fit` fits the same model on the same rows: the same scores as `train`.
    let mut args = vec!["features", "--fit", "dt"];
    args.extend(common);
    args.extend([files[0].as_str(), files[1].as_str()]);
    let (code, line, err) = flowlab(&args);
    assert_eq!(code, 0, "{err}");
    let f: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(f["model"], "dt");
    assert_eq!(f["train_rows"], v["train_rows"]);
    assert_eq!(f["test_rows"], v["test_rows"]);
    assert_eq!(f["metrics"]["macro_f1"], v["metrics"]["macro_f1"]);
    assert_eq!(f["metrics"]["accuracy"], v["metrics"]["accuracy"]);
    assert!(f["fit_seconds"].as_f64().unwrap() > 0.0);
}

#[test]
fn ports_are_exported_only_on_request_and_bad_sizes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p");
    let file = fixture("iot23-34-1.conn.log.labeled").display().to_string();
    let (code, _, err) = flowlab(&[
        "features",
        "--include-ports",
        "--out",
        out.to_str().unwrap(),
        &file,
    ]);
    assert_eq!(code, 0, "{err}");
    let (header, rows) = read_csv(&out.join("train.csv"));
    assert!(header.iter().any(|h| h == "id.resp_p"), "{header:?}");
    // 400 rows, 25 % held out (rounded per class): 300 training rows.
    assert_eq!(rows.len(), 300);

    let (code, _, err) = flowlab(&[
        "features",
        "--test-size",
        "1.5",
        "--out",
        out.to_str().unwrap(),
        &file,
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("test size 1.5: expected a share between 0 and 1"),
        "{err}"
    );

    let (code, _, err) = flowlab(&["features", "--fit", "rf", "--set", "n_tree=3", &file]);
    assert_eq!(code, 2);
    assert!(
        err.contains("rf has no hyper-parameter \"n_tree\""),
        "{err}"
    );
    let (code, _, err) = flowlab(&["features", &file]);
    assert_eq!(code, 2);
    assert!(err.contains("--out"), "{err}");
}
