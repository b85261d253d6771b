//! `flowlab tune`: a hyper-parameter search ([`crate::job::tune`]) printed as a trials table and
//! the best settings as `--set` arguments for `flowlab train`.

use std::time::Instant;

use clap::builder::PossibleValuesParser;

use super::train::spec_with;
use super::{load, print, ReadArgs};
use crate::features::FeatureOptions;
use crate::job::tune::{self, Metric, Objective, Strategy, TuneOptions};
use crate::models::registry;
use crate::report::export::json_document;
use crate::report::shape::tune as shape;

/// Options of `flowlab tune`.
#[derive(clap::Args, Debug)]
pub(super) struct TuneArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// Model whose parameter table is searched (`flowlab models` shows the search ranges).
    #[arg(long, value_parser = PossibleValuesParser::new(registry::names()), default_value = "gbdt")]
    model: String,
    /// Configurations drawn (successive halving fits them all on 1/9 of the training rows first).
    #[arg(long, default_value_t = 20)]
    trials: usize,
    /// Start no trial after this many seconds; the trials done are reported.
    #[arg(long, value_name = "S")]
    budget_seconds: Option<f64>,
    /// How trials are scored: by capture (group k-fold over the files; the default with two or
    /// more files), cv (stratified 3-fold × 2; the default with one file) or holdout (25 %).
    #[arg(long, value_parser = ["by-capture", "cv", "holdout"])]
    objective: Option<String>,
    /// The score maximised.
    #[arg(long, value_parser = ["macro-f1", "accuracy", "balanced-accuracy", "mcc"], default_value = "macro-f1")]
    metric: String,
    /// Successive halving on the share of training rows (keep the best 1/3 per rung), or plain
    /// random search on every row.
    #[arg(long, value_parser = ["halving", "random"], default_value = "halving")]
    strategy: String,
    /// A hyper-parameter every trial keeps, as NAME=VALUE (repeatable); it is not searched.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Use port columns as features (they often leak the capture).
    #[arg(long)]
    include_ports: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn options(a: &TuneArgs) -> Result<TuneOptions, String> {
    // The fixed settings are checked against the table here, so errors name the --set.
    let fixed_spec = spec_with(&a.model, &a.set)?;
    let fixed_values = fixed_spec.values();
    let mut o = TuneOptions::new(&a.model, a.trials);
    o.fixed = a
        .set
        .iter()
        .filter_map(|s| s.split_once('=').map(|(k, _)| k.trim().to_string()))
        .filter_map(|k| fixed_values.get(&k).cloned().map(|v| (k, v)))
        .collect();
    o.budget_seconds = a.budget_seconds;
    o.seed = a.read.seed;
    o.objective = a
        .objective
        .as_deref()
        .map(Objective::parse)
        .transpose()
        .map_err(|e| e.to_string())?;
    o.metric = Metric::parse(&a.metric).map_err(|e| e.to_string())?;
    o.strategy = if a.strategy == "random" {
        Strategy::Random
    } else {
        Strategy::Halving
    };
    o.taxonomy = a.read.taxonomy.into();
    o.features = FeatureOptions {
        include_ports: a.include_ports,
        ..Default::default()
    };
    o.label_map = super::read_label_map(a.read.map.as_deref())?;
    Ok(o)
}

pub(super) fn run(a: &TuneArgs) -> i32 {
    let o = match options(a) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("flowlab tune: {e}");
            return 2;
        }
    };
    let data = match load(&a.read, None, "tune") {
        Ok(d) => d,
        Err(e) => {
            eprintln!("flowlab tune: {e}");
            return 2;
        }
    };
    for f in &data.failed {
        eprintln!("flowlab tune: skipped {}", f.message);
    }
    let t0 = Instant::now();
    let quiet = a.json || !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut clock = || t0.elapsed().as_secs_f64();
    let mut on_result = |t: &tune::Tuner| {
        if !quiet {
            let (done, total) = t.progress();
            let best = t.best().and_then(|b| b.score()).unwrap_or(f64::NAN);
            eprint!("\rtuning {done}/{total} fits, best {best:.4}");
        }
        true
    };
    let tuner = match tune::run(&data, o, &mut clock, &mut on_result) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("\nflowlab tune: {e}");
            return 2;
        }
    };
    if !quiet {
        eprintln!();
    }
    let seconds = t0.elapsed().as_secs_f64();
    if a.json {
        print(&json_document(&shape::json(&tuner, seconds)));
    } else {
        print(&shape::text(&tuner, seconds));
    }
    0
}
