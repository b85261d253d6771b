//! Which trained model to use, and why, in one or two sentences that cite numbers (issue 13
//! part 4): the by-capture score first (the one that predicts new traffic), then the split
//! score and the gap between them, then fit time, prediction speed and model size — and a
//! warning when every model's by-capture score is near the majority-class baseline.
//!
//! The rule, in order:
//! 1. The score that decides is the by-capture macro-F1 when every model has one, else the
//!    split's macro-F1 (then the text says the split may flatter the models).
//! 2. Among the models within [`TIE`] of the best score, the one that fits fastest is
//!    recommended: a difference that small is within the noise of one split, and a cheaper
//!    model is easier to retrain and to run.
//!
//! ```
//! use flowlab::report::shape::recommend::{recommend, Candidate};
//! let forest = Candidate { name: "1. Random forest".into(), split_f1: 0.81, capture_f1: Some(0.32),
//!     fit_ms: 4000.0, predict_rows_per_s: Some(200_000.0), model_bytes: Some(2_000_000) };
//! let tree = Candidate { name: "2. Decision tree".into(), split_f1: 0.75, capture_f1: Some(0.52),
//!     fit_ms: 300.0, predict_rows_per_s: Some(2_000_000.0), model_bytes: Some(40_000) };
//! let r = recommend(&[forest, tree], None).unwrap();
//! assert_eq!(r.model, 1);
//! assert!(r.why.starts_with("2. Decision tree: macro-F1 0.520 on captures it never saw"));
//! ```

use crate::eval::metrics::Report;
use crate::report::format::{bytes, duration, thousands};

/// Scores this close to the best count as equal; the fastest to fit among them is chosen.
pub const TIE: f64 = 0.01;
/// A by-capture macro-F1 at most this far above the majority baseline is "near" it.
pub const NEAR_BASELINE: f64 = 0.05;

/// One trained model's numbers, as the recommendation reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The name the page shows (`"2. Decision tree"`).
    pub name: String,
    /// Macro-F1 on the requested split.
    pub split_f1: f64,
    /// Macro-F1 with each source file held out whole, when it was computed.
    pub capture_f1: Option<f64>,
    /// Fit time summed over workers.
    pub fit_ms: f64,
    /// Rows predicted per second (measured after training), when known.
    pub predict_rows_per_s: Option<f64>,
    /// Size of the model file, when known.
    pub model_bytes: Option<usize>,
}

/// The model to use and why; and a warning when no model beats the baseline by capture.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// Index of the recommended candidate.
    pub model: usize,
    /// One or two sentences with the numbers behind the choice.
    pub why: String,
    /// Set when every model's by-capture macro-F1 is within [`NEAR_BASELINE`] of the baseline.
    pub warning: Option<String>,
}

/// The recommendation over `models`, or `None` when there is none to make. `baseline` is the
/// by-capture macro-F1 of always predicting the majority class ([`majority_baseline`]).
pub fn recommend(models: &[Candidate], baseline: Option<f64>) -> Option<Recommendation> {
    let by_capture = !models.is_empty() && models.iter().all(|m| m.capture_f1.is_some());
    let score = |m: &Candidate| {
        if by_capture {
            m.capture_f1.unwrap_or(0.0)
        } else {
            m.split_f1
        }
    };
    let best = models.iter().map(score).fold(f64::NEG_INFINITY, f64::max);
    // The fastest to fit among the (near-)best; the lower index on equal times.
    let (model, chosen) = models
        .iter()
        .enumerate()
        .filter(|(_, m)| score(m) >= best - TIE)
        .min_by(|(_, a), (_, b)| a.fit_ms.total_cmp(&b.fit_ms))?;
    let top = models
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| score(a).total_cmp(&score(b)).then(j.cmp(i)))
        .map(|(i, _)| i)?;
    let mut why = if by_capture {
        let c = chosen.capture_f1.unwrap_or(0.0);
        format!(
            "{}: macro-F1 {c:.3} on captures it never saw ({:.3} on the split, a gap of {:.3})",
            chosen.name,
            chosen.split_f1,
            chosen.split_f1 - c
        )
    } else {
        format!(
            "{}: macro-F1 {:.3} on the split (no by-capture score: a random split may flatter it)",
            chosen.name, chosen.split_f1
        )
    };
    why.push_str(&if top == model {
        format!(", the best of {} models. ", models.len())
    } else {
        let fast = models[top].fit_ms / chosen.fit_ms.max(1e-3);
        format!(
            ", within {TIE} of the best ({}, {:.3}) and {} to fit. ",
            models[top].name,
            score(&models[top]),
            if fast >= 1.5 {
                format!("{fast:.0}× faster")
            } else {
                "faster".to_string()
            }
        )
    });
    why.push_str(&costs(chosen));
    let warning = baseline.filter(|_| by_capture).and_then(|b| {
        models
            .iter()
            .all(|m| m.capture_f1.unwrap_or(0.0) <= b + NEAR_BASELINE)
            .then(|| {
                format!(
                    "Every model's by-capture macro-F1 is within {NEAR_BASELINE} of always predicting \
                     the most common class ({b:.3}): none is likely to recognise these classes in \
                     traffic from a new capture."
                )
            })
    });
    Some(Recommendation {
        model,
        why,
        warning,
    })
}

