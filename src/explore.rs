//! Exploring a loaded data set: class distribution, per-column statistics, data quality,
//! per-class histograms, feature correlations and the leakage scan — everything the Explore tab
//! shows, as plain serde data computed in one pass over a [`Dataset`] ([`explore`]).
//!
//! Sizes stay small whatever the data: statistics and histograms use every row (one linear pass
//! per column), the correlation matrix uses a seeded sample of at most [`CORRELATION_SAMPLE`]
//! rows, at most [`MAX_HISTOGRAMS`] histograms are sent (the numeric features that tell the classes
//! apart best, by mutual information) and at most [`MAX_CORRELATION_FEATURES`] columns are
//! correlated. Whenever something was sampled or cut, the part says so in its `note`.
//!
//! ```
//! use flowlab::ingest::{IngestOptions, Loader, Taxonomy};
//! let text = "duration,bytes,proto,label\n0.5,100,tcp,Benign\n1.5,,udp,DDoS\n1.5,,udp,DDoS\n";
//! let mut loader = Loader::new(IngestOptions::default());
//! loader.start_file("flows.csv");
//! loader.feed(text.as_bytes()).unwrap();
//! loader.end_file().unwrap();
//! let data = loader.finish().unwrap();
//! let e = flowlab::explore::explore(&data, Taxonomy::Raw);
//! assert_eq!(e.rows, 3);
//! assert_eq!(e.classes[1].name, "DDoS");
//! assert_eq!(e.classes[1].rows, 2);
//! let bytes = e.columns.iter().find(|c| c.name == "bytes").unwrap();
//! assert_eq!((bytes.missing, bytes.min, bytes.max), (2, Some(100.0), Some(100.0)));
//! assert_eq!(e.quality.duplicate_rows, 1);
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::data::rng::FlowRng;
use crate::eval::leakage::{self, Finding};
use crate::eval::split;
use crate::ingest::{Column, ColumnData, Dataset, FileFailure, Role, Taxonomy, Warning, MISSING};

/// Bins of a histogram over a continuous range (integer columns with a short range get one bin
/// per value instead).
pub const HISTOGRAM_BINS: usize = 24;
/// At most this many per-feature histograms are sent.
pub const MAX_HISTOGRAMS: usize = 24;
/// At most this many columns enter the correlation matrix.
pub const MAX_CORRELATION_FEATURES: usize = 40;
/// At most this many rows (a seeded sample) enter the correlation matrix.
pub const CORRELATION_SAMPLE: usize = 50_000;
/// Most frequent values listed per text column.
pub const TOP_VALUES: usize = 5;
/// Seed of the leakage hold-out and the correlation sample (the training default).
pub const SEED: u64 = 42;
/// Share of each class held out to score the leakage scan (as the default training split).
pub const LEAKAGE_TEST_SIZE: f64 = 0.25;
/// Name of the histogram series of rows without a label.
pub const UNLABELLED: &str = "(unlabelled)";

/// Everything the Explore tab shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exploration {
    /// Rows in the data set.
    pub rows: usize,
    /// The taxonomy the classes are counted in.
    pub taxonomy: Taxonomy,
    /// Rows per class (sorted by class name); empty when nothing is labelled.
    pub classes: Vec<ClassCount>,
    /// Rows without a label.
    pub unlabelled: u64,
    /// One entry per column, in file order.
    pub columns: Vec<ColumnStats>,
    pub quality: Quality,
    pub histograms: Histograms,
    pub correlation: Correlation,
    pub leakage: Leakage,
}

/// How many rows one class has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassCount {
    pub name: String,
    pub rows: u64,
    /// Share of the labelled rows, 0–1.
    pub share: f64,
}

/// A value and how many rows have it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValueCount {
    pub value: String,
    pub rows: u64,
}

