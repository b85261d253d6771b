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

use serde::{Deserialize, Serialize};

use crate::eval::capture::{self, CaptureScan};
use crate::eval::leakage::Finding;
use crate::features::FeatureOptions;
use crate::ingest::{Dataset, FileFailure, LabelMap, Taxonomy, Warning, MISSING};

mod columns;
mod correlation;
mod histograms;

pub use columns::format_value;
use columns::{column_stats, quality};
use correlation::{correlation, leakage_scan};
use histograms::histograms;

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
    /// Which input features name the capture (none with one source file); see
    /// [`crate::eval::capture`].
    pub capture: Option<CaptureScan>,
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
    explore_with(data, taxonomy, &LabelMap::default())
}

/// Explores `data` with labels in `taxonomy`, then renamed, merged or dropped by `map`.
pub fn explore_with(data: &Dataset, taxonomy: Taxonomy, map: &LabelMap) -> Exploration {
    let (y, class_names) = data.labels_with(taxonomy, map);
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
        capture: capture::scan_dataset(data, &FeatureOptions::default(), SEED),
    }
}

#[cfg(test)]
mod tests {
    use super::correlation::pearson;
    use super::histograms::{mutual_information, Binning};
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
