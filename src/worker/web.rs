//! The Web Worker's wasm side: receives [`ToWorker`] messages, reads the attached files in chunks
//! and pushes them through the streaming [`Loader`], and answers with [`FromWorker`] messages.
//!
//! Reading is asynchronous (one `Blob.slice().arrayBuffer()` per ~1 MiB chunk), so a `Cancel` or a
//! newer `Load` that arrives meanwhile is handled between two chunks. A zip archive is read by
//! slices through [`BlobReader`] (directory first, members streamed), yielding to the event loop
//! between steps. The data set loaded last stays
//! loaded until a new load succeeds.
//!
//! A message from the page is an [`envelope`]: a JS object holding the JSON text of the `ToWorker`
//! and, beside it, the `File`/`Blob` objects to read (they cannot travel inside JSON).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

use super::load::{sampling, LoadGuard, Verdict, MAX_RESAMPLES};
mod zip_read;

use super::protocol::{FromWorker, ModelInfo, Sampling, ToWorker};
use crate::data::budget::Budget;
use crate::ingest::{Dataset, IngestOptions, LabelMap, Loader, Taxonomy};
use crate::job::Prepared;
use crate::job::TrainedModel;
use crate::predictions::PredictionView;
use zip_read::{is_zip, Progress};

/// Bytes read from a file per step.
const CHUNK_BYTES: f64 = 1024.0 * 1024.0;
/// At most one `Progress` message per this many milliseconds (plus one at each file start).
const PROGRESS_EVERY_MS: f64 = 100.0;
/// Envelope keys.
const JSON_KEY: &str = "json";
const FILES_KEY: &str = "files";
const BYTES_KEY: &str = "bytes";

/// Packs a message: its JSON text, and beside it the blobs to read and the byte payloads.
pub fn pack<T: serde::Serialize>(message: &T, files: &[Blob], bytes: &[Uint8Array]) -> JsValue {
    let object = js_sys::Object::new();
    let json = serde_json::to_string(message).unwrap_or_else(|e| {
        serde_json::to_string(&FromWorker::Failed {
            request: 0,
            message: format!("cannot encode a message: {e}"),
        })
        .unwrap_or_default()
    });
    let blobs: Array = files.iter().collect();
    let payloads: Array = bytes.iter().collect();
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(&object, &JSON_KEY.into(), &json.into());
    let _ = Reflect::set(&object, &FILES_KEY.into(), &blobs);
    let _ = Reflect::set(&object, &BYTES_KEY.into(), &payloads);
    object.into()
}

/// Packs a message for a worker (see [`pack`]).
pub fn envelope(message: &ToWorker, files: &[Blob], bytes: &[Uint8Array]) -> JsValue {
    pack(message, files, bytes)
}

/// The array under `key` of an envelope, each element cast to `T`.
fn array_of<T: JsCast>(data: &JsValue, key: &str, what: &str) -> Result<Vec<T>, String> {
    match Reflect::get(data, &key.into()) {
        Ok(v) if Array::is_array(&v) => Array::from(&v)
            .iter()
            .map(|b| {
                b.dyn_into::<T>()
                    .map_err(|_| format!("an attached {what} has the wrong type"))
            })
            .collect(),
        _ => Ok(Vec::new()),
    }
}

/// Unpacks what [`pack`] packed: the message, its blobs and its byte payloads.
pub fn unpack<T: serde::de::DeserializeOwned>(
    data: &JsValue,
) -> Result<(T, Vec<Blob>, Vec<Uint8Array>), String> {
    let json = Reflect::get(data, &JSON_KEY.into())
        .ok()
        .and_then(|v| v.as_string())
        .ok_or("a message between page and worker carries no JSON text")?;
    let message: T = serde_json::from_str(&json).map_err(|e| format!("unreadable message: {e}"))?;
    let files = array_of::<Blob>(data, FILES_KEY, "file")?;
    let bytes = array_of::<Uint8Array>(data, BYTES_KEY, "payload")?;
    Ok((message, files, bytes))
}

