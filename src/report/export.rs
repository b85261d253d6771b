//! Every table the page downloads and the CLI prints, built from plain data: CSV documents
//! (formula-safe cells), the comparison JSON, and the CLI's metrics/importance JSON and text.
//! The page saves these strings; `flowlab train|eval --json` prints the same builders' output.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::format::{fmt4, fmt4_or_na, model_label, opt_value, raw, ModelScores, COLUMNS};
use crate::eval::importance::PermutationImportance;
use crate::eval::leakage::Finding;
use crate::eval::metrics::{ClassReport, Report};
use crate::explore::ColumnStats;
use crate::job::Diagnostics;

mod train;
pub use train::{by_capture_text, TrainReport};

/// A CSV cell: quoted when needed, and formula-safe (see `ingest::export::formula_safe`).
pub fn csv_cell(v: &str) -> String {
    let v = crate::ingest::export::formula_safe(v);
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

/// A CSV document from a header and rows.
pub fn csv_table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for line in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = line.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A header row from string literals.
fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// An optional number at full precision, empty when missing.
fn opt(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// The comparison table as CSV: model label, kind, every [`COLUMNS`] value ([`raw`]), split.
pub fn comparison_csv(models: &[ModelScores]) -> String {
    let mut head = header(&["model", "kind"]);
    head.extend(COLUMNS.iter().map(|c| c.key.to_string()));
    head.push("split".into());
    let rows: Vec<Vec<String>> = models
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![model_label(i, r.title), r.kind.to_string()];
            row.extend(COLUMNS.iter().map(|c| raw(c.kind, (c.get)(r))));
            row.push(r.split.to_string());
            row
        })
        .collect();
    csv_table(&head, &rows)
}

/// The comparison table as JSON (an array of objects, `null` where a value is missing).
pub fn comparison_json(models: &[ModelScores]) -> String {
    let rows: Vec<Value> = models
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut o = Map::new();
            o.insert("model".into(), json!(model_label(i, r.title)));
            o.insert("kind".into(), json!(r.kind));
            for c in COLUMNS {
                o.insert(c.key.into(), json!((c.get)(r)));
            }
            o.insert("split".into(), json!(r.split));
            o.insert("classes".into(), json!(r.classes));
            Value::Object(o)
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())
}

/// The confusion matrix as CSV: counts, or each true class's row as shares.
pub fn confusion_csv(classes: &[String], confusion: &[Vec<u64>], normalised: bool) -> String {
    let mut head = vec!["true \\ predicted".to_string()];
    head.extend(classes.iter().cloned());
    let rows: Vec<Vec<String>> = confusion
        .iter()
        .zip(classes)
        .map(|(row, c)| {
            let total: u64 = row.iter().sum();
            let mut out = vec![c.clone()];
            out.extend(row.iter().map(|&n| {
                if !normalised {
                    n.to_string()
                } else if total == 0 {
                    0.0f64.to_string()
                } else {
                    (n as f64 / total as f64).to_string()
                }
            }));
            out
        })
        .collect();
    csv_table(&head, &rows)
}

/// Per-class precision, recall, F1, support and AUCs as CSV; with `by_capture` (the scores of
/// the by-capture evaluation) also `f1_by_capture` and `support_by_capture`.
pub fn per_class_csv(
    classes: &[String],
    per_class: &[ClassReport],
    by_capture: Option<&[ClassReport]>,
) -> String {
    let mut names = vec![
        "class",
        "precision",
        "recall",
        "f1",
        "support",
        "roc_auc",
        "pr_auc",
    ];
    if by_capture.is_some() {
        names.extend(["f1_by_capture", "support_by_capture"]);
    }
    let head = header(&names);
    let rows: Vec<Vec<String>> = classes
        .iter()
        .zip(per_class)
        .enumerate()
        .map(|(i, (c, p))| {
            let mut row = vec![
                c.clone(),
                p.precision.to_string(),
                p.recall.to_string(),
                p.f1.to_string(),
                p.support.to_string(),
                opt(p.roc_auc),
                opt(p.pr_auc),
            ];
            if let Some(capture) = by_capture {
                let q = capture.get(i);
                row.push(q.map_or(String::new(), |q| q.f1.to_string()));
                row.push(q.map_or(String::new(), |q| q.support.to_string()));
            }
            row
        })
        .collect();
    csv_table(&head, &rows)
}

/// One feature's importance: gain share (trees) and drop in macro-F1 when shuffled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportanceRow {
    pub feature: String,
    pub gain: Option<f64>,
    pub permutation_mean: Option<f64>,
    pub permutation_std: Option<f64>,
}

