//! The tuner's state machine on made-up scores (no data): rungs, promotion, budget, cancel.

use super::*;

fn tuner(trials: usize, seed: u64) -> Tuner {
    let mut o = TuneOptions::new("gbdt", trials);
    o.seed = seed;
    Tuner::new(o, 3).unwrap()
}

/// Plays a whole search, each trial scoring `score(trial id)`; returns the rounds' trial lists.
fn play(t: &mut Tuner, score: impl Fn(usize) -> f64) -> Vec<Vec<usize>> {
    let mut rounds = Vec::new();
    while let Some(r) = t.next_round() {
        assert_eq!(r.request.models.len(), r.trials.len());
        assert_eq!(r.request.tune_rows, Some(r.share));
        for &i in &r.trials {
            t.record(i, Ok(score(i)), 1.0, 0.0);
        }
        rounds.push(r.trials);
    }
    rounds
}

#[test]
fn same_seed_same_trials_other_seed_other_trials() {
    let (a, b, c) = (tuner(12, 1), tuner(12, 1), tuner(12, 2));
    assert_eq!(a.trials, b.trials);
    assert_ne!(a.trials, c.trials);
    // The drawn values are the table's searched rows, and they differ between trials.
    let names: Vec<&str> = a.trials[0].values.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, registry::kind("gbdt").unwrap().searched());
    assert_ne!(a.trials[0].values, a.trials[1].values);
}

#[test]
fn halving_keeps_the_best_third_of_each_rung() {
    let mut t = tuner(20, 4);
    assert_eq!(t.shares(), &[1.0 / 9.0, 1.0 / 3.0, 1.0]);
    assert_eq!(t.progress(), (0, 20 + 7 + 3));
    // Scores rise with the id at every rung: the last ids are kept.
    let rounds = play(&mut t, |i| i as f64 / 100.0);
    assert_eq!(rounds[0], (0..20).collect::<Vec<_>>());
    assert_eq!(rounds[1], vec![19, 18, 17, 16, 15, 14, 13]);
    assert_eq!(rounds[2], vec![19, 18, 17]);
    assert_eq!(rounds.len(), 3);
    assert!(t.finished());
    let best = t.best().unwrap();
    assert_eq!((best.id, best.rungs.len()), (19, 3));
    assert_eq!(
        best.rungs.iter().map(|r| r.share).collect::<Vec<_>>(),
        t.shares()
    );
    // A trial dropped at the first rung ran only that rung.
    assert_eq!(t.trials[0].rungs.len(), 1);
    assert_eq!(t.progress(), (30, 30));
}

#[test]
fn halving_ranks_a_rung_by_its_own_scores() {
    let mut t = tuner(9, 4);
    // Rung 0: trial 3 best, 7 second, 0 third; failed trials never go on.
    let r0 = t.next_round().unwrap();
    for &i in &r0.trials {
        let s = match i {
            3 => Ok(0.9),
            7 => Ok(0.8),
            0 => Ok(0.7),
            5 => Err("diverged".to_string()),
            _ => Ok(0.1),
        };
        t.record(i, s, 1.0, 0.0);
    }
    assert_eq!(t.trials[5].error.as_deref(), Some("diverged"));
    let r1 = t.next_round().unwrap();
    assert_eq!(r1.trials, vec![3, 7, 0]);
    assert_eq!(r1.share, 1.0 / 3.0);
    // At rung 1 trial 0 overtakes: the rung's score decides, not the earlier one.
    for (i, s) in [(3, 0.5), (7, 0.6), (0, 0.95)] {
        t.record(i, Ok(s), 1.0, 0.0);
    }
    assert_eq!(t.next_round().unwrap().trials, vec![0]);
}

#[test]
fn random_search_is_one_round_on_every_row() {
    let mut o = TuneOptions::new("dt", 5);
    o.strategy = Strategy::Random;
    let mut t = Tuner::new(o, 1).unwrap();
    assert_eq!(t.shares(), &[1.0]);
    let rounds = play(&mut t, |i| [0.3, 0.9, 0.5, 0.9, 0.1][i]);
    assert_eq!(rounds, vec![vec![0, 1, 2, 3, 4]]);
    // Ties go to the earlier trial.
    assert_eq!(t.best().unwrap().id, 1);
    let bests: Vec<f64> = t.curve.iter().map(|p| p.best).collect();
    assert_eq!(bests, vec![0.3, 0.9, 0.9, 0.9, 0.9]);
}