/// Statistics of one column. Numbers ignore missing values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    pub name: String,
    /// `numeric` or `text`.
    pub kind: String,
    /// `feature`, `identifier`, `timestamp`, `port`, `label` or `meta`.
    pub role: String,
    /// Rows with a value.
    pub present: u64,
    /// Rows without one.
    pub missing: u64,
    /// Distinct values (missing not counted).
    pub unique: u64,
    /// Numeric columns with at least one value: smallest, largest, mean and sample standard
    /// deviation (n − 1; `None` below two values).
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub std: Option<f64>,
    /// Text columns: the [`TOP_VALUES`] most frequent values, most frequent first.
    pub top: Vec<ValueCount>,
}

/// Columns that hold a single value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConstantColumn {
    pub column: String,
    /// The one value, or `None` when the column is empty (every row missing).
    pub value: Option<String>,
}

/// Missing values of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingColumn {
    pub column: String,
    pub missing: u64,
    /// Share of all rows, 0–1.
    pub share: f64,
}

/// The data-quality panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    /// Columns with missing values, most missing first.
    pub missing: Vec<MissingColumn>,
    /// Rows equal to an earlier row in every column, label included.
    pub duplicate_rows: u64,
    /// Rows equal to an earlier row in every feature column (label and identifiers ignored): a
    /// random split puts copies on both sides.
    pub duplicate_feature_rows: u64,
    /// Labelled rows whose feature values also occur with another class: no model can get them
    /// all right.
    pub conflicting_rows: u64,
    /// The feature columns compared for `duplicate_feature_rows`.
    pub feature_columns: Vec<String>,
    /// Columns with one value (or none).
    pub constant_columns: Vec<ConstantColumn>,
    /// The loader's warnings (values and rows it could not read).
    pub warnings: Vec<Warning>,
    /// Files that could not be read at all.
    pub failed: Vec<FileFailure>,
}

/// One numeric feature's histogram, one series per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureHistogram {
    pub column: String,
    /// Bins are even in log10(1 + x) (the range spans three or more orders of magnitude, or the
    /// largest value is 50 times the median or more).
    pub log: bool,
    /// Bin edges in the column's units (`counts[s].len() + 1` of them); bin `i` is
    /// `[edges[i], edges[i+1])`, the last one closed.
    pub edges: Vec<f64>,
    /// `counts[series][bin]`, series as in [`Histograms::series`].
    pub counts: Vec<Vec<u64>>,
    /// Rows without a value, per series.
    pub missing: Vec<u64>,
    /// Mutual information between the bin (missing is a bin) and the class over the labelled
    /// rows, in bits: how much the column alone tells the classes apart.
    pub mutual_information: f64,
}

/// The per-class histograms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histograms {
    /// Names of the series: the classes, then [`UNLABELLED`] when some rows have no label.
    pub series: Vec<String>,
    /// Most informative first.
    pub features: Vec<FeatureHistogram>,
    /// Numeric feature columns there were (before the [`MAX_HISTOGRAMS`] cut).
    pub numeric_features: usize,
    pub note: Option<String>,
}

/// Pearson correlations between numeric feature columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correlation {
    pub columns: Vec<String>,
    /// `values[i][j]`, over the rows where both columns have a value; `None` when fewer than two
    /// such rows or a column is constant on them.
    pub values: Vec<Vec<Option<f64>>>,
    /// Rows the matrix was computed on.
    pub rows_used: usize,
    pub note: Option<String>,
}

/// The leakage scan: how well each column alone predicts the class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leakage {
    /// Strongest first (see [`leakage::detect`]).
    pub findings: Vec<Finding>,
    /// How it was scored, e.g. `stratified 25 % hold-out (seed 42): 300 training / 100 test rows`.
    pub split: String,
    /// Why there are no findings, when there are none.
    pub note: Option<String>,
}

