//! The data worker's memory guard over a load: before reading far (from the files' sizes and
//! the first rows) and while reading, it compares the rows that will be held with what fits
//! ([`crate::data::budget`]) and says whether to go on, to start again with a balanced per-class
//! sample, or to stop.
//!
//! Plain Rust (no browser types), so it is tested natively: `worker::web` calls
//! [`LoadGuard::check`] after every chunk and restarts the read when it answers
//! [`Verdict::Resample`].

use crate::data::budget::{round_down, size, Budget, LoadPlan, RowShape};
use crate::ingest::FileReport;
use crate::ingest::{IngestOptions, LoadState};
pub use crate::report::format::thousands;
use crate::worker::protocol::{Sampling, ToWorker};

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
        }
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
                        "these files hold about {} rows; about {} fit in the page's memory ({}), so a balanced sample of at most {} rows per class is kept",
                        thousands(plan.estimated_rows),
                        thousands(plan.fit_rows),
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
                        "these files hold more rows than fit in the page's memory ({}, about {} rows), so a balanced sample of at most {} rows per class is kept",
                        size(self.budget.memory),
                        thousands(fit),
                        thousands(per_class)
                    ),
                }
            }
        }
    }
}

/// How a load was sampled, for the page: what `options` asked, and why the guard chose it.
pub fn sampling(options: &IngestOptions, why: Option<String>) -> Sampling {
    Sampling {
        per_file: options.max_rows_per_file,
        per_class: options.per_class,
        seed: options.seed,
        auto: why,
    }
}

/// What a crashed worker's last words mean, in words: `ran out of memory` for an allocation that
/// failed (a `capacity overflow` panic, a failed allocation, or a bare trap — the allocator aborts
/// without a panic message when memory cannot grow), `crashed (…)` with the panic's message
/// otherwise.
pub fn crash_cause(message: &str) -> String {
    let m = message.to_ascii_lowercase();
    let memory = [
        "capacity overflow",
        "memory allocation",
        "out of memory",
        "unreachable",
    ];
    if memory.iter().any(|w| m.contains(w)) {
        "ran out of memory".to_string()
    } else {
        let words: Vec<&str> = message.lines().map(str::trim).collect();
        format!("crashed ({})", words.join(" "))
    }
}

/// `7926100` → `7.9 M`, `48200` → `48,200`.
pub fn rows_short(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} M", n as f64 / 1e6)
    } else {
        thousands(n)
    }
}

/// What a message to the data worker has it do, for a crash message (`training rf, gbdt on
/// 7.9 M rows`); `rows` is the size of the loaded data set.
pub fn describe(message: &ToWorker, rows: Option<u64>) -> Option<String> {
    let on = rows.map_or(String::new(), |r| format!(" on {} rows", rows_short(r)));
    Some(match message {
        ToWorker::Load { names, .. } => format!("loading {}", names.join(", ")),
        ToWorker::Prepare { job, .. } => {
            let models: Vec<&str> = job.models.iter().map(|m| m.name()).collect();
            format!("training {}{on}", models.join(", "))
        }
        ToWorker::Assemble { .. } => format!("scoring a trained model{on}"),
        ToWorker::Explore { .. } => format!("computing statistics{on}"),
        ToWorker::ExportData { .. } => format!("writing the data as CSV{on}"),
        ToWorker::Predict { names, .. } => format!("predicting {}", names.join(", ")),
        ToWorker::Crash { .. } => "running a test crash".to_string(),
        _ => return None,
    })
}

/// What sampling kept, in words: `Kept 400,000 of 7,926,100 rows: 50,000 per class.` (with the
/// memory budget's reason when it chose the caps); `None` when nothing was sampled.
pub fn kept_sentence(files: &[FileReport], sampling: &Sampling) -> Option<String> {
    let rows: u64 = files.iter().map(|f| f.rows).sum();
    let kept: u64 = files.iter().map(|f| f.kept).sum();
    let mut caps = Vec::new();
    if let Some(n) = sampling.per_class {
        caps.push(format!("{} per class", thousands(n)));
    }
    if let Some(n) = sampling.per_file {
        caps.push(format!("at most {} per file", thousands(n)));
    }
    if caps.is_empty() {
        return None;
    }
    let mut text = if kept < rows {
        format!(
            "Kept {} of {} rows: {} (seed {}).",
            thousands(kept),
            thousands(rows),
            caps.join(", "),
            sampling.seed
        )
    } else {
        format!(
            "Kept all {} rows ({}: no cap was reached).",
            thousands(rows),
            caps.join(", ")
        )
    };
    if let Some(why) = &sampling.auto {
        text = format!("Sampled to fit in memory: {why}. {text}");
    }
    Some(text)
}
