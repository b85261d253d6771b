//! `flowlab inspect`: what is in these files, counted batch by batch in bounded memory.

use std::sync::mpsc::sync_channel;

use super::{load, read_batches_in_parallel, ReadArgs, BATCH_ROWS};
use crate::ingest::{IngestError, IngestOptions, Summary, SummaryBuilder};

/// The summary of `read.files`, read in batches in bounded memory: one thread parses, this one
/// counts.
fn streamed(read: &ReadArgs) -> Result<Summary, IngestError> {
    let opts = IngestOptions {
        taxonomy: read.taxonomy.into(),
        label_column: read.label_column.clone(),
        ..IngestOptions::default()
    };
    let mut summary = SummaryBuilder::new(opts.taxonomy);
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel(1);
        let reader = s.spawn(move || read_batches_in_parallel(opts, &read.files, BATCH_ROWS, tx));
        for (_, batch) in rx {
            summary.add(&batch);
        }
        match reader.join() {
            Ok(r) => r,
            Err(_) => Err(IngestError::NothingLoaded(
                "the reader thread failed".into(),
            )),
        }
    })?;
    Ok(summary.finish())
}

pub(super) fn run(read: &ReadArgs, json: bool) -> i32 {
    let map = match super::read_label_map(read.map.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("flowlab inspect: {e}");
            return 2;
        }
    };
    // A sample is only known at the end, so a capped load is read whole (it holds the sample).
    let summary = if read.max_rows_per_file.is_some() {
        load(read, None, "inspect").map(|d| d.summary())
    } else {
        streamed(read).map_err(|e| e.to_string())
    };
    // The map renames classes, so the counts after it follow from the counts before it.
    let summary = summary.map(|mut s| {
        s.label_counts = map.apply_counts(&s.label_counts);
        s
    });
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            eprintln!("flowlab inspect: {e}");
            return 2;
        }
    };
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