/// Copies a JS byte array into wasm memory.
pub fn to_vec(bytes: &Uint8Array) -> Vec<u8> {
    bytes.to_vec()
}

/// The query string of this worker's URL (`?test-crash`, set by the page).
fn own_query() -> String {
    Reflect::get(&js_sys::global(), &"location".into())
        .and_then(|l| Reflect::get(&l, &"search".into()))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// Reports a panic to the page as [`FromWorker::Crashed`] (after logging it to the console), so
/// the page can say what happened before the worker's `error` event arrives.
fn report_panics() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        // The panic's own words (`capacity overflow`), else the whole report with its location.
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| info.to_string());
        let message = FromWorker::Crashed { message };
        let _ = scope.post_message(&pack(&message, &[], &[]));
    }));
}

/// Starts answering messages in this worker; posts `Ready` once listening.
pub fn start() {
    report_panics();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let worker = Rc::new(WorkerState {
        budget: Cell::new(Budget::current()),
        test_crash: own_query().contains("test-crash"),
        scope: scope.clone(),
        data: RefCell::new(None),
        taxonomy: Cell::new(Taxonomy::default()),
        label_map: RefCell::new(LabelMap::default()),
        parse_ms: Cell::new(0.0),
        active: RefCell::new(None),
        sampling: RefCell::new(Sampling::default()),
        job: RefCell::new(None),
        models: RefCell::new(Vec::new()),
        next_model: Cell::new(1),
        predictions: RefCell::new(None),
        shap_rows: RefCell::new(Vec::new()),
        shap_parts: RefCell::new(None),
    });
    let handler = worker.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        handler.clone().receive(&event.data());
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    onmessage.forget();
    worker.post(&FromWorker::Ready);
}

/// Everything the worker keeps between messages.
pub(super) struct WorkerState {
    pub(super) scope: DedicatedWorkerGlobalScope,
    /// The memory this worker may use ([`Budget::current`], or one the page set for a test).
    pub(super) budget: Cell<Budget>,
    /// Started with `?test-crash`: honours [`ToWorker::Crash`].
    pub(super) test_crash: bool,
    /// The data set loaded last (kept when a later load fails or is cancelled).
    pub(super) data: RefCell<Option<Dataset>>,
    /// The taxonomy the page shows now.
    taxonomy: Cell<Taxonomy>,
    /// The user's label map, applied after the taxonomy (exploring and training use it too).
    pub(super) label_map: RefCell<LabelMap>,
    /// How long the loaded data set took to parse.
    parse_ms: Cell<f64>,
    /// The load or prediction in progress, if any: its request and its cancel flag.
    active: RefCell<Option<(u32, Rc<Cell<bool>>)>>,
    /// How the loaded data set was sampled.
    sampling: RefCell<Sampling>,
    /// The training job prepared last, under the request that prepared it.
    pub(super) job: RefCell<Option<(u32, Prepared)>>,
    /// Models trained here or imported, by id.
    pub(super) models: RefCell<Vec<(ModelInfo, TrainedModel)>>,
    pub(super) next_model: Cell<u32>,
    /// The rows of the file predicted last (bounded; the page keeps the CSV).
    pub(super) predictions: RefCell<Option<PredictionView>>,
    /// Per model trained on the loaded data set: the seeded sample of its test rows that its
    /// mean-|SHAP| panel explains (cleared when another data set is loaded).
    pub(super) shap_rows: RefCell<Vec<(u32, Vec<usize>)>>,
    /// The mean-|SHAP| explanation whose parts the pool is running (one at a time).
    pub(super) shap_parts: RefCell<Option<super::explaining::PendingShap>>,
}

