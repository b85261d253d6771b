//! Scores of the predictions against the files' labels, with their CSV and JSON.

use leptos::prelude::*;

use crate::eval::metrics::Report;
use crate::report::export::{prediction_scores_csv, prediction_scores_json};
use crate::report::format::fmt4;
use crate::report::shape::predict::confusion_counts;
use crate::ui::charts::HeatmapChart;
use crate::ui::download::save_text;

/// Scores of the predictions against the files' labels.
#[component]
pub(super) fn Metrics(
    /// The scores.
    report: Report,
    /// The classes the scores are over, in matrix order.
    classes: Vec<String>,
) -> impl IntoView {
    let r = report;
    let headline: Vec<(&str, &str, String)> = vec![
        ("accuracy", "Accuracy", fmt4(r.accuracy)),
        (
            "balanced-accuracy",
            "Balanced accuracy",
            fmt4(r.balanced_accuracy),
        ),
        ("macro-f1", "Macro-F1", fmt4(r.macro_f1)),
        ("weighted-f1", "Weighted-F1", fmt4(r.weighted_f1)),
        ("mcc", "MCC", fmt4(r.mcc)),
        ("roc-auc", "ROC-AUC", r.roc_auc.map_or("n/a".into(), fmt4)),
        ("pr-auc", "PR-AUC", r.pr_auc.map_or("n/a".into(), fmt4)),
    ];
    let csv = prediction_scores_csv(&r, &classes);
    let json = prediction_scores_json(&r, &classes);
    let table_error = RwSignal::new(None::<String>);
    let heat = confusion_counts(&classes, &r.confusion);
    let per_class = r.per_class.clone();
    view! {
        <div class="card predict-metrics" data-testid="predict-metrics"
            data-accuracy=r.accuracy.to_string()
            data-macro-f1=r.macro_f1.to_string()
            data-weighted-f1=r.weighted_f1.to_string()
            data-mcc=r.mcc.to_string()
        >
            <h2>"Scores against the files' labels"</h2>
            <div class="stats">
                {headline.into_iter().map(|(id, label, v)| view! {
                    <div class="stat" data-testid=format!("predict-metric-{id}")>
                        <span class="stat-label">{label}</span><strong>{v}</strong>
                    </div>
                }).collect_view()}
            </div>
            <div class="predict-metrics-grid">
                <div>
                    <div class="scroll" tabindex="0" role="region" aria-label="Per-class scores">
                        <table class="table" data-testid="predict-per-class">
                            <thead><tr><th>"class"</th><th class="num">"precision"</th><th class="num">"recall"</th><th class="num">"F1"</th><th class="num">"support"</th></tr></thead>
                            <tbody>
                                {classes.iter().cloned().zip(per_class).map(|(c, p)| { let label = c.clone(); view! {
                                    <tr data-class=c data-f1=p.f1.to_string() data-support=p.support.to_string()>
                                        <th scope="row">{label}</th>
                                        <td class="num">{fmt4(p.precision)}</td>
                                        <td class="num">{fmt4(p.recall)}</td>
                                        <td class="num">{fmt4(p.f1)}</td>
                                        <td class="num">{p.support.to_string()}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <div class="toolbar">
                        <button class="button" data-testid="predict-metrics-csv"
                            on:click=move |_| table_error.set(save_text("flowlab-prediction-scores.csv", "text/csv", &csv).err())>"CSV"</button>
                        <button class="button" data-testid="predict-metrics-json"
                            on:click=move |_| table_error.set(save_text("flowlab-prediction-scores.json", "application/json", &json).err())>"JSON"</button>
                    </div>
                    {move || table_error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                </div>
                <HeatmapChart title="Confusion matrix (rows: true, columns: predicted)" data=heat testid="predict-confusion" height=440 />
            </div>
        </div>
    }
}
