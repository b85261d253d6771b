//! The rows the page can page through when a file is predicted batch by batch: all of them while
//! they fit a memory budget, then a bounded selection.
//!
//! A [`PredictionView`] is fed each predicted batch. Up to `budget` rows it keeps every row, and
//! its pages (sorting, filters, paging) are exactly those of [`PredictionSet`](super::PredictionSet).
//! Past the budget it keeps two halves, so that its memory stays the same whatever the input:
//!
//! - the `budget / 2` **least confident** rows seen so far (a max-heap on confidence: a new row
//!   less confident than the heap's top replaces it) — the rows an analyst checks first;
//! - a **uniform sample** of `budget / 2` rows (reservoir sampling, algorithm R, seeded), so that
//!   paging in file order or by class still shows the file's mix.
//!
//! A page is taken from the union of the two (a row in both counts once); [`PredictionView::note`]
//! says in words what the table holds. The counts, metrics and the CSV download cover every row
//! (they come from [`PredictionStream`](super::PredictionStream) and the batches' CSV parts).

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

use super::{page_of, PredictionPage, PredictionRow, PredictionSummary, RowQuery, SortKey};
use super::{StreamSummary, Taxonomy};
use crate::data::rng::FlowRng;
use crate::data::Matrix;
use crate::ingest::{Dataset, LabelMap, MISSING};
use crate::job::Predictions;

/// Rows the page's table keeps by default (~100 bytes each with a few classes: ~20 MB, plus 4
/// bytes per feature when they are kept to be explained).
pub const VIEW_ROWS: usize = 200_000;

/// One kept row.
#[derive(Debug, Clone)]
struct Kept {
    /// Index among all predicted rows.
    index: usize,
    file: u32,
    line: u64,
    predicted: u32,
    confidence: f32,
    /// Index into `truths`.
    truth: Option<u32>,
    proba: Box<[f32]>,
    /// The row as the model's pipeline transformed it (empty unless pushed with
    /// [`PredictionView::push_explainable`]): what explaining it needs.
    features: Box<[f32]>,
}

/// Orders kept rows by confidence, then index: the heap's top is the most confident.
struct ByConfidence(Kept);

impl PartialEq for ByConfidence {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for ByConfidence {}
impl PartialOrd for ByConfidence {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for ByConfidence {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0.confidence.total_cmp(&other.0.confidence)).then(self.0.index.cmp(&other.0.index))
    }
}

/// The bounded, paged, sortable rows of a streamed prediction. See the [module docs](self).
pub struct PredictionView {
    budget: usize,
    classes: Vec<String>,
    taxonomy: Taxonomy,
    /// The model's label map, applied after the taxonomy to the true labels.
    label_map: LabelMap,
    /// File paths by source id (the batches' `files` lists grow as files are read).
    files: Vec<String>,
    /// True-label names (in the model's taxonomy), interned.
    truths: Vec<String>,
    total: usize,
    /// Every row while `total <= budget`; after that the uniform sample.
    sample: Vec<Kept>,
    /// After `total > budget`: the least confident rows.
    low: BinaryHeap<ByConfidence>,
    bounded: bool,
    rng: FlowRng,
}

impl PredictionView {
    /// A view of the predictions of a model with `classes`, keeping at most `budget` rows.
    pub fn new(classes: Vec<String>, taxonomy: Taxonomy, budget: usize) -> Self {
        PredictionView {
            budget: budget.max(2),
            classes,
            taxonomy,
            label_map: LabelMap::default(),
            files: Vec::new(),
            truths: Vec::new(),
            total: 0,
            sample: Vec::new(),
            low: BinaryHeap::new(),
            bounded: false,
            rng: FlowRng::new(0x51e3, 0x7a),
        }
    }

    /// The same view naming true labels with the model's `map` after the taxonomy.
    pub fn with_label_map(self, map: LabelMap) -> Self {
        PredictionView {
            label_map: map,
            ..self
        }
    }

