//! Classification metrics, defined exactly as scikit-learn defines them (checked against
//! scikit-learn's own output in `tests/fixtures/sklearn/metrics.json`).
//!
//! - averages run over the classes present in `y_true` or `y_pred` (scikit-learn's
//!   `unique_labels`); a precision or recall with a zero denominator counts as 0
//!   (`zero_division=0`);
//! - balanced accuracy is the mean recall over classes present in `y_true`;
//! - MCC is the multiclass (Gorodkin) form of `matthews_corrcoef`;
//! - ROC-AUC and PR-AUC (average precision) are one-vs-rest, macro-averaged over the classes that
//!   have both positive and negative rows (scikit-learn refuses the others);
//! - average precision is the step sum `Σ (Rₙ − Rₙ₋₁) Pₙ`, without interpolation.
//!
//! ```
//! use flowlab::eval::metrics::Report;
//! let y_true = [0, 0, 1, 1, 2, 2];
//! let y_pred = [0, 1, 1, 1, 2, 0];
//! let r = Report::new(&y_true, &y_pred, None, 3);
//! assert!((r.accuracy - 4.0 / 6.0).abs() < 1e-12);
//! assert_eq!(r.confusion[0], vec![1, 1, 0]);
//! ```

use serde::{Deserialize, Serialize};

/// Per-class precision, recall, F1 and support.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Rows of this class in `y_true`.
    pub support: u64,
    /// One-vs-rest ROC-AUC and average precision (when probabilities were given and the class
    /// has positive and negative rows).
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
}

/// Every metric of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub accuracy: f64,
    pub balanced_accuracy: f64,
    pub macro_precision: f64,
    pub macro_recall: f64,
    pub macro_f1: f64,
    pub weighted_precision: f64,
    pub weighted_recall: f64,
    pub weighted_f1: f64,
    pub mcc: f64,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
    /// `confusion[true][pred]` counts.
    pub confusion: Vec<Vec<u64>>,
    pub per_class: Vec<ClassReport>,
}

