//! The Predict tab: choose a model, drop or pick flow files (labelled or not), and the data worker
//! reads and predicts them with progress and Cancel. Then: the predicted distribution, the scores
//! when the files carry labels (metrics, per-class table, confusion matrix), and the rows —
//! sortable, filterable and paged by the worker — with a formula-safe CSV download.
//!
//! The results live outside the component (a per-page store), so they survive switching tabs;
//! a failed or cancelled prediction keeps the previous results.

use std::rc::Rc;

use leptos::prelude::*;
use web_sys::{Blob, HtmlInputElement};

use super::charts::{BarChart, Bars, HeatScale, Heatmap, HeatmapChart};
use super::download::{csv_table, save_bytes, save_text};
use super::models_tab::restore_saved_models;
use super::{blobs_and_names, use_session, Session, Tab};
use crate::predictions::{PredictionPage, PredictionSummary, RowQuery, SortKey};
use crate::worker::protocol::{FromWorker, ModelInfo, ToWorker};

/// Page sizes offered.
const PAGE_SIZES: [usize; 4] = [25, 50, 100, 250];
/// Default "low confidence" threshold.
const LOW_CONFIDENCE: f32 = 0.6;

/// A prediction in flight.
#[derive(Debug, Clone, PartialEq)]
struct Running {
    request: u32,
    done: u64,
    total: u64,
    file: String,
}

/// Everything the tab shows; kept for the whole page life (see module docs).
#[derive(Clone)]
struct PredictState {
    /// The model chosen (`None`: the newest).
    model: ArcRwSignal<Option<u32>>,
    summary: ArcRwSignal<Option<PredictionSummary>>,
    /// The name of the model that made `summary`.
    summary_model: ArcRwSignal<String>,
    page: ArcRwSignal<Option<PredictionPage>>,
    query: ArcRwSignal<RowQuery>,
    /// The latest rows request (older replies are ignored).
    rows_request: ArcRwSignal<u32>,
    running: ArcRwSignal<Option<Running>>,
    error: ArcRwSignal<Option<String>>,
    info: ArcRwSignal<Option<String>>,
    /// Threshold of the "low confidence" filter.
    threshold: ArcRwSignal<f32>,
}

thread_local! {
    static STATE: PredictState = PredictState {
        model: ArcRwSignal::new(None),
        summary: ArcRwSignal::new(None),
        summary_model: ArcRwSignal::new(String::new()),
        page: ArcRwSignal::new(None),
        query: ArcRwSignal::new(RowQuery::default()),
        rows_request: ArcRwSignal::new(0),
        running: ArcRwSignal::new(None),
        error: ArcRwSignal::new(None),
        info: ArcRwSignal::new(None),
        threshold: ArcRwSignal::new(LOW_CONFIDENCE),
    };
}

fn state() -> PredictState {
    STATE.with(Clone::clone)
}

/// The model to predict with: the chosen one if the worker still holds it, else the newest.
fn chosen_model(models: &[ModelInfo], chosen: Option<u32>) -> Option<ModelInfo> {
    chosen
        .and_then(|id| models.iter().find(|m| m.id == id))
        .or_else(|| models.last())
        .cloned()
}

/// Sends `files` to the worker to be predicted with the chosen model.
fn predict_files(session: Session, files: Vec<Blob>, names: Vec<String>) {
    let st = state();
    if files.is_empty() {
        return;
    }
    if st.running.with_untracked(Option::is_some) {
        st.error.set(Some(
            "a prediction is already running: cancel it or wait for it to finish".into(),
        ));
        return;
    }
    let Some(model) = chosen_model(&session.models.get_untracked(), st.model.get_untracked())
    else {
        st.error.set(Some(
            "no model to predict with: train one in the Train tab or import a model file in the Models tab"
                .into(),
        ));
        return;
    };
    st.error.set(None);
    st.info.set(None);
    let total = files.iter().map(Blob::size).sum::<f64>() as u64;
    let first = names.first().cloned().unwrap_or_default();
    let model_name = model.name.clone();
    let handler_state = st.clone();
    let request = session.call(
        |request| ToWorker::Predict {
            request,
            model: model.id,
            names,
        },
        files,
        Vec::new(),
        move |reply, _| {
            let st = &handler_state;
            match reply {
                FromWorker::Progress {
                    request,
                    done,
                    total,
                    file,
                } => st.running.update(|r| {
                    if let Some(r) = r.as_mut().filter(|r| r.request == request) {
                        r.done = done;
                        r.total = total;
                        r.file = file;
                    }
                }),
                FromWorker::Predicted { summary, .. } => {
                    st.running.set(None);
                    st.query.set(summary.first_page.query.clone());
                    st.page.set(Some(summary.first_page.clone()));
                    st.summary_model.set(model_name.clone());
                    st.summary.set(Some(*summary));
                }
                FromWorker::Failed { message, .. } => {
                    st.running.set(None);
                    st.error.set(Some(message));
                }
                FromWorker::Cancelled { .. } => {
                    st.running.set(None);
                    st.info.set(Some(
                        "Prediction cancelled; the results shown before are kept.".into(),
                    ));
                }
                _ => {}
            }
        },
    );
    // Replies cannot arrive before this runs (they come from the event loop).
    st.running.set(Some(Running {
        request,
        done: 0,
        total,
        file: first,
    }));
}