/// `It fits in 0.3 s, predicts 2,000,000 rows/s and its model file is 39.1 KiB.`
fn costs(m: &Candidate) -> String {
    let mut parts = vec![format!("fits in {}", duration(m.fit_ms))];
    if let Some(r) = m.predict_rows_per_s {
        parts.push(format!("predicts {} rows/s", thousands(r.round() as u64)));
    }
    if let Some(b) = m.model_bytes {
        parts.push(format!("its model file is {}", bytes(b as u64)));
    }
    let last = parts.pop().unwrap_or_default();
    if parts.is_empty() {
        format!("It {last}.")
    } else {
        format!("It {} and {last}.", parts.join(", "))
    }
}

/// The macro-F1 of always predicting the most common true class of `report` (its confusion
/// matrix gives the true classes), computed by [`Report::new`] as every other score is.
pub fn majority_baseline(report: &Report) -> Option<f64> {
    let support: Vec<u64> = report.confusion.iter().map(|r| r.iter().sum()).collect();
    let (majority, _) = support
        .iter()
        .enumerate()
        .max_by(|(i, a), (j, b)| a.cmp(b).then(j.cmp(i)))?;
    let y_true: Vec<u32> = support
        .iter()
        .enumerate()
        .flat_map(|(c, &n)| std::iter::repeat_n(c as u32, n as usize))
        .collect();
    if y_true.is_empty() {
        return None;
    }
    let y_pred = vec![majority as u32; y_true.len()];
    Some(Report::new(&y_true, &y_pred, None, support.len()).macro_f1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, split: f64, capture: Option<f64>, fit_ms: f64) -> Candidate {
        Candidate {
            name: name.into(),
            split_f1: split,
            capture_f1: capture,
            fit_ms,
            predict_rows_per_s: Some(1_234_567.0),
            model_bytes: Some(1536),
        }
    }

    #[test]
    fn the_best_by_capture_wins_over_the_best_on_the_split() {
        let ms = [
            c("1. Random forest", 0.90, Some(0.30), 4000.0),
            c("2. Gradient boosting", 0.80, Some(0.45), 9000.0),
        ];
        let r = recommend(&ms, Some(0.10)).unwrap();
        assert_eq!(r.model, 1);
        assert_eq!(
            r.why,
            "2. Gradient boosting: macro-F1 0.450 on captures it never saw (0.800 on the split, \
             a gap of 0.350), the best of 2 models. It fits in 9.0 s, predicts 1,234,567 rows/s \
             and its model file is 1.5 KiB."
        );
        assert_eq!(r.warning, None);
    }

    #[test]
    fn a_near_tie_goes_to_the_model_that_fits_fastest() {
        let ms = [
            c("1. Random forest", 0.90, Some(0.455), 4000.0),
            c("2. Decision tree", 0.80, Some(0.450), 200.0),
        ];
        let r = recommend(&ms, None).unwrap();
        assert_eq!(r.model, 1);
        assert!(
            r.why.contains(
                "within 0.01 of the best (1. Random forest, 0.455) and 20× faster to fit."
            ),
            "{}",
            r.why
        );
    }

    #[test]
    fn without_a_by_capture_score_the_split_decides_and_says_so() {
        let ms = [
            c("1. MLP", 0.70, None, 100.0),
            c("2. Random forest", 0.85, Some(0.2), 900.0),
        ];
        let r = recommend(&ms, Some(0.1)).unwrap();
        assert_eq!(r.model, 1);
        assert!(r.why.contains("a random split may flatter it"), "{}", r.why);
        assert_eq!(r.warning, None, "no warning without every by-capture score");
        assert_eq!(recommend(&[], None), None);
    }

    #[test]
    fn every_model_near_the_majority_baseline_is_a_warning() {
        let ms = [
            c("1. Random forest", 0.9, Some(0.14), 10.0),
            c("2. MLP", 0.8, Some(0.12), 10.0),
        ];
        let r = recommend(&ms, Some(0.10)).unwrap();
        assert!(r.warning.unwrap().contains("most common class (0.100)"));
        let ms = [ms[0].clone(), c("2. MLP", 0.8, Some(0.16), 10.0)];
        assert_eq!(recommend(&ms, Some(0.10)).unwrap().warning, None);
    }

    #[test]
    fn the_majority_baseline_is_the_macro_f1_of_always_the_most_common_class() {
        // 6 true rows of class 0, 3 of class 1, 1 of class 2: always 0 gives precision 0.6,
        // recall 1, F1 0.75 for class 0 and 0 for the others: macro-F1 0.25.
        let y_true = [0, 0, 0, 0, 0, 0, 1, 1, 1, 2];
        let y_pred = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
        let report = Report::new(&y_true, &y_pred, None, 3);
        let b = majority_baseline(&report).unwrap();
        assert!((b - 0.25).abs() < 1e-12, "{b}");
    }
}