impl WorkerState {
    /// The held data set's summary under the page's taxonomy and label map, as the reply to
    /// `request` (`None` when nothing is loaded).
    fn loaded(&self, request: u32) -> Option<FromWorker> {
        let data = self.data.borrow();
        let mut summary = data.as_ref()?.summary_as(self.taxonomy.get());
        // The map renames classes: the counts after it follow from the counts before it.
        let unmapped = std::mem::take(&mut summary.label_counts);
        summary.label_counts = self.label_map.borrow().apply_counts(&unmapped);
        Some(FromWorker::Loaded {
            request,
            summary,
            parse_ms: self.parse_ms.get(),
            sampling: self.sampling.borrow().clone(),
            unmapped,
        })
    }
}

/// How a read ended, short of posting it.
pub(super) enum Outcome {
    Loaded(Dataset),
    Cancelled,
    Failed(String),
}

/// How a read watched by a [`LoadGuard`] ended.
enum Guarded {
    Done(Outcome),
    /// Start again with at most `per_class` rows per class.
    Resample {
        per_class: u64,
        why: String,
    },
}

impl WorkerState {
    /// Posts a message with no payload.
    pub(super) fn post(&self, message: &FromWorker) {
        self.post_with(message, Vec::new());
    }

    /// Posts a message with byte payloads, transferring their buffers (no copy).
    pub(super) fn post_with(&self, message: &FromWorker, bytes: Vec<Vec<u8>>) {
        let arrays: Vec<Uint8Array> = bytes.iter().map(|b| Uint8Array::from(&b[..])).collect();
        let transfer: Array = arrays.iter().map(|a| a.buffer()).collect();
        let packed = pack(message, &[], &arrays);
        if let Err(e) = self.scope.post_message_with_transfer(&packed, &transfer) {
            web_sys::console::error_2(&"flowlab worker: postMessage failed".into(), &e);
        }
    }

    pub(super) fn fail(&self, request: u32, message: impl Into<String>) {
        self.post(&FromWorker::Failed {
            request,
            message: message.into(),
        });
    }

    pub(super) fn now(&self) -> f64 {
        self.scope.performance().map_or(0.0, |p| p.now())
    }

    /// Marks `request` as the read in progress (a newer one supersedes it) and returns its
    /// cancel flag.
    fn begin(&self, request: u32) -> Rc<Cell<bool>> {
        let cancel = Rc::new(Cell::new(false));
        if let Some((_, previous)) = self.active.replace(Some((request, cancel.clone()))) {
            previous.set(true);
        }
        cancel
    }

    pub(super) fn end(&self, request: u32) {
        let still_active = matches!(&*self.active.borrow(), Some((r, _)) if *r == request);
        if still_active {
            self.active.replace(None);
        }
    }

    fn receive(self: Rc<Self>, data: &JsValue) {
        let (message, files, bytes) = match unpack::<ToWorker>(data) {
            Ok(m) => m,
            Err(message) => return self.fail(0, message),
        };
        match message {
            ToWorker::Load {
                request,
                names,
                taxonomy,
                max_rows_per_file,
                per_class,
                label_column,
                seed,
                max_files,
                sample_files,
                label_map,
            } => {
                let cancel = self.begin(request);
                self.taxonomy.set(taxonomy);
                self.label_map.replace(label_map);
                let options = IngestOptions {
                    taxonomy,
                    max_rows_per_file,
                    per_class,
                    label_column,
                    seed,
                    max_files,
                    sample_files,
                    only_columns: None,
                };
                spawn_local(async move {
                    let started = self.now();
                    let (outcome, sampling) =
                        self.load(request, &names, &files, options, &cancel).await;
                    let parse_ms = self.now() - started;
                    self.end(request);
                    let reply = match outcome {
                        Outcome::Loaded(data) => {
                            self.data.replace(Some(data));
                            self.shap_rows.borrow_mut().clear();
                            self.parse_ms.set(parse_ms);
                            self.sampling.replace(sampling);
                            match self.loaded(request) {
                                Some(reply) => reply,
                                None => FromWorker::Failed {
                                    request,
                                    message: "the data set was lost".into(),
                                },
                            }
                        }
                        Outcome::Cancelled => FromWorker::Cancelled { request },
                        Outcome::Failed(message) => FromWorker::Failed { request, message },
                    };
                    self.post(&reply);
                });
            }
            ToWorker::SetTaxonomy { request, taxonomy } => {
                self.taxonomy.set(taxonomy);
                // With nothing loaded yet there is nothing to show; the next load uses `taxonomy`.
                if let Some(reply) = self.loaded(request) {
                    self.post(&reply);
                }
            }
            ToWorker::SetLabelMap { request, label_map } => {
                self.label_map.replace(label_map);
                if let Some(reply) = self.loaded(request) {
                    self.post(&reply);
                }
            }
            ToWorker::Cancel { request } => {
                if let Some((active, cancel)) = &*self.active.borrow() {
                    if *active == request {
                        cancel.set(true);
                    }
                }
            }
            ToWorker::Predict {
                request,
                model,
                names,
            } => {
                let Some(m) = self.model_copy(model) else {
                    return self.fail(request, format!("no model {model} is loaded"));
                };
                let cancel = self.begin(request);
                spawn_local(async move {
                    self.predict_stream(request, model, m, &names, &files, &cancel)
                        .await;
                });
            }
            other => self.handle(other, bytes),
        }
    }

