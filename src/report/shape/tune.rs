//! What a hyper-parameter search shows, on the page's Tune panel and in `flowlab tune`: the trials
//! table (settings, rungs, score, time; best first), the best-so-far curve, the best settings as
//! `--set` arguments, and the same as text and JSON for the command line.
//!
//! ```
//! use flowlab::job::tune::{Strategy, TuneOptions, Tuner};
//! use flowlab::report::shape::tune;
//! let mut options = TuneOptions::new("nb", 2);
//! options.strategy = Strategy::Random;
//! let mut t = Tuner::new(options, 1).unwrap();
//! let round = t.next_round().unwrap();
//! t.record(round.trials[0], Ok(0.5), 0.2, 0.2);
//! t.record(round.trials[1], Ok(0.75), 0.3, 0.5);
//! let rows = tune::trial_rows(&t);
//! assert_eq!((rows[0].id, rows[0].score.as_str(), rows[0].best), (1, "0.7500", true));
//! assert_eq!(tune::best_curve(&t).lines[0].points, vec![(1.0, 0.5), (2.0, 0.75)]);
//! ```

use serde_json::{json, Value};

use super::super::format::duration;
use super::super::plot::{LegendAt, Line, Lines};
use crate::job::tune::{Trial, Tuner};
use crate::models::params::shown;

/// One row of the trials table.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialRow {
    pub id: usize,
    /// The drawn values, `name=value` joined by spaces.
    pub settings: String,
    /// The shares of training rows it ran on and its score on each, `1/3 0.8123 → all 0.8456`.
    pub rungs: String,
    /// Score at its highest rung (4 decimals), `—` before a result, `failed` on an error.
    pub score: String,
    pub time: String,
    /// The best trial so far.
    pub best: bool,
    pub error: Option<String>,
}

/// A share of rows as a rung label: `all`, `1/3`, `1/9`.
pub fn share_label(share: f64) -> String {
    if share >= 1.0 {
        "all".into()
    } else {
        format!("1/{}", (1.0 / share).round() as u64)
    }
}

fn row(t: &Trial, best: Option<usize>) -> TrialRow {
    TrialRow {
        id: t.id,
        settings: t.settings().join(" "),
        rungs: t
            .rungs
            .iter()
            .map(|r| {
                let score = r.score.map_or("failed".into(), |s| format!("{s:.4}"));
                format!("{} {score}", share_label(r.share))
            })
            .collect::<Vec<_>>()
            .join(" → "),
        score: match (t.score(), &t.error) {
            (Some(s), _) => format!("{s:.4}"),
            (None, Some(_)) => "failed".into(),
            (None, None) => "—".into(),
        },
        time: if t.rungs.is_empty() {
            "—".into()
        } else {
            duration(t.seconds() * 1000.0)
        },
        best: best == Some(t.id),
        error: t.error.clone(),
    }
}

