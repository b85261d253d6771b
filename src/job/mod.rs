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
use crate::eval::importance::{
    permutation_importance_of, PermutationImportance, PermutationOptions,
};
use crate::eval::leakage::{self, Finding};
use crate::eval::learning_curve::{learning_curve, LearningPoint, DEFAULT_FRACTIONS};
use crate::eval::metrics::{self, Curve, Report};
use crate::eval::split::SplitKind;
use crate::eval::split::{self, Split};
use crate::features::{Excluded, FeatureInfo, Pipeline};
use crate::ingest::{Dataset, MISSING};
use crate::models::forest::RandomForest;
use crate::models::registry::{LossCurve, Model, ModelSpec, TreeView};
use crate::models::tree::DecisionTree;
use crate::models::{argmax_rows, ModelError, Progress, Step};

pub mod scheduler;
mod train;
pub use train::{train, Predictions, TrainError, TrainRequest, TrainedModel, TrainingMeta};

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
}

fn yes() -> bool {
    true
}

impl JobRequest {
    /// Defaults: stratified 25 % hold-out, attack-family labels, seed 42, no ports, by-capture on.
    pub fn new(models: Vec<ModelSpec>) -> Self {
        JobRequest {
            models,
            taxonomy: crate::ingest::Taxonomy::default(),
            split: SplitKind::Random { test_size: 0.25 },
            seed: 42,
            features: crate::features::FeatureOptions::default(),
            by_capture: true,
            permutation: true,
            learning_curve: true,
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

/// Cuts `n_trees` into at most `parts` nearly equal consecutive ranges.
pub fn tree_chunks(n_trees: usize, parts: usize) -> Vec<(usize, usize)> {
    let parts = parts.clamp(1, n_trees.max(1));
    (0..parts)
        .map(|p| (n_trees * p / parts, n_trees * (p + 1) / parts))
        .filter(|(a, b)| b > a)
        .collect()
}

/// The relative cost of fitting `spec` on `rows × cols`.
fn cost(spec: &ModelSpec, rows: usize, cols: usize, part: Part) -> f64 {
    let base = (rows * cols.max(1)) as f64;
    base * match (spec, part) {
        (_, Part::Trees { start, end }) => (end - start) as f64,
        (ModelSpec::Dt(_), _) => 1.0,
        (ModelSpec::Rf(p), _) => p.n_trees as f64,
        (ModelSpec::Gbdt(p), _) => p.n_rounds as f64 * 0.5,
        (ModelSpec::Mlp(p), _) => p.max_epochs as f64 * 0.5,
        (ModelSpec::Logreg(_), _) => 20.0,
        (ModelSpec::Nb(_), _) => 0.05,
    }
}

/// Splits, fits one pipeline per fit and plans the tasks; `workers` is how many workers will run
/// them (a forest is cut into that many chunks per fit).
pub fn prepare(data: &Dataset, req: &JobRequest, workers: usize) -> Result<Prepared, TrainError> {
    if req.models.is_empty() {
        return Err(TrainError::Split("choose at least one model".into()));
    }
    for spec in &req.models {
        spec.validate()?;
    }
    let (y, classes) = data.labels_as(req.taxonomy);
    let labelled: Vec<usize> = (0..y.len()).filter(|&r| y[r] != MISSING).collect();
    if labelled.is_empty() {
        return Err(TrainError::NoLabels);
    }
    let present: std::collections::BTreeSet<u32> = labelled.iter().map(|&r| y[r]).collect();
    if present.len() < 2 {
        return Err(TrainError::OneClass(
            present
                .first()
                .and_then(|&c| classes.get(c as usize))
                .cloned()
                .unwrap_or_default(),
        ));
    }
    let scoring: Vec<Split> = match req.split {
        SplitKind::Random { test_size } => vec![split::stratified_holdout(&y, test_size, req.seed)],
        SplitKind::KFold { folds, repeats } => {
            split::stratified_kfold(&y, folds, repeats, req.seed)
        }
        SplitKind::Group { folds } => {
            split::group_kfold(&data.sources, &y, folds).map_err(TrainError::Split)?
        }
    };
    let labelled_sources: std::collections::BTreeSet<u32> =
        labelled.iter().map(|&r| data.sources[r]).collect();
    let capture_folds = labelled_sources.len().min(5);
    let by_capture: Vec<Split> =
        if req.by_capture && capture_folds >= 2 && !matches!(req.split, SplitKind::Group { .. }) {
            split::group_kfold(&data.sources, &y, capture_folds).unwrap_or_default()
        } else {
            Vec::new()
        };
    let mut fits = Vec::new();
    let mut duplicates_removed = 0;
    for (role, s) in scoring
        .iter()
        .map(|s| (FitRole::Score, s))
        .chain(by_capture.iter().map(|s| (FitRole::ByCapture, s)))
    {
        let pipeline = Pipeline::fit(data, &s.train, &req.features);
        let x = pipeline.transform(data)?;
        let mut s = s.clone();
        let dropped = split::drop_test_duplicates(&x, &y, &mut s);
        if role == FitRole::Score {
            duplicates_removed += dropped;
        }
        fits.push(Fit {
            role,
            pipeline,
            split: s,
        });
    }
    if !matches!(req.split, SplitKind::Random { .. }) {
        fits.push(Fit {
            role: FitRole::Final,
            pipeline: Pipeline::fit(data, &labelled, &req.features),
            split: Split {
                train: labelled.clone(),
                test: Vec::new(),
            },
        });
    }
    let leakage = leakage::detect(data, &y, classes.len(), &scoring[0]);
    let mut tasks = Vec::new();
    for (m, spec) in req.models.iter().enumerate() {
        for (f, fit) in fits.iter().enumerate() {
            let (rows, cols) = (fit.split.train.len(), fit.pipeline.width());
            let parts = match spec {
                ModelSpec::Rf(p) => tree_chunks(p.n_trees, workers)
                    .into_iter()
                    .map(|(start, end)| Part::Trees { start, end })
                    .collect(),
                _ => vec![Part::Whole],
            };
            for part in parts {
                tasks.push(Task {
                    id: tasks.len() as u32,
                    model: m,
                    fit: f,
                    part,
                    cost: cost(spec, rows, cols, part),
                });
            }
        }
    }
    let first = &fits[0].pipeline;
    let plan = Plan {
        classes,
        fits: fits
            .iter()
            .map(|f| FitInfo {
                role: f.role,
                train_rows: f.split.train.len(),
                test_rows: f.split.test.len(),
                features: f.pipeline.width(),
            })
            .collect(),
        tasks,
        features: first.features.clone(),
        excluded: first.excluded.clone(),
        leakage,
        duplicates_removed,
        split: req.split.describe(),
        by_capture: (!by_capture.is_empty()).then(|| {
            format!(
                "group {}-fold by source file ({} captures)",
                by_capture.len(),
                labelled_sources.len()
            )
        }),
    };
    Ok(Prepared {
        request: req.clone(),
        y,
        fits,
        plan,
    })
}

impl Prepared {
    /// The training matrix and labels of fit `fit`.
    pub fn fit_data(&self, data: &Dataset, fit: usize) -> Result<FitData, TrainError> {
        self.fit_and_test(data, fit).map(|(train, _)| train)
    }

    /// Fit `fit`'s training data and its test rows' matrix, from one transform of the data.
    fn fit_and_test(&self, data: &Dataset, fit: usize) -> Result<(FitData, Matrix), TrainError> {
        let f = self
            .fits
            .get(fit)
            .ok_or_else(|| TrainError::Split(format!("no fit {fit} in this job")))?;
        let x = f.pipeline.transform(data)?;
        let train = FitData {
            x: x.select_rows(&f.split.train),
            y: f.split.train.iter().map(|&r| self.y[r]).collect(),
            n_classes: self.plan.classes.len(),
        };
        Ok((train, x.select_rows(&f.split.test)))
    }
}

/// Runs one task (anywhere: it needs only the fit's data and the model's spec).
pub fn run_task(
    data: &FitData,
    spec: &ModelSpec,
    task: &Task,
    progress: Progress,
) -> Result<TaskOutput, ModelError> {
    match (task.part, spec) {
        (Part::Whole, spec) => Ok(TaskOutput::Model(Box::new(spec.fit(
            &data.x,
            &data.y,
            data.n_classes,
            progress,
        )?))),
        (Part::Trees { start, end }, ModelSpec::Rf(p)) => {
            let binned = RandomForest::bin(p, &data.x)?;
            Ok(TaskOutput::Trees(RandomForest::fit_trees(
                p,
                &binned,
                &data.y,
                data.n_classes,
                start..end,
                progress,
            )?))
        }
        (Part::Trees { .. }, _) => Err(ModelError::InvalidParam {
            name: "part",
            value: "trees".into(),
            expected: "a part of a random forest",
        }),
    }
}

/// Merges the outputs of one fit's tasks (in task order) into one model.
fn merge(
    spec: &ModelSpec,
    data: &FitData,
    mut outputs: Vec<TaskOutput>,
) -> Result<Model, TrainError> {
    if outputs.len() == 1 {
        if let Some(TaskOutput::Model(_)) = outputs.first() {
            if let Some(TaskOutput::Model(m)) = outputs.pop() {
                return Ok(*m);
            }
        }
    }
    let ModelSpec::Rf(p) = spec else {
        return Err(TrainError::Split(
            "only a random forest is fitted in parts".into(),
        ));
    };
    let mut trees = Vec::with_capacity(p.n_trees);
    for o in outputs {
        match o {
            TaskOutput::Trees(t) => trees.extend(t),
            TaskOutput::Model(_) => {
                return Err(TrainError::Split(
                    "a forest part came back as a whole model".into(),
                ))
            }
        }
    }
    let binned = RandomForest::bin(p, &data.x)?;
    Ok(Model::Rf(RandomForest::from_trees(
        p,
        &binned,
        &data.y,
        data.n_classes,
        trees,
    )?))
}

fn empty_curve() -> Curve {
    Curve {
        x: Vec::new(),
        y: Vec::new(),
        thresholds: Vec::new(),
    }
}

/// Keeps at most `n` points of a curve, evenly spaced, first and last kept.
fn thin(c: &Curve, n: usize) -> Curve {
    let len = c.x.len();
    if len <= n || n < 2 {
        return c.clone();
    }
    let idx: Vec<usize> = (0..n).map(|i| i * (len - 1) / (n - 1)).collect();
    Curve {
        x: idx.iter().map(|&i| c.x[i]).collect(),
        y: idx.iter().map(|&i| c.y[i]).collect(),
        thresholds: idx
            .iter()
            .map(|&i| c.thresholds.get(i).copied().unwrap_or(f32::NAN))
            .collect(),
    }
}

/// Builds the model `model` of the job from its tasks' outputs (`outputs[i]` for the `i`-th task
/// of that model in plan order), scores it and describes it. `progress` sees the scoring of each
/// fit and returns `false` to cancel.
pub fn assemble(
    data: &Dataset,
    prepared: &Prepared,
    model: usize,
    outputs: Vec<TaskOutput>,
    progress: Progress,
) -> Result<(TrainedModel, Diagnostics), TrainError> {
    let spec = prepared
        .request
        .models
        .get(model)
        .ok_or_else(|| TrainError::Split(format!("no model {model} in this job")))?;
    let tasks: Vec<&Task> = prepared
        .plan
        .tasks
        .iter()
        .filter(|t| t.model == model)
        .collect();
    if tasks.len() != outputs.len() {
        return Err(TrainError::Split(format!(
            "model {model} has {} tasks but {} outputs came back",
            tasks.len(),
            outputs.len()
        )));
    }
    let k = prepared.plan.classes.len();
    let mut per_fit: Vec<Vec<TaskOutput>> = vec![Vec::new(); prepared.fits.len()];
    for (t, o) in tasks.iter().zip(outputs) {
        per_fit[t.fit].push(o);
    }
    let mut scored = (Vec::new(), Vec::new(), Vec::new());
    let mut capture = (Vec::new(), Vec::new(), Vec::new());
    let mut saved = None;
    let mut first: Option<(Model, FitData, Matrix)> = None;
    let total = prepared.fits.len();
    for (f, (fit, outs)) in prepared.fits.iter().zip(per_fit).enumerate() {
        let (fd, test_x) = prepared.fit_and_test(data, f)?;
        let m = merge(spec, &fd, outs)?;
        if !fit.split.test.is_empty() {
            let proba = m.predict_proba(&test_x)?;
            let into = if fit.role == FitRole::ByCapture {
                &mut capture
            } else {
                &mut scored
            };
            into.0.extend(fit.split.test.iter().map(|&r| prepared.y[r]));
            into.1.extend(argmax_rows(&proba, k));
            into.2.extend(proba);
        }
        let keep = match prepared.request.split {
            SplitKind::Random { .. } => f == 0,
            _ => fit.role == FitRole::Final,
        };
        if f == 0 {
            first = Some((m.clone(), fd, test_x));
        }
        if keep {
            saved = Some((fit.pipeline.clone(), m, fit.split.train.len()));
        }
        if !progress(Step {
            done: f + 1,
            total,
            loss: None,
            val_loss: None,
        }) {
            return Err(ModelError::Cancelled.into());
        }
    }
    let (pipeline, m, train_rows) =
        saved.ok_or_else(|| TrainError::Split("the job has no fit to save".into()))?;
    let metrics = Report::new(&scored.0, &scored.1, Some(&scored.2), k);
    let by_capture =
        (!capture.0.is_empty()).then(|| Report::new(&capture.0, &capture.1, Some(&capture.2), k));
    let curves = (0..k)
        .map(|c| {
            let pos: Vec<bool> = scored.0.iter().map(|&t| t as usize == c).collect();
            let scores: Vec<f32> = scored.2.iter().skip(c).step_by(k).copied().collect();
            let has_both = pos.iter().any(|&p| p) && pos.iter().any(|&p| !p);
            let (roc, pr) = if has_both {
                (
                    thin(&metrics::roc_curve(&pos, &scores), CURVE_POINTS),
                    thin(&metrics::pr_curve(&pos, &scores), CURVE_POINTS),
                )
            } else {
                (empty_curve(), empty_curve())
            };
            ClassCurves {
                class: prepared.plan.classes[c].clone(),
                roc,
                pr,
                roc_auc: metrics.per_class.get(c).and_then(|r| r.roc_auc),
                pr_auc: metrics.per_class.get(c).and_then(|r| r.pr_auc),
            }
        })
        .collect();
    let names: Vec<String> = pipeline.names().iter().map(|s| s.to_string()).collect();
    let (permutation, learning) = match &first {
        Some((m0, fd, test_x)) => first_fold_diagnostics(prepared, spec, m0, fd, test_x)?,
        None => (None, None),
    };
    let diagnostics = Diagnostics {
        permutation,
        learning_curve: learning,
        curves,
        gain_importance: m.gain_importance(),
        feature_names: names.clone(),
        by_capture,
        loss: m.loss_curve(),
        tree: m.tree_view(&names, &prepared.plan.classes, 4),
        size: m.size(),
    };
    let trained = TrainedModel {
        pipeline,
        taxonomy: prepared.request.taxonomy,
        classes: prepared.plan.classes.clone(),
        model: m,
        meta: TrainingMeta {
            flowlab_version: env!("CARGO_PKG_VERSION").to_string(),
            sources: data.files.iter().map(|f| f.path.clone()).collect(),
            request: prepared.request.train_request(model),
            split: prepared.plan.split.clone(),
            train_rows,
            test_rows: scored.0.len(),
            duplicates_removed: prepared.plan.duplicates_removed,
            metrics,
            leakage: prepared.plan.leakage.clone(),
        },
    };
    Ok((trained, diagnostics))
}

/// Permutation importance and the learning curve, both on the first scoring fold.
fn first_fold_diagnostics(
    prepared: &Prepared,
    spec: &ModelSpec,
    model: &Model,
    train: &FitData,
    test_x: &Matrix,
) -> Result<(Option<PermutationImportance>, Option<Vec<LearningPoint>>), TrainError> {
    let fit = &prepared.fits[0];
    if fit.split.test.is_empty() {
        return Ok((None, None));
    }
    let k = prepared.plan.classes.len();
    let test_y: Vec<u32> = fit.split.test.iter().map(|&r| prepared.y[r]).collect();
    let seed = prepared.request.seed;
    let permutation = if prepared.request.permutation {
        let opts = PermutationOptions {
            seed,
            ..PermutationOptions::default()
        };
        Some(permutation_importance_of(
            model.as_classifier(),
            test_x,
            &test_y,
            &opts,
        )?)
    } else {
        None
    };
    let learning = if prepared.request.learning_curve {
        let rows: Vec<usize> = (0..train.x.rows).collect();
        let macro_f1 = |m: &Model, x: &Matrix, y: &[u32]| -> Result<f64, TrainError> {
            let p = m.predict_proba(x)?;
            Ok(Report::new(y, &argmax_rows(&p, k), None, k).macro_f1)
        };
        let mut fit_and_score = |sub: &[usize]| -> Result<(f64, f64), TrainError> {
            if sub.len() == train.x.rows {
                // Every training row, in order (subsets are sorted): refitting would repeat the
                // model already fitted, so score that one.
                return Ok((
                    macro_f1(model, &train.x, &train.y)?,
                    macro_f1(model, test_x, &test_y)?,
                ));
            }
            let sx = train.x.select_rows(sub);
            let sy: Vec<u32> = sub.iter().map(|&r| train.y[r]).collect();
            let m = spec.fit(&sx, &sy, k, &mut |_| true)?;
            Ok((macro_f1(&m, &sx, &sy)?, macro_f1(&m, test_x, &test_y)?))
        };
        Some(learning_curve(
            &rows,
            &train.y,
            &DEFAULT_FRACTIONS,
            seed,
            &mut fit_and_score,
        )?)
    } else {
        None
    };
    Ok((permutation, learning))
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
