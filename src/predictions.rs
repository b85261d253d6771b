//! Predictions of a whole file, as the page shows them: a summary (distribution, metrics when the
//! file is labelled), pages of rows sorted and filtered on request, and the CSV download; and
//! the same for files of any size, batch by batch ([`PredictionStream`]).

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::eval::metrics::Report;
use crate::ingest::export::formula_safe;
use crate::ingest::{Dataset, LabelMap, Taxonomy, MISSING};
use crate::job::{Predictions, TrainError, TrainedModel};

mod csv_rows;
pub mod explain;
pub mod explain_parts;
mod stream;
mod view;
pub use stream::{BatchPredictor, PredictedBatch, PredictionStream, StreamSummary, SHORT_HISTORY};
pub use view::{PredictionView, VIEW_ROWS};

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
    /// What the rows table holds when it does not hold every row (see [`PredictionView`]).
    #[serde(default)]
    pub table_note: Option<String>,
}

/// Writes one CSV row per flow: file, line, predicted class, confidence, one probability per
/// class, and the true label (in the model's taxonomy) when the data is labelled. Every text cell
/// is formula-safe (see [`formula_safe`]).
pub fn write_csv<W: Write>(
    data: &Dataset,
    taxonomy: Taxonomy,
    p: &Predictions,
    out: W,
) -> std::io::Result<()> {
    write_csv_with(data, taxonomy, &LabelMap::default(), p, out)
}

/// [`write_csv`] with the true labels named by `taxonomy` then the user's `map` (as the model
/// that predicted names its classes).
pub fn write_csv_with<W: Write>(
    data: &Dataset,
    taxonomy: Taxonomy,
    map: &LabelMap,
    p: &Predictions,
    mut out: W,
) -> std::io::Result<()> {
    let labelled = data.has_labels();
    let mut w = csv::Writer::from_writer(&mut out);
    w.write_record(csv_header(&p.classes, labelled))?;
    w.flush()?;
    drop(w);
    // In parts, so that a big file's CSV is never all in memory twice.
    let mut rows = Vec::new();
    for start in (0..data.n_rows()).step_by(1 << 16) {
        let end = (start + (1 << 16)).min(data.n_rows());
        rows.clear();
        csv_rows::push_rows(&mut rows, start..end, data, (taxonomy, map), p, labelled);
        out.write_all(&rows)?;
    }
    out.flush()
}

/// The CSV header of [`write_csv`].
fn csv_header(classes: &[String], labelled: bool) -> Vec<String> {
    let mut header = vec![
        "file".to_string(),
        "line".into(),
        "predicted".into(),
        "confidence".into(),
    ];
    header.extend(classes.iter().map(|c| format!("p_{c}")));
    if labelled {
        header.push("true_label".into());
    }
    header.iter().map(|h| formula_safe(h)).collect()
}

/// A file predicted by one model, kept to answer page and download requests.
#[derive(Debug, Clone)]
pub struct PredictionSet {
    pub model: u32,
    pub taxonomy: Taxonomy,
    /// The model's label map (names the true labels of the CSV).
    pub label_map: LabelMap,
    pub data: Dataset,
    pub predictions: Predictions,
    /// Each row's label in the model's taxonomy (`None`: unlabelled row).
    truth: Vec<Option<String>>,
    metrics: Option<(Report, Vec<String>)>,
}

impl PredictionSet {
    /// Predicts every row of `data` with `model` (known to the page as `id`).
    pub fn new(id: u32, model: &TrainedModel, data: Dataset) -> Result<Self, TrainError> {
        let predictions = model.predict(&data)?;
        let (codes, names) = model.labels_of(&data);
        let truth = codes
            .iter()
            .map(|&c| (c != MISSING).then(|| names[c as usize].clone()))
            .collect();
        let metrics = match model.evaluate(&data) {
            Ok(m) => Some(m),
            Err(TrainError::NoLabels) => None,
            Err(e) => return Err(e),
        };
        Ok(PredictionSet {
            model: id,
            taxonomy: model.taxonomy,
            label_map: model.label_map.clone(),
            data,
            predictions,
            truth,
            metrics,
        })
    }

