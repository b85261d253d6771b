//! The Models tab: the models the data worker holds (trained here, imported, or restored from the
//! browser), each savable in the browser (IndexedDB, [`super::store`]) under a name, exportable
//! as a `.flowlab` file (the format `flowlab train --out` writes) and removable; the models saved
//! in the browser, deletable; and an import of model files (picked or dropped on the tab).
//!
//! Saved models are loaded into the worker once per page ([`restore_saved_models`]), so after a
//! reload they are listed and predict.

use std::rc::Rc;

use js_sys::{Date, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, HtmlInputElement};

use super::download::save_bytes;
use super::{blobs_and_names, use_session, Session, Tab};
use crate::worker::protocol::{FromWorker, ModelInfo, ToWorker};
use crate::worker::web::js_error_message;

// The IndexedDB code sits in its own file, src/ui/store.rs.
#[path = "store.rs"]
pub mod store;

/// A model saved in the browser, as listed (the bytes stay in IndexedDB).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedEntry {
    pub name: String,
    pub info: Option<ModelInfo>,
    pub saved_ms: f64,
    pub size: u64,
}

impl From<&store::SavedModel> for SavedEntry {
    fn from(m: &store::SavedModel) -> Self {
        SavedEntry {
            name: m.name.clone(),
            info: m.info.clone(),
            saved_ms: m.saved_ms,
            size: m.size(),
        }
    }
}

/// The tab's state, kept for the whole page life (the tab itself unmounts when hidden).
#[derive(Clone)]
struct ModelsState {
    saved: ArcRwSignal<Vec<SavedEntry>>,
    /// Saved name → the worker's id of the model loaded from it (or saved from it).
    loaded: ArcRwSignal<Vec<(String, u32)>>,
    /// The saved models have been (or are being) loaded into the worker.
    restored: ArcRwSignal<bool>,
    error: ArcRwSignal<Option<String>>,
    info: ArcRwSignal<Option<String>>,
}

thread_local! {
    static STATE: ModelsState = ModelsState {
        saved: ArcRwSignal::new(Vec::new()),
        loaded: ArcRwSignal::new(Vec::new()),
        restored: ArcRwSignal::new(false),
        error: ArcRwSignal::new(None),
        info: ArcRwSignal::new(None),
    };
}

fn state() -> ModelsState {
    STATE.with(Clone::clone)
}

/// The saved name a worker model came from or was saved as.
fn saved_name_of(loaded: &[(String, u32)], id: u32) -> Option<String> {
    loaded
        .iter()
        .find(|(_, i)| *i == id)
        .map(|(n, _)| n.clone())
}

/// Re-reads the list of saved models.
async fn refresh_saved(st: &ModelsState) {
    match store::list().await {
        Ok(models) => st.saved.set(models.iter().map(SavedEntry::from).collect()),
        Err(e) => st.error.set(Some(e)),
    }
}

/// Loads one saved model's bytes into the worker.
fn load_into_worker(session: Session, st: ModelsState, name: String, bytes: Uint8Array) {
    let n = name.clone();
    session.add_model_bytes(name, bytes, move |result| match result {
        Ok(info) => st.loaded.update(|l| {
            l.retain(|(x, _)| *x != n);
            l.push((n.clone(), info.id));
        }),
        Err(e) => st.error.set(Some(format!(
            "the model saved as {n:?} could not be loaded: {e}"
        ))),
    });
}

/// Loads every model saved in the browser into the data worker, once per page (later calls do
/// nothing). Called when the Predict or Models tab first shows; the page may call it at start.
pub fn restore_saved_models(session: Session) {
    let st = state();
    if st.restored.get_untracked() {
        return;
    }
    st.restored.set(true);
    spawn_local(async move {
        match store::list().await {
            Ok(models) => {
                st.saved.set(models.iter().map(SavedEntry::from).collect());
                for m in models {
                    load_into_worker(session, st.clone(), m.name, m.bytes);
                }
            }
            Err(e) => st.error.set(Some(e)),
        }
    });
}

/// Reads a picked or dropped file into bytes.
async fn read_bytes(blob: &Blob) -> Result<Uint8Array, String> {
    let buffer = JsFuture::from(blob.array_buffer())
        .await
        .map_err(js_error_message)?;
    Ok(Uint8Array::new(&buffer))
}

