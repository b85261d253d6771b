//! What a prediction run gave: summary, distribution chart, download, metrics, rows.

use leptos::prelude::*;

use super::csv_blob;
use super::explain::ExplainPanel;
use super::metrics::Metrics;
use super::rows::Rows;
use crate::predictions::PredictionSummary;
use crate::report::shape::predict::distribution_bars;
use crate::ui::charts::BarChart;
use crate::ui::download::save_blob;

/// What a prediction run gave: summary, chart, metrics, rows.
#[component]
pub(super) fn Results(
    /// What the worker made of the files.
    summary: PredictionSummary,
    /// The name of the model that predicted.
    model_name: String,
) -> impl IntoView {
    let download_error = RwSignal::new(None::<String>);
    let download = move |_| {
        let result = csv_blob().and_then(|blob| save_blob("flowlab-predictions.csv", &blob));
        download_error.set(result.err());
    };
    let bars = distribution_bars(&summary.classes, &summary.distribution);
    let files = summary.files.join(", ");
    let labelled = summary.metrics.is_some();
    let warnings = summary.warnings.clone();
    view! {
        <div class="predict-results">
            <div class="card" data-testid="predict-summary" data-rows=summary.rows.to_string() data-labelled=labelled.to_string()>
                <div class="stats">
                    <div class="stat"><span class="stat-label">"Rows predicted"</span><strong data-testid="predict-rows-count">{summary.rows.to_string()}</strong></div>
                    <div class="stat"><span class="stat-label">"Model"</span><strong>{model_name}</strong></div>
                    <div class="stat"><span class="stat-label">"Files"</span><strong class="wrap">{files}</strong></div>
                    <div class="stat"><span class="stat-label">"Read + predict"</span><strong>{format!("{:.0} + {:.0} ms", summary.parse_ms, summary.predict_ms)}</strong></div>
                </div>
                {(!warnings.is_empty()).then(|| view! {
                    <details class="warnings" data-testid="predict-warnings">
                        <summary>{format!("{} warning(s) while reading", warnings.len())}</summary>
                        <ul>{warnings.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                    </details>
                })}
                <div class="toolbar">
                    <button class="button primary" data-testid="predict-download-csv" on:click=download>
                        "Download predictions (CSV)"
                    </button>
                    <span class="muted small">"One row per flow: file, line, predicted class, confidence, each class's probability, and the true label when the file has one. Cells that a spreadsheet would run as formulas are escaped."</span>
                </div>
                {move || download_error.get().map(|e| view! { <p class="error" role="alert" data-testid="predict-download-error">{e}</p> })}
            </div>
            <div class="card predict-charts">
                <BarChart title="Predicted classes" data=bars testid="predict-distribution" height=280 />
            </div>
            {summary.metrics.clone().map(|m| view! { <Metrics report=m classes=summary.metric_classes.clone() /> })}
            {(!labelled).then(|| view! {
                <p class="muted" data-testid="predict-unlabelled">"These files carry no labels, so there is nothing to score the predictions against."</p>
            })}
            {summary.table_note.clone().map(|note| view! {
                <p class="muted" data-testid="predict-table-note">{note}</p>
            })}
            <Rows classes=summary.classes.clone() labelled />
            <ExplainPanel />
        </div>
    }
}
