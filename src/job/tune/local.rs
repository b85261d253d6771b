//! A search run in this thread (the CLI's `flowlab tune`): each round prepared once, then its
//! trials fitted and scored one after the other, so the budget and a cancel are checked between
//! trials.

use super::{TuneError, TuneOptions, Tuner};
use crate::ingest::{Dataset, MISSING};
use crate::job::{assemble, prepare, run_task, FitData, TaskOutput, TrainError};
use crate::models::no_progress;

/// Source files with at least one labelled row under the options' taxonomy and label map.
pub fn captures(data: &Dataset, options: &TuneOptions) -> usize {
    let (y, _) = data.labels_with(options.taxonomy, &options.label_map);
    let sources: std::collections::BTreeSet<u32> = y
        .iter()
        .zip(&data.sources)
        .filter(|(&c, _)| c != MISSING)
        .map(|(_, &s)| s)
        .collect();
    sources.len()
}

/// Runs a search on `data`. `clock` gives seconds (any origin); `on_result` sees the tuner after
/// each trial's result and returns `false` to cancel — the trials done are kept, as when the
/// budget runs out. A data-level error (no labels, one class, too little memory) ends the search;
/// a trial whose fit fails is recorded with its error and the search goes on.
pub fn run(
    data: &Dataset,
    options: TuneOptions,
    clock: &mut dyn FnMut() -> f64,
    on_result: &mut dyn FnMut(&Tuner) -> bool,
) -> Result<Tuner, TuneError> {
    let mut tuner = Tuner::new(options.clone(), captures(data, &options))?;
    let start = clock();
    'rounds: while let Some(round) = tuner.next_round() {
        let prepared = prepare(data, &round.request, 1)?;
        // Every fit's training data, made once per round and shared by its trials.
        let mut cache: Vec<Option<FitData>> = vec![None; prepared.fits.len()];
        for (m, &trial) in round.trials.iter().enumerate() {
            if tuner.over_budget(clock() - start) {
                tuner.stop();
                break 'rounds;
            }
            let t0 = clock();
            let result = fit_and_score(data, &prepared, m, &mut cache, &tuner);
            let now = clock();
            let result = match result {
                Ok(s) => Ok(s),
                Err(TrainError::Model(e)) => Err(e.to_string()),
                Err(e) => return Err(e.into()),
            };
            tuner.record(trial, result, now - t0, now - start);
            if !on_result(&tuner) {
                tuner.stop();
                break 'rounds;
            }
        }
    }
    Ok(tuner)
}

/// Fits every task of model `m` of a prepared round and scores it with the search's metric.
fn fit_and_score(
    data: &Dataset,
    prepared: &crate::job::Prepared,
    m: usize,
    cache: &mut [Option<FitData>],
    tuner: &Tuner,
) -> Result<f64, TrainError> {
    let spec = &prepared.request.models[m];
    let mut outputs: Vec<TaskOutput> = Vec::new();
    for task in prepared.plan.tasks.iter().filter(|t| t.model == m) {
        if cache[task.fit].is_none() {
            cache[task.fit] = Some(prepared.fit_data(data, task.fit)?);
        }
        let Some(fd) = &cache[task.fit] else {
            continue;
        };
        outputs.push(run_task(fd, spec, task, &mut no_progress())?);
    }
    let (trained, _) = assemble(data, prepared, m, outputs, &mut no_progress())?;
    Ok(tuner.options.metric.of(&trained.meta.metrics))
}
