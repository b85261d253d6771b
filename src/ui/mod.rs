//! The page (Leptos, client-side rendered): a header, five tabs, and the session that talks to the
//! parsing worker. Nothing is parsed on the main thread: files go to the worker as `Blob`s and only
//! summaries come back.

mod data_tab;
mod drop;
mod worker_client;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File, FileList, Response};

use crate::ingest::{Summary, Taxonomy};
use crate::worker::protocol::{FromWorker, ToWorker};
use crate::worker::web::js_error_message;
use data_tab::DataTab;
use drop::DropZone;
use worker_client::WorkerClient;

/// The embedded sample, loaded when the page opens (relative, so the page works from any path).
pub const SAMPLE_URL: &str = "./sample/iot23-sample.conn.log.labeled";
/// The sample's file name as shown in the Data tab.
pub const SAMPLE_NAME: &str = "iot23-sample.conn.log.labeled";

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
}

impl DataState {
    fn new() -> Self {
        DataState {
            summary: RwSignal::new(None),
            parse_ms: RwSignal::new(None),
            banner: RwSignal::new(None),
            loading: RwSignal::new(None),
            taxonomy: RwSignal::new(Taxonomy::default()),
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
            } => {
                if self
                    .loading
                    .with_untracked(|l| l.as_ref().is_some_and(|l| l.request == request))
                {
                    self.loading.set(Some(LoadProgress {
                        request,
                        done,
                        total,
                        file,
                    }));
                }
            }
            FromWorker::Loaded {
                request,
                summary,
                parse_ms,
            } => {
                self.finish(request);
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
        }
    }
}

/// The page's connection to the worker plus the state it feeds. `Copy`, so every handler can hold
/// one; components get it from context ([`use_session`]).
#[derive(Debug, Clone, Copy)]
pub struct Session {
    pub state: DataState,
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    next_request: StoredValue<u32>,
}

impl Session {
    /// Starts the worker (an error banner says so if it cannot start).
    fn start() -> Self {
        let state = DataState::new();
        let client = match WorkerClient::spawn(move |reply| state.apply(reply)) {
            Ok(client) => Some(client),
            Err(message) => {
                state.banner.set(Some(Banner::Error(message)));
                None
            }
        };
        Session {
            state,
            client: StoredValue::new_local(client),
            next_request: StoredValue::new(1),
        }
    }

    fn request_id(&self) -> u32 {
        let id = self.next_request.get_value();
        self.next_request.set_value(id.wrapping_add(1));
        id
    }

    fn send(&self, message: &ToWorker, files: &[Blob]) {
        self.client.with_value(|client| {
            if let Some(client) = client {
                client.send(message, files);
            }
        });
    }

    /// Parses `files` (named `names`) in the worker, replacing the data set if at least one loads.
    pub fn load(&self, files: Vec<Blob>, names: Vec<String>) {
        if files.is_empty() {
            return;
        }
        let request = self.request_id();
        let total = files.iter().map(Blob::size).sum::<f64>() as u64;
        let file = names.first().cloned().unwrap_or_default();
        self.state.banner.set(None);
        self.state.loading.set(Some(LoadProgress {
            request,
            done: 0,
            total,
            file,
        }));
        let message = ToWorker::Load {
            request,
            names,
            taxonomy: self.state.taxonomy.get_untracked(),
            max_rows_per_file: None,
            per_class: None,
            label_column: None,
        };
        self.send(&message, &files);
    }

    /// Parses the files of a file input or a drop.
    pub fn load_list(&self, list: &FileList) {
        let files: Vec<File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
        let names = files.iter().map(File::name).collect();
        self.load(files.into_iter().map(Blob::from).collect(), names);
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

    /// Fetches the embedded sample (same origin) and loads it.
    pub fn load_sample(&self) {
        let session = *self;
        leptos::task::spawn_local(async move {
            match fetch_blob(SAMPLE_URL).await {
                Ok(blob) => session.load(vec![blob], vec![SAMPLE_NAME.to_string()]),
                Err(e) => session.state.banner.set(Some(Banner::Error(format!(
                    "cannot load the sample {SAMPLE_URL}: {e}"
                )))),
            }
        });
    }
}

/// The session provided by [`App`].
pub fn use_session() -> Session {
    use_context::<Session>().expect("Session is provided by App")
}

async fn fetch_blob(url: &str) -> Result<Blob, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(js_error_message)?
        .unchecked_into();
    if !response.ok() {
        return Err(format!(
            "HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let blob = JsFuture::from(response.blob().map_err(js_error_message)?)
        .await
        .map_err(js_error_message)?;
    Ok(blob.unchecked_into())
}

/// The page's tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Data,
    Explore,
    Train,
    Results,
    Predict,
}

impl Tab {
    const ALL: [Tab; 5] = [
        Tab::Data,
        Tab::Explore,
        Tab::Train,
        Tab::Results,
        Tab::Predict,
    ];

    fn label(self) -> &'static str {
        match self {
            Tab::Data => "Data",
            Tab::Explore => "Explore",
            Tab::Train => "Train",
            Tab::Results => "Results",
            Tab::Predict => "Predict",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Tab::Data => "data",
            Tab::Explore => "explore",
            Tab::Train => "train",
            Tab::Results => "results",
            Tab::Predict => "predict",
        }
    }

    /// What the tab will do, for the "coming next" placeholder.
    fn coming(self) -> &'static str {
        match self {
            Tab::Data => "",
            Tab::Explore => "Distributions and correlations of the loaded flows, per class.",
            Tab::Train => "Train a classifier on the loaded flows, in a worker on this machine.",
            Tab::Results => {
                "Accuracy, per-class scores and the confusion matrix of the trained model."
            }
            Tab::Predict => "Label new flow files with the trained model.",
        }
    }
}

/// The whole page.
#[component]
pub fn App() -> impl IntoView {
    let session = Session::start();
    provide_context(session);
    session.load_sample();
    let tab = RwSignal::new(Tab::Data);
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
        <nav class="tabs" role="tablist" aria-label="Sections">
            {Tab::ALL
                .into_iter()
                .map(|t| {
                    view! {
                        <button
                            role="tab"
                            id=format!("tab-{}", t.id())
                            data-testid=format!("tab-{}", t.id())
                            aria-controls=format!("panel-{}", t.id())
                            aria-selected=move || (tab.get() == t).to_string()
                            class="tab"
                            class:active=move || tab.get() == t
                            on:click=move |_| tab.set(t)
                        >
                            {t.label()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
        <main class="panel" id=move || format!("panel-{}", tab.get().id()) role="tabpanel">
            {move || match tab.get() {
                Tab::Data => view! { <DataTab /> }.into_any(),
                other => view! { <ComingNext tab=other /> }.into_any(),
            }}
        </main>
        <footer class="app-footer">
            "flowlab parses and learns in a Web Worker on this page; no file is uploaded anywhere."
        </footer>
    }
}

/// Placeholder for a tab that is not built yet.
#[component]
fn ComingNext(
    /// The tab this stands in for.
    tab: Tab,
) -> impl IntoView {
    view! {
        <section class="empty-state" data-testid="coming-next">
            <h2>{tab.label()} " — coming next"</h2>
            <p>{tab.coming()}</p>
            <p class="muted">"Load data in the Data tab; this tab will use it."</p>
        </section>
    }
}
