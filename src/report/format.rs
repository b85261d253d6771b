//! How numbers are written in the page's tables and downloads: thousands separators, percents,
//! score cells, the columns of the model comparison (shared by the Results table and its
//! CSV/JSON exports, see [`super::export`]), and durations and the Train tab's progress cells.

use crate::eval::metrics::Report;
use crate::explore::format_value;
use crate::ingest::LabelMap;
use crate::job::scheduler::{ModelProgress, Status};

/// A gap (random-split macro-F1 minus by-capture macro-F1) at least this large is a warning.
pub const LARGE_GAP: f64 = 0.10;
/// A gap at least this large is worth a note.
pub const NOTABLE_GAP: f64 = 0.05;

pub use crate::data::budget::thousands;

/// Bytes in B / KiB / MiB / GiB: `1536` → `1.5 KiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A share in [0, 1] as a percent with one decimal: `0.1234` → `12.3 %`.
pub fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

/// An optional statistic as [`format_value`] writes it, empty when missing.
pub fn opt_value(x: Option<f64>) -> String {
    x.map(format_value).unwrap_or_default()
}

/// A score with four decimals: `0.5` → `0.5000`.
pub fn fmt4(v: f64) -> String {
    format!("{v:.4}")
}

/// An optional score with four decimals, `"  n/a"` when missing (the CLI's text tables).
pub fn fmt4_or_na(v: Option<f64>) -> String {
    v.map_or("  n/a".to_string(), |v| format!("{v:.4}"))
}

/// The name a model goes by in the page (several runs may train the same kind): `"2. Random forest"`.
pub fn model_label(i: usize, title: &str) -> String {
    format!("{}. {title}", i + 1)
}

/// File names as a table cell: all of them when there are at most `shown`, else how many, the
/// first `shown - 1` and the last (`12 files: a, b, …, l`).
pub fn file_list(names: &[String], shown: usize) -> String {
    if names.len() <= shown.max(1) {
        return names.join(", ");
    }
    let first = names[..shown.max(2) - 1].join(", ");
    let last = names.last().map_or("", String::as_str);
    format!("{} files: {first}, …, {last}", names.len())
}

/// The Models table's "labels" cell and its tooltip: the taxonomy and, when the model carries
/// the user's label mapping, its rules (the first two in the cell, all in the tooltip).
pub fn model_labels(taxonomy: &str, map: &LabelMap) -> (String, String) {
    let rules: Vec<String> = map
        .to_text()
        .lines()
        .map(|l| l.replace(" -> ", " → "))
        .collect();
    if rules.is_empty() {
        return (
            taxonomy.to_string(),
            format!("taxonomy {taxonomy}; no label mapping"),
        );
    }
    let shown = rules[..rules.len().min(2)].join("; ");
    let more = match rules.len() {
        n if n > 2 => format!(" (+{} more)", n - 2),
        _ => String::new(),
    };
    (
        format!("{taxonomy}, mapped: {shown}{more}"),
        format!("taxonomy {taxonomy}; label mapping:\n{}", rules.join("\n")),
    )
}

/// One trained model's numbers, as the comparison table and its exports read them.
#[derive(Debug, Clone, Copy)]
pub struct ModelScores<'a> {
    /// The readable title (`Random forest`).
    pub title: &'a str,
    /// `dt`, `rf`, …
    pub kind: &'a str,
    /// The split's description.
    pub split: &'a str,
    pub classes: &'a [String],
    /// Scores on the requested split.
    pub metrics: &'a Report,
    /// Macro-F1 when each source file is held out whole, when it was computed.
    pub capture_macro_f1: Option<f64>,
    pub train_rows: usize,
    pub test_rows: usize,
    pub duplicates_removed: usize,
    /// Fit time summed over workers, and from first task to result.
    pub cpu_ms: f64,
    pub wall_ms: f64,
}

impl ModelScores<'_> {
    /// Split macro-F1 minus by-capture macro-F1: how much the split flatters the model.
    pub fn gap(&self) -> Option<f64> {
        self.capture_macro_f1.map(|c| self.metrics.macro_f1 - c)
    }
}

