//! What can go wrong while reading flow files: fatal errors (a file cannot be read at all) and
//! warnings (rows or values that were skipped or treated as missing, with where and why).

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A file (or the whole load) could not be read. Every variant names the file and says what was
/// expected.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum IngestError {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error("{file}: binary content at byte {offset}, not a text flow log or CSV (expected Zeek conn.log, CSV/TSV, or a .gz/.zip of them)")]
    Binary { file: String, offset: u64 },
    #[error("{file}, line {line}: {message}")]
    Format {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{file}: no label column found among [{columns}]; expected one named label, class, attack_cat, attack… — choose the label column")]
    NoLabelColumn { file: String, columns: String },
    #[error("{file}: the chosen label column {name:?} is not in the file (columns: {columns})")]
    LabelColumnMissing {
        file: String,
        name: String,
        columns: String,
    },
    #[error("{file}: cannot decompress: {message}")]
    Decompress { file: String, message: String },
    #[error("{file}: {message}")]
    Io { file: String, message: String },
    #[error("no file could be read: {0}")]
    NothingLoaded(String),
    #[error("cancelled")]
    Cancelled,
}

/// Something the user should know about the loaded data; nothing was lost silently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub file: Option<String>,
    pub column: Option<String>,
    /// How many rows or values this warning is about.
    pub count: u64,
    /// A few examples as `line N: what`.
    pub examples: Vec<String>,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        if let Some(col) = &self.column {
            write!(f, "column {col:?}: ")?;
        }
        write!(f, "{}", self.message)?;
        if !self.examples.is_empty() {
            write!(f, " (e.g. {})", self.examples.join("; "))?;
        }
        Ok(())
    }
}

/// Counts one kind of problem and keeps the first few examples.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tally {
    pub count: u64,
    pub examples: Vec<String>,
}

impl Tally {
    pub const EXAMPLES: usize = 3;

    pub fn add(&mut self, example: impl FnOnce() -> String) {
        self.count += 1;
        if self.examples.len() < Self::EXAMPLES {
            self.examples.push(example());
        }
    }
}
