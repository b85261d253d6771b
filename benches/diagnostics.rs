//! What the page's data worker spends after a fit: `cargo bench --bench diagnostics`.
//!
//! Loads the two IoT-23 Zeek logs of the comparison benchmark (`bench/compare.sh`:
//! `iot23_mix_shared` + `CTU-IoT-Malware-Capture-34-1`, 79,760 rows) from `../shared/data`, and
//! runs one training job per model exactly as the page does (stratified 25 % hold-out, seed 1,
//! attack families, ports off, no by-capture score) through `job::prepare` / `job::run_task` /
//! `job::assemble` in one thread. For every model it prints the fit, then `assemble` three times:
//! scoring only, with permutation importance, with the learning curve. For the tree models it
//! also times permutation importance through the full prediction (`permutation_importance`, as
//! before the leaf cache) against `permutation_importance_of` (the leaf cache), on the same test
//! rows, and checks both give the same numbers.
//!
//! Environment: `FLOWLAB_BENCH_ONLY=dt,rf,gbdt,mlp,logreg` (default: all five);
//! `FLOWLAB_BENCH_PLAIN=0` skips the slow full-prediction timing.

use std::path::Path;
use std::time::Instant;

use flowlab::data::Matrix;
use flowlab::eval::importance::{
    permutation_importance, permutation_importance_of, PermutationOptions,
};
use flowlab::eval::split::SplitKind;
use flowlab::ingest::{Dataset, IngestOptions, Loader};
use flowlab::job::{self, JobRequest};
use flowlab::models::ModelSpec;

const FILES: [&str; 2] = [
    "iot23/iot23_mix_shared.conn.log.labeled",
    "iot23/CTU-IoT-Malware-Capture-34-1.conn.log.labeled",
];

fn load() -> Option<Dataset> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    let mut loader = Loader::new(IngestOptions::default());
    for f in FILES {
        let path = root.join(f);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!(
                "SKIP: {} not found (../shared/data is absent); the diagnostics benchmark needs the shared data",
                path.display()
            );
            return None;
        };
        loader.start_file(f);
        loader.feed(&bytes).expect("parse");
        loader.end_file().expect("end of file");
    }
    Some(loader.finish().expect("finish"))
}

fn request(model: &str, permutation: bool, learning_curve: bool) -> JobRequest {
    let mut req = JobRequest::new(vec![ModelSpec::default_for(model).expect("model")]);
    req.split = SplitKind::Random { test_size: 0.25 };
    req.seed = 1;
    req.by_capture = false;
    req.permutation = permutation;
    req.learning_curve = learning_curve;
    req
}

fn main() {
    let Some(data) = load() else {
        return;
    };
    let only =
        std::env::var("FLOWLAB_BENCH_ONLY").unwrap_or_else(|_| "dt,rf,gbdt,mlp,logreg".into());
    let plain = std::env::var("FLOWLAB_BENCH_PLAIN").map_or(true, |v| v != "0");
    println!("data: {} rows from {} files", data.n_rows(), FILES.len());
    for model in only.split(',') {
        let mut line = format!("{model:>6}:");
        let mut kept = None;
        for (perm, lc, what) in [
            (false, false, "scoring"),
            (true, false, "+ permutation"),
            (false, true, "+ learning curve"),
        ] {
            let req = request(model, perm, lc);
            let prepared = job::prepare(&data, &req, 1).expect("prepare");
            let fd = prepared.fit_data(&data, 0).expect("fit data");
            let t = Instant::now();
            let outs: Vec<_> = prepared
                .plan
                .tasks
                .iter()
                .map(|task| job::run_task(&fd, &req.models[0], task, &mut |_| true).expect("fit"))
                .collect();
            let fit = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let (trained, _) =
                job::assemble(&data, &prepared, 0, outs, &mut |_| true).expect("assemble");
            let assemble = t.elapsed().as_secs_f64();
            if !perm && !lc {
                line += &format!(" fit {fit:.2} s;");
            }
            line += &format!(" {what} {assemble:.2} s;");
            if kept.is_none() {
                let fit = &prepared.fits[0];
                let all = fit.pipeline.transform(&data).expect("transform");
                let test_x = all.select_rows(&fit.split.test);
                let test_y: Vec<u32> = fit.split.test.iter().map(|&r| prepared.y[r]).collect();
                kept = Some((trained, test_x, test_y));
            }
        }
        println!("{line}");
        let (trained, test_x, test_y): (_, Matrix, Vec<u32>) = kept.expect("kept");
        let m = trained.model.as_classifier();
        if plain && m.leaves().is_some() {
            let opts = PermutationOptions {
                seed: 1,
                ..PermutationOptions::default()
            };
            let t = Instant::now();
            let fast = permutation_importance_of(m, &test_x, &test_y, &opts).expect("cache");
            let cached = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let full = permutation_importance(
                &mut |x| m.predict_proba(x),
                &test_x,
                &test_y,
                m.n_classes(),
                &opts,
            )
            .expect("full");
            let whole = t.elapsed().as_secs_f64();
            println!(
                "        permutation importance on {} rows × {} features: full predictions {whole:.2} s, leaf cache {cached:.2} s ({:.1}× faster), same numbers: {}",
                fast.rows,
                test_x.cols,
                whole / cached,
                fast == full
            );
        }
    }
}
