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

mod common;

use std::io::Write;
use std::path::Path;

use common::{accuracy, timed, BenchData};
use flowlab::data::rng::FlowRng;
use flowlab::data::Matrix;
use flowlab::eval::split::{stratified_validation, Split};
use flowlab::ingest::MISSING;
use flowlab::models::linear::{LogisticParams, LogisticRegression};
use flowlab::models::mlp::{Mlp, MlpParams};
use flowlab::models::naive_bayes::{GaussianNb, GaussianNbParams};
use flowlab::models::{Classifier, Step};

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
    // 80/20 stratified over the labelled rows (seed 42, stream 0).
    let holdout = |codes: &[u32]| {
        let labelled: Vec<usize> = (0..codes.len()).filter(|&r| codes[r] != MISSING).collect();
        let y: Vec<u32> = labelled.iter().map(|&r| codes[r]).collect();
        let (tr, te) = stratified_validation(&y, 0.2, &mut FlowRng::new(42, 0));
        Split {
            train: tr.iter().map(|&i| labelled[i]).collect(),
            test: te.iter().map(|&i| labelled[i]).collect(),
        }
    };
    let Some(d) = BenchData::load("nn", holdout) else {
        return;
    };
    let (xtr, xte, ytr, yte) = (&d.xtr, &d.xte, &d.ytr, &d.yte);
    let (x, k, classes) = (&d.x, d.n_classes(), &d.classes);
    println!(
        "{} rows ({} train, {} test), {} features, {} classes {:?}",
        xtr.rows + xte.rows,
        xtr.rows,
        xte.rows,
        x.cols,
        k,
        classes
    );
    if let Ok(dir) = std::env::var("FLOWLAB_NN_EXPORT") {
        std::fs::create_dir_all(&dir).expect("export dir");
        export(&Path::new(&dir).join("train.csv"), xtr, ytr);
        export(&Path::new(&dir).join("test.csv"), xte, yte);
        println!("exported to {dir}/train.csv, test.csv");
    }

    let only = std::env::var("FLOWLAB_NN_ONLY").unwrap_or_default();
    if only == "logistic" {
        let (lr, secs, cpu) = timed(|| {
            LogisticRegression::fit(&LogisticParams::default(), xtr, ytr, k, &mut |_: Step| true)
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
        timed(|| Mlp::fit(&params, xtr, ytr, k, &mut |_: Step| true).expect("mlp"));
    let acc = accuracy(&mlp.predict(xte).unwrap(), yte);
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
            xtr,
            ytr,
            k,
            &mut |_: Step| true,
        )
        .expect("mlp")
    });
    let acc = accuracy(&mlp.predict(xte).unwrap(), yte);
    println!(
        "mlp defaults (early stopping): wall {secs:.2} s, cpu {cpu:.2} s, {} epochs (best {:?}), test accuracy {acc:.4}",
        mlp.epochs, mlp.best_epoch
    );

    let (lr, secs, cpu) = timed(|| {
        LogisticRegression::fit(&LogisticParams::default(), xtr, ytr, k, &mut |_: Step| true)
            .expect("logistic")
    });
    let acc = accuracy(&lr.predict(xte).unwrap(), yte);
    println!(
        "logistic (C=1, lbfgs): wall {secs:.2} s, cpu {cpu:.2} s, {} iterations (converged {}), loss {:.5}, test accuracy {acc:.4}",
        lr.n_iter,
        lr.converged,
        lr.loss_curve.last().unwrap()
    );

    let (nb, secs, cpu) = timed(|| {
        GaussianNb::fit(&GaussianNbParams::default(), xtr, ytr, k, &mut |_: Step| {
            true
        })
        .expect("nb")
    });
    let acc = accuracy(&nb.predict(xte).unwrap(), yte);
    println!("gaussian nb: wall {secs:.3} s, cpu {cpu:.3} s, test accuracy {acc:.4}");
}