/// Every feature's importance, in feature order.
pub fn importance_table(
    names: &[String],
    gain: Option<&[f64]>,
    permutation: Option<&PermutationImportance>,
) -> Vec<ImportanceRow> {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let p = permutation.and_then(|p| p.features.get(i));
            ImportanceRow {
                feature: name.clone(),
                gain: gain.and_then(|g| g.get(i)).copied(),
                permutation_mean: p.map(|p| p.mean),
                permutation_std: p.map(|p| p.std),
            }
        })
        .collect()
}

/// Every feature's importance, most important by permutation first (the CLI's order).
pub fn importance_ranked(d: &Diagnostics) -> Vec<ImportanceRow> {
    let mut rows = importance_table(
        &d.feature_names,
        d.gain_importance.as_deref(),
        d.permutation.as_ref(),
    );
    let v = |r: &ImportanceRow| r.permutation_mean.unwrap_or(f64::MIN);
    rows.sort_by(|a, b| v(b).total_cmp(&v(a)));
    rows
}

/// Importance rows as CSV (empty cells where a measure is missing).
pub fn importance_csv(rows: &[ImportanceRow]) -> String {
    let head = header(&["feature", "gain", "permutation_mean", "permutation_std"]);
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.feature.clone(),
                opt(r.gain),
                opt(r.permutation_mean),
                opt(r.permutation_std),
            ]
        })
        .collect();
    csv_table(&head, &body)
}

/// The leakage findings as CSV.
pub fn leakage_csv(findings: &[Finding]) -> String {
    let head = header(&[
        "column",
        "role",
        "alone_macro_f1",
        "baseline_macro_f1",
        "distinct",
        "warn",
        "message",
    ]);
    let rows: Vec<Vec<String>> = findings
        .iter()
        .map(|f| {
            vec![
                f.column.clone(),
                f.role.clone(),
                f.alone_macro_f1.to_string(),
                f.baseline_macro_f1.to_string(),
                f.distinct.to_string(),
                f.warn.to_string(),
                f.message.clone(),
            ]
        })
        .collect();
    csv_table(&head, &rows)
}

/// The header of the column statistics table.
pub const STATS_HEADER: [&str; 11] = [
    "column",
    "kind",
    "role",
    "present",
    "missing",
    "unique",
    "min",
    "max",
    "mean",
    "std",
    "top values",
];

