//! `flowlab explain`, run as a user would: the documented JSON shape, additive rows, and the
//! predicted class's output equal to the probability `flowlab predict` prints.
#![cfg(not(target_arch = "wasm32"))] // runs the CLI: native only

use crate::common::{fixture, flowlab};

fn train(model: &str, out: &std::path::Path, set: &[&str]) {
    let data = fixture("iot23-mix.csv").display().to_string();
    let mut args = vec!["train", "--model", model, "--out", out.to_str().unwrap()];
    for s in set {
        args.extend(["--set", s]);
    }
    args.push(&data);
    let (code, _, err) = flowlab(&args);
    assert_eq!(code, 0, "{err}");
}

/// Every row (and every class of it) adds up: expected value + Σ contributions = output.
fn assert_additive(v: &serde_json::Value) -> usize {
    let check = |r: &serde_json::Value| {
        let sum: f64 = r["contributions"]
            .as_object()
            .unwrap()
            .values()
            .map(|c| c.as_f64().unwrap())
            .sum();
        let (e, o) = (
            r["expected_value"].as_f64().unwrap(),
            r["output"].as_f64().unwrap(),
        );
        assert!((e + sum - o).abs() < 1e-9, "{e} + {sum} != {o}");
    };
    let rows = v["rows"].as_array().unwrap();
    for r in rows {
        check(r);
        for c in r["per_class"].as_array().into_iter().flatten() {
            check(c);
        }
    }
    rows.len()
}

#[test]
fn explain_json_is_additive_and_matches_predict() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("rf.flowlab");
    train("rf", &model, &["n_trees=20"]);
    let (m, data) = (
        model.to_str().unwrap(),
        fixture("iot23-mix.csv").display().to_string(),
    );
    let (code, out, err) = flowlab(&[
        "explain",
        m,
        &data,
        "--rows",
        "40",
        "--all-classes",
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["output"], "probability");
    let classes = v["classes"].as_array().unwrap();
    assert!(classes.len() >= 3, "{classes:?}");
    assert_eq!(assert_additive(&v), 40);
    let row = &v["rows"][0];
    assert_eq!(
        row["line"], 2,
        "the first flow is on the line after the header"
    );
    assert_eq!(row["per_class"].as_array().unwrap().len(), classes.len());
    // Contributions are on the user's columns: engineered features folded into them.
    let cols = row["contributions"].as_object().unwrap();
    assert!(
        cols.contains_key("orig_bytes") && cols.contains_key("proto"),
        "{cols:?}"
    );
    assert!(!cols.keys().any(|k| k.contains('=')), "{cols:?}");
    // The predicted class's output is the probability predict prints (6 decimals).
    let (code, csv, err) = flowlab(&["predict", m, &data]);
    assert_eq!(code, 0, "{err}");
    for (line, r) in csv.lines().skip(1).zip(v["rows"].as_array().unwrap()) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[2], r["predicted"].as_str().unwrap());
        let conf: f64 = cells[3].parse().unwrap();
        let out = r["output"].as_f64().unwrap();
        assert!((conf - out).abs() < 2e-6, "{conf} vs {out}");
    }
    // The text form names the top columns.
    let (code, text, err) = flowlab(&["explain", m, &data, "--rows", "3"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        text.contains("predicted") && text.contains("expected"),
        "{text}"
    );
}

#[test]
fn explain_boosting_on_raw_scores_and_refuses_the_mlp() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture("iot23-mix.csv").display().to_string();
    let gbdt = dir.path().join("gbdt.flowlab");
    train("gbdt", &gbdt, &["n_rounds=20"]);
    let (code, out, err) = flowlab(&["explain", gbdt.to_str().unwrap(), &data, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["output"], "raw_score");
    assert_eq!(assert_additive(&v), 10);
    let mlp = dir.path().join("mlp.flowlab");
    train("mlp", &mlp, &["max_epochs=2"]);
    let (code, _, err) = flowlab(&["explain", mlp.to_str().unwrap(), &data]);
    assert_eq!(code, 2);
    assert!(err.contains("MLP predictions are not explained"), "{err}");
}
