//! What a loaded data set looks like, as plain serde data: the Data tab and `flowlab inspect --json`
//! both show exactly this; [`SummaryBuilder`] gives it for a load that came in batches.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::columns::{Column, ColumnData, MISSING};
use super::dataset::{shape_warnings, Dataset};
use super::distinct::DistinctKeys;
use super::error::Tally;
use super::numbers::parse_number;
use super::{Format, Taxonomy, Warning};

/// One input file (or one member of a `.zip`) as it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    /// Name as given (`archive.zip/member.csv` for zip members).
    pub path: String,
    /// Detected format.
    pub format: Format,
    /// Rows read from the file (before sampling).
    pub rows: u64,
    /// Rows skipped (ragged, blank-but-not-empty, unreadable).
    pub skipped: u64,
    /// Rows kept in the data set (after the per-file cap and per-class sampling).
    pub kept: u64,
    /// Uncompressed bytes read.
    pub bytes: u64,
    /// Name of the column the labels came from, if any.
    pub label_column: Option<String>,
}

/// A file that could not be read at all; the other files still load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileFailure {
    pub path: String,
    pub message: String,
}

/// One column of the loaded data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub name: String,
    /// `numeric` or `text`.
    pub kind: String,
    /// What the column is for: `feature`, `identifier`, `timestamp`, `port`, `label`, `meta`.
    pub role: String,
    /// Rows where the value is unset / missing.
    pub missing: u64,
    /// Distinct values (text columns only; numeric columns report `None`).
    pub distinct: Option<u64>,
}

/// Everything the Data tab and `inspect` show about a data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub rows: u64,
    pub taxonomy: Taxonomy,
    pub files: Vec<FileReport>,
    pub failed: Vec<FileFailure>,
    /// Label → rows, in the chosen taxonomy (empty when the data has no labels).
    pub label_counts: BTreeMap<String, u64>,
    pub columns: Vec<ColumnSummary>,
    pub warnings: Vec<Warning>,
}

/// The [`Summary`] of a load that came in batches ([`Loader::take_batch`](super::Loader::take_batch)),
/// in memory bounded by the batch and by the distinct values of text columns (kept as 64-bit
/// hashes: 8 bytes a value, and a collision among n values has probability about n²/2⁶⁵).
///
/// It is what [`Dataset::summary`] gives on the whole load: each batch decides numeric or text
/// on its own rows, so the builder keeps, per column, the counts the whole-load decision needs
/// (numbers, words, missing) and decides at the end with the same rule. One case stays
/// approximate: a column that is numeric in some batches and text in others (its values mostly
/// numbers in one part of the input, words in another) and ends up text counts the distinct
/// numbers of its numeric batches only from its first text batch on.
#[derive(Debug, Clone)]
pub struct SummaryBuilder {
    taxonomy: Taxonomy,
    rows: u64,
    files: Vec<FileReport>,
    failed: Vec<FileFailure>,
    warnings: Vec<Warning>,
    label_counts: BTreeMap<String, u64>,
    columns: Vec<ColumnTally>,
    /// `present[file][column]`: the file has a value in the column.
    present: Vec<Vec<bool>>,
}

/// One column across batches.
#[derive(Debug, Clone, Default)]
struct ColumnTally {
    name: String,
    role: String,
    /// Rows before the column first appeared (missing).
    absent: u64,
    numeric_batches: bool,
    text_batches: bool,
    /// Numeric batches: numbers, and unset values (the values that were not numbers included).
    numbers: u64,
    unset_in_numeric: u64,
    /// Numeric batches: values that were not numbers (from the batch's warning), and examples.
    not_numbers: u64,
    examples: Vec<String>,
    /// Text batches: unset values, values that read as numbers, and the others (words).
    unset_in_text: u64,
    numbers_in_text: u64,
    words: u64,
    /// Distinct words and number-like strings (hashes), and numbers (bits).
    distinct_words: Distinct,
    distinct_number_strings: Distinct,
    distinct_numbers: Distinct,
}

