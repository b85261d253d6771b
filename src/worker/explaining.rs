//! The data worker's explanations: one predicted row ([`ToWorker::ExplainRow`]) and a model's
//! mean |SHAP| per column ([`ToWorker::ShapImportance`]), both from
//! [`crate::predictions::explain`]. They run in the data worker, not the page, so the page
//! stays responsive: a row of a 100-tree forest takes milliseconds, the importance (at most
//! [`IMPORTANCE_ROWS`] rows) seconds — spread over the page's pool of workers when it has
//! several ([`crate::predictions::explain_parts`]: each worker explains every row on a range of
//! the trees, the data worker adds the parts up).
//!
//! [`ToWorker::ExplainRow`]: super::protocol::ToWorker::ExplainRow
//! [`ToWorker::ShapImportance`]: super::protocol::ToWorker::ShapImportance

use js_sys::Uint8Array;

use super::protocol::FromWorker;
use super::web::{to_vec, WorkerState};
use crate::data::Matrix;
use crate::ingest::Dataset;
use crate::job::TrainedModel;
use crate::model_file;
use crate::predictions::explain::{
    explain, explain_features, importance, rows_at, sample_rows, RowAt, IMPORTANCE_ROWS,
};
use crate::predictions::explain_parts::{explain_part, merge_parts, plan_parts, ExplainPart};

/// Seed of the importance panel's row sample.
const SAMPLE_SEED: u64 = 0x5ba9;

impl WorkerState {
    /// Remembers, for model `id` just assembled from job `job_id`, the sample of its first
    /// scoring fold's test rows that its importance panel explains.
    pub(super) fn keep_shap_rows(&self, id: u32, job_id: u32) {
        let rows = match &*self.job.borrow() {
            Some((j, prepared)) if *j == job_id => prepared
                .fits
                .first()
                .map(|f| sample_rows(&f.split.test, IMPORTANCE_ROWS, SAMPLE_SEED)),
            _ => None,
        };
        if let Some(rows) = rows.filter(|r| !r.is_empty()) {
            self.shap_rows.borrow_mut().push((id, rows));
        }
    }

    /// Explains row `row` of the predictions with model `model` (every class).
    pub(super) fn explain_row(&self, request: u32, model: u32, row: usize) {
        let Some(m) = self.model_copy(model) else {
            return self.fail(request, format!("no model {model} is loaded"));
        };
        let picked = match &*self.predictions.borrow() {
            None => return self.fail(request, "nothing has been predicted yet"),
            Some(view) => view.features(row).map(|(f, file, line)| {
                let x = Matrix {
                    rows: 1,
                    cols: f.len(),
                    data: f.to_vec(),
                };
                let at = RowAt {
                    row,
                    file: file.to_string(),
                    line,
                };
                (x, at)
            }),
        };
        let Some((x, at)) = picked else {
            return self.fail(
                request,
                format!("row {} is not among the rows the table keeps", row + 1),
            );
        };
        match explain_features(&m, &x, &[at], true) {
            Ok(e) => self.post(&FromWorker::Explained {
                request,
                explanations: Box::new(e),
            }),
            Err(e) => self.fail(request, format!("cannot explain this row: {e}")),
        }
    }

    /// Mean |SHAP| per column of model `model` over its kept test rows, or a sample of the
    /// loaded rows: explained here, or, with `workers` ≥ 2 pool workers and a model of several
    /// trees, cut into parts for the pool ([`FromWorker::ShapParts`]; [`Self::merge_shap`]
    /// answers once they are back).
    pub(super) fn shap_importance(&self, request: u32, model: u32, workers: usize) {
        let started = self.now();
        let Some(m) = self.model_copy(model) else {
            return self.fail(request, format!("no model {model} is loaded"));
        };
        let data = self.data.borrow();
        let Some(d) = &*data else {
            return self.fail(request, "no data is loaded: load a file in the Data tab");
        };
        let kept = self
            .shap_rows
            .borrow()
            .iter()
            .find(|(id, _)| *id == model)
            .map(|(_, rows)| rows.clone());
        let (rows, source) = match kept {
            Some(rows) => (rows, "test rows (first scoring fold)"),
            None => {
                let all: Vec<usize> = (0..d.n_rows()).collect();
                (
                    sample_rows(&all, IMPORTANCE_ROWS, SAMPLE_SEED),
                    "rows of the loaded data set",
                )
            }
        };
        let rows: Vec<usize> = rows.into_iter().filter(|&r| r < d.n_rows()).collect();
        let source = format!("a seeded sample of {} {source}", rows.len());
        let parts = match plan_parts(&m, workers) {
            Ok(parts) if workers >= 2 && parts.len() >= 2 => parts,
            Ok(_) => return self.shap_here(request, model, &m, d, &rows, source, started),
            Err(e) => return self.fail(request, format!("cannot explain this model: {e}")),
        };
        let prepared = m
            .pipeline
            .transform(d)
            .map_err(|e| e.to_string())
            .and_then(|x| {
                let x = x.select_rows(&rows);
                let bytes = vec![
                    model_file::write(&m).map_err(|e| e.to_string())?,
                    model_file::write(&x).map_err(|e| e.to_string())?,
                ];
                Ok((x, bytes))
            });
        let (x, bytes) = match prepared {
            Ok(p) => p,
            Err(e) => return self.fail(request, format!("cannot explain this model: {e}")),
        };
        *self.shap_parts.borrow_mut() = Some(PendingShap {
            request,
            model,
            x,
            at: rows_at(d, &rows),
            source,
            started,
        });
        self.post_with(&FromWorker::ShapParts { request, parts }, bytes);
    }

