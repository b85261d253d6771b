//! The Results tab: every model trained in this page side by side, then one model in depth.
//!
//! The comparison table lists every metric of every model, with the by-capture macro-F1 (each
//! source file held out whole) beside the random-split one — the gap between the two is how much a
//! random split flatters a model on traffic from captures it never saw, and a large gap is shown as
//! a warning. The same numbers are drawn as grouped bars. Per model (chosen in a select): the
//! confusion matrix (counts or row-normalised), per-class precision/recall/F1, one-vs-rest ROC and
//! PR curves, gain and permutation importance, learning and loss curves, the first levels of a
//! decision tree (expandable), the leakage findings, the split and the model's size. Every chart has
//! a PNG button and every table CSV (and the comparison JSON) downloads.

use leptos::prelude::*;
use serde_json::{json, Map, Value};
use web_sys::HtmlSelectElement;

use super::charts::{
    series_css, GroupedBarChart, GroupedBars, HBarChart, HBars, HeatScale, Heatmap, HeatmapChart,
    LegendAt, Line, LineChart, Lines, Series,
};
use super::download::{csv_table, save_text};
use super::{use_session, Tab};
use crate::eval::importance::PermutationImportance;
use crate::eval::learning_curve::LearningPoint;
use crate::job::Diagnostics;
use crate::models::describe::TreeView;
use crate::worker::protocol::TrainedResult;

/// A gap (random-split macro-F1 minus by-capture macro-F1) at least this large is a warning.
pub const LARGE_GAP: f64 = 0.10;
/// A gap at least this large is worth a note.
pub const NOTABLE_GAP: f64 = 0.05;
/// Features shown in an importance chart.
const TOP_FEATURES: usize = 20;

/// How a comparison column is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A score in [0, 1] (MCC in [−1, 1]); higher is better.
    Score,
    /// A row count.
    Count,
    /// Milliseconds, shown as seconds.
    Millis,
}

/// One column of the comparison table.
struct Col {
    key: &'static str,
    label: &'static str,
    /// Tooltip: what the number is.
    help: &'static str,
    kind: Kind,
    get: fn(&TrainedResult) -> Option<f64>,
}

/// Every column of the comparison table, in order.
const COLUMNS: &[Col] = &[
    Col {
        key: "accuracy",
        label: "Accuracy",
        help: "share of test rows predicted right",
        kind: Kind::Score,
        get: |r| Some(r.info.meta.metrics.accuracy),
    },
    Col {
        key: "balanced_accuracy",
        label: "Balanced acc.",
        help: "mean recall over classes (rare classes count as much as common ones)",
        kind: Kind::Score,
        get: |r| Some(r.info.meta.metrics.balanced_accuracy),
    },
    Col {
        key: "macro_precision",
        label: "Macro P",
        help: "precision averaged over classes",
        kind: Kind::Score,
        get: |r| Some(r.info.meta.metrics.macro_precision),
    },
    Col {
        key: "macro_recall",
        label: "Macro R",
        help: "recall averaged over classes",
        kind: Kind::Score,
        get: |r| Some(r.info.meta.metrics.macro_recall),
    },
    Col {
        key: "macro_f1",
        label: "Macro F1 (split)",
        help: "F1 averaged over classes, on the requested split's test rows",
        kind: Kind::Score,
        get: |r| Some(r.info.meta.metrics.macro_f1),
    },
    Col {
        key: "capture_macro_f1",
        label: "Macro F1 (by capture)",
        help: "macro-F1 when each source file (capture) is held out whole: traffic the model never saw",
        kind: Kind::Score,
        get: |r| r.diagnostics.by_capture.as_ref().map(|c| c.macro_f1),
    },
    Col {
        key: "capture_gap",
        label: "Gap",
        help: "split macro-F1 minus by-capture macro-F1: how much the split flatters the model",
        kind: Kind::Score,
        get: gap,
    },
    Col {
        key: "weighted_f1",
        label: "Weighted F1",
        help: "F1 averaged over classes, weighted by support",
        kind: Kind::Score,
        get: |r| Some(r.info.meta.metrics.weighted_f1),
    },
    Col {
        key: "mcc",
        label: "MCC",
        help: "Matthews correlation coefficient (−1 … 1)",
        kind: Kind::Score,
        get: |r| Some(r.info.meta.metrics.mcc),
    },
    Col {
        key: "roc_auc",
        label: "ROC-AUC",
        help: "one-vs-rest ROC-AUC, macro average",
        kind: Kind::Score,
        get: |r| r.info.meta.metrics.roc_auc,
    },
    Col {
        key: "pr_auc",
        label: "PR-AUC",
        help: "one-vs-rest average precision, macro average",
        kind: Kind::Score,
        get: |r| r.info.meta.metrics.pr_auc,
    },
    Col {
        key: "train_rows",
        label: "Train rows",
        help: "rows the saved model was fitted on",
        kind: Kind::Count,
        get: |r| Some(r.info.meta.train_rows as f64),
    },
    Col {
        key: "test_rows",
        label: "Test rows",
        help: "rows scored (summed over folds)",
        kind: Kind::Count,
        get: |r| Some(r.info.meta.test_rows as f64),
    },
    Col {
        key: "duplicates_removed",
        label: "Dupes removed",
        help: "test rows dropped because an identical row was in training",
        kind: Kind::Count,
        get: |r| Some(r.info.meta.duplicates_removed as f64),
    },
    Col {
        key: "cpu_ms",
        label: "Fit CPU",
        help: "time spent fitting, summed over workers",
        kind: Kind::Millis,
        get: |r| Some(r.cpu_ms),
    },
    Col {
        key: "wall_ms",
        label: "Fit wall",
        help: "time from the model's first task to its result",
        kind: Kind::Millis,
        get: |r| Some(r.wall_ms),
    },
];