/// A set of 64-bit keys (XXH3 hashes or a float's bits), counted by sorting and merging rather
/// than in a hash set: a per-row identifier such as Zeek's `uid` puts every row in the set, and
/// a hash set's random accesses cost ~10 % of `flowlab inspect` (see [`DistinctKeys`]).
type Distinct = DistinctKeys;

/// XXH3, 64 bits: well mixed (the collision bound above assumes it) and several times faster
/// than the standard library's SipHash on short values.
fn hash_of(v: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(v.as_bytes())
}

impl SummaryBuilder {
    pub fn new(taxonomy: Taxonomy) -> Self {
        SummaryBuilder {
            taxonomy,
            rows: 0,
            files: Vec::new(),
            failed: Vec::new(),
            warnings: Vec::new(),
            label_counts: BTreeMap::new(),
            columns: Vec::new(),
            present: Vec::new(),
        }
    }

    /// Adds the next batch (batches in input order).
    pub fn add(&mut self, batch: &Dataset) {
        let n = batch.n_rows() as u64;
        for f in &batch.files {
            match self.files.iter_mut().find(|g| g.path == f.path) {
                Some(g) => {
                    let kept = g.kept + f.kept;
                    *g = f.clone();
                    g.kept = kept;
                }
                None => self.files.push(f.clone()),
            }
        }
        self.failed.extend(batch.failed.iter().cloned());
        let (codes, classes) = batch.labels_as(self.taxonomy);
        let mut counts = vec![0u64; classes.len()];
        for &c in codes.iter().filter(|&&c| c != MISSING) {
            counts[c as usize] += 1;
        }
        for (class, k) in classes.into_iter().zip(counts).filter(|(_, k)| *k > 0) {
            *self.label_counts.entry(class).or_default() += k;
        }
        let mut not_numbers = BTreeMap::new();
        for w in &batch.warnings {
            match (&w.file, &w.column) {
                // The table's warning about values that are not numbers: decided at the end.
                (None, Some(col)) => {
                    not_numbers.insert(col.clone(), w);
                }
                _ => self.warnings.push(w.clone()),
            }
        }
        self.present.resize(self.files.len(), Vec::new());
        // Rows come file by file: the runs of rows of one file, (file, rows).
        let mut runs: Vec<(u32, std::ops::Range<usize>)> = Vec::new();
        for (r, &s) in batch.sources.iter().enumerate() {
            match runs.last_mut() {
                Some((f, rows)) if *f == s => rows.end = r + 1,
                _ => runs.push((s, r..r + 1)),
            }
        }
        for (c, col) in batch.columns.iter().enumerate() {
            let at = match self.columns.iter().position(|t| t.name == col.name) {
                Some(at) => at,
                None => {
                    self.columns.push(ColumnTally {
                        name: col.name.clone(),
                        role: col.role.name().into(),
                        absent: self.rows,
                        ..ColumnTally::default()
                    });
                    self.columns.len() - 1
                }
            };
            self.columns[at].add(col, not_numbers.get(&col.name).copied());
            self.mark_present(batch, &runs, c, at);
        }
        for t in &mut self.columns {
            if !batch.columns.iter().any(|c| c.name == t.name) {
                t.absent += n;
            }
        }
        self.rows += n;
    }

    /// Marks the files that have a value in column `c` of the batch (table column `at`): one
    /// test per run of rows of a file, which stops at the first value (usually the run's first).
    fn mark_present(
        &mut self,
        batch: &Dataset,
        runs: &[(u32, std::ops::Range<usize>)],
        c: usize,
        at: usize,
    ) {
        let any = |r: std::ops::Range<usize>| match &batch.columns[c].data {
            ColumnData::Numeric(v) => v[r].iter().any(|x| !x.is_nan()),
            ColumnData::Text(t) => t.codes[r].iter().any(|&c| c != MISSING),
        };
        for (s, rows) in runs {
            let row = &mut self.present[*s as usize];
            if !row.get(at).copied().unwrap_or(false) && any(rows.clone()) {
                if row.len() <= at {
                    row.resize(at + 1, false);
                }
                row[at] = true;
            }
        }
    }

