//! Chart data of the Results tab, as pure functions of plain data (they build the chart types of
//! [`crate::ui::charts`], hence live here until those types move to a native module).

use crate::eval::learning_curve::LearningPoint;
use crate::eval::metrics::ClassReport;
use crate::job::Diagnostics;
use crate::report::format::{ModelScores, COLUMNS};
use crate::ui::charts::{GroupedBars, HBars, HeatScale, Heatmap, LegendAt, Line, Lines, Series};

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
            name: crate::report::format::model_label(i, r.title),
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

/// Precision, recall and F1 per class as grouped bars.
pub fn per_class_bars(classes: &[String], per_class: &[ClassReport]) -> GroupedBars {
    let series = |name: &str, f: fn(&ClassReport) -> f64| Series {
        name: name.into(),
        values: per_class.iter().map(f).collect(),
    };
    GroupedBars {
        categories: classes.to_vec(),
        series: vec![
            series("precision", |c| c.precision),
            series("recall", |c| c.recall),
            series("F1", |c| c.f1),
        ],
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
pub fn roc_lines(d: &Diagnostics) -> Lines {
    Lines {
        lines: d
            .curves
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
pub fn pr_lines(d: &Diagnostics) -> Lines {
    Lines {
        lines: d
            .curves
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
pub fn loss_lines(d: &Diagnostics) -> Option<Lines> {
    let l = d.loss.as_ref()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn top_bars_keeps_the_largest_in_order() {
        let names: Vec<String> = (0..30).map(|i| format!("f{i}")).collect();
        let values: Vec<f64> = (0..30).map(|i| (i as f64 * 7.0) % 30.0).collect();
        let errors: Vec<f64> = (0..30).map(|i| i as f64).collect();
        let b = top_bars(&names, &values, Some(&errors), "x");
        assert_eq!(b.labels.len(), TOP_FEATURES);
        assert_eq!(b.values[0], 29.0);
        assert!(b.values.windows(2).all(|w| w[0] >= w[1]));
        // f17 has value 29 (17 × 7 = 119 = 3 × 30 + 29), and keeps its own error.
        assert_eq!(b.labels[0], "f17");
        assert_eq!(b.errors.unwrap()[0], 17.0);
    }

    #[wasm_bindgen_test]
    fn confusion_rows_normalise_to_one() {
        let classes = vec!["a".to_string(), "b".to_string()];
        let h = confusion_heatmap(&classes, &[vec![3, 1], vec![0, 0]], true);
        assert_eq!(h.values[0], vec![Some(0.75), Some(0.25)]);
        assert_eq!(h.values[1], vec![Some(0.0), Some(0.0)]);
        let c = confusion_heatmap(&classes, &[vec![3, 1], vec![0, 0]], false);
        assert_eq!(c.values[0][0], Some(3.0));
        assert_eq!(c.decimals, 0);
    }
}
