//! The Predict tab's run in the data worker: a file of any size is read by slices and predicted
//! batch by batch, in this worker (not fanned out to the pool), in bounded memory.
//!
//! Whenever [`BATCH_ROWS`] rows are parsed, [`crate::ingest::Loader::take_batch`] hands them over; a
//! [`PredictionStream`] predicts them and keeps the counts and scores; a [`PredictionView`] keeps
//! the rows the table can page through (all of them up to [`VIEW_ROWS`], then the least
//! confident and a uniform sample); and the batch's CSV rows go straight to the page as a
//! [`FromWorker::PredictedCsv`] part (the header with the first). The worker keeps no CSV and no
//! rows beyond the view, so its memory does not grow with the input; the page builds the download
//! from the parts (a `Blob` of `Blob`s, which the browser may keep on disk).

use std::cell::Cell;

use web_sys::Blob;

use super::protocol::FromWorker;
use super::web::{Outcome, WorkerState};
use crate::ingest::{Dataset, IngestOptions};
use crate::job::TrainedModel;
use crate::predictions::{PredictionStream, PredictionView, VIEW_ROWS};

/// Rows parsed before they are predicted as one batch.
const BATCH_ROWS: usize = 1 << 16;

/// One prediction run: the stream, the view and the time spent predicting.
struct Run<'m> {
    stream: PredictionStream<'m>,
    view: PredictionView,
    predict_ms: f64,
    header_sent: bool,
}

impl WorkerState {
    /// Reads `files`, predicts them with `model` (known to the page as `id`) batch by batch, and
    /// posts the CSV parts, then [`FromWorker::Predicted`] (or `Cancelled`/`Failed`).
    pub(super) async fn predict_stream(
        &self,
        request: u32,
        id: u32,
        model: TrainedModel,
        names: &[String],
        files: &[Blob],
        cancel: &Cell<bool>,
    ) {
        let started = self.now();
        let options = IngestOptions {
            taxonomy: model.taxonomy,
            only_columns: Some(model.pipeline.input_columns()),
            ..IngestOptions::default()
        };
        let mut run = Run {
            stream: PredictionStream::new(&model),
            view: PredictionView::new(model.classes.clone(), model.taxonomy, VIEW_ROWS)
                .with_label_map(model.label_map.clone()),
            predict_ms: 0.0,
            header_sent: false,
        };
        let outcome = self
            .read(request, names, files, options, cancel, &mut |loader| {
                if loader.pending_rows() < BATCH_ROWS {
                    return Ok(());
                }
                match loader.take_batch() {
                    Some(batch) => self.predict_batch(request, &mut run, &batch),
                    None => Ok(()),
                }
            })
            .await;
        self.end(request);
        let rest = match outcome {
            Outcome::Loaded(rest) => rest,
            Outcome::Cancelled => return self.post(&FromWorker::Cancelled { request }),
            Outcome::Failed(message) => return self.fail(request, message),
        };
        if let Err(message) = self.predict_batch(request, &mut run, &rest) {
            return self.fail(request, message);
        }
        let parse_ms = self.now() - started - run.predict_ms;
        let summary = run
            .view
            .summary(id, run.stream.finish(), parse_ms, run.predict_ms);
        self.predictions.replace(Some(run.view));
        self.post(&FromWorker::Predicted {
            request,
            summary: Box::new(summary),
        });
    }

    /// Predicts one batch, keeps its rows in the view and posts its CSV part.
    fn predict_batch(&self, request: u32, run: &mut Run, batch: &Dataset) -> Result<(), String> {
        let started = self.now();
        let predicted = run
            .stream
            .push(batch)
            .map_err(|e| format!("cannot predict these files: {e}"))?;
        run.view
            .push_explainable(batch, &predicted.predictions, &predicted.features);
        let mut part = Vec::new();
        if !run.header_sent {
            run.header_sent = true;
            part = run.stream.header();
        }
        part.extend_from_slice(&predicted.csv);
        run.predict_ms += self.now() - started;
        let rows = batch.n_rows() as u64;
        self.post_with(&FromWorker::PredictedCsv { request, rows }, vec![part]);
        Ok(())
    }
}
