//! Native tests of the Results tab's chart and table data, on small hand-built inputs.

use super::*;
use crate::eval::importance::FeatureImportance;
use crate::eval::metrics::{Curve, Report};
use crate::report::format::sample_report;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn scores<'a>(title: &'a str, metrics: &'a Report, capture: Option<f64>) -> ModelScores<'a> {
    ModelScores {
        title,
        kind: "dt",
        split: "stratified 80/20",
        classes: &[],
        metrics,
        capture_macro_f1: capture,
        train_rows: 8,
        test_rows: 2,
        duplicates_removed: 0,
        cpu_ms: 10.0,
        wall_ms: 12.0,
    }
}

#[test]
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
    // Without errors there are no whiskers; fewer names than values cut the values.
    let short = top_bars(&strings(&["a", "b"]), &[0.1, 0.3, 0.9], None, "gain");
    assert_eq!(short.labels, strings(&["b", "a"]));
    assert_eq!(short.values, vec![0.3, 0.1]);
    assert_eq!(short.errors, None);
    assert_eq!(short.x_label, "gain");
}

#[test]
fn permutation_bars_carry_their_standard_deviations() {
    let f = |mean, std| FeatureImportance {
        mean,
        std,
        accuracy_mean: 0.0,
        accuracy_std: 0.0,
    };
    let p = PermutationImportance {
        baseline_macro_f1: 0.9,
        baseline_accuracy: 0.95,
        rows: 100,
        features: vec![f(0.05, 0.01), f(0.20, 0.04), f(-0.01, 0.02)],
    };
    let b = permutation_bars(&strings(&["a", "b", "c"]), &p);
    assert_eq!(b.labels, strings(&["b", "a", "c"]));
    assert_eq!(b.values, vec![0.20, 0.05, -0.01]);
    assert_eq!(b.errors, Some(vec![0.04, 0.01, 0.02]));
    assert_eq!(b.x_label, "drop in macro-F1 when shuffled");
}

#[test]
fn confusion_rows_normalise_to_one() {
    let classes = strings(&["a", "b"]);
    let h = confusion_heatmap(&classes, &[vec![3, 1], vec![0, 0]], true);
    assert_eq!(h.values[0], vec![Some(0.75), Some(0.25)]);
    assert_eq!(h.values[1], vec![Some(0.0), Some(0.0)]);
    assert_eq!(h.decimals, 2);
    assert_eq!(h.rows, classes);
    assert_eq!(h.columns, classes);
    let c = confusion_heatmap(&classes, &[vec![3, 1], vec![0, 0]], false);
    assert_eq!(c.values[0], vec![Some(3.0), Some(1.0)]);
    assert_eq!(c.decimals, 0);
    assert_eq!(
        (c.x_label.as_str(), c.y_label.as_str()),
        ("predicted class", "true class")
    );
}

#[test]
fn comparison_bars_keep_metrics_every_model_has() {
    let a = sample_report();
    let mut b = sample_report();
    b.accuracy = 0.5;
    b.mcc = -0.2;
    // One model has a by-capture score and the other not: that column is left out, as is
    // PR-AUC (missing in both).
    let rs = [
        scores("Decision tree", &a, Some(0.4)),
        scores("Random forest", &b, None),
    ];
    let g = comparison_bars(&rs);
    assert_eq!(
        g.categories,
        strings(&[
            "Accuracy",
            "Balanced acc.",
            "Macro F1 (split)",
            "Weighted F1",
            "MCC",
            "ROC-AUC"
        ])
    );
    assert_eq!(g.series.len(), 2);
    assert_eq!(g.series[0].name, "1. Decision tree");
    assert_eq!(g.series[0].values, vec![0.75, 0.625, 0.5, 0.5, 0.25, 0.875]);
    assert_eq!(g.series[1].name, "2. Random forest");
    assert_eq!(g.series[1].values, vec![0.5, 0.625, 0.5, 0.5, -0.2, 0.875]);
    // The axis reaches down to the lowest score (MCC can be negative).
    assert_eq!(g.y_range, Some((-0.2, 1.0)));
    assert!(comparison_bars(&[]).categories.is_empty());
}

#[test]
fn per_class_bars_group_precision_recall_f1() {
    let r = sample_report();
    let g = per_class_bars(&strings(&["benign", "attack"]), &r.per_class, None);
    assert_eq!(g.categories, strings(&["benign", "attack"]));
    let names: Vec<&str> = g.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["precision", "recall", "F1"]);
    assert_eq!(g.series[0].values, vec![1.0, 0.0]);
    assert_eq!(g.series[1].values, vec![0.75, 0.5]);
    assert_eq!(g.series[2].values, vec![0.5, 0.5]);
    assert_eq!(g.y_range, Some((0.0, 1.0)));
    let mut capture = r.per_class.clone();
    capture[0].f1 = 0.0;
    let g = per_class_bars(
        &strings(&["benign", "attack"]),
        &r.per_class,
        Some(&capture),
    );
    let names: Vec<&str> = g.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["precision", "recall", "F1", "F1 by capture"]);
    assert_eq!(g.series[3].values, vec![0.0, 0.5]);
}