    /// Reads the data set's files within the memory budget: when they would not fit, starts
    /// again with a balanced per-class sample (see [`LoadGuard`]). Returns how it was sampled.
    async fn load(
        &self,
        request: u32,
        names: &[String],
        files: &[Blob],
        mut options: IngestOptions,
        cancel: &Cell<bool>,
    ) -> (Outcome, Sampling) {
        let total = files.iter().map(Blob::size).sum::<f64>() as u64;
        let auto = !LoadGuard::asked(&options);
        let mut why = None;
        let mut no_batches = |_: &mut Loader| Ok(());
        for _ in 0..=MAX_RESAMPLES {
            let mut guard = LoadGuard::new(self.budget.get(), total, &options, auto);
            let read = self.read_guarded(
                request,
                (names, files),
                options.clone(),
                cancel,
                Some(&mut guard),
                &mut no_batches,
            );
            match read.await {
                Guarded::Done(outcome) => return (outcome, sampling(&options, why)),
                Guarded::Resample { per_class, why: w } => {
                    options.per_class = Some(per_class);
                    why = Some(w);
                }
            }
        }
        let message = "these files do not fit in the page's memory even sampled: set rows per file and rows per class on the Data tab";
        (Outcome::Failed(message.into()), sampling(&options, why))
    }

    /// Reads every blob through one [`Loader`]. `rows` is called after each chunk (it may take
    /// the rows parsed so far with [`Loader::take_batch`]); its error ends the read.
    pub(super) async fn read(
        &self,
        request: u32,
        names: &[String],
        files: &[Blob],
        options: IngestOptions,
        cancel: &Cell<bool>,
        rows: &mut dyn FnMut(&mut Loader) -> Result<(), String>,
    ) -> Outcome {
        match self
            .read_guarded(request, (names, files), options, cancel, None, rows)
            .await
        {
            Guarded::Done(outcome) => outcome,
            Guarded::Resample { why, .. } => Outcome::Failed(why),
        }
    }