/// Asks the worker for the rows matching `query`.
fn fetch_rows(session: Session, query: RowQuery) {
    let st = state();
    st.query.set(query.clone());
    let handler_state = st.clone();
    let request = session.call(
        |request| ToWorker::PredictionRows { request, query },
        Vec::new(),
        Vec::new(),
        move |reply, _| {
            let st = &handler_state;
            match reply {
                FromWorker::PredictionRows { request, page }
                    if st.rows_request.get_untracked() == request =>
                {
                    st.page.set(Some(page));
                }
                FromWorker::Failed { message, .. } => st.error.set(Some(message)),
                _ => {}
            }
        },
    );
    st.rows_request.set(request);
}

/// Files of a file input.
fn fmt4(v: f64) -> String {
    format!("{v:.4}")
}

/// The Predict tab.
#[component]
pub fn PredictTab() -> impl IntoView {
    let session = use_session();
    restore_saved_models(session);
    let st = state();
    let model = RwSignal::from(st.model.clone());
    let summary = RwSignal::from(st.summary.clone());
    let summary_model = RwSignal::from(st.summary_model.clone());
    let running = RwSignal::from(st.running.clone());
    let error = RwSignal::from(st.error.clone());
    let info = RwSignal::from(st.info.clone());

    // Files dropped anywhere on the page go to prediction while this tab is shown.
    session.claim_drops(Rc::new(move |files, names| {
        predict_files(session, files, names)
    }));

    let models = session.models;
    let current = Memo::new(move |_| models.with(|m| chosen_model(m, model.get())));
    let dragging = RwSignal::new(false);
    let input_ref = NodeRef::<leptos::html::Input>::new();

    let on_pick = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        let (files, names) = input
            .files()
            .map(|l| blobs_and_names(&l))
            .unwrap_or_default();
        predict_files(session, files, names);
        // Picking the same file again must fire `change` again.
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        dragging.set(false);
        if let Some(list) = ev.data_transfer().and_then(|dt| dt.files()) {
            let (files, names) = blobs_and_names(&list);
            predict_files(session, files, names);
        }
    };
    let cancel = move |_| {
        if let Some(r) = running.get_untracked() {
            session.tell(&ToWorker::Cancel { request: r.request });
        }
    };

    view! {
        <section class="predict-tab" data-testid="predict-tab">
            <Show
                when=move || models.with(|m| !m.is_empty())
                fallback=move || view! {
                    <div class="empty-state" data-testid="predict-empty">
                        <h2>"No model yet"</h2>
                        <p>"Train a model in the Train tab, or import a model file (from this page or from "<code>"flowlab train --out"</code>") in the Models tab."</p>
                        <div class="toolbar center">
                            <button class="button primary" on:click=move |_| session.goto(Tab::Train)>"Train a model"</button>
                            <button class="button" on:click=move |_| session.goto(Tab::Models)>"Import a model"</button>
                        </div>
                    </div>
                }
            >
                <div class="card predict-input">
                    <div class="predict-controls">
                        <label class="field">
                            <span>"Model"</span>
                            <select
                                data-testid="predict-model"
                                on:change=move |ev| {
                                    model.set(event_target_value(&ev).parse().ok());
                                }
                                prop:value=move || current.get().map(|m| m.id.to_string()).unwrap_or_default()
                            >
                                {move || models.get().into_iter().rev().map(|m| {
                                    let id = m.id.to_string();
                                    view! {
                                        <option value=id.clone() selected=move || current.get().is_some_and(|c| c.id == m.id)>
                                            {format!("{} — {} ({} classes)", m.name, m.title, m.classes.len())}
                                        </option>
                                    }
                                }).collect_view()}
                            </select>
                        </label>
                        {move || current.get().map(|m| view! {
                            <p class="muted small" data-testid="predict-model-info">
                                {format!("{} · {} features · trained on {} · taxonomy {:?}",
                                    m.title, m.features.len(),
                                    if m.meta.sources.is_empty() { "—".to_string() } else { m.meta.sources.join(", ") },
                                    m.taxonomy)}
                            </p>
                        })}
                    </div>
                    <div
                        class="predict-drop"
                        class:dragging=move || dragging.get()
                        data-testid="predict-drop"
                        role="button"
                        tabindex="0"
                        aria-label="Choose flow files to predict"
                        on:click=move |_| { if let Some(i) = input_ref.get_untracked() { i.click(); } }
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" || ev.key() == " " {
                                ev.prevent_default();
                                if let Some(i) = input_ref.get_untracked() { i.click(); }
                            }
                        }
                        on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                        on:dragleave=move |_| dragging.set(false)
                        on:drop=on_drop
                    >
                        <strong>"Drop flow files here to predict them, or click to choose"</strong>
                        <span class="muted">"Zeek conn.log(.labeled), CSV, CIDDS, NSL-KDD, UNSW-NB15 — also .gz and .zip; labelled or not. Files never leave this machine."</span>
                        <input
                            type="file"
                            multiple
                            class="visually-hidden"
                            node_ref=input_ref
                            data-testid="predict-file"
                            on:change=on_pick
                            on:click=|ev| ev.stop_propagation()
                        />
                    </div>
                    {move || running.get().map(|r| {
                        let frac = if r.total > 0 { r.done as f64 / r.total as f64 } else { 0.0 };
                        view! {
                            <div class="progress" data-testid="predict-progress" role="status">
                                <progress max="1" value=frac.to_string()></progress>
                                <span class="progress-text">
                                    {format!("Predicting {} — {:.0} %", r.file, frac * 100.0)}
                                </span>
                                <button class="button" data-testid="predict-cancel" on:click=cancel>"Cancel"</button>
                            </div>
                        }
                    })}
                    {move || error.get().map(|e| view! {
                        <div class="banner error" role="alert" data-testid="predict-error">
                            <span class="banner-text">{e}</span>
                            <button class="dismiss" aria-label="Dismiss" on:click=move |_| error.set(None)>"×"</button>
                        </div>
                    })}
                    {move || info.get().map(|e| view! {
                        <div class="banner info" role="status" data-testid="predict-info">
                            <span class="banner-text">{e}</span>
                        </div>
                    })}
                </div>
            </Show>
            {move || summary.get().map(|s| view! { <Results summary=s model_name=summary_model.get() /> })}
        </section>
    }
}

