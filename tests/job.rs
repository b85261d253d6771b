//! Training jobs cut into tasks: a job run over several "workers" (tasks serialised to bytes and
//! run separately, as the page's worker pool does) gives exactly the models one thread gives.
#![cfg(not(target_arch = "wasm32"))]

use crate::common::*;
use flowlab::eval::split::SplitKind;
use flowlab::ingest::{Dataset, IngestOptions, Taxonomy};
use flowlab::job::{self, FitData, FitRole, JobRequest, Part, TaskOutput};
use flowlab::model_file;
use flowlab::models::no_progress;
use flowlab::models::ModelSpec;

fn two_captures() -> Dataset {
    load(
        &[
            fixture("iot23-mix.csv"),
            fixture("iot23-34-1.conn.log.labeled"),
        ],
        IngestOptions::default(),
    )
    .unwrap()
}

fn request(models: &[&str]) -> JobRequest {
    let mut r = JobRequest::new(
        models
            .iter()
            .map(|m| ModelSpec::default_for(m).unwrap())
            .collect(),
    );
    r.taxonomy = Taxonomy::Attack;
    r.seed = 7;
    r
}

/// Runs every task as a pool worker would: fit data and outputs go through bytes.
fn run_as_pool(data: &Dataset, req: &JobRequest, workers: usize) -> Vec<Vec<u8>> {
    let prepared = job::prepare(data, req, workers).unwrap();
    let mut outputs: Vec<Vec<TaskOutput>> = vec![Vec::new(); req.models.len()];
    for task in &prepared.plan.tasks {
        let bytes = model_file::write(&prepared.fit_data(data, task.fit).unwrap()).unwrap();
        let fd: FitData = model_file::read(&bytes).unwrap();
        let out = job::run_task(&fd, &req.models[task.model], task, &mut no_progress()).unwrap();
        let back: TaskOutput = model_file::read(&model_file::write(&out).unwrap()).unwrap();
        outputs[task.model].push(back);
    }
    outputs
        .into_iter()
        .enumerate()
        .map(|(m, outs)| {
            let (t, _) = job::assemble(data, &prepared, m, outs, &mut no_progress()).unwrap();
            model_file::write(&t).unwrap()
        })
        .collect()
}

#[test]
fn a_forest_split_over_three_workers_is_the_forest_one_worker_grows() {
    let d = two_captures();
    let req = request(&["rf", "dt"]);
    let prepared = job::prepare(&d, &req, 3).unwrap();
    let rf_parts: Vec<Part> = prepared
        .plan
        .tasks
        .iter()
        .filter(|t| t.model == 0 && t.fit == 0)
        .map(|t| t.part)
        .collect();
    assert_eq!(
        rf_parts,
        [
            Part::Trees { start: 0, end: 33 },
            Part::Trees { start: 33, end: 66 },
            Part::Trees {
                start: 66,
                end: 100
            }
        ]
    );
    let one = run_as_pool(&d, &req, 1);
    let three = run_as_pool(&d, &req, 3);
    assert_eq!(one.len(), 2);
    assert_eq!(one, three, "the model files are byte-identical");
}

