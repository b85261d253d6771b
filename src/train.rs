//! Training and evaluating one model on a data set, honestly: the split decides what is
//! reported (hold-out, k-fold, or by capture), identical rows across train and test are removed,
//! and the leakage detector runs on the same split.
//!
//! The result is a [`TrainedModel`] — what a model file holds: the fitted feature pipeline,
//! the class names and taxonomy, the model, and how it was trained and scored.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::data::Matrix;
use crate::eval::leakage::Finding;
use crate::eval::metrics::Report;
use crate::features::{FeatureError, FeatureOptions, Pipeline};
use crate::ingest::{Dataset, Taxonomy, MISSING};
use crate::job::{self, JobRequest, LossCurve, TreeNodeView, TreeView};
use crate::models::boosting::{GradientBoosting, GradientBoostingParams};
use crate::models::forest::{RandomForest, RandomForestParams};
use crate::models::linear::{LogisticParams, LogisticRegression};
use crate::models::mlp::{Mlp, MlpParams};
use crate::models::naive_bayes::{GaussianNb, GaussianNbParams};
use crate::models::tree::{DecisionTree, DecisionTreeParams};
use crate::models::{argmax_rows, Classifier, ModelError, Progress};

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

    /// Checks the hyper-parameters (before any data is touched).
    pub fn validate(&self) -> Result<(), ModelError> {
        match self {
            ModelSpec::Dt(p) => p.validate(),
            ModelSpec::Rf(p) => p.validate(),
            ModelSpec::Gbdt(p) => p.validate(),
            ModelSpec::Mlp(p) => p.validate(),
            ModelSpec::Logreg(p) => p.validate(),
            ModelSpec::Nb(p) => p.validate(),
        }
    }

    /// A human name: "random forest", …
    pub fn title(&self) -> &'static str {
        match self {
            ModelSpec::Dt(_) => "decision tree",
            ModelSpec::Rf(_) => "random forest",
            ModelSpec::Gbdt(_) => "gradient boosting",
            ModelSpec::Mlp(_) => "MLP",
            ModelSpec::Logreg(_) => "logistic regression",
            ModelSpec::Nb(_) => "Gaussian naive Bayes",
        }
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

    /// The model behind the [`Classifier`] trait.
    pub fn as_classifier(&self) -> &dyn Classifier {
        each_model!(self, m => m as &dyn Classifier)
    }

    /// Gain (impurity decrease) importance per feature, summing to 1, for the tree models.
    pub fn gain_importance(&self) -> Option<Vec<f64>> {
        each_model!(self, m => Classifier::gain_importance(m))
    }

    /// Loss per epoch / round / iteration, for the models that minimise one.
    pub fn loss_curve(&self) -> Option<LossCurve> {
        match self {
            Model::Gbdt(m) => Some(LossCurve {
                step: "round".into(),
                train: m.train_loss.clone(),
                val: m.val_loss.clone(),
            }),
            Model::Mlp(m) => Some(LossCurve {
                step: "epoch".into(),
                train: m.loss_curve.clone(),
                val: m.val_loss_curve.clone(),
            }),
            Model::Logreg(m) => Some(LossCurve {
                step: "iteration".into(),
                train: m.loss_curve.clone(),
                val: Vec::new(),
            }),
            _ => None,
        }
    }

    /// How big the fitted model is, in words ("100 trees", "37 epochs (best 30)", …).
    pub fn size(&self) -> Option<String> {
        match self {
            Model::Dt(m) => Some(format!("depth {}, {} leaves", m.depth(), m.n_leaves())),
            Model::Rf(m) => Some(match m.oob_accuracy {
                Some(oob) => format!("{} trees, out-of-bag accuracy {oob:.4}", m.trees().len()),
                None => format!("{} trees", m.trees().len()),
            }),
            Model::Gbdt(m) => Some(match m.best_round {
                Some(best) => format!("{} rounds (best {})", m.n_rounds(), best + 1),
                None => format!("{} rounds", m.n_rounds()),
            }),
            Model::Mlp(m) => Some(match m.best_epoch {
                Some(best) => format!("{} epochs (best {})", m.epochs, best + 1),
                None => format!("{} epochs", m.epochs),
            }),
            _ => None,
        }
    }

    /// The first `depth` levels of the decision tree, for drawing (decision trees only).
    pub fn tree_view(
        &self,
        features: &[String],
        classes: &[String],
        depth: usize,
    ) -> Option<TreeView> {
        let Model::Dt(tree) = self else { return None };
        let nodes = tree.nodes();
        let mut out = Vec::new();
        // (node, depth, index in out of the parent)
        let mut queue = std::collections::VecDeque::from([(0usize, 0usize, None::<usize>)]);
        while let Some((i, d, parent)) = queue.pop_front() {
            let Some(n) = nodes.get(i) else { continue };
            let dist = tree.class_distribution(i);
            let sum: f64 = dist.iter().sum();
            let distribution: Vec<f32> = dist
                .iter()
                .map(|&w| if sum > 0.0 { (w / sum) as f32 } else { 0.0 })
                .collect();
            let class = argmax_rows(&distribution, classes.len().max(1))
                .first()
                .and_then(|&c| classes.get(c as usize))
                .cloned()
                .unwrap_or_default();
            let expand = !n.is_leaf() && d < depth;
            let test = (!n.is_leaf()).then(|| {
                let name = features.get(n.feature as usize).map_or("?", String::as_str);
                let missing = if n.missing_left { " (or missing)" } else { "" };
                format!("{name} ≤ {}{missing}", n.threshold)
            });
            let me = out.len();
            out.push(TreeNodeView {
                test,
                children: Vec::new(),
                samples: n.samples,
                distribution,
                class,
                impurity: n.impurity,
            });
            if let Some(p) = parent {
                let parent: &mut TreeNodeView = &mut out[p];
                parent.children.push(me);
            }
            if expand {
                queue.push_back((n.left as usize, d + 1, Some(me)));
                queue.push_back((n.right as usize, d + 1, Some(me)));
            }
        }
        let full = tree.depth();
        Some(TreeView {
            nodes: out,
            depth: full,
            shown_depth: full.min(depth),
            leaves: tree.n_leaves(),
        })
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

/// Trains `req.spec` on `data` and scores it as `req.split` says (in this thread: [`job`] with
/// one worker). `progress` sees one step per fit and per scoring.
pub fn train(
    data: &Dataset,
    req: &TrainRequest,
    progress: Progress,
) -> Result<TrainedModel, TrainError> {
    let job = JobRequest {
        models: vec![req.spec.clone()],
        taxonomy: req.taxonomy,
        split: req.split,
        seed: req.seed,
        features: req.features.clone(),
        by_capture: false,
        permutation: false,
        learning_curve: false,
    };
    let mut trained = job::run_local(data, &job, progress)?;
    Ok(trained.remove(0).0)
}