/// One column's statistics as a row under [`STATS_HEADER`].
pub fn stats_row(c: &ColumnStats) -> Vec<String> {
    vec![
        c.name.clone(),
        c.kind.clone(),
        c.role.clone(),
        c.present.to_string(),
        c.missing.to_string(),
        c.unique.to_string(),
        opt_value(c.min),
        opt_value(c.max),
        opt_value(c.mean),
        opt_value(c.std),
        c.top
            .iter()
            .map(|v| format!("{} ({})", v.value, v.rows))
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

/// The column statistics as CSV.
pub fn column_stats_csv(columns: &[ColumnStats]) -> String {
    let body: Vec<Vec<String>> = columns.iter().map(stats_row).collect();
    csv_table(&header(&STATS_HEADER), &body)
}

/// The column statistics as JSON (every field of every column).
pub fn column_stats_json(columns: &[ColumnStats]) -> Result<String, String> {
    serde_json::to_string_pretty(columns).map_err(|e| format!("cannot write the JSON: {e}"))
}

/// Metrics, per-class scores and the confusion matrix as JSON (`flowlab eval --json`, and the
/// base of `flowlab train --json`).
pub fn metrics_json(r: &Report, classes: &[String]) -> Value {
    let per_class: Map<String, Value> = classes
        .iter()
        .zip(&r.per_class)
        .map(|(c, p)| (c.clone(), json!({"precision": p.precision, "recall": p.recall, "f1": p.f1, "support": p.support, "roc_auc": p.roc_auc, "pr_auc": p.pr_auc})))
        .collect();
    json!({
        "metrics": {
            "accuracy": r.accuracy, "balanced_accuracy": r.balanced_accuracy, "macro_f1": r.macro_f1,
            "weighted_f1": r.weighted_f1, "mcc": r.mcc, "roc_auc": r.roc_auc, "pr_auc": r.pr_auc,
            "macro_precision": r.macro_precision, "macro_recall": r.macro_recall,
        },
        "per_class": per_class,
        "confusion": {"labels": classes, "matrix": r.confusion},
    })
}

/// The Predict tab's per-class table as CSV: scores with four decimals, as shown.
pub fn prediction_scores_csv(r: &Report, classes: &[String]) -> String {
    let head = header(&["class", "precision", "recall", "f1", "support"]);
    let rows: Vec<Vec<String>> = classes
        .iter()
        .zip(&r.per_class)
        .map(|(c, p)| {
            vec![
                c.clone(),
                fmt4(p.precision),
                fmt4(p.recall),
                fmt4(p.f1),
                p.support.to_string(),
            ]
        })
        .collect();
    csv_table(&head, &rows)
}

/// The Predict tab's scores as JSON: headline metrics, classes, per-class scores, confusion.
pub fn prediction_scores_json(r: &Report, classes: &[String]) -> String {
    serde_json::to_string_pretty(&json!({
        "accuracy": r.accuracy, "balanced_accuracy": r.balanced_accuracy, "macro_f1": r.macro_f1,
        "weighted_f1": r.weighted_f1, "mcc": r.mcc, "roc_auc": r.roc_auc, "pr_auc": r.pr_auc,
        "classes": classes, "per_class": r.per_class, "confusion": r.confusion,
    }))
    .unwrap_or_default()
}

/// `flowlab eval --json`: [`metrics_json`] and the number of rows scored.
pub fn eval_json(r: &Report, classes: &[String], rows: usize) -> Value {
    let mut v = metrics_json(r, classes);
    if let Some(o) = v.as_object_mut() {
        o.insert("rows".into(), json!(rows));
    }
    v
}

/// A JSON value as the CLI prints it: pretty, with a final newline.
pub fn json_document(v: &Value) -> String {
    format!("{}\n", serde_json::to_string_pretty(v).unwrap_or_default())
}

/// Metrics and per-class scores as the CLI's text table.
pub fn metrics_text(r: &Report, classes: &[String]) -> String {
    let mut s = format!(
        "accuracy {:.4}  balanced accuracy {:.4}  macro-F1 {:.4}  weighted-F1 {:.4}  MCC {:.4}  ROC-AUC {}  PR-AUC {}\n",
        r.accuracy, r.balanced_accuracy, r.macro_f1, r.weighted_f1, r.mcc, fmt4_or_na(r.roc_auc), fmt4_or_na(r.pr_auc)
    );
    s += &format!(
        "{:<28} {:>9} {:>9} {:>9} {:>9}\n",
        "class", "precision", "recall", "f1", "support"
    );
    for (c, p) in classes.iter().zip(&r.per_class) {
        s += &format!(
            "{c:<28} {:>9.4} {:>9.4} {:>9.4} {:>9}\n",
            p.precision, p.recall, p.f1, p.support
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::format::sample_report;
    use super::*;

    fn classes() -> Vec<String> {
        vec!["Benign".into(), "Okiru, C&C".into()]
    }

    fn scores<'a>(r: &'a Report, classes: &'a [String]) -> ModelScores<'a> {
        ModelScores {
            title: "Decision tree",
            kind: "dt",
            split: "stratified 25 % hold-out (seed 42)",
            classes,
            metrics: r,
            capture_macro_f1: None,
            train_rows: 12,
            test_rows: 4,
            duplicates_removed: 1,
            cpu_ms: 1234.56,
            wall_ms: 2000.0,
        }
    }

    #[test]
    fn csv_cells_are_quoted_and_formula_safe() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("plain"), "plain");
        assert!(csv_cell("=1+1").starts_with('\''));
        assert_eq!(
            csv_table(&header(&["a", "b"]), &[vec!["1".into(), "".into()]]),
            "a,b\n1,\n"
        );
    }

    #[test]
    fn comparison_csv_and_json_hold_every_column() {
        let (r, c) = (sample_report(), classes());
        let mut s = scores(&r, &c);
        let csv = comparison_csv(&[s]);
        assert_eq!(
            csv,
            "model,kind,accuracy,balanced_accuracy,macro_precision,macro_recall,macro_f1,capture_macro_f1,capture_gap,weighted_f1,mcc,roc_auc,pr_auc,train_rows,test_rows,duplicates_removed,cpu_ms,wall_ms,split\n\
             1. Decision tree,dt,0.75,0.625,0.5,0.625,0.5,,,0.5,0.25,0.875,,12,4,1,1234.6,2000.0,stratified 25 % hold-out (seed 42)\n"
        );
        s.capture_macro_f1 = Some(0.25);
        let json = comparison_json(&[s]);
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v[0]["model"], "1. Decision tree");
        assert_eq!(v[0]["capture_gap"], 0.25);
        assert_eq!(v[0]["pr_auc"], Value::Null);
        assert_eq!(v[0]["classes"][1], "Okiru, C&C");
        assert!(json
            .starts_with("[\n  {\n    \"accuracy\": 0.75,\n    \"balanced_accuracy\": 0.625,\n"));
        assert_eq!(comparison_json(&[]), "[]");
    }

    #[test]
    fn confusion_and_per_class_csv() {
        let (r, c) = (sample_report(), classes());
        assert_eq!(
            confusion_csv(&c, &r.confusion, false),
            "true \\ predicted,Benign,\"Okiru, C&C\"\nBenign,3,1\n\"Okiru, C&C\",0,0\n"
        );
        assert_eq!(
            confusion_csv(&c, &r.confusion, true),
            "true \\ predicted,Benign,\"Okiru, C&C\"\nBenign,0.75,0.25\n\"Okiru, C&C\",0,0\n"
        );
        assert_eq!(
            per_class_csv(&c, &r.per_class, None),
            "class,precision,recall,f1,support,roc_auc,pr_auc\nBenign,1,0.75,0.5,4,0.875,\n\"Okiru, C&C\",0,0.5,0.5,0,,\n"
        );
        let mut capture = r.per_class.clone();
        capture[0].f1 = 0.25;
        capture[0].support = 9;
        assert_eq!(
            per_class_csv(&c, &r.per_class, Some(&capture)),
            "class,precision,recall,f1,support,roc_auc,pr_auc,f1_by_capture,support_by_capture\n\
             Benign,1,0.75,0.5,4,0.875,,0.25,9\n\"Okiru, C&C\",0,0.5,0.5,0,,,0.5,0\n"
        );
    }

    #[test]
    fn importance_rows_in_feature_order_and_ranked() {
        use crate::eval::importance::FeatureImportance;
        let names: Vec<String> = vec!["a".into(), "b".into()];
        let f = |mean| FeatureImportance {
            mean,
            std: 0.5,
            accuracy_mean: 0.0,
            accuracy_std: 0.0,
        };
        let p = PermutationImportance {
            baseline_macro_f1: 0.9,
            baseline_accuracy: 0.9,
            rows: 10,
            features: vec![f(0.125), f(0.25)],
        };
        let rows = importance_table(&names, Some(&[0.75]), Some(&p));
        assert_eq!(
            importance_csv(&rows),
            "feature,gain,permutation_mean,permutation_std\na,0.75,0.125,0.5\nb,,0.25,0.5\n"
        );
        assert_eq!(
            importance_csv(&importance_table(&names, None, None)),
            "feature,gain,permutation_mean,permutation_std\na,,,\nb,,,\n"
        );
        assert_eq!(
            serde_json::to_string(&json!(rows[1])).unwrap(),
            r#"{"feature":"b","gain":null,"permutation_mean":0.25,"permutation_std":0.5}"#
        );
    }

    #[test]
    fn leakage_csv_writes_every_field() {
        let f = Finding {
            column: "uid".into(),
            role: "identifier".into(),
            alone_macro_f1: 0.5,
            baseline_macro_f1: 0.25,
            distinct: 7,
            warn: true,
            message: "identifier-like, never a feature".into(),
        };
        assert_eq!(
            leakage_csv(&[f]),
            "column,role,alone_macro_f1,baseline_macro_f1,distinct,warn,message\nuid,identifier,0.5,0.25,7,true,\"identifier-like, never a feature\"\n"
        );
    }

    #[test]
    fn prediction_scores_as_shown() {
        let (r, c) = (sample_report(), classes());
        assert_eq!(
            prediction_scores_csv(&r, &c),
            "class,precision,recall,f1,support\nBenign,1.0000,0.7500,0.5000,4\n\"Okiru, C&C\",0.0000,0.5000,0.5000,0\n"
        );
        let json = prediction_scores_json(&r, &c);
        assert!(json.starts_with("{\n  \"accuracy\": 0.75,\n  \"balanced_accuracy\": 0.625,\n  \"classes\": [\n    \"Benign\","));
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["per_class"][0]["support"], 4);
        assert_eq!(v["confusion"][0][0], 3);
    }

    #[test]
    fn metrics_json_and_text() {
        let (r, c) = (sample_report(), classes());
        let v = eval_json(&r, &c, 4);
        assert_eq!(v["rows"], 4);
        assert_eq!(v["metrics"]["macro_f1"], 0.5);
        assert_eq!(v["per_class"]["Benign"]["support"], 4);
        assert_eq!(v["confusion"]["matrix"][0][1], 1);
        assert_eq!(
            serde_json::to_string(&v["metrics"]).unwrap(),
            r#"{"accuracy":0.75,"balanced_accuracy":0.625,"macro_f1":0.5,"macro_precision":0.5,"macro_recall":0.625,"mcc":0.25,"pr_auc":null,"roc_auc":0.875,"weighted_f1":0.5}"#
        );
        assert!(json_document(&json!({"a": 1})).ends_with("}\n"));
        let text = metrics_text(&r, &c);
        assert_eq!(
            text.lines().next().unwrap(),
            "accuracy 0.7500  balanced accuracy 0.6250  macro-F1 0.5000  weighted-F1 0.5000  MCC 0.2500  ROC-AUC 0.8750  PR-AUC   n/a"
        );
        assert_eq!(
            text.lines().nth(2).unwrap(),
            "Benign                          1.0000    0.7500    0.5000         4"
        );
    }
}