/// Split macro-F1 minus by-capture macro-F1.
fn gap(r: &TrainedResult) -> Option<f64> {
    r.diagnostics
        .by_capture
        .as_ref()
        .map(|c| r.info.meta.metrics.macro_f1 - c.macro_f1)
}

/// A cell's text.
fn cell(kind: Kind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => "—".into(),
        (Kind::Score, Some(v)) => format!("{v:.4}"),
        (Kind::Count, Some(v)) => format!("{v:.0}"),
        (Kind::Millis, Some(v)) => format!("{:.2} s", v / 1000.0),
    }
}

/// A cell's value in a download (full precision, empty when missing).
fn raw(kind: Kind, v: Option<f64>) -> String {
    match (kind, v) {
        (_, None) => String::new(),
        (Kind::Count, Some(v)) => format!("{v:.0}"),
        (Kind::Millis, Some(v)) => format!("{v:.1}"),
        (Kind::Score, Some(v)) => format!("{v}"),
    }
}

/// The name a model goes by in the page (several runs may train the same kind).
pub fn model_label(i: usize, r: &TrainedResult) -> String {
    format!("{}. {}", i + 1, r.info.title)
}

/// The comparison table as CSV.
pub fn comparison_csv(results: &[TrainedResult]) -> String {
    let mut header = vec!["model".to_string(), "kind".to_string()];
    header.extend(COLUMNS.iter().map(|c| c.key.to_string()));
    header.push("split".into());
    let rows: Vec<Vec<String>> = results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![model_label(i, r), r.info.kind.clone()];
            row.extend(COLUMNS.iter().map(|c| raw(c.kind, (c.get)(r))));
            row.push(r.info.meta.split.clone());
            row
        })
        .collect();
    csv_table(&header, &rows)
}

/// The comparison table as JSON (an array of objects, `null` where a value is missing).
pub fn comparison_json(results: &[TrainedResult]) -> String {
    let rows: Vec<Value> = results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut o = Map::new();
            o.insert("model".into(), json!(model_label(i, r)));
            o.insert("kind".into(), json!(r.info.kind));
            for c in COLUMNS {
                o.insert(c.key.into(), json!((c.get)(r)));
            }
            o.insert("split".into(), json!(r.info.meta.split));
            o.insert("classes".into(), json!(r.info.classes));
            Value::Object(o)
        })
        .collect();
    serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into())
}

/// Permutation importance, when the job computed it.
fn permutation(d: &Diagnostics) -> Option<&PermutationImportance> {
    d.permutation.as_ref()
}

/// Learning-curve points, when the job computed them.
fn learning(d: &Diagnostics) -> Option<&[LearningPoint]> {
    d.learning_curve.as_deref().filter(|p| !p.is_empty())
}

/// Saves `text`, showing why not in `error`.
fn save(error: RwSignal<Option<String>>, name: &str, mime: &str, text: &str) {
    error.set(save_text(name, mime, text).err());
}

/// A small download button.
fn download_button(
    label: &'static str,
    testid: String,
    title: String,
    on: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button type="button" class="button small" data-testid=testid title=title on:click=move |_| on()>
            {label}
        </button>
    }
}