#[test]
fn the_objective_follows_the_captures_unless_chosen() {
    assert_eq!(tuner(3, 0).objective, Objective::ByCapture);
    assert_eq!(tuner(3, 0).split, SplitKind::Group { folds: 3 });
    let one = Tuner::new(TuneOptions::new("nb", 3), 1).unwrap();
    assert_eq!(one.objective, Objective::Cv);
    assert_eq!(
        one.split,
        SplitKind::KFold {
            folds: 3,
            repeats: 2
        }
    );
    let mut o = TuneOptions::new("nb", 3);
    o.objective = Some(Objective::Holdout);
    assert_eq!(
        Tuner::new(o.clone(), 12).unwrap().objective,
        Objective::Holdout
    );
    o.objective = Some(Objective::ByCapture);
    assert_eq!(
        Tuner::new(o, 1).unwrap_err().to_string(),
        "the by-capture objective needs at least 2 labelled captures (source files); there is 1"
    );
    assert_eq!(
        Tuner::new(TuneOptions::new("nb", 3), 9).unwrap().split,
        SplitKind::Group { folds: 5 }
    );
}

#[test]
fn stopping_keeps_the_best_so_far_and_hands_out_nothing_more() {
    let mut t = tuner(9, 2);
    let r = t.next_round().unwrap();
    t.record(r.trials[0], Ok(0.4), 1.0, 1.0);
    t.record(r.trials[1], Ok(0.6), 1.0, 2.0);
    t.stop();
    assert!(t.finished() && t.next_round().is_none());
    assert_eq!(t.best().unwrap().id, r.trials[1]);
    assert_eq!(t.curve.len(), 2);
    // A late result of a stopped round is ignored.
    t.record(r.trials[2], Ok(0.99), 1.0, 3.0);
    assert_eq!(t.best().unwrap().id, r.trials[1]);
}

#[test]
fn bad_searches_are_refused_with_a_reason() {
    let err = |o: TuneOptions| Tuner::new(o, 1).unwrap_err().to_string();
    assert_eq!(
        err(TuneOptions::new("gbdt", 0)),
        "trials 0: expected at least 1"
    );
    assert!(err(TuneOptions::new("svc", 3)).starts_with("unknown model \"svc\""));
    let mut o = TuneOptions::new("gbdt", 3);
    o.budget_seconds = Some(0.0);
    assert_eq!(err(o), "budget 0 s: expected a number of seconds above 0");
    let mut o = TuneOptions::new("gbdt", 3);
    o.fixed = vec![("n_rounds".into(), serde_json::json!(0))];
    assert_eq!(
        err(o),
        "hyper-parameter n_rounds = 0: expected an integer ≥ 1"
    );
    assert_eq!(
        Objective::parse("capture").unwrap_err().to_string(),
        "unknown objective \"capture\": expected by-capture, cv or holdout"
    );
}

#[test]
fn fixed_settings_are_kept_and_not_drawn() {
    let mut o = TuneOptions::new("gbdt", 4);
    o.fixed = vec![("n_rounds".into(), serde_json::json!(7))];
    let fixed = Tuner::new(o, 1).unwrap();
    let free = Tuner::new(TuneOptions::new("gbdt", 4), 1).unwrap();
    for (a, b) in fixed.trials.iter().zip(&free.trials) {
        let ModelSpec::Gbdt(p) = &a.spec else {
            panic!()
        };
        assert_eq!(p.n_rounds, 7);
        assert!(a.values.iter().all(|(n, _)| n != "n_rounds"));
        // The other rows are drawn as without the fixed one.
        let others: Vec<_> = b
            .values
            .iter()
            .filter(|(n, _)| n != "n_rounds")
            .cloned()
            .collect();
        assert_eq!(a.values, others);
    }
}