/// Imports model files into the worker; errors and successes are shown on the tab.
fn import_files(session: Session, files: Vec<Blob>, names: Vec<String>) {
    let st = state();
    st.error.set(None);
    st.info.set(None);
    for (blob, file_name) in files.into_iter().zip(names) {
        let st = st.clone();
        spawn_local(async move {
            let bytes = match read_bytes(&blob).await {
                Ok(b) => b,
                Err(e) => {
                    st.error
                        .set(Some(format!("{file_name}: cannot read the file: {e}")));
                    return;
                }
            };
            let name = file_name
                .strip_suffix(".flowlab")
                .unwrap_or(&file_name)
                .to_string();
            let prefix = format!("{name}: ");
            session.add_model_bytes(name, bytes, move |result| match result {
                Ok(info) => st.info.set(Some(format!(
                    "Imported {file_name}: {} with {} classes. It is ready in the Predict tab.",
                    info.title,
                    info.classes.len()
                ))),
                Err(e) => {
                    // The worker names the file too.
                    let why = e.strip_prefix(&prefix).unwrap_or(&e);
                    st.error
                        .set(Some(format!("Cannot import {file_name}: {why}")))
                }
            });
        });
    }
}

/// Asks the worker for model `id`'s file; `done` gets its suggested name, MIME type and bytes.
fn export_model(
    session: Session,
    id: u32,
    done: impl Fn(Result<(String, String, Uint8Array), String>) + 'static,
) {
    session.call(
        |request| ToWorker::ExportModel { request, model: id },
        Vec::new(),
        Vec::new(),
        move |reply, bytes| match reply {
            FromWorker::Download { name, mime, .. } => done(
                bytes
                    .into_iter()
                    .next()
                    .map(|b| (name, mime, b))
                    .ok_or_else(|| "the worker sent no model file".to_string()),
            ),
            FromWorker::Failed { message, .. } => done(Err(message)),
            _ => {}
        },
    );
}

/// `yyyy-mm-dd hh:mm` in local time.
fn format_date(ms: f64) -> String {
    if ms <= 0.0 {
        return "—".into();
    }
    let d = Date::new(&JsValue::from_f64(ms));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

fn format_size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1 << 20) as f64)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

fn sources(info: &ModelInfo) -> String {
    if info.meta.sources.is_empty() {
        "—".into()
    } else {
        info.meta.sources.join(", ")
    }
}

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
                    <div class="scroll">
                        <table class="table models-table" data-testid="models-list">
                            <thead>
                                <tr>
                                    <th>"name"</th><th>"model"</th><th class="num">"classes"</th><th class="num">"features"</th>
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
                    <div class="scroll">
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

/// One model the worker holds.
#[component]
fn ModelRow(info: ModelInfo) -> impl IntoView {
    let session = use_session();
    let st = state();
    let loaded = RwSignal::from(st.loaded.clone());
    let saved = RwSignal::from(st.saved.clone());
    let id = info.id;
    let name = RwSignal::new(info.name.clone());
    let busy = RwSignal::new(false);
    let row_error = RwSignal::new(None::<String>);
    let saved_as = Memo::new(move |_| loaded.with(|l| saved_name_of(l, id)));
    let saved_date = move || {
        saved_as.get().and_then(|n| {
            saved.with(|s| {
                s.iter()
                    .find(|e| e.name == n)
                    .map(|e| format!("{} ({n})", format_date(e.saved_ms)))
            })
        })
    };
    let info_for_save = info.clone();
    let save = move |_| {
        let target = name.get_untracked().trim().to_string();
        if target.is_empty() {
            row_error.set(Some("give the model a name to save it under".into()));
            return;
        }
        busy.set(true);
        row_error.set(None);
        let st = state();
        let info = info_for_save.clone();
        export_model(session, id, move |result| {
            let st = st.clone();
            let info = info.clone();
            let target = target.clone();
            spawn_local(async move {
                let result = match result {
                    Ok((_, _, bytes)) => store::save(&target, &info, &bytes).await,
                    Err(e) => Err(e),
                };
                busy.try_set(false);
                match result {
                    Ok(()) => {
                        st.loaded.update(|l| {
                            l.retain(|(n, i)| *n != target && *i != id);
                            l.push((target.clone(), id));
                        });
                        st.info.set(Some(format!(
                            "Saved “{target}” in this browser: it will be here next time."
                        )));
                        refresh_saved(&st).await;
                    }
                    Err(e) => {
                        row_error.try_set(Some(e));
                    }
                }
            });
        });
    };
    let export = move |_| {
        row_error.set(None);
        export_model(session, id, move |result| {
            let r = result.and_then(|(name, mime, bytes)| save_bytes(&name, &mime, &bytes));
            row_error.try_set(r.err());
        });
    };
    let remove = move |_| {
        session.drop_model(id);
        state().loaded.update(|l| l.retain(|(_, i)| *i != id));
    };
    let predict = move |_| session.goto(Tab::Predict);
    let f1 = format!("{:.4}", info.meta.metrics.macro_f1);
    let classes_title = info.classes.join(", ");
    view! {
        <tr data-testid="models-row" data-id=id.to_string() data-name=info.name.clone() data-kind=info.kind.clone()
            data-saved=move || saved_as.get().unwrap_or_default()>
            <td>
                <input type="text" class="name-input" aria-label="Name to save the model under"
                    data-testid="models-name" prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </td>
            <td title=info.title.clone()>{info.kind.clone()}</td>
            <td class="num" title=classes_title>{info.classes.len().to_string()}</td>
            <td class="num" title=info.features.join(", ")>{info.features.len().to_string()}</td>
            <td class="wrap">{sources(&info)}</td>
            <td>{info.meta.split.clone()}</td>
            <td class="num" data-testid="models-f1">{f1}</td>
            <td>{move || saved_date().unwrap_or_else(|| "not saved".into())}</td>
            <td class="actions">
                <button class="button primary" data-testid="models-save" disabled=move || busy.get() on:click=save
                    title="Save this model in the browser under the name on the left">"Save in browser"</button>
                <button class="button" data-testid="models-export" on:click=export
                    title="Download the .flowlab model file (the format flowlab train writes)">"Export"</button>
                <button class="button" data-testid="models-predict" on:click=predict>"Predict…"</button>
                <button class="button" data-testid="models-remove" on:click=remove
                    title="Remove from this page (a saved copy stays saved)">"Remove"</button>
                {move || row_error.get().map(|e| view! { <p class="error small" role="alert" data-testid="models-row-error">{e}</p> })}
            </td>
        </tr>
    }
}

