//! The page's handle on the Web Worker: starts it, queues messages until it reports `Ready`
//! (a message posted before the worker's wasm is listening would be lost), and hands every reply to
//! a callback.
//!
//! A watchdog notices a worker that stops answering (stuck in a loop, or its tab's memory
//! thrashing: no `error` event, no reply): while a request that reports progress is open (a load,
//! a training job's preparation, scoring, a prediction), every message from the worker renews a
//! deadline; past it ([`super::recover::hang_timeout_ms`], 60 s; ×10 for a preparation or
//! scoring, which send no progress of their own and take minutes on millions of rows) the
//! worker is reported as
//! [`FromWorker::Crashed`] with [`stopped_answering`] in words, and the page recovers as for a
//! crash (the restart terminates it).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{set_interval_with_handle, IntervalHandle};

use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, Event, MessageEvent, Worker};

use super::{is_final, reply_request};
use crate::worker::load::stopped_answering;
use crate::worker::protocol::{FromWorker, ToWorker};
use crate::worker::web::{envelope, js_error_message, unpack};

/// What the page gets from a worker: a reply and its byte payloads.
pub type OnReply = dyn Fn(FromWorker, Vec<Uint8Array>);

/// Where trunk puts the worker's loader shim (next to `index.html`).
pub const WORKER_URL: &str = "./worker_loader.js";

/// A running worker.
pub struct WorkerClient {
    worker: Worker,
    ready: Rc<Cell<bool>>,
    queue: Rc<RefCell<Vec<(JsValue, Array)>>>,
    on_reply: Rc<OnReply>,
    watch: Rc<Watch>,
    clock: Option<IntervalHandle>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(Event)>,
}

/// What the watchdog watches: the open requests with how many timeouts of silence each
/// allows, and when the worker was last heard from (ms since the epoch).
#[derive(Default)]
struct Watch {
    open: RefCell<BTreeMap<u32, f64>>,
    heard: Cell<f64>,
}

/// Silence allowed during a preparation, a scoring or a fit, in timeouts: the first two send no
/// progress, and a fit's steps (a tree, an epoch) can take minutes on millions of rows.
const QUIET_WORK: f64 = 10.0;

/// The request of a message whose work the watchdog watches, and the timeouts of silence it
/// allows (loads and predictions report progress at least every second).
fn watched(message: &ToWorker) -> Option<(u32, f64)> {
    match message {
        ToWorker::Load { request, .. }
        | ToWorker::Predict { request, .. }
        | ToWorker::Hang { request } => Some((*request, 1.0)),
        ToWorker::Prepare { request, .. }
        | ToWorker::Assemble { request, .. }
        | ToWorker::Fit { request, .. } => Some((*request, QUIET_WORK)),
        _ => None,
    }
}

/// Starts the watchdog's clock: once a second, a worker silent for `timeout_ms` while a watched
/// request is open is reported as crashed (once).
fn start_watchdog(
    watch: &Rc<Watch>,
    on_reply: &Rc<OnReply>,
    timeout_ms: f64,
) -> Option<IntervalHandle> {
    let (watch, on_reply) = (watch.clone(), on_reply.clone());
    let tick = move || {
        let silent = js_sys::Date::now() - watch.heard.get();
        let allowed = watch
            .open
            .borrow()
            .values()
            .fold(0.0, |a: f64, &b| a.max(b));
        if allowed == 0.0 || silent < timeout_ms * allowed {
            return;
        }
        watch.open.borrow_mut().clear();
        let message = stopped_answering(silent / 1000.0);
        on_reply(FromWorker::Crashed { message }, Vec::new());
    };
    set_interval_with_handle(tick, Duration::from_secs(1)).ok()
}