/// What a prediction run gave: summary, chart, metrics, rows.
#[component]
fn Results(summary: PredictionSummary, model_name: String) -> impl IntoView {
    let session = use_session();
    let download_error = RwSignal::new(None::<String>);
    let downloading = RwSignal::new(false);
    let download = move |_| {
        downloading.set(true);
        download_error.set(None);
        session.call(
            |request| ToWorker::ExportPredictions { request },
            Vec::new(),
            Vec::new(),
            move |reply, bytes| match reply {
                FromWorker::Download { name, mime, .. } => {
                    downloading.try_set(false);
                    let result = bytes
                        .first()
                        .ok_or_else(|| "the worker sent no file".to_string())
                        .and_then(|b| save_bytes(&name, &mime, b));
                    download_error.try_set(result.err());
                }
                FromWorker::Failed { message, .. } => {
                    downloading.try_set(false);
                    download_error.try_set(Some(message));
                }
                _ => {}
            },
        );
    };
    let bars = Bars {
        labels: summary.classes.clone(),
        values: summary.distribution.iter().map(|&c| c as f64).collect(),
        x_label: "predicted class".into(),
        y_label: "rows".into(),
        colored: true,
        show_values: true,
    };
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
                    <button class="button primary" data-testid="predict-download-csv" on:click=download disabled=move || downloading.get()>
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
            <Rows classes=summary.classes.clone() labelled />
        </div>
    }
}

