//! Predictions of a whole file, as the page shows them: a summary (distribution, metrics when the
//! file is labelled), pages of rows sorted and filtered on request, and the CSV download.

use serde::{Deserialize, Serialize};

use crate::eval::metrics::Report;

/// How to sort prediction rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// File order (source file, then line).
    Row,
    Confidence,
    Predicted,
}

/// Which rows to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowQuery {
    pub offset: usize,
    pub limit: usize,
    pub sort: SortKey,
    pub descending: bool,
    /// Only rows predicted as this class.
    pub class: Option<String>,
    /// Only rows whose confidence is below this.
    pub max_confidence: Option<f32>,
    /// Only rows whose prediction differs from their label.
    pub errors_only: bool,
}

/// One predicted row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionRow {
    /// Index in the prediction data set.
    pub row: usize,
    pub file: String,
    pub line: u64,
    pub predicted: String,
    pub confidence: f32,
    /// The row's label in the model's taxonomy, when the file has labels.
    pub truth: Option<String>,
    /// Probability of each of the model's classes.
    pub proba: Vec<f32>,
}

/// A page of rows matching a [`RowQuery`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionPage {
    pub query: RowQuery,
    /// Rows matching the filters (of which this page shows `rows.len()`).
    pub matching: usize,
    pub rows: Vec<PredictionRow>,
}

/// What a prediction run gives the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionSummary {
    pub model: u32,
    pub files: Vec<String>,
    pub rows: usize,
    pub classes: Vec<String>,
    /// Rows predicted per class (in `classes` order).
    pub distribution: Vec<u64>,
    /// Scores when the file is labelled, with their class names (the model's, plus labels it
    /// never saw).
    pub metrics: Option<Report>,
    pub metric_classes: Vec<String>,
    /// Files or rows that could not be read, in words.
    pub warnings: Vec<String>,
    pub parse_ms: f64,
    pub predict_ms: f64,
    pub first_page: PredictionPage,
}