/// Explores `data` with labels in `taxonomy`.
pub fn explore(data: &Dataset, taxonomy: Taxonomy) -> Exploration {
    let (y, class_names) = data.labels_as(taxonomy);
    let n = data.n_rows();
    let mut class_rows = vec![0u64; class_names.len()];
    let mut unlabelled = 0u64;
    for &c in &y {
        if c == MISSING {
            unlabelled += 1;
        } else {
            class_rows[c as usize] += 1;
        }
    }
    let labelled = n as u64 - unlabelled;
    let classes: Vec<ClassCount> = class_names
        .iter()
        .zip(&class_rows)
        .filter(|(_, &r)| r > 0)
        .map(|(name, &rows)| ClassCount {
            name: name.clone(),
            rows,
            share: rows as f64 / labelled.max(1) as f64,
        })
        .collect();
    let columns: Vec<ColumnStats> = data.columns.iter().map(column_stats).collect();
    let quality = quality(data, &y, &columns);
    let histograms = histograms(data, &y, &class_names, unlabelled > 0);
    let correlation = correlation(data);
    let leakage = leakage_scan(data, &y, class_names.len(), &classes);
    Exploration {
        rows: n,
        taxonomy,
        classes,
        unlabelled,
        columns,
        quality,
        histograms,
        correlation,
        leakage,
    }
}

fn column_stats(col: &Column) -> ColumnStats {
    let missing = col.missing();
    let present = col.len() as u64 - missing;
    let base = ColumnStats {
        name: col.name.clone(),
        kind: String::new(),
        role: col.role.name().to_string(),
        present,
        missing,
        unique: 0,
        min: None,
        max: None,
        mean: None,
        std: None,
        top: Vec::new(),
    };
    match &col.data {
        ColumnData::Numeric(v) => {
            let mut vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            if vals.is_empty() {
                return ColumnStats {
                    kind: "numeric".into(),
                    ..base
                };
            }
            let mean = vals.iter().sum::<f64>() / vals.len() as f64;
            let std = (vals.len() > 1).then(|| {
                let ss: f64 = vals.iter().map(|x| (x - mean) * (x - mean)).sum();
                (ss / (vals.len() - 1) as f64).sqrt()
            });
            vals.sort_unstable_by(f64::total_cmp);
            let (min, max) = (vals[0], vals[vals.len() - 1]);
            vals.dedup();
            ColumnStats {
                kind: "numeric".into(),
                unique: vals.len() as u64,
                min: Some(min),
                max: Some(max),
                mean: Some(mean),
                std,
                ..base
            }
        }
        ColumnData::Text(t) => {
            let mut counts = vec![0u64; t.values.len()];
            for &c in &t.codes {
                if c != MISSING {
                    counts[c as usize] += 1;
                }
            }
            let mut order: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
            let unique = order.len() as u64;
            order.sort_by(|&a, &b| {
                counts[b]
                    .cmp(&counts[a])
                    .then(t.values[a].cmp(&t.values[b]))
            });
            ColumnStats {
                kind: "text".into(),
                unique,
                top: order
                    .iter()
                    .take(TOP_VALUES)
                    .map(|&i| ValueCount {
                        value: t.values[i].clone(),
                        rows: counts[i],
                    })
                    .collect(),
                ..base
            }
        }
    }
}

/// Compact form of one value for hashing and equality: numbers by their bits (every NaN alike),
/// text by its code.
fn cell(col: &Column, row: usize) -> u64 {
    match &col.data {
        ColumnData::Numeric(v) => {
            let x = v[row];
            if x.is_nan() {
                u64::MAX
            } else if x == 0.0 {
                0 // -0.0 and 0.0 alike
            } else {
                x.to_bits()
            }
        }
        ColumnData::Text(t) => t.codes[row] as u64 | 1 << 63,
    }
}

