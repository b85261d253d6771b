//! Tree-model speed on the shared IoT-23 mix: `cargo bench --bench trees`.
//!
//! Builds features from `../shared/data/iot23/iot23_mix_shared.conn.log.labeled` (Attack
//! taxonomy), splits 75/25 stratified (seed 42), and times single-threaded fits of a decision tree
//! (no depth limit), a random forest of 100 trees and gradient boosting of 100 rounds, printing fit
//! seconds and training / hold-out accuracy. Options (environment variables):
//!
//! - `FLOWLAB_BENCH_CSV=path`: also write the feature matrix as CSV (features…, `label`, `split`)
//!   to compare with scikit-learn / LightGBM on the same numbers;
//! - `FLOWLAB_BENCH_ONLY=tree|forest|boosting`: run one model;
//! - `FLOWLAB_BENCH_REPEAT=n`: repeat each fit `n` times (for profiling);
//! - `FLOWLAB_BENCH_UNIQUE=1`: add a column of uniform noise so that no two rows are equal (the
//!   models group repeated rows; this measures the case without repeats).
//!
//! The same models in Python on the exported CSV (one thread; `pip install scikit-learn lightgbm
//! pandas`):
//!
//! ```text
//! import time, numpy as np, pandas as pd, lightgbm as lgb
//! from sklearn.tree import DecisionTreeClassifier
//! from sklearn.ensemble import RandomForestClassifier
//! df = pd.read_csv("features.csv"); f = [c for c in df if c.startswith("f")]
//! tr, te = df[df.split == "train"], df[df.split == "test"]
//! for name, m, nan in [("tree", DecisionTreeClassifier(random_state=0), -1),
//!                      ("forest", RandomForestClassifier(100, n_jobs=1, random_state=0), -1),
//!                      ("lightgbm", lgb.LGBMClassifier(n_estimators=100, num_threads=1, verbose=-1), None)]:
//!     a, b = (tr[f].to_numpy(np.float32), te[f].to_numpy(np.float32))
//!     if nan is not None: a, b = np.nan_to_num(a, nan=nan), np.nan_to_num(b, nan=nan)
//!     c = time.process_time(); m.fit(a, tr.label); c = time.process_time() - c
//!     print(name, c, (m.predict(a) == tr.label).mean(), (m.predict(b) == te.label).mean())
//! ```

mod common;

use std::io::Write;

use common::{accuracy, cpu_seconds, BenchData};
use flowlab::data::Matrix;
use flowlab::eval::split::stratified_holdout;
use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::tree::{DecisionTree, DecisionTreeParams};
use flowlab::models::{no_progress, Classifier, ModelError};
use std::time::Instant;

type Fit<'a> =
    Box<dyn Fn(&Matrix, &[u32]) -> Result<Box<dyn Fn(&Matrix) -> Vec<u32> + 'a>, ModelError> + 'a>;

