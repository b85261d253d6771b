//! The memory budget: how many rows fit in a worker, before and while loading, and whether a
//! training job or a prediction fits before anything big is allocated.
//!
//! A wasm32 worker has at most 4 GiB of linear memory, and no single allocation (a `Vec`) may
//! exceed `isize::MAX` bytes (2 GiB): past that `Vec` panics with `capacity overflow`, and past
//! the 4 GiB the allocator aborts — either way the worker dies. [`Budget::WASM32`] keeps a margin
//! under both; natively the limits are those of a 64-bit address space ([`Budget::current`]).
//!
//! The costs are counted per row from the shape of the data ([`RowShape`]: bytes of text per row
//! and how many numeric and text columns), learnt from the first chunk of the first file:
//!
//! - **loading** ([`RowShape::loading_bytes`]): while a file is read every column holds an `f64`
//!   per row and text columns also a `(row, code)` pair; labels, sources and line numbers are 16
//!   bytes; growing `Vec`s hold up to twice what they use (counted as ×[`GROWTH`]); dictionaries of
//!   near-unique text (Zeek's `uid`) hold about the text itself again;
//! - **held for sampling** ([`RowShape::held_bytes`]): a reservoir keeps a row as strings, one
//!   boxed string per field (its text plus ~16 bytes of pointer, length and allocator overhead);
//! - **training** ([`TrainShape`]): in the data worker, per fit, the full feature matrix (rows ×
//!   features × 4 bytes), the fit's training rows copied out of it, and their serialised payload
//!   (whose buffer grows by doubling, so up to twice its size), with every fit's payload kept until
//!   the pool has it; in each pool worker, the payload as received, the decoded matrix, and the
//!   models' working set (binned bytes, gradients). See `job::prepare` and `worker::handlers`.
//!
//! ```
//! use flowlab::data::budget::{Budget, RowShape};
//! // A Zeek conn.log: ~136 bytes a line, 12 numeric and 9 text columns.
//! let shape = RowShape { bytes_per_row: 136.0, numeric: 12, text: 9 };
//! let plan = Budget::WASM32.plan_load(1_000_000_000, &shape, 8);
//! assert!(plan.estimated_rows > 7_000_000);
//! assert!(plan.sample && plan.fit_rows < plan.estimated_rows);
//! ```

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One gibibyte.
pub const GIB: u64 = 1 << 30;
/// One mebibyte.
pub const MIB: u64 = 1 << 20;
/// Growing `Vec`s hold on average this much more than they use (capacity doubles when full).
pub const GROWTH: f64 = 1.5;
/// Bytes of bookkeeping per loaded row: label code, source file, line number.
const ROW_BOOKKEEPING: f64 = 16.0;
/// Features derived beyond the columns (ratios, rates, history letters, hour of day).
const ENGINEERED: usize = 12;
/// Columns a text column becomes once one-hot encoded, on average.
const ONE_HOT: usize = 4;

/// What a worker may use.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Budget {
    /// Bytes the worker may hold at its peak.
    pub memory: u64,
    /// Bytes one allocation may have.
    pub max_alloc: u64,
}

/// Why something does not fit.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum BudgetError {
    #[error("training {rows} rows × {features} features needs about {need} in the page's data worker, which can use {have}; sample the data on the Data tab (rows per class) to at most {fit} rows")]
    Train {
        rows: u64,
        features: usize,
        need: String,
        have: String,
        fit: u64,
    },
    #[error("training {rows} rows × {features} features needs one block of {need}, more than the {have} a block can have in the page; sample the data on the Data tab (rows per class) to at most {fit} rows")]
    Block {
        rows: u64,
        features: usize,
        need: String,
        have: String,
        fit: u64,
    },
    #[error(
        "{what}: about {rows} rows need {need}, more than the {have} the page can use; {advice}"
    )]
    Rows {
        what: &'static str,
        rows: u64,
        need: String,
        have: String,
        advice: &'static str,
    },
}

/// The shape of a file's rows, from its first chunk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RowShape {
    /// Bytes of input per row (compressed bytes for a compressed file).
    pub bytes_per_row: f64,
    /// Columns read as numbers.
    pub numeric: usize,
    /// Columns read as text.
    pub text: usize,
}

/// One training job, as far as memory goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainShape {
    /// Rows of the data set (every fit's matrix is computed over all of them).
    pub rows: u64,
    pub features: usize,
    /// Fits whose payloads are built: hold-out 1, k-fold k × repeats, + by-capture folds, + final.
    pub fits: usize,
    /// Training rows of the largest fit.
    pub train_rows: u64,
}

/// What the data worker and each pool worker need for a job, and its largest single block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainCost {
    pub data_worker: u64,
    pub pool_worker: u64,
    pub largest_block: u64,
}

