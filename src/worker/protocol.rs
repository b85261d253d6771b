//! The serde messages exchanged with the workers. Both sides serialise them with `serde_json`.
//!
//! There are two kinds of worker, running the same code:
//! - the **data worker** holds the loaded data set, the prediction data set and the trained
//!   models; it parses, explores, prepares training jobs, assembles models, predicts and exports;
//! - **pool workers** hold nothing: each runs [`ToWorker::Fit`] tasks on the bytes it is sent.
//!
//! Binary payloads (fit data, task outputs, model files, CSV downloads) travel beside the JSON in
//! the message envelope as `Uint8Array`s (`bytes`), never inside the JSON; files to read travel as
//! `Blob`s (`files`). See `worker::web::envelope`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::explore::Exploration;
use crate::ingest::{LabelMap, Summary, Taxonomy};
use crate::job::TrainingMeta;
use crate::job::{Diagnostics, JobRequest, Plan, Task};
use crate::models::shap::OutputSpace;
use crate::models::ModelSpec;
use crate::models::Step;
use crate::predictions::explain::{Explanations, ShapImportance};
use crate::predictions::{PredictionPage, PredictionSummary, RowQuery};

/// Sent by the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Parse the files attached to the message (a JS array of `File`/`Blob`), replacing the current
    /// data set only if at least one file loads. `names` gives the names of the attached blobs.
    Load {
        request: u32,
        names: Vec<String>,
        taxonomy: Taxonomy,
        /// Keep at most this many rows per file (uniform reservoir sample).
        max_rows_per_file: Option<u64>,
        /// Keep at most this many rows per class (reservoir sample).
        per_class: Option<u64>,
        /// Column to take labels from; `None` means detect it.
        label_column: Option<String>,
        /// Seed of the sampling (the same seed keeps the same rows).
        #[serde(default)]
        seed: u64,
        /// Read at most this many members of each zip archive.
        #[serde(default)]
        max_files: Option<u64>,
        /// With `max_files`: a seeded sample of the members instead of the first ones.
        #[serde(default)]
        sample_files: bool,
        /// The user's renaming, merging and dropping of classes (see [`ToWorker::SetLabelMap`]).
        #[serde(default)]
        label_map: LabelMap,
    },
    /// Show the current data set under another label taxonomy (no re-parse).
    SetTaxonomy { request: u32, taxonomy: Taxonomy },
    /// Relabel the held data set with the user's mapping, applied after the taxonomy (no
    /// re-parse) → [`FromWorker::Loaded`]. Exploring and training use it from then on, and
    /// each model trained saves it.
    SetLabelMap { request: u32, label_map: LabelMap },
    /// Stop the load or prediction in progress; what was loaded before stays.
    Cancel { request: u32 },

    /// Statistics of the loaded data set under `taxonomy` → [`FromWorker::Explored`].
    Explore { request: u32, taxonomy: Taxonomy },
    /// The loaded (sampled) rows as a formula-safe CSV → [`FromWorker::Download`].
    ExportData { request: u32 },

    /// Data worker: split, fit pipelines and plan the tasks of a training job for `workers` pool
    /// workers → [`FromWorker::Prepared`] with one fit-data payload per fit in `bytes`.
    Prepare {
        request: u32,
        job: JobRequest,
        workers: usize,
    },
    /// Pool worker: run `task` of `spec` on the fit data in `bytes[0]` →
    /// [`FromWorker::FitProgress`]…, then [`FromWorker::Fitted`] with the output in `bytes[0]`.
    Fit {
        request: u32,
        task: Task,
        spec: ModelSpec,
    },
    /// Data worker: assemble model `model` of the job prepared by request `job` from its tasks'
    /// outputs (`bytes`, in plan order) → [`FromWorker::Trained`]. The model is kept under a new
    /// id.
    Assemble {
        request: u32,
        job: u32,
        model: usize,
        /// Worker time summed over the model's tasks, and wall time from first dispatch to last
        /// output, in milliseconds (measured by the page).
        cpu_ms: f64,
        wall_ms: f64,
        /// A hyper-parameter search's trial: answer [`FromWorker::Scored`] with its metrics only;
        /// the model is not kept.
        #[serde(default)]
        score_only: bool,
    },

    /// Data worker: read the attached files and predict them with model `model` →
    /// [`FromWorker::Progress`]…, then [`FromWorker::Predicted`]. The training data stays loaded.
    Predict {
        request: u32,
        model: u32,
        names: Vec<String>,
    },
    /// A page of the current predictions → [`FromWorker::PredictionRows`].
    PredictionRows { request: u32, query: RowQuery },
    /// Data worker: explain row `row` (its index among the predicted rows, as
    /// [`crate::predictions::PredictionRow::row`] gives it) of the file predicted last, with
    /// model `model` (the one that predicted it) → [`FromWorker::Explained`], every class's
    /// explanation included. A model that is not explained (MLP, naive Bayes) →
    /// [`FromWorker::Failed`] saying so.
    ExplainRow {
        request: u32,
        model: u32,
        row: usize,
    },
    /// Data worker: mean |SHAP| per column of model `model` over a seeded sample of at most
    /// [`crate::predictions::explain::IMPORTANCE_ROWS`] rows: its first scoring fold's test rows
    /// when it was trained on the loaded data set, else the loaded rows →
    /// [`FromWorker::ShapImportance`]. With `workers` ≥ 2 and a model of several trees, the
    /// data worker does not explain the rows itself: it answers [`FromWorker::ShapParts`], the
    /// page has its pool run the parts ([`ToWorker::ExplainPart`]) and sends their outputs back
    /// in [`ToWorker::MergeShap`], which is answered by [`FromWorker::ShapImportance`].
    ShapImportance {
        request: u32,
        model: u32,
        /// Pool workers free to explain parts (0 or 1: the data worker explains alone).
        #[serde(default)]
        workers: usize,
    },
    /// Pool worker: explain the rows in `bytes[1]` (a [`crate::data::Matrix`], as
    /// [`crate::model_file::write`] writes it) with the model file in `bytes[0]`, on `part`'s
    /// trees → [`FromWorker::PartExplained`].
    ExplainPart {
        request: u32,
        part: crate::predictions::explain_parts::ExplainPart,
    },
    /// Data worker: the outputs of the parts of the explanation it planned for request
    /// `prepared` (`bytes`, one per part) → [`FromWorker::ShapImportance`].
    MergeShap {
        request: u32,
        prepared: u32,
        /// Pool workers the parts ran on.
        workers: usize,
    },
    /// The current predictions as a formula-safe CSV → [`FromWorker::Download`].
    ExportPredictions { request: u32 },

    /// A model file (`bytes`, as `flowlab train --out` writes) for model `model` →
    /// [`FromWorker::Download`].
    ExportModel { request: u32, model: u32 },
    /// Model `model` with its feature pipeline as ONNX (the bytes `flowlab export --format onnx`
    /// writes) → [`FromWorker::Download`].
    ExportOnnx { request: u32, model: u32 },
    /// Load the model file in `bytes[0]` (from an import or from the browser's storage) →
    /// [`FromWorker::ModelAdded`].
    ImportModel { request: u32, name: String },
    /// Forget model `model` in the worker.
    DropModel { request: u32, model: u32 },
    /// Run every model briefly on made-up rows ([`crate::worker::warm_up`]), so the browser
    /// optimises this worker's code before its first task → [`FromWorker::WarmedUp`].
    WarmUp { request: u32 },

    /// Use a memory budget of `memory` bytes instead of the target's (a test forces a small one
    /// to see sampling on modest files; the page sends it only when opened with
    /// `?memory-budget=MiB`).
    SetBudget { request: u32, memory: u64 },
    /// Data worker, after a restart: keep the model files in `bytes` (in order) under the ids
    /// and names the page had for them, so every id the page holds stays valid. No reply unless
    /// one cannot be read (→ [`FromWorker::Failed`]).
    Restore {
        request: u32,
        models: Vec<(u32, String)>,
    },
    /// Test only: panic, as a worker that runs out of memory does. Honoured only by a worker
    /// started with `?test-crash` in its URL, which the page does only when it was itself
    /// opened with `?test-crash`.
    Crash { request: u32 },
    /// Test only: stop answering (loop forever without a message), as a worker stuck in a loop
    /// or thrashing does; guarded like [`ToWorker::Crash`]. The page's watchdog
    /// (`ui::worker_client`) must notice, terminate the worker and recover.
    Hang { request: u32 },
}