impl WorkerClient {
    /// Starts the worker; `on_reply` gets each message it sends back. A worker that fails to start
    /// is reported as a `Failed` reply for request 0; one that dies after it started (a panic, out
    /// of memory) as [`FromWorker::Crashed`].
    pub fn spawn(on_reply: impl Fn(FromWorker, Vec<Uint8Array>) + 'static) -> Result<Self, String> {
        // Test mode is passed on to the worker (it then honours `ToWorker::Crash`).
        let url = if super::recover::test_crash() {
            format!("{WORKER_URL}?test-crash")
        } else {
            WORKER_URL.to_string()
        };
        let worker = Worker::new(&url).map_err(|e| {
            let e = js_error_message(e);
            format!("cannot start the parsing worker ({WORKER_URL}): {e}")
        })?;
        let ready = Rc::new(Cell::new(false));
        let queue: Rc<RefCell<Vec<(JsValue, Array)>>> = Rc::default();
        let on_reply: Rc<OnReply> = Rc::new(on_reply);
        let watch = Rc::new(Watch::default());

        let onmessage = {
            let (worker, ready, queue, on_reply, watch) = (
                worker.clone(),
                ready.clone(),
                queue.clone(),
                on_reply.clone(),
                watch.clone(),
            );
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let (reply, bytes) = match unpack::<FromWorker>(&event.data()) {
                    Ok((reply, _, bytes)) => (reply, bytes),
                    Err(e) => (
                        FromWorker::Failed {
                            request: 0,
                            message: format!("unreadable reply from a worker: {e}"),
                        },
                        Vec::new(),
                    ),
                };
                watch.heard.set(js_sys::Date::now());
                if let Some(request) = reply_request(&reply).filter(|_| is_final(&reply)) {
                    watch.open.borrow_mut().remove(&request);
                }
                if reply == FromWorker::Ready {
                    ready.set(true);
                    for (message, transfer) in queue.take() {
                        post(&worker, &message, &transfer, &*on_reply);
                    }
                }
                on_reply(reply, bytes);
            })
        };
        let onerror = {
            let (on_reply, ready) = (on_reply.clone(), ready.clone());
            Closure::<dyn FnMut(Event)>::new(move |event: Event| {
                event.prevent_default();
                // An `ErrorEvent` has a message; a worker script that fails to load sends a bare `Event`.
                let detail = js_sys::Reflect::get(&event, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string());
                if ready.get() {
                    let message = detail.unwrap_or_else(|| "the worker stopped".into());
                    return on_reply(FromWorker::Crashed { message }, Vec::new());
                }
                let message = match detail {
                    Some(detail) if !detail.is_empty() => {
                        format!("the parsing worker failed: {detail}")
                    }
                    _ => "the parsing worker failed to start".to_string(),
                };
                on_reply(
                    FromWorker::Failed {
                        request: 0,
                        message,
                    },
                    Vec::new(),
                );
            })
        };
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        let clock = start_watchdog(&watch, &on_reply, super::recover::hang_timeout_ms());
        Ok(WorkerClient {
            worker,
            ready,
            queue,
            on_reply,
            watch,
            clock,
            _onmessage: onmessage,
            _onerror: onerror,
        })
    }

    /// Sends `message` with `files` and byte payloads attached (queued until the worker is
    /// ready). With `transfer`, the payloads' buffers move to the worker (they are then empty
    /// here); without, they are copied.
    pub fn send(&self, message: &ToWorker, files: &[Blob], bytes: &[Uint8Array], transfer: bool) {
        if let Some((request, allowed)) = watched(message) {
            let mut open = self.watch.open.borrow_mut();
            if open.is_empty() {
                self.watch.heard.set(js_sys::Date::now());
            }
            open.insert(request, allowed);
        }
        let packed = envelope(message, files, bytes);
        let list: Array = if transfer {
            bytes.iter().map(|b| b.buffer()).collect()
        } else {
            Array::new()
        };
        if self.ready.get() {
            post(&self.worker, &packed, &list, &*self.on_reply);
        } else {
            self.queue.borrow_mut().push((packed, list));
        }
    }
}

impl Drop for WorkerClient {
    fn drop(&mut self) {
        // Events already queued (a crashed worker's `error`) must not reach the dropped closures.
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        if let Some(clock) = self.clock.take() {
            clock.clear();
        }
        self.worker.terminate();
    }
}

fn post(worker: &Worker, message: &JsValue, transfer: &Array, on_reply: &OnReply) {
    if let Err(e) = worker.post_message_with_transfer(message, transfer) {
        let message = format!("cannot send to a worker: {}", js_error_message(e));
        on_reply(
            FromWorker::Failed {
                request: 0,
                message,
            },
            Vec::new(),
        );
    }
}
