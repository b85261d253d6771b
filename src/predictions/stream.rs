//! Predictions of a file of any size: batch by batch (the batches of
//! [`Loader::take_batch`](crate::ingest::Loader::take_batch)), in bounded memory.
//!
//! A [`PredictionStream`] is built from a model. Each batch gives its predictions and its CSV
//! rows (the bytes [`write_csv`](super::write_csv) writes for those rows; the header once, from
//! [`PredictionStream::header`]) while the stream keeps the summary: rows, the predicted
//! distribution, the confusion matrix of the labelled rows and the warnings (the same warning of
//! the same file and column in several batches is one, its counts summed). [`finish`] gives the
//! metrics [`Report`] and its class names exactly as [`TrainedModel::evaluate`] gives them on
//! the whole data:
//!
//! - accuracy, precision, recall, F1, MCC come from the confusion matrix, which is exact;
//! - ROC-AUC and average precision come from a tally, per class, of positive and negative rows at
//!   each distinct score: the curves group tied scores anyway, so the tally gives exactly the
//!   areas of [`roc_auc_binary`](crate::eval::metrics::roc_auc_binary) and
//!   [`average_precision`](crate::eval::metrics::average_precision) on the rows. Its size is the
//!   number of distinct scores, which is small for forests and boosting on real captures; beyond
//!   [`SCORE_CAP`] entries the scores are rounded to multiples of 1/65536 from then on (at most
//!   65,537 entries per class), which moves an area by at most half the share of
//!   positive–negative pairs whose scores round together, and the summary says so in a warning.
//!
//! To predict batches on several threads, [`PredictionStream::begin`] gives the
//! [`BatchPredictor`] (shareable: `&self` only) from the first batch; each thread calls
//! [`BatchPredictor::predict`], and the stream [`absorb`](PredictionStream::absorb)s the results
//! in input order. [`PredictionStream::push`] does both on one thread.
//!
//! [`finish`]: PredictionStream::finish

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::data::Matrix;
use crate::eval::metrics::{auc_from_counts, Report};
use crate::ingest::{Dataset, FileFailure, FileReport, Warning, MISSING};
use crate::job::{Predictions, TrainError, TrainedModel};
use crate::models::CellCache;

use super::{csv_header, csv_rows};

/// Most distinct (class, score) entries kept exactly for ROC-AUC and average precision.
pub const SCORE_CAP: usize = 1 << 20;
/// Scores are rounded to multiples of `1 / SCORE_GRID` once [`SCORE_CAP`] is passed.
const SCORE_GRID: f32 = 65536.0;

/// One batch, predicted.
#[derive(Debug, Clone)]
pub struct PredictedBatch {
    pub predictions: Predictions,
    /// The batch's rows as the model's pipeline transformed them (what an explanation of a
    /// row needs; see [`PredictionView::push_explainable`](super::PredictionView::push_explainable)).
    pub features: Matrix,
    /// The batch's CSV rows (no header).
    pub csv: Vec<u8>,
    tally: Tally,
}

/// What a batch adds to the summary.
#[derive(Debug, Clone, Default)]
struct Tally {
    rows: u64,
    distribution: Vec<u64>,
    /// True class name → rows per predicted class.
    confusion: BTreeMap<String, Vec<u64>>,
    /// Per model class: (score key, positives, negatives), over the labelled rows.
    scores: Vec<Vec<(i32, u64, u64)>>,
    files: Vec<FileReport>,
    failed: Vec<FileFailure>,
    warnings: Vec<Warning>,
}

/// A key that orders `f32`s as `total_cmp` does.
fn key(x: f32) -> i32 {
    let b = x.to_bits() as i32;
    b ^ ((((b >> 31) as u32) >> 1) as i32)
}

fn unkey(k: i32) -> f32 {
    f32::from_bits((k ^ ((((k >> 31) as u32) >> 1) as i32)) as u32)
}

fn coarse(x: f32) -> f32 {
    (x * SCORE_GRID).round() / SCORE_GRID
}