/// How a load was sampled, sent with [`FromWorker::Loaded`]. The default seed is the CLI's
/// (`--seed`, [`crate::eval::split::DEFAULT_SEED`]), so a sampled load in the page keeps the
/// rows `flowlab` keeps with the same caps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// Rows kept per file at most (uniform reservoir), if capped.
    pub per_file: Option<u64>,
    /// Rows kept per class at most (balanced reservoirs), if capped.
    pub per_class: Option<u64>,
    pub seed: u64,
    /// Why the worker chose the caps itself: the files would not fit in memory.
    pub auto: Option<String>,
}

impl Default for Sampling {
    fn default() -> Sampling {
        Sampling {
            per_file: None,
            per_class: None,
            seed: crate::eval::split::DEFAULT_SEED,
            auto: None,
        }
    }
}

/// A model the data worker holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    /// The worker's id for it (used by `Predict`, `ExportModel`, …).
    pub id: u32,
    pub name: String,
    /// `dt`, `rf`, …, and a readable title.
    pub kind: String,
    pub title: String,
    pub classes: Vec<String>,
    pub taxonomy: Taxonomy,
    pub features: Vec<String>,
    pub meta: TrainingMeta,
    /// The user's label mapping saved with the model (empty: none).
    #[serde(default)]
    pub label_map: LabelMap,
}