/// The trials that ran, best first: the furthest rung, then the score, then the id (those not
/// run yet are left out).
pub fn trial_rows(t: &Tuner) -> Vec<TrialRow> {
    let best = t.best().map(|b| b.id);
    let mut ran: Vec<&Trial> = t.trials.iter().filter(|t| !t.rungs.is_empty()).collect();
    ran.sort_by(|a, b| {
        b.rungs
            .len()
            .cmp(&a.rungs.len())
            .then(
                b.score()
                    .unwrap_or(f64::NEG_INFINITY)
                    .partial_cmp(&a.score().unwrap_or(f64::NEG_INFINITY))
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(a.id.cmp(&b.id))
    });
    ran.into_iter().map(|r| row(r, best)).collect()
}

/// The best score after each result (x: results so far). The best is ranked on the largest
/// share of rows any trial has reached ([`Tuner::best`]), so with successive halving the curve
/// can drop when the first trial of a new rung (more rows, usually a lower score) comes back.
pub fn best_curve(t: &Tuner) -> Lines {
    Lines {
        lines: vec![Line {
            name: "best so far".into(),
            points: t.curve.iter().map(|p| (p.done as f64, p.best)).collect(),
            dashed: false,
        }],
        x_label: "trial results".into(),
        y_label: t.options.metric.name().into(),
        x_range: None,
        y_range: Some((0.0, 1.0)),
        diagonal: false,
        markers: true,
        legend: LegendAt::LowerRight,
    }
}

/// The search's fixed settings and the best trial's drawn values as `--set NAME=VALUE`
/// arguments for `flowlab train`.
pub fn best_sets(t: &Tuner) -> Option<String> {
    t.best().map(|b| {
        t.options
            .fixed
            .iter()
            .chain(&b.values)
            .map(|(k, v)| format!("--set {k}={}", shell_word(&shown(v))))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// A value as one shell word: quoted when it holds spaces or JSON punctuation.
fn shell_word(v: &str) -> String {
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c))
    {
        v.to_string()
    } else {
        format!("'{v}'")
    }
}

/// `flowlab tune`'s text: what was searched and how it was scored, the trials table and the
/// best settings.
pub fn text(t: &Tuner, seconds: f64) -> String {
    let (done, total) = t.progress();
    let mut s = format!(
        "tuned {} ({}): {} trials, {} of {} fits in {}; objective {} {} ({}); rungs {}{}\n",
        t.options.model,
        t.trials.first().map_or("", |x| x.spec.title()),
        t.trials.len(),
        done,
        total,
        duration(seconds * 1000.0),
        t.objective.name(),
        t.options.metric.name(),
        t.split.describe(),
        t.shares()
            .iter()
            .map(|&x| share_label(x))
            .collect::<Vec<_>>()
            .join(", "),
        if t.stopped {
            "; stopped early (budget or cancel)"
        } else {
            ""
        }
    );
    let rows = trial_rows(t);
    let w = rows
        .iter()
        .map(|r| r.rungs.chars().count())
        .chain([23])
        .max()
        .unwrap_or(23);
    s += &format!(
        "{:>5}  {:<w$} {:>7}  {:>9}  settings\n",
        "trial", "rows and score per rung", "score", "time"
    );
    for r in rows {
        s += &format!(
            "{:>5}{} {:<w$} {:>7}  {:>9}  {}{}\n",
            r.id,
            if r.best { "*" } else { " " },
            r.rungs,
            r.score,
            r.time,
            r.settings,
            r.error.map(|e| format!("  ({e})")).unwrap_or_default()
        );
    }
    match (t.best(), best_sets(t)) {
        (Some(b), Some(sets)) => {
            s += &format!(
                "best: trial {} with {} {:.4}\nflowlab train --model {} {sets}\n",
                b.id,
                t.options.metric.name(),
                b.score().unwrap_or(f64::NAN),
                t.options.model
            );
        }
        _ => s += "no trial scored\n",
    }
    s
}

/// `flowlab tune --json`: the search, every trial (values, rungs, score, seconds, error), the
/// best trial and its `--set` arguments, and the best-so-far curve.
pub fn json(t: &Tuner, seconds: f64) -> Value {
    let trials: Vec<Value> = t
        .trials
        .iter()
        .map(|x| {
            json!({
                "id": x.id,
                "values": x.values.iter().cloned().collect::<serde_json::Map<String, Value>>(),
                "rungs": x.rungs,
                "score": x.score(),
                "seconds": x.seconds(),
                "error": x.error,
            })
        })
        .collect();
    json!({
        "model": t.options.model,
        "objective": t.objective.name(),
        "metric": t.options.metric.name(),
        "split": t.split.describe(),
        "seed": t.options.seed,
        "strategy": t.options.strategy,
        "shares": t.shares(),
        "seconds": seconds,
        "stopped": t.stopped,
        "trials": trials,
        "best": t.best().map(|b| json!({
            "id": b.id,
            "score": b.score(),
            "values": b.values.iter().cloned().collect::<serde_json::Map<String, Value>>(),
            "set": best_sets(t),
        })),
        "curve": t.curve,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::tune::TuneOptions;

    fn played() -> Tuner {
        let mut t = Tuner::new(TuneOptions::new("gbdt", 3), 2).unwrap();
        let r = t.next_round().unwrap();
        assert_eq!(r.share, 1.0 / 3.0);
        t.record(0, Ok(0.6), 1.5, 1.5);
        t.record(1, Err("diverged".into()), 0.5, 2.0);
        t.record(2, Ok(0.7), 2.0, 4.0);
        let r = t.next_round().unwrap();
        assert_eq!(r.trials, vec![2]);
        t.record(2, Ok(0.65), 3.0, 7.0);
        t
    }

    #[test]
    fn rows_go_best_first_with_their_rungs() {
        let t = played();
        let rows = trial_rows(&t);
        assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![2, 0, 1]);
        assert_eq!(
            (rows[0].rungs.as_str(), rows[0].score.as_str(), rows[0].best),
            ("1/3 0.7000 → all 0.6500", "0.6500", true)
        );
        assert_eq!(rows[0].time, "5.0 s");
        assert_eq!(
            (rows[2].score.as_str(), rows[2].error.as_deref()),
            ("failed", Some("diverged"))
        );
        assert!(rows[0].settings.starts_with("n_rounds="));
    }

    #[test]
    fn the_curve_follows_the_best_trial() {
        let t = played();
        let c = best_curve(&t);
        // After the last result the best is the trial that went furthest (0.65 on all rows).
        assert_eq!(
            c.lines[0].points,
            vec![(1.0, 0.6), (2.0, 0.6), (3.0, 0.7), (4.0, 0.65)]
        );
        assert_eq!(c.y_label, "macro-f1");
    }

    #[test]
    fn text_and_json_name_the_best_settings() {
        let t = played();
        let sets = best_sets(&t).unwrap();
        assert!(sets.starts_with("--set n_rounds="), "{sets}");
        assert!(sets.contains("--set max_depth="));
        let text = text(&t, 7.0);
        assert!(text.contains("objective by-capture macro-f1"), "{text}");
        assert!(text.contains(&format!("flowlab train --model gbdt {sets}")));
        assert!(text.contains("best: trial 2 with macro-f1 0.6500"));
        let v = json(&t, 7.0);
        assert_eq!(v["best"]["id"], 2);
        assert_eq!(v["trials"][1]["error"], "diverged");
        assert_eq!(v["curve"].as_array().unwrap().len(), 4);
        assert_eq!(shell_word("[64, 32]"), "'[64, 32]'");
        assert_eq!(shell_word("0.01"), "0.01");
    }
}
