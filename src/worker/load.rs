//! The data worker's words about a load and a crash: how a load was sampled and why, what a
//! crashed worker was doing and what killed it.
//!
//! The memory guard over a load ([`LoadGuard`]) lives in [`crate::ingest::guard`] (the CLI uses
//! it too); `worker::web` calls [`LoadGuard::check`] after every chunk and restarts the read
//! when it answers [`Verdict::Resample`].

pub use crate::ingest::guard::{LoadGuard, Verdict, MAX_RESAMPLES};
use crate::ingest::{FileReport, IngestOptions};
pub use crate::report::format::thousands;
use crate::worker::protocol::{Sampling, ToWorker};

/// How a load was sampled, for the page: what `options` asked, and why the guard chose it.
pub fn sampling(options: &IngestOptions, why: Option<String>) -> Sampling {
    Sampling {
        per_file: options.max_rows_per_file,
        per_class: options.per_class,
        seed: options.seed,
        auto: why,
    }
}

/// How the page's watchdog begins what it says of a worker that stopped answering.
pub const STOPPED: &str = "stopped answering";

/// What the watchdog says of a worker silent for `seconds` seconds while it had work.
pub fn stopped_answering(seconds: f64) -> String {
    format!("{STOPPED} (no message for {seconds:.0} s while it had work; it was terminated)")
}

/// What a crashed worker's last words mean, in words: `ran out of memory` for an allocation that
/// failed (a `capacity overflow` panic, a failed allocation, or a bare trap — the allocator aborts
/// without a panic message when memory cannot grow), `crashed (…)` with the panic's message
/// otherwise.
pub fn crash_cause(message: &str) -> String {
    // The page's watchdog words a worker that stopped answering itself.
    if message.starts_with(STOPPED) {
        return message.to_string();
    }
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
        ToWorker::Hang { .. } => "running a test hang".to_string(),
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