    /// Reads every blob through one [`Loader`], asking `guard` after every chunk whether the rows
    /// still fit, and handing `rows` the loader after every chunk.
    async fn read_guarded(
        &self,
        request: u32,
        (names, files): (&[String], &[Blob]),
        options: IngestOptions,
        cancel: &Cell<bool>,
        mut guard: Option<&mut LoadGuard>,
        rows: &mut dyn FnMut(&mut Loader) -> Result<(), String>,
    ) -> Guarded {
        let total = files.iter().map(Blob::size).sum::<f64>() as u64;
        let mut done = 0u64;
        let mut last_progress = f64::NEG_INFINITY;
        let mut buffer = Vec::new();
        let mut loader = Loader::new(options.clone());
        for (i, blob) in files.iter().enumerate() {
            let name = names
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("file {}", i + 1));
            let size = blob.size();
            if is_zip(blob, &mut buffer).await {
                let mut progress = Progress {
                    request,
                    done,
                    total,
                    last: last_progress,
                    cancel,
                };
                let read = self
                    .read_zip(&name, blob, &options, &mut loader, &mut progress, rows)
                    .await;
                if let Some(outcome) = read {
                    return Guarded::Done(outcome);
                }
                (done, last_progress) = (progress.done + size as u64, progress.last);
                // The members' rows are weighed once the archive is read.
                if let Some(verdict) = guard.as_deref_mut().map(|g| g.check(&loader.state(), done))
                {
                    match verdict {
                        Verdict::Go => {}
                        Verdict::Stop(message) => return Guarded::Done(Outcome::Failed(message)),
                        Verdict::Resample { per_class, why } => {
                            return Guarded::Resample { per_class, why }
                        }
                    }
                }
                continue;
            }
            loader.start_file(&name);
            let mut at = 0.0;
            let mut first = true;
            while at < size {
                let now = self.now();
                if first || now - last_progress >= PROGRESS_EVERY_MS {
                    last_progress = now;
                    first = false;
                    let file = name.clone();
                    self.post(&FromWorker::Progress {
                        request,
                        done,
                        total,
                        file,
                    });
                }
                let end = (at + CHUNK_BYTES).min(size);
                let read = read_slice(blob, at, end, &mut buffer).await;
                if cancel.get() {
                    return Guarded::Done(Outcome::Cancelled);
                }
                if let Err(e) = read {
                    return Guarded::Done(Outcome::Failed(format!(
                        "{name}: the browser could not read the file: {e}"
                    )));
                }
                done += (end - at) as u64;
                at = end;
                // A file that cannot be parsed is recorded by the loader (summary.failed);
                // the rest of it is not worth reading.
                let fed = loader.feed(&buffer);
                if let Err(message) = rows(&mut loader) {
                    return Guarded::Done(Outcome::Failed(message));
                }
                if fed.is_err() {
                    done += (size - at) as u64;
                    break;
                }
                if let Some(verdict) = guard
                    .as_deref_mut()
                    .map(|g| g.check(&loader.state(), at as u64))
                {
                    match verdict {
                        Verdict::Go => {}
                        Verdict::Stop(message) => return Guarded::Done(Outcome::Failed(message)),
                        Verdict::Resample { per_class, why } => {
                            return Guarded::Resample { per_class, why }
                        }
                    }
                }
            }
            // Errors here are recorded in the summary's failed files; the other files go on.
            let _ = loader.end_file();
            if let Err(message) = rows(&mut loader) {
                return Guarded::Done(Outcome::Failed(message));
            }
        }
        self.post(&FromWorker::Progress {
            request,
            done: total,
            total,
            file: String::new(),
        });
        Guarded::Done(match loader.finish() {
            Ok(data) => Outcome::Loaded(data),
            Err(e) => Outcome::Failed(e.to_string()),
        })
    }
}

/// Lets the worker's event loop run (a `setTimeout(0)`): messages that arrived meanwhile, such
/// as a Cancel, are handled before this resolves.
async fn yield_now(scope: &DedicatedWorkerGlobalScope) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = JsFuture::from(promise).await;
}

/// The message of a JS exception (an `Error`'s message, a thrown string, or its debug form).
pub fn js_error_message(e: JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// Reads `blob[start..end]` into `buffer` (replacing its content).
async fn read_slice(blob: &Blob, start: f64, end: f64, buffer: &mut Vec<u8>) -> Result<(), String> {
    let part = blob
        .slice_with_f64_and_f64(start, end)
        .map_err(js_error_message)?;
    let bytes = JsFuture::from(part.array_buffer())
        .await
        .map_err(js_error_message)?;
    let view = Uint8Array::new(&bytes);
    buffer.resize(view.length() as usize, 0);
    view.copy_to(buffer);
    Ok(())
}