    /// [`Self::shap_importance`] in this worker alone.
    #[allow(clippy::too_many_arguments)]
    fn shap_here(
        &self,
        request: u32,
        model: u32,
        m: &TrainedModel,
        d: &Dataset,
        rows: &[usize],
        source: String,
        started: f64,
    ) {
        match explain(m, d, rows, false) {
            Ok(e) => self.post(&FromWorker::ShapImportance {
                request,
                model,
                importance: Box::new(importance(&e)),
                output: e.output,
                source,
                rows: e.rows.len(),
                ms: self.now() - started,
                workers: 0,
            }),
            Err(e) => self.fail(request, format!("cannot explain this model: {e}")),
        }
    }

    /// Pool worker: one part of an explanation (model file in `bytes[0]`, rows in `bytes[1]`).
    pub(super) fn explain_part(&self, request: u32, part: &ExplainPart, bytes: &[Uint8Array]) {
        let started = self.now();
        let read = |i: usize, what: &str| {
            bytes
                .get(i)
                .map(to_vec)
                .ok_or_else(|| format!("an explanation part came without its {what}"))
        };
        let out = read(0, "model").and_then(|model| {
            let m = model_file::read::<TrainedModel>(&model).map_err(|e| e.to_string())?;
            let x = model_file::read::<Matrix>(&read(1, "rows")?).map_err(|e| e.to_string())?;
            let values = explain_part(&m, &x, part).map_err(|e| e.to_string())?;
            model_file::write(&values).map_err(|e| e.to_string())
        });
        match out {
            Ok(out) => self.post_with(
                &FromWorker::PartExplained {
                    request,
                    ms: self.now() - started,
                },
                vec![out],
            ),
            Err(e) => self.fail(request, format!("cannot explain this part: {e}")),
        }
    }

    /// The parts' outputs (`bytes`) of the explanation planned for request `prepared`, added
    /// up into the mean |SHAP| the page asked for.
    pub(super) fn merge_shap(
        &self,
        request: u32,
        prepared: u32,
        workers: usize,
        bytes: &[Uint8Array],
    ) {
        let pending = self.shap_parts.borrow_mut().take();
        let Some(p) = pending.filter(|p| p.request == prepared) else {
            return self.fail(
                request,
                "the explanation these parts belong to is gone (another was asked for since)",
            );
        };
        let Some(m) = self.model_copy(p.model) else {
            return self.fail(request, format!("no model {} is loaded", p.model));
        };
        let merged = bytes
            .iter()
            .map(|b| model_file::read::<Vec<f64>>(&to_vec(b)).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|outputs| merge_parts(&m, &p.x, &p.at, &outputs).map_err(|e| e.to_string()));
        match merged {
            Ok(e) => self.post(&FromWorker::ShapImportance {
                request,
                model: p.model,
                importance: Box::new(importance(&e)),
                output: e.output,
                source: p.source,
                rows: e.rows.len(),
                ms: self.now() - p.started,
                workers,
            }),
            Err(e) => self.fail(request, format!("cannot explain this model: {e}")),
        }
    }
}

/// An explanation cut into parts for the pool, kept until their outputs come back.
pub(crate) struct PendingShap {
    /// The request that asked for it.
    request: u32,
    model: u32,
    /// The rows' features, and where each row comes from.
    x: Matrix,
    at: Vec<RowAt>,
    source: String,
    /// When it was asked for (this worker's clock).
    started: f64,
}