/// Scores of the predictions against the files' labels.
#[component]
fn Metrics(report: crate::eval::metrics::Report, classes: Vec<String>) -> impl IntoView {
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
    let header: Vec<String> = ["class", "precision", "recall", "f1", "support"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let table: Vec<Vec<String>> = classes
        .iter()
        .zip(&r.per_class)
        .map(|(c, p)| {
            vec![
                c.clone(),
                fmt4(p.precision),
                fmt4(p.recall),
                fmt4(p.f1),
                p.support.to_string(),
            ]
        })
        .collect();
    let csv = csv_table(&header, &table);
    let json = serde_json::to_string_pretty(&serde_json::json!({
        "accuracy": r.accuracy, "balanced_accuracy": r.balanced_accuracy, "macro_f1": r.macro_f1,
        "weighted_f1": r.weighted_f1, "mcc": r.mcc, "roc_auc": r.roc_auc, "pr_auc": r.pr_auc,
        "classes": &classes, "per_class": r.per_class, "confusion": r.confusion,
    }))
    .unwrap_or_default();
    let table_error = RwSignal::new(None::<String>);
    let heat = Heatmap {
        rows: classes.clone(),
        columns: classes.clone(),
        values: r
            .confusion
            .iter()
            .map(|row| row.iter().map(|&v| Some(v as f64)).collect())
            .collect(),
        scale: HeatScale::Sequential,
        show_values: true,
        decimals: 0,
        x_label: "predicted".into(),
        y_label: "true".into(),
    };
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
                    <div class="scroll">
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

/// The rows, paged by the worker.
#[component]
fn Rows(classes: Vec<String>, labelled: bool) -> impl IntoView {
    let session = use_session();
    let st = state();
    let page = RwSignal::from(st.page.clone());
    let query = RwSignal::from(st.query.clone());
    let threshold = RwSignal::from(st.threshold.clone());
    let set_query = move |f: &dyn Fn(&mut RowQuery)| {
        let mut q = query.get_untracked();
        f(&mut q);
        fetch_rows(session, q);
    };
    let sort_by = move |key: SortKey| {
        set_query(&|q: &mut RowQuery| {
            if q.sort == key {
                q.descending = !q.descending;
            } else {
                q.sort = key;
                // Confidence: least sure first is the useful default; others ascending.
                q.descending = false;
            }
            q.offset = 0;
        })
    };
    let sort_mark = move |key: SortKey| {
        let q = query.get();
        if q.sort != key {
            "none"
        } else if q.descending {
            "descending"
        } else {
            "ascending"
        }
    };
    let arrow = move |key: SortKey| match sort_mark(key) {
        "ascending" => " ▲",
        "descending" => " ▼",
        _ => "",
    };
    let class_options = classes.clone();
    let header_classes = classes.clone();
    let matching = move || page.with(|p| p.as_ref().map_or(0, |p| p.matching));
    let range = move || {
        let q = query.get();
        let m = matching();
        if m == 0 {
            "no rows match".to_string()
        } else {
            format!(
                "rows {}–{} of {}",
                q.offset + 1,
                (q.offset + q.limit).min(m),
                m
            )
        }
    };
    view! {
        <div class="card predict-rows">
            <h2>"Predictions per row"</h2>
            <div class="toolbar predict-filters">
                <label class="field inline">
                    <span>"Predicted class"</span>
                    <select data-testid="predict-filter-class" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_query(&|q: &mut RowQuery| { q.class = (!v.is_empty()).then(|| v.clone()); q.offset = 0; });
                    }>
                        <option value="" selected=move || query.with(|q| q.class.is_none())>"all"</option>
                        {class_options.into_iter().map(|c| {
                            let c2 = c.clone();
                            let label = c.clone();
                            view! { <option value=c selected=move || query.with(|q| q.class.as_deref() == Some(c2.as_str()))>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="predict-filter-low"
                        prop:checked=move || query.with(|q| q.max_confidence.is_some())
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let t = threshold.get_untracked();
                            set_query(&|q: &mut RowQuery| { q.max_confidence = on.then_some(t); q.offset = 0; });
                        } />
                    " confidence below "
                    <input type="number" class="narrow" min="0" max="1" step="0.05" data-testid="predict-filter-threshold"
                        aria-label="Low-confidence threshold"
                        prop:value=move || threshold.get().to_string()
                        on:change=move |ev| {
                            if let Ok(t) = event_target_value(&ev).parse::<f32>() {
                                let t = t.clamp(0.0, 1.0);
                                threshold.set(t);
                                if query.with_untracked(|q| q.max_confidence.is_some()) {
                                    set_query(&|q: &mut RowQuery| { q.max_confidence = Some(t); q.offset = 0; });
                                }
                            }
                        } />
                </label>
                <label class="check" title={if labelled { "Rows whose prediction differs from their label" } else { "Needs labelled files" }}>
                    <input type="checkbox" data-testid="predict-filter-errors" disabled={!labelled}
                        prop:checked=move || query.with(|q| q.errors_only)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            set_query(&|q: &mut RowQuery| { q.errors_only = on; q.offset = 0; });
                        } />
                    " errors only"
                </label>
                <span class="muted" data-testid="predict-matching" data-value=move || matching().to_string()>{range}</span>
            </div>
            <div class="scroll">
                <table class="table predict-table" data-testid="predict-rows">
                    <thead>
                        <tr>
                            <th aria-sort=move || sort_mark(SortKey::Row)>
                                <button class="sort" data-testid="predict-sort-row" on:click=move |_| sort_by(SortKey::Row)>{move || format!("row{}", arrow(SortKey::Row))}</button>
                            </th>
                            <th>"file:line"</th>
                            <th aria-sort=move || sort_mark(SortKey::Predicted)>
                                <button class="sort" data-testid="predict-sort-predicted" on:click=move |_| sort_by(SortKey::Predicted)>{move || format!("predicted{}", arrow(SortKey::Predicted))}</button>
                            </th>
                            <th class="num" aria-sort=move || sort_mark(SortKey::Confidence)>
                                <button class="sort" data-testid="predict-sort-confidence" on:click=move |_| sort_by(SortKey::Confidence)>{move || format!("confidence{}", arrow(SortKey::Confidence))}</button>
                            </th>
                            {labelled.then(|| view! { <th>"true label"</th> })}
                            {header_classes.iter().map(|c| view! { <th class="num proba" title=format!("probability of {c}")>{format!("p({c})")}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {move || page.get().map(|p| p.rows.into_iter().map(|r| {
                            let wrong = r.truth.as_ref().is_some_and(|t| *t != r.predicted);
                            let best = r.proba.iter().cloned().fold(f32::MIN, f32::max);
                            view! {
                                <tr class:wrong=wrong data-row=r.row.to_string() data-predicted=r.predicted.clone()
                                    data-confidence=r.confidence.to_string() data-truth=r.truth.clone().unwrap_or_default()>
                                    <td class="num">{(r.row + 1).to_string()}</td>
                                    <td class="mono">{format!("{}:{}", r.file, r.line)}</td>
                                    <td>{r.predicted.clone()}</td>
                                    <td class="num" class:low={r.confidence < LOW_CONFIDENCE}>{format!("{:.3}", r.confidence)}</td>
                                    {labelled.then(|| view! { <td class:wrong=wrong>{r.truth.clone().unwrap_or_else(|| "—".into())}</td> })}
                                    {r.proba.iter().map(|&v| view! {
                                        <td class="num proba" class:best={v == best}>{format!("{v:.3}")}</td>
                                    }).collect_view()}
                                </tr>
                            }
                        }).collect_view())}
                    </tbody>
                </table>
            </div>
            <div class="toolbar pager">
                <button class="button" data-testid="predict-prev"
                    disabled=move || query.with(|q| q.offset == 0)
                    on:click=move |_| set_query(&|q: &mut RowQuery| q.offset = q.offset.saturating_sub(q.limit))>"← Previous"</button>
                <button class="button" data-testid="predict-next"
                    disabled=move || query.with(|q| q.offset + q.limit >= matching())
                    on:click=move |_| set_query(&|q: &mut RowQuery| q.offset += q.limit)>"Next →"</button>
                <label class="field inline">
                    <span>"Rows per page"</span>
                    <select data-testid="predict-page-size" on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                            set_query(&|q: &mut RowQuery| { q.limit = n; q.offset = 0; });
                        }
                    }>
                        {PAGE_SIZES.into_iter().map(|n| view! {
                            <option value=n.to_string() selected=move || query.with(|q| q.limit == n)>{n.to_string()}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
        </div>
    }
}
