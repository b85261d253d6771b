//! One explanation spread over several workers, each explaining every row on a range of the
//! model's trees.
//!
//! TreeSHAP values add up over trees (a forest's are the mean of its trees', a boosting's the
//! sum, [`Explainer::explain_trees`]), and so do their sums onto the user's columns
//! ([`Attribution`] is linear). So the page's data worker cuts the work by trees
//! ([`plan_parts`]) and sends each pool worker the model's file, the rows' features and its
//! [`ExplainPart`]; each answers its rows' contributions on the columns for every class
//! ([`explain_part`]); the data worker adds them up ([`merge_parts`]) into the same
//! [`Explanations`] that [`super::explain::explain_features`] gives, to rounding.
//!
//! Cutting by trees rather than by rows keeps what makes TreeSHAP fast here: each tree groups
//! *all* the rows by split pattern and walks each group once. Cut by rows, two workers would
//! each walk the patterns their rows share with the other's.
//!
//! ```
//! use flowlab::eval::split::SplitKind;
//! use flowlab::features::FeatureOptions;
//! use flowlab::ingest::{IngestOptions, Loader, Taxonomy};
//! use flowlab::job::{train, TrainRequest};
//! use flowlab::models::{no_progress, ModelSpec};
//! use flowlab::predictions::explain::{explain_features, rows_at};
//! use flowlab::predictions::explain_parts::{explain_part, merge_parts, plan_parts};
//!
//! let mut text = String::from("duration,bytes,label\n");
//! for i in 0..60 {
//!     let (d, label) = if i % 3 == 0 { (0.1, "benign") } else { (5.0, "attack") };
//!     text.push_str(&format!("{},{},{}\n", d + i as f64 * 0.01, 100 + i % 7, label));
//! }
//! let mut loader = Loader::new(IngestOptions::default());
//! loader.start_file("flows.csv");
//! loader.feed(text.as_bytes()).unwrap();
//! loader.end_file().unwrap();
//! let data = loader.finish().unwrap();
//! let request = TrainRequest {
//!     spec: ModelSpec::default_for("rf").unwrap(),
//!     taxonomy: Taxonomy::Raw,
//!     split: SplitKind::Random { test_size: 0.25 },
//!     seed: 7,
//!     features: FeatureOptions::default(),
//! };
//! let m = train(&data, &request, &mut no_progress()).unwrap();
//! let x = m.pipeline.transform(&data).unwrap();
//! let at = rows_at(&data, &(0..x.rows).collect::<Vec<_>>());
//!
//! // Three workers, each on a third of the forest's trees; added up, the same values.
//! let parts = plan_parts(&m, 3).unwrap();
//! assert_eq!(parts.len(), 3);
//! let outputs: Vec<Vec<f64>> = parts.iter().map(|p| explain_part(&m, &x, p).unwrap()).collect();
//! let merged = merge_parts(&m, &x, &at, &outputs).unwrap();
//! let whole = explain_features(&m, &x, &at, false).unwrap();
//! for (a, b) in merged.rows.iter().zip(&whole.rows) {
//!     assert_eq!(a.predicted, b.predicted);
//!     for (u, v) in a.explained.contributions.iter().zip(&b.explained.contributions) {
//!         assert!((u - v).abs() < 1e-12);
//!     }
//! }
//! ```

use serde::{Deserialize, Serialize};

use super::explain::{assemble, Explanations, RowAt};
use crate::data::Matrix;
use crate::features::Attribution;
use crate::job::{PlanError, TrainError, TrainedModel};
use crate::models::shap::Explainer;

/// What one worker explains: every row, on trees `start..end` (a linear model has one "tree").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExplainPart {
    pub start: usize,
    pub end: usize,
}

/// Cuts `m`'s trees into at most `workers` parts of consecutive trees, as equal in number as
/// can be (a forest's trees are alike; a boosting's rounds of one class each). A model that is
/// not explained is refused here, before anything is sent.
pub fn plan_parts(m: &TrainedModel, workers: usize) -> Result<Vec<ExplainPart>, TrainError> {
    let n = Explainer::new(&m.model)?.n_trees();
    let parts = workers.clamp(1, n.max(1));
    Ok((0..parts)
        .map(|p| ExplainPart {
            start: n * p / parts,
            end: n * (p + 1) / parts,
        })
        .collect())
}

/// Contributions of the rows of `x` (features as `m`'s pipeline makes them) on `part`'s trees,
/// on the user's columns, for every class: `rows × classes × columns`, row-major.
pub fn explain_part(
    m: &TrainedModel,
    x: &Matrix,
    part: &ExplainPart,
) -> Result<Vec<f64>, TrainError> {
    let explainer = Explainer::new(&m.model)?;
    let phi = explainer.explain_trees(x, part.start..part.end)?;
    Ok(on_columns(&explainer, &Attribution::new(&m.pipeline), &phi))
}

/// Per-feature contributions (`rows × features × classes`) summed onto the columns:
/// `rows × classes × columns`.
pub(super) fn on_columns(
    explainer: &Explainer,
    attribution: &Attribution,
    phi: &[f64],
) -> Vec<f64> {
    let k = explainer.n_classes();
    let w = (explainer.n_features() * k).max(1);
    let mut out = Vec::with_capacity(phi.len() / w * k * attribution.columns.len());
    for row in phi.chunks(w) {
        for c in 0..k {
            out.extend(attribution.to_columns(row, k, c));
        }
    }
    out
}

/// The parts' outputs ([`explain_part`], one per [`plan_parts`] part, any order) added up:
/// the rows of `x` (row `i` is `at[i]`) explained each on the class `m` predicts, as
/// [`super::explain::explain_features`] explains them. Outputs of the wrong size (another
/// model's, another sample's) are refused.
pub fn merge_parts(
    m: &TrainedModel,
    x: &Matrix,
    at: &[RowAt],
    outputs: &[Vec<f64>],
) -> Result<Explanations, TrainError> {
    let explainer = Explainer::new(&m.model)?;
    let names = Attribution::new(&m.pipeline).columns;
    let columns = names.len();
    let size = x.rows * explainer.n_classes() * columns;
    let mut sum = vec![0.0; size];
    for (i, o) in outputs.iter().enumerate() {
        if o.len() != size {
            return Err(PlanError::ExplainPart {
                part: i + 1,
                got: o.len(),
                want: size,
            }
            .into());
        }
        sum.iter_mut().zip(o).for_each(|(s, v)| *s += v);
    }
    assemble(m, &explainer, &names, x, at, &sum, false)
}
