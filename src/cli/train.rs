//! `flowlab train`, `flowlab eval`, `flowlab predict`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::builder::PossibleValuesParser;
use serde_json::{json, Map, Value};

use super::{load, print, ReadArgs};
use crate::eval::metrics::Report;
use crate::eval::split::{self, SplitKind};
use crate::features::FeatureOptions;
use crate::job::{self, Diagnostics, JobRequest};
use crate::job::{TrainRequest, TrainedModel};
use crate::model_file;
use crate::models::registry::{self, SpecError};
use crate::models::{ModelError, ModelSpec};
use crate::predictions;

/// Options of `flowlab train`.
#[derive(clap::Args, Debug)]
pub(super) struct TrainArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// Model: decision tree, random forest, gradient boosting, MLP, logistic regression, naive Bayes.
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

fn metrics_json(r: &Report, classes: &[String]) -> Value {
    let per_class: Map<String, Value> = classes
        .iter()
        .zip(&r.per_class)
        .map(|(c, p)| (c.clone(), json!({"precision": p.precision, "recall": p.recall, "f1": p.f1, "support": p.support, "roc_auc": p.roc_auc, "pr_auc": p.pr_auc})))
        .collect();
    json!({
        "metrics": {
            "accuracy": r.accuracy, "balanced_accuracy": r.balanced_accuracy, "macro_f1": r.macro_f1,
            "weighted_f1": r.weighted_f1, "mcc": r.mcc, "roc_auc": r.roc_auc, "pr_auc": r.pr_auc,
            "macro_precision": r.macro_precision, "macro_recall": r.macro_recall,
        },
        "per_class": per_class,
        "confusion": {"labels": classes, "matrix": r.confusion},
    })
}

fn metrics_text(r: &Report, classes: &[String]) -> String {
    let f = |v: Option<f64>| v.map_or("  n/a".to_string(), |v| format!("{v:.4}"));
    let mut s = format!(
        "accuracy {:.4}  balanced accuracy {:.4}  macro-F1 {:.4}  weighted-F1 {:.4}  MCC {:.4}  ROC-AUC {}  PR-AUC {}\n",
        r.accuracy, r.balanced_accuracy, r.macro_f1, r.weighted_f1, r.mcc, f(r.roc_auc), f(r.pr_auc)
    );
    s += &format!(
        "{:<28} {:>9} {:>9} {:>9} {:>9}\n",
        "class", "precision", "recall", "f1", "support"
    );
    for (c, p) in classes.iter().zip(&r.per_class) {
        s += &format!(
            "{c:<28} {:>9.4} {:>9.4} {:>9.4} {:>9}\n",
            p.precision, p.recall, p.f1, p.support
        );
    }
    s
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
    let data = match load(&a.read, None) {
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
            ..Default::default()
        },
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
    let result = if a.importance {
        let job = JobRequest {
            models: vec![req.spec.clone()],
            taxonomy: req.taxonomy,
            split: req.split,
            seed: req.seed,
            features: req.features.clone(),
            by_capture: false,
            permutation: true,
            learning_curve: false,
        };
        job::run_local(&data, &job, &mut progress).map(|mut r| {
            let (t, d) = r.remove(0);
            (t, Some(d))
        })
    } else {
        job::train(&data, &req, &mut progress).map(|t| (t, None))
    };
    let (trained, diagnostics) = match result {
        Ok(t) => t,
        Err(e) => {
            eprintln!("\nflowlab train: {e}");
            return 2;
        }
    };
    let importance = diagnostics.as_ref().map(importance_rows);
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
    let m = &trained.meta;
    if a.json {
        let mut v = metrics_json(&m.metrics, &trained.classes);
        let o = v.as_object_mut().expect("object");
        o.insert("model".into(), json!(a.model));
        o.insert("fit_seconds".into(), json!(seconds));
        o.insert("split".into(), json!(m.split));
        o.insert("train_rows".into(), json!(m.train_rows));
        o.insert("test_rows".into(), json!(m.test_rows));
        o.insert("duplicates_removed".into(), json!(m.duplicates_removed));
        o.insert("features".into(), json!(trained.pipeline.width()));
        o.insert(
            "leakage".into(),
            serde_json::to_value(&m.leakage).unwrap_or_default(),
        );
        if let Some(rows) = &importance {
            o.insert("importance".into(), json!(rows));
        }
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&v).unwrap_or_default()
        ));
    } else {
        let mut s = format!(
            "model {}  split: {}  fit+score {:.2} s  train rows {}  test rows {}  duplicates removed {}  features {}\n",
            a.model, m.split, seconds, m.train_rows, m.test_rows, m.duplicates_removed, trained.pipeline.width()
        );
        s += &metrics_text(&m.metrics, &trained.classes);
        let warned: Vec<_> = m.leakage.iter().filter(|f| f.warn).collect();
        if !warned.is_empty() {
            s += "leakage warnings:\n";
            for f in warned {
                s += &format!("  {:<20} {}\n", f.column, f.message);
            }
        }
        if let Some(rows) = &importance {
            s += "importance (drop in macro-F1 when shuffled; gain share for trees), top 15:\n";
            for r in rows.iter().take(15) {
                let gain = r["gain"]
                    .as_f64()
                    .map_or("   n/a".into(), |g| format!("{g:.4}"));
                s += &format!(
                    "  {:<32} {:>8.4} ± {:.4}  gain {gain}\n",
                    r["feature"].as_str().unwrap_or_default(),
                    r["permutation_mean"].as_f64().unwrap_or_default(),
                    r["permutation_std"].as_f64().unwrap_or_default(),
                );
            }
        }
        print(&s);
    }
    0
}

