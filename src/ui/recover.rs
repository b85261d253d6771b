//! Nothing lost when the data worker dies. The page keeps what it needs to rebuild the worker's
//! state — the `File` handles of the data set loaded now with the sampling they were loaded with,
//! and the model file of every model the worker holds (trained models come back with theirs;
//! imported and saved ones were sent from here) — and when the worker panics or runs out of
//! memory ([`FromWorker::Crashed`], from its panic hook or the `error` event), it says what
//! happened in words, fails the requests that were waiting, starts a new worker, restores the
//! models under the same ids (so the Models, Predict and Results tabs keep working) and re-reads
//! the files with the same sampling.
//!
//! The same `File` handles let the Data tab's sampling fields re-read the files ([`Kept`]).
//!
//! Test hooks, honoured only when the page is opened with them: `?test-crash` (the workers are
//! started with `?test-crash` and honour [`ToWorker::Crash`]; the Data tab shows a button that
//! sends it) and `?memory-budget=MiB` (the data worker gets a smaller memory budget).

use std::collections::HashMap;
use std::rc::Rc;

use js_sys::Uint8Array;
use leptos::prelude::*;
use web_sys::Blob;

use super::worker_client::WorkerClient;
use super::{is_final, reply_request, Banner, Handler, LoadProgress, Session};
use crate::worker::load::{crash_cause, describe, thousands};
use crate::worker::protocol::{FromWorker, Sampling, ToWorker};

/// The page's URL query string (`?test-crash&memory-budget=64`).
pub fn page_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Whether the page was opened with `?test-crash`.
pub fn test_crash() -> bool {
    page_query().contains("test-crash")
}

/// How long the data worker may stay silent while it has work before the watchdog terminates
/// it (see `worker_client`): 60 s, or `?hang-timeout=S` seconds in test mode (`?test-crash`).
pub fn hang_timeout_ms() -> f64 {
    const DEFAULT_MS: f64 = 60_000.0;
    if !test_crash() {
        return DEFAULT_MS;
    }
    let query = page_query();
    query
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("hang-timeout="))
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map_or(DEFAULT_MS, |s| s * 1000.0)
}

/// The memory budget forced by `?memory-budget=MiB`, in bytes.
fn forced_budget() -> Option<u64> {
    let query = page_query();
    let value = query
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("memory-budget="))?;
    value.parse::<u64>().ok().map(|mib| mib << 20)
}

/// The files of a load and how they are sampled.
#[derive(Clone)]
struct Files {
    blobs: Vec<Blob>,
    names: Vec<String>,
}

/// What the page keeps to restore a restarted data worker and to re-read the files.
#[derive(Clone, Copy)]
pub struct Kept {
    /// The sampling the Data tab asks for (used by the next load and by Apply).
    pub asked: RwSignal<Sampling>,
    /// How the data set loaded now was sampled.
    pub loaded: RwSignal<Option<Sampling>>,
    /// The data set's files are kept (Apply can re-read them).
    pub has_files: RwSignal<bool>,
    files: StoredValue<Option<Files>, LocalStorage>,
    /// The load in flight and its files (they become `files` when it loads).
    pending: StoredValue<Option<(u32, Files)>, LocalStorage>,
    /// Model files by the worker's id, with their names.
    models: StoredValue<Vec<(u32, String, Uint8Array)>, LocalStorage>,
    /// Requests in flight in the data worker, described for a crash message.
    doing: StoredValue<HashMap<u32, String>, LocalStorage>,
    /// Bumped for every worker started; replies of an older worker are ignored.
    generation: StoredValue<u32>,
    /// A restore is re-reading the files (a crash then does not re-read them again).
    restoring: StoredValue<bool>,
}

impl Kept {
    pub fn new() -> Self {
        Kept {
            asked: RwSignal::new(Sampling::default()),
            loaded: RwSignal::new(None),
            has_files: RwSignal::new(false),
            files: StoredValue::new_local(None),
            pending: StoredValue::new_local(None),
            models: StoredValue::new_local(Vec::new()),
            doing: StoredValue::new_local(HashMap::new()),
            generation: StoredValue::new(0),
            restoring: StoredValue::new(false),
        }
    }

