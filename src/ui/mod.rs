//! The page (Leptos, client-side rendered): a header, six tabs (`tabs.rs`), and the session that talks to the
//! parsing worker. Nothing is parsed on the main thread: files go to the worker as `Blob`s and only
//! summaries come back.

mod capture;
pub mod charts;
mod data;
pub mod download;
mod drop;
mod explore;
mod flagged_table;
mod leakage;
mod models;
mod pool;
mod predict;
pub(crate) mod recover;
mod results;
mod sample;
mod tabs;
mod train;
mod worker_client;

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use web_sys::{Blob, File, FileList};

use crate::ingest::{LabelMap, Summary, Taxonomy};
use crate::worker::protocol::{FromWorker, ModelInfo, ToWorker, TrainedResult};
use data::DataTab;
use drop::DropZone;
use explore::ExploreTab;
use models::ModelsTab;
use predict::PredictTab;
use results::ResultsTab;
use tabs::TabBar;
use train::TrainTab;
use worker_client::WorkerClient;

/// A reply handler registered by [`Session::call`].
type Handler = Rc<dyn Fn(FromWorker, Vec<Uint8Array>)>;

/// Whether `reply` ends its request (a handler gets nothing more after it).
fn is_final(reply: &FromWorker) -> bool {
    !matches!(
        reply,
        FromWorker::Progress { .. }
            | FromWorker::FitProgress { .. }
            | FromWorker::PredictedCsv { .. }
            | FromWorker::Ready
    )
}

/// Handles files dropped on the page while a tab other than Data wants them.
pub type DropHandler = Rc<dyn Fn(Vec<Blob>, Vec<String>)>;

/// A load in flight and how far it got.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadProgress {
    pub request: u32,
    /// Bytes read so far, of `total`.
    pub done: u64,
    pub total: u64,
    /// The file being read.
    pub file: String,
}

/// A message shown above the data.
#[derive(Debug, Clone, PartialEq)]
pub enum Banner {
    /// Something failed; the data loaded before is still shown.
    Error(String),
    /// Something the user should know that is not a failure.
    Info(String),
}

/// Everything the page shows about the data set; all reactive, all updated from worker replies.
#[derive(Debug, Clone, Copy)]
pub struct DataState {
    /// The data set loaded now (kept when a later load fails or is cancelled).
    pub summary: RwSignal<Option<Summary>>,
    /// How long the worker took to parse it.
    pub parse_ms: RwSignal<Option<f64>>,
    pub banner: RwSignal<Option<Banner>>,
    /// `Some` while a load is in flight.
    pub loading: RwSignal<Option<LoadProgress>>,
    /// The taxonomy the labels are shown in.
    pub taxonomy: RwSignal<Taxonomy>,
    /// The user's renaming, merging and dropping of classes (applied after the taxonomy).
    pub label_map: RwSignal<LabelMap>,
    /// Rows per class under the taxonomy before the label map (the summary counts after it).
    pub unmapped: RwSignal<BTreeMap<String, u64>>,
}

impl DataState {
    fn new() -> Self {
        DataState {
            summary: RwSignal::new(None),
            parse_ms: RwSignal::new(None),
            banner: RwSignal::new(None),
            loading: RwSignal::new(None),
            taxonomy: RwSignal::new(Taxonomy::default()),
            label_map: RwSignal::new(LabelMap::default()),
            unmapped: RwSignal::new(BTreeMap::new()),
        }
    }

    /// Ends the load `request` if it is the one in flight.
    fn finish(&self, request: u32) {
        if self
            .loading
            .with_untracked(|l| l.as_ref().is_some_and(|l| l.request == request))
        {
            self.loading.set(None);
        }
    }