    /// Rows predicted so far.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Rows kept for paging (a row both least confident and sampled counts once).
    pub fn kept(&self) -> usize {
        self.rows().len()
    }

    /// Adds a batch and its predictions.
    pub fn push(&mut self, batch: &Dataset, p: &Predictions) {
        self.push_rows(batch, p, None)
    }

    /// Adds a batch, its predictions and its transformed rows `x` (one row per batch row), so
    /// that every kept row can be explained later ([`PredictionView::features`]). Each kept row
    /// then holds its `x.cols` features too (4 bytes each).
    pub fn push_explainable(&mut self, batch: &Dataset, p: &Predictions, x: &Matrix) {
        self.push_rows(batch, p, Some(x))
    }

    /// Row `index` (among every predicted row) if it is kept: its transformed features (empty
    /// unless pushed with [`PredictionView::push_explainable`]), file and line.
    pub fn features(&self, index: usize) -> Option<(&[f32], &str, u64)> {
        self.sample
            .iter()
            .chain(self.low.iter().map(|b| &b.0))
            .find(|r| r.index == index)
            .map(|r| {
                let file = self.files.get(r.file as usize).map_or("", String::as_str);
                (&r.features[..], file, r.line)
            })
    }

    fn push_rows(&mut self, batch: &Dataset, p: &Predictions, x: Option<&Matrix>) {
        for (i, f) in batch.files.iter().enumerate() {
            match self.files.get_mut(i) {
                Some(path) => path.clone_from(&f.path),
                None => self.files.push(f.path.clone()),
            }
        }
        let (codes, names) = batch.labels_with(self.taxonomy, &self.label_map);
        let ids: Vec<u32> = names.iter().map(|n| self.truth_id(n)).collect();
        let k = p.classes.len();
        for r in 0..batch.n_rows() {
            let row = Kept {
                index: self.total,
                file: batch.sources[r],
                line: batch.lines[r],
                predicted: p.predicted[r],
                confidence: p.confidence[r],
                truth: (codes[r] != MISSING).then(|| ids[codes[r] as usize]),
                proba: p.proba[r * k..(r + 1) * k].into(),
                features: x
                    .filter(|x| r < x.rows)
                    .map_or(Box::default(), |x| x.row(r).into()),
            };
            self.total += 1;
            self.keep(row);
        }
    }

    fn truth_id(&mut self, name: &str) -> u32 {
        match self.truths.iter().position(|t| t == name) {
            Some(i) => i as u32,
            None => {
                self.truths.push(name.to_string());
                (self.truths.len() - 1) as u32
            }
        }
    }

    fn half(&self) -> usize {
        self.budget / 2
    }

    fn keep(&mut self, row: Kept) {
        if !self.bounded {
            self.sample.push(row);
            if self.sample.len() > self.budget {
                self.bound();
            }
            return;
        }
        // The least confident half.
        let half = self.half();
        if self.low.len() < half {
            self.low.push(ByConfidence(row.clone()));
        } else if self
            .low
            .peek()
            .is_some_and(|top| row.confidence < top.0.confidence)
        {
            self.low.pop();
            self.low.push(ByConfidence(row.clone()));
        }
        // Algorithm R: row number `total` (1-based) replaces a sampled row with probability
        // (sample size) / total.
        let j = self.rng.below(self.total as u64) as usize;
        if j < self.sample.len() {
            self.sample[j] = row;
        }
    }

    /// Past the budget: the rows so far become the least confident half and a uniform sample.
    fn bound(&mut self) {
        self.bounded = true;
        let all = std::mem::take(&mut self.sample);
        let half = self.half();
        let mut by_conf: Vec<ByConfidence> = all.iter().cloned().map(ByConfidence).collect();
        by_conf.sort_unstable();
        by_conf.truncate(half);
        self.low = by_conf.into_iter().collect();
        let mut sample = all;
        self.rng.shuffle(&mut sample);
        sample.truncate(self.budget - half);
        self.sample = sample;
    }

