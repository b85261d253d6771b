//! All cores natively: forests grow trees on rayon's threads and boosting builds large
//! histograms on them; the models are the same, bit for bit, as on one thread.

use flowlab::model_file;
use flowlab::models::boosting::{GradientBoosting, GradientBoostingParams};
use flowlab::models::forest::{RandomForest, RandomForestParams};
use flowlab::models::{no_progress, Step};

use super::synthetic;

fn on_threads<T: Send>(n: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn forests_are_the_same_on_one_thread_and_several() {
    let (x, y) = synthetic(3000, 6, 5);
    let params = RandomForestParams {
        n_trees: 7,
        oob_score: true,
        seed: 11,
        ..Default::default()
    };
    let fit = || {
        let mut steps = Vec::new();
        let f = RandomForest::fit(&params, &x, &y, 3, &mut |s: Step| {
            steps.push(s.done);
            true
        })
        .unwrap();
        (model_file::write(&f).unwrap(), steps)
    };
    let (one, steps_one) = on_threads(1, fit);
    for n in [2, 3] {
        let (many, steps) = on_threads(n, fit);
        assert!(one == many, "{n} threads: a different forest");
        assert_eq!(steps, steps_one, "progress once per tree, in order");
    }
    assert_eq!(steps_one, (1..=7).collect::<Vec<_>>());
    // Cancelling stops after the trees already growing.
    let mut seen = 0;
    let r = on_threads(2, || {
        RandomForest::fit(&params, &x, &y, 3, &mut |_| {
            seen += 1;
            false
        })
    });
    assert!(r.is_err());
    assert_eq!(seen, 1);
}

#[test]
fn boosting_is_the_same_on_one_thread_and_several() {
    // More rows than the parallel-histogram threshold, so the root and large nodes use it.
    let (x, y) = synthetic(40_000, 8, 6);
    let params = GradientBoostingParams {
        n_rounds: 6,
        subsample: 0.9,
        colsample: 0.8,
        seed: 4,
        ..Default::default()
    };
    let fit = || {
        let g = GradientBoosting::fit(&params, &x, &y, 3, &mut no_progress()).unwrap();
        (model_file::write(&g).unwrap(), g.predict_proba(&x).unwrap())
    };
    let (one, p_one) = on_threads(1, fit);
    let (two, p_two) = on_threads(2, fit);
    assert!(one == two, "a different booster on two threads");
    assert_eq!(p_one, p_two);
}
