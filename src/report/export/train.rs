//! `flowlab train`'s report, as text and as JSON: the split's scores, the by-capture
//! evaluation's beside them (`--by-capture`), leakage, the capture detector, importance.

use serde_json::{json, Value};

use super::{metrics_json, metrics_text, ImportanceRow};
use crate::eval::capture::CaptureScan;
use crate::eval::metrics::Report;
use crate::job::TrainedModel;

/// What `flowlab train` reports on one trained model: rendered as JSON by [`TrainReport::json`]
/// and as text by [`TrainReport::text`].
pub struct TrainReport<'a> {
    /// The model's name as given on the command line.
    pub model: &'a str,
    /// Seconds spent fitting and scoring.
    pub fit_seconds: f64,
    pub trained: &'a TrainedModel,
    pub importance: Option<&'a [ImportanceRow]>,
    /// The capture detector's scan (`None` with one capture).
    pub capture: Option<&'a CaptureScan>,
    /// The by-capture evaluation (`flowlab train --by-capture`).
    pub by_capture: Option<&'a Report>,
}

impl TrainReport<'_> {
    /// `flowlab train --json`: [`metrics_json`], the training facts, leakage, the capture scan
    /// (`null` with one capture), importance, and `by_capture` (the [`metrics_json`] of the
    /// by-capture evaluation; `null` without it).
    pub fn json(&self) -> Value {
        let m = &self.trained.meta;
        let mut v = metrics_json(&m.metrics, &self.trained.classes);
        if let Some(o) = v.as_object_mut() {
            o.insert("model".into(), json!(self.model));
            o.insert("fit_seconds".into(), json!(self.fit_seconds));
            o.insert("split".into(), json!(m.split));
            o.insert("train_rows".into(), json!(m.train_rows));
            o.insert("test_rows".into(), json!(m.test_rows));
            o.insert("duplicates_removed".into(), json!(m.duplicates_removed));
            o.insert("features".into(), json!(self.trained.pipeline.width()));
            o.insert(
                "leakage".into(),
                serde_json::to_value(&m.leakage).unwrap_or_default(),
            );
            o.insert(
                "capture".into(),
                serde_json::to_value(self.capture).unwrap_or_default(),
            );
            o.insert(
                "by_capture".into(),
                self.by_capture
                    .map_or(Value::Null, |r| metrics_json(r, &self.trained.classes)),
            );
            if let Some(rows) = self.importance {
                o.insert("importance".into(), json!(rows));
            }
        }
        v
    }

    /// `flowlab train` without `--json`: facts, metrics, the by-capture per-class F1 when
    /// asked for, leakage warnings, the features that name the capture, the top 15 features.
    pub fn text(&self) -> String {
        let m = &self.trained.meta;
        let mut s = format!(
        "model {}  split: {}  fit+score {:.2} s  train rows {}  test rows {}  duplicates removed {}  features {}\n",
        self.model, m.split, self.fit_seconds, m.train_rows, m.test_rows, m.duplicates_removed, self.trained.pipeline.width()
    );
        s += &metrics_text(&m.metrics, &self.trained.classes);
        if let Some(r) = self.by_capture {
            s += &by_capture_text(&m.metrics, r, &self.trained.classes);
        }
        let warned: Vec<_> = m.leakage.iter().filter(|f| f.warn).collect();
        if !warned.is_empty() {
            s += "leakage warnings:\n";
            for f in warned {
                s += &format!("  {:<20} {}\n", f.column, f.message);
            }
        }
        if let Some(scan) = self.capture {
            s += &format!("capture detector: {}\n", scan.summary());
            for f in scan.flagged() {
                s += &format!("  {:<20} {}\n", f.feature, f.message);
            }
        }
        if let Some(rows) = self.importance {
            s += "importance (drop in macro-F1 when shuffled; gain share for trees), top 15:\n";
            for r in rows.iter().take(15) {
                let gain = r.gain.map_or("   n/a".into(), |g| format!("{g:.4}"));
                s += &format!(
                    "  {:<32} {:>8.4} ± {:.4}  gain {gain}\n",
                    r.feature,
                    r.permutation_mean.unwrap_or_default(),
                    r.permutation_std.unwrap_or_default(),
                );
            }
        }
        s
    }
}

/// Per-class F1 of the requested split beside the by-capture evaluation's (the CLI's text).
pub fn by_capture_text(split: &Report, capture: &Report, classes: &[String]) -> String {
    let mut s = format!(
        "by capture (group k-fold over the files): macro-F1 {:.4}  (split {:.4}, gap {:.4})\n",
        capture.macro_f1,
        split.macro_f1,
        split.macro_f1 - capture.macro_f1
    );
    s += &format!(
        "{:<28} {:>9} {:>12} {:>9}\n",
        "class", "split f1", "capture f1", "support"
    );
    for ((c, p), q) in classes.iter().zip(&split.per_class).zip(&capture.per_class) {
        s += &format!("{c:<28} {:>9.4} {:>12.4} {:>9}\n", p.f1, q.f1, q.support);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::super::format::sample_report;
    use super::*;

    #[test]
    fn by_capture_f1_sits_beside_the_split_f1_per_class() {
        let split = sample_report();
        let mut capture = sample_report();
        capture.macro_f1 = 0.25;
        capture.per_class[0].f1 = 0.0;
        capture.per_class[0].support = 7;
        let classes = vec!["Benign".to_string(), "DDoS".to_string()];
        assert_eq!(
            by_capture_text(&split, &capture, &classes),
            "by capture (group k-fold over the files): macro-F1 0.2500  (split 0.5000, gap 0.2500)\n\
             class                         split f1   capture f1   support\n\
             Benign                          0.5000       0.0000         7\n\
             DDoS                            0.5000       0.5000         0\n"
        );
    }
}
