//! MLP, logistic regression and naive Bayes on the shared IoT-23 mix: `cargo bench --bench nn`.
//!
//! Features from `../shared/data/iot23/iot23_mix_shared.conn.log.labeled` (Attack taxonomy,
//! default feature options), a stratified 80/20 split (seed 42). Prints seconds per epoch of the
//! MLP for a fixed 20 epochs (batch 256, hidden [64, 32], no early stopping), the logistic
//! regression and naive Bayes fit times, and test accuracy of each.
//!
//! `FLOWLAB_NN_ONLY=mlp` stops after the fixed-epoch MLP, `FLOWLAB_NN_ONLY=logistic` runs only
//! the logistic regression (for profiling).
//! `FLOWLAB_NN_EXPORT=dir` also writes `dir/train.csv` and `dir/test.csv` (features, then the class
//! code in the last column; missing as `NaN`) to time scikit-learn on the same matrix, e.g.:
//!
//! ```text
//! tr = np.loadtxt("dir/train.csv", delimiter=","); X, y = tr[:, :-1], tr[:, -1].astype(int)
//! Z = make_pipeline(SimpleImputer(strategy="median"), StandardScaler()).fit_transform(X)
//! MLPClassifier(hidden_layer_sizes=(64, 32), batch_size=256, max_iter=20, tol=0,
//!               n_iter_no_change=10**6, early_stopping=False).fit(Z, y)   # time this
//! LogisticRegression(C=1.0, max_iter=200).fit(Z, y); GaussianNB().fit(Z, y)
//! ```
//!
//! (On the shared 2-core machine set `OPENBLAS_NUM_THREADS=1` as well: with other jobs running,
//! scikit-learn's default two BLAS threads were 6-10x slower than one.)

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use flowlab::eval::split::stratified_validation;
use flowlab::features::{FeatureOptions, Matrix, Pipeline};
use flowlab::ingest::{IngestOptions, Loader, Taxonomy, MISSING};
use flowlab::models::linear::{LogisticParams, LogisticRegression};
use flowlab::models::mlp::{Mlp, MlpParams};
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::Step;
use flowlab::rng::FlowRng;

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

/// Seconds of CPU time used by this process so far (Linux `/proc/self/stat`; `NaN` elsewhere).
/// The machine is shared, so CPU time is the steadier number; wall time is printed too.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        f.get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs `f`, returning its result, wall seconds and CPU seconds.
fn timed<T>(f: impl FnOnce() -> T) -> (T, f64, f64) {
    let (t, c) = (Instant::now(), cpu_seconds());
    let out = f();
    (out, t.elapsed().as_secs_f64(), cpu_seconds() - c)
}

fn accuracy(pred: &[u32], y: &[u32]) -> f64 {
    pred.iter().zip(y).filter(|(p, t)| p == t).count() as f64 / y.len() as f64
}

fn export(path: &Path, x: &Matrix, y: &[u32]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create export"));
    for (r, label) in y.iter().enumerate().take(x.rows) {
        for v in x.row(r) {
            write!(out, "{v},").unwrap();
        }
        writeln!(out, "{label}").unwrap();
    }
}

