//! `flowlab features`: exports the engineered feature matrix and the train/test split that
//! `flowlab train --split random` uses, as two CSV files, so other tools (scikit-learn,
//! LightGBM, XGBoost in `bench/`) fit on exactly the same rows and features.
//!
//! The steps are those of [`crate::job::train`] for a random split: labelled rows only, a
//! stratified hold-out ([`split::stratified_holdout`], same seed), the feature pipeline fitted on
//! the training rows, then test rows identical to a training row removed
//! ([`split::drop_test_duplicates`]). `train.csv` holds every training row (duplicates within
//! training included, as the models see them) and `test.csv` the scored test rows, in row order.
//! Columns: the pipeline's feature names, then `label` (the class name in the chosen taxonomy).
//! Missing values are written `NaN`; numbers as the shortest text that reads back to the same
//! `f32`.
//!
//! `--out` may be left out when `--fit` is given. With `--fit MODEL` (and `--set NAME=VALUE` as in `flowlab train`) it also fits that model on
//! the training rows and prints one JSON line: the seconds of the model fit alone (no parsing,
//! feature pipeline, scoring or leakage scan, which `flowlab train`'s `fit_seconds` includes),
//! its CPU seconds (Linux), the seconds to predict the test rows, and the test scores — the same model and scores as
//! `flowlab train --split random` with the same seed.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};

use super::{load, print, ReadArgs};
use crate::data::Matrix;
use crate::eval::metrics::Report;
use crate::eval::split::{self, Split};
use crate::features::{FeatureOptions, Pipeline};
use crate::ingest::export::formula_safe;
use crate::ingest::MISSING;
use crate::models::ModelSpec;
use crate::models::{argmax_rows, no_progress};

/// Options of `flowlab features`.
#[derive(clap::Args, Debug)]
pub(super) struct FeaturesArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// How rows are split; only the stratified hold-out of `flowlab train --split random`.
    #[arg(long, value_parser = ["random"], default_value = "random")]
    split: String,
    /// Share of rows held out (as `flowlab train --test-size`).
    #[arg(long, default_value_t = crate::eval::split::DEFAULT_TEST_SIZE)]
    test_size: f64,
    /// Use port columns as features (as `flowlab train --include-ports`).
    #[arg(long)]
    include_ports: bool,
    /// Use the time of day as a feature (as `flowlab train --time-of-day`).
    #[arg(long)]
    time_of_day: bool,
    /// No engineered features (as `flowlab train --no-engineered`).
    #[arg(long)]
    no_engineered: bool,
    /// Folder to write `train.csv` and `test.csv` into (created if missing).
    #[arg(long, required_unless_present = "fit")]
    out: Option<PathBuf>,
    /// Also fit this model on the training rows and print its fit time and test scores as JSON.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(crate::models::registry::names()))]
    fit: Option<String>,
    /// A hyper-parameter of the `--fit` model, as NAME=VALUE (repeatable), as in `flowlab train`.
    #[arg(long = "set", value_name = "NAME=VALUE", requires = "fit")]
    set: Vec<String>,
    /// Instead of a split: write `rows.csv` into --out, the features of every row of the files as
    /// this saved model's pipeline computes them (then `label`, empty when unlabelled), streamed;
    /// for peers that predict the same rows (bench/predict.sh).
    #[arg(long, value_name = "MODEL", conflicts_with = "fit", requires = "out")]
    apply: Option<PathBuf>,
}

/// CPU time this thread has run, from Linux's `/proc/thread-self/schedstat` (nanoseconds);
/// `None` elsewhere. The fits run on this thread only, so on a busy machine this is the time the
/// fit itself needed, while the wall time also counts waiting for a core.
fn thread_cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn subset(x: &Matrix, rows: &[usize]) -> Matrix {
    let mut data = Vec::with_capacity(rows.len() * x.cols);
    for &r in rows {
        data.extend_from_slice(x.row(r));
    }
    Matrix {
        rows: rows.len(),
        cols: x.cols,
        data,
    }
}

