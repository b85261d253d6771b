//! Training and evaluating one model on a data set, honestly: the split decides what is
//! reported (hold-out, k-fold, or by capture), identical rows across train and test are removed,
//! and the leakage detector runs on the same split.
//!
//! The result is a [`TrainedModel`] — what a model file holds: the fitted feature pipeline,
//! the class names and taxonomy, the model, and how it was trained and scored.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::eval::leakage::{self, Finding};
use crate::eval::metrics::Report;
use crate::eval::split::{self, Split};
use crate::features::{FeatureError, FeatureOptions, Matrix, Pipeline};
use crate::ingest::{Dataset, Taxonomy, MISSING};
use crate::models::boosting::{GradientBoosting, GradientBoostingParams};
use crate::models::forest::{RandomForest, RandomForestParams};
use crate::models::linear::{LogisticParams, LogisticRegression};
use crate::models::mlp::{Mlp, MlpParams};
use crate::models::naive_bayes::{GaussianNb, GaussianNbParams};
use crate::models::tree::{DecisionTree, DecisionTreeParams};
use crate::models::{argmax_rows, ModelError, Progress, Step};

/// A model kind and its hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelSpec {
    Dt(DecisionTreeParams),
    Rf(RandomForestParams),
    Gbdt(GradientBoostingParams),
    Mlp(MlpParams),
    Logreg(LogisticParams),
    Nb(GaussianNbParams),
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    Dt(DecisionTree),
    Rf(RandomForest),
    Gbdt(GradientBoosting),
    Mlp(Mlp),
    Logreg(LogisticRegression),
    Nb(GaussianNb),
}

macro_rules! each_model {
    ($value:expr, $m:ident => $body:expr) => {
        match $value {
            Model::Dt($m) => $body,
            Model::Rf($m) => $body,
            Model::Gbdt($m) => $body,
            Model::Mlp($m) => $body,
            Model::Logreg($m) => $body,
            Model::Nb($m) => $body,
        }
    };
}

impl ModelSpec {
    /// The short name used on the command line (`dt`, `rf`, `gbdt`, `mlp`, `logreg`, `nb`).
    pub fn name(&self) -> &'static str {
        match self {
            ModelSpec::Dt(_) => "dt",
            ModelSpec::Rf(_) => "rf",
            ModelSpec::Gbdt(_) => "gbdt",
            ModelSpec::Mlp(_) => "mlp",
            ModelSpec::Logreg(_) => "logreg",
            ModelSpec::Nb(_) => "nb",
        }
    }

    /// The default hyper-parameters of the model called `name`.
    pub fn default_for(name: &str) -> Option<ModelSpec> {
        Some(match name {
            "dt" => ModelSpec::Dt(Default::default()),
            "rf" => ModelSpec::Rf(Default::default()),
            "gbdt" => ModelSpec::Gbdt(Default::default()),
            "mlp" => ModelSpec::Mlp(Default::default()),
            "logreg" => ModelSpec::Logreg(Default::default()),
            "nb" => ModelSpec::Nb(Default::default()),
            _ => return None,
        })
    }

    /// Fits this model.
    pub fn fit(
        &self,
        x: &Matrix,
        y: &[u32],
        n_classes: usize,
        progress: Progress,
    ) -> Result<Model, ModelError> {
        Ok(match self {
            ModelSpec::Dt(p) => Model::Dt(DecisionTree::fit(p, x, y, n_classes, progress)?),
            ModelSpec::Rf(p) => Model::Rf(RandomForest::fit(p, x, y, n_classes, progress)?),
            ModelSpec::Gbdt(p) => Model::Gbdt(GradientBoosting::fit(p, x, y, n_classes, progress)?),
            ModelSpec::Mlp(p) => Model::Mlp(Mlp::fit(p, x, y, n_classes, progress)?),
            ModelSpec::Logreg(p) => {
                Model::Logreg(LogisticRegression::fit(p, x, y, n_classes, progress)?)
            }
            ModelSpec::Nb(p) => Model::Nb(GaussianNb::fit(p, x, y, n_classes, progress)?),
        })
    }
}

impl Model {
    /// Class probabilities, `rows × n_classes` row-major.
    pub fn predict_proba(&self, x: &Matrix) -> Result<Vec<f32>, ModelError> {
        each_model!(self, m => m.predict_proba(x))
    }