fn main() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data/iot23/iot23_mix_shared.conn.log.labeled");
    if !path.exists() {
        eprintln!(
            "SKIP: {} not found; the nn benchmark needs the shared data",
            path.display()
        );
        return;
    }
    let bytes = std::fs::read(&path).expect("read");
    let mut loader = Loader::new(IngestOptions::default());
    loader.start_file("iot23_mix_shared.conn.log.labeled");
    for chunk in bytes.chunks(1 << 20) {
        loader.feed(chunk).expect("parse");
    }
    loader.end_file().expect("end");
    let data = loader.finish().expect("finish");
    let (codes, classes) = data.labels_as(Taxonomy::Attack);
    let labelled: Vec<usize> = (0..codes.len()).filter(|&r| codes[r] != MISSING).collect();
    let y_all: Vec<u32> = labelled.iter().map(|&r| codes[r]).collect();
    let k = classes.len();
    let (tr, te) = stratified_validation(&y_all, 0.2, &mut FlowRng::new(42, 0));
    let train: Vec<usize> = tr.iter().map(|&i| labelled[i]).collect();
    let test: Vec<usize> = te.iter().map(|&i| labelled[i]).collect();
    let pipe = Pipeline::fit(&data, &train, &FeatureOptions::default());
    let x = pipe.transform(&data).expect("transform");
    let (xtr, xte) = (subset(&x, &train), subset(&x, &test));
    let ytr: Vec<u32> = train.iter().map(|&r| codes[r]).collect();
    let yte: Vec<u32> = test.iter().map(|&r| codes[r]).collect();
    println!(
        "{} rows ({} train, {} test), {} features, {} classes {:?}",
        labelled.len(),
        xtr.rows,
        xte.rows,
        x.cols,
        k,
        classes
    );
    if let Ok(dir) = std::env::var("FLOWLAB_NN_EXPORT") {
        std::fs::create_dir_all(&dir).expect("export dir");
        export(&Path::new(&dir).join("train.csv"), &xtr, &ytr);
        export(&Path::new(&dir).join("test.csv"), &xte, &yte);
        println!("exported to {dir}/train.csv, test.csv");
    }

    let only = std::env::var("FLOWLAB_NN_ONLY").unwrap_or_default();
    if only == "logistic" {
        let (lr, secs, cpu) = timed(|| {
            LogisticRegression::fit(&LogisticParams::default(), &xtr, &ytr, k, &mut |_: Step| {
                true
            })
            .expect("logistic")
        });
        println!(
            "logistic: wall {secs:.2} s, cpu {cpu:.2} s, {} iterations",
            lr.n_iter
        );
        return;
    }
    let epochs = 20;
    let params = MlpParams {
        max_epochs: epochs,
        early_stopping: false,
        patience: 0,
        seed: 1,
        ..Default::default()
    };
    let (mlp, secs, cpu) =
        timed(|| Mlp::fit(&params, &xtr, &ytr, k, &mut |_: Step| true).expect("mlp"));
    let acc = accuracy(&mlp.predict(&xte).unwrap(), &yte);
    println!(
        "mlp [64,32] batch 256, {epochs} epochs: wall {secs:.2} s ({:.3} s/epoch), cpu {cpu:.2} s ({:.3} s/epoch), final loss {:.4}, test accuracy {acc:.4}",
        secs / epochs as f64,
        cpu / epochs as f64,
        mlp.loss_curve.last().unwrap()
    );

    if only == "mlp" {
        return;
    }
    let (mlp, secs, cpu) = timed(|| {
        Mlp::fit(
            &MlpParams {
                seed: 1,
                ..Default::default()
            },
            &xtr,
            &ytr,
            k,
            &mut |_: Step| true,
        )
        .expect("mlp")
    });
    let acc = accuracy(&mlp.predict(&xte).unwrap(), &yte);
    println!(
        "mlp defaults (early stopping): wall {secs:.2} s, cpu {cpu:.2} s, {} epochs (best {:?}), test accuracy {acc:.4}",
        mlp.epochs, mlp.best_epoch
    );

    let (lr, secs, cpu) = timed(|| {
        LogisticRegression::fit(&LogisticParams::default(), &xtr, &ytr, k, &mut |_: Step| {
            true
        })
        .expect("logistic")
    });
    let acc = accuracy(&lr.predict(&xte).unwrap(), &yte);
    println!(
        "logistic (C=1, lbfgs): wall {secs:.2} s, cpu {cpu:.2} s, {} iterations (converged {}), loss {:.5}, test accuracy {acc:.4}",
        lr.n_iter,
        lr.converged,
        lr.loss_curve.last().unwrap()
    );

    let (nb, secs, cpu) = timed(|| {
        GaussianNb::fit(
            &GaussianNbParams::default(),
            &xtr,
            &ytr,
            k,
            &mut |_: Step| true,
        )
        .expect("nb")
    });
    let acc = accuracy(&nb.predict(&xte).unwrap(), &yte);
    println!("gaussian nb: wall {secs:.3} s, cpu {cpu:.3} s, test accuracy {acc:.4}");
}