/// Predicts batches of one stream; `Sync`, so several threads can share it. A random forest's
/// cells walked in one batch are not walked again in the next ([`CellCache`], shared by the
/// threads and the predictor's clones).
#[derive(Debug, Clone)]
pub struct BatchPredictor<'m> {
    model: &'m TrainedModel,
    cache: Arc<CellCache>,
    /// Whether the CSV has a `true_label` column (decided on the first batch).
    labelled: bool,
    /// Whether [`predict`](Self::predict) writes the batch's CSV rows (not for `eval`).
    csv: bool,
}

impl BatchPredictor<'_> {
    /// The same predictor without CSV rows: for a caller that keeps only the summary.
    pub fn without_csv(self) -> Self {
        BatchPredictor { csv: false, ..self }
    }

    /// The CSV header (with `true_label` when the first batch had labels).
    pub fn header(&self) -> Vec<u8> {
        let mut w = csv::Writer::from_writer(Vec::new());
        // Writing into a Vec cannot fail.
        let _ = w.write_record(csv_header(&self.model.classes, self.labelled));
        w.into_inner().unwrap_or_default()
    }

    /// Predicts one batch: its predictions, CSV rows and its share of the summary.
    pub fn predict(&self, batch: &Dataset) -> Result<PredictedBatch, TrainError> {
        let m = self.model;
        let k = m.classes.len();
        let (predictions, features) = if batch.n_rows() == 0 {
            let none = Predictions {
                classes: m.classes.clone(),
                predicted: vec![],
                confidence: vec![],
                proba: vec![],
            };
            let empty = Matrix {
                rows: 0,
                cols: m.pipeline.width(),
                data: Vec::new(),
            };
            (none, empty)
        } else {
            let x = m.pipeline.transform(batch)?;
            (m.predict_features(&x, Some(&self.cache))?, x)
        };
        let mut csv = Vec::new();
        if self.csv {
            csv_rows::push_rows(
                &mut csv,
                0..batch.n_rows(),
                batch,
                (m.taxonomy, &m.label_map),
                &predictions,
                self.labelled,
            );
        }
        let mut tally = Tally {
            rows: batch.n_rows() as u64,
            distribution: vec![0; k],
            scores: vec![Vec::new(); k],
            files: batch.files.clone(),
            failed: batch.failed.clone(),
            warnings: batch.warnings.clone(),
            ..Tally::default()
        };
        tally.warnings.extend(short_history(m, &features)?);
        for &c in &predictions.predicted {
            tally.distribution[c as usize] += 1;
        }
        let (codes, names) = m.labels_of(batch);
        let labelled: Vec<usize> = (0..codes.len()).filter(|&r| codes[r] != MISSING).collect();
        for &r in &labelled {
            let row = tally
                .confusion
                .entry(names[codes[r] as usize].clone())
                .or_insert_with(|| vec![0; k]);
            row[predictions.predicted[r] as usize] += 1;
        }
        for (c, class) in m.classes.iter().enumerate() {
            let mut pairs: Vec<(i32, bool)> = labelled
                .iter()
                .map(|&r| {
                    let pos = names[codes[r] as usize] == *class;
                    (key(predictions.proba[r * k + c]), pos)
                })
                .collect();
            pairs.sort_unstable_by_key(|p| p.0);
            let out = &mut tally.scores[c];
            for (s, pos) in pairs {
                match out.last_mut() {
                    Some(last) if last.0 == s => {
                        last.1 += pos as u64;
                        last.2 += !pos as u64;
                    }
                    _ => out.push((s, pos as u64, !pos as u64)),
                }
            }
        }
        Ok(PredictedBatch {
            predictions,
            features,
            csv,
            tally,
        })
    }
}

/// The summary of a stream: what [`PredictionSet`](super::PredictionSet) gives for a whole file.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamSummary {
    pub rows: u64,
    /// The model's classes.
    pub classes: Vec<String>,
    /// Rows predicted per class (in `classes` order).
    pub distribution: Vec<u64>,
    /// The metrics and their class names as [`TrainedModel::evaluate`] gives them (`None`: no
    /// row had a label).
    pub metrics: Option<(Report, Vec<String>)>,
    /// Every file read (`kept`: rows predicted).
    pub files: Vec<FileReport>,
    pub failed: Vec<FileFailure>,
    pub warnings: Vec<Warning>,
}

