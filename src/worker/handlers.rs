//! The worker's answers to everything but reading files: exploring and exporting the data set,
//! training jobs (prepare in the data worker, fit in pool workers, assemble in the data worker),
//! predictions, and the models it holds.

use js_sys::Uint8Array;

use super::protocol::{FromWorker, ModelInfo, ToWorker, TrainedResult};
use super::web::{to_vec, WorkerState};
use crate::ingest::export::write_csv;
use crate::ingest::Dataset;
use crate::job::Task;
use crate::job::TrainedModel;
use crate::job::{self, FitData, Prepared, TaskOutput};
use crate::model_file;
use crate::models::{ModelSpec, Step};

/// At most one progress message per this many milliseconds while fitting.
const FIT_PROGRESS_EVERY_MS: f64 = 150.0;
/// Test rows predicted to measure a model's prediction speed, and the least time spent on it.
const SPEED_ROWS: usize = 5000;
const SPEED_MS: f64 = 20.0;

/// The info the page shows for a model.
pub fn model_info(id: u32, name: String, m: &TrainedModel) -> ModelInfo {
    let spec = &m.meta.request.spec;
    ModelInfo {
        id,
        name,
        kind: spec.name().to_string(),
        title: spec.title().to_string(),
        classes: m.classes.clone(),
        taxonomy: m.taxonomy,
        features: m.pipeline.names().iter().map(|s| s.to_string()).collect(),
        meta: m.meta.clone(),
        label_map: m.label_map.clone(),
    }
}

impl WorkerState {
    /// A copy of model `id`, if it is held (a prediction runs across awaits, during which
    /// models may be added).
    pub(super) fn model_copy(&self, id: u32) -> Option<TrainedModel> {
        self.models
            .borrow()
            .iter()
            .find(|(i, _)| i.id == id)
            .map(|(_, m)| m.clone())
    }

    /// Keeps `model` under a new id and returns its info.
    fn keep(&self, name: String, model: TrainedModel) -> ModelInfo {
        let id = self.next_model.get();
        self.next_model.set(id + 1);
        let info = model_info(id, name, &model);
        self.models.borrow_mut().push((info.clone(), model));
        info
    }

    /// Pool worker: runs `task` of `spec` on the fit data in `bytes[0]`.
    fn fit_task(&self, request: u32, task: &Task, spec: &ModelSpec, bytes: &[Uint8Array]) {
        let started = self.now();
        let fit = bytes
            .first()
            .ok_or_else(|| "a fit task came without its data".to_string())
            .and_then(|b| model_file::read::<FitData>(&to_vec(b)).map_err(|e| e.to_string()));
        let fd = match fit {
            Ok(fd) => fd,
            Err(e) => return self.fail(request, e),
        };
        let mut last = f64::NEG_INFINITY;
        let mut progress = |step: Step| {
            let now = self.now();
            if now - last >= FIT_PROGRESS_EVERY_MS || step.done == step.total {
                last = now;
                self.post(&FromWorker::FitProgress {
                    request,
                    task: task.id,
                    step,
                });
            }
            true
        };
        let out = job::run_task(&fd, spec, task, &mut progress)
            .map_err(|e| e.to_string())
            .and_then(|o| model_file::write(&o).map_err(|e| e.to_string()));
        match out {
            Ok(out) => self.post_with(
                &FromWorker::Fitted {
                    request,
                    task: task.id,
                    ms: self.now() - started,
                },
                vec![out],
            ),
            Err(e) => self.fail(request, e),
        }
    }

