//! `flowlab train`.

use std::path::PathBuf;
use std::time::Instant;

use clap::builder::PossibleValuesParser;

use super::{load, print, ReadArgs};
use crate::eval::split::{self, SplitKind};
use crate::features::FeatureOptions;
use crate::job::{self, TrainRequest};
use crate::model_file;
use crate::models::registry::{self, SpecError};
use crate::models::{ModelError, ModelSpec};
use crate::report::export;

/// Options of `flowlab train`.
#[derive(clap::Args, Debug)]
pub(super) struct TrainArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// Model: decision tree, random forest, gradient boosting, MLP, logistic regression, naive Bayes, SVM, GRU, LSTM or 1D-CNN over flow windows.
    #[arg(long, value_parser = PossibleValuesParser::new(registry::names()), default_value = "rf")]
    model: String,
    /// A hyper-parameter, as NAME=VALUE (repeatable), e.g. --set n_trees=200 --set max_depth=12.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// How scores are obtained: random stratified hold-out, or by capture (group k-fold by file).
    #[arg(long, value_parser = ["random", "group", "kfold"], default_value = "random")]
    split: String,
    /// Folds for --split group / kfold.
    #[arg(long, default_value_t = split::DEFAULT_FOLDS)]
    folds: usize,
    /// Repeats for --split kfold.
    #[arg(long, default_value_t = split::DEFAULT_REPEATS)]
    repeats: usize,
    /// Share of rows held out for --split random.
    #[arg(long, default_value_t = split::DEFAULT_TEST_SIZE)]
    test_size: f64,
    /// Use port columns as features (they often leak the capture).
    #[arg(long)]
    include_ports: bool,
    /// Use the time of day (hour_of_day) as a feature. Off by default: each capture was recorded
    /// at its own hours, so the clock names the capture (flagged "may leak").
    #[arg(long)]
    time_of_day: bool,
    /// No engineered features (ratios, rates, per-packet sizes, history letters): the data's
    /// columns only.
    #[arg(long)]
    no_engineered: bool,
    /// Switch a column or an engineered feature off by name (repeatable), e.g. `--exclude
    /// local_orig --exclude history_length`.
    #[arg(long, value_name = "NAME")]
    exclude: Vec<String>,
    /// Also score by capture (group k-fold over the files, as `--split group`) beside the
    /// requested split, and print its macro-F1 and per-class F1 beside the split's. Needs two or
    /// more files; costs up to five more fits.
    #[arg(long)]
    by_capture: bool,
    /// Write the model file here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Also compute permutation importance (every model) beside gain importance (trees), on the
    /// first scoring fold's test rows.
    #[arg(long)]
    importance: bool,
}

/// The model `model` with `--set NAME=VALUE` settings applied; each value is checked against
/// the model's parameter table (`flowlab models` prints them).
pub(super) fn spec_with(model: &str, sets: &[String]) -> Result<ModelSpec, String> {
    let pairs = sets
        .iter()
        .map(|s| {
            s.split_once('=')
                .ok_or_else(|| format!("--set {s}: expected NAME=VALUE"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ModelSpec::with_values(model, &pairs).map_err(|e| match sets.iter().find(|s| mentions(s, &e)) {
        Some(s) => format!("--set {s}: {e}"),
        None => format!("--set: {e}"),
    })
}

/// Whether the setting `NAME=VALUE` is the one the error is about.
fn mentions(setting: &str, e: &SpecError) -> bool {
    let name = setting.split_once('=').map_or(setting, |(n, _)| n);
    match e {
        SpecError::UnknownParam { name: n, .. } => n == name,
        SpecError::Invalid(ModelError::InvalidParam { name: n, .. }) => *n == name,
        _ => false,
    }
}

pub(super) fn run_train(a: &TrainArgs) -> i32 {
    let spec = match spec_with(&a.model, &a.set) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("flowlab train: {e}");
            return 2;
        }
    };
    let split = match SplitKind::from_parts(&a.split, a.test_size, a.folds, a.repeats) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("flowlab train: {e}");
            return 2;
        }
    };
    let label_map = match super::read_label_map(a.read.map.as_deref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("flowlab train: {e}");
            return 2;
        }
    };
    let data = match load(&a.read, None, "train") {
        Ok(d) => d,
        Err(e) => {
            eprintln!("flowlab train: {e}");
            return 2;
        }
    };
    for f in &data.failed {
        eprintln!("flowlab train: skipped {}", f.message);
    }
    let req = TrainRequest {
        spec,
        taxonomy: a.read.taxonomy.into(),
        split,
        seed: a.read.seed,
        features: FeatureOptions {
            include_ports: a.include_ports,
            engineered: !a.no_engineered,
            ..Default::default()
        }
        .time_of_day(a.time_of_day)
        .excluding(&a.exclude),
    };
    let t = Instant::now();
    let quiet = a.json || !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut progress = |s: crate::models::Step| {
        if !quiet
            && s.total > 0
            && (s.done == s.total || s.done.is_multiple_of((s.total / 10).max(1)))
        {
            eprint!("\rtraining {}/{}", s.done, s.total);
        }
        true
    };
    let mut job = req.job(a.importance);
    job.label_map = label_map;
    job.by_capture = a.by_capture;
    let result = job::run_local(&data, &job, &mut progress).map(|mut r| {
        let (t, mut d) = r.remove(0);
        let scan = d.capture.take();
        let by_capture = d.by_capture.take();
        (t, (scan, by_capture), a.importance.then_some(d))
    });
    let (trained, (scan, by_capture), diagnostics) = match result {
        Ok(t) => t,
        Err(e) => {
            eprintln!("\nflowlab train: {e}");
            return 2;
        }
    };
    let importance = diagnostics.as_ref().map(export::importance_ranked);
    let seconds = t.elapsed().as_secs_f64();
    if !quiet {
        eprintln!();
    }
    if let Some(out) = &a.out {
        if let Err(e) = model_file::write(&trained)
            .map_err(|e| e.to_string())
            .and_then(|b| std::fs::write(out, b).map_err(|e| e.to_string()))
        {
            eprintln!("flowlab train: cannot write {}: {e}", out.display());
            return 2;
        }
    }
    let report = export::TrainReport {
        model: &a.model,
        fit_seconds: seconds,
        trained: &trained,
        importance: importance.as_deref(),
        capture: scan.as_ref(),
        by_capture: by_capture.as_ref(),
    };
    if a.json {
        print(&export::json_document(&report.json()));
    } else {
        print(&report.text());
    }
    0
}
