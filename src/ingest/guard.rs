//! The memory guard over a load: before reading far (from the files' sizes and the first rows)
//! and while reading, it compares the rows that will be held with what fits
//! ([`crate::data::budget`]) and says whether to go on, to start again with a balanced per-class
//! sample, or to stop.
//!
//! Plain Rust, shared by the page's data worker (`worker::web`, whose budget is a wasm32
//! worker's) and the CLI (whose budget is the machine's available memory): both call
//! [`LoadGuard::check`] after every chunk and restart the read when it answers
//! [`Verdict::Resample`].

use crate::data::budget::{round_down, size, thousands, Budget, LoadPlan, RowShape};
use crate::ingest::{IngestOptions, LoadState};

/// Rows of the first file read before its shape is trusted.
const SHAPE_ROWS: u64 = 200;
/// Loads restarted at most this many times (each with half the per-class cap).
pub const MAX_RESAMPLES: u32 = 4;

/// What to do after a chunk.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Go,
    /// Start again keeping at most `per_class` rows per class; `why` says so in words.
    Resample {
        per_class: u64,
        why: String,
    },
    /// Stop: the rows asked for do not fit (the page chose the sampling; the message says what
    /// to change).
    Stop(String),
}

/// Watches one read of the data worker's files.
#[derive(Debug, Clone)]
pub struct LoadGuard {
    budget: Budget,
    /// Bytes of every file of the load.
    total_bytes: u64,
    /// The page asked for no sampling, so the guard may choose it.
    auto: bool,
    per_class: Option<u64>,
    shape: Option<RowShape>,
    /// The plan made from the first rows.
    pub plan: Option<LoadPlan>,
    /// Where the rows must fit, for the sentences (`the page's memory`).
    place: &'static str,
}

impl LoadGuard {
    /// A guard for a load of `total_bytes` with `options` (a guard made for a restarted load
    /// keeps `auto` from the first).
    pub fn new(budget: Budget, total_bytes: u64, options: &IngestOptions, auto: bool) -> Self {
        LoadGuard {
            budget,
            total_bytes,
            auto,
            per_class: options.per_class,
            shape: None,
            plan: None,
            place: "the page's memory",
        }
    }

    /// The same guard, naming `place` as where the rows must fit (the CLI: `memory`).
    pub fn place(self, place: &'static str) -> Self {
        LoadGuard { place, ..self }
    }

    /// The budget the guard holds the load to.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Whether the page asked for sampling itself.
    pub fn asked(options: &IngestOptions) -> bool {
        options.per_class.is_some() || options.max_rows_per_file.is_some()
    }

    /// Checks the load after a chunk: `state` from the loader, `file_fed` bytes of the current
    /// file fed so far (compressed, as read).
    pub fn check(&mut self, state: &LoadState, file_fed: u64) -> Verdict {
        if self.shape.is_none() {
            if state.file_rows < SHAPE_ROWS || file_fed == 0 {
                return Verdict::Go;
            }
            let text_per_fed = state.file_bytes as f64 / file_fed as f64;
            let shape = RowShape {
                bytes_per_row: state.file_bytes as f64 / state.file_rows as f64,
                numeric: state.other_columns,
                text: state.text_columns,
            };
            // The files' bytes as text (a compressed file holds more rows than its size says).
            let text_total = (self.total_bytes as f64 * text_per_fed.max(1.0)) as u64;
            let plan = self.budget.plan_load(text_total, &shape, state.labels);
            self.shape = Some(shape);
            self.plan = Some(plan);
            if plan.sample && self.auto && self.per_class.is_none() {
                return Verdict::Resample {
                    per_class: plan.per_class,
                    why: format!(
                        "these files hold about {} rows; about {} fit in {} ({}), so a balanced sample of at most {} rows per class is kept",
                        thousands(plan.estimated_rows),
                        thousands(plan.fit_rows),
                        self.place,
                        size(self.budget.memory),
                        thousands(plan.per_class)
                    ),
                };
            }
        }
        let Some(shape) = self.shape else {
            return Verdict::Go;
        };
        match self
            .budget
            .check_loading(&shape, state.table_rows, state.held_rows)
        {
            Ok(()) => Verdict::Go,
            Err(e) if !self.auto => Verdict::Stop(e.to_string()),
            Err(_) => {
                let fit = self.budget.rows_that_fit(&shape);
                let per_class = match self.per_class {
                    Some(c) => (c / 2).max(1),
                    None => round_down(fit / (state.labels as u64 + 2).max(4)),
                };
                Verdict::Resample {
                    per_class,
                    why: format!(
                        "these files hold more rows than fit in {} ({}, about {} rows), so a balanced sample of at most {} rows per class is kept",
                        self.place,
                        size(self.budget.memory),
                        thousands(fit),
                        thousands(per_class)
                    ),
                }
            }
        }
    }
}
