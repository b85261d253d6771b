//! Rows from many files into one table: columns are matched by name across files, a column that a
//! file lacks is missing for that file's rows, and every row remembers its file and line.
//!
//! Rows arrive one at a time but are typed a column at a time: [`TableBuilder::push`] copies a
//! row's fields into a small pending block (a few thousand rows of one file), and when the block
//! is full every column reads its own values from it. Columns are independent (each has its own
//! numbers, dictionary and warnings, filled in row order), so natively they are filled in
//! parallel on every core when asked ([`TableBuilder::parallel`]); in wasm one after the other. Either way the result is exactly what
//! pushing value by value gives.

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
    pending: Pending,
    /// Only these columns are typed (see [`TableBuilder::only`]); `None`: all.
    only: Option<Vec<String>>,
    /// Fill the columns of a block on every core (native only; see [`TableBuilder::parallel`]).
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    parallel: bool,
}

/// Rows pushed but not yet typed: one file's rows, their text back to back.
#[derive(Debug, Default)]
struct Pending {
    /// The rows' text: each row's whole record when its fields lie in it (one copy a row), else
    /// its kept fields one after the other.
    text: String,
    /// Where each kept field lies in `text`, field by field (one list per kept field, a
    /// `(start, end)` per row): a column's fill reads its list front to back, where one list of
    /// rows would make it stride over every other field's offsets (~3 MiB per block, read once
    /// per column, was ~15 % of `flowlab inspect`).
    spans: Vec<Vec<(usize, usize)>>,
    /// Rows pending.
    n: usize,
    /// The file's column map; the position in the row of each kept field.
    map: Vec<usize>,
    kept: Vec<usize>,
    /// The file the rows come from (id, name), and the table row of the first pending row.
    file: (u32, String),
    first_row: usize,
}

impl Pending {
    fn rows(&self) -> usize {
        self.n
    }

    /// Copies `record` whole and notes where each kept field lies in it, when every kept field
    /// is a slice of it (found by address: a field's offset is its address less the record's);
    /// `false`, copying nothing, when one is not (a field rewritten by a fix, a missing one).
    /// The copy has the same bytes, so each field's range in it holds the field's text, on
    /// character boundaries.
    fn copy_record(&mut self, record: &str, fields: &[&str]) -> bool {
        let base = record.as_ptr() as usize;
        let start = self.text.len();
        for (k, &j) in self.kept.iter().enumerate() {
            let f = fields.get(j).copied().unwrap_or("");
            let at = (f.as_ptr() as usize).wrapping_sub(base);
            if at > record.len() || f.len() > record.len() - at {
                // Take back the spans of this row noted so far.
                for span in &mut self.spans[..k] {
                    span.pop();
                }
                return false;
            }
            self.spans[k].push((start + at, start + at + f.len()));
        }
        self.text.push_str(record);
        true
    }
}

/// The column map's entry of a field that is not typed (its column is not asked for).
pub(crate) const SKIP: usize = usize::MAX;