    pub fn n_classes(&self) -> usize {
        each_model!(self, m => m.n_classes())
    }
}

/// How the reported scores are obtained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitKind {
    /// Stratified hold-out of `test_size` of the rows (rows of one capture end up on both sides).
    Random { test_size: f64 },
    /// Group k-fold by source file: every test fold holds captures never seen in training.
    Group { folds: usize },
    /// Stratified k-fold, repeated.
    KFold { folds: usize, repeats: usize },
}

impl SplitKind {
    pub fn describe(&self) -> String {
        match self {
            SplitKind::Random { test_size } => {
                format!("stratified hold-out, {:.0} % test", test_size * 100.0)
            }
            SplitKind::Group { folds } => format!("group {folds}-fold by source file (capture)"),
            SplitKind::KFold { folds, repeats } => format!("stratified {folds}-fold × {repeats}"),
        }
    }
}

/// What to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainRequest {
    pub spec: ModelSpec,
    pub taxonomy: Taxonomy,
    pub split: SplitKind,
    pub seed: u64,
    pub features: FeatureOptions,
}

/// How a model was trained and what it scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMeta {
    pub flowlab_version: String,
    pub sources: Vec<String>,
    pub request: TrainRequest,
    pub split: String,
    /// Rows the saved model was fitted on, and the rows scored (summed over folds).
    pub train_rows: usize,
    pub test_rows: usize,
    /// Test rows dropped because an identical row (features and label) was in training.
    pub duplicates_removed: usize,
    pub metrics: Report,
    pub leakage: Vec<Finding>,
}

/// Everything a model file holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    pub pipeline: Pipeline,
    pub taxonomy: Taxonomy,
    pub classes: Vec<String>,
    pub model: Model,
    pub meta: TrainingMeta,
}

/// Why training failed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TrainError {
    #[error("the data has no labelled rows: choose a label column")]
    NoLabels,
    #[error("only one class ({0}) in the labelled rows: nothing to tell apart")]
    OneClass(String),
    #[error("{0}")]
    Split(String),
    #[error(transparent)]
    Features(#[from] FeatureError),
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// Predictions for every row of a data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    pub classes: Vec<String>,
    pub predicted: Vec<u32>,
    /// Probability of the predicted class.
    pub confidence: Vec<f32>,
    /// `rows × classes` probabilities.
    pub proba: Vec<f32>,
}

impl TrainedModel {
    /// Predicts every row of `data` (any file with the columns the pipeline needs).
    pub fn predict(&self, data: &Dataset) -> Result<Predictions, TrainError> {
        let x = self.pipeline.transform(data)?;
        let proba = self.model.predict_proba(&x)?;
        let k = self.classes.len();
        let predicted = argmax_rows(&proba, k);
        let confidence = predicted
            .iter()
            .enumerate()
            .map(|(r, &c)| proba[r * k + c as usize])
            .collect();
        Ok(Predictions {
            classes: self.classes.clone(),
            predicted,
            confidence,
            proba,
        })
    }

    /// Scores the model on the labelled rows of `data`. Labels the model never saw count as
    /// extra classes it always gets wrong. Returns the report and its class names.
    pub fn evaluate(&self, data: &Dataset) -> Result<(Report, Vec<String>), TrainError> {
        let p = self.predict(data)?;
        let (codes, names) = data.labels_as(self.taxonomy);
        let mut classes = self.classes.clone();
        let map: Vec<u32> = names
            .iter()
            .map(|n| match classes.iter().position(|c| c == n) {
                Some(i) => i as u32,
                None => {
                    classes.push(n.clone());
                    (classes.len() - 1) as u32
                }
            })
            .collect();
        let rows: Vec<usize> = (0..codes.len()).filter(|&r| codes[r] != MISSING).collect();
        if rows.is_empty() {
            return Err(TrainError::NoLabels);
        }
        let y: Vec<u32> = rows.iter().map(|&r| map[codes[r] as usize]).collect();
        let pred: Vec<u32> = rows.iter().map(|&r| p.predicted[r]).collect();
        let (k_model, k) = (self.classes.len(), classes.len());
        let proba: Vec<f32> = rows
            .iter()
            .flat_map(|&r| {
                let probs = &p.proba;
                (0..k).map(move |c| {
                    if c < k_model {
                        probs[r * k_model + c]
                    } else {
                        0.0
                    }
                })
            })
            .collect();
        Ok((Report::new(&y, &pred, Some(&proba), k), classes))
    }
}

