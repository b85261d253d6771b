//! Training and evaluating one model on a data set, honestly: the split decides what is
//! reported (hold-out, k-fold, or by capture), identical rows across train and test are removed,
//! and the leakage detector runs on the same split.
//!
//! The result is a [`TrainedModel`] — what a model file holds: the fitted feature pipeline,
//! the class names and taxonomy, the model, and how it was trained and scored.

use serde::{Deserialize, Deserializer, Serialize};
use thiserror::Error;

use super::JobRequest;
use crate::data::budget::BudgetError;
use crate::data::Matrix;
use crate::eval::leakage::Finding;
use crate::eval::metrics::Report;
use crate::eval::split::{SplitError, SplitKind};
use crate::features::{FeatureError, FeatureOptions, Pipeline};
use crate::ingest::{Dataset, LabelMap, Taxonomy, MISSING};
use crate::models::registry::{Model, ModelSpec};
use crate::models::{argmax_rows, CellCache, ModelError, Progress};

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

/// Everything a model file holds. Decoding checks it (see [`TrainedModel::check`]): a damaged
/// or crafted model file is refused, never used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "TrainedModelRepr")]
pub struct TrainedModel {
    pub pipeline: Pipeline,
    pub taxonomy: Taxonomy,
    pub classes: Vec<String>,
    pub model: Model,
    pub meta: TrainingMeta,
    /// The user's mapping applied after the taxonomy (empty in model files written before it
    /// existed). It must stay the last field: see [`absent_is_empty`].
    #[serde(default, deserialize_with = "absent_is_empty")]
    pub label_map: LabelMap,
}

/// The serialised form of a [`TrainedModel`], checked before it becomes one.
#[derive(Deserialize)]
struct TrainedModelRepr {
    pipeline: Pipeline,
    taxonomy: Taxonomy,
    classes: Vec<String>,
    model: Model,
    meta: TrainingMeta,
    #[serde(default, deserialize_with = "absent_is_empty")]
    label_map: LabelMap,
}

impl TryFrom<TrainedModelRepr> for TrainedModel {
    type Error = ModelError;

    fn try_from(r: TrainedModelRepr) -> Result<Self, ModelError> {
        let m = TrainedModel {
            pipeline: r.pipeline,
            taxonomy: r.taxonomy,
            classes: r.classes,
            model: r.model,
            meta: r.meta,
            label_map: r.label_map,
        };
        m.check()?;
        Ok(m)
    }
}

impl TrainedModel {
    /// Checks that the parts of a decoded model fit together, so that predicting with it cannot
    /// index out of range: the model's own structure ([`Model::check`]), one class name per
    /// class the model scores, and one pipeline input per feature the model reads. Every size
    /// it checks was decoded from the file, so no allocation exceeds what the file holds.
    pub fn check(&self) -> Result<(), ModelError> {
        self.model.check()?;
        if self.classes.len() != self.model.n_classes() {
            return Err(ModelError::Malformed {
                model: "model file",
                what: "the class names do not match the model's classes",
            });
        }
        if self.pipeline.width() != self.model.n_features() {
            return Err(ModelError::Malformed {
                model: "model file",
                what: "the feature pipeline does not give the inputs the model reads",
            });
        }
        Ok(())
    }
}

/// Reads the label map of a model file, or none when the file ends before it.
///
/// Model files are bincode, which has no field names: a model file written before the label map
/// existed simply ends where the map would start, and bincode reports the end of its input
/// instead of a missing field (so `#[serde(default)]` alone is not enough; it serves JSON).
/// The map is the model's last field, so the end of the input there means an older file.
fn absent_is_empty<'de, D: Deserializer<'de>>(d: D) -> Result<LabelMap, D::Error> {
    Ok(LabelMap::deserialize(d).unwrap_or_default())
}

