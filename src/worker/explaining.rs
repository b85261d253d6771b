//! The data worker's explanations: one predicted row ([`ToWorker::ExplainRow`]) and a model's
//! mean |SHAP| per column ([`ToWorker::ShapImportance`]), both from
//! [`crate::predictions::explain`]. They run in the data worker, not the page, so the page
//! stays responsive: a row of a 100-tree forest takes milliseconds, the importance (at most
//! [`IMPORTANCE_ROWS`] rows) seconds.
//!
//! [`ToWorker::ExplainRow`]: super::protocol::ToWorker::ExplainRow
//! [`ToWorker::ShapImportance`]: super::protocol::ToWorker::ShapImportance

use super::protocol::FromWorker;
use super::web::WorkerState;
use crate::data::Matrix;
use crate::predictions::explain::{
    explain, explain_features, importance, sample_rows, RowAt, IMPORTANCE_ROWS,
};

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
    /// loaded rows.
    pub(super) fn shap_importance(&self, request: u32, model: u32) {
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
        match explain(&m, d, &rows, false) {
            Ok(e) => self.post(&FromWorker::ShapImportance {
                request,
                model,
                importance: Box::new(importance(&e)),
                output: e.output,
                source: format!("a seeded sample of {} {source}", e.rows.len()),
                rows: e.rows.len(),
                ms: self.now() - started,
            }),
            Err(e) => self.fail(request, format!("cannot explain this model: {e}")),
        }
    }
}
