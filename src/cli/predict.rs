//! `flowlab predict` and `flowlab eval`: a saved model over files of any size, streamed.
//!
//! One reader thread parses the files and hands out batches of `--batch-rows` rows (8 Ki by
//! default: `cli::BATCH_ROWS`; [`Loader::take_batch`](crate::ingest::Loader::take_batch)); one worker per core
//! predicts batches ([`BatchPredictor::predict`]); this thread writes their CSV rows in input order and keeps the
//! summary ([`PredictionStream`]). Channels between them hold a few batches, so memory is
//! bounded by the batch size and the number of threads, not by the input.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};

use super::{print, read_batches, Batch};
use crate::ingest::{IngestError, IngestOptions};
use crate::job::{TrainError, TrainedModel};
use crate::predictions::{PredictedBatch, PredictionStream, StreamSummary, SHORT_HISTORY};
use crate::report::export;

/// Options of `flowlab eval` and `flowlab predict`.
#[derive(clap::Args, Debug)]
pub(super) struct UseArgs {
    /// A model file written by `flowlab train --out` or saved from the page.
    model: PathBuf,
    /// Flow files to score or classify (`-`: standard input).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Take labels from this column instead of detecting it.
    #[arg(long)]
    label_column: Option<String>,
    /// Name the files' true classes with this label map (lines `old -> new`, `glob* -> new`,
    /// `name -> drop`) instead of the one saved with the model.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    /// Print JSON instead of text (eval).
    #[arg(long)]
    json: bool,
    /// Write predictions here (predict); `-` or none: standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Threads that predict (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Rows per batch: memory holds a few batches per thread, whatever the input size.
    #[arg(long, default_value_t = super::BATCH_ROWS, value_name = "N")]
    batch_rows: usize,
}

/// The model of `a`, with the label map of `--map` instead of its own when given.
fn read_model(a: &UseArgs) -> Result<TrainedModel, String> {
    let path = &a.model;
    let mut m: TrainedModel = super::read_model_file(path)?;
    if a.map.is_some() {
        m.label_map = super::read_label_map(a.map.as_deref())?;
    }
    Ok(m)
}

pub(super) fn run_eval(a: &UseArgs) -> i32 {
    let result = read_model(a).and_then(|m| {
        let s = stream(&m, a, None)?;
        let (report, classes) = s.metrics.ok_or(TrainError::NoLabels.to_string())?;
        Ok((report, classes, s.rows))
    });
    match result {
        Ok((report, classes, rows)) => {
            if a.json {
                print(&export::json_document(&export::eval_json(
                    &report,
                    &classes,
                    rows as usize,
                )));
            } else {
                print(&format!(
                    "rows {rows}\n{}",
                    export::metrics_text(&report, &classes)
                ));
            }
            0
        }
        Err(e) => {
            eprintln!("flowlab eval: {e}");
            2
        }
    }
}

