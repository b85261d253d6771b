//! Chart and table data of the Results tab, as pure functions of plain data: the comparison of
//! every model (bars, the table's best cells and gap colours) and one model in depth (confusion,
//! per-class scores, ROC/PR, learning and loss curves, importance).

use crate::eval::importance::PermutationImportance;
use crate::eval::learning_curve::LearningPoint;
use crate::eval::metrics::ClassReport;
use crate::job::ClassCurves;
use crate::models::describe::LossCurve;
use crate::report::format::{model_label, Kind, ModelScores, COLUMNS, LARGE_GAP, NOTABLE_GAP};
use crate::report::plot::{GroupedBars, HBars, HeatScale, Heatmap, LegendAt, Line, Lines, Series};

/// Features shown in an importance chart.
pub const TOP_FEATURES: usize = 20;

/// Grouped bars: one group per metric, one bar per model. Metrics some model lacks are left out.
pub fn comparison_bars(rs: &[ModelScores]) -> GroupedBars {
    let keys = [
        "accuracy",
        "balanced_accuracy",
        "macro_f1",
        "capture_macro_f1",
        "weighted_f1",
        "mcc",
        "roc_auc",
        "pr_auc",
    ];
    let cols: Vec<_> = keys
        .iter()
        .filter_map(|k| COLUMNS.iter().find(|c| c.key == *k))
        .filter(|c| !rs.is_empty() && rs.iter().all(|r| (c.get)(r).is_some()))
        .collect();
    let series: Vec<Series> = rs
        .iter()
        .enumerate()
        .map(|(i, r)| Series {
            name: model_label(i, r.title),
            values: cols.iter().map(|c| (c.get)(r).unwrap_or(0.0)).collect(),
        })
        .collect();
    let lo = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .fold(0.0f64, f64::min);
    GroupedBars {
        categories: cols.iter().map(|c| c.label.to_string()).collect(),
        series,
        x_label: String::new(),
        y_label: "score".into(),
        y_range: Some((lo, 1.0)),
        show_values: false,
    }
}

/// The confusion matrix as a heatmap: counts, or each true class's row as shares.
pub fn confusion_heatmap(classes: &[String], confusion: &[Vec<u64>], normalised: bool) -> Heatmap {
    let values = confusion
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            row.iter()
                .map(|&n| {
                    Some(if !normalised {
                        n as f64
                    } else if total == 0 {
                        0.0
                    } else {
                        n as f64 / total as f64
                    })
                })
                .collect()
        })
        .collect();
    Heatmap {
        rows: classes.to_vec(),
        columns: classes.to_vec(),
        values,
        scale: HeatScale::Sequential,
        show_values: true,
        decimals: if normalised { 2 } else { 0 },
        x_label: "predicted class".into(),
        y_label: "true class".into(),
    }
}

/// Precision, recall and F1 per class as grouped bars, and beside them the F1 by capture (group
/// k-fold over the source files) when the model was also scored that way: the bar that shows
/// a class the model never recognises in a capture it did not train on.
pub fn per_class_bars(
    classes: &[String],
    per_class: &[ClassReport],
    by_capture: Option<&[ClassReport]>,
) -> GroupedBars {
    let series = |name: &str, rows: &[ClassReport], f: fn(&ClassReport) -> f64| Series {
        name: name.into(),
        values: rows.iter().map(f).collect(),
    };
    let mut all = vec![
        series("precision", per_class, |c| c.precision),
        series("recall", per_class, |c| c.recall),
        series("F1", per_class, |c| c.f1),
    ];
    if let Some(capture) = by_capture {
        all.push(series("F1 by capture", capture, |c| c.f1));
    }
    GroupedBars {
        categories: classes.to_vec(),
        series: all,
        x_label: String::new(),
        y_label: "score".into(),
        y_range: Some((0.0, 1.0)),
        show_values: false,
    }
}

/// An area under a curve for a legend, `n/a` when missing.
fn auc(v: Option<f64>) -> String {
    v.map_or("n/a".to_string(), |v| format!("{v:.3}"))
}

/// One-vs-rest ROC curves, one line per class.
pub fn roc_lines(curves: &[ClassCurves]) -> Lines {
    Lines {
        lines: curves
            .iter()
            .map(|c| Line {
                name: format!("{} (AUC {})", c.class, auc(c.roc_auc)),
                points: c
                    .roc
                    .x
                    .iter()
                    .copied()
                    .zip(c.roc.y.iter().copied())
                    .collect(),
                dashed: false,
            })
            .collect(),
        x_label: "false positive rate".into(),
        y_label: "true positive rate".into(),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: true,
        markers: false,
        legend: LegendAt::LowerRight,
    }
}

/// One-vs-rest precision-recall curves, one line per class.
pub fn pr_lines(curves: &[ClassCurves]) -> Lines {
    Lines {
        lines: curves
            .iter()
            .map(|c| Line {
                name: format!("{} (AP {})", c.class, auc(c.pr_auc)),
                points: c.pr.x.iter().copied().zip(c.pr.y.iter().copied()).collect(),
                dashed: false,
            })
            .collect(),
        x_label: "recall".into(),
        y_label: "precision".into(),
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.02)),
        diagonal: false,
        markers: false,
        legend: LegendAt::LowerLeft,
    }
}