/// Fits `spec` on the training rows (timed alone) and scores it on the test rows.
fn fit_and_score(
    spec: &ModelSpec,
    x: &Matrix,
    y: &[u32],
    k: usize,
    s: &Split,
) -> Result<Value, String> {
    let x_train = subset(x, &s.train);
    let y_train: Vec<u32> = s.train.iter().map(|&r| y[r]).collect();
    let x_test = subset(x, &s.test);
    let cpu = thread_cpu_seconds();
    let t = Instant::now();
    let model = spec
        .fit(&x_train, &y_train, k, &mut no_progress())
        .map_err(|e| e.to_string())?;
    let fit_seconds = t.elapsed().as_secs_f64();
    let cpu_seconds = cpu.zip(thread_cpu_seconds()).map(|(a, b)| b - a);
    let t = Instant::now();
    let proba = model.predict_proba(&x_test).map_err(|e| e.to_string())?;
    let predict_seconds = t.elapsed().as_secs_f64();
    let y_test: Vec<u32> = s.test.iter().map(|&r| y[r]).collect();
    let r = Report::new(&y_test, &argmax_rows(&proba, k), Some(&proba), k);
    Ok(json!({
        "model": spec.name(),
        "fit_seconds": fit_seconds,
        "cpu_seconds": cpu_seconds,
        "predict_seconds": predict_seconds,
        "metrics": {"accuracy": r.accuracy, "macro_f1": r.macro_f1, "mcc": r.mcc},
    }))
}

/// Row counts of an export, and the fit result of `--fit`.
struct Exported {
    train_rows: usize,
    test_rows: usize,
    duplicates_removed: usize,
    features: usize,
    classes: Vec<String>,
    prepare_seconds: f64,
    fit: Option<Value>,
}

fn write_csv(
    path: &Path,
    pipeline: &Pipeline,
    x: &Matrix,
    y: &[u32],
    classes: &[String],
    rows: &[usize],
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = File::create(path).map_err(|e| err(&e))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    let mut header: Vec<String> = pipeline
        .features
        .iter()
        .map(|f| formula_safe(&f.name))
        .collect();
    header.push("label".into());
    w.write_record(&header).map_err(|e| err(&e))?;
    let labels: Vec<String> = classes.iter().map(|c| formula_safe(c)).collect();
    let mut record: Vec<String> = Vec::with_capacity(x.cols + 1);
    for &r in rows {
        record.clear();
        record.extend(x.row(r).iter().map(|v| v.to_string()));
        record.push(labels[y[r] as usize].clone());
        w.write_record(&record).map_err(|e| err(&e))?;
    }
    w.flush().map_err(|e| err(&e))
}

fn export(a: &FeaturesArgs) -> Result<Exported, String> {
    crate::eval::split::SplitKind::Random {
        test_size: a.test_size,
    }
    .validate()
    .map_err(|e| e.to_string())?;
    let spec = match &a.fit {
        Some(m) => Some(super::train::spec_with(m, &a.set)?),
        None => None,
    };
    let map = super::read_label_map(a.read.map.as_deref())?;
    let data = load(&a.read, None, "features")?;
    for f in &data.failed {
        eprintln!("flowlab features: skipped {}", f.message);
    }
    let (y, classes) = data.labels_with(a.read.taxonomy.into(), &map);
    if !y.iter().any(|&c| c != MISSING) {
        return Err("the data has no labelled rows: choose a label column".into());
    }
    if classes.len() < 2 {
        return Err(format!(
            "only one class ({}) in the labelled rows: nothing to tell apart",
            classes.first().cloned().unwrap_or_default()
        ));
    }
    let t = Instant::now();
    let mut s: Split = split::stratified_holdout(&y, a.test_size, a.read.seed);
    let opts = FeatureOptions {
        include_ports: a.include_ports,
        engineered: !a.no_engineered,
        ..Default::default()
    }
    .time_of_day(a.time_of_day);
    let pipeline = Pipeline::fit(&data, &s.train, &opts);
    let x = pipeline.transform(&data).map_err(|e| e.to_string())?;
    let duplicates_removed = split::drop_test_duplicates(&x, &y, &mut s);
    let prepare_seconds = t.elapsed().as_secs_f64();
    if let Some(out) = &a.out {
        std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        write_csv(
            &out.join("train.csv"),
            &pipeline,
            &x,
            &y,
            &classes,
            &s.train,
        )?;
        write_csv(&out.join("test.csv"), &pipeline, &x, &y, &classes, &s.test)?;
    }
    let fit = match &spec {
        Some(spec) => Some(fit_and_score(spec, &x, &y, classes.len(), &s)?),
        None => None,
    };
    Ok(Exported {
        train_rows: s.train.len(),
        test_rows: s.test.len(),
        duplicates_removed,
        features: pipeline.width(),
        classes,
        prepare_seconds,
        fit,
    })
}