/// Predictions of a file of any size, batch by batch. See the [module docs](self).
pub struct PredictionStream<'m> {
    model: &'m TrainedModel,
    predictor: Option<BatchPredictor<'m>>,
    rows: u64,
    distribution: Vec<u64>,
    confusion: BTreeMap<String, Vec<u64>>,
    scores: Vec<BTreeMap<i32, (u64, u64)>>,
    score_cap: usize,
    rounded: bool,
    files: Vec<FileReport>,
    failed: Vec<FileFailure>,
    warnings: Vec<Warning>,
}

impl<'m> PredictionStream<'m> {
    pub fn new(model: &'m TrainedModel) -> Self {
        let k = model.classes.len();
        PredictionStream {
            model,
            predictor: None,
            rows: 0,
            distribution: vec![0; k],
            confusion: BTreeMap::new(),
            scores: vec![BTreeMap::new(); k],
            score_cap: SCORE_CAP,
            rounded: false,
            files: Vec::new(),
            failed: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The same stream with another bound on the exact score tally (default [`SCORE_CAP`]).
    pub fn with_score_cap(mut self, cap: usize) -> Self {
        self.score_cap = cap;
        self
    }

    /// The predictor of this stream; the first call decides from `first` (the first batch)
    /// whether the CSV has a `true_label` column: when any of its rows has a label. (A file
    /// whose first batch has no labels but later rows do gets no `true_label` column; the
    /// metrics still count every labelled row.)
    pub fn begin(&mut self, first: &Dataset) -> BatchPredictor<'m> {
        self.predictor
            .get_or_insert_with(|| BatchPredictor {
                model: self.model,
                cache: Arc::default(),
                labelled: first.has_labels(),
                csv: true,
            })
            .clone()
    }

    /// The CSV header (call after [`begin`](Self::begin) or the first [`push`](Self::push)).
    pub fn header(&self) -> Vec<u8> {
        match &self.predictor {
            Some(p) => p.header(),
            None => BatchPredictor {
                model: self.model,
                cache: Arc::default(),
                labelled: false,
                csv: true,
            }
            .header(),
        }
    }

    /// Predicts the next batch and adds it to the summary.
    pub fn push(&mut self, batch: &Dataset) -> Result<PredictedBatch, TrainError> {
        let p = self.begin(batch).predict(batch)?;
        self.absorb(&p);
        Ok(p)
    }

    /// Adds a batch predicted by [`BatchPredictor::predict`] to the summary (batches in input
    /// order, so that the files' counts are right).
    pub fn absorb(&mut self, batch: &PredictedBatch) {
        let t = &batch.tally;
        self.rows += t.rows;
        for (d, n) in self.distribution.iter_mut().zip(&t.distribution) {
            *d += n;
        }
        for (name, counts) in &t.confusion {
            let row = self
                .confusion
                .entry(name.clone())
                .or_insert_with(|| vec![0; counts.len()]);
            for (a, b) in row.iter_mut().zip(counts) {
                *a += b;
            }
        }
        for (c, entries) in t.scores.iter().enumerate() {
            for &(s, pos, neg) in entries {
                let s = if self.rounded {
                    key(coarse(unkey(s)))
                } else {
                    s
                };
                let e = self.scores[c].entry(s).or_insert((0, 0));
                e.0 += pos;
                e.1 += neg;
            }
        }
        if !self.rounded && self.scores.iter().map(BTreeMap::len).sum::<usize>() > self.score_cap {
            self.round_scores();
        }
        self.merge_files(&t.files);
        self.failed.extend(t.failed.iter().cloned());
        for w in &t.warnings {
            merge_warning(&mut self.warnings, w);
        }
    }

    fn round_scores(&mut self) {
        self.rounded = true;
        for map in &mut self.scores {
            let mut rounded: BTreeMap<i32, (u64, u64)> = BTreeMap::new();
            for (&s, &(pos, neg)) in map.iter() {
                let e = rounded.entry(key(coarse(unkey(s)))).or_insert((0, 0));
                e.0 += pos;
                e.1 += neg;
            }
            *map = rounded;
        }
    }

    fn merge_files(&mut self, files: &[FileReport]) {
        for f in files {
            match self.files.iter_mut().find(|g| g.path == f.path) {
                Some(g) => {
                    let kept = g.kept + f.kept;
                    *g = f.clone();
                    g.kept = kept;
                }
                None => self.files.push(f.clone()),
            }
        }
    }

    /// The summary, with the metrics of the labelled rows.
    pub fn finish(mut self) -> StreamSummary {
        let metrics = self.report();
        if self.rounded {
            self.warnings.push(Warning {
                file: None,
                column: None,
                count: self.score_cap as u64,
                examples: vec![],
                message: format!(
                    "more than {} distinct scores: ROC-AUC and PR-AUC were computed on scores rounded to 1/{SCORE_GRID}",
                    self.score_cap
                ),
            });
        }
        StreamSummary {
            rows: self.rows,
            classes: self.model.classes.clone(),
            distribution: self.distribution,
            metrics,
            files: self.files,
            failed: self.failed,
            warnings: self.warnings,
        }
    }

    /// The report [`TrainedModel::evaluate`] gives: the model's classes, then the labels it never
    /// saw (sorted), which it always gets wrong and scores 0.
    fn report(&self) -> Option<(Report, Vec<String>)> {
        if self.confusion.is_empty() {
            return None;
        }
        let k_model = self.model.classes.len();
        let mut classes = self.model.classes.clone();
        classes.extend(
            self.confusion
                .keys()
                .filter(|n| !self.model.classes.contains(n))
                .cloned(),
        );
        let k = classes.len();
        let mut confusion = vec![vec![0u64; k]; k];
        for (name, counts) in &self.confusion {
            let t = classes.iter().position(|c| c == name).unwrap_or(0);
            confusion[t][..k_model].copy_from_slice(counts);
        }
        let n: u64 = confusion.iter().flatten().sum();
        let support: Vec<u64> = confusion.iter().map(|r| r.iter().sum()).collect();
        let auc = |c: usize| {
            if c < k_model {
                let counts: Vec<(f32, u64, u64)> = self.scores[c]
                    .iter()
                    .rev()
                    .map(|(&s, &(pos, neg))| (unkey(s), pos, neg))
                    .collect();
                auc_from_counts(&counts)
            } else {
                auc_from_counts(&[(0.0, support[c], n - support[c])])
            }
        };
        Some((Report::from_confusion(confusion, Some(&auc)), classes))
    }
}

/// Adds `w` to `all`: a warning of the same file, column and kind (its message with the count
/// taken out) as one already there is merged into it — counts summed when it is about a column
/// (values of each batch), kept once otherwise (a file's shape, said again by each batch).
fn merge_warning(all: &mut Vec<Warning>, w: &Warning) {
    let kind = |w: &Warning| w.message.replace(&w.count.to_string(), "\u{1}");
    let same = all
        .iter_mut()
        .find(|o| o.file == w.file && o.column == w.column && kind(o) == kind(w));
    match same {
        Some(o) if w.column.is_some() => {
            let total = o.count + w.count;
            o.message = kind(o).replace('\u{1}', &total.to_string());
            o.count = total;
            for e in &w.examples {
                if o.examples.len() < 5 && !o.examples.contains(e) {
                    o.examples.push(e.clone());
                }
            }
        }
        Some(_) => {}
        None => all.push(w.clone()),
    }
}

/// What the warning of [`short_history`] says, for the callers that pick it out.
pub const SHORT_HISTORY: &str = "have no earlier flow of their";

/// A warning when fewer than half the rows of a batch have an earlier flow of their host in it:
/// a sequence model then scores most flows from a window of one (see `models::seq`).
fn short_history(m: &TrainedModel, x: &Matrix) -> Result<Option<Warning>, TrainError> {
    let Some(g) = m.model.as_sequence() else {
        return Ok(None);
    };
    if x.rows == 0 {
        return Ok(None);
    }
    let (rows, with_history) = g.history(x)?;
    Ok((with_history * 2 < rows).then(|| Warning {
        file: None,
        column: None,
        count: (rows - with_history) as u64,
        examples: Vec::new(),
        message: format!(
            "{} of {rows} flows {SHORT_HISTORY} {} in the file: the model reads windows of {} flows per {}, so it sees too little history here (a longer capture, or --batch-rows covering the whole file, gives it more)",
            rows - with_history,
            g.training().grouping.noun(),
            g.training().window,
            g.training().grouping.noun(),
        ),
    }))
}