/// Rows held before the columns are filled: large enough that the fill of each column is a long
/// loop (and worth a thread), small enough to stay in cache (~0.5 MiB of flow lines).
const PENDING_ROWS: usize = 4096;

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

    /// Natively: fill the columns of each block of rows on all cores (rayon). Off by default:
    /// a caller that already runs one thread per core (streamed prediction) gains nothing, and
    /// values allocated on pool threads but freed on its own spread glibc's heap over one arena
    /// per thread (measured: a streamed predict's peak grew 16 % from 100 k to 400 k rows).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn parallel(&mut self, on: bool) {
        self.parallel = on;
    }

    /// Types only the columns named in `names` (ASCII case ignored); the fields of the others
    /// are never parsed and their columns are not in the table. For a caller that knows what it
    /// will read, such as a model's inputs: a prediction does not intern Zeek's `uid` (a new
    /// string on every row) nor the addresses. Set before the first file.
    pub fn only(&mut self, names: Option<Vec<String>>) {
        self.only = names;
    }

    fn wanted(&self, name: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|n| n.trim().eq_ignore_ascii_case(name)))
    }

    /// Maps a file's columns to table columns, adding the new ones ([`SKIP`] for a column that
    /// is not asked for).
    pub fn map_columns(&mut self, fc: &FileColumns) -> Vec<usize> {
        fc.names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let name = name.trim();
                if !self.wanted(name) {
                    return SKIP;
                }
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

    /// Adds a row: its `fields` (mapped to columns by `map`, from [`map_columns`]), and
    /// `record`, when given, the text that every field is a slice of (the record's line): then
    /// the row is copied in one piece.
    ///
    /// [`map_columns`]: Self::map_columns
    pub fn push(
        &mut self,
        file: (u32, &str),
        line: u64,
        map: &[usize],
        fields: &[&str],
        record: Option<&str>,
        label: Option<&str>,
    ) {
        let p = &mut self.pending;
        if p.rows() > 0 && (p.file.0 != file.0 || p.map != map) {
            self.flush();
        }
        let p = &mut self.pending;
        if p.n == 0 {
            p.map.clear();
            p.map.extend_from_slice(map);
            p.kept.clear();
            p.kept.extend((0..map.len()).filter(|&j| map[j] != SKIP));
            p.spans.resize_with(p.kept.len(), Vec::new);
            if p.file.0 != file.0 || p.file.1 != file.1 {
                p.file = (file.0, file.1.to_string());
            }
            p.first_row = self.rows;
        }
        if !record.is_some_and(|r| p.copy_record(r, fields)) {
            // A row shorter than the map (the file parser checks widths, so only a caller's
            // slip) gets missing values, as pushing value by value would give.
            for (span, &j) in p.spans.iter_mut().zip(&p.kept) {
                let start = p.text.len();
                p.text.push_str(fields.get(j).copied().unwrap_or(""));
                span.push((start, p.text.len()));
            }
        }
        p.n += 1;
        self.rows += 1;
        self.labels
            .push(label.map_or(MISSING, |l| self.label_dict.code(l)));
        self.sources.push(file.0);
        self.lines.push(line);
        if self.pending.rows() >= PENDING_ROWS {
            self.flush();
        }
    }

    /// Types the pending rows into their columns (all columns at once natively), then pads the
    /// columns the file lacks.
    fn flush(&mut self) {
        let p = std::mem::take(&mut self.pending);
        let n = p.rows();
        if n > 0 {
            // The field that feeds each column (a column appears at most once in a file's map).
            let mut field_of = vec![usize::MAX; self.cols.len()];
            for (j, &f) in p.kept.iter().enumerate() {
                field_of[p.map[f]] = j;
            }
            let lines = &self.lines[p.first_row..p.first_row + n];
            let fill = |(c, col): (usize, &mut ColumnBuilder)| {
                let j = field_of[c];
                if j == usize::MAX {
                    return;
                }
                let spans = &p.spans[j];
                let value = |r: usize| {
                    let (start, end) = spans[r];
                    &p.text[start..end]
                };
                let at = |r: usize| format!("{} line {}:", p.file.1, lines[r]);
                col.push_block(n, value, at);
            };
            #[cfg(not(target_arch = "wasm32"))]
            if self.parallel {
                use rayon::prelude::*;
                self.cols.par_iter_mut().enumerate().for_each(fill);
            } else {
                self.cols.iter_mut().enumerate().for_each(fill);
            }
            #[cfg(target_arch = "wasm32")]
            self.cols.iter_mut().enumerate().for_each(fill);
        }
        for col in &mut self.cols {
            col.pad_to(self.rows);
        }
        // Keep the buffers (and the file's name) for the next block.
        let mut p = p;
        p.text.clear();
        p.spans.iter_mut().for_each(Vec::clear);
        p.n = 0;
        self.pending = p;
    }

    /// Rows pushed so far (since the last [`take`](Self::take)).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The rows pushed so far as a table; the builder is left empty but keeps its columns (by
    /// the same names, roles and parse rules, so the files' column maps stay valid). Label codes
    /// start again from 0 in the next table.
    pub fn take(&mut self) -> Table {
        self.flush();
        let cols = self.cols.iter().map(ColumnBuilder::fresh).collect();
        let by_name = std::mem::take(&mut self.by_name);
        let rows = self.rows;
        let pending = std::mem::take(&mut self.pending);
        let only = self.only.clone();
        let full = std::mem::replace(
            self,
            TableBuilder {
                cols,
                by_name,
                labels: Vec::with_capacity(rows),
                label_dict: Dict::default(),
                sources: Vec::with_capacity(rows),
                lines: Vec::with_capacity(rows),
                rows: 0,
                pending,
                only,
                parallel: self.parallel,
            },
        );
        full.finish()
    }

    pub fn finish(mut self) -> Table {
        self.flush();
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