    /// Applies one reply from the worker. Replies come in the order the worker's state changed, so
    /// the last `Loaded` always describes the data set the worker holds.
    fn apply(&self, reply: FromWorker) {
        match reply {
            FromWorker::Ready => {}
            FromWorker::Progress {
                request,
                done,
                total,
                file,
            } if self
                .loading
                .with_untracked(|l| l.as_ref().is_some_and(|l| l.request == request)) =>
            {
                self.loading.set(Some(LoadProgress {
                    request,
                    done,
                    total,
                    file,
                }));
            }
            FromWorker::Loaded {
                request,
                summary,
                parse_ms,
                unmapped,
                ..
            } => {
                self.finish(request);
                self.unmapped.set(unmapped);
                self.summary.set(Some(summary));
                self.parse_ms.set(Some(parse_ms));
            }
            FromWorker::Failed { request, message } => {
                self.finish(request);
                self.banner.set(Some(Banner::Error(message)));
            }
            FromWorker::Cancelled { request } => {
                self.finish(request);
                let kept = if self.summary.with_untracked(Option::is_some) {
                    " The data loaded before is still loaded."
                } else {
                    ""
                };
                self.banner
                    .set(Some(Banner::Info(format!("Loading cancelled.{kept}"))));
            }
            // Replies to requests made with `Session::call` go to their handlers.
            _ => {}
        }
    }
}

/// The page's connection to the worker plus the state it feeds. `Copy`, so every handler can hold
/// one; components get it from context ([`use_session`]).
#[derive(Clone, Copy)]
pub struct Session {
    pub state: DataState,
    /// Models the data worker holds (trained here, imported, or restored from browser storage),
    /// newest last.
    pub models: RwSignal<Vec<ModelInfo>>,
    /// Results of the models trained in this page, in the order they finished.
    pub results: RwSignal<Vec<TrainedResult>>,
    /// The tab shown.
    pub tab: RwSignal<Tab>,
    /// The training pool and its run (kept while tabs change).
    pub trainer: pool::Trainer,
    /// The files, sampling and model files kept to re-read and to restore a restarted worker.
    pub kept: recover::Kept,
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    handlers: StoredValue<HashMap<u32, Handler>, LocalStorage>,
    /// Where files dropped on the page go instead of the Data tab, when set (by the tab shown).
    pub drop_handler: StoredValue<Option<DropHandler>, LocalStorage>,
    next_request: StoredValue<u32>,
}

impl Session {
    /// Starts the data worker (an error banner says so if it cannot start).
    fn start() -> Self {
        let session = Session {
            state: DataState::new(),
            models: RwSignal::new(Vec::new()),
            results: RwSignal::new(Vec::new()),
            tab: RwSignal::new(Tab::Data),
            trainer: pool::Trainer::new(),
            kept: recover::Kept::new(),
            client: StoredValue::new_local(None),
            handlers: StoredValue::new_local(HashMap::new()),
            drop_handler: StoredValue::new_local(None),
            next_request: StoredValue::new(1),
        };
        session.spawn_client();
        session
    }

    /// Hands a reply to the handler of its request, or to the data state (loads).
    fn route(
        state: DataState,
        handlers: StoredValue<HashMap<u32, Handler>, LocalStorage>,
        reply: FromWorker,
        bytes: Vec<Uint8Array>,
    ) {
        let request = reply_request(&reply);
        let handler = request.and_then(|r| handlers.with_value(|h| h.get(&r).cloned()));
        match handler {
            Some(handler) => {
                if is_final(&reply) {
                    if let Some(r) = request {
                        handlers.update_value(|h| {
                            h.remove(&r);
                        });
                    }
                }
                handler(reply, bytes);
            }
            None => state.apply(reply),
        }
    }

    /// Sends a message to the data worker; `on_reply` gets every reply to it (progress included,
    /// and a `Failed`) with the reply's byte payloads. `make` builds the message from the request
    /// id, which is returned.
    pub fn call(
        &self,
        make: impl FnOnce(u32) -> ToWorker,
        files: Vec<Blob>,
        bytes: Vec<Uint8Array>,
        on_reply: impl Fn(FromWorker, Vec<Uint8Array>) + 'static,
    ) -> u32 {
        let request = self.request_id();
        self.handlers.update_value(|h| {
            h.insert(request, Rc::new(on_reply));
        });
        let message = make(request);
        let rows = self
            .state
            .summary
            .with_untracked(|s| s.as_ref().map(|s| s.rows));
        self.kept.begin(request, &message, rows);
        self.client.with_value(|client| match client {
            Some(client) => client.send(&message, &files, &bytes, false),
            None => Self::route(
                self.state,
                self.handlers,
                FromWorker::Failed {
                    request,
                    message: "the data worker is not running".into(),
                },
                Vec::new(),
            ),
        });
        request
    }

    /// Sends a message that gets no reply.
    pub fn tell(&self, message: &ToWorker) {
        self.send(message, &[]);
    }

