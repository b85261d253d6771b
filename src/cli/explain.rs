//! `flowlab explain`: why a saved model predicted what it did, per row, on the user's columns
//! (exact TreeSHAP for the tree models, linear contributions for logistic regression; see
//! [`crate::models::shap`]).

use std::path::PathBuf;
use std::time::Instant;

use super::{feed_files, print};
use crate::ingest::{IngestOptions, Loader};
use crate::job::TrainedModel;
use crate::predictions::explain::{explain, explanations_json};
use crate::report::export;

/// Options of `flowlab explain`.
#[derive(clap::Args, Debug)]
pub(super) struct ExplainArgs {
    /// A model file written by `flowlab train --out` or saved from the page.
    model: PathBuf,
    /// Flow files whose rows to explain (`-`: standard input).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Explain the first N rows (files read in order).
    #[arg(long, default_value_t = 10, value_name = "N")]
    rows: usize,
    /// Explain every class, not only the predicted one.
    #[arg(long)]
    all_classes: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(a: &ExplainArgs) -> i32 {
    match run_inner(a) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("flowlab explain: {e}");
            2
        }
    }
}

fn run_inner(a: &ExplainArgs) -> Result<(), String> {
    let m: TrainedModel = super::read_model_file(&a.model)?;
    let mut loader = Loader::new(IngestOptions::default());
    let want = a.rows.max(1);
    feed_files(&mut loader, &a.files, &mut |l, _| l.pending_rows() < want);
    let data = loader.finish().map_err(|e| e.to_string())?;
    let rows: Vec<usize> = (0..data.n_rows().min(a.rows)).collect();
    let start = Instant::now();
    let e = explain(&m, &data, &rows, a.all_classes).map_err(|e| e.to_string())?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    eprintln!(
        "flowlab explain: {} rows in {ms:.0} ms ({:.0} rows/s)",
        e.rows.len(),
        e.rows.len() as f64 / (ms / 1e3).max(1e-9)
    );
    if a.json {
        print(&export::json_document(&explanations_json(&e)));
        return Ok(());
    }
    let mut s = String::new();
    for r in &e.rows {
        let c = &r.explained;
        s += &format!(
            "{}:{} predicted {}: {:.4} = expected {:.4}",
            r.file, r.line, r.predicted, c.output, c.expected_value
        );
        let mut order: Vec<usize> = (0..e.columns.len()).collect();
        order.sort_by(|&i, &j| {
            c.contributions[j]
                .abs()
                .total_cmp(&c.contributions[i].abs())
        });
        for &i in order.iter().take(5) {
            s += &format!(" {:+.4} {}", c.contributions[i], e.columns[i]);
        }
        s += "\n";
    }
    print(&s);
    Ok(())
}