/// Writes `rows.csv`: the features of every row under `model`'s pipeline, batch by batch.
fn apply(a: &FeaturesArgs, model: &Path) -> Result<usize, String> {
    let m = super::read_model_file(model)?;
    let dir = a.out.as_deref().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join("rows.csv");
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = File::create(&path).map_err(|e| err(&e))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    let mut header: Vec<String> = m.pipeline.names().iter().map(|n| formula_safe(n)).collect();
    header.push("label".into());
    w.write_record(&header).map_err(|e| err(&e))?;
    let opts = crate::ingest::IngestOptions {
        taxonomy: m.taxonomy,
        label_column: a.read.label_column.clone(),
        ..Default::default()
    };
    let mut rows = 0;
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let files = &a.read.files;
        let reader = s.spawn(move || super::read_batches(opts, files, super::BATCH_ROWS, tx));
        let mut record: Vec<String> = Vec::new();
        for (_, batch) in rx {
            let x = m.pipeline.transform(&batch).map_err(|e| e.to_string())?;
            let (codes, names) = m.labels_of(&batch);
            for (r, &code) in codes.iter().enumerate().take(x.rows) {
                record.clear();
                record.extend(x.row(r).iter().map(|v| v.to_string()));
                record.push(match code {
                    MISSING => String::new(),
                    c => formula_safe(&names[c as usize]),
                });
                w.write_record(&record).map_err(|e| err(&e))?;
            }
            rows += x.rows;
        }
        match reader.join() {
            Ok(r) => r.map_err(|e| e.to_string()),
            Err(_) => Err("the reader thread failed".to_string()),
        }
    })?;
    w.flush().map_err(|e| err(&e))?;
    Ok(rows)
}

/// Runs `flowlab features`; returns the exit code.
pub(super) fn run(a: &FeaturesArgs) -> i32 {
    if let Some(model) = &a.apply {
        return match apply(a, model) {
            Ok(rows) => {
                eprintln!("flowlab features: {rows} rows → rows.csv");
                0
            }
            Err(e) => {
                eprintln!("flowlab features: {e}");
                2
            }
        };
    }
    match export(a) {
        Ok(e) => {
            match e.fit {
                Some(mut v) => {
                    let o = v.as_object_mut().expect("object");
                    o.insert("train_rows".into(), json!(e.train_rows));
                    o.insert("test_rows".into(), json!(e.test_rows));
                    o.insert("duplicates_removed".into(), json!(e.duplicates_removed));
                    o.insert("features".into(), json!(e.features));
                    o.insert("classes".into(), json!(e.classes));
                    o.insert("prepare_seconds".into(), json!(e.prepare_seconds));
                    print(&format!("{v}\n"));
                }
                None => print(&format!(
                    "train rows {}  test rows {}  duplicates removed {}  features {}  classes {}  → {}\n",
                    e.train_rows,
                    e.test_rows,
                    e.duplicates_removed,
                    e.features,
                    e.classes.join(", "),
                    a.out.as_deref().map(|p| p.display().to_string()).unwrap_or_default()
                )),
            }
            0
        }
        Err(e) => {
            eprintln!("flowlab features: {e}");
            2
        }
    }
}