    /// A fresh request id (for messages to pool workers).
    pub fn next_id(&self) -> u32 {
        self.request_id()
    }

    /// Loads a model file into the data worker; `done` gets its info (also added to
    /// [`Session::models`]) or the reason it was refused.
    pub fn add_model_bytes(
        &self,
        name: String,
        bytes: Uint8Array,
        done: impl Fn(Result<ModelInfo, String>) + 'static,
    ) {
        let (models, kept, file) = (self.models, self.kept, bytes.clone());
        self.call(
            |request| ToWorker::ImportModel { request, name },
            Vec::new(),
            vec![bytes],
            move |reply, _| match reply {
                FromWorker::ModelAdded { info, .. } => {
                    kept.keep_model(info.id, info.name.clone(), Some(file.clone()));
                    models.update(|m| m.push((*info).clone()));
                    done(Ok(*info));
                }
                FromWorker::Failed { message, .. } => done(Err(message)),
                _ => {}
            },
        );
    }

    /// Forgets model `id` in the worker and in [`Session::models`].
    pub fn drop_model(&self, id: u32) {
        let request = self.request_id();
        self.tell(&ToWorker::DropModel { request, model: id });
        self.kept.forget_model(id);
        self.models.update(|m| m.retain(|i| i.id != id));
    }

    /// Shows tab `tab`.
    pub fn goto(&self, tab: Tab) {
        self.tab.set(tab);
    }

    fn request_id(&self) -> u32 {
        let id = self.next_request.get_value();
        self.next_request.set_value(id.wrapping_add(1));
        id
    }

    fn send(&self, message: &ToWorker, files: &[Blob]) {
        self.client.with_value(|client| {
            if let Some(client) = client {
                client.send(message, files, &[], false);
            }
        });
    }

    /// Parses `files` (named `names`) in the worker, replacing the data set if at least one loads;
    /// sampled as the Data tab asks (or as the memory budget needs).
    pub fn load(&self, files: Vec<Blob>, names: Vec<String>) {
        if files.is_empty() {
            return;
        }
        self.state.banner.set(None);
        let sampling = self.kept.asked.get_untracked();
        self.load_with(files, names, sampling, None);
    }

    /// Parses the files of a file input or a drop.
    pub fn load_list(&self, list: &FileList) {
        let (files, names) = blobs_and_names(list);
        self.load(files, names);
    }

    /// Sends files dropped anywhere on the page to `handler` instead of the Data tab, until the
    /// calling component is cleaned up (unless another tab has claimed the drops meanwhile).
    pub fn claim_drops(&self, handler: DropHandler) {
        let drops = self.drop_handler;
        // Compared by address: another tab may have set its own handler already.
        let mine = Rc::as_ptr(&handler) as *const () as usize;
        drops.set_value(Some(handler));
        on_cleanup(move || {
            let still_mine = drops.with_value(|h| {
                h.as_ref()
                    .is_some_and(|h| Rc::as_ptr(h) as *const () as usize == mine)
            });
            if still_mine {
                drops.set_value(None);
            }
        });
    }

    /// Stops the load in flight; the previous data set stays.
    pub fn cancel(&self) {
        if let Some(request) = self
            .state
            .loading
            .with_untracked(|l| l.as_ref().map(|l| l.request))
        {
            self.send(&ToWorker::Cancel { request }, &[]);
        }
    }

    /// Shows the labels in another taxonomy (the worker re-counts; no re-parse).
    pub fn set_taxonomy(&self, taxonomy: Taxonomy) {
        self.state.taxonomy.set(taxonomy);
        let request = self.request_id();
        self.send(&ToWorker::SetTaxonomy { request, taxonomy }, &[]);
    }

    /// Renames, merges or drops classes of the loaded data set (the worker relabels the data it
    /// holds; no re-parse). Later loads and trainings use the map too.
    pub fn set_label_map(&self, label_map: LabelMap) {
        self.state.label_map.set(label_map.clone());
        let request = self.request_id();
        self.send(&ToWorker::SetLabelMap { request, label_map }, &[]);
    }
}

/// The files of a file input or a drop, as blobs with their names.
pub(crate) fn blobs_and_names(list: &FileList) -> (Vec<Blob>, Vec<String>) {
    let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    let names = files.iter().map(File::name).collect();
    (files.into_iter().map(Blob::from).collect(), names)
}