/// How a load should go, decided before reading from the files' sizes and the first chunk.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoadPlan {
    /// Rows the files probably hold.
    pub estimated_rows: u64,
    /// Rows that fit, loaded and then trained on.
    pub fit_rows: u64,
    /// The files hold more than fits: sample.
    pub sample: bool,
    /// Keep at most this many rows per class (balanced), when sampling.
    pub per_class: u64,
}

impl RowShape {
    /// Columns of either kind.
    pub fn columns(&self) -> usize {
        self.numeric + self.text
    }

    /// Model inputs this shape probably gives (numeric columns, one-hot text, engineered).
    pub fn features(&self) -> usize {
        self.numeric + ONE_HOT * self.text + ENGINEERED
    }

    /// Bytes one row costs while its file is read (see the module docs).
    pub fn loading_bytes(&self) -> f64 {
        let columns = 8.0 * self.columns() as f64 + 8.0 * self.text as f64;
        (columns + ROW_BOOKKEEPING) * GROWTH + self.text_bytes()
    }

    /// Bytes one row costs once loaded: an `f64` per numeric column, a `u32` code per text one.
    pub fn loaded_bytes(&self) -> f64 {
        (8.0 * self.numeric as f64 + 4.0 * self.text as f64 + ROW_BOOKKEEPING) + self.text_bytes()
    }

    /// Bytes one row costs while held in a sampling reservoir (its fields as boxed strings).
    pub fn held_bytes(&self) -> f64 {
        self.bytes_per_row.max(1.0) + 16.0 * self.columns() as f64 + 48.0
    }

    /// Dictionary bytes per row: at most the text itself (near-unique identifiers).
    fn text_bytes(&self) -> f64 {
        let share = self.text as f64 / self.columns().max(1) as f64;
        self.bytes_per_row.max(1.0) * share
    }

    /// Bytes a row of training costs in the data worker, with `fits` fits of training share
    /// `train_share` (see [`Budget::training`]), per row of the data set.
    fn training_bytes(&self, fits: usize, train_share: f64) -> f64 {
        let shape = TrainShape {
            rows: 1_000_000,
            features: self.features(),
            fits,
            train_rows: (1_000_000.0 * train_share) as u64,
        };
        Budget::training(&shape).data_worker as f64 / 1_000_000.0
    }
}