/// Training and test score against training rows.
pub fn learning_lines(pts: &[LearningPoint]) -> Lines {
    Lines {
        lines: vec![
            Line {
                name: "training score".into(),
                points: pts.iter().map(|p| (p.rows as f64, p.train_score)).collect(),
                dashed: true,
            },
            Line {
                name: "test score".into(),
                points: pts.iter().map(|p| (p.rows as f64, p.test_score)).collect(),
                dashed: false,
            },
        ],
        x_label: "training rows".into(),
        y_label: "macro-F1".into(),
        x_range: None,
        y_range: None,
        diagonal: false,
        markers: true,
        legend: LegendAt::LowerRight,
    }
}

/// Training (and validation) loss per step, when the model recorded it.
pub fn loss_lines(loss: Option<&LossCurve>) -> Option<Lines> {
    let l = loss?;
    let points = |v: &[f64]| {
        v.iter()
            .enumerate()
            .map(|(i, &v)| ((i + 1) as f64, v))
            .collect()
    };
    let mut lines = vec![Line {
        name: "training loss".into(),
        points: points(&l.train),
        dashed: false,
    }];
    if !l.val.is_empty() {
        lines.push(Line {
            name: "validation loss".into(),
            points: points(&l.val),
            dashed: true,
        });
    }
    Some(Lines {
        lines,
        x_label: l.step.clone(),
        y_label: "loss".into(),
        x_range: None,
        y_range: None,
        diagonal: false,
        markers: false,
        legend: LegendAt::UpperRight,
    })
}

/// The `TOP_FEATURES` largest of `values` as horizontal bars, largest first.
pub fn top_bars(names: &[String], values: &[f64], errors: Option<&[f64]>, x_label: &str) -> HBars {
    let mut order: Vec<usize> = (0..values.len().min(names.len())).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order.truncate(TOP_FEATURES);
    HBars {
        labels: order.iter().map(|&i| names[i].clone()).collect(),
        values: order.iter().map(|&i| values[i]).collect(),
        x_label: x_label.into(),
        errors: errors.map(|e| {
            order
                .iter()
                .map(|&i| e.get(i).copied().unwrap_or(0.0))
                .collect()
        }),
    }
}

/// Permutation importance as bars: the mean drop of each feature, ± its standard deviation.
pub fn permutation_bars(names: &[String], p: &PermutationImportance) -> HBars {
    let means: Vec<f64> = p.features.iter().map(|f| f.mean).collect();
    let stds: Vec<f64> = p.features.iter().map(|f| f.std).collect();
    top_bars(names, &means, Some(&stds), "drop in macro-F1 when shuffled")
}

/// A model whose random-split macro-F1 is notably above its by-capture one.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// The model's label (`2. Random forest`).
    pub model: String,
    /// Macro-F1 on the requested split, and by capture.
    pub split: f64,
    pub capture: f64,
    /// `split - capture`.
    pub gap: f64,
}

/// Every model whose gap is at least [`NOTABLE_GAP`], largest gap first.
pub fn notable_gaps(rs: &[ModelScores]) -> Vec<Gap> {
    let mut g: Vec<Gap> = rs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let capture = r.capture_macro_f1?;
            let split = r.metrics.macro_f1;
            Some(Gap {
                model: model_label(i, r.title),
                split,
                capture,
                gap: split - capture,
            })
        })
        .filter(|g| g.gap >= NOTABLE_GAP)
        .collect();
    g.sort_by(|a, b| b.gap.total_cmp(&a.gap));
    g
}

/// A comparison-table header cell's class.
pub fn header_class(key: &str) -> &'static str {
    match key {
        "macro_f1" => "num f1-split",
        "capture_macro_f1" | "capture_gap" => "num f1-capture",
        _ => "num",
    }
}

/// A comparison-table body cell's class: the column's, the gap's size, and `best` when it holds
/// the column's best.
pub fn cell_class(key: &str, v: Option<f64>, best: Option<f64>) -> String {
    let mut class = String::from("num");
    match key {
        "macro_f1" => class.push_str(" f1-split"),
        "capture_macro_f1" => class.push_str(" f1-capture"),
        "capture_gap" => {
            class.push_str(" f1-capture");
            match v {
                Some(g) if g >= LARGE_GAP => class.push_str(" gap-large"),
                Some(g) if g >= NOTABLE_GAP => class.push_str(" gap-notable"),
                _ => {}
            }
        }
        _ => {}
    }
    if v.is_some() && v == best {
        class.push_str(" best");
    }
    class
}

/// The best value of each [`COLUMNS`] score column (none for the gap, for counts and times, or
/// with fewer than two models).
pub fn best_values(rs: &[ModelScores]) -> Vec<Option<f64>> {
    COLUMNS
        .iter()
        .map(|c| {
            if c.kind != Kind::Score || c.key == "capture_gap" || rs.len() < 2 {
                return None;
            }
            rs.iter().filter_map(|r| (c.get)(r)).reduce(f64::max)
        })
        .collect()
}

/// The test id of model `i`'s cell in column `key`.
pub fn cell_testid(key: &str, i: usize) -> String {
    match key {
        "capture_macro_f1" => format!("results-capture-f1-{i}"),
        "capture_gap" => format!("results-gap-{i}"),
        key => format!("results-{}-{i}", key.replace('_', "-")),
    }
}

#[cfg(test)]
mod tests;
