//! A training job cut into tasks that can run anywhere: in this thread, or spread over a pool of
//! Web Workers that share nothing but bytes.
//!
//! [`prepare`] does everything that needs the data set: the split(s), one feature pipeline per
//! fit fitted on that fit's training rows, removal of test rows duplicated in training, and the
//! leakage scan. It yields [`Fit`]s (what to fit on) and [`Task`]s (which model on which fit;
//! a random forest is cut into chunks of trees). [`run_task`] needs only a [`FitData`] — the
//! training matrix and labels — so a worker that holds no data set can run it. [`assemble`] takes
//! every task's [`TaskOutput`] for one model, merges forest chunks into exactly the forest one
//! thread would grow, scores the test folds and returns the [`TrainedModel`] (what a model file
//! holds) with its [`Diagnostics`] (curves, importance, learning curve, by-capture score).
//!
//! [`train`] is this module run in one thread.
//!
//! ```
//! use flowlab::ingest::{IngestOptions, Loader, Taxonomy};
//! use flowlab::job::{self, JobRequest};
//! use flowlab::models::no_progress;
//! use flowlab::eval::split::SplitKind;
//! use flowlab::models::ModelSpec;
//!
//! let mut text = String::from("duration,bytes,label\n");
//! for i in 0..60 {
//!     let (d, label) = if i % 2 == 0 { (0.1, "benign") } else { (5.0, "attack") };
//!     text.push_str(&format!("{},{},{}\n", d + i as f64 * 0.001, 100 + i, label));
//! }
//! let mut loader = Loader::new(IngestOptions::default());
//! loader.start_file("flows.csv");
//! loader.feed(text.as_bytes()).unwrap();
//! loader.end_file().unwrap();
//! let data = loader.finish().unwrap();
//!
//! let mut request = JobRequest::new(vec![ModelSpec::default_for("dt").unwrap()]);
//! request.split = SplitKind::Random { test_size: 0.25 };
//! request.taxonomy = Taxonomy::Raw;
//! let prepared = job::prepare(&data, &request, 2).unwrap();
//! let outputs: Vec<_> = prepared
//!     .plan
//!     .tasks
//!     .iter()
//!     .map(|t| job::run_task(&prepared.fit_data(&data, t.fit).unwrap(), &request.models[t.model], t, &mut no_progress()).unwrap())
//!     .collect();
//! let (model, diagnostics) =
//!     job::assemble(&data, &prepared, 0, outputs, &mut no_progress()).unwrap();
//! assert_eq!(model.classes, vec!["attack", "benign"]);
//! assert!(model.meta.metrics.accuracy > 0.9);
//! assert_eq!(diagnostics.curves.len(), 2);
//! ```

use serde::{Deserialize, Serialize};

use crate::data::Matrix;
use crate::eval::capture::CaptureScan;
use crate::eval::importance::PermutationImportance;
use crate::eval::leakage::Finding;
use crate::eval::learning_curve::LearningPoint;
use crate::eval::metrics::{Curve, Report};
use crate::eval::split::SplitKind;
use crate::eval::split::{self, Split};
use crate::features::{Excluded, FeatureInfo, Pipeline};
use crate::ingest::Dataset;
use crate::models::describe::{LossCurve, TreeView};
use crate::models::registry::{Model, ModelSpec};
use crate::models::tree::DecisionTree;
use crate::models::{Progress, Step};

mod assemble;
pub mod form;
mod plan;
pub mod scheduler;
mod tasks;
mod train;
pub mod tune;

pub use assemble::assemble;
pub use plan::{data_bytes, prepare, prepare_within, tree_chunks};
pub use tasks::run_task;
pub use train::{
    train, PlanError, Predictions, TrainError, TrainRequest, TrainedModel, TrainingMeta,
};

/// Most points kept per ROC or PR curve sent to the page (thinned evenly, ends kept).
pub const CURVE_POINTS: usize = 200;

/// Several models trained and scored the same way on one data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRequest {
    pub models: Vec<ModelSpec>,
    pub taxonomy: crate::ingest::Taxonomy,
    pub split: SplitKind,
    pub seed: u64,
    pub features: crate::features::FeatureOptions,
    /// Also score every model by capture (group k-fold over source files) when the split is not
    /// already by capture and the data has at least two labelled source files.
    pub by_capture: bool,
    /// Compute permutation importance (on the first scoring fold's test rows).
    #[serde(default = "yes")]
    pub permutation: bool,
    /// Compute a learning curve (refits on nested subsets of the first fold's training rows).
    #[serde(default = "yes")]
    pub learning_curve: bool,
    /// The user's renaming, merging and dropping of the taxonomy's classes (saved with each
    /// model and applied to the files it predicts).
    #[serde(default)]
    pub label_map: crate::ingest::LabelMap,
    /// Set by a hyper-parameter search ([`tune`]): fit on this share of each scoring fold's
    /// training rows (a stratified, seeded subset, nested across shares) and fit no final model
    /// (the first fold's model is the one returned). `None` for an ordinary training.
    #[serde(default)]
    pub tune_rows: Option<f64>,
}

fn yes() -> bool {
    true
}

impl JobRequest {
    /// Defaults: stratified 25 % hold-out, raw labels, seed [`split::DEFAULT_SEED`] (42), no
    /// ports, by-capture on.
    pub fn new(models: Vec<ModelSpec>) -> Self {
        JobRequest {
            models,
            taxonomy: crate::ingest::Taxonomy::default(),
            split: SplitKind::default(),
            seed: split::DEFAULT_SEED,
            features: crate::features::FeatureOptions::default(),
            by_capture: true,
            permutation: true,
            learning_curve: true,
            label_map: crate::ingest::LabelMap::default(),
            tune_rows: None,
        }
    }