/// The Results tab.
#[component]
pub fn ResultsTab() -> impl IntoView {
    let session = use_session();
    let results = session.results;
    let error = RwSignal::new(None::<String>);
    // `None` follows the newest model.
    let chosen = RwSignal::new(None::<usize>);
    let selected = Memo::new(move |_| {
        let n = results.with(Vec::len);
        chosen
            .get()
            .filter(|&i| i < n)
            .unwrap_or(n.saturating_sub(1))
    });
    let current = Memo::new(move |_| results.with(|r| r.get(selected.get()).cloned()));

    view! {
        <section class="results-tab" data-testid="results-tab">
            {move || results.with(Vec::is_empty).then(|| view! {
                <div class="empty-state" data-testid="results-empty">
                    <h2>"No results yet"</h2>
                    <p>"Train models in the Train tab; each one appears here as it finishes."</p>
                    <p>
                        <button type="button" class="button primary" data-testid="results-goto-train"
                            on:click=move |_| session.goto(Tab::Train)>
                            "Go to Train"
                        </button>
                    </p>
                </div>
            })}
            {move || error.get().map(|e| view! {
                <div class="banner error" role="alert" data-testid="results-error">
                    <span class="banner-text">{e}</span>
                    <button type="button" class="dismiss" aria-label="Dismiss" on:click=move |_| error.set(None)>"×"</button>
                </div>
            })}
            {move || (!results.with(Vec::is_empty)).then(|| view! {
                <Comparison error />
                <div class="card results-pick">
                    <label class="field">
                        <span>"Model in detail"</span>
                        <select data-testid="results-model-select"
                            on:change=move |ev| {
                                let v = event_target::<HtmlSelectElement>(&ev).value();
                                chosen.set(v.parse().ok());
                            }>
                            {move || results.with(|rs| rs.iter().enumerate().map(|(i, r)| {
                                let label = model_label(i, r);
                                view! { <option value=i.to_string() selected=move || selected.get() == i>{label}</option> }
                            }).collect_view())}
                        </select>
                    </label>
                </div>
                {move || current.get().map(|r| view! { <ModelDetail index=selected.get_untracked() r error /> })}
            })}
        </section>
    }
}

