//! The Predict tab's page: the model, the files, progress and Cancel, then the results.

use std::rc::Rc;

use leptos::prelude::*;
use web_sys::HtmlInputElement;

use super::results::Results;
use super::{chosen_model, predict_files, state};
use crate::ui::models::restore_saved_models;
use crate::ui::{blobs_and_names, use_session, Tab};
use crate::worker::protocol::ToWorker;

/// The Predict tab.
#[component]
pub fn PredictTab() -> impl IntoView {
    let session = use_session();
    restore_saved_models(session);
    let st = state();
    let model = RwSignal::from(st.model.clone());
    let summary = RwSignal::from(st.summary.clone());
    let summary_model = RwSignal::from(st.summary_model.clone());
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
                    </div>
                    // Outside the drop zone (an input inside a role="button" is nested-interactive);
                    // out of the tab order: the drop zone is its keyboard path (Enter or Space).
                    <input
                        type="file"
                        multiple
                        class="visually-hidden"
                        tabindex="-1"
                        aria-label="Flow files to predict"
                        node_ref=input_ref
                        data-testid="predict-file"
                        on:change=on_pick
                    />
                    <RunProgress />
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

/// The progress row of a prediction run, with Cancel. Rendered once per run (only the bar and the
/// text follow the progress), so that Cancel is not replaced under the pointer at every message.
#[component]
fn RunProgress() -> impl IntoView {
    let session = use_session();
    let running = RwSignal::from(state().running.clone());
    let fraction = move || {
        running.with(|r| {
            r.as_ref()
                .filter(|r| r.total > 0)
                .map_or(0.0, |r| r.done as f64 / r.total as f64)
        })
    };
    let file = move || running.with(|r| r.as_ref().map(|r| r.file.clone()).unwrap_or_default());
    let cancel = move |_| {
        if let Some(r) = running.get_untracked() {
            session.tell(&ToWorker::Cancel { request: r.request });
        }
    };
    view! {
        <Show when=move || running.with(Option::is_some)>
            <div class="progress" data-testid="predict-progress" role="status">
                <progress max="1" value=move || fraction().to_string()></progress>
                <span class="progress-text">
                    {move || format!("Predicting {} — {:.0} %", file(), fraction() * 100.0)}
                </span>
                <button class="button" data-testid="predict-cancel" on:click=cancel>"Cancel"</button>
            </div>
        </Show>
    }
}