    /// Answers every message that does not read files.
    pub(super) fn handle(&self, message: ToWorker, bytes: Vec<Uint8Array>) {
        match message {
            // Handled by `receive`.
            ToWorker::Load { .. }
            | ToWorker::SetTaxonomy { .. }
            | ToWorker::SetLabelMap { .. }
            | ToWorker::Cancel { .. }
            | ToWorker::Predict { .. } => {}
            ToWorker::WarmUp { request } => {
                let started = self.now();
                match crate::worker::warm_up::warm_up() {
                    Ok(_) => self.post(&FromWorker::WarmedUp {
                        request,
                        ms: self.now() - started,
                    }),
                    Err(e) => self.fail(request, format!("warm-up: {e}")),
                }
            }
            ToWorker::Explore { request, taxonomy } => self.explore(request, taxonomy),
            ToWorker::SetBudget { memory, .. } => {
                self.budget
                    .set(crate::data::budget::Budget::with_memory(memory));
            }
            ToWorker::Restore { request, models } => self.restore(request, &models, &bytes),
            ToWorker::Crash { request } => self.crash(request),
            ToWorker::Hang { request } => self.hang(request),
            ToWorker::ExportData { request } => {
                let csv = self.data.borrow().as_ref().map(|d| {
                    let rows: Vec<usize> = (0..d.n_rows()).collect();
                    let mut out = Vec::new();
                    write_csv(d, &rows, true, &mut out).map(|_| out)
                });
                match csv {
                    Some(Ok(out)) => self.download(request, "flowlab-data.csv", "text/csv", out),
                    Some(Err(e)) => self.fail(request, format!("cannot write the CSV: {e}")),
                    None => self.fail(request, "no data is loaded"),
                }
            }
            ToWorker::Prepare {
                request,
                mut job,
                workers,
            } => {
                // The data set is trained on as the Data tab shows it: with the user's map.
                job.label_map = self.label_map.borrow().clone();
                self.prepare(request, &job, workers)
            }
            ToWorker::Fit {
                request,
                task,
                spec,
            } => self.fit_task(request, &task, &spec, &bytes),
            ToWorker::Assemble {
                request,
                job,
                model,
                cpu_ms,
                wall_ms,
                score_only: false,
            } => self.assemble(request, job, model, cpu_ms, wall_ms, &bytes),
            ToWorker::Assemble {
                request,
                job,
                model,
                score_only: true,
                ..
            } => self.score_only(request, job, model, &bytes),
            ToWorker::PredictionRows { request, query } => match &*self.predictions.borrow() {
                Some(set) => self.post(&FromWorker::PredictionRows {
                    request,
                    page: set.page(&query),
                }),
                None => self.fail(request, "nothing has been predicted yet"),
            },
            ToWorker::ExplainRow {
                request,
                model,
                row,
            } => self.explain_row(request, model, row),
            ToWorker::ShapImportance {
                request,
                model,
                workers,
            } => self.shap_importance(request, model, workers),
            ToWorker::ExplainPart { request, part } => self.explain_part(request, &part, &bytes),
            ToWorker::MergeShap {
                request,
                prepared,
                workers,
            } => self.merge_shap(request, prepared, workers, &bytes),
            ToWorker::ExportPredictions { request } => self.fail(
                request,
                "the predictions CSV is sent to the page in parts while the file is predicted \
                 (FromWorker::PredictedCsv); the page builds the download from them",
            ),
            ToWorker::ExportModel { request, model } => self.export_file(request, model, false),
            ToWorker::ExportOnnx { request, model } => self.export_file(request, model, true),
            ToWorker::ImportModel { request, name } => {
                let read = bytes
                    .first()
                    .ok_or_else(|| format!("{name}: no file came with the import"))
                    .and_then(|b| {
                        model_file::read::<TrainedModel>(&to_vec(b))
                            .map_err(|e| format!("{name}: {e}"))
                    });
                match read {
                    Ok(m) => {
                        let info = self.keep(name, m);
                        self.post(&FromWorker::ModelAdded {
                            request,
                            info: Box::new(info),
                        });
                    }
                    Err(e) => self.fail(request, e),
                }
            }
            ToWorker::DropModel { model, .. } => {
                self.models.borrow_mut().retain(|(i, _)| i.id != model);
            }
        }
    }

    /// Statistics of the data set, if they fit in the memory budget.
    fn explore(&self, request: u32, taxonomy: crate::ingest::Taxonomy) {
        let data = self.data.borrow();
        let Some(d) = &*data else {
            return self.fail(request, "no data is loaded: load a file in the Data tab");
        };
        let rows = d.n_rows() as u64;
        let fits = self
            .budget
            .get()
            .check_explore(rows, d.columns.len(), job::data_bytes(d));
        match fits {
            Ok(()) => self.post(&FromWorker::Explored {
                request,
                exploration: Box::new(crate::explore::explore_with(
                    d,
                    taxonomy,
                    &self.label_map.borrow(),
                )),
            }),
            Err(e) => self.fail(request, e.to_string()),
        }
    }