    /// Rows predicted.
    pub fn len(&self) -> usize {
        self.predictions.predicted.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn row(&self, r: usize) -> PredictionRow {
        let p = &self.predictions;
        let k = p.classes.len();
        PredictionRow {
            row: r,
            file: self.data.files[self.data.sources[r] as usize].path.clone(),
            line: self.data.lines[r],
            predicted: p.classes[p.predicted[r] as usize].clone(),
            confidence: p.confidence[r],
            truth: self.truth[r].clone(),
            proba: p.proba[r * k..(r + 1) * k].to_vec(),
        }
    }

    /// The rows matching `query`'s filters, sorted, and the page of them it asks for.
    pub fn page(&self, query: &RowQuery) -> PredictionPage {
        let p = &self.predictions;
        let class = query
            .class
            .as_ref()
            .map(|c| p.classes.iter().position(|x| x == c).map(|i| i as u32));
        let mut rows: Vec<usize> = (0..self.len())
            .filter(|&r| match class {
                Some(Some(c)) => p.predicted[r] == c,
                Some(None) => false,
                None => true,
            })
            .filter(|&r| query.max_confidence.is_none_or(|m| p.confidence[r] < m))
            .filter(|&r| {
                !query.errors_only
                    || self.truth[r]
                        .as_ref()
                        .is_some_and(|t| *t != p.classes[p.predicted[r] as usize])
            })
            .collect();
        match query.sort {
            SortKey::Row => {}
            SortKey::Confidence => {
                rows.sort_by(|&a, &b| p.confidence[a].total_cmp(&p.confidence[b]).then(a.cmp(&b)))
            }
            SortKey::Predicted => rows.sort_by(|&a, &b| {
                p.classes[p.predicted[a] as usize]
                    .cmp(&p.classes[p.predicted[b] as usize])
                    .then(a.cmp(&b))
            }),
        }
        page_of(query, rows, |r| self.row(r))
    }

    /// The summary the page shows first, with the first page of `query`.
    pub fn summary(&self, query: &RowQuery, parse_ms: f64, predict_ms: f64) -> PredictionSummary {
        let p = &self.predictions;
        let mut distribution = vec![0u64; p.classes.len()];
        for &c in &p.predicted {
            distribution[c as usize] += 1;
        }
        let warnings = self
            .data
            .failed
            .iter()
            .map(|f| format!("{}: {}", f.path, f.message))
            .chain(self.data.warnings.iter().map(|w| match &w.file {
                Some(file) => format!("{file}: {}", w.message),
                None => w.message.clone(),
            }))
            .collect();
        PredictionSummary {
            model: self.model,
            files: self.data.files.iter().map(|f| f.path.clone()).collect(),
            rows: self.len(),
            classes: p.classes.clone(),
            distribution,
            metrics: self.metrics.as_ref().map(|m| m.0.clone()),
            metric_classes: self
                .metrics
                .as_ref()
                .map(|m| m.1.clone())
                .unwrap_or_default(),
            warnings,
            parse_ms,
            predict_ms,
            first_page: self.page(query),
            table_note: None,
        }
    }

    /// The predictions CSV (see [`write_csv`]).
    pub fn to_csv(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = write_csv_with(
            &self.data,
            self.taxonomy,
            &self.label_map,
            &self.predictions,
            &mut out,
        );
        out
    }
}

/// The page `query` asks for of `rows` (matching and sorted in ascending order): reversed when
/// it asks for descending order, then cut at its offset and limit (at most [`MAX_PAGE`]).
fn page_of<T>(
    query: &RowQuery,
    mut rows: Vec<T>,
    row: impl Fn(T) -> PredictionRow,
) -> PredictionPage {
    if query.descending {
        rows.reverse();
    }
    let matching = rows.len();
    let rows = rows
        .into_iter()
        .skip(query.offset)
        .take(query.limit.min(MAX_PAGE))
        .map(row)
        .collect();
    PredictionPage {
        query: query.clone(),
        matching,
        rows,
    }
}

/// Most rows in one page.
pub const MAX_PAGE: usize = 1000;

impl Default for RowQuery {
    fn default() -> Self {
        RowQuery {
            offset: 0,
            limit: 50,
            sort: SortKey::Row,
            descending: false,
            class: None,
            max_confidence: None,
            errors_only: false,
        }
    }
}