/// How a comparison column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A score in [0, 1] (MCC in [−1, 1]); higher is better.
    Score,
    /// A row count.
    Count,
    /// Milliseconds, shown as seconds.
    Millis,
}

/// One column of the comparison table.
pub struct Col {
    pub key: &'static str,
    pub label: &'static str,
    /// Tooltip: what the number is.
    pub help: &'static str,
    pub kind: Kind,
    pub get: fn(&ModelScores) -> Option<f64>,
}

/// Every column of the comparison table, in order.
pub const COLUMNS: &[Col] = &[
    Col {
        key: "accuracy",
        label: "Accuracy",
        help: "share of test rows predicted right",
        kind: Kind::Score,
        get: |r| Some(r.metrics.accuracy),
    },
    Col {
        key: "balanced_accuracy",
        label: "Balanced acc.",
        help: "mean recall over classes (rare classes count as much as common ones)",
        kind: Kind::Score,
        get: |r| Some(r.metrics.balanced_accuracy),
    },
    Col {
        key: "macro_precision",
        label: "Macro P",
        help: "precision averaged over classes",
        kind: Kind::Score,
        get: |r| Some(r.metrics.macro_precision),
    },
    Col {
        key: "macro_recall",
        label: "Macro R",
        help: "recall averaged over classes",
        kind: Kind::Score,
        get: |r| Some(r.metrics.macro_recall),
    },
    Col {
        key: "macro_f1",
        label: "Macro F1 (split)",
        help: "F1 averaged over classes, on the requested split's test rows",
        kind: Kind::Score,
        get: |r| Some(r.metrics.macro_f1),
    },
    Col {
        key: "capture_macro_f1",
        label: "Macro F1 (by capture)",
        help: "macro-F1 when each source file (capture) is held out whole: traffic the model never saw",
        kind: Kind::Score,
        get: |r| r.capture_macro_f1,
    },
    Col {
        key: "capture_gap",
        label: "Gap",
        help: "split macro-F1 minus by-capture macro-F1: how much the split flatters the model",
        kind: Kind::Score,
        get: |r| r.gap(),
    },
    Col {
        key: "weighted_f1",
        label: "Weighted F1",
        help: "F1 averaged over classes, weighted by support",
        kind: Kind::Score,
        get: |r| Some(r.metrics.weighted_f1),
    },
    Col {
        key: "mcc",
        label: "MCC",
        help: "Matthews correlation coefficient (−1 … 1)",
        kind: Kind::Score,
        get: |r| Some(r.metrics.mcc),
    },
    Col {
        key: "roc_auc",
        label: "ROC-AUC",
        help: "one-vs-rest ROC-AUC, macro average",
        kind: Kind::Score,
        get: |r| r.metrics.roc_auc,
    },
    Col {
        key: "pr_auc",
        label: "PR-AUC",
        help: "one-vs-rest average precision, macro average",
        kind: Kind::Score,
        get: |r| r.metrics.pr_auc,
    },
    Col {
        key: "train_rows",
        label: "Train rows",
        help: "rows the saved model was fitted on",
        kind: Kind::Count,
        get: |r| Some(r.train_rows as f64),
    },
    Col {
        key: "test_rows",
        label: "Test rows",
        help: "rows scored (summed over folds)",
        kind: Kind::Count,
        get: |r| Some(r.test_rows as f64),
    },
    Col {
        key: "duplicates_removed",
        label: "Dupes removed",
        help: "test rows dropped because an identical row was in training",
        kind: Kind::Count,
        get: |r| Some(r.duplicates_removed as f64),
    },
    Col {
        key: "cpu_ms",
        label: "Fit CPU",
        help: "time spent fitting, summed over workers",
        kind: Kind::Millis,
        get: |r| Some(r.cpu_ms),
    },
    Col {
        key: "wall_ms",
        label: "Fit wall",
        help: "time from the model's first task to its result",
        kind: Kind::Millis,
        get: |r| Some(r.wall_ms),
    },
];