/// A model trained in this page: its info, how long it took, and everything to plot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedResult {
    pub info: ModelInfo,
    pub cpu_ms: f64,
    pub wall_ms: f64,
    /// Assembling and scoring, in the data worker.
    pub assemble_ms: f64,
    pub diagnostics: Diagnostics,
    /// Bytes of the model file the page keeps (and downloads).
    #[serde(default)]
    pub model_bytes: usize,
    /// Rows per second predicted from raw columns, measured in the data worker after
    /// training (see `handlers::predict_speed`); `None` when it could not be measured.
    #[serde(default)]
    pub predict_rows_per_s: Option<f64>,
}

/// Sent by a worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker is up and waiting.
    Ready,
    /// Bytes read so far of the whole request.
    Progress {
        request: u32,
        done: u64,
        total: u64,
        file: String,
    },
    /// The request finished; this is the data set now loaded.
    Loaded {
        request: u32,
        summary: Summary,
        parse_ms: f64,
        /// How the rows were sampled (what was asked, or what the memory budget chose).
        #[serde(default)]
        sampling: Sampling,
        /// Rows per class under the taxonomy before the user's label map (`summary` counts
        /// them after it): the classes the Data tab's mapping table lists.
        #[serde(default)]
        unmapped: BTreeMap<String, u64>,
    },
    /// The request failed; the data set that was loaded before (if any) is still loaded.
    Failed {
        request: u32,
        message: String,
    },
    /// The request was cancelled; the previous data set is still loaded.
    Cancelled {
        request: u32,
    },

    Explored {
        request: u32,
        exploration: Box<Exploration>,
    },
    /// A file to save: `bytes[0]`, with a suggested name and MIME type.
    Download {
        request: u32,
        name: String,
        mime: String,
    },

    /// The job is ready; `bytes[i]` is the fit data of `plan.fits[i]`.
    Prepared {
        request: u32,
        plan: Box<Plan>,
    },
    /// A pool worker's progress on a task.
    FitProgress {
        request: u32,
        task: u32,
        step: Step,
    },
    /// A pool worker finished a task: output in `bytes[0]`, worker time in `ms`.
    Fitted {
        request: u32,
        task: u32,
        ms: f64,
    },
    /// A model was assembled and scored; its model file (as `ExportModel` gives it) is in
    /// `bytes[0]`, so the page can restore it into a restarted worker.
    Trained {
        request: u32,
        result: Box<TrainedResult>,
    },
    /// A search trial's model was assembled and scored (`Assemble` with `score_only`).
    Scored {
        request: u32,
        metrics: Box<crate::eval::metrics::Report>,
    },

    /// The next part of the predictions CSV (the header comes with the first part), as one
    /// byte payload, while a file is predicted: `rows` rows in this part. The page keeps the
    /// parts (as `Blob`s) and builds the download from them; the worker keeps none.
    PredictedCsv {
        request: u32,
        rows: u64,
    },
    /// The prediction file was read and predicted; the first page of rows is included.
    Predicted {
        request: u32,
        summary: Box<PredictionSummary>,
    },
    PredictionRows {
        request: u32,
        page: PredictionPage,
    },
    /// One predicted row explained (see [`ToWorker::ExplainRow`]).
    Explained {
        request: u32,
        explanations: Box<Explanations>,
    },
    /// Mean |SHAP| per column of a model (see [`ToWorker::ShapImportance`]).
    ShapImportance {
        request: u32,
        model: u32,
        importance: Box<ShapImportance>,
        /// What the contributions are on (probability or raw score).
        output: OutputSpace,
        /// Where the explained rows came from, in words ("test rows", …), and how many.
        source: String,
        rows: usize,
        /// Time spent explaining, in milliseconds.
        ms: f64,
        /// Pool workers that explained it (0: the data worker alone).
        #[serde(default)]
        workers: usize,
    },
    /// The explanation asked for by [`ToWorker::ShapImportance`] is cut into `parts`, to run
    /// in the pool: `bytes[0]` is the model file, `bytes[1]` the rows' features.
    ShapParts {
        request: u32,
        parts: Vec<crate::predictions::explain_parts::ExplainPart>,
    },
    /// A pool worker explained its part (see [`ToWorker::ExplainPart`]): the values in
    /// `bytes[0]`, in `ms` milliseconds.
    PartExplained {
        request: u32,
        ms: f64,
    },

    /// The warm-up ran, in `ms` milliseconds.
    WarmedUp {
        request: u32,
        ms: f64,
    },
    /// A model file was loaded.
    ModelAdded {
        request: u32,
        info: Box<ModelInfo>,
    },
    /// The worker died: a panic (its message, posted by the panic hook) or, reported by the page's
    /// `onerror`, a trap such as running out of memory. The worker must be restarted.
    Crashed {
        message: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_tagged_json() {
        let m = ToWorker::Cancel { request: 3 };
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(text, r#"{"type":"cancel","request":3}"#);
        assert_eq!(serde_json::from_str::<ToWorker>(&text).unwrap(), m);
        let f = FromWorker::Failed {
            request: 1,
            message: "x".into(),
        };
        let back: FromWorker = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
        let e = ToWorker::ExplainRow {
            request: 4,
            model: 2,
            row: 17,
        };
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(
            text,
            r#"{"type":"explain_row","request":4,"model":2,"row":17}"#
        );
        assert_eq!(serde_json::from_str::<ToWorker>(&text).unwrap(), e);
        let s = ToWorker::ShapImportance {
            request: 5,
            model: 2,
            workers: 2,
        };
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(
            text,
            r#"{"type":"shap_importance","request":5,"model":2,"workers":2}"#
        );
        // A page from before the pool explained (no `workers`) still asks the data worker.
        let old: ToWorker =
            serde_json::from_str(r#"{"type":"shap_importance","request":5,"model":2}"#).unwrap();
        assert!(matches!(old, ToWorker::ShapImportance { workers: 0, .. }));
    }
}