/// One model saved in the browser.
#[component]
fn SavedRow(entry: SavedEntry) -> impl IntoView {
    let session = use_session();
    let st = state();
    let loaded = RwSignal::from(st.loaded.clone());
    let models = session.models;
    let name = entry.name.clone();
    let n = name.clone();
    let loaded_id = Memo::new(move |_| {
        let id = loaded.with(|l| l.iter().find(|(x, _)| *x == n).map(|(_, i)| *i));
        id.filter(|id| models.with(|m| m.iter().any(|m| m.id == *id)))
    });
    let busy = RwSignal::new(false);
    let n = name.clone();
    let delete = move |_| {
        let name = n.clone();
        busy.set(true);
        spawn_local(async move {
            let st = state();
            match store::delete(&name).await {
                Ok(()) => {
                    if let Some(id) = loaded_id.try_get_untracked().flatten() {
                        session.drop_model(id);
                    }
                    st.loaded.update(|l| l.retain(|(x, _)| *x != name));
                    st.info
                        .set(Some(format!("Deleted “{name}” from this browser.")));
                    refresh_saved(&st).await;
                }
                Err(e) => st.error.set(Some(e)),
            }
            busy.try_set(false);
        });
    };
    let n = name.clone();
    let load = move |_| {
        let name = n.clone();
        spawn_local(async move {
            let st = state();
            match store::list().await {
                Ok(models) => match models.into_iter().find(|m| m.name == name) {
                    Some(m) => load_into_worker(session, st, m.name, m.bytes),
                    None => st.error.set(Some(format!("“{name}” is no longer saved"))),
                },
                Err(e) => st.error.set(Some(e)),
            }
        });
    };
    let (kind, classes, f1) = match &entry.info {
        Some(i) => (
            i.title.clone(),
            i.classes.len().to_string(),
            format!("{:.4}", i.meta.metrics.macro_f1),
        ),
        None => ("?".into(), "?".into(), "?".into()),
    };
    view! {
        <tr data-testid="models-saved-row" data-name=entry.name.clone()>
            <td>{entry.name.clone()}</td>
            <td>{kind}</td>
            <td class="num">{classes}</td>
            <td class="num">{f1}</td>
            <td>{format_date(entry.saved_ms)}</td>
            <td class="num">{format_size(entry.size)}</td>
            <td data-testid="models-saved-loaded" data-value=move || loaded_id.get().is_some().to_string()>
                {move || match loaded_id.get() {
                    Some(_) => view! { <span>"loaded"</span> }.into_any(),
                    None => view! { <button class="button" data-testid="models-load" on:click=load.clone()>"Load"</button> }.into_any(),
                }}
            </td>
            <td>
                <button class="button danger" data-testid="models-delete" disabled=move || busy.get() on:click=delete
                    title="Delete from this browser's storage (and remove it from this page)">"Delete"</button>
            </td>
        </tr>
    }
}
