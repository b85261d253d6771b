//! Hyper-parameter search on real fixtures, run in this thread as `flowlab tune` runs it: the same
//! seed gives the same trials and scores, the budget and a cancel keep the best so far, the
//! objective follows the number of captures, and a trial's score is the score of an ordinary
//! training with its settings.
#![cfg(not(target_arch = "wasm32"))]

use crate::common::*;
use flowlab::eval::split::SplitKind;
use flowlab::ingest::{Dataset, IngestOptions, Taxonomy};
use flowlab::job::tune::{self, Objective, Strategy, TuneOptions, Tuner};
use flowlab::job::{self, JobRequest};
use flowlab::models::no_progress;

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

fn options(model: &str, trials: usize) -> TuneOptions {
    let mut o = TuneOptions::new(model, trials);
    o.taxonomy = Taxonomy::Attack;
    o.seed = 11;
    o
}

/// A clock that moves one second per reading.
fn ticking() -> impl FnMut() -> f64 {
    let mut t = 0.0;
    move || {
        t += 1.0;
        t
    }
}

fn run(data: &Dataset, o: TuneOptions) -> Tuner {
    tune::run(data, o, &mut ticking(), &mut |_| true).unwrap()
}

#[test]
fn same_seed_same_trials_and_scores() {
    let d = two_captures();
    let a = run(&d, options("dt", 6));
    let b = run(&d, options("dt", 6));
    assert_eq!(a.objective, Objective::ByCapture);
    assert_eq!(a.split, SplitKind::Group { folds: 2 });
    let scores = |t: &Tuner| -> Vec<Vec<Option<f64>>> {
        t.trials
            .iter()
            .map(|t| t.rungs.iter().map(|r| r.score).collect())
            .collect()
    };
    assert_eq!(
        a.trials.iter().map(|t| &t.values).collect::<Vec<_>>(),
        b.trials.iter().map(|t| &t.values).collect::<Vec<_>>()
    );
    assert_eq!(scores(&a), scores(&b));
    // 6 trials, η = 3: rungs of 1/3 and all rows; 2 trials go on.
    assert_eq!(a.shares(), &[1.0 / 3.0, 1.0]);
    assert_eq!(a.trials.iter().filter(|t| t.rungs.len() == 2).count(), 2);
    assert!(a.finished() && !a.stopped);
    let best = a.best().unwrap();
    assert!(best.score().unwrap() > 0.0 && best.score().unwrap() <= 1.0);
    let mut c = options("dt", 6);
    c.seed = 12;
    assert_ne!(run(&d, c).trials[0].values, a.trials[0].values);
}

#[test]
fn a_trial_scores_what_training_with_its_settings_scores() {
    let d = two_captures();
    let mut o = options("gbdt", 3);
    o.strategy = Strategy::Random;
    o.fixed = vec![("n_rounds".into(), serde_json::json!(5))];
    let t = run(&d, o);
    let best = t.best().unwrap();
    let mut req = JobRequest::new(vec![best.spec.clone()]);
    req.taxonomy = Taxonomy::Attack;
    req.split = t.split;
    req.seed = 11;
    req.by_capture = false;
    req.permutation = false;
    req.learning_curve = false;
    let (trained, _) = job::run_local(&d, &req, &mut no_progress())
        .unwrap()
        .remove(0);
    assert!((trained.meta.metrics.macro_f1 - best.score().unwrap()).abs() < 1e-12);
}

#[test]
fn the_budget_stops_starting_trials_and_keeps_the_best() {
    let d = two_captures();
    let mut o = options("nb", 9);
    // The clock moves a second per reading, three readings per trial: 10 s allow three trials.
    o.budget_seconds = Some(10.0);
    let t = run(&d, o);
    assert!(t.stopped);
    assert_eq!(t.curve.len(), 3);
    assert_eq!(t.trials.iter().filter(|t| !t.rungs.is_empty()).count(), 3);
    assert!(t.curve.iter().all(|p| p.seconds < 10.0));
    assert!(t.best().is_some());
}

#[test]
fn cancel_keeps_the_trials_done() {
    let d = two_captures();
    let mut seen = 0;
    let t = tune::run(&d, options("dt", 9), &mut ticking(), &mut |t| {
        seen = t.curve.len();
        seen < 4
    })
    .unwrap();
    assert_eq!((seen, t.curve.len()), (4, 4));
    assert!(t.stopped && t.finished());
    let best = t.best().unwrap();
    let top = t
        .trials
        .iter()
        .filter_map(|t| t.score())
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(best.score(), Some(top));
}

#[test]
fn one_capture_is_scored_by_repeated_cross_validation() {
    let d = load(
        &[fixture("iot23-34-1.conn.log.labeled")],
        IngestOptions::default(),
    )
    .unwrap();
    let o = options("nb", 2);
    assert_eq!(tune::captures(&d, &o), 1);
    let t = run(&d, o);
    assert_eq!(t.objective, Objective::Cv);
    assert_eq!(
        t.split,
        SplitKind::KFold {
            folds: 3,
            repeats: 2
        }
    );
    assert!(t.trials.iter().all(|t| t.score().is_some()));
}

#[test]
fn a_rung_fits_on_a_nested_stratified_share_of_each_fold_and_no_final_model() {
    let d = two_captures();
    let mut req = JobRequest::new(vec![flowlab::models::ModelSpec::default_for("nb").unwrap()]);
    req.taxonomy = Taxonomy::Attack;
    req.split = SplitKind::Group { folds: 2 };
    req.by_capture = false;
    let full = job::prepare(&d, &req, 1).unwrap();
    // An ordinary group split also fits the saved model on every row.
    assert_eq!(full.fits.len(), 3);
    req.tune_rows = Some(1.0);
    let all = job::prepare(&d, &req, 1).unwrap();
    assert_eq!(all.fits.len(), 2);
    req.tune_rows = Some(1.0 / 3.0);
    let third = job::prepare(&d, &req, 1).unwrap();
    for (a, t) in all.fits.iter().zip(&third.fits) {
        let (na, nt) = (a.split.train.len() as f64, t.split.train.len() as f64);
        assert!((nt / na - 1.0 / 3.0).abs() < 0.02, "{nt} of {na}");
        assert!(t
            .split
            .train
            .iter()
            .all(|r| a.split.train.binary_search(r).is_ok()));
        assert_eq!(a.split.test, t.split.test);
    }
    req.tune_rows = Some(0.0);
    assert_eq!(
        job::prepare(&d, &req, 1).unwrap_err().to_string(),
        "a search's share of training rows is 0: expected a number in (0, 1]"
    );
}
