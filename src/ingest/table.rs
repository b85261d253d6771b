//! Rows from many files into one table: columns are matched by name across files, a column that a
//! file lacks is missing for that file's rows, and every row remembers its file and line.

use std::collections::HashMap;

use super::columns::{Column, ColumnBuilder, MISSING};
use super::dict::Dict;
use super::error::Warning;
use super::layouts::{Parse, Role};

/// A file's columns as the table sees them.
#[derive(Debug, Clone)]
pub(crate) struct FileColumns {
    pub names: Vec<String>,
    pub roles: Vec<Role>,
    pub parses: Vec<Parse>,
}

#[derive(Debug, Default)]
pub(crate) struct TableBuilder {
    cols: Vec<ColumnBuilder>,
    by_name: HashMap<String, usize>,
    rows: usize,
    labels: Vec<u32>,
    label_dict: Dict,
    sources: Vec<u32>,
    lines: Vec<u64>,
}

/// The finished table.
pub(crate) struct Table {
    pub columns: Vec<Column>,
    pub labels: Vec<u32>,
    pub label_names: Vec<String>,
    pub sources: Vec<u32>,
    pub lines: Vec<u64>,
    pub warnings: Vec<Warning>,
}

impl TableBuilder {
    /// Rows added so far, and distinct raw labels among them.
    pub fn counts(&self) -> (usize, usize) {
        (self.rows, self.label_dict.values.len())
    }

    /// Maps a file's columns to table columns, adding the new ones.
    pub fn map_columns(&mut self, fc: &FileColumns) -> Vec<usize> {
        fc.names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let name = name.trim();
                if let Some(&c) = self.by_name.get(name) {
                    return c;
                }
                let mut b = ColumnBuilder::new(name, fc.roles[i], fc.parses[i]);
                b.pad_to(self.rows);
                self.cols.push(b);
                self.by_name.insert(name.to_string(), self.cols.len() - 1);
                self.cols.len() - 1
            })
            .collect()
    }

    pub fn push(
        &mut self,
        file: (u32, &str),
        line: u64,
        map: &[usize],
        fields: &[&str],
        label: Option<&str>,
    ) {
        let at = || format!("{} line {line}:", file.1);
        for (value, &c) in fields.iter().zip(map) {
            self.cols[c].push(value, &at);
        }
        self.rows += 1;
        if map.len() < self.cols.len() {
            for col in &mut self.cols {
                if col.len() < self.rows {
                    col.push_missing();
                }
            }
        }
        self.labels
            .push(label.map_or(MISSING, |l| self.label_dict.code(l)));
        self.sources.push(file.0);
        self.lines.push(line);
    }

    /// Rows pushed so far (since the last [`take`](Self::take)).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The rows pushed so far as a table; the builder is left empty but keeps its columns (by
    /// the same names, roles and parse rules, so the files' column maps stay valid). Label codes
    /// start again from 0 in the next table.
    pub fn take(&mut self) -> Table {
        let cols = self
            .cols
            .iter()
            .map(|b| ColumnBuilder::new(&b.name, b.role, b.parse))
            .collect();
        let by_name = std::mem::take(&mut self.by_name);
        let full = std::mem::replace(
            self,
            TableBuilder {
                cols,
                by_name,
                ..TableBuilder::default()
            },
        );
        full.finish()
    }

    pub fn finish(self) -> Table {
        let mut warnings = Vec::new();
        let columns = self
            .cols
            .into_iter()
            .map(|b| {
                let (col, w) = b.finish();
                warnings.extend(w);
                col
            })
            .collect();
        Table {
            columns,
            labels: self.labels,
            label_names: self.label_dict.values,
            sources: self.sources,
            lines: self.lines,
            warnings,
        }
    }
}