fn div(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

impl Report {
    /// Metrics of `y_pred` against `y_true` (class codes below `n_classes`); `proba` is the
    /// row-major `rows × n_classes` probability matrix, when the model gives one.
    pub fn new(y_true: &[u32], y_pred: &[u32], proba: Option<&[f32]>, n_classes: usize) -> Report {
        let k = n_classes;
        let mut confusion = vec![vec![0u64; k]; k];
        for (&t, &p) in y_true.iter().zip(y_pred) {
            confusion[t as usize][p as usize] += 1;
        }
        let auc = proba.map(|p| {
            move |c: usize| {
                let scores: Vec<f32> = (0..y_true.len()).map(|r| p[r * k + c]).collect();
                let pos: Vec<bool> = y_true.iter().map(|&t| t as usize == c).collect();
                (
                    roc_auc_binary(&pos, &scores),
                    average_precision(&pos, &scores),
                )
            }
        });
        Report::from_confusion(
            confusion,
            auc.as_ref().map(|f| f as &dyn Fn(usize) -> (f64, f64)),
        )
    }

    /// The report of a `confusion[true][pred]` matrix; `auc(c)` gives class `c`'s one-vs-rest
    /// (ROC-AUC, average precision), asked only for classes with positive and negative rows (see
    /// [`auc_from_counts`] for scores tallied as they stream by).
    pub fn from_confusion(
        confusion: Vec<Vec<u64>>,
        auc: Option<&dyn Fn(usize) -> (f64, f64)>,
    ) -> Report {
        let k = confusion.len();
        let n = confusion.iter().flatten().sum::<u64>() as f64;
        let support: Vec<u64> = confusion.iter().map(|r| r.iter().sum()).collect();
        let predicted: Vec<u64> = (0..k)
            .map(|j| confusion.iter().map(|r| r[j]).sum())
            .collect();
        let tp: Vec<u64> = (0..k).map(|i| confusion[i][i]).collect();
        let present: Vec<usize> = (0..k)
            .filter(|&c| support[c] > 0 || predicted[c] > 0)
            .collect();
        let mut per_class: Vec<ClassReport> = (0..k)
            .map(|c| {
                let precision = div(tp[c] as f64, predicted[c] as f64);
                let recall = div(tp[c] as f64, support[c] as f64);
                let f1 = div(2.0 * tp[c] as f64, (support[c] + predicted[c]) as f64);
                ClassReport {
                    precision,
                    recall,
                    f1,
                    support: support[c],
                    roc_auc: None,
                    pr_auc: None,
                }
            })
            .collect();
        let mean = |f: &dyn Fn(&ClassReport) -> f64| -> f64 {
            div(
                present.iter().map(|&c| f(&per_class[c])).sum(),
                present.len() as f64,
            )
        };
        let weighted = |f: &dyn Fn(&ClassReport) -> f64| -> f64 {
            div(
                present
                    .iter()
                    .map(|&c| f(&per_class[c]) * support[c] as f64)
                    .sum(),
                n,
            )
        };
        let in_true: Vec<usize> = (0..k).filter(|&c| support[c] > 0).collect();
        let balanced_accuracy = div(
            in_true.iter().map(|&c| per_class[c].recall).sum(),
            in_true.len() as f64,
        );
        let correct: u64 = tp.iter().sum();
        let (macro_precision, macro_recall, macro_f1) =
            (mean(&|r| r.precision), mean(&|r| r.recall), mean(&|r| r.f1));
        let (weighted_precision, weighted_recall, weighted_f1) = (
            weighted(&|r| r.precision),
            weighted(&|r| r.recall),
            weighted(&|r| r.f1),
        );
        let mcc = {
            let c = correct as f64;
            let s = n;
            let pk: f64 = predicted.iter().map(|&p| p as f64 * p as f64).sum();
            let tk: f64 = support.iter().map(|&t| t as f64 * t as f64).sum();
            let tkpk: f64 = (0..k)
                .map(|i| support[i] as f64 * predicted[i] as f64)
                .sum();
            let den = ((s * s - pk) * (s * s - tk)).sqrt();
            div(c * s - tkpk, den)
        };
        let (mut roc_auc, mut pr_auc) = (None, None);
        if let Some(auc) = auc {
            let mut rocs = Vec::new();
            let mut prs = Vec::new();
            for c in 0..k {
                if support[c] == 0 || support[c] as f64 == n {
                    continue;
                }
                let (roc, ap) = auc(c);
                per_class[c].roc_auc = Some(roc);
                per_class[c].pr_auc = Some(ap);
                rocs.push(roc);
                prs.push(ap);
            }
            if !rocs.is_empty() {
                roc_auc = Some(rocs.iter().sum::<f64>() / rocs.len() as f64);
                pr_auc = Some(prs.iter().sum::<f64>() / prs.len() as f64);
            }
        }
        Report {
            accuracy: div(correct as f64, n),
            balanced_accuracy,
            macro_precision,
            macro_recall,
            macro_f1,
            weighted_precision,
            weighted_recall,
            weighted_f1,
            mcc,
            roc_auc,
            pr_auc,
            confusion,
            per_class,
        }
    }
}

/// Counts of true and false positives at each distinct score, highest first (scikit-learn's
/// `_binary_clf_curve`): `(fps, tps, thresholds)`.
fn clf_curve(pos: &[bool], scores: &[f32]) -> (Vec<f64>, Vec<f64>, Vec<f32>) {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (mut fps, mut tps, mut thr) = (Vec::new(), Vec::new(), Vec::new());
    let (mut tp, mut fp) = (0.0, 0.0);
    for (i, &r) in order.iter().enumerate() {
        if pos[r] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last = i + 1 == order.len() || scores[order[i + 1]] != scores[r];
        if last {
            fps.push(fp);
            tps.push(tp);
            thr.push(scores[r]);
        }
    }
    (fps, tps, thr)
}

/// A curve as points, for plotting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    /// Score thresholds; the first is `+∞` (no row predicted positive). In JSON a non-finite
    /// threshold is `null` (JSON has no infinity), read back as `+∞`.
    #[serde(with = "infinite_as_null")]
    pub thresholds: Vec<f32>,
}

/// Serialises `f32`s with non-finite values as `None`, so JSON can carry them.
mod infinite_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(v: &[f32], s: S) -> Result<S::Ok, S::Error> {
        let opt: Vec<Option<f32>> = v.iter().map(|x| x.is_finite().then_some(*x)).collect();
        opt.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
        let opt = Vec::<Option<f32>>::deserialize(d)?;
        Ok(opt
            .into_iter()
            .map(|x| x.unwrap_or(f32::INFINITY))
            .collect())
    }
}

