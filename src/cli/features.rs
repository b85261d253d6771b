//! `flowlab features`: exports the engineered feature matrix and the train/test split that
//! `flowlab train --split random` uses, as two CSV files, so other tools (scikit-learn,
//! LightGBM, XGBoost in `bench/`) fit on exactly the same rows and features.
//!
//! The steps are those of [`crate::train::train`] for a random split: labelled rows only, a
//! stratified hold-out ([`split::stratified_holdout`], same seed), the feature pipeline fitted on
//! the training rows, then test rows identical to a training row removed
//! ([`split::drop_test_duplicates`]). `train.csv` holds every training row (duplicates within
//! training included, as the models see them) and `test.csv` the scored test rows, in row order.
//! Columns: the pipeline's feature names, then `label` (the class name in the chosen taxonomy).
//! Missing values are written `NaN`; numbers as the shortest text that reads back to the same
//! `f32`.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::{load, print, ReadArgs};
use crate::eval::split::{self, Split};
use crate::features::{FeatureOptions, Matrix, Pipeline};
use crate::ingest::export::formula_safe;
use crate::ingest::MISSING;

/// Options of `flowlab features`.
#[derive(clap::Args, Debug)]
pub(super) struct FeaturesArgs {
    #[command(flatten)]
    read: ReadArgs,
    /// How rows are split; only the stratified hold-out of `flowlab train --split random`.
    #[arg(long, value_parser = ["random"], default_value = "random")]
    split: String,
    /// Share of rows held out (as `flowlab train --test-size`).
    #[arg(long, default_value_t = 0.25)]
    test_size: f64,
    /// Use port columns as features (as `flowlab train --include-ports`).
    #[arg(long)]
    include_ports: bool,
    /// Folder to write `train.csv` and `test.csv` into (created if missing).
    #[arg(long)]
    out: PathBuf,
}

/// Row counts of an export.
struct Exported {
    train_rows: usize,
    test_rows: usize,
    duplicates_removed: usize,
    features: usize,
    classes: Vec<String>,
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
    if !(a.test_size > 0.0 && a.test_size < 1.0) {
        return Err(format!(
            "--test-size {} must be between 0 and 1",
            a.test_size
        ));
    }
    let data = load(&a.read, None).map_err(|e| e.to_string())?;
    for f in &data.failed {
        eprintln!("flowlab features: skipped {}", f.message);
    }
    let (y, classes) = data.labels_as(a.read.taxonomy.into());
    if !y.iter().any(|&c| c != MISSING) {
        return Err("the data has no labelled rows: choose a label column".into());
    }
    if classes.len() < 2 {
        return Err(format!(
            "only one class ({}) in the labelled rows: nothing to tell apart",
            classes.first().cloned().unwrap_or_default()
        ));
    }
    let mut s: Split = split::stratified_holdout(&y, a.test_size, a.read.seed);
    let opts = FeatureOptions {
        include_ports: a.include_ports,
        ..Default::default()
    };
    let pipeline = Pipeline::fit(&data, &s.train, &opts);
    let x = pipeline.transform(&data).map_err(|e| e.to_string())?;
    let duplicates_removed = split::drop_test_duplicates(&x, &y, &mut s);
    std::fs::create_dir_all(&a.out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    write_csv(
        &a.out.join("train.csv"),
        &pipeline,
        &x,
        &y,
        &classes,
        &s.train,
    )?;
    write_csv(
        &a.out.join("test.csv"),
        &pipeline,
        &x,
        &y,
        &classes,
        &s.test,
    )?;
    Ok(Exported {
        train_rows: s.train.len(),
        test_rows: s.test.len(),
        duplicates_removed,
        features: pipeline.width(),
        classes,
    })
}

/// Runs `flowlab features`; returns the exit code.
pub(super) fn run(a: &FeaturesArgs) -> i32 {
    match export(a) {
        Ok(e) => {
            print(&format!(
                "train rows {}  test rows {}  duplicates removed {}  features {}  classes {}  → {}\n",
                e.train_rows,
                e.test_rows,
                e.duplicates_removed,
                e.features,
                e.classes.join(", "),
                a.out.display()
            ));
            0
        }
        Err(e) => {
            eprintln!("flowlab features: {e}");
            2
        }
    }
}
