//! Where a [`Loader`](super::Loader)'s rows go: straight into the table, or through the per-file
//! and per-class reservoirs, which hand their rows to the table when a file (or the load) ends.

use std::collections::BTreeMap;

use super::file::RowOut;
use super::labels::Taxonomy;
use super::sample::{HeldRow, Reservoir};
use super::table::{FileColumns, TableBuilder};
use crate::data::rng::FlowRng;

/// Receives rows: straight into the table, or through the samplers.
pub(super) struct Output {
    pub(super) table: TableBuilder,
    pub(super) rng: FlowRng,
    pub(super) file_id: u32,
    pub(super) file_names: Vec<String>,
    pub(super) file_cols: Vec<Option<FileColumns>>,
    pub(super) maps: Vec<Option<Vec<usize>>>,
    pub(super) file_res: Option<Reservoir>,
    pub(super) class_res: BTreeMap<String, Reservoir>,
    pub(super) per_file: Option<usize>,
    pub(super) per_class: Option<usize>,
    pub(super) taxonomy: Taxonomy,
}

impl Output {
    /// Whether rows go through a sampler (and so can only be had at the end).
    pub(super) fn samples(&self) -> bool {
        self.per_file.is_some() || self.per_class.is_some()
    }

    pub(super) fn begin_file(&mut self, id: u32, name: &str) {
        self.file_id = id;
        let id = id as usize;
        self.file_names.truncate(id);
        self.file_cols.truncate(id);
        self.maps.truncate(id);
        self.file_names.push(name.to_string());
        self.file_cols.push(None);
        self.maps.push(None);
        self.file_res = self.per_file.map(Reservoir::new);
    }

    /// A file failed before any of its rows were kept: forget it.
    pub(super) fn drop_file(&mut self, id: usize) {
        self.file_res = None;
        self.file_names.truncate(id);
        self.file_cols.truncate(id);
        self.maps.truncate(id);
    }

    pub(super) fn end_file(&mut self) {
        if let Some(res) = self.file_res.take() {
            let mut rows = res.rows;
            rows.sort_by_key(|r| r.line);
            for r in rows {
                self.after_file_cap(r);
            }
        }
    }

    pub(super) fn after_file_cap(&mut self, r: HeldRow) {
        match self.per_class {
            Some(cap) => {
                let key = r.label.as_deref().map_or(String::new(), |l| {
                    let path = self.file_names.get(r.file as usize);
                    self.taxonomy.map_in(l, path.map_or("", |p| p.as_str()))
                });
                let res = self
                    .class_res
                    .entry(key)
                    .or_insert_with(|| Reservoir::new(cap));
                res.offer(&mut self.rng, || r);
            }
            None => self.push_held(r),
        }
    }

    pub(super) fn map(&mut self, file: u32) -> &[usize] {
        let f = file as usize;
        if self.maps[f].is_none() {
            let cols = self.file_cols[f]
                .as_ref()
                .expect("columns announced before rows");
            self.maps[f] = Some(self.table.map_columns(cols));
        }
        self.maps[f].as_deref().unwrap_or(&[])
    }

    pub(super) fn push_held(&mut self, r: HeldRow) {
        let fields: Vec<&str> = r.fields.iter().map(|s| &**s).collect();
        self.push(r.file, r.line, &fields, r.label.as_deref());
    }

    pub(super) fn push(&mut self, file: u32, line: u64, fields: &[&str], label: Option<&str>) {
        let map = self.map(file).to_vec();
        let name = &self.file_names[file as usize];
        self.table
            .push((file, name), line, &map, fields, None, label);
    }

    pub(super) fn finish(mut self) -> super::table::Table {
        if self.per_class.is_some() {
            let mut rows: Vec<HeldRow> = std::mem::take(&mut self.class_res)
                .into_values()
                .flat_map(|r| r.rows)
                .collect();
            rows.sort_by_key(|r| (r.file, r.line));
            for r in rows {
                self.push_held(r);
            }
        }
        self.table.finish()
    }
}

impl RowOut for Output {
    fn columns(&mut self, cols: &FileColumns) {
        let f = self.file_id as usize;
        self.file_cols[f] = Some(cols.clone());
    }

    fn row(&mut self, line: u64, fields: &[&str], record: Option<&str>, label: Option<&str>) {
        if self.per_file.is_none() && self.per_class.is_none() {
            // Fast path: the map is computed once per file, then reused.
            let file = self.file_id;
            if self.maps[file as usize].is_none() {
                self.map(file);
            }
            let map = self.maps[file as usize].as_deref().unwrap_or(&[]);
            let name = &self.file_names[file as usize];
            self.table
                .push((file, name), line, map, fields, record, label);
            return;
        }
        let file = self.file_id;
        let held = || HeldRow {
            file,
            line,
            label: label.map(Into::into),
            fields: fields.iter().map(|s| Box::<str>::from(*s)).collect(),
        };
        match self.file_res.as_mut() {
            Some(res) => res.offer(&mut self.rng, held),
            None => self.after_file_cap(held()),
        }
    }
}
