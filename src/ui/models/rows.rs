//! One row per model: a model the worker holds (rename, save in the browser, export, remove) and
//! a model saved in the browser (load, delete).

use js_sys::Date;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use super::{
    export_model, load_into_worker, refresh_saved, saved_name_of, state, store, ExportFormat,
    SavedEntry,
};
use crate::report::format::{bytes, file_list, model_labels};
use crate::ui::download::save_bytes;
use crate::ui::{use_session, Tab};
use crate::worker::protocol::ModelInfo;

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

/// Where the model's training rows came from.
fn sources(info: &ModelInfo) -> String {
    if info.meta.sources.is_empty() {
        "—".into()
    } else {
        file_list(&info.meta.sources, 3)
    }
}

/// One model the worker holds.
#[component]
pub(super) fn ModelRow(
    /// The model, as the worker describes it.
    info: ModelInfo,
) -> impl IntoView {
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
        export_model(session, id, ExportFormat::ModelFile, move |result| {
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
    let export_as = move |format| {
        row_error.set(None);
        export_model(session, id, format, move |result| {
            let r = result.and_then(|(name, mime, bytes)| save_bytes(&name, &mime, &bytes));
            row_error.try_set(r.err());
        });
    };
    let export = move |_| export_as(ExportFormat::ModelFile);
    let export_onnx = move |_| export_as(ExportFormat::Onnx);
    let remove = move |_| {
        session.drop_model(id);
        state().loaded.update(|l| l.retain(|(_, i)| *i != id));
    };
    let predict = move |_| session.goto(Tab::Predict);
    let f1 = format!("{:.4}", info.meta.metrics.macro_f1);
    let classes_title = info.classes.join(", ");
    let (labels, labels_title) = model_labels(info.taxonomy.name(), &info.label_map);
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
            <td data-testid="models-labels" title=labels_title>{labels}</td>
            <td class="wrap" title=info.meta.sources.join("\n")>{sources(&info)}</td>
            <td>{info.meta.split.clone()}</td>
            <td class="num" data-testid="models-f1">{f1}</td>
            <td>{move || saved_date().unwrap_or_else(|| "not saved".into())}</td>
            <td class="actions">
                <button class="button primary" data-testid="models-save" disabled=move || busy.get() on:click=save
                    title="Save this model in the browser under the name on the left">"Save in browser"</button>
                <button class="button" data-testid="models-export" on:click=export
                    title="Download the .flowlab model file (the format flowlab train writes)">"Export"</button>
                <button class="button" data-testid="models-export-onnx" on:click=export_onnx
                    title="Download the model with its feature pipeline as ONNX (raw columns in, label and probabilities out; the bytes flowlab export --format onnx writes)">"Export ONNX"</button>
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
pub(super) fn SavedRow(
    /// The saved model, as listed.
    entry: SavedEntry,
) -> impl IntoView {
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
            <td class="num">{bytes(entry.size)}</td>
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
