//! The loaded data: typed columns, one raw label per row, and where every row came from.

use std::collections::{BTreeMap, BTreeSet};

use super::columns::{Column, ColumnData, MISSING};
use super::error::Warning;
use super::family::iot23_capture_family;
use super::label_map::LabelMap;
use super::labels::Taxonomy;
use super::summary::{ColumnSummary, FileFailure, FileReport, Summary};
use super::table::Table;

/// Rows read from one or more files.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub columns: Vec<Column>,
    /// Raw label code per row (index into `label_names`), or [`MISSING`] for unlabelled rows.
    pub labels: Vec<u32>,
    pub label_names: Vec<String>,
    /// Index into `files` of each row's source file (= capture, for splitting by capture).
    pub sources: Vec<u32>,
    /// Line of each row in its file.
    pub lines: Vec<u64>,
    pub files: Vec<FileReport>,
    pub failed: Vec<FileFailure>,
    pub warnings: Vec<Warning>,
    /// The taxonomy the data was loaded with.
    pub taxonomy: Taxonomy,
}

/// The warnings about the files' shapes: columns that some files have and others lack (all
/// missing), and files without labels among labelled ones. `present[f][c]`: whether file `f`
/// has a value in column `columns[c]`.
pub(crate) fn shape_warnings(
    files: &[FileReport],
    columns: &[&str],
    present: &[Vec<bool>],
) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if files.len() > 1 {
        for (f, file) in files.iter().enumerate() {
            let absent: Vec<&str> = (0..columns.len())
                .filter(|&c| !present[f].get(c).copied().unwrap_or(false))
                .map(|c| columns[c])
                .collect();
            if !absent.is_empty() && absent.len() < columns.len() && file.kept > 0 {
                let all_missing = absent.len();
                warnings.push(Warning {
                    file: Some(file.path.clone()),
                    column: None,
                    count: all_missing as u64,
                    examples: absent.iter().take(5).map(|s| s.to_string()).collect(),
                    message: format!("{all_missing} columns of the other files have no value in this file; they count as missing for its rows"),
                });
            }
        }
    }
    let unlabelled_files: Vec<&str> = files
        .iter()
        .filter(|f| f.label_column.is_none())
        .map(|f| f.path.as_str())
        .collect();
    if !unlabelled_files.is_empty() && unlabelled_files.len() < files.len() {
        warnings.push(Warning {
            file: None,
            column: None,
            count: unlabelled_files.len() as u64,
            examples: unlabelled_files.iter().map(|s| s.to_string()).collect(),
            message: "some files have no label column: their rows can be predicted but not used to train or score".into(),
        });
    }
    warnings
}

impl Dataset {
    pub(crate) fn new(
        table: Table,
        files: Vec<FileReport>,
        failed: Vec<FileFailure>,
        warnings: Vec<Warning>,
        taxonomy: Taxonomy,
    ) -> Self {
        let mut data = Dataset::new_batch(table, files, failed, warnings, taxonomy);
        let mut present = vec![vec![false; data.columns.len()]; data.files.len()];
        if data.files.len() > 1 {
            for c in 0..data.columns.len() {
                let missing = data.missing_by_file(c);
                for ((p, m), file) in present.iter_mut().zip(missing).zip(&data.files) {
                    p[c] = m < file.kept;
                }
            }
        }
        let names: Vec<&str> = data.columns.iter().map(|c| c.name.as_str()).collect();
        let shape = shape_warnings(&data.files, &names, &present);
        data.warnings.extend(shape);
        data
    }

    /// A batch of a streamed load: without the warnings about the files' shapes, which only the
    /// whole load can give (see [`SummaryBuilder`](super::SummaryBuilder)).
    pub(crate) fn new_batch(
        table: Table,
        mut files: Vec<FileReport>,
        failed: Vec<FileFailure>,
        mut warnings: Vec<Warning>,
        taxonomy: Taxonomy,
    ) -> Self {
        for &s in &table.sources {
            files[s as usize].kept += 1;
        }
        warnings.extend(table.warnings);
        Dataset {
            columns: table.columns,
            labels: table.labels,
            label_names: table.label_names,
            sources: table.sources,
            lines: table.lines,
            files,
            failed,
            warnings,
            taxonomy,
        }
    }

    fn missing_by_file(&self, col: usize) -> Vec<u64> {
        let mut m = vec![0u64; self.files.len()];
        let column = &self.columns[col];
        for (row, &s) in self.sources.iter().enumerate() {
            let missing = match &column.data {
                ColumnData::Numeric(v) => v[row].is_nan(),
                ColumnData::Text(t) => t.codes[row] == MISSING,
            };
            if missing {
                m[s as usize] += 1;
            }
        }
        m
    }