#[test]
fn by_capture_scores_sit_beside_the_random_split() {
    let d = two_captures();
    let req = request(&["dt"]);
    let prepared = job::prepare(&d, &req, 2).unwrap();
    let roles: Vec<FitRole> = prepared.plan.fits.iter().map(|f| f.role).collect();
    assert_eq!(
        roles,
        [FitRole::Score, FitRole::ByCapture, FitRole::ByCapture]
    );
    assert_eq!(
        prepared.plan.by_capture.as_deref(),
        Some("group 2-fold by source file (2 captures)")
    );
    let results = job::run_local(&d, &req, &mut no_progress()).unwrap();
    let (model, diag) = &results[0];
    let random = model.meta.metrics.macro_f1;
    let capture = diag.by_capture.as_ref().unwrap().macro_f1;
    eprintln!("random split macro-F1 {random:.4}, by capture {capture:.4}");
    assert!(random > 0.5, "{random}");
    assert!(
        capture < random,
        "unseen captures are harder: {capture} vs {random}"
    );
    // Diagnostics: one curve per class, gain importance sums to 1, a tree to draw.
    assert_eq!(diag.curves.len(), model.classes.len());
    let roc = &diag.curves[1].roc;
    assert!(roc.x.len() >= 2 && roc.x.len() <= job::CURVE_POINTS);
    assert_eq!((roc.x[0], roc.y[0]), (0.0, 0.0));
    let gain: f64 = diag.gain_importance.as_ref().unwrap().iter().sum();
    assert!((gain - 1.0).abs() < 1e-6, "{gain}");
    assert_eq!(
        diag.feature_names.len(),
        diag.gain_importance.as_ref().unwrap().len()
    );
    let tree = diag.tree.as_ref().unwrap();
    assert_eq!(tree.nodes[0].samples as usize, model.meta.train_rows);
    assert!(tree.nodes[0].test.is_some());
    assert_eq!(tree.nodes[0].children.len(), 2);
    assert!(tree.shown_depth <= 4 && tree.depth >= tree.shown_depth);
    // Permutation importance: one entry per feature; shuffling the best one hurts.
    let perm = diag.permutation.as_ref().unwrap();
    assert_eq!(perm.features.len(), diag.feature_names.len());
    let best = perm
        .features
        .iter()
        .map(|f| f.mean)
        .fold(f64::MIN, f64::max);
    assert!(best > 0.05, "{best}");
    // Learning curve: nested subsets up to the whole training set, whose test score is the
    // hold-out score of the model itself (same rows, same deterministic fit).
    let lc = diag.learning_curve.as_ref().unwrap();
    assert_eq!(lc.len(), 5);
    assert!(lc.windows(2).all(|w| w[0].rows <= w[1].rows));
    assert_eq!(lc[4].rows, model.meta.train_rows);
    assert!((lc[4].test_score - random).abs() < 1e-12, "{lc:?}");
}

#[test]
fn cross_validation_saves_a_model_fitted_on_every_labelled_row() {
    let d = two_captures();
    let mut req = request(&["nb", "logreg"]);
    req.split = SplitKind::KFold {
        folds: 3,
        repeats: 1,
    };
    let prepared = job::prepare(&d, &req, 2).unwrap();
    let roles: Vec<FitRole> = prepared.plan.fits.iter().map(|f| f.role).collect();
    assert_eq!(
        roles,
        [
            FitRole::Score,
            FitRole::Score,
            FitRole::Score,
            FitRole::ByCapture,
            FitRole::ByCapture,
            FitRole::Final
        ]
    );
    let results = job::run_local(&d, &req, &mut no_progress()).unwrap();
    assert_eq!(results[0].0.meta.train_rows, 750);
    let logreg = &results[1].1;
    let loss = logreg.loss.as_ref().unwrap();
    assert_eq!(loss.step, "iteration");
    assert!(loss.train.len() >= 2 && loss.train.last() < loss.train.first());
    assert!(results[0].1.loss.is_none() && results[0].1.gain_importance.is_none());
}

#[test]
fn bad_requests_are_refused_before_any_work() {
    let d = two_captures();
    let err = job::prepare(&d, &request(&[]), 2).unwrap_err();
    assert_eq!(err.to_string(), "choose at least one model");
    let mut req = request(&["rf"]);
    if let ModelSpec::Rf(p) = &mut req.models[0] {
        p.n_trees = 0;
    }
    let err = job::prepare(&d, &req, 2).unwrap_err();
    assert!(err.to_string().contains("n_trees = 0"), "{err}");
}

#[test]
fn diagnostics_survive_the_json_trip_to_the_page() {
    let d = two_captures();
    let results = job::run_local(&d, &request(&["dt", "gbdt"]), &mut no_progress()).unwrap();
    for (_, diag) in &results {
        let text = serde_json::to_string(diag).unwrap();
        let back: job::Diagnostics = serde_json::from_str(&text).unwrap();
        assert_eq!(back.curves[0].roc.thresholds[0], f32::INFINITY);
        assert_eq!(back.curves.len(), diag.curves.len());
        assert_eq!(back.feature_names, diag.feature_names);
    }
}

#[test]
fn a_job_over_the_memory_budget_is_refused_before_building_matrices() {
    use flowlab::data::budget::{Budget, MIB};
    let data = two_captures();
    let req = request(&["dt"]);
    let tiny = Budget::with_memory(MIB / 4);
    let err = job::prepare_within(&data, &req, 2, &tiny).unwrap_err();
    assert!(
        matches!(err, job::TrainError::Budget(_)),
        "expected a budget error, got {err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("sample the data on the Data tab"), "{text}");
    assert!(text.contains(&format!("{} rows", data.n_rows())), "{text}");
    // The same job within the target's budget is prepared.
    assert!(job::prepare_within(&data, &req, 2, &Budget::current()).is_ok());
    assert!(job::data_bytes(&data) > 16 * data.n_rows() as u64);
}