pub(super) fn run_predict(a: &UseArgs) -> i32 {
    let to_stdout = a.out.as_deref().is_none_or(|p| p == Path::new("-"));
    let result = read_model(a).and_then(|m| {
        let mut out: Box<dyn Write> = match &a.out {
            Some(p) if !to_stdout => {
                Box::new(File::create(p).map_err(|e| format!("{}: {e}", p.display()))?)
            }
            _ => Box::new(std::io::stdout().lock()),
        };
        let mut out = BufWriter::with_capacity(1 << 20, &mut out);
        let s = stream(&m, a, Some(&mut out))?;
        out.flush().map_err(|e| write_error(a, &e))?;
        Ok(s)
    });
    match result {
        Ok(s) => {
            let dist = s
                .classes
                .iter()
                .zip(&s.distribution)
                .map(|(c, n)| format!("{c}: {n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let to = match &a.out {
                Some(p) if !to_stdout => p.display().to_string(),
                _ => "stdout".into(),
            };
            eprintln!("flowlab predict: {} rows → {to} ({dist})", s.rows);
            for w in s
                .warnings
                .iter()
                .filter(|w| w.message.contains(SHORT_HISTORY))
            {
                eprintln!("flowlab predict: warning: {w}");
            }
            0
        }
        // A closed pipe (`flowlab predict … | head`) is not an error.
        Err(e) if e.contains("Broken pipe") => 0,
        Err(e) => {
            eprintln!("flowlab predict: {e}");
            2
        }
    }
}

fn write_error(a: &UseArgs, e: &std::io::Error) -> String {
    match &a.out {
        Some(p) if p != Path::new("-") => format!("{}: {e}", p.display()),
        _ => format!("stdout: {e}"),
    }
}

/// Predicts `a.files` with `m` on all cores; writes the CSV to `out` when given.
fn stream(
    m: &TrainedModel,
    a: &UseArgs,
    mut out: Option<&mut dyn Write>,
) -> Result<StreamSummary, String> {
    let threads = a
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    // Only the model's inputs are typed: the identifiers (`uid`, addresses) and other columns
    // it does not read are skipped while parsing.
    let opts = IngestOptions {
        taxonomy: m.taxonomy,
        label_column: a.label_column.clone(),
        only_columns: Some(m.pipeline.input_columns()),
        ..IngestOptions::default()
    };
    let files = &a.files;
    std::thread::scope(|s| {
        let (batch_tx, batch_rx) = sync_channel::<Batch>(1);
        let reader = s.spawn(move || read_batches(opts, files, a.batch_rows, batch_tx));
        let first = match batch_rx.recv() {
            Ok((_, first)) => first,
            Err(_) => return Err(reader_error(reader.join())),
        };
        let mut stream = PredictionStream::new(m);
        let predictor = match out {
            Some(_) => stream.begin(&first),
            None => stream.begin(&first).without_csv(),
        };
        let csv = |out: &mut Option<&mut dyn Write>, bytes: &[u8]| match out {
            Some(w) => w.write_all(bytes).map_err(|e| write_error(a, &e)),
            None => Ok(()),
        };
        csv(&mut out, &predictor.header())?;
        let p = predictor.predict(&first).map_err(|e| e.to_string())?;
        drop(first);
        csv(&mut out, &p.csv)?;
        stream.absorb(&p);
        let jobs = Arc::new(Mutex::new(batch_rx));
        let (done_tx, done_rx) = sync_channel::<(usize, Result<PredictedBatch, TrainError>)>(1);
        for _ in 0..threads {
            let (jobs, done) = (Arc::clone(&jobs), done_tx.clone());
            let predictor = predictor.clone();
            s.spawn(move || {
                while let Some((i, batch)) = next_job(&jobs) {
                    if done.send((i, predictor.predict(&batch))).is_err() {
                        break;
                    }
                }
            });
        }
        drop((jobs, done_tx));
        // Batches come back in any order; write them in input order.
        let mut waiting = BTreeMap::new();
        let mut next = 1;
        for (i, result) in done_rx {
            waiting.insert(i, result);
            while let Some(result) = waiting.remove(&next) {
                let p = result.map_err(|e| e.to_string())?;
                csv(&mut out, &p.csv)?;
                stream.absorb(&p);
                next += 1;
            }
        }
        reader
            .join()
            .map_err(|_| "the reader thread failed".to_string())?
            .map_err(|e| e.to_string())?;
        Ok(stream.finish())
    })
}

fn next_job(jobs: &Mutex<Receiver<Batch>>) -> Option<Batch> {
    jobs.lock().ok()?.recv().ok()
}

fn reader_error(r: std::thread::Result<Result<(), IngestError>>) -> String {
    match r {
        Ok(Err(e)) => e.to_string(),
        Ok(Ok(())) => "no rows were read".into(),
        Err(_) => "the reader thread failed".into(),
    }
}