fn subset(x: &Matrix, rows: &[usize]) -> Matrix {
    let mut data = Vec::with_capacity(rows.len() * x.cols);
    for &r in rows {
        data.extend_from_slice(x.row(r));
    }
    Matrix {
        rows: rows.len(),
        cols: x.cols,
        data,
    }
}

/// Trains `req.spec` on `data` and scores it as `req.split` says. `progress` sees the steps of
/// every fit (folds, then the final model), numbered across them.
pub fn train(
    data: &Dataset,
    req: &TrainRequest,
    progress: Progress,
) -> Result<TrainedModel, TrainError> {
    let (y, classes) = data.labels_as(req.taxonomy);
    let labelled: Vec<usize> = (0..y.len()).filter(|&r| y[r] != MISSING).collect();
    if labelled.is_empty() {
        return Err(TrainError::NoLabels);
    }
    let k = classes.len();
    if k < 2 {
        return Err(TrainError::OneClass(
            classes.first().cloned().unwrap_or_default(),
        ));
    }
    let splits: Vec<Split> = match req.split {
        SplitKind::Random { test_size } => vec![split::stratified_holdout(&y, test_size, req.seed)],
        SplitKind::KFold { folds, repeats } => {
            split::stratified_kfold(&y, folds, repeats, req.seed)
        }
        SplitKind::Group { folds } => {
            split::group_kfold(&data.sources, &y, folds).map_err(TrainError::Split)?
        }
    };
    let n_fits = splits.len() + usize::from(!matches!(req.split, SplitKind::Random { .. }));
    let fit_no = std::cell::Cell::new(0usize);
    let mut step = |s: Step| {
        progress(Step {
            done: fit_no.get() * s.total + s.done,
            total: n_fits * s.total,
            ..s
        })
    };
    // Scores: pooled over the test folds.
    let (mut y_all, mut pred_all, mut proba_all) = (Vec::new(), Vec::new(), Vec::new());
    let mut duplicates_removed = 0;
    let mut last = None;
    for s in &splits {
        let pipeline = Pipeline::fit(data, &s.train, &req.features);
        let x = pipeline.transform(data)?;
        let mut s = s.clone();
        duplicates_removed += split::drop_test_duplicates(&x, &y, &mut s);
        let y_train: Vec<u32> = s.train.iter().map(|&r| y[r]).collect();
        let model = req
            .spec
            .fit(&subset(&x, &s.train), &y_train, k, &mut step)?;
        fit_no.set(fit_no.get() + 1);
        let proba = model.predict_proba(&subset(&x, &s.test))?;
        pred_all.extend(argmax_rows(&proba, k));
        proba_all.extend(proba);
        y_all.extend(s.test.iter().map(|&r| y[r]));
        last = Some((pipeline, model, s));
    }
    let metrics = Report::new(&y_all, &pred_all, Some(&proba_all), k);
    let leak_split = splits[0].clone();
    let leakage = leakage::detect(data, &y, k, &leak_split);
    let (pipeline, model, train_rows) = match (req.split, last) {
        (SplitKind::Random { .. }, Some((pipeline, model, s))) => (pipeline, model, s.train.len()),
        _ => {
            // Cross-validated scores; the saved model is fitted on every labelled row.
            let pipeline = Pipeline::fit(data, &labelled, &req.features);
            let x = pipeline.transform(data)?;
            let y_l: Vec<u32> = labelled.iter().map(|&r| y[r]).collect();
            let model = req.spec.fit(&subset(&x, &labelled), &y_l, k, &mut step)?;
            (pipeline, model, labelled.len())
        }
    };
    Ok(TrainedModel {
        pipeline,
        taxonomy: req.taxonomy,
        classes,
        model,
        meta: TrainingMeta {
            flowlab_version: env!("CARGO_PKG_VERSION").to_string(),
            sources: data.files.iter().map(|f| f.path.clone()).collect(),
            request: req.clone(),
            split: req.split.describe(),
            train_rows,
            test_rows: y_all.len(),
            duplicates_removed,
            metrics,
            leakage,
        },
    })
}