impl TrainRequest {
    /// The one-model job this request stands for: no by-capture scores and no learning curve;
    /// permutation importance when `permutation` is set.
    pub fn job(&self, permutation: bool) -> JobRequest {
        JobRequest {
            models: vec![self.spec.clone()],
            taxonomy: self.taxonomy,
            split: self.split,
            seed: self.seed,
            features: self.features.clone(),
            by_capture: false,
            permutation,
            learning_curve: false,
            label_map: LabelMap::default(),
            tune_rows: None,
        }
    }
}

/// Why training failed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum TrainError {
    #[error("the data has no labelled rows: choose a label column")]
    NoLabels,
    #[error("only one class ({0}) in the labelled rows: nothing to tell apart")]
    OneClass(String),
    #[error("choose at least one model")]
    NoModels,
    #[error(transparent)]
    Split(#[from] SplitError),
    /// Task outputs that do not fit the job's plan (a bug or a stale worker message).
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Features(#[from] FeatureError),
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The job would not fit in the memory a worker has (checked before anything big is built).
    #[error(transparent)]
    Budget(#[from] BudgetError),
}

/// Task outputs that do not match the plan they are said to belong to.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum PlanError {
    #[error("no fit {0} in this job")]
    NoFit(usize),
    #[error("no model {0} in this job")]
    NoModel(usize),
    #[error("only a random forest is fitted in parts")]
    NotAForest,
    #[error("a forest part came back as a whole model")]
    WholeModelPart,
    #[error("model {model} has {tasks} tasks but {outputs} outputs came back")]
    OutputCount {
        model: usize,
        tasks: usize,
        outputs: usize,
    },
    #[error("the job has no fit to save")]
    NothingToSave,
    #[error("a search's share of training rows is {0}: expected a number in (0, 1]")]
    TuneRows(f64),
    #[error(
        "part {part} of the explanation holds {got} values where its rows, classes and columns \
         make {want} (a part of another model or another sample of rows)"
    )]
    ExplainPart {
        part: usize,
        got: usize,
        want: usize,
    },
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
        self.predict_cached(data, None)
    }

    /// [`TrainedModel::predict`], a random forest's cells kept in `cache` from one call to the
    /// next (the batches of one stream; see [`CellCache`]): the same predictions.
    pub fn predict_cached(
        &self,
        data: &Dataset,
        cache: Option<&CellCache>,
    ) -> Result<Predictions, TrainError> {
        let x = self.pipeline.transform(data)?;
        self.predict_features(&x, cache)
    }

    /// Predicts the rows of `x`, already transformed by the model's pipeline (as
    /// [`TrainedModel::predict_cached`] does after transforming).
    pub fn predict_features(
        &self,
        x: &Matrix,
        cache: Option<&CellCache>,
    ) -> Result<Predictions, TrainError> {
        let proba = match cache {
            Some(cache) => self.model.predict_proba_cached(x, cache)?,
            None => self.model.predict_proba(x)?,
        };
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

    /// The rows' classes as this model names them: its taxonomy, then its label map.
    pub fn labels_of(&self, data: &Dataset) -> (Vec<u32>, Vec<String>) {
        data.labels_with(self.taxonomy, &self.label_map)
    }

    /// Scores the model on the labelled rows of `data`. Labels the model never saw count as
    /// extra classes it always gets wrong. Returns the report and its class names.
    pub fn evaluate(&self, data: &Dataset) -> Result<(Report, Vec<String>), TrainError> {
        let p = self.predict(data)?;
        let (codes, names) = self.labels_of(data);
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

/// Trains `req.spec` on `data` and scores it as `req.split` says (in this thread: [`job`] with
/// one worker). `progress` sees one step per fit and per scoring.
pub fn train(
    data: &Dataset,
    req: &TrainRequest,
    progress: Progress,
) -> Result<TrainedModel, TrainError> {
    let mut trained = super::run_local(data, &req.job(false), progress)?;
    Ok(trained.remove(0).0)
}