fn main() {
    let Some(mut d) = BenchData::load("tree", |labels| stratified_holdout(labels, 0.25, 42)) else {
        return;
    };
    if std::env::var("FLOWLAB_BENCH_UNIQUE").is_ok() {
        // One more column of uniform noise: every row becomes unique (no repeated flows to
        // group), the worst case for the tree models' row grouping.
        let mut rng = flowlab::data::rng::FlowRng::new(7, 7);
        let x = &d.x;
        let mut data = Vec::with_capacity(x.rows * (x.cols + 1));
        for r in 0..x.rows {
            data.extend_from_slice(x.row(r));
            data.push(rng.unit() as f32);
        }
        let x = Matrix {
            rows: x.rows,
            cols: x.cols + 1,
            data,
        };
        d = d.with_features(x);
        println!("FLOWLAB_BENCH_UNIQUE: added a noise column, every row is unique");
    }
    let (x, split, labels, classes) = (&d.x, &d.split, &d.labels, &d.classes);
    let (xtr, xte, ytr, yte) = (&d.xtr, &d.xte, &d.ytr, &d.yte);
    let k = d.n_classes();
    println!(
        "data: {} rows ({} train, {} hold-out) × {} features, {} classes {:?}; loaded in {:.2} s",
        d.n_rows, xtr.rows, xte.rows, x.cols, k, classes, d.load_seconds
    );

    if let Ok(out) = std::env::var("FLOWLAB_BENCH_CSV") {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&out).expect("create csv"));
        let names: Vec<String> = (0..x.cols).map(|i| format!("f{i}")).collect();
        writeln!(f, "{},label,split", names.join(",")).expect("write");
        for (rows, tag) in [(&split.train, "train"), (&split.test, "test")] {
            for &r in rows.iter() {
                let vals: Vec<String> = x
                    .row(r)
                    .iter()
                    .map(|v| {
                        if v.is_nan() {
                            String::new()
                        } else {
                            format!("{v}")
                        }
                    })
                    .collect();
                writeln!(f, "{},{},{tag}", vals.join(","), labels[r]).expect("write");
            }
        }
        println!("wrote {out}");
    }

    let only = std::env::var("FLOWLAB_BENCH_ONLY").ok();
    let repeat: usize = std::env::var("FLOWLAB_BENCH_REPEAT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let models: Vec<(&str, Fit)> = vec![
        (
            "tree",
            Box::new(|x: &Matrix, y: &[u32]| {
                let m =
                    DecisionTree::fit(&DecisionTreeParams::default(), x, y, k, &mut no_progress())?;
                println!("  tree: {} nodes, depth {}", m.nodes().len(), m.depth());
                Ok(Box::new(move |x: &Matrix| m.predict(x).expect("predict")) as _)
            }),
        ),
        (
            "forest",
            Box::new(|x: &Matrix, y: &[u32]| {
                let m =
                    RandomForest::fit(&RandomForestParams::default(), x, y, k, &mut no_progress())?;
                let nodes: usize = m.trees().iter().map(|t| t.nodes().len()).sum();
                println!("  forest: {} trees, {} nodes", m.trees().len(), nodes);
                Ok(Box::new(move |x: &Matrix| m.predict(x).expect("predict")) as _)
            }),
        ),
        (
            "boosting",
            Box::new(|x: &Matrix, y: &[u32]| {
                let m = GradientBoosting::fit(
                    &GradientBoostingParams::default(),
                    x,
                    y,
                    k,
                    &mut no_progress(),
                )?;
                println!(
                    "  boosting: {} trees, final train loss {:.4}",
                    m.trees().len(),
                    m.train_loss.last().copied().unwrap_or(f64::NAN)
                );
                Ok(Box::new(move |x: &Matrix| m.predict(x).expect("predict")) as _)
            }),
        ),
    ];
    let mut table = Vec::new();
    for (name, fit) in &models {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let mut best = f64::INFINITY;
        let mut best_cpu = f64::INFINITY;
        let mut predict = None;
        for _ in 0..repeat {
            let t = Instant::now();
            let c = cpu_seconds();
            let p = fit(xtr, ytr).expect("fit");
            best = best.min(t.elapsed().as_secs_f64());
            best_cpu = best_cpu.min(cpu_seconds() - c);
            predict = Some(p);
        }
        let Some(predict) = predict else { continue };
        let c = cpu_seconds();
        let tr = accuracy(&predict(xtr), ytr);
        let te = accuracy(&predict(xte), yte);
        let pred_s = cpu_seconds() - c;
        table.push((name.to_string(), best, best_cpu, pred_s, tr, te));
    }
    println!(
        "\n{:<34} {:>9} {:>9} {:>11} {:>10} {:>10}",
        "model (single thread)", "fit s", "fit cpu s", "pred cpu s", "train acc", "hold acc"
    );
    for (name, fit, cpu, pred, tr, te) in table {
        let label = match name.as_str() {
            "tree" => "decision tree (max_depth None)",
            "forest" => "random forest (100 trees)",
            _ => "gradient boosting (100 rounds)",
        };
        println!("{label:<34} {fit:>9.3} {cpu:>9.2} {pred:>11.2} {tr:>10.4} {te:>10.4}");
    }
}