/// A comparison cell's text in the page.
pub fn cell(kind: Kind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => "—".into(),
        (Kind::Score, Some(v)) => format!("{v:.4}"),
        (Kind::Count, Some(v)) => format!("{v:.0}"),
        (Kind::Millis, Some(v)) => format!("{:.2} s", v / 1000.0),
    }
}

/// A comparison cell's value in a download (full precision, empty when missing).
pub fn raw(kind: Kind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => String::new(),
        (Kind::Count, Some(v)) => format!("{v:.0}"),
        (Kind::Millis, Some(v)) => format!("{v:.1}"),
        (Kind::Score, Some(v)) => format!("{v}"),
    }
}

/// The gap cell's text: the by-capture score's change from the split's, signed (`-0.1234`).
pub fn gap_cell(gap: Option<f64>) -> String {
    gap.map_or("—".into(), |g| format!("{:+.4}", -g))
}

/// A small report for tests: two classes, every number distinct.
#[cfg(test)]
pub(crate) fn sample_report() -> Report {
    use crate::eval::metrics::ClassReport;
    Report {
        accuracy: 0.75,
        balanced_accuracy: 0.625,
        macro_precision: 0.5,
        macro_recall: 0.625,
        macro_f1: 0.5,
        weighted_precision: 0.5625,
        weighted_recall: 0.75,
        weighted_f1: 0.5,
        mcc: 0.25,
        roc_auc: Some(0.875),
        pr_auc: None,
        confusion: vec![vec![3, 1], vec![0, 0]],
        per_class: vec![
            ClassReport {
                precision: 1.0,
                recall: 0.75,
                f1: 0.5,
                support: 4,
                roc_auc: Some(0.875),
                pr_auc: None,
            },
            ClassReport {
                precision: 0.0,
                recall: 0.5,
                f1: 0.5,
                support: 0,
                roc_auc: None,
                pr_auc: None,
            },
        ],
    }
}

/// A length of time in minutes and seconds: `1500.0` ms → `1.5 s`, `125_000.0` → `2 min 05 s`.
pub fn duration(ms: f64) -> String {
    let s = (ms / 1000.0).max(0.0);
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:02} s", (s / 60.0) as u64, (s % 60.0) as u64)
    }
}