    /// The kept rows, in file order.
    fn rows(&self) -> Vec<&Kept> {
        let mut seen = BTreeSet::new();
        let mut rows: Vec<&Kept> = self
            .sample
            .iter()
            .chain(self.low.iter().map(|b| &b.0))
            .filter(|r| seen.insert(r.index))
            .collect();
        rows.sort_unstable_by_key(|r| r.index);
        rows
    }

    /// What the table holds, in words, when it does not hold every row.
    pub fn note(&self) -> Option<String> {
        self.bounded.then(|| {
            format!(
                "The table keeps {} of the {} rows (memory budget): the {} least confident and a \
                 uniform sample of {}; its sorting, filters and counts apply to those. The summary, \
                 the scores and the CSV download cover every row.",
                self.kept(),
                self.total,
                self.low.len(),
                self.sample.len()
            )
        })
    }

    fn row(&self, r: &Kept) -> PredictionRow {
        PredictionRow {
            row: r.index,
            file: self.files.get(r.file as usize).cloned().unwrap_or_default(),
            line: r.line,
            predicted: self.classes[r.predicted as usize].clone(),
            confidence: r.confidence,
            truth: r.truth.map(|t| self.truths[t as usize].clone()),
            proba: r.proba.to_vec(),
        }
    }

    /// The kept rows matching `query`'s filters, sorted, and the page of them it asks for
    /// (as [`PredictionSet::page`](super::PredictionSet::page) does).
    pub fn page(&self, query: &RowQuery) -> PredictionPage {
        let class = query
            .class
            .as_ref()
            .map(|c| self.classes.iter().position(|x| x == c).map(|i| i as u32));
        let mut rows: Vec<&Kept> = self
            .rows()
            .into_iter()
            .filter(|r| match class {
                Some(Some(c)) => r.predicted == c,
                Some(None) => false,
                None => true,
            })
            .filter(|r| query.max_confidence.is_none_or(|m| r.confidence < m))
            .filter(|r| {
                !query.errors_only
                    || r.truth.is_some_and(|t| {
                        self.truths[t as usize] != self.classes[r.predicted as usize]
                    })
            })
            .collect();
        match query.sort {
            SortKey::Row => {}
            SortKey::Confidence => rows.sort_by(|a, b| {
                a.confidence
                    .total_cmp(&b.confidence)
                    .then(a.index.cmp(&b.index))
            }),
            SortKey::Predicted => rows.sort_by(|a, b| {
                self.classes[a.predicted as usize]
                    .cmp(&self.classes[b.predicted as usize])
                    .then(a.index.cmp(&b.index))
            }),
        }
        page_of(query, rows, |r| self.row(r))
    }

    /// The summary the page shows first: the stream's counts and scores, this view's first page.
    pub fn summary(
        &self,
        model: u32,
        stream: StreamSummary,
        parse_ms: f64,
        predict_ms: f64,
    ) -> PredictionSummary {
        let warnings = stream
            .failed
            .iter()
            .map(|f| format!("{}: {}", f.path, f.message))
            .chain(stream.warnings.iter().map(|w| match &w.file {
                Some(file) => format!("{file}: {}", w.message),
                None => w.message.clone(),
            }))
            .collect();
        let (metrics, metric_classes) = match stream.metrics {
            Some((report, classes)) => (Some(report), classes),
            None => (None, Vec::new()),
        };
        PredictionSummary {
            model,
            files: stream.files.iter().map(|f| f.path.clone()).collect(),
            rows: stream.rows as usize,
            classes: stream.classes,
            distribution: stream.distribution,
            metrics,
            metric_classes,
            warnings,
            parse_ms,
            predict_ms,
            first_page: self.page(&RowQuery::default()),
            table_note: self.note(),
        }
    }
}