/// Formats a byte count for a sentence (`1.5 GiB`, `300 MiB`).
pub fn size(bytes: u64) -> String {
    if bytes >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else {
        format!("{} MiB", bytes.div_ceil(MIB))
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Rounds `n` down to 1, 2 or 5 times a power of ten (50,000 rather than 53,718).
pub fn round_down(n: u64) -> u64 {
    if n < 10 {
        return n.max(1);
    }
    let mut p = 1u64;
    while p * 10 <= n {
        p *= 10;
    }
    [5, 2, 1]
        .into_iter()
        .map(|m| m * p)
        .find(|&v| v <= n)
        .unwrap_or(p)
}

impl Budget {
    /// A wasm32 worker: 3 of its 4 GiB, and blocks of at most 1.5 of the 2 GiB a `Vec` may have.
    pub const WASM32: Budget = Budget {
        memory: 3 * GIB,
        max_alloc: 3 * GIB / 2,
    };

    /// A 64-bit process: no limit short of the address space (the machine's memory is the limit).
    pub const NATIVE: Budget = Budget {
        memory: u64::MAX / 4,
        max_alloc: i64::MAX as u64 / 2,
    };

    /// The budget of the target this runs on.
    pub fn current() -> Budget {
        if cfg!(target_pointer_width = "32") {
            Budget::WASM32
        } else {
            Budget::NATIVE
        }
    }

    /// A smaller budget of `memory` bytes (tests force one to see sampling on modest files);
    /// blocks may have half of it.
    pub fn with_memory(memory: u64) -> Budget {
        let current = Budget::current();
        Budget {
            memory: memory.min(current.memory),
            max_alloc: (memory / 2).min(current.max_alloc),
        }
    }

    /// What training costs (see the module docs): the data worker's peak while it builds the
    /// fits' payloads, a pool worker's while it fits the largest, and the largest block.
    pub fn training(job: &TrainShape) -> TrainCost {
        let (n, t, f) = (job.rows as f64, job.train_rows as f64, job.features as f64);
        let row = 4.0 * f;
        // Each fit's payload: the training matrix and a label per row.
        let payload = t * (row + 4.0);
        // Building one fit: the full matrix, the training rows copied out of it, and the payload's
        // buffer growing by doubling (up to twice the payload).
        let building = n * row + t * row + 2.0 * payload;
        // The split: labels, row indices of every fit, duplicate detection over training rows.
        let split = n * 4.0 + job.fits as f64 * n * 4.0 + t * 16.0;
        // Every finished payload is kept until the page has them all.
        let kept = job.fits.saturating_sub(1) as f64 * payload;
        let data_worker = building + split + kept;
        // The payload as received and copied in, the decoded matrix, binned bytes and gradients.
        let pool_worker = 2.0 * payload + t * (row + f + 16.0);
        let largest_block = (n * row).max(2.0 * payload);
        TrainCost {
            data_worker: data_worker as u64,
            pool_worker: pool_worker as u64,
            largest_block: largest_block as u64,
        }
    }

    /// Checks a training job of shape `job` on a data set holding `held` bytes; the error says how
    /// many rows would fit.
    pub fn check_training(&self, job: &TrainShape, held: u64) -> Result<TrainCost, BudgetError> {
        let cost = Budget::training(job);
        let need = held + cost.data_worker.max(cost.pool_worker);
        // Rows that fit scale linearly with the costs (all of them are per row).
        let scale = |have: f64, need: f64| (job.rows as f64 * have / need.max(1.0)) as u64;
        if cost.largest_block > self.max_alloc {
            return Err(BudgetError::Block {
                rows: job.rows,
                features: job.features,
                need: size(cost.largest_block),
                have: size(self.max_alloc),
                fit: round_down(scale(self.max_alloc as f64, cost.largest_block as f64)),
            });
        }
        if need > self.memory {
            return Err(BudgetError::Train {
                rows: job.rows,
                features: job.features,
                need: size(need),
                have: size(self.memory),
                fit: round_down(scale(self.memory as f64, need as f64)),
            });
        }
        Ok(cost)
    }

    /// Rows of `shape` that fit: loaded (or held while sampling, then loaded) and then trained on
    /// with a 25 % hold-out and a few by-capture fits.
    pub fn rows_that_fit(&self, shape: &RowShape) -> u64 {
        let train = shape.training_bytes(2, 0.8);
        let resident = shape.loaded_bytes() + train;
        let sampling = shape.held_bytes() + shape.loading_bytes();
        let per_row = resident.max(sampling).max(1.0);
        let by_memory = self.memory as f64 / per_row;
        // The full feature matrix is one block.
        let by_block = self.max_alloc as f64 / (4.0 * shape.features() as f64);
        by_memory.min(by_block) as u64
    }

    /// How to load `total_bytes` of files of shape `shape` in which `classes` classes were seen
    /// so far: everything, or a balanced sample of at most `per_class` rows per class.
    pub fn plan_load(&self, total_bytes: u64, shape: &RowShape, classes: usize) -> LoadPlan {
        let estimated_rows = (total_bytes as f64 / shape.bytes_per_row.max(1.0)).ceil() as u64;
        let fit_rows = self.rows_that_fit(shape);
        // Room for a few classes not seen yet in the first chunk.
        let per_class = round_down(fit_rows / (classes + 2).max(4) as u64);
        LoadPlan {
            estimated_rows,
            fit_rows,
            sample: estimated_rows > fit_rows,
            per_class,
        }
    }

    /// While reading: do `table_rows` loaded rows and `held_rows` rows held for sampling still
    /// fit (with room left to train)?
    pub fn check_loading(
        &self,
        shape: &RowShape,
        table_rows: u64,
        held_rows: u64,
    ) -> Result<(), BudgetError> {
        let need =
            table_rows as f64 * shape.loading_bytes() + held_rows as f64 * shape.held_bytes();
        let rows = table_rows + held_rows;
        if rows > self.rows_that_fit(shape) || need > self.memory as f64 {
            return Err(BudgetError::Rows {
                what: "loading",
                rows,
                need: size(need as u64),
                have: size(self.memory),
                advice: "set rows per class or rows per file on the Data tab",
            });
        }
        Ok(())
    }

    /// Can `rows` rows of shape `shape` be read and predicted with `features` model inputs in one
    /// go (rows, their feature matrix, and the predictions kept)?
    pub fn check_predict(
        &self,
        shape: &RowShape,
        rows: u64,
        features: usize,
    ) -> Result<(), BudgetError> {
        let per_row = shape.loading_bytes() + 4.0 * features as f64 + 64.0;
        let need = rows as f64 * per_row;
        let block = rows as f64 * 4.0 * features as f64;
        if need > self.memory as f64 || block > self.max_alloc as f64 {
            return Err(BudgetError::Rows {
                what: "predicting",
                rows,
                need: size(need as u64),
                have: size(self.memory),
                advice: "predict the file in parts",
            });
        }
        Ok(())
    }

    /// Can statistics be computed over `rows` rows of `columns` columns (a sorted copy of a
    /// column and the correlation matrix's inputs at a time) on top of `held` bytes?
    pub fn check_explore(&self, rows: u64, columns: usize, held: u64) -> Result<(), BudgetError> {
        let need = held as f64 + rows as f64 * (16.0 + 8.0 * columns.min(32) as f64);
        if need > self.memory as f64 {
            return Err(BudgetError::Rows {
                what: "exploring",
                rows,
                need: size(need as u64),
                have: size(self.memory),
                advice: "sample the data on the Data tab",
            });
        }
        Ok(())
    }
}