    /// The summary of every batch added.
    pub fn finish(self) -> Summary {
        let mut warnings = self.warnings;
        let mut columns = Vec::new();
        for t in &self.columns {
            let (summary, warning) = t.finish(self.rows);
            columns.push(summary);
            warnings.extend(warning);
        }
        let names: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
        warnings.extend(shape_warnings(&self.files, &names, &self.present));
        Summary {
            rows: self.rows,
            taxonomy: self.taxonomy,
            files: self.files,
            failed: self.failed,
            label_counts: self.label_counts,
            columns,
            warnings,
        }
    }
}

impl ColumnTally {
    fn add(&mut self, col: &Column, not_numbers: Option<&Warning>) {
        match &col.data {
            ColumnData::Numeric(v) => {
                self.numeric_batches = true;
                let mut numbers = 0;
                for x in v.iter().filter(|x| !x.is_nan()) {
                    numbers += 1;
                    if self.text_batches {
                        self.distinct_numbers.insert(x.to_bits());
                    }
                }
                self.numbers += numbers;
                self.unset_in_numeric += v.len() as u64 - numbers;
                if let Some(w) = not_numbers {
                    self.not_numbers += w.count;
                    for e in &w.examples {
                        if self.examples.len() < Tally::EXAMPLES {
                            self.examples.push(e.clone());
                        }
                    }
                }
            }
            ColumnData::Text(t) => {
                self.text_batches = true;
                let mut uses = vec![0u64; t.values.len()];
                for &c in &t.codes {
                    match c {
                        MISSING => self.unset_in_text += 1,
                        c => uses[c as usize] += 1,
                    }
                }
                for (v, &k) in t.values.iter().zip(&uses).filter(|(_, &k)| k > 0) {
                    match parse_number(v) {
                        Some(x) => {
                            self.numbers_in_text += k;
                            self.distinct_numbers.insert(x.to_bits());
                            self.distinct_number_strings.insert(hash_of(v));
                        }
                        None => {
                            self.words += k;
                            self.distinct_words.insert(hash_of(v));
                        }
                    }
                }
            }
        }
    }

    /// The column's summary, and the warning about values that are not numbers, decided as
    /// the column builder decides on the whole column.
    fn finish(&self, rows: u64) -> (ColumnSummary, Option<Warning>) {
        let n_text = self.not_numbers + self.words;
        let n_num = self.numbers + self.numbers_in_text;
        let numeric = if !self.text_batches {
            true
        } else if !self.numeric_batches {
            false
        } else {
            n_text == 0 || (n_num > 0 && n_text * 20 <= n_text + n_num)
        };
        let summary = |kind: &str, missing: u64, distinct: Option<u64>| ColumnSummary {
            name: self.name.clone(),
            kind: kind.into(),
            role: self.role.clone(),
            missing: self.absent + missing,
            distinct,
        };
        debug_assert!(rows >= self.absent);
        if numeric {
            let warning = (n_text > 0).then(|| Warning {
                file: None,
                column: Some(self.name.clone()),
                count: n_text,
                examples: self.examples.clone(),
                message: format!(
                    "{n_text} values are not numbers (expected a number); they count as missing"
                ),
            });
            let missing = self.unset_in_numeric + self.unset_in_text + self.words;
            return (summary("numeric", missing, None), warning);
        }
        let distinct = if self.numeric_batches {
            self.distinct_words.len() + self.distinct_numbers.len()
        } else {
            self.distinct_words.len() + self.distinct_number_strings.len()
        };
        let missing = self.unset_in_numeric - self.not_numbers + self.unset_in_text;
        (summary("text", missing, Some(distinct as u64)), None)
    }
}

/// How far a load got, for the memory budget (`crate::data::budget`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LoadState {
    /// Rows parsed so far in the current file (before any sampling), and the bytes of text they
    /// came from (decompressed).
    pub file_rows: u64,
    pub file_bytes: u64,
    /// Rows in the table so far.
    pub table_rows: u64,
    /// Rows held by the samplers (reservoirs per file and per class).
    pub held_rows: u64,
    /// Columns of the current file read as text (Zeek `string`s, layouts' categories), and the
    /// others (numbers, or inferred).
    pub text_columns: usize,
    pub other_columns: usize,
    /// Distinct labels seen so far (raw labels in the table, or classes being sampled).
    pub labels: usize,
}