    /// Test only: panics when this worker was started with `?test-crash` (see `ToWorker::Crash`).
    fn crash(&self, request: u32) {
        if self.test_crash {
            panic!("crash requested by the page (test mode, ?test-crash)");
        }
        self.fail(request, "Crash is honoured only in test mode (?test-crash)");
    }

    /// Test only: never returns (and never answers) when this worker was started with
    /// `?test-crash` (see `ToWorker::Hang`).
    fn hang(&self, request: u32) {
        if self.test_crash {
            loop {
                std::hint::spin_loop();
            }
        }
        self.fail(request, "Hang is honoured only in test mode (?test-crash)");
    }

    /// Keeps the model files `bytes` under the ids and names in `models` (after a restart).
    fn restore(&self, request: u32, models: &[(u32, String)], bytes: &[Uint8Array]) {
        for ((id, name), b) in models.iter().zip(bytes) {
            match model_file::read::<TrainedModel>(&to_vec(b)) {
                Ok(m) => {
                    let info = model_info(*id, name.clone(), &m);
                    self.models.borrow_mut().retain(|(i, _)| i.id != *id);
                    self.models.borrow_mut().push((info, m));
                    self.next_model.set(self.next_model.get().max(id + 1));
                }
                Err(e) => self.fail(request, format!("{name} could not be restored: {e}")),
            }
        }
    }

    fn download(&self, request: u32, name: &str, mime: &str, bytes: Vec<u8>) {
        self.post_with(
            &FromWorker::Download {
                request,
                name: name.to_string(),
                mime: mime.to_string(),
            },
            vec![bytes],
        );
    }

    fn prepare(&self, request: u32, req: &job::JobRequest, workers: usize) {
        let prepared = match &*self.data.borrow() {
            // Strings from here on: this is the boundary to the page.
            Some(d) => job::prepare_within(d, req, workers.max(1), &self.budget.get())
                .map_err(|e| e.to_string())
                .and_then(|p| {
                    let fits = (0..p.fits.len())
                        .map(|f| {
                            let fd = p.fit_data(d, f).map_err(|e| e.to_string())?;
                            model_file::write(&fd).map_err(|e| e.to_string())
                        })
                        .collect::<Result<Vec<_>, String>>()?;
                    Ok((p, fits))
                }),
            None => return self.fail(request, "no data is loaded: load a file in the Data tab"),
        };
        match prepared {
            Ok((p, fits)) => {
                let plan = Box::new(p.plan.clone());
                self.job.replace(Some((request, p)));
                self.post_with(&FromWorker::Prepared { request, plan }, fits);
            }
            Err(e) => self.fail(request, format!("cannot train: {e}")),
        }
    }

    /// A search trial: assembles and scores model `model` of job `job_id`, answers its metrics
    /// and keeps nothing.
    fn score_only(&self, request: u32, job_id: u32, model: usize, bytes: &[Uint8Array]) {
        let outputs = match read_outputs(bytes) {
            Ok(o) => o,
            Err(e) => return self.fail(request, e),
        };
        let scored = {
            let job = self.job.borrow();
            let data = self.data.borrow();
            match (&*job, &*data) {
                (Some((id, prepared)), Some(d)) if *id == job_id => {
                    job::assemble(d, prepared, model, outputs, &mut |_| true)
                        .map(|(m, _)| m.meta.metrics)
                        .map_err(|e| e.to_string())
                }
                _ => Err("this search round is gone: a newer job or data set replaced it".into()),
            }
        };
        match scored {
            Ok(metrics) => self.post(&FromWorker::Scored {
                request,
                metrics: Box::new(metrics),
            }),
            Err(e) => self.fail(request, e),
        }
    }

