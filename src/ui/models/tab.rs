//! The Models tab's page: messages, the models the worker holds, the saved ones, the import.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::HtmlInputElement;

use super::rows::{ModelRow, SavedRow};
use super::{import_files, refresh_saved, restore_saved_models, state};
use crate::ui::{blobs_and_names, use_session, Tab};

/// The Models tab.
#[component]
pub fn ModelsTab() -> impl IntoView {
    let session = use_session();
    restore_saved_models(session);
    let st = state();
    let saved = RwSignal::from(st.saved.clone());
    let error = RwSignal::from(st.error.clone());
    let info = RwSignal::from(st.info.clone());
    {
        let st = st.clone();
        spawn_local(async move { refresh_saved(&st).await });
    }

    // Model files dropped anywhere on the page are imported while this tab is shown.
    session.claim_drops(Rc::new(move |files, names| {
        import_files(session, files, names)
    }));

    let on_pick = move |ev: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&ev);
        if let Some(list) = input.files() {
            let (files, names) = blobs_and_names(&list);
            import_files(session, files, names);
        }
        input.set_value("");
    };
    let models = session.models;

    view! {
        <section class="models-tab" data-testid="models-tab">
            {move || error.get().map(|e| view! {
                <div class="banner error" role="alert" data-testid="models-error">
                    <span class="banner-text">{e}</span>
                    <button class="dismiss" aria-label="Dismiss" on:click=move |_| error.set(None)>"×"</button>
                </div>
            })}
            {move || info.get().map(|e| view! {
                <div class="banner info" role="status" data-testid="models-info">
                    <span class="banner-text">{e}</span>
                    <button class="dismiss" aria-label="Dismiss" on:click=move |_| info.set(None)>"×"</button>
                </div>
            })}
            <div class="card">
                <h2>"Models in this page"</h2>
                <Show
                    when=move || models.with(|m| !m.is_empty())
                    fallback=move || view! {
                        <div class="empty-state" data-testid="models-empty">
                            <p>"No model yet. Train one in the Train tab, or import a model file below."</p>
                            <button class="button primary" on:click=move |_| session.goto(Tab::Train)>"Train a model"</button>
                        </div>
                    }
                >
                    <div class="scroll" tabindex="0" role="region" aria-label="Models trained or imported">
                        <table class="table models-table" data-testid="models-list">
                            <thead>
                                <tr>
                                    <th>"name"</th><th>"model"</th><th class="num">"classes"</th><th class="num">"features"</th><th>"labels"</th>
                                    <th>"trained on"</th><th>"split"</th><th class="num">"macro-F1"</th><th>"saved"</th><th>"actions"</th>
                                </tr>
                            </thead>
                            <tbody>
                                <For
                                    each=move || models.get()
                                    key=|m| m.id
                                    children=move |m| view! { <ModelRow info=m /> }
                                />
                            </tbody>
                        </table>
                    </div>
                </Show>
            </div>
            <div class="card">
                <h2>"Saved in this browser"</h2>
                <p class="muted small">"Kept in this browser's storage (IndexedDB) for this site: they come back when the page is opened again, even offline. Nothing is uploaded."</p>
                <Show
                    when=move || saved.with(|s| !s.is_empty())
                    fallback=|| view! { <p class="muted" data-testid="models-saved-empty">"No model saved yet: use “Save in browser” on a model above."</p> }
                >
                    <div class="scroll" tabindex="0" role="region" aria-label="Models saved in this browser">
                        <table class="table" data-testid="models-saved">
                            <thead>
                                <tr><th>"name"</th><th>"model"</th><th class="num">"classes"</th><th class="num">"macro-F1"</th><th>"saved"</th><th class="num">"size"</th><th>"in this page"</th><th>"actions"</th></tr>
                            </thead>
                            <tbody>
                                <For
                                    each=move || saved.get()
                                    key=|e| (e.name.clone(), e.saved_ms.to_bits())
                                    children=move |e| view! { <SavedRow entry=e /> }
                                />
                            </tbody>
                        </table>
                    </div>
                </Show>
            </div>
            <div class="card">
                <h2>"Import a model file"</h2>
                <p class="muted small">"A "<code>".flowlab"</code>" file exported from this page or written by "<code>"flowlab train --out model.flowlab"</code>". You can also drop model files anywhere on this tab."</p>
                <label class="button">
                    "Choose model file…"
                    <input type="file" accept=".flowlab,application/octet-stream" multiple class="visually-hidden"
                        data-testid="models-import" on:change=on_pick />
                </label>
            </div>
        </section>
    }
}
