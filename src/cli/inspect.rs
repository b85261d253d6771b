//! `flowlab inspect`: what is in these files.

use super::{load, ReadArgs};
use crate::ingest::Summary;

pub(super) fn run(read: &ReadArgs, json: bool) -> i32 {
    let data = match load(read, None) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("flowlab inspect: {e}");
            return 2;
        }
    };
    let summary = data.summary();
    if json {
        match serde_json::to_string_pretty(&summary) {
            Ok(text) => super::print(&format!("{text}\n")),
            Err(e) => {
                eprintln!("flowlab inspect: {e}");
                return 2;
            }
        }
    } else {
        super::print(&render(&summary));
    }
    for f in &summary.failed {
        eprintln!("flowlab inspect: {}", f.message);
    }
    i32::from(!summary.failed.is_empty())
}

/// The text report.
pub(super) fn render(s: &Summary) -> String {
    let mut out = String::new();
    let mut line = |l: String| {
        out.push_str(&l);
        out.push('\n');
    };
    line(format!(
        "{:<48} {:<10} {:>10} {:>8} {:>10}  label column",
        "file", "format", "rows", "skipped", "bytes"
    ));
    for f in &s.files {
        line(format!(
            "{:<48} {:<10} {:>10} {:>8} {:>10}  {}",
            f.path,
            f.format.name(),
            f.rows,
            f.skipped,
            f.bytes,
            f.label_column.as_deref().unwrap_or("(none)")
        ));
    }
    for f in &s.failed {
        line(format!("{:<48} FAILED: {}", f.path, f.message));
    }
    line(String::new());
    line(format!(
        "rows: {}   taxonomy: {}",
        s.rows,
        s.taxonomy.name()
    ));
    let labelled: u64 = s.label_counts.values().sum();
    if labelled > 0 {
        line("labels:".into());
        let mut counts: Vec<_> = s.label_counts.iter().collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (label, n) in counts {
            line(format!(
                "  {label:<32} {n:>10}  {:>5.1}%",
                100.0 * *n as f64 / labelled as f64
            ));
        }
    }
    line(format!("columns ({}):", s.columns.len()));
    for c in &s.columns {
        let distinct = c
            .distinct
            .map_or(String::new(), |d| format!("{d} distinct"));
        line(format!(
            "  {:<28} {:<8} {:<11} {:>8} missing  {distinct}",
            c.name, c.kind, c.role, c.missing
        ));
    }
    if !s.warnings.is_empty() {
        line(format!("warnings ({}):", s.warnings.len()));
        for w in &s.warnings {
            line(format!("  {w}"));
        }
    }
    out
}