/// The share of a model's training done, in [0, 1] (0 before its work is known).
pub fn progress_share(m: &ModelProgress) -> f64 {
    if m.total > 0.0 {
        (m.done / m.total).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// A model's status in words, with the CSS class of its cell.
pub fn status_label(status: &Status) -> (String, &'static str) {
    match status {
        Status::Waiting => ("waiting".to_string(), "muted"),
        Status::Fitting => ("fitting".to_string(), ""),
        Status::Scoring => ("scoring".to_string(), ""),
        Status::Done => ("done".to_string(), "ok"),
        Status::Failed(e) => (format!("failed: {e}"), "error"),
        Status::Cancelled => ("cancelled".to_string(), "muted"),
    }
}

/// A model's time column at page time `now` (ms): how long it took once finished; while fitting
/// (past 2 %), the time spent and an estimate of the time left; otherwise the time spent.
pub fn progress_time(m: &ModelProgress, now: f64) -> String {
    let share = progress_share(m);
    match (m.started, m.finished) {
        (Some(s), Some(f)) => duration(f - s),
        (Some(s), None) if share > 0.02 && m.status == Status::Fitting => {
            let spent = now - s;
            format!(
                "{} spent, ~{} left",
                duration(spent),
                duration(spent / share - spent)
            )
        }
        (Some(s), None) => format!("{} spent", duration(now - s)),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_file_lists_are_shortened() {
        let names: Vec<String> = (1..=12).map(|i| format!("f{i}.log")).collect();
        assert_eq!(file_list(&names[..3], 3), "f1.log, f2.log, f3.log");
        assert_eq!(file_list(&names, 3), "12 files: f1.log, f2.log, …, f12.log");
    }

    #[test]
    fn model_labels_name_the_taxonomy_and_the_mapping() {
        let none = model_labels("attack", &LabelMap::default());
        assert_eq!(
            none,
            ("attack".into(), "taxonomy attack; no label mapping".into())
        );
        let map = LabelMap::parse("C&C-* -> C&C\nBackground -> drop\nbenign -> Benign\n").unwrap();
        let (cell, title) = model_labels("raw", &map);
        assert_eq!(
            cell,
            "raw, mapped: C&C-* → C&C; Background → drop (+1 more)"
        );
        assert_eq!(
            title,
            "taxonomy raw; label mapping:\nC&C-* → C&C\nBackground → drop\nbenign → Benign"
        );
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KiB");
        assert_eq!(bytes(3 * 1024 * 1024), "3.0 MiB");
    }

    #[test]
    fn percents_labels_and_optional_scores() {
        assert_eq!(percent(0.1234), "12.3 %");
        assert_eq!(percent(1.0), "100.0 %");
        assert_eq!(model_label(1, "Random forest"), "2. Random forest");
        assert_eq!(fmt4(0.5), "0.5000");
        assert_eq!(fmt4_or_na(Some(0.5)), "0.5000");
        assert_eq!(fmt4_or_na(None), "  n/a");
        assert_eq!(opt_value(None), "");
    }

    #[test]
    fn cells_show_scores_counts_and_seconds() {
        assert_eq!(cell(Kind::Score, Some(0.98765)), "0.9877");
        assert_eq!(cell(Kind::Count, Some(860.0)), "860");
        assert_eq!(cell(Kind::Millis, Some(1234.0)), "1.23 s");
        assert_eq!(cell(Kind::Score, None), "—");
        assert_eq!(raw(Kind::Score, None), "");
        assert_eq!(raw(Kind::Score, Some(0.25)), "0.25");
        assert_eq!(raw(Kind::Millis, Some(1234.56)), "1234.6");
        assert_eq!(raw(Kind::Count, Some(7.0)), "7");
        assert_eq!(gap_cell(Some(0.125)), "-0.1250");
        assert_eq!(gap_cell(None), "—");
    }

    #[test]
    fn the_gap_is_split_minus_capture() {
        let mut metrics = sample_report();
        metrics.macro_f1 = 0.9;
        let s = ModelScores {
            title: "Decision tree",
            kind: "dt",
            split: "s",
            classes: &[],
            metrics: &metrics,
            capture_macro_f1: Some(0.6),
            train_rows: 1,
            test_rows: 1,
            duplicates_removed: 0,
            cpu_ms: 0.0,
            wall_ms: 0.0,
        };
        assert!((s.gap().unwrap() - 0.3).abs() < 1e-12);
        let col = COLUMNS.iter().find(|c| c.key == "capture_gap").unwrap();
        assert_eq!((col.get)(&s), s.gap());
    }

    #[test]
    fn durations_read_in_seconds_then_minutes() {
        assert_eq!(duration(-5.0), "0.0 s");
        assert_eq!(duration(1500.0), "1.5 s");
        assert_eq!(duration(59_940.0), "59.9 s");
        assert_eq!(duration(125_000.0), "2 min 05 s");
    }

    #[test]
    fn progress_time_estimates_what_is_left_while_fitting() {
        let mut m = ModelProgress::waiting("random forest");
        assert_eq!(progress_time(&m, 1000.0), "");
        assert_eq!(progress_share(&m), 0.0);
        assert_eq!(status_label(&m.status), ("waiting".to_string(), "muted"));
        m.total = 4.0;
        m.done = 1.0;
        m.started = Some(1000.0);
        m.status = Status::Fitting;
        assert_eq!(progress_share(&m), 0.25);
        assert_eq!(progress_time(&m, 3000.0), "2.0 s spent, ~6.0 s left");
        m.status = Status::Scoring;
        assert_eq!(progress_time(&m, 3000.0), "2.0 s spent");
        m.finished = Some(4000.0);
        m.status = Status::Failed("boom".into());
        assert_eq!(progress_time(&m, 9000.0), "3.0 s");
        assert_eq!(
            status_label(&m.status),
            ("failed: boom".to_string(), "error")
        );
    }
}
