//! The Predict tab: choose a model, drop or pick flow files (labelled or not), and the data worker
//! reads and predicts them with progress and Cancel. Then: the predicted distribution, the scores
//! when the files carry labels (metrics, per-class table, confusion matrix), and the rows —
//! sortable, filterable and paged by the worker — with a formula-safe CSV download.
//!
//! The results live outside the component (a per-page store), so they survive switching tabs;
//! a failed or cancelled prediction keeps the previous results.

mod explain;
mod metrics;
mod results;
mod rows;
mod tab;

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Uint8Array};
use leptos::prelude::*;
use web_sys::{Blob, BlobPropertyBag};

use super::Session;
use crate::predictions::{PredictionPage, PredictionSummary, RowQuery};
use crate::worker::protocol::{FromWorker, ModelInfo, ToWorker};
use crate::worker::web::js_error_message;
pub use tab::PredictTab;

/// Page sizes offered.
pub(super) const PAGE_SIZES: [usize; 4] = [25, 50, 100, 250];
/// Default "low confidence" threshold.
pub(super) const LOW_CONFIDENCE: f32 = 0.6;

/// A prediction in flight.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Running {
    request: u32,
    done: u64,
    total: u64,
    file: String,
}

/// Everything the tab shows; kept for the whole page life (see module docs).
#[derive(Clone)]
pub(super) struct PredictState {
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
    /// The CSV parts of the prediction shown (see [`csv_blob`]).
    static CSV_PARTS: RefCell<Vec<Blob>> = const { RefCell::new(Vec::new()) };
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

pub(super) fn state() -> PredictState {
    STATE.with(Clone::clone)
}

/// The predictions CSV of the results shown: one `Blob` of the parts the worker sent while it
/// predicted (the browser may keep them on disk; nothing is copied into wasm memory).
pub(super) fn csv_blob() -> Result<Blob, String> {
    CSV_PARTS.with(|parts| {
        let parts = parts.borrow();
        if parts.is_empty() {
            return Err("nothing has been predicted yet".into());
        }
        let array: Array = parts.iter().collect();
        let options = BlobPropertyBag::new();
        options.set_type("text/csv");
        Blob::new_with_blob_sequence_and_options(&array, &options)
            .map_err(|e| format!("cannot build the CSV: {}", js_error_message(e)))
    })
}

/// A CSV part from the worker as a `Blob`.
fn part_blob(bytes: &Uint8Array) -> Result<Blob, String> {
    let array: Array = std::iter::once(bytes.clone()).collect();
    Blob::new_with_u8_array_sequence(&array)
        .map_err(|e| format!("cannot keep the predictions CSV: {}", js_error_message(e)))
}

/// The model to predict with: the chosen one if the worker still holds it, else the newest.
pub(super) fn chosen_model(models: &[ModelInfo], chosen: Option<u32>) -> Option<ModelInfo> {
    chosen
        .and_then(|id| models.iter().find(|m| m.id == id))
        .or_else(|| models.last())
        .cloned()
}

/// Sends `files` to the worker to be predicted with the chosen model.
pub(super) fn predict_files(session: Session, files: Vec<Blob>, names: Vec<String>) {
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
    // This run's CSV parts; they replace the shown results' parts when it completes.
    let parts: Rc<RefCell<Vec<Blob>>> = Rc::default();
    let request = session.call(
        |request| ToWorker::Predict {
            request,
            model: model.id,
            names,
        },
        files,
        Vec::new(),
        move |reply, bytes| {
            let st = &handler_state;
            match reply {
                FromWorker::PredictedCsv { .. } => {
                    match bytes
                        .first()
                        .ok_or("the worker sent no CSV part".to_string())
                        .and_then(part_blob)
                    {
                        Ok(blob) => parts.borrow_mut().push(blob),
                        Err(e) => st.error.set(Some(e)),
                    }
                }
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
                    CSV_PARTS.with(|p| p.replace(parts.take()));
                    explain::clear();
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
pub(super) fn fetch_rows(session: Session, query: RowQuery) {
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