fn hash_row(cols: &[&Column], row: usize, extra: u64) -> u64 {
    // FNV-1a over the cells' 64-bit words, then a final avalanche (splitmix64).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ extra;
    for c in cols {
        h = (h ^ cell(c, row)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Groups equal rows (on `cols`, plus `extra[row]` when given). Returns the group of each row.
fn row_groups(n: usize, cols: &[&Column], extra: Option<&[u32]>) -> (Vec<u32>, usize) {
    let extra_of = |r: usize| extra.map_or(0, |e| e[r] as u64);
    let same = |a: usize, b: usize| {
        extra_of(a) == extra_of(b) && cols.iter().all(|c| cell(c, a) == cell(c, b))
    };
    // hash → (first row, group) of each distinct row with that hash.
    let mut seen: HashMap<u64, Vec<(u32, u32)>> = HashMap::with_capacity(n);
    let mut group = Vec::with_capacity(n);
    let mut groups = 0u32;
    for r in 0..n {
        let h = hash_row(cols, r, extra_of(r));
        let list = seen.entry(h).or_default();
        match list.iter().find(|&&(first, _)| same(first as usize, r)) {
            Some(&(_, g)) => group.push(g),
            None => {
                list.push((r as u32, groups));
                group.push(groups);
                groups += 1;
            }
        }
    }
    (group, groups as usize)
}

fn quality(data: &Dataset, y: &[u32], stats: &[ColumnStats]) -> Quality {
    let n = data.n_rows();
    let mut missing: Vec<MissingColumn> = stats
        .iter()
        .filter(|s| s.missing > 0)
        .map(|s| MissingColumn {
            column: s.name.clone(),
            missing: s.missing,
            share: s.missing as f64 / n.max(1) as f64,
        })
        .collect();
    missing.sort_by(|a, b| b.missing.cmp(&a.missing).then(a.column.cmp(&b.column)));

    let all: Vec<&Column> = data.columns.iter().collect();
    let (_, distinct_rows) = row_groups(n, &all, Some(data.labels.as_slice()));
    let features: Vec<&Column> = data
        .columns
        .iter()
        .filter(|c| c.role == Role::Feature)
        .collect();
    let (group, distinct_features) = row_groups(n, &features, None);
    // Class of each feature group: the first class seen, or CONFLICT once a second one shows up.
    const NONE: u32 = u32::MAX;
    const CONFLICT: u32 = u32::MAX - 1;
    let mut class_of = vec![NONE; distinct_features];
    for r in 0..n {
        if y[r] == MISSING {
            continue;
        }
        let g = &mut class_of[group[r] as usize];
        if *g == NONE {
            *g = y[r];
        } else if *g != y[r] {
            *g = CONFLICT;
        }
    }
    let conflicting_rows = (0..n)
        .filter(|&r| y[r] != MISSING && class_of[group[r] as usize] == CONFLICT)
        .count() as u64;

    let constant_columns = data
        .columns
        .iter()
        .zip(stats)
        .filter(|(_, s)| s.unique <= 1)
        .map(|(c, s)| ConstantColumn {
            column: c.name.clone(),
            value: match &c.data {
                ColumnData::Numeric(_) => s.min.map(format_value),
                ColumnData::Text(_) => s.top.first().map(|v| v.value.clone()),
            },
        })
        .collect();
    Quality {
        missing,
        duplicate_rows: (n - distinct_rows) as u64,
        duplicate_feature_rows: (n - distinct_features) as u64,
        conflicting_rows,
        feature_columns: features.iter().map(|c| c.name.clone()).collect(),
        constant_columns,
        warnings: data.warnings.clone(),
        failed: data.failed.clone(),
    }
}

/// A number as the tables show it: integers without a fraction, others with up to 6 significant
/// digits.
pub fn format_value(x: f64) -> String {
    if x.is_nan() {
        return String::new();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..15).contains(&magnitude) {
        return format!("{x:.3e}");
    }
    let decimals = (5 - magnitude).clamp(0, 10) as usize;
    let s = format!("{x:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// How a column's values map to bins.
struct Binning {
    log: bool,
    edges: Vec<f64>,
    /// Linear (or log10(1+x)) position of the first edge and the width of a bin.
    start: f64,
    width: f64,
    bins: usize,
}

impl Binning {
    fn new(vals: &[f64]) -> Option<Binning> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut integers = true;
        for &x in vals.iter().filter(|x| !x.is_nan()) {
            lo = lo.min(x);
            hi = hi.max(x);
            integers &= x == x.trunc();
        }
        if lo > hi {
            return None;
        }
        if integers && hi - lo < 30.0 {
            // One bin per integer value.
            let bins = (hi - lo) as usize + 1;
            let edges = (0..=bins).map(|i| lo - 0.5 + i as f64).collect();
            return Some(Binning {
                log: false,
                edges,
                start: lo - 0.5,
                width: 1.0,
                bins,
            });
        }
        let bins = HISTOGRAM_BINS;
        if lo >= 0.0 && skewed(vals, lo, hi) {
            let (a, b) = ((lo + 1.0).log10(), (hi + 1.0).log10());
            let width = (b - a) / bins as f64;
            let edges = (0..=bins)
                .map(|i| {
                    if i == 0 {
                        lo
                    } else if i == bins {
                        hi
                    } else {
                        10f64.powf(a + width * i as f64) - 1.0
                    }
                })
                .collect();
            return Some(Binning {
                log: true,
                edges,
                start: a,
                width,
                bins,
            });
        }
        let width = (hi - lo) / bins as f64;
        let edges = (0..=bins)
            .map(|i| if i == bins { hi } else { lo + width * i as f64 })
            .collect();
        Some(Binning {
            log: false,
            edges,
            start: lo,
            width,
            bins,
        })
    }

    fn bin(&self, x: f64) -> usize {
        let t = if self.log { (x + 1.0).log10() } else { x };
        let i = ((t - self.start) / self.width).floor();
        if i.is_nan() || i < 0.0 {
            0
        } else {
            (i as usize).min(self.bins - 1)
        }
    }
}

/// Whether non-negative values in `lo..=hi` are better binned in log10(1 + x): the range spans
/// three orders of magnitude, or the largest value is 50 times the median or more (byte counts,
/// durations).
fn skewed(vals: &[f64], lo: f64, hi: f64) -> bool {
    if (hi + 1.0) / (lo + 1.0) >= 1000.0 {
        return true;
    }
    let mut present: Vec<f64> = vals.iter().copied().filter(|x| !x.is_nan()).collect();
    let mid = present.len() / 2;
    let (_, median, _) = present.select_nth_unstable_by(mid, f64::total_cmp);
    (hi + 1.0) / (*median + 1.0) >= 50.0
}

/// Mutual information (bits) of the contingency table `table[class][bin]`.
fn mutual_information(table: &[Vec<u64>]) -> f64 {
    let total: u64 = table.iter().flatten().sum();
    if total == 0 {
        return 0.0;
    }
    let bins = table.first().map_or(0, Vec::len);
    let by_bin: Vec<u64> = (0..bins)
        .map(|b| table.iter().map(|r| r[b]).sum())
        .collect();
    let t = total as f64;
    let mut mi = 0.0;
    for row in table {
        let by_class: u64 = row.iter().sum();
        for (b, &c) in row.iter().enumerate() {
            if c > 0 {
                let p = c as f64 / t;
                mi += p * (c as f64 * t / (by_class as f64 * by_bin[b] as f64)).log2();
            }
        }
    }
    mi.max(0.0)
}

fn histograms(data: &Dataset, y: &[u32], class_names: &[String], unlabelled: bool) -> Histograms {
    let n_classes = class_names.len();
    let mut series: Vec<String> = class_names.to_vec();
    if unlabelled {
        series.push(UNLABELLED.to_string());
    }
    let series_of = |r: usize| {
        if y[r] == MISSING {
            n_classes
        } else {
            y[r] as usize
        }
    };
    let mut features = Vec::new();
    let mut numeric_features = 0;
    for col in data.columns.iter().filter(|c| c.role == Role::Feature) {
        let Some(v) = col.as_numeric() else { continue };
        numeric_features += 1;
        let Some(binning) = Binning::new(v) else {
            continue;
        };
        let mut counts = vec![vec![0u64; binning.bins]; series.len()];
        let mut missing = vec![0u64; series.len()];
        for (r, &x) in v.iter().enumerate() {
            let s = series_of(r);
            if x.is_nan() {
                missing[s] += 1;
            } else {
                counts[s][binning.bin(x)] += 1;
            }
        }
        // Mutual information over the labelled rows, missing as one more bin.
        let table: Vec<Vec<u64>> = (0..n_classes)
            .map(|c| {
                let mut row = counts[c].clone();
                row.push(missing[c]);
                row
            })
            .collect();
        features.push(FeatureHistogram {
            column: col.name.clone(),
            log: binning.log,
            edges: binning.edges,
            counts,
            missing,
            mutual_information: mutual_information(&table),
        });
    }
    features.sort_by(|a, b| b.mutual_information.total_cmp(&a.mutual_information));
    let with_values = features.len();
    let mut notes = Vec::new();
    if with_values > MAX_HISTOGRAMS {
        notes.push(format!(
            "showing the {MAX_HISTOGRAMS} of {with_values} numeric features that tell the classes apart best (mutual information)"
        ));
        features.truncate(MAX_HISTOGRAMS);
    }
    if with_values < numeric_features {
        notes.push(format!(
            "{} numeric features have no value in any row",
            numeric_features - with_values
        ));
    }
    Histograms {
        series,
        features,
        numeric_features,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

fn correlation(data: &Dataset) -> Correlation {
    let n = data.n_rows();
    let mut cols: Vec<(&str, &[f64])> = data
        .columns
        .iter()
        .filter(|c| c.role == Role::Feature)
        .filter_map(|c| c.as_numeric().map(|v| (c.name.as_str(), v)))
        .filter(|(_, v)| v.iter().any(|x| !x.is_nan()))
        .collect();
    let mut notes = Vec::new();
    if cols.len() > MAX_CORRELATION_FEATURES {
        notes.push(format!(
            "the first {MAX_CORRELATION_FEATURES} of {} numeric features",
            cols.len()
        ));
        cols.truncate(MAX_CORRELATION_FEATURES);
    }
    let rows: Vec<usize> = if n > CORRELATION_SAMPLE {
        let mut all: Vec<usize> = (0..n).collect();
        FlowRng::new(SEED, 0xc0).shuffle(&mut all);
        all.truncate(CORRELATION_SAMPLE);
        all.sort_unstable();
        notes.push(format!(
            "computed on a random sample of {CORRELATION_SAMPLE} of {n} rows (seed {SEED})"
        ));
        all
    } else {
        (0..n).collect()
    };
    // Centre each column on its sample mean first: the pairwise sums then lose no precision.
    let centred: Vec<Vec<f64>> = cols
        .iter()
        .map(|(_, v)| {
            let (s, k) = rows
                .iter()
                .map(|&r| v[r])
                .filter(|x| !x.is_nan())
                .fold((0.0, 0usize), |(s, k), x| (s + x, k + 1));
            let mean = if k > 0 { s / k as f64 } else { 0.0 };
            rows.iter().map(|&r| v[r] - mean).collect()
        })
        .collect();
    let k = cols.len();
    let mut values = vec![vec![None; k]; k];
    for i in 0..k {
        for j in i..k {
            let r = pearson(&centred[i], &centred[j]);
            values[i][j] = r;
            values[j][i] = r;
        }
    }
    Correlation {
        columns: cols.iter().map(|(name, _)| name.to_string()).collect(),
        values,
        rows_used: rows.len(),
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// Pearson's r over the positions where both have a value.
fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let (mut n, mut sa, mut sb) = (0usize, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        if !x.is_nan() && !y.is_nan() {
            n += 1;
            sa += x;
            sb += y;
        }
    }
    if n < 2 {
        return None;
    }
    let (ma, mb) = (sa / n as f64, sb / n as f64);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (&x, &y) in a.iter().zip(b) {
        if !x.is_nan() && !y.is_nan() {
            let (dx, dy) = (x - ma, y - mb);
            sab += dx * dy;
            saa += dx * dx;
            sbb += dy * dy;
        }
    }
    if saa <= 0.0 || sbb <= 0.0 {
        return None;
    }
    Some((sab / (saa * sbb).sqrt()).clamp(-1.0, 1.0))
}

fn leakage_scan(data: &Dataset, y: &[u32], n_classes: usize, classes: &[ClassCount]) -> Leakage {
    let none = |note: &str| Leakage {
        findings: Vec::new(),
        split: String::new(),
        note: Some(note.to_string()),
    };
    match classes.len() {
        0 => return none("no labelled rows: the leakage scan needs labels"),
        1 => {
            return none(&format!(
                "only one class ({}): the leakage scan needs two or more",
                classes[0].name
            ))
        }
        _ => {}
    }
    let s = split::stratified_holdout(y, LEAKAGE_TEST_SIZE, SEED);
    let findings = leakage::detect(data, y, n_classes, &s);
    Leakage {
        split: format!(
            "stratified {} % hold-out (seed {SEED}): {} training / {} test rows",
            (LEAKAGE_TEST_SIZE * 100.0).round(),
            s.train.len(),
            s.test.len()
        ),
        note: findings
            .is_empty()
            .then(|| "too few labelled rows to hold any out".to_string()),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binning_integer_log_and_linear() {
        let b = Binning::new(&[0.0, 1.0, 3.0, f64::NAN]).unwrap();
        assert!(!b.log);
        assert_eq!(b.edges, vec![-0.5, 0.5, 1.5, 2.5, 3.5]);
        assert_eq!((b.bin(0.0), b.bin(3.0)), (0, 3));
        let b = Binning::new(&[0.0, 10.0, 99_999.0]).unwrap();
        assert!(b.log);
        assert_eq!(b.edges.len(), HISTOGRAM_BINS + 1);
        assert_eq!((b.bin(0.0), b.bin(99_999.0)), (0, HISTOGRAM_BINS - 1));
        // log10(11) / 5 * 24 = 4.9987: bin 4.
        assert_eq!(b.bin(10.0), 4);
        assert!(b.edges[4] <= 10.0 && 10.0 < b.edges[5]);
        let b = Binning::new(&[-1.0, 0.5, 1.0]).unwrap();
        assert!(!b.log);
        assert_eq!((b.bin(-1.0), b.bin(1.0), b.bin(0.0)), (0, 23, 12));
        assert!(Binning::new(&[f64::NAN]).is_none());
        // 0.5 … 322 with a median of 3: skewed, log bins although the range is under 1000×.
        let mut v = vec![0.5, 2.0, 3.0, 4.0, 322.0];
        assert!(Binning::new(&v).unwrap().log);
        v[4] = 100.0;
        assert!(!Binning::new(&v).unwrap().log);
    }

    #[test]
    fn mutual_information_of_perfect_and_useless_splits() {
        let perfect = vec![vec![5, 0], vec![0, 5]];
        assert!((mutual_information(&perfect) - 1.0).abs() < 1e-12);
        let useless = vec![vec![3, 3], vec![2, 2]];
        assert!(mutual_information(&useless).abs() < 1e-12);
    }

    #[test]
    fn pearson_matches_hand_values() {
        let a = [1.0, 2.0, 3.0, f64::NAN];
        let b = [2.0, 4.0, 6.5, 1.0];
        let r = pearson(&a, &b).unwrap();
        // numpy.corrcoef([1,2,3],[2,4,6.5])[0,1], by hand in Python
        assert!((r - 0.997_948_715_788_673_3).abs() < 1e-12, "{r}");
        assert_eq!(pearson(&[1.0, 1.0], &[1.0, 2.0]), None);
    }

    #[test]
    fn values_format_for_tables() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(0.5), "0.5");
        assert_eq!(format_value(1.0 / 3.0), "0.333333");
        assert_eq!(format_value(12345.678), "12345.7");
        assert_eq!(format_value(1e-7), "1.000e-7");
    }
}