/// One JSON object per feature, most important (by permutation) first.
fn importance_rows(d: &Diagnostics) -> Vec<Value> {
    let mut rows: Vec<Value> = d
        .feature_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let p = d.permutation.as_ref().and_then(|p| p.features.get(i));
            json!({
                "feature": name,
                "permutation_mean": p.map(|p| p.mean),
                "permutation_std": p.map(|p| p.std),
                "gain": d.gain_importance.as_ref().and_then(|g| g.get(i)),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        let v = |r: &Value| r["permutation_mean"].as_f64().unwrap_or(f64::MIN);
        v(b).total_cmp(&v(a))
    });
    rows
}

fn read_model(path: &Path) -> Result<TrainedModel, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    model_file::read(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Options of `flowlab eval` and `flowlab predict`.
#[derive(clap::Args, Debug)]
pub(super) struct UseArgs {
    /// A model file written by `flowlab train --out` or saved from the page.
    model: PathBuf,
    /// Flow files to score or classify.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Take labels from this column instead of detecting it.
    #[arg(long)]
    label_column: Option<String>,
    /// Print JSON instead of text (eval).
    #[arg(long)]
    json: bool,
    /// Write predictions here (predict).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn load_for(model: &TrainedModel, a: &UseArgs) -> Result<crate::ingest::Dataset, String> {
    let read = ReadArgs {
        taxonomy: super::TaxonomyArg::from(model.taxonomy),
        label_column: a.label_column.clone(),
        max_rows_per_file: None,
        seed: 0,
        files: a.files.clone(),
    };
    load(&read, None).map_err(|e| e.to_string())
}

pub(super) fn run_eval(a: &UseArgs) -> i32 {
    let result = read_model(&a.model).and_then(|m| {
        let data = load_for(&m, a)?;
        let (report, classes) = m.evaluate(&data).map_err(|e| e.to_string())?;
        Ok((report, classes, data.n_rows()))
    });
    match result {
        Ok((report, classes, rows)) => {
            if a.json {
                let mut v = metrics_json(&report, &classes);
                v.as_object_mut()
                    .expect("object")
                    .insert("rows".into(), json!(rows));
                print(&format!(
                    "{}\n",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                ));
            } else {
                print(&format!("rows {rows}\n{}", metrics_text(&report, &classes)));
            }
            0
        }
        Err(e) => {
            eprintln!("flowlab eval: {e}");
            2
        }
    }
}

pub(super) fn run_predict(a: &UseArgs) -> i32 {
    let Some(out) = &a.out else {
        eprintln!("flowlab predict: --out FILE is required (the predictions CSV)");
        return 2;
    };
    let result = read_model(&a.model).and_then(|m| {
        let data = load_for(&m, a)?;
        let p = m.predict(&data).map_err(|e| e.to_string())?;
        let file = File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
        predictions::write_csv(&data, m.taxonomy, &p, BufWriter::new(file))
            .map_err(|e| format!("{}: {e}", out.display()))?;
        let k = p.classes.len();
        let mut counts = vec![0usize; k];
        p.predicted.iter().for_each(|&c| counts[c as usize] += 1);
        Ok((
            data.n_rows(),
            p.classes
                .iter()
                .zip(counts)
                .map(|(c, n)| format!("{c}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
        ))
    });
    match result {
        Ok((rows, dist)) => {
            let _ = writeln!(
                std::io::stderr(),
                "flowlab predict: {rows} rows → {} ({dist})",
                out.display()
            );
            0
        }
        Err(e) => {
            eprintln!("flowlab predict: {e}");
            2
        }
    }
}