    /// The single-model request `model` stands for.
    pub fn train_request(&self, model: usize) -> TrainRequest {
        TrainRequest {
            spec: self.models[model].clone(),
            taxonomy: self.taxonomy,
            split: self.split,
            seed: self.seed,
            features: self.features.clone(),
        }
    }
}

/// What one fit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FitRole {
    /// A test fold of the requested split (the hold-out is one fold).
    Score,
    /// A fold of the by-capture score.
    ByCapture,
    /// The saved model, fitted on every labelled row (after cross-validation).
    Final,
}

/// One training set: the rows a model is fitted on, and the rows it is then scored on.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub role: FitRole,
    /// Fitted on this fit's training rows only.
    pub pipeline: Pipeline,
    /// After removal of test rows identical to a training row.
    pub split: Split,
}

/// A fit as the page sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitInfo {
    pub role: FitRole,
    pub train_rows: usize,
    pub test_rows: usize,
    pub features: usize,
}

/// The part of a model's fit a task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Whole,
    /// Trees `start..end` of a random forest.
    Trees {
        start: usize,
        end: usize,
    },
}

/// One unit of work: fit (part of) model `model` on fit `fit`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: u32,
    pub model: usize,
    pub fit: usize,
    pub part: Part,
    /// Relative cost (≈ rows × features × trees or epochs), for scheduling and time left.
    pub cost: f64,
}

/// The plan of a prepared job: what the page needs to dispatch tasks and describe them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub classes: Vec<String>,
    pub fits: Vec<FitInfo>,
    pub tasks: Vec<Task>,
    /// Inputs of the first fit's pipeline (every fit's pipeline has the same kinds of inputs).
    pub features: Vec<FeatureInfo>,
    pub excluded: Vec<Excluded>,
    pub leakage: Vec<Finding>,
    /// Which features name the capture (none with fewer than two captures).
    pub capture: Option<CaptureScan>,
    /// Test rows dropped (summed over the scoring folds) because training held an identical row.
    pub duplicates_removed: usize,
    pub split: String,
    /// How the by-capture score is obtained, when there is one.
    pub by_capture: Option<String>,
}

/// A job ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub request: JobRequest,
    /// Class codes of every row (`MISSING` = unlabelled) under the request's taxonomy.
    pub y: Vec<u32>,
    pub fits: Vec<Fit>,
    pub plan: Plan,
}

/// What a task needs: the training matrix and labels of one fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitData {
    pub x: Matrix,
    pub y: Vec<u32>,
    pub n_classes: usize,
}

/// What a task produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskOutput {
    Model(Box<Model>),
    Trees(Vec<DecisionTree>),
}

/// One-vs-rest ROC and PR curves of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCurves {
    pub class: String,
    pub roc: Curve,
    pub pr: Curve,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
}

/// Everything shown about a trained model beyond its metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// Per class, from the pooled test predictions.
    pub curves: Vec<ClassCurves>,
    /// Feature names, in the order of the importance vectors.
    pub feature_names: Vec<String>,
    /// Gain (impurity decrease) importance of the tree models, summing to 1.
    pub gain_importance: Option<Vec<f64>>,
    /// Scores by capture (group k-fold over source files) next to the requested split's.
    pub by_capture: Option<Report>,
    /// The capture detector's scan of the job's data (see [`crate::eval::capture`]).
    #[serde(default)]
    pub capture: Option<CaptureScan>,
    pub loss: Option<LossCurve>,
    pub tree: Option<TreeView>,
    /// Number of trees, rounds or epochs actually fitted in the saved model, where that applies.
    pub size: Option<String>,
    /// Drop in macro-F1 (and accuracy) when each feature is shuffled, on the first scoring fold's
    /// test rows (a stratified subsample of at most 5,000).
    pub permutation: Option<PermutationImportance>,
    /// Macro-F1 on the training subset and on the first fold's test rows, for growing nested
    /// subsets of its training rows.
    pub learning_curve: Option<Vec<LearningPoint>>,
}

/// Runs a whole job in this thread: every task in plan order, then every model assembled.
/// `progress` sees the steps of every task (trees, rounds, epochs), numbered across the tasks;
/// returning `false` cancels.
pub fn run_local(
    data: &Dataset,
    req: &JobRequest,
    progress: Progress,
) -> Result<Vec<(TrainedModel, Diagnostics)>, TrainError> {
    let prepared = prepare(data, req, 1)?;
    let n_tasks = prepared.plan.tasks.len();
    let mut outputs: Vec<Vec<TaskOutput>> = vec![Vec::new(); req.models.len()];
    let mut cache: Option<(usize, FitData)> = None;
    for (i, task) in prepared.plan.tasks.iter().enumerate() {
        if cache.as_ref().map(|(f, _)| *f) != Some(task.fit) {
            cache = Some((task.fit, prepared.fit_data(data, task.fit)?));
        }
        let fd = &cache.as_ref().expect("filled above").1;
        let mut inner = |s: Step| {
            progress(Step {
                done: i * s.total + s.done,
                total: n_tasks * s.total,
                ..s
            })
        };
        outputs[task.model].push(run_task(fd, &req.models[task.model], task, &mut inner)?);
    }
    outputs
        .into_iter()
        .enumerate()
        .map(|(m, outs)| assemble(data, &prepared, m, outs, &mut |_| true))
        .collect()
}
