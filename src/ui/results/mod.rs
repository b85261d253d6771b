//! The Results tab: every model trained in this page side by side, then one model in depth.
//!
//! The comparison table lists every metric of every model, with the by-capture macro-F1 (each
//! source file held out whole) beside the random-split one — the gap between the two is how much a
//! random split flatters a model on traffic from captures it never saw, and a large gap is shown as
//! a warning. The same numbers are drawn as grouped bars. Per model (chosen in a select): the
//! confusion matrix (counts or row-normalised), per-class precision/recall/F1, one-vs-rest ROC and
//! PR curves, gain and permutation importance, learning and loss curves, the first levels of a
//! decision tree (expandable), the leakage findings, the split and the model's size. Every chart has
//! a PNG button and every table CSV (and the comparison JSON) downloads; the files are written by
//! [`crate::report::export`].

mod comparison;
mod confusion;
mod curves;
mod detail;
mod importance;
mod recommendation;
mod shap;
mod table;
mod tree;

use leptos::prelude::*;
use web_sys::HtmlSelectElement;

use super::download::save_text;
use super::{use_session, Tab};
use crate::report::format::{model_label, ModelScores};
use crate::worker::protocol::TrainedResult;
use comparison::Comparison;
use detail::ModelDetail;

/// A trained model's numbers as the comparison reads them.
fn scores(r: &TrainedResult) -> ModelScores<'_> {
    let meta = &r.info.meta;
    ModelScores {
        title: &r.info.title,
        kind: &r.info.kind,
        split: &meta.split,
        classes: &r.info.classes,
        metrics: &meta.metrics,
        capture_macro_f1: r.diagnostics.by_capture.as_ref().map(|c| c.macro_f1),
        train_rows: meta.train_rows,
        test_rows: meta.test_rows,
        duplicates_removed: meta.duplicates_removed,
        cpu_ms: r.cpu_ms,
        wall_ms: r.wall_ms,
    }
}

/// Every model's numbers.
fn all_scores(results: &[TrainedResult]) -> Vec<ModelScores<'_>> {
    results.iter().map(scores).collect()
}

/// Saves `text`, showing why not in `error`.
fn save(error: RwSignal<Option<String>>, name: &str, mime: &str, text: &str) {
    error.set(save_text(name, mime, text).err());
}

/// A small download button.
fn download_button(
    label: &'static str,
    testid: &'static str,
    title: &'static str,
    on: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button type="button" class="button small" data-testid=testid title=title on:click=move |_| on()>
            {label}
        </button>
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
                                let label = model_label(i, &r.info.title);
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
