//! What the page and the reports show of a fitted model: its loss curve, its size in words and
//! the first levels of a decision tree.

use serde::{Deserialize, Serialize};

use super::argmax_rows;
use super::registry::Model;
use super::seq::net::Net;
use super::seq::{Padding, Pooling};

impl Model {
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
            Model::Gru(m) => Some(LossCurve {
                step: "epoch".into(),
                train: m.loss_curve.clone(),
                val: m.val_loss_curve.clone(),
            }),
            Model::Lstm(m) => Some(LossCurve {
                step: "epoch".into(),
                train: m.loss_curve.clone(),
                val: m.val_loss_curve.clone(),
            }),
            Model::Cnn1d(m) => Some(LossCurve {
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
            Model::Gru(m) => Some(recurrent("GRU", &m.net, m.params.window, m.epochs, m.best_epoch)),
            Model::Lstm(m) => Some(recurrent("LSTM", &m.net, m.params.window, m.epochs, m.best_epoch)),
            Model::Cnn1d(m) => Some(format!(
                "{} convolution{} × {} channels (kernel {}, dilation ×{} per layer, {} padding, {} pooling) over windows of {} flows, {} epochs{}",
                m.net.layers.len(),
                if m.net.layers.len() == 1 { "" } else { "s" },
                m.params.channels,
                m.params.kernel,
                m.params.dilation,
                if m.params.padding == Padding::Causal { "causal" } else { "same" },
                if m.params.pooling == Pooling::Max { "max" } else { "mean" },
                m.params.window,
                m.epochs,
                best(m.best_epoch)
            )),
            Model::Svm(m) => Some(format!(
                "{} support vectors in {} one-vs-rest SVM{}{}",
                m.support.iter().sum::<usize>(),
                m.support.len(),
                if m.support.len() == 1 { "" } else { "s" },
                match &m.fourier {
                    Some(f) => format!(", {} random Fourier features", f.offset.len()),
                    None => String::new(),
                }
            )),
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

/// " (best N)" when a validation split chose an epoch.
fn best(best_epoch: Option<usize>) -> String {
    best_epoch.map_or(String::new(), |b| format!(" (best {b})"))
}

/// A recurrent model's size: "1 GRU layer × 64 units over windows of 16 flows, 12 epochs (best 7)".
fn recurrent<L: super::seq::layer::SeqLayer>(
    kind: &str,
    net: &Net<L>,
    window: usize,
    epochs: usize,
    best_epoch: Option<usize>,
) -> String {
    format!(
        "{} {kind} layer{} × {} units over windows of {window} flows, {epochs} epochs{}",
        net.layers.len(),
        if net.layers.len() == 1 { "" } else { "s" },
        net.hidden(),
        best(best_epoch)
    )
}
