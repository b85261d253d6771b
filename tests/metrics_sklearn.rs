//! flowlab's metrics against scikit-learn's, on the fixed vectors in
//! `tests/fixtures/sklearn/metrics.json` (made by `make_metrics.py` beside it), to 1e-6.
#![cfg(not(target_arch = "wasm32"))]

use flowlab::eval::metrics::Report;
use serde_json::Value;

fn close(name: &str, case: &str, ours: f64, theirs: &Value) {
    let t = theirs
        .as_f64()
        .unwrap_or_else(|| panic!("{case}: {name} missing"));
    assert!(
        (ours - t).abs() < 1e-6,
        "{case}: {name}: flowlab {ours} vs scikit-learn {t}"
    );
}

#[test]
fn metrics_equal_scikit_learn() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sklearn/metrics.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let k = c["n_classes"].as_u64().unwrap() as usize;
        let ints = |key: &str| -> Vec<u32> {
            c[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as u32)
                .collect()
        };
        let (y, pred) = (ints("y_true"), ints("y_pred"));
        let proba: Vec<f32> = c["proba"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        let r = Report::new(&y, &pred, Some(&proba), k);
        close("accuracy", name, r.accuracy, &c["accuracy"]);
        close(
            "balanced_accuracy",
            name,
            r.balanced_accuracy,
            &c["balanced_accuracy"],
        );
        close(
            "macro_precision",
            name,
            r.macro_precision,
            &c["macro_precision"],
        );
        close("macro_recall", name, r.macro_recall, &c["macro_recall"]);
        close("macro_f1", name, r.macro_f1, &c["macro_f1"]);
        close(
            "weighted_precision",
            name,
            r.weighted_precision,
            &c["weighted_precision"],
        );
        close(
            "weighted_recall",
            name,
            r.weighted_recall,
            &c["weighted_recall"],
        );
        close("weighted_f1", name, r.weighted_f1, &c["weighted_f1"]);
        close("mcc", name, r.mcc, &c["mcc"]);
        close("roc_auc", name, r.roc_auc.unwrap(), &c["roc_auc"]);
        close("pr_auc", name, r.pr_auc.unwrap(), &c["pr_auc"]);
        if !c["roc_auc_ovr_sklearn"].is_null() {
            close(
                "roc_auc (multi_class=ovr)",
                name,
                r.roc_auc.unwrap(),
                &c["roc_auc_ovr_sklearn"],
            );
        }
        for (i, pc) in r.per_class.iter().enumerate() {
            close(
                "precision",
                name,
                pc.precision,
                &c["per_class_precision"][i],
            );
            close("recall", name, pc.recall, &c["per_class_recall"][i]);
            close("f1", name, pc.f1, &c["per_class_f1"][i]);
        }
        let conf: Vec<Vec<u64>> = serde_json::from_value(c["confusion"].clone()).unwrap();
        assert_eq!(r.confusion, conf, "{name}: confusion");
    }
}
