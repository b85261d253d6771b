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

    /// Checks the value alone (a `Count` above the data's width is caught at fit).
    pub fn validate(&self) -> Result<(), ModelError> {
        match *self {
            MaxFeatures::Fraction(f) if !(f > 0.0 && f <= 1.0) => Err(ModelError::InvalidParam {
                name: "max_features",
                value: format!("Fraction({f})"),
                expected: "a fraction in (0, 1]",
            }),
            MaxFeatures::Count(0) => Err(ModelError::InvalidParam {
                name: "max_features",
                value: "Count(0)".into(),
                expected: "a count of at least 1",
            }),
            _ => Ok(()),
        }
    }

    fn check_width(&self, n_features: usize) -> Result<(), ModelError> {
        match *self {
            MaxFeatures::Count(c) if c > n_features => Err(ModelError::InvalidParam {
                name: "max_features",
                value: format!("Count({c})"),
                expected: "a count of at most the number of features",
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

impl DecisionTreeParams {
    /// Checks every hyper-parameter's range.
    pub fn validate(&self) -> Result<(), ModelError> {
        validate_tree_params(
            self.max_depth,
            self.min_samples_split,
            self.min_samples_leaf,
            &self.max_features,
            self.max_bins,
        )
    }
}

pub(crate) fn validate_tree_params(
    max_depth: Option<usize>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: &MaxFeatures,
    max_bins: usize,
) -> Result<(), ModelError> {
    if max_depth == Some(0) {
        return Err(ModelError::InvalidParam {
            name: "max_depth",
            value: "0".into(),
            expected: "None or at least 1",
        });
    }
    if min_samples_split < 2 {
        return Err(ModelError::InvalidParam {
            name: "min_samples_split",
            value: min_samples_split.to_string(),
            expected: "at least 2",
        });
    }
    if min_samples_leaf < 1 {
        return Err(ModelError::InvalidParam {
            name: "min_samples_leaf",
            value: min_samples_leaf.to_string(),
            expected: "at least 1",
        });
    }
    max_features.validate()?;
    if !(2..=255).contains(&max_bins) {
        return Err(ModelError::InvalidParam {
            name: "max_bins",
            value: max_bins.to_string(),
            expected: "2 ..= 255",
        });
    }
    Ok(())
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
