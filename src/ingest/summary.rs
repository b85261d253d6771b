//! What a loaded data set looks like, as plain serde data: the Data tab and `flowlab inspect --json`
//! both show exactly this.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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