    fn assemble(
        &self,
        request: u32,
        job_id: u32,
        model: usize,
        cpu_ms: f64,
        wall_ms: f64,
        bytes: &[Uint8Array],
    ) {
        let started = self.now();
        let outputs = match read_outputs(bytes) {
            Ok(o) => o,
            Err(e) => return self.fail(request, e),
        };
        let done = {
            let job = self.job.borrow();
            let data = self.data.borrow();
            match (&*job, &*data) {
                (Some((id, prepared)), Some(d)) if *id == job_id => {
                    job::assemble(d, prepared, model, outputs, &mut |_| true)
                        .map(|(m, diag)| {
                            let speed = self.predict_speed(&m, d, prepared);
                            (m, diag, speed)
                        })
                        .map_err(|e| e.to_string())
                }
                _ => Err("this training job is gone: a newer job or data set replaced it".into()),
            }
        };
        match done {
            Ok((trained, diagnostics, predict_rows_per_s)) => {
                let name = format!(
                    "{} {}",
                    trained.meta.request.spec.title(),
                    self.next_model.get()
                );
                // The page keeps the model file, to restore it into a restarted worker.
                let file = model_file::write(&trained).unwrap_or_default();
                let info = self.keep(name, trained);
                self.keep_shap_rows(info.id, job_id);
                let result = TrainedResult {
                    info,
                    cpu_ms,
                    wall_ms,
                    assemble_ms: self.now() - started,
                    diagnostics,
                    model_bytes: file.len(),
                    predict_rows_per_s,
                };
                self.post_with(
                    &FromWorker::Trained {
                        request,
                        result: Box::new(result),
                    },
                    vec![file],
                );
            }
            Err(e) => self.fail(request, e),
        }
    }
}

impl WorkerState {
    /// Rows per second of `m` predicting from raw columns, as the Results' recommendation cites
    /// it: the time to compute the features of every loaded row (the first fit's transform, as
    /// assembling just did it) per row, plus the time to predict up to [`SPEED_ROWS`] of that
    /// fit's test rows per row, repeated until [`SPEED_MS`] have passed (the clock ticks in
    /// steps of up to 0.1 ms in a worker).
    fn predict_speed(&self, m: &TrainedModel, d: &Dataset, p: &Prepared) -> Option<f64> {
        let started = self.now();
        // The first fit this model's kind reads (sequence models: the one with the context).
        let fit = p
            .fits
            .iter()
            .position(|f| f.pipeline.has_context() == m.pipeline.has_context())?;
        let (_, test) = p.fit_and_test(d, fit).ok()?;
        let transform_per_row = (self.now() - started) / d.n_rows().max(1) as f64;
        let rows: Vec<usize> = (0..test.rows.min(SPEED_ROWS)).collect();
        let x = test.select_rows(&rows);
        if x.rows == 0 {
            return None;
        }
        let (mut done, started) = (0usize, self.now());
        while done == 0 || (self.now() - started < SPEED_MS && done < 50 * x.rows) {
            m.predict_features(&x, None).ok()?;
            done += x.rows;
        }
        let predict_per_row = (self.now() - started) / done as f64;
        let ms = transform_per_row + predict_per_row;
        (ms > 0.0).then(|| 1000.0 / ms)
    }

    /// Model `model` as a download: its `.flowlab` file, or with `onnx` its ONNX export (the
    /// bytes the CLI writes).
    fn export_file(&self, request: u32, model: u32, onnx: bool) {
        let file = self
            .models
            .borrow()
            .iter()
            .find(|(i, _)| i.id == model)
            .map(|(i, m)| {
                if onnx {
                    let bytes =
                        crate::onnx::export(m).map_err(|e| format!("cannot export to ONNX: {e}"));
                    (onnx_file_name(&i.name), bytes)
                } else {
                    let bytes =
                        model_file::write(m).map_err(|e| format!("cannot write the model: {e}"));
                    (file_name(&i.name), bytes)
                }
            });
        match file {
            Some((name, Ok(bytes))) => {
                self.download(request, &name, "application/octet-stream", bytes)
            }
            Some((_, Err(e))) => self.fail(request, e),
            None => self.fail(request, format!("no model {model} is loaded")),
        }
    }
}

/// A safe file name for a model: letters, digits, `-` and `_`, then `.flowlab`.
fn file_name(name: &str) -> String {
    format!("{}.flowlab", stem(name))
}

/// The ONNX file name for a model named `name`: `name.onnx`, made safe the same way.
fn onnx_file_name(name: &str) -> String {
    format!("{}.onnx", stem(name))
}

/// A model's name as a file stem: ASCII letters, digits, `-` and `_`, other characters as `-`.
fn stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    stem.trim_matches('-').to_string()
}

/// The pool's task outputs of one model, decoded (the same words for a training and a trial).
fn read_outputs(bytes: &[Uint8Array]) -> Result<Vec<TaskOutput>, String> {
    bytes
        .iter()
        .map(|b| model_file::read::<TaskOutput>(&to_vec(b)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("a task's output is unreadable: {e}"))
}