    /// Keeps the model file of model `id`.
    pub fn keep_model(&self, id: u32, name: String, bytes: Option<Uint8Array>) {
        if let Some(bytes) = bytes.filter(|b| b.length() > 0) {
            self.models.update_value(|m| {
                m.retain(|(i, _, _)| *i != id);
                m.push((id, name, bytes));
            });
        }
    }

    /// Forgets model `id`'s file.
    pub fn forget_model(&self, id: u32) {
        self.models.update_value(|m| m.retain(|(i, _, _)| *i != id));
    }

    /// Notes a request sent to the data worker.
    pub fn begin(&self, request: u32, message: &ToWorker, rows: Option<u64>) {
        if let Some(what) = describe(message, rows) {
            self.doing.update_value(|d| {
                d.insert(request, what);
            });
        }
    }

    /// A reply came: a final one ends its request; a load's outcome decides which files are kept.
    fn on_reply(&self, reply: &FromWorker) {
        let Some(request) = reply_request(reply) else {
            return;
        };
        if is_final(reply) {
            self.doing.update_value(|d| {
                d.remove(&request);
            });
        }
        let pending = self
            .pending
            .with_value(|p| p.as_ref().is_some_and(|(r, _)| *r == request));
        if !pending || !is_final(reply) {
            return;
        }
        let files = self.pending.try_update_value(Option::take).flatten();
        if let FromWorker::Loaded { sampling, .. } = reply {
            if let Some((_, files)) = files {
                self.files.set_value(Some(files));
                self.has_files.set(true);
            }
            if !self.restoring.get_value() {
                self.loaded.set(Some(sampling.clone()));
            }
        }
    }
}

impl Default for Kept {
    fn default() -> Self {
        Self::new()
    }
}

impl Session {
    /// Starts a data worker whose replies come to this session (replacing, and so terminating,
    /// the one before). A worker that cannot start leaves an error banner.
    pub(super) fn spawn_client(&self) {
        let session = *self;
        let generation = self.kept.generation.get_value().wrapping_add(1);
        self.kept.generation.set_value(generation);
        let client = WorkerClient::spawn(move |reply, bytes| {
            if session.kept.generation.get_value() == generation {
                session.on_reply(reply, bytes);
            }
        });
        match client {
            Ok(client) => {
                if let Some(memory) = forced_budget() {
                    let request = self.request_id();
                    client.send(&ToWorker::SetBudget { request, memory }, &[], &[], false);
                }
                self.client.set_value(Some(client));
            }
            Err(message) => {
                self.client.set_value(None);
                self.state.banner.set(Some(Banner::Error(message)));
            }
        }
    }

    fn on_reply(&self, reply: FromWorker, bytes: Vec<Uint8Array>) {
        if let FromWorker::Crashed { message } = reply {
            // Later: the dead worker's client (whose closure runs now) is dropped by the restart.
            let session = *self;
            // Its later replies (the `error` event after the panic) are ignored from now on.
            self.kept
                .generation
                .update_value(|g| *g = g.wrapping_add(1));
            set_timeout(move || session.recover(&message), std::time::Duration::ZERO);
            return;
        }
        self.kept.on_reply(&reply);
        Self::route(self.state, self.handlers, reply, bytes);
    }

    /// Parses `files` with `sampling`; `on_reply`, when given, gets the replies instead of the
    /// data state.
    pub(super) fn load_with(
        &self,
        files: Vec<Blob>,
        names: Vec<String>,
        sampling: Sampling,
        on_reply: Option<Handler>,
    ) {
        let total = files.iter().map(Blob::size).sum::<f64>() as u64;
        let message = |request| ToWorker::Load {
            request,
            names: names.clone(),
            taxonomy: self.state.taxonomy.get_untracked(),
            max_rows_per_file: sampling.per_file,
            per_class: sampling.per_class,
            label_column: None,
            seed: sampling.seed,
            max_files: super::data::max_files(),
            sample_files: false,
            label_map: self.state.label_map.get_untracked(),
        };
        let kept = Files {
            blobs: files.clone(),
            names: names.clone(),
        };
        let request = match on_reply {
            Some(handler) => self.call(message, files, Vec::new(), move |r, b| handler(r, b)),
            None => {
                let request = self.request_id();
                self.send(&message(request), &files);
                request
            }
        };
        self.kept.pending.set_value(Some((request, kept)));
        self.state.loading.set(Some(LoadProgress {
            request,
            done: 0,
            total,
            file: names.first().cloned().unwrap_or_default(),
        }));
    }