/// The request id a reply answers (`None` for `Ready`).
fn reply_request(reply: &FromWorker) -> Option<u32> {
    Some(match reply {
        FromWorker::Ready | FromWorker::Crashed { .. } => return None,
        FromWorker::Progress { request, .. }
        | FromWorker::Loaded { request, .. }
        | FromWorker::Failed { request, .. }
        | FromWorker::Cancelled { request }
        | FromWorker::Explored { request, .. }
        | FromWorker::Download { request, .. }
        | FromWorker::Prepared { request, .. }
        | FromWorker::FitProgress { request, .. }
        | FromWorker::Fitted { request, .. }
        | FromWorker::Trained { request, .. }
        | FromWorker::Scored { request, .. }
        | FromWorker::Predicted { request, .. }
        | FromWorker::PredictedCsv { request, .. }
        | FromWorker::PredictionRows { request, .. }
        | FromWorker::Explained { request, .. }
        | FromWorker::ShapImportance { request, .. }
        | FromWorker::ShapParts { request, .. }
        | FromWorker::PartExplained { request, .. }
        | FromWorker::ModelAdded { request, .. }
        | FromWorker::WarmedUp { request, .. } => *request,
    })
}

/// The session provided by [`App`].
pub fn use_session() -> Session {
    use_context::<Session>().expect("Session is provided by App")
}

/// The page's tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Data,
    Explore,
    Train,
    Results,
    Predict,
    Models,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Data,
        Tab::Explore,
        Tab::Train,
        Tab::Results,
        Tab::Predict,
        Tab::Models,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Data => "Data",
            Tab::Explore => "Explore",
            Tab::Train => "Train",
            Tab::Results => "Results",
            Tab::Predict => "Predict",
            Tab::Models => "Models",
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Tab::Data => "data",
            Tab::Explore => "explore",
            Tab::Train => "train",
            Tab::Results => "results",
            Tab::Predict => "predict",
            Tab::Models => "models",
        }
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::start();
    provide_context(session);
    session.load_sample();
    // Once the first data set is in, the training pool starts and warms up (see `pool`).
    let warmed = StoredValue::new(false);
    Effect::new(move |_| {
        if session.state.summary.with(Option::is_some) && !warmed.get_value() {
            warmed.set_value(true);
            session.trainer.warm_up(session);
        }
    });
    // Models saved in this browser are in the worker from the start (Predict and Models list them).
    models::restore_saved_models(session);
    let tab = session.tab;
    // A load started from any tab (e.g. a drop) shows its progress and result on the Data tab.
    let load_in_flight = Memo::new(move |_| {
        session
            .state
            .loading
            .with(|l| l.as_ref().map(|l| l.request))
    });
    Effect::new(move |_| {
        if load_in_flight.get().is_some() {
            tab.set(Tab::Data);
        }
    });

    view! {
        <DropZone />
        <header class="app-header">
            <h1 class="brand">"flowlab"</h1>
            <p class="tagline">"Network flows → classifier, in your browser. Nothing leaves this machine."</p>
        </header>
        <TabBar tab />
        // An error outside the Data tab's own (e.g. a worker that crashed) shows on every tab.
        {move || match (tab.get(), session.state.banner.get()) {
            (t, Some(Banner::Error(text))) if t != Tab::Data => Some(view! {
                <div class="banner error global" data-testid="global-error" role="alert">
                    <span class="banner-text">{text}</span>
                    <button class="dismiss" aria-label="Dismiss" on:click=move |_| session.state.banner.set(None)>"×"</button>
                </div>
            }),
            _ => None,
        }}
        <main class="panel" id=move || format!("panel-{}", tab.get().id()) role="tabpanel">
            {move || match tab.get() {
                Tab::Data => view! { <DataTab /> }.into_any(),
                Tab::Explore => view! { <ExploreTab /> }.into_any(),
                Tab::Train => view! { <TrainTab /> }.into_any(),
                Tab::Results => view! { <ResultsTab /> }.into_any(),
                Tab::Predict => view! { <PredictTab /> }.into_any(),
                Tab::Models => view! { <ModelsTab /> }.into_any(),
            }}
        </main>
        <footer class="app-footer">
            "flowlab parses and learns in a Web Worker on this page; no file is uploaded anywhere."
        </footer>
    }
}