/// The comparison of every model: gap warning, table with downloads, grouped bars.
#[component]
fn Comparison(error: RwSignal<Option<String>>) -> impl IntoView {
    let session = use_session();
    let results = session.results;
    let any_capture =
        Memo::new(move |_| results.with(|r| r.iter().any(|r| r.diagnostics.by_capture.is_some())));
    // (model, split F1, capture F1, gap) of every model whose gap is notable, largest first.
    let gaps = Memo::new(move |_| {
        let mut g: Vec<(String, f64, f64, f64)> = results.with(|rs| {
            rs.iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let c = r.diagnostics.by_capture.as_ref()?;
                    let split = r.info.meta.metrics.macro_f1;
                    Some((model_label(i, r), split, c.macro_f1, split - c.macro_f1))
                })
                .filter(|g| g.3 >= NOTABLE_GAP)
                .collect()
        });
        g.sort_by(|a, b| b.3.total_cmp(&a.3));
        g
    });
    let chart = Signal::derive(move || results.with(|rs| comparison_bars(rs)));
    let csv = move || {
        let text = results.with(|r| comparison_csv(r));
        save(error, "flowlab-results.csv", "text/csv", &text)
    };
    let json = move || {
        let text = results.with(|r| comparison_json(r));
        save(error, "flowlab-results.json", "application/json", &text)
    };
    view! {
        <div class="card">
            <div class="card-head">
                <h2>"Comparison"</h2>
                <span class="spacer"></span>
                {download_button("CSV", "results-csv".into(), "Download the table as CSV".into(), csv)}
                {download_button("JSON", "results-json".into(), "Download the table as JSON".into(), json)}
            </div>
            <p class="capture-explain" data-testid="results-capture-explain">
                <strong>"Split vs by capture. "</strong>
                "A random split puts flows of the same capture on both sides, so near-copies of test rows are learned; "
                "the by-capture score holds out each source file whole — closer to how a model meets a new network."
            </p>
            {move || {
                let g = gaps.get();
                let large: Vec<_> = g.iter().filter(|g| g.3 >= LARGE_GAP).cloned().collect();
                if !large.is_empty() {
                    view! {
                        <div class="banner error gap-warning" role="alert" data-testid="results-gap-warning">
                            <span class="banner-text">
                                <strong>"The random split overstates these models. "</strong>
                                {large.iter().map(|(m, s, c, d)| format!(
                                    "{m}: macro-F1 {s:.3} on the split, {c:.3} on captures it never saw (−{d:.3}). "
                                )).collect::<String>()}
                                "Expect the by-capture number on new traffic."
                            </span>
                        </div>
                    }.into_any()
                } else if !g.is_empty() {
                    view! {
                        <div class="banner info" data-testid="results-gap-note">
                            <span class="banner-text">
                                {g.iter().map(|(m, s, c, d)| format!(
                                    "{m}: {s:.3} on the split vs {c:.3} by capture (−{d:.3}). "
                                )).collect::<String>()}
                            </span>
                        </div>
                    }.into_any()
                } else if !any_capture.get() {
                    view! {
                        <p class="muted small" data-testid="results-no-capture">
                            "No by-capture score: it needs labelled rows from at least two source files and the Train tab's "
                            "“also score by capture” option (this data came from fewer files, or the split was already by capture)."
                        </p>
                    }.into_any()
                } else {
                    ().into_any()
                }
            }}
            <div class="scroll">
                <table class="table results-table" data-testid="results-table">
                    <thead>
                        <tr>
                            <th scope="col">"Model"</th>
                            {COLUMNS.iter().map(|c| {
                                let class = match c.key {
                                    "macro_f1" => "num f1-split",
                                    "capture_macro_f1" | "capture_gap" => "num f1-capture",
                                    _ => "num",
                                };
                                view! { <th scope="col" class=class title=c.help>{c.label}</th> }
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || results.with(|rs| {
                            // The best value of each score column, to mark it.
                            let best: Vec<Option<f64>> = COLUMNS.iter().map(|c| {
                                if c.kind != Kind::Score || c.key == "capture_gap" || rs.len() < 2 {
                                    return None;
                                }
                                rs.iter().filter_map(|r| (c.get)(r)).reduce(f64::max)
                            }).collect();
                            rs.iter().enumerate().map(|(i, r)| {
                                let cells = COLUMNS.iter().zip(&best).map(|(c, b)| {
                                    let v = (c.get)(r);
                                    let mut class = String::from("num");
                                    match c.key {
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
                                    if v.is_some() && v == *b {
                                        class.push_str(" best");
                                    }
                                    let testid = match c.key {
                                        "capture_macro_f1" => format!("results-capture-f1-{i}"),
                                        "capture_gap" => format!("results-gap-{i}"),
                                        key => format!("results-{}-{i}", key.replace('_', "-")),
                                    };
                                    let text = if c.key == "capture_gap" {
                                        v.map_or("—".into(), |g| format!("{:+.4}", -g))
                                    } else {
                                        cell(c.kind, v)
                                    };
                                    view! {
                                        <td class=class data-testid=testid data-value=v.map(|v| v.to_string())>{text}</td>
                                    }
                                }).collect_view();
                                view! {
                                    <tr data-testid=format!("results-row-{i}")>
                                        <th scope="row">
                                            {model_label(i, r)}
                                            {r.diagnostics.size.clone().map(|s| view! { <div class="muted small">{s}</div> })}
                                        </th>
                                        {cells}
                                    </tr>
                                }
                            }).collect_view()
                        })}
                    </tbody>
                </table>
            </div>
        </div>
        <div class="card">
            <GroupedBarChart title="Metrics by model" data=chart testid="results-compare" height=340 />
        </div>
    }
}

/// Grouped bars: one group per metric, one bar per model. Metrics some model lacks are left out.
fn comparison_bars(rs: &[TrainedResult]) -> GroupedBars {
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
    let cols: Vec<&Col> = keys
        .iter()
        .filter_map(|k| COLUMNS.iter().find(|c| c.key == *k))
        .filter(|c| !rs.is_empty() && rs.iter().all(|r| (c.get)(r).is_some()))
        .collect();
    let series: Vec<Series> = rs
        .iter()
        .enumerate()
        .map(|(i, r)| Series {
            name: model_label(i, r),
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

/// One model in depth.
#[component]
fn ModelDetail(index: usize, r: TrainedResult, error: RwSignal<Option<String>>) -> impl IntoView {
    let classes = r.info.classes.clone();
    let stem = format!("flowlab-{}-{}", index + 1, r.info.kind);
    let m = r.info.meta.metrics.clone();
    let d = r.diagnostics.clone();

    // Confusion matrix, counts or row-normalised.
    let normalised = RwSignal::new(false);
    let confusion = m.confusion.clone();
    let confusion_classes = classes.clone();
    let heat =
        Signal::derive(move || confusion_heatmap(&confusion_classes, &confusion, normalised.get()));
    let confusion_csv = {
        let (classes, confusion, stem) = (classes.clone(), m.confusion.clone(), stem.clone());
        move || {
            let mut header = vec!["true \\ predicted".to_string()];
            header.extend(classes.iter().cloned());
            let norm = normalised.get_untracked();
            let rows: Vec<Vec<String>> = confusion
                .iter()
                .zip(&classes)
                .map(|(row, c)| {
                    let total: u64 = row.iter().sum();
                    let mut out = vec![c.clone()];
                    out.extend(row.iter().map(|&n| {
                        if norm {
                            format!(
                                "{}",
                                if total == 0 {
                                    0.0
                                } else {
                                    n as f64 / total as f64
                                }
                            )
                        } else {
                            n.to_string()
                        }
                    }));
                    out
                })
                .collect();
            let name = format!(
                "{stem}-confusion{}.csv",
                if norm { "-normalised" } else { "" }
            );
            save(error, &name, "text/csv", &csv_table(&header, &rows))
        }
    };

    // Per-class precision / recall / F1.
    let per_class = GroupedBars {
        categories: classes.clone(),
        series: vec![
            Series {
                name: "precision".into(),
                values: m.per_class.iter().map(|c| c.precision).collect(),
            },
            Series {
                name: "recall".into(),
                values: m.per_class.iter().map(|c| c.recall).collect(),
            },
            Series {
                name: "F1".into(),
                values: m.per_class.iter().map(|c| c.f1).collect(),
            },
        ],
        x_label: String::new(),
        y_label: "score".into(),
        y_range: Some((0.0, 1.0)),
        show_values: false,
    };
    let per_class_csv = {
        let (classes, pc, stem) = (classes.clone(), m.per_class.clone(), stem.clone());
        move || {
            let header: Vec<String> = [
                "class",
                "precision",
                "recall",
                "f1",
                "support",
                "roc_auc",
                "pr_auc",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            let opt = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            let rows: Vec<Vec<String>> = classes
                .iter()
                .zip(&pc)
                .map(|(c, p)| {
                    vec![
                        c.clone(),
                        p.precision.to_string(),
                        p.recall.to_string(),
                        p.f1.to_string(),
                        p.support.to_string(),
                        opt(p.roc_auc),
                        opt(p.pr_auc),
                    ]
                })
                .collect();
            save(
                error,
                &format!("{stem}-per-class.csv"),
                "text/csv",
                &csv_table(&header, &rows),
            )
        }
    };

    // ROC and PR curves, one line per class.
    let auc = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    let roc = Lines {
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
    };
    let pr = Lines {
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
    };

    // Importance: gain and permutation.
    let names = d.feature_names.clone();
    let gain = d
        .gain_importance
        .as_ref()
        .map(|g| top_bars(&names, g, None, "share of gain"));
    let perm = permutation(&d).map(|p| {
        let means: Vec<f64> = p.features.iter().map(|f| f.mean).collect();
        let stds: Vec<f64> = p.features.iter().map(|f| f.std).collect();
        (
            top_bars(
                &names,
                &means,
                Some(&stds),
                "drop in macro-F1 when shuffled",
            ),
            p.baseline_macro_f1,
            p.rows,
        )
    });
    let importance_csv = {
        let (names, gain, perm, stem) = (
            names.clone(),
            d.gain_importance.clone(),
            permutation(&d).cloned(),
            stem.clone(),
        );
        move || {
            let header: Vec<String> = ["feature", "gain", "permutation_mean", "permutation_std"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            let rows: Vec<Vec<String>> = names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let g = gain.as_ref().and_then(|g| g.get(i)).map(|v| v.to_string());
                    let p = perm.as_ref().and_then(|p| p.features.get(i));
                    vec![
                        n.clone(),
                        g.unwrap_or_default(),
                        p.map(|p| p.mean.to_string()).unwrap_or_default(),
                        p.map(|p| p.std.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            save(
                error,
                &format!("{stem}-importance.csv"),
                "text/csv",
                &csv_table(&header, &rows),
            )
        }
    };

    // Learning and loss curves.
    let learning_lines = learning(&d).map(|pts| Lines {
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
    });
    let loss_lines = d.loss.as_ref().map(|l| {
        let mut lines = vec![Line {
            name: "training loss".into(),
            points: l
                .train
                .iter()
                .enumerate()
                .map(|(i, &v)| ((i + 1) as f64, v))
                .collect(),
            dashed: false,
        }];
        if !l.val.is_empty() {
            lines.push(Line {
                name: "validation loss".into(),
                points: l
                    .val
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| ((i + 1) as f64, v))
                    .collect(),
                dashed: true,
            });
        }
        Lines {
            lines,
            x_label: l.step.clone(),
            y_label: "loss".into(),
            x_range: None,
            y_range: None,
            diagonal: false,
            markers: false,
            legend: LegendAt::UpperRight,
        }
    });

    let leakage = r.info.meta.leakage.clone();
    let leakage_csv = {
        let (leakage, stem) = (leakage.clone(), stem.clone());
        move || {
            let header: Vec<String> = [
                "column",
                "role",
                "alone_macro_f1",
                "baseline_macro_f1",
                "distinct",
                "warn",
                "message",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            let rows: Vec<Vec<String>> = leakage
                .iter()
                .map(|f| {
                    vec![
                        f.column.clone(),
                        f.role.clone(),
                        f.alone_macro_f1.to_string(),
                        f.baseline_macro_f1.to_string(),
                        f.distinct.to_string(),
                        f.warn.to_string(),
                        f.message.clone(),
                    ]
                })
                .collect();
            save(
                error,
                &format!("{stem}-leakage.csv"),
                "text/csv",
                &csv_table(&header, &rows),
            )
        }
    };
    let whole_json = {
        let (r, stem) = (r.clone(), stem.clone());
        move || match serde_json::to_string_pretty(&r) {
            Ok(text) => save(
                error,
                &format!("{stem}-result.json"),
                "application/json",
                &text,
            ),
            Err(e) => error.set(Some(format!("cannot write the result as JSON: {e}"))),
        }
    };

    let meta = r.info.meta.clone();
    let title = model_label(index, &r);
    let capture = d.by_capture.as_ref().map(|c| c.macro_f1);
    let classes_for_tree = classes.clone();
    view! {
        <div class="results-detail" data-testid="results-detail">
            <div class="card">
                <div class="card-head">
                    <h2>{title.clone()}</h2>
                    <span class="spacer"></span>
                    {download_button("JSON", "results-model-json".into(), "Download everything about this model as JSON".into(), whole_json)}
                </div>
                <dl class="facts" data-testid="results-facts">
                    <div><dt>"Split"</dt><dd data-testid="results-split">{meta.split.clone()}</dd></div>
                    <div><dt>"Train / test rows"</dt><dd>{format!("{} / {}", meta.train_rows, meta.test_rows)}</dd></div>
                    <div><dt>"Duplicates removed"</dt><dd>{meta.duplicates_removed}</dd></div>
                    <div><dt>"Features"</dt><dd>{r.info.features.len()}</dd></div>
                    <div><dt>"Classes"</dt><dd>{format!("{} ({})", classes.len(), r.info.taxonomy.name())}</dd></div>
                    <div><dt>"Seed"</dt><dd>{meta.request.seed}</dd></div>
                    <div><dt>"Size"</dt><dd data-testid="results-size">{d.size.clone().unwrap_or_else(|| "—".into())}</dd></div>
                    <div><dt>"Fit (CPU / wall)"</dt><dd>{format!("{:.2} s / {:.2} s", r.cpu_ms / 1000.0, r.wall_ms / 1000.0)}</dd></div>
                    <div><dt>"Scoring"</dt><dd>{format!("{:.2} s", r.assemble_ms / 1000.0)}</dd></div>
                    <div class="f1-split"><dt>"Macro-F1 (split)"</dt><dd>{format!("{:.4}", m.macro_f1)}</dd></div>
                    <div class="f1-capture"><dt>"Macro-F1 (by capture)"</dt><dd>{capture.map_or("not available".into(), |c| format!("{c:.4}"))}</dd></div>
                </dl>
            </div>

            <div class="results-grid">
                <div class="card">
                    <div class="card-head">
                        <label class="toggle">
                            <input type="checkbox" data-testid="results-confusion-normalise"
                                prop:checked=move || normalised.get()
                                on:change=move |ev| normalised.set(event_target_checked(&ev)) />
                            " row-normalised (recall per true class)"
                        </label>
                        <span class="spacer"></span>
                        {download_button("CSV", "results-confusion-csv".into(), "Download the confusion matrix as CSV".into(), confusion_csv)}
                    </div>
                    <HeatmapChart title="Confusion matrix" data=heat testid="results-confusion" />
                </div>
                <div class="card">
                    <div class="card-head">
                        <span class="spacer"></span>
                        {download_button("CSV", "results-per-class-csv".into(), "Download per-class metrics as CSV".into(), per_class_csv)}
                    </div>
                    <GroupedBarChart title="Precision, recall and F1 per class" data=per_class testid="results-per-class" height=320 />
                </div>
                <div class="card">
                    {if roc.lines.is_empty() {
                        missing("results-roc", "ROC curves", "this model gives no class probabilities").into_any()
                    } else {
                        view! { <LineChart title="ROC curves (one vs rest)" data=roc testid="results-roc" height=340 /> }.into_any()
                    }}
                </div>
                <div class="card">
                    {if pr.lines.is_empty() {
                        missing("results-pr", "Precision-recall curves", "this model gives no class probabilities").into_any()
                    } else {
                        view! { <LineChart title="Precision-recall curves (one vs rest)" data=pr testid="results-pr" height=340 /> }.into_any()
                    }}
                </div>
            </div>

            <div class="card">
                <div class="card-head">
                    <h2>"Feature importance"</h2>
                    <span class="spacer"></span>
                    {download_button("CSV", "results-importance-csv".into(), "Download every feature's importance as CSV".into(), importance_csv)}
                </div>
                <div class="results-grid">
                    <div>
                        {match gain {
                            Some(g) => view! { <HBarChart title=format!("Gain importance (top {TOP_FEATURES})") data=g testid="results-importance" /> }.into_any(),
                            None => missing("results-importance", "Gain importance", "only tree models (decision tree, forest, boosting) measure gain").into_any(),
                        }}
                    </div>
                    <div>
                        {match perm {
                            Some((p, base, rows)) => view! {
                                <HBarChart title=format!("Permutation importance (top {TOP_FEATURES})") data=p testid="results-permutation" />
                                <p class="muted small">{format!("Drop in macro-F1 (baseline {base:.3}, {rows} test rows) when one feature's values are shuffled; whiskers: ± one standard deviation over repeats.")}</p>
                            }.into_any(),
                            None => missing("results-permutation", "Permutation importance", "not computed: switched off in the Train tab, or no test rows").into_any(),
                        }}
                    </div>
                </div>
            </div>

            <div class="results-grid">
                <div class="card">
                    {match learning_lines {
                        Some(l) => view! { <LineChart title="Learning curve" data=l testid="results-learning" height=300 /> }.into_any(),
                        None => missing("results-learning", "Learning curve", "not computed: switched off in the Train tab, or no test rows").into_any(),
                    }}
                </div>
                <div class="card">
                    {match loss_lines {
                        Some(l) => view! { <LineChart title="Loss curve" data=l testid="results-loss" height=300 /> }.into_any(),
                        None => missing("results-loss", "Loss curve", "recorded only for models fitted step by step (MLP, boosting, logistic regression)").into_any(),
                    }}
                </div>
            </div>

            <div class="card" data-testid="results-tree">
                <h2>"Decision tree"</h2>
                {match d.tree.as_ref() {
                    Some(t) => tree_view(t, &classes_for_tree).into_any(),
                    None => view! { <p class="muted" data-testid="results-tree-missing">{if matches!(r.info.kind.as_str(), "rf" | "gbdt") {
                                "Only the decision tree model (dt) is drawn: an ensemble holds many trees. Train a decision tree to see one."
                            } else {
                                "No tree to draw: this model is not made of trees."
                            }}</p> }.into_any(),
                }}
            </div>

            <div class="card" data-testid="results-leakage">
                <div class="card-head">
                    <h2>"Leakage findings"</h2>
                    <span class="spacer"></span>
                    {(!leakage.is_empty()).then(|| download_button("CSV", "results-leakage-csv".into(), "Download the leakage findings as CSV".into(), leakage_csv))}
                </div>
                {if leakage.is_empty() {
                    view! { <p class="muted">"No column predicts the label on its own better than the majority-class baseline."</p> }.into_any()
                } else {
                    view! {
                        <p class="muted small">"Each column alone, as a lookup from its value to the label, scored on the test rows. A column far above the baseline may name the capture rather than the behaviour."</p>
                        <div class="scroll">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">"Column"</th><th scope="col">"Role"</th>
                                    <th scope="col" class="num">"Alone macro-F1"</th><th scope="col" class="num">"Baseline"</th>
                                    <th scope="col" class="num">"Distinct"</th><th scope="col">"Finding"</th>
                                </tr></thead>
                                <tbody>
                                    {leakage.iter().map(|f| view! {
                                        <tr class=if f.warn { "warn" } else { "" }>
                                            <th scope="row" class="label-name">{f.column.clone()}</th>
                                            <td>{f.role.clone()}</td>
                                            <td class="num">{format!("{:.3}", f.alone_macro_f1)}</td>
                                            <td class="num">{format!("{:.3}", f.baseline_macro_f1)}</td>
                                            <td class="num">{f.distinct}</td>
                                            <td>{if f.warn { "⚠ " } else { "" }}{f.message.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </div>
        </div>
    }
}

/// A panel saying why a chart is not there.
fn missing(testid: &'static str, title: &'static str, why: &'static str) -> impl IntoView {
    view! {
        <figure class="chart chart-missing" data-testid=testid>
            <figcaption class="chart-head"><span class="chart-title">{title}</span></figcaption>
            <p class="muted" data-testid=format!("{testid}-missing")>{why}</p>
        </figure>
    }
}

/// The confusion matrix as a heatmap: counts, or each true class's row as shares.
fn confusion_heatmap(classes: &[String], confusion: &[Vec<u64>], normalised: bool) -> Heatmap {
    let values = confusion
        .iter()
        .map(|row| {
            let total: u64 = row.iter().sum();
            row.iter()
                .map(|&n| {
                    Some(if normalised {
                        if total == 0 {
                            0.0
                        } else {
                            n as f64 / total as f64
                        }
                    } else {
                        n as f64
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

/// The `TOP_FEATURES` largest of `values` as horizontal bars, largest first.
fn top_bars(names: &[String], values: &[f64], errors: Option<&[f64]>, x_label: &str) -> HBars {
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

/// The first levels of a tree as nested, expandable boxes (`<details>`: keyboard-accessible).
fn tree_view(t: &TreeView, classes: &[String]) -> impl IntoView {
    let legend = classes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            view! {
                <span class="tree-legend-item">
                    <span class="swatch" style=format!("background:{}", series_css(i))></span>
                    {c.clone()}
                </span>
            }
        })
        .collect_view();
    let root = if t.nodes.is_empty() {
        view! { <p class="muted">"The tree is empty."</p> }.into_any()
    } else {
        view! { <ul class="tree">{tree_node(t, classes, 0, 0, None)}</ul> }.into_any()
    };
    view! {
        <p class="muted small" data-testid="results-tree-info">
            {format!(
                "Depth {}, {} leaves; the first {} levels are drawn. Open a node to see its children; \
                 the left branch is where the test holds. Bars: class mix of the node's training rows.",
                t.depth, t.leaves, t.shown_depth
            )}
        </p>
        <div class="tree-legend">{legend}</div>
        {root}
    }
}

/// Node `i` at `depth`, reached by a branch where the parent's test was `branch`.
fn tree_node(
    t: &TreeView,
    classes: &[String],
    i: usize,
    depth: usize,
    branch: Option<bool>,
) -> AnyView {
    let Some(n) = t.nodes.get(i) else {
        return ().into_any();
    };
    let bar = n
        .distribution
        .iter()
        .enumerate()
        .filter(|(_, &w)| w > 0.0)
        .map(|(c, &w)| {
            let name = classes.get(c).cloned().unwrap_or_default();
            view! {
                <span class="dist-part" title=format!("{name}: {:.1} %", w * 100.0)
                    style=format!("width:{:.2}%;background:{}", w * 100.0, series_css(c))></span>
            }
        })
        .collect_view();
    let branch = branch.map(|b| {
        view! { <span class=if b { "branch yes" } else { "branch no" }>{if b { "yes" } else { "no" }}</span> }
    });
    let head = view! {
        {branch}
        <span class="tree-test">{n.test.clone().unwrap_or_else(|| format!("leaf → {}", n.class))}</span>
        <span class="tree-meta muted">
            {format!("{} rows · majority {} · impurity {:.3}", n.samples, n.class, n.impurity)}
        </span>
        <span class="dist">{bar}</span>
    };
    let body = if !n.children.is_empty() {
        let kids = n
            .children
            .iter()
            .enumerate()
            .map(|(k, &c)| tree_node(t, classes, c, depth + 1, Some(k == 0)))
            .collect_view();
        view! {
            <details open=depth < 2 data-testid=format!("results-tree-node-{i}")>
                <summary class="tree-node">{head}</summary>
                <ul class="tree">{kids}</ul>
            </details>
        }
        .into_any()
    } else if n.test.is_some() {
        view! {
            <div class="tree-node cut" data-testid=format!("results-tree-node-{i}")>
                {head}
                <span class="muted small">" … deeper levels not drawn"</span>
            </div>
        }
        .into_any()
    } else {
        view! { <div class="tree-node leaf" data-testid=format!("results-tree-node-{i}")>{head}</div> }.into_any()
    };
    view! { <li>{body}</li> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn cells_show_scores_counts_and_seconds() {
        assert_eq!(cell(Kind::Score, Some(0.98765)), "0.9877");
        assert_eq!(cell(Kind::Count, Some(860.0)), "860");
        assert_eq!(cell(Kind::Millis, Some(1234.0)), "1.23 s");
        assert_eq!(cell(Kind::Score, None), "—");
        assert_eq!(raw(Kind::Score, None), "");
    }

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