    /// Re-reads the kept files with the sampling the Data tab asks for now.
    pub fn reload(&self) {
        let files = self.kept.files.get_value();
        if let Some(files) = files {
            self.state.banner.set(None);
            let asked = self.kept.asked.get_untracked();
            self.load_with(files.blobs, files.names, asked, None);
        }
    }

    /// Test only (`?test-crash`): makes the data worker panic.
    pub fn crash_for_test(&self) {
        let request = self.request_id();
        let message = ToWorker::Crash { request };
        self.kept.begin(request, &message, None);
        self.tell(&message);
    }

    /// Test only (`?test-crash`): makes the data worker stop answering.
    pub fn hang_for_test(&self) {
        let request = self.request_id();
        let message = ToWorker::Hang { request };
        self.kept.begin(request, &message, None);
        self.tell(&message);
    }

    /// The data worker died: say so, fail what waited for it, start a new one, restore the
    /// models and re-read the data set's files.
    fn recover(&self, message: &str) {
        let doing = self
            .kept
            .doing
            .with_value(|d| d.iter().max_by_key(|(r, _)| **r).map(|(_, w)| w.clone()));
        let doing = doing.or_else(|| {
            self.state
                .loading
                .with_untracked(|l| l.as_ref().map(|l| format!("loading {}", l.file)))
        });
        let while_ = doing.map_or(String::new(), |d| format!(" while {d}"));
        let sentence = format!(
            "The data worker {}{while_}; it was restarted",
            crash_cause(message)
        );
        self.kept.doing.update_value(HashMap::clear);
        self.kept.pending.set_value(None);
        self.state.loading.set(None);
        let waiting = self
            .handlers
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        for (request, handler) in waiting {
            let message = format!("{sentence}.");
            handler(FromWorker::Failed { request, message }, Vec::new());
        }
        self.trainer.abort(format!("{sentence}."));
        self.spawn_client();
        self.restore_models();
        self.restore_data(sentence);
    }

    /// Sends every kept model file to the new worker, under the ids the page knows.
    fn restore_models(&self) {
        let (ids, bytes): (Vec<(u32, String)>, Vec<Uint8Array>) =
            self.kept.models.with_value(|m| {
                m.iter()
                    .map(|(id, name, b)| ((*id, name.clone()), b.clone()))
                    .unzip()
            });
        if ids.is_empty() {
            return;
        }
        let request = self.request_id();
        let message = ToWorker::Restore {
            request,
            models: ids,
        };
        self.client.with_value(|c| {
            if let Some(c) = c {
                c.send(&message, &[], &bytes, false);
            }
        });
    }

    /// Re-reads the data set's files with the sampling they were loaded with.
    fn restore_data(&self, sentence: String) {
        let files = self.kept.files.get_value();
        let sampling = self.kept.loaded.get_untracked();
        let (Some(files), Some(sampling), false) =
            (files, sampling, self.kept.restoring.get_value())
        else {
            let lost = if self.kept.restoring.get_value() {
                "; the data could not be reloaded: load it again with fewer rows (Data tab, sampling)"
            } else {
                ""
            };
            self.kept.restoring.set_value(false);
            let text = format!("{sentence}{lost}.");
            self.state.banner.set(Some(Banner::Error(text)));
            return;
        };
        self.kept.restoring.set_value(true);
        self.state.banner.set(Some(Banner::Error(format!(
            "{sentence}; your data is being reloaded…"
        ))));
        let session = *self;
        let handler: Handler = Rc::new(move |reply: FromWorker, _| {
            let done = match &reply {
                FromWorker::Loaded { summary, .. } => Some(Ok(summary.rows)),
                FromWorker::Failed { message, .. } => Some(Err(message.clone())),
                FromWorker::Cancelled { .. } => Some(Err("the reload was cancelled".into())),
                _ => None,
            };
            session.state.apply(reply);
            if let Some(done) = done {
                session.kept.restoring.set_value(false);
                let text = match done {
                    Ok(rows) => Banner::Info(format!(
                        "{sentence} and your data reloaded ({} rows).",
                        thousands(rows)
                    )),
                    Err(e) => {
                        Banner::Error(format!("{sentence}; the data could not be reloaded: {e}"))
                    }
                };
                session.state.banner.set(Some(text));
            }
        });
        self.load_with(files.blobs, files.names, sampling, Some(handler));
    }
}
