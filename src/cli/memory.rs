//! The CLI's memory budget: commands that hold the whole data set (`train`, `features`,
//! `sample`, `inspect --max-rows-per-file`) read it through the same guard as the page's data
//! worker ([`crate::ingest::guard`]), held to the machine's available memory (`MemAvailable` of
//! `/proc/meminfo` on Linux, less a margin) or to `--memory-budget MiB`.
//!
//! From the files' sizes and the first rows the guard estimates what the whole load needs; when
//! it would not fit, the read starts again keeping a balanced sample per class, and stderr says
//! so with the numbers. When even a sample cannot fit (or the user chose the caps and they do
//! not fit), the load is refused with a message saying what to change.

use std::path::Path;

use super::{feed_files, ReadArgs};
use crate::data::budget::{size, thousands, Budget, MIB};
use crate::ingest::guard::{LoadGuard, Verdict, MAX_RESAMPLES};
use crate::ingest::{Dataset, IngestOptions, Loader};

/// Share of `MemAvailable` a command may use (the rest is left to the system and other programs).
const MARGIN: f64 = 0.8;

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
pub(super) fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let mut words = line.split_whitespace();
    let n: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => Some(n * 1024),
        _ => None,
    }
}

/// The budget of a command: `--memory-budget` MiB when given, else [`MARGIN`] of the machine's
/// available memory (no limit short of the address space where it cannot be read).
pub(super) fn budget(flag: Option<u64>) -> Budget {
    if let Some(mib) = flag {
        return Budget::with_memory(mib.max(1) * MIB);
    }
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .as_deref()
        .and_then(mem_available)
        .map_or(Budget::NATIVE, |b| {
            Budget::with_memory((b as f64 * MARGIN) as u64)
        })
}

/// Reads `read.files` (keeping at most `per_class` rows per class when given) within the
/// command's memory budget; `command` names the command in what is printed on stderr.
pub(super) fn load(
    read: &ReadArgs,
    per_class: Option<u64>,
    command: &str,
) -> Result<Dataset, String> {
    let budget = budget(read.memory_budget);
    let stdin = read.files.iter().any(|p| p == Path::new("-"));
    let total: u64 = read
        .files
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    let mut options = IngestOptions {
        taxonomy: read.taxonomy.into(),
        label_column: read.label_column.clone(),
        max_rows_per_file: read.max_rows_per_file,
        per_class,
        seed: read.seed,
        max_files: read.max_files,
        sample_files: read.sample_files,
        only_columns: None,
    };
    let auto = !LoadGuard::asked(&options);
    let mut first_plan = None;
    for _ in 0..=MAX_RESAMPLES {
        let mut guard = LoadGuard::new(budget, total, &options, auto).place("memory");
        let mut loader = Loader::new(options.clone());
        loader.fill_columns_in_parallel();
        let mut verdict = Verdict::Go;
        feed_files(&mut loader, &read.files, &mut |l, fed| {
            verdict = guard.check(&l.state(), fed);
            verdict == Verdict::Go
        });
        first_plan = first_plan.or(guard.plan);
        match verdict {
            Verdict::Go => {
                let data = loader.finish().map_err(|e| e.to_string())?;
                if options.per_class != per_class {
                    eprintln!(
                        "flowlab {command}: {}",
                        kept(&data, &options, first_plan, budget)
                    );
                }
                return Ok(data);
            }
            Verdict::Stop(_) => return Err(refusal(&guard, budget, false)),
            Verdict::Resample { per_class, .. } if !stdin => options.per_class = Some(per_class),
            Verdict::Resample { .. } => {
                return Err(format!(
                    "{}; standard input cannot be read twice, so choose a sample with --per-class or --max-rows-per-file",
                    refusal(&guard, budget, true)
                ))
            }
        }
    }
    Err(refusal(
        &LoadGuard::new(budget, total, &options, auto),
        budget,
        true,
    ))
}

/// `kept 400,000 of 7,926,100 rows: 50,000 per class; the whole file needs ~6.1 GiB, 3.9 GiB
/// available; use --per-class/--max-rows-per-file to choose`.
fn kept(
    data: &Dataset,
    options: &IngestOptions,
    plan: Option<crate::data::budget::LoadPlan>,
    budget: Budget,
) -> String {
    let rows: u64 = data.files.iter().map(|f| f.rows).sum();
    let kept: u64 = data.files.iter().map(|f| f.kept).sum();
    let per_class = options.per_class.unwrap_or(0);
    // The costs are per row, so the whole load needs the budget scaled by rows over rows that fit.
    let need = plan.map_or(String::new(), |p| {
        let bytes =
            budget.memory as f64 * rows.max(p.estimated_rows) as f64 / p.fit_rows.max(1) as f64;
        let whole = if data.files.len() == 1 {
            "the whole file needs"
        } else {
            "all the files need"
        };
        format!("{whole} ~{}, ", size(bytes as u64))
    });
    format!(
        "kept {} of {} rows: {} per class; {need}{} available; use --per-class/--max-rows-per-file to choose",
        thousands(kept),
        thousands(rows),
        thousands(per_class),
        size(budget.memory)
    )
}

/// Why a load is refused: the files (or the sample asked for, when `sampled` is false and the
/// user chose the caps) do not fit in the budget.
fn refusal(guard: &LoadGuard, budget: Budget, sampled: bool) -> String {
    let rows = guard.plan.map_or(String::new(), |p| {
        format!(
            " (about {} rows; about {} fit)",
            thousands(p.estimated_rows),
            thousands(p.fit_rows)
        )
    });
    if sampled {
        format!("these files do not fit in the {} of memory available even sampled{rows}: choose smaller caps with --max-rows-per-file and --per-class, or raise --memory-budget", size(budget.memory))
    } else {
        format!("the rows asked for do not fit in the {} of memory available{rows}: lower --per-class or --max-rows-per-file, or raise --memory-budget", size(budget.memory))
    }
}

#[cfg(test)]
mod tests {
    use super::mem_available;

    #[test]
    fn mem_available_reads_kib_from_meminfo() {
        let meminfo = "MemTotal:       16303720 kB\nMemFree:         1034560 kB\nMemAvailable:    4089444 kB\n";
        assert_eq!(mem_available(meminfo), Some(4_089_444 * 1024));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
        assert_eq!(mem_available("MemAvailable: lots kB\n"), None);
    }
}