    pub fn n_rows(&self) -> usize {
        self.sources.len()
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether any row has a label.
    pub fn has_labels(&self) -> bool {
        self.labels.iter().any(|&l| l != MISSING)
    }

    /// Per-row class codes under `taxonomy` (index into the returned, sorted class names), or
    /// [`MISSING`] for unlabelled rows.
    pub fn labels_as(&self, taxonomy: Taxonomy) -> (Vec<u32>, Vec<String>) {
        self.labels_with(taxonomy, &LabelMap::default())
    }

    /// Per-row class codes under `taxonomy` then the user's `map` (index into the returned,
    /// sorted class names), or [`MISSING`] for unlabelled rows and rows of dropped classes.
    ///
    /// Each distinct raw label is mapped once — once per malware family of the files' captures
    /// for the `family` taxonomy, the only one that depends on the file.
    pub fn labels_with(&self, taxonomy: Taxonomy, map: &LabelMap) -> (Vec<u32>, Vec<String>) {
        // Group the files by what the taxonomy sees of them: nothing, or their capture's family.
        let mut contexts: Vec<Option<&'static str>> = vec![None];
        let context_of_file: Vec<usize> = self
            .files
            .iter()
            .map(|f| {
                let c = if taxonomy.uses_file() {
                    iot23_capture_family(&f.path)
                } else {
                    None
                };
                contexts.iter().position(|&x| x == c).unwrap_or_else(|| {
                    contexts.push(c);
                    contexts.len() - 1
                })
            })
            .collect();
        let n = self.label_names.len();
        let mapped: Vec<Option<String>> = contexts
            .iter()
            .flat_map(|&c| {
                self.label_names
                    .iter()
                    .map(move |name| map.apply(&taxonomy.map_for_capture(name, c)))
            })
            .collect();
        let classes: Vec<String> = mapped
            .iter()
            .flatten()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let code_of: Vec<u32> = mapped
            .iter()
            .map(|m| {
                m.as_ref()
                    .and_then(|m| classes.binary_search(m).ok())
                    .map_or(MISSING, |i| i as u32)
            })
            .collect();
        let codes = self
            .labels
            .iter()
            .zip(&self.sources)
            .map(|(&l, &s)| {
                if l == MISSING {
                    MISSING
                } else {
                    let context = context_of_file.get(s as usize).copied().unwrap_or(0);
                    code_of[context * n + l as usize]
                }
            })
            .collect();
        (codes, classes)
    }

    /// Summary under the taxonomy the data was loaded with.
    pub fn summary(&self) -> Summary {
        self.summary_as(self.taxonomy)
    }

    /// Summary with labels folded by `taxonomy`.
    pub fn summary_as(&self, taxonomy: Taxonomy) -> Summary {
        self.summary_with(taxonomy, &LabelMap::default())
    }

    /// Summary with labels folded by `taxonomy`, then mapped by the user's `map` (dropped
    /// classes are not counted).
    pub fn summary_with(&self, taxonomy: Taxonomy, map: &LabelMap) -> Summary {
        let (codes, classes) = self.labels_with(taxonomy, map);
        let mut counts = vec![0u64; classes.len()];
        for &c in &codes {
            if c != MISSING {
                counts[c as usize] += 1;
            }
        }
        let label_counts: BTreeMap<String, u64> = classes
            .into_iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .collect();
        let columns = self
            .columns
            .iter()
            .map(|c| {
                let (kind, distinct) = match &c.data {
                    ColumnData::Numeric(_) => ("numeric", None),
                    ColumnData::Text(t) => {
                        let mut used = vec![false; t.values.len()];
                        t.codes
                            .iter()
                            .filter(|&&x| x != MISSING)
                            .for_each(|&x| used[x as usize] = true);
                        ("text", Some(used.iter().filter(|&&u| u).count() as u64))
                    }
                };
                ColumnSummary {
                    name: c.name.clone(),
                    kind: kind.into(),
                    role: c.role.name().into(),
                    missing: c.missing(),
                    distinct,
                }
            })
            .collect();
        Summary {
            rows: self.n_rows() as u64,
            taxonomy,
            files: self.files.clone(),
            failed: self.failed.clone(),
            label_counts,
            columns,
            warnings: self.warnings.clone(),
        }
    }
}
