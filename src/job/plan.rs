//! Planning a job: the split(s), one feature pipeline per fit, and the tasks (a forest cut into
//! chunks of trees), each with a cost for progress and scheduling.

use super::*;
use crate::data::budget::{Budget, TrainShape};
use crate::data::rng::FlowRng;
use crate::data::sampling::StratifiedOrder;
use crate::data::Matrix;
use crate::eval::capture;
use crate::eval::leakage::{self};
use crate::eval::split::SplitKind;
use crate::eval::split::{self, Split};
use crate::features::Pipeline;
use crate::ingest::{ColumnData, Dataset, MISSING};
use crate::models::registry::ModelSpec;

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
    base * match part {
        Part::Trees { start, end } => (end - start) as f64,
        Part::Whole => spec.work(),
    }
}

/// A search's rung: every fold keeps `share` of its training rows (stratified; the same seed
/// gives nested subsets for growing shares, so a later rung sees the rows of an earlier one).
fn tune_subsets(
    scoring: Vec<Split>,
    y: &[u32],
    share: f64,
    seed: u64,
) -> Result<Vec<Split>, TrainError> {
    if !(share > 0.0 && share <= 1.0) {
        return Err(PlanError::TuneRows(share).into());
    }
    if share == 1.0 {
        return Ok(scoring);
    }
    Ok(scoring
        .into_iter()
        .enumerate()
        .map(|(f, s)| {
            let mut rng = FlowRng::new(seed, TUNE_STREAM + f as u64);
            let train = StratifiedOrder::of_rows(&s.train, y, &mut rng).subset(share);
            Split {
                train,
                test: s.test,
            }
        })
        .collect())
}

/// The random stream of [`tune_subsets`] (fold `f` uses `TUNE_STREAM + f`).
const TUNE_STREAM: u64 = 0x7E_0000;

/// Bytes the data set holds: an `f64` per numeric cell, a `u32` per text cell and the text of
/// every distinct value, a label, source and line per row.
pub fn data_bytes(data: &Dataset) -> u64 {
    let rows = data.n_rows() as u64;
    let columns: u64 = data
        .columns
        .iter()
        .map(|c| match &c.data {
            ColumnData::Numeric(_) => 8 * rows,
            ColumnData::Text(t) => {
                4 * rows + t.values.iter().map(|v| v.len() as u64 + 16).sum::<u64>()
            }
        })
        .sum();
    columns + 16 * rows
}

/// Refuses a job that would not fit in `budget` (see [`crate::data::budget`]), before its first
/// matrix is built.
fn check_budget(
    budget: &Budget,
    data: &Dataset,
    features: usize,
    splits: &[&Split],
    final_rows: Option<usize>,
) -> Result<(), TrainError> {
    let train_rows = splits
        .iter()
        .map(|s| s.train.len())
        .chain(final_rows)
        .max()
        .unwrap_or(0);
    let job = TrainShape {
        rows: data.n_rows() as u64,
        features,
        fits: splits.len() + usize::from(final_rows.is_some()),
        train_rows: train_rows as u64,
    };
    budget.check_training(&job, data_bytes(data))?;
    Ok(())
}

/// Sequence models read the same splits with the sequence context appended (see
/// `features::context`): one more fit per fit, which only they use.
fn add_context_fits(data: &Dataset, fits: &mut Vec<Fit>) {
    let with_context: Vec<Fit> = fits
        .iter()
        .map(|f| Fit {
            role: f.role,
            pipeline: f.pipeline.with_context(data),
            split: f.split.clone(),
        })
        .collect();
    fits.extend(with_context);
}

