//! Binned (histogram) decision tree classifier — the engine of the random forest.
//!
//! Training works on [`BinnedMatrix`] codes (at most 255 value bins per feature plus a missing
//! bin), as in LightGBM and scikit-learn's `HistGradientBoosting`: a node's best split comes from
//! per-bin class counts instead of sorting. When every feature is a candidate at every node
//! ([`MaxFeatures::All`]), a split builds the histogram of the smaller child only and gets the
//! sibling's by subtraction from the parent's; with a random feature subset per node (the forest)
//! histograms are built for the drawn features only, and small nodes sort their few rows instead.
//!
//! Missing values (`NaN`) have their own bin: every split learns whether they go left or right
//! (nodes that saw none send them to the child with more training samples). Splits store real
//! thresholds (`x <= threshold` goes left), so prediction needs no binning. Leaves store class
//! probabilities. The tree is laid out as a vector of [`Node`]s (root first, children after their
//! parent) that the page can draw.
//!
//! Criteria: Gini impurity and entropy; `class_weight` `Balanced` weights classes by
//! `n_rows / (n_classes * class_rows)`. Integer sample counts (bootstrap multiplicities) are
//! supported through [`DecisionTree::fit_counts`].
//!
//! ```
//! use flowlab::data::Matrix;
//! use flowlab::models::{no_progress, Classifier};
//! use flowlab::models::tree::{DecisionTree, DecisionTreeParams};
//! // One feature; class 1 above 2.5.
//! let x = Matrix { rows: 6, cols: 1, data: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0] };
//! let y = [0, 0, 0, 1, 1, 1];
//! let params = DecisionTreeParams { max_depth: Some(1), ..Default::default() };
//! let tree = DecisionTree::fit(&params, &x, &y, 2, &mut no_progress()).unwrap();
//! assert_eq!(tree.nodes()[0].threshold, 2.5);
//! assert_eq!(tree.predict(&x).unwrap(), vec![0, 0, 0, 1, 1, 1]);
//! let p = tree.predict_proba(&Matrix { rows: 1, cols: 1, data: vec![f32::NAN] }).unwrap();
//! assert_eq!(p.iter().sum::<f32>(), 1.0);
//! ```
//!
//! The module is laid out by job:
//! - here: the hyper-parameters ([`DecisionTreeParams`], [`Criterion`], [`MaxFeatures`],
//!   [`ClassWeight`]) and their validation;
//! - `model`: the fitted tree ([`DecisionTree`], [`Node`]), its checked serialisation,
//!   prediction and the views the page draws (importance, class distribution, depth);
//! - `grow`: the grower — the node stack, the stopping rules, the partition of a node's rows
//!   (shared with boosting: `crate::models::partition`), the children's histograms;
//! - `split`: the split search — class-count histograms, the impurity cost and the scan over a
//!   feature's bins.

use serde::{Deserialize, Serialize};

use super::params::{Param, Params};
use super::ModelError;

mod grow;
mod model;
mod split;

pub(crate) use grow::{grow, GrowSpec, Workspace};
pub(crate) use model::{check_binned, normalise};
pub use model::{DecisionTree, Node};

/// Impurity measure of a classification tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Criterion {
    /// Gini impurity `1 - Σ p²`.
    #[default]
    Gini,
    /// Shannon entropy `-Σ p log2 p`.
    Entropy,
}

/// How many features are candidates at each node.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// Every feature.
    #[default]
    All,
    /// `max(1, floor(sqrt(n_features)))`.
    Sqrt,
    /// `max(1, floor(log2(n_features)))`.
    Log2,
    /// `max(1, floor(fraction * n_features))`, fraction in `(0, 1]`.
    Fraction(f32),
    /// A fixed count, `1 ..= n_features`.
    Count(usize),
}

impl MaxFeatures {
    /// Number of candidate features out of `n_features` (at least 1, at most `n_features`).
    pub fn resolve(&self, n_features: usize) -> usize {
        let d = n_features.max(1);
        let k = match *self {
            MaxFeatures::All => d,
            MaxFeatures::Sqrt => (d as f64).sqrt() as usize,
            MaxFeatures::Log2 => d.ilog2() as usize,
            MaxFeatures::Fraction(f) => (f as f64 * d as f64) as usize,
            MaxFeatures::Count(c) => c,
        };
        k.clamp(1, d)
    }

    fn check_width(&self, n_features: usize) -> Result<(), ModelError> {
        match *self {
            MaxFeatures::Count(c) if c > n_features => Err(ModelError::InvalidParam {
                name: "max_features",
                value: format!("Count({c})"),
                expected: "a count of at most the number of features".into(),
            }),
            _ => Ok(()),
        }
    }
}

/// Per-class weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ClassWeight {
    /// Every class weighs 1.
    #[default]
    None,
    /// `n_rows / (n_classes_present * class_rows)`, as scikit-learn's `"balanced"`.
    Balanced,
}

