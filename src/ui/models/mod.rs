//! The Models tab: the models the data worker holds (trained here, imported, or restored from the
//! browser), each savable in the browser (IndexedDB, [`store`]) under a name, exportable
//! as a `.flowlab` file (the format `flowlab train --out` writes) and removable; the models saved
//! in the browser, deletable; and an import of model files (picked or dropped on the tab).
//!
//! Saved models are loaded into the worker once per page ([`restore_saved_models`]), so after a
//! reload they are listed and predict.

mod rows;
mod tab;

use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use super::Session;
use crate::worker::protocol::{FromWorker, ModelInfo, ToWorker};
use crate::worker::web::js_error_message;
pub use tab::ModelsTab;

pub mod store;

/// A model saved in the browser, as listed (the bytes stay in IndexedDB).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SavedEntry {
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
pub(super) struct ModelsState {
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

pub(super) fn state() -> ModelsState {
    STATE.with(Clone::clone)
}

/// The saved name a worker model came from or was saved as.
pub(super) fn saved_name_of(loaded: &[(String, u32)], id: u32) -> Option<String> {
    loaded
        .iter()
        .find(|(_, i)| *i == id)
        .map(|(n, _)| n.clone())
}

/// Re-reads the list of saved models.
pub(super) async fn refresh_saved(st: &ModelsState) {
    match store::list().await {
        Ok(models) => st.saved.set(models.iter().map(SavedEntry::from).collect()),
        Err(e) => st.error.set(Some(e)),
    }
}

/// Loads one saved model's bytes into the worker.
pub(super) fn load_into_worker(session: Session, st: ModelsState, name: String, bytes: Uint8Array) {
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
pub(super) fn import_files(session: Session, files: Vec<Blob>, names: Vec<String>) {
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

/// What the worker is asked to write for a model.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ExportFormat {
    /// The `.flowlab` model file (`flowlab train --out`).
    ModelFile,
    /// ONNX with the feature pipeline (`flowlab export --format onnx`).
    Onnx,
}

/// Asks the worker for model `id`'s file in `format`; `done` gets its suggested name, MIME type
/// and bytes.
pub(super) fn export_model(
    session: Session,
    id: u32,
    format: ExportFormat,
    done: impl Fn(Result<(String, String, Uint8Array), String>) + 'static,
) {
    session.call(
        move |request| match format {
            ExportFormat::ModelFile => ToWorker::ExportModel { request, model: id },
            ExportFormat::Onnx => ToWorker::ExportOnnx { request, model: id },
        },
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