/// The tasks of every model on the fits it reads (a forest cut into `workers` chunks).
fn plan_tasks(models: &[ModelSpec], fits: &[Fit], workers: usize) -> Vec<Task> {
    let mut tasks = Vec::new();
    for (m, spec) in models.iter().enumerate() {
        for (f, fit) in fits.iter().enumerate() {
            if fit.pipeline.has_context() != spec.reads_windows() {
                continue;
            }
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
    tasks
}

/// Splits, fits one pipeline per fit and plans the tasks; `workers` is how many workers will run
/// them (a forest is cut into that many chunks per fit). Checked against the memory of the target
/// this runs on ([`Budget::current`]).
pub fn prepare(data: &Dataset, req: &JobRequest, workers: usize) -> Result<Prepared, TrainError> {
    prepare_within(data, req, workers, &Budget::current())
}

/// [`prepare`] within `budget`: a job that would not fit is refused with
/// [`TrainError::Budget`] before its first feature matrix is built.
pub fn prepare_within(
    data: &Dataset,
    req: &JobRequest,
    workers: usize,
    budget: &Budget,
) -> Result<Prepared, TrainError> {
    if req.models.is_empty() {
        return Err(TrainError::NoModels);
    }
    for spec in &req.models {
        spec.validate()?;
    }
    req.split.validate()?;
    let (y, classes) = data.labels_with(req.taxonomy, &req.label_map);
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
            split::stratified_kfold(&y, folds, repeats, req.seed)?
        }
        SplitKind::Group { folds } => split::group_kfold(&data.sources, &y, folds)?,
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
    let scoring = match req.tune_rows {
        Some(share) => tune_subsets(scoring, &y, share, req.seed)?,
        None => scoring,
    };
    let mut fits = Vec::new();
    let mut duplicates_removed = 0;
    let mut capture_scan = None;
    let final_rows = (!matches!(req.split, SplitKind::Random { .. }) && req.tune_rows.is_none())
        .then_some(labelled.len());
    for (role, s) in scoring
        .iter()
        .map(|s| (FitRole::Score, s))
        .chain(by_capture.iter().map(|s| (FitRole::ByCapture, s)))
    {
        let pipeline = Pipeline::fit(data, &s.train, &req.features);
        if fits.is_empty() {
            let mut splits: Vec<&Split> = scoring.iter().chain(&by_capture).collect();
            if req.models.iter().any(ModelSpec::reads_windows) {
                // Sequence models read every split once more, with the context columns.
                splits.extend(scoring.iter().chain(&by_capture));
            }
            check_budget(budget, data, pipeline.width(), &splits, final_rows)?;
        }
        let x = pipeline.transform(data)?;
        if fits.is_empty() {
            let names: Vec<String> = pipeline.names().iter().map(|n| n.to_string()).collect();
            capture_scan = capture::detect(&x, &names, &data.sources, &labelled, req.seed);
        }
        let mut s = s.clone();
        // The by-capture fits keep test rows equal to training rows: see
        // `SplitKind::drops_test_duplicates`.
        if role == FitRole::Score && req.split.drops_test_duplicates() {
            duplicates_removed += split::drop_test_duplicates(&x, &y, &mut s);
        }
        fits.push(Fit {
            role,
            pipeline,
            split: s,
        });
    }
    if !matches!(req.split, SplitKind::Random { .. }) && req.tune_rows.is_none() {
        fits.push(Fit {
            role: FitRole::Final,
            pipeline: Pipeline::fit(data, &labelled, &req.features),
            split: Split {
                train: labelled.clone(),
                test: Vec::new(),
            },
        });
    }
    if req.models.iter().any(ModelSpec::reads_windows) {
        add_context_fits(data, &mut fits);
    }
    let leakage = leakage::detect(data, &y, classes.len(), &scoring[0]);
    let tasks = plan_tasks(&req.models, &fits, workers);
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
        capture: capture_scan,
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
    /// The fits model `spec` is fitted on, with their indices: the sequence models' fits carry
    /// the sequence context, the others' do not.
    pub fn fits_of<'a>(&'a self, spec: &ModelSpec) -> impl Iterator<Item = (usize, &'a Fit)> {
        let windows = spec.reads_windows();
        self.fits
            .iter()
            .enumerate()
            .filter(move |(_, f)| f.pipeline.has_context() == windows)
    }

    /// The training matrix and labels of fit `fit`.
    pub fn fit_data(&self, data: &Dataset, fit: usize) -> Result<FitData, TrainError> {
        self.fit_and_test(data, fit).map(|(train, _)| train)
    }

    /// Fit `fit`'s training data and its test rows' matrix, from one transform of the data.
    pub fn fit_and_test(
        &self,
        data: &Dataset,
        fit: usize,
    ) -> Result<(FitData, Matrix), TrainError> {
        let f = self.fits.get(fit).ok_or(PlanError::NoFit(fit))?;
        let x = f.pipeline.transform(data)?;
        let train = FitData {
            x: x.select_rows(&f.split.train),
            y: f.split.train.iter().map(|&r| self.y[r]).collect(),
            n_classes: self.plan.classes.len(),
        };
        Ok((train, x.select_rows(&f.split.test)))
    }
}