#[test]
fn roc_and_pr_lines_name_their_areas() {
    let curve = |x: Vec<f64>, y: Vec<f64>| Curve {
        thresholds: vec![f32::INFINITY; x.len()],
        x,
        y,
    };
    let curves = [ClassCurves {
        class: "attack".into(),
        roc: curve(vec![0.0, 0.5, 1.0], vec![0.0, 0.9, 1.0]),
        pr: curve(vec![0.0, 1.0], vec![1.0, 0.6]),
        roc_auc: Some(0.8766),
        pr_auc: None,
    }];
    let roc = roc_lines(&curves);
    assert_eq!(roc.lines[0].name, "attack (AUC 0.877)");
    assert_eq!(
        roc.lines[0].points,
        vec![(0.0, 0.0), (0.5, 0.9), (1.0, 1.0)]
    );
    assert!(roc.diagonal);
    assert_eq!(roc.legend, LegendAt::LowerRight);
    let pr = pr_lines(&curves);
    assert_eq!(pr.lines[0].name, "attack (AP n/a)");
    assert_eq!(pr.lines[0].points, vec![(0.0, 1.0), (1.0, 0.6)]);
    assert_eq!(pr.y_range, Some((0.0, 1.02)));
    assert!(roc_lines(&[]).lines.is_empty());
}

#[test]
fn learning_and_loss_lines() {
    let p = |rows, train_score, test_score| LearningPoint {
        fraction: 0.5,
        rows,
        train_score,
        test_score,
    };
    let l = learning_lines(&[p(10, 1.0, 0.6), p(20, 0.95, 0.7)]);
    assert_eq!(l.lines[0].points, vec![(10.0, 1.0), (20.0, 0.95)]);
    assert!(l.lines[0].dashed);
    assert_eq!(l.lines[1].points, vec![(10.0, 0.6), (20.0, 0.7)]);
    assert!(l.markers);

    assert!(loss_lines(None).is_none());
    let mut loss = LossCurve {
        step: "epoch".into(),
        train: vec![0.9, 0.5],
        val: vec![],
    };
    let only_train = loss_lines(Some(&loss)).unwrap();
    assert_eq!(only_train.lines.len(), 1);
    assert_eq!(only_train.lines[0].points, vec![(1.0, 0.9), (2.0, 0.5)]);
    assert_eq!(only_train.x_label, "epoch");
    loss.val = vec![1.0, 0.7];
    let both = loss_lines(Some(&loss)).unwrap();
    assert_eq!(both.lines[1].name, "validation loss");
    assert_eq!(both.lines[1].points, vec![(1.0, 1.0), (2.0, 0.7)]);
    assert!(both.lines[1].dashed);
}

#[test]
fn gaps_are_listed_largest_first() {
    let mut m = sample_report();
    m.macro_f1 = 0.9;
    let rs = [
        scores("Decision tree", &m, Some(0.87)), // gap 0.03: not notable
        scores("Random forest", &m, Some(0.8)),  // 0.10
        scores("Boosting", &m, None),
        scores("MLP", &m, Some(0.6)), // 0.30
    ];
    let g = notable_gaps(&rs);
    let models: Vec<&str> = g.iter().map(|g| g.model.as_str()).collect();
    assert_eq!(models, ["4. MLP", "2. Random forest"]);
    assert!((g[0].gap - 0.3).abs() < 1e-12);
    assert_eq!((g[0].split, g[0].capture), (0.9, 0.6));
}

#[test]
fn table_cells_mark_the_best_and_colour_the_gap() {
    assert_eq!(header_class("macro_f1"), "num f1-split");
    assert_eq!(header_class("capture_gap"), "num f1-capture");
    assert_eq!(header_class("accuracy"), "num");
    assert_eq!(cell_class("accuracy", Some(0.9), Some(0.9)), "num best");
    assert_eq!(cell_class("accuracy", Some(0.8), Some(0.9)), "num");
    assert_eq!(cell_class("accuracy", None, None), "num");
    assert_eq!(
        cell_class("capture_gap", Some(0.2), None),
        "num f1-capture gap-large"
    );
    assert_eq!(
        cell_class("capture_gap", Some(0.07), None),
        "num f1-capture gap-notable"
    );
    assert_eq!(
        cell_class("capture_gap", Some(0.01), None),
        "num f1-capture"
    );
    assert_eq!(
        cell_class("capture_macro_f1", Some(0.5), Some(0.5)),
        "num f1-capture best"
    );
    assert_eq!(cell_testid("capture_macro_f1", 2), "results-capture-f1-2");
    assert_eq!(cell_testid("capture_gap", 0), "results-gap-0");
    assert_eq!(cell_testid("macro_f1", 1), "results-macro-f1-1");

    let a = sample_report();
    let mut b = sample_report();
    b.accuracy = 0.9;
    let rs = [scores("a", &a, Some(0.4)), scores("b", &b, None)];
    let best = best_values(&rs);
    let at = |key: &str| best[COLUMNS.iter().position(|c| c.key == key).unwrap()];
    assert_eq!(at("accuracy"), Some(0.9));
    assert_eq!(at("capture_macro_f1"), Some(0.4));
    assert_eq!(at("capture_gap"), None);
    assert_eq!(at("pr_auc"), None);
    assert_eq!(at("train_rows"), None);
    // One model has nothing to be best against.
    assert!(best_values(&rs[..1]).iter().all(Option::is_none));
}
