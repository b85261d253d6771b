//! The model registry: every model flowlab knows, in one place. A new model is one module in
//! `models/`, one parameter table, and one line in each of [`ModelSpec`] and [`Model`] here.
//!
//! ```
//! use flowlab::models::registry::ModelSpec;
//! let spec = ModelSpec::default_for("rf").unwrap();
//! assert_eq!((spec.name(), spec.title()), ("rf", "random forest"));
//! assert!(spec.validate().is_ok());
//! ```

use serde::{Deserialize, Serialize};

use super::boosting::{GradientBoosting, GradientBoostingParams};
use super::forest::{RandomForest, RandomForestParams};
use super::linear::{LogisticParams, LogisticRegression};
use super::mlp::{Mlp, MlpParams};
use super::naive_bayes::{GaussianNb, GaussianNbParams};
use super::tree::{DecisionTree, DecisionTreeParams};
use super::{argmax_rows, Classifier, ModelError, Progress};
use crate::data::Matrix;

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

/// Loss per epoch or round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossCurve {
    /// What one step is (`epoch`, `round`, `iteration`).
    pub step: String,
    pub train: Vec<f64>,
    /// Validation loss (early-stopping split), where the model keeps one.
    pub val: Vec<f64>,
}

/// A node of a tree drawing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeNodeView {
    /// `feature <= threshold` for a split, `None` for a leaf.
    pub test: Option<String>,
    /// Indices of the children in [`TreeView::nodes`] (left = test true), empty for a leaf.
    pub children: Vec<usize>,
    pub samples: u32,
    /// Class distribution of the node's training samples (weights, summing to 1).
    pub distribution: Vec<f32>,
    /// Majority class.
    pub class: String,
    pub impurity: f32,
}

/// A decision tree, for drawing (the first levels).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeView {
    pub nodes: Vec<TreeNodeView>,
    /// Depth of the whole tree, and the depth shown.
    pub depth: usize,
    pub shown_depth: usize,
    pub leaves: usize,
}