/// ROC curve (false positive rate, true positive rate), starting at (0, 0).
pub fn roc_curve(pos: &[bool], scores: &[f32]) -> Curve {
    let (fps, tps, thr) = clf_curve(pos, scores);
    roc_from(&fps, &tps, thr)
}

fn roc_from(fps: &[f64], tps: &[f64], thr: Vec<f32>) -> Curve {
    let p = tps.last().copied().unwrap_or(0.0);
    let ng = fps.last().copied().unwrap_or(0.0);
    let mut x = vec![0.0];
    let mut y = vec![0.0];
    x.extend(fps.iter().map(|&f| div(f, ng)));
    y.extend(tps.iter().map(|&t| div(t, p)));
    let mut thresholds = vec![f32::INFINITY];
    thresholds.extend(thr);
    Curve { x, y, thresholds }
}

/// Precision–recall curve (recall, precision), from the highest threshold down, ending at
/// recall 1; the first point is (0, 1) as in scikit-learn.
pub fn pr_curve(pos: &[bool], scores: &[f32]) -> Curve {
    let (fps, tps, thr) = clf_curve(pos, scores);
    pr_from(&fps, &tps, thr)
}

fn pr_from(fps: &[f64], tps: &[f64], thr: Vec<f32>) -> Curve {
    let p = tps.last().copied().unwrap_or(0.0);
    let mut x = vec![0.0];
    let mut y = vec![1.0];
    for (f, t) in fps.iter().zip(tps) {
        x.push(div(*t, p));
        y.push(div(*t, t + f));
    }
    let mut thresholds = vec![f32::INFINITY];
    thresholds.extend(thr);
    Curve { x, y, thresholds }
}

/// Area under the ROC curve by the trapezoid rule (ties get half credit).
pub fn roc_auc_binary(pos: &[bool], scores: &[f32]) -> f64 {
    roc_area(&roc_curve(pos, scores))
}

fn roc_area(c: &Curve) -> f64 {
    c.x.windows(2)
        .zip(c.y.windows(2))
        .map(|(x, y)| (x[1] - x[0]) * (y[1] + y[0]) / 2.0)
        .sum()
}

/// Average precision: `Σ (Rₙ − Rₙ₋₁) Pₙ` over distinct thresholds.
pub fn average_precision(pos: &[bool], scores: &[f32]) -> f64 {
    pr_area(&pr_curve(pos, scores))
}

fn pr_area(c: &Curve) -> f64 {
    c.x.windows(2)
        .zip(c.y.iter().skip(1))
        .map(|(r, &p)| (r[1] - r[0]) * p)
        .sum()
}

/// ROC-AUC and average precision from `(score, positives, negatives)` at each distinct score,
/// highest score first: the same numbers [`roc_auc_binary`] and [`average_precision`] give on
/// the rows themselves (their curves group tied scores exactly so), for scores tallied as rows
/// stream by.
pub fn auc_from_counts(counts: &[(f32, u64, u64)]) -> (f64, f64) {
    let (mut fps, mut tps, mut thr) = (Vec::new(), Vec::new(), Vec::new());
    let (mut tp, mut fp) = (0.0, 0.0);
    for &(score, pos, neg) in counts {
        tp += pos as f64;
        fp += neg as f64;
        fps.push(fp);
        tps.push(tp);
        thr.push(score);
    }
    let roc = roc_area(&roc_from(&fps, &tps, thr.clone()));
    (roc, pr_area(&pr_from(&fps, &tps, thr)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_inverted_scores() {
        let pos = [true, true, false, false];
        assert_eq!(roc_auc_binary(&pos, &[0.9, 0.8, 0.2, 0.1]), 1.0);
        assert_eq!(roc_auc_binary(&pos, &[0.1, 0.2, 0.8, 0.9]), 0.0);
        assert_eq!(roc_auc_binary(&pos, &[0.5, 0.5, 0.5, 0.5]), 0.5);
        assert_eq!(average_precision(&pos, &[0.9, 0.8, 0.2, 0.1]), 1.0);
    }

    #[test]
    fn absent_classes_are_left_out_of_macro_averages() {
        // class 2 never occurs: macro over {0, 1} only
        let r = Report::new(&[0, 1, 1], &[0, 1, 0], None, 3);
        assert!((r.macro_recall - 0.75).abs() < 1e-12);
        assert_eq!(r.per_class[2].support, 0);
    }
}