impl ClassWeight {
    /// The weight of each class given the training labels.
    pub fn weights(&self, y: &[u32], n_classes: usize) -> Vec<f64> {
        match self {
            ClassWeight::None => vec![1.0; n_classes],
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; n_classes];
                for &l in y {
                    if let Some(c) = counts.get_mut(l as usize) {
                        *c += 1;
                    }
                }
                let present = counts.iter().filter(|&&c| c > 0).count().max(1);
                counts
                    .iter()
                    .map(|&c| {
                        if c == 0 {
                            1.0
                        } else {
                            y.len() as f64 / (present as f64 * c as f64)
                        }
                    })
                    .collect()
            }
        }
    }
}

/// Hyper-parameters of a [`DecisionTree`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionTreeParams {
    /// Impurity measure.
    pub criterion: Criterion,
    /// Deepest level (root = 0); `None` grows until leaves are pure or too small.
    pub max_depth: Option<usize>,
    /// A node needs at least this many samples to be split (`>= 2`).
    pub min_samples_split: usize,
    /// Each child keeps at least this many samples (`>= 1`).
    pub min_samples_leaf: usize,
    /// Candidate features per node.
    pub max_features: MaxFeatures,
    /// Per-class weights.
    pub class_weight: ClassWeight,
    /// Value bins per feature (`2 ..= 255`), plus one for missing values.
    pub max_bins: usize,
    /// Seed for the feature draws (and the binning sample on very large inputs).
    pub seed: u64,
}

impl Default for DecisionTreeParams {
    fn default() -> Self {
        DecisionTreeParams {
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            class_weight: ClassWeight::None,
            max_bins: 255,
            seed: 0,
        }
    }
}

/// The rows the decision tree shares with the random forest (one definition each).
pub(crate) mod rows {
    use super::super::params::{int, int_in, log, optional_int, Param, Range, Search, SEED};
    use serde_json::Value;

    /// `All`, `Sqrt`, `Log2`, `{"Fraction": f}` with `f` in (0, 1], or `{"Count": n}` with n ≥ 1.
    fn max_features_ok(v: &Value) -> bool {
        match v {
            Value::String(s) => matches!(s.as_str(), "All" | "Sqrt" | "Log2"),
            Value::Object(m) if m.len() == 1 => match (m.get("Fraction"), m.get("Count")) {
                (Some(f), _) => f.as_f64().is_some_and(|f| f > 0.0 && f <= 1.0),
                (_, Some(c)) => c.as_u64().is_some_and(|c| c >= 1),
                _ => false,
            },
            _ => false,
        }
    }

    pub const CRITERION: Param = Param {
        name: "criterion",
        range: Range::Choice(&["Gini", "Entropy"]),
        help: "split quality measure",
        search: Search::OneOf(&["\"Gini\"", "\"Entropy\""]),
    };
    pub const MAX_DEPTH: Param = Param {
        name: "max_depth",
        range: optional_int(1),
        help: "deepest level a tree may grow to (root = 0); null = unlimited",
        search: Search::OneOf(&["null", "4", "6", "8", "12", "16", "24"]),
    };
    pub const MIN_SAMPLES_SPLIT: Param = Param {
        name: "min_samples_split",
        range: int(2),
        help: "fewest samples a node needs to be split",
        search: log(2.0, 64.0),
    };
    pub const MIN_SAMPLES_LEAF: Param = Param {
        name: "min_samples_leaf",
        range: int(1),
        help: "fewest samples each child keeps",
        search: log(1.0, 32.0),
    };
    pub const MAX_FEATURES: Param = Param {
        name: "max_features",
        range: Range::Custom {
            expected:
                "All, Sqrt, Log2, {\"Fraction\": f} with f in (0, 1], or {\"Count\": n} with n ≥ 1",
            accepts: max_features_ok,
        },
        help: "features tried per split",
        search: Search::OneOf(&["\"All\"", "\"Sqrt\"", "\"Log2\"", "{\"Fraction\": 0.5}"]),
    };
    pub const CLASS_WEIGHT: Param = Param {
        name: "class_weight",
        range: Range::Choice(&["None", "Balanced"]),
        help: "None, or Balanced to weight rare classes up",
        search: Search::OneOf(&["\"None\"", "\"Balanced\""]),
    };
    pub const MAX_BINS: Param = Param {
        name: "max_bins",
        range: int_in(2, 255),
        help: "value bins per feature (one more holds missing values)",
        search: Search::Fixed,
    };
    pub const SEED_ROW: Param = Param {
        name: "seed",
        range: SEED,
        help: "random seed of the model (the split has its own)",
        search: Search::Fixed,
    };
}

impl Params for DecisionTreeParams {
    const TABLE: &'static [Param] = &[
        rows::CRITERION,
        rows::MAX_DEPTH,
        rows::MIN_SAMPLES_SPLIT,
        rows::MIN_SAMPLES_LEAF,
        rows::MAX_FEATURES,
        rows::CLASS_WEIGHT,
        rows::MAX_BINS,
        rows::SEED_ROW,
    ];
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_features_resolve() {
        assert_eq!(MaxFeatures::Sqrt.resolve(57), 7);
        assert_eq!(MaxFeatures::Log2.resolve(57), 5);
        assert_eq!(MaxFeatures::Fraction(0.5).resolve(57), 28);
        assert_eq!(MaxFeatures::Count(100).resolve(57), 57);
        assert_eq!(MaxFeatures::All.resolve(1), 1);
    }
}
