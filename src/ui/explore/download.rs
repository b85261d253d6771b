//! "Download loaded data (CSV)": the worker writes the rows, the page saves them.

use leptos::prelude::*;

use crate::ui::download::save_bytes;
use crate::ui::use_session;
use crate::worker::protocol::{FromWorker, ToWorker};

/// "Download loaded data (CSV)": the worker writes the rows, the page saves them.
#[component]
pub(super) fn DownloadData() -> impl IntoView {
    let session = use_session();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let click = move |_| {
        busy.set(true);
        error.set(None);
        session.call(
            |request| ToWorker::ExportData { request },
            Vec::new(),
            Vec::new(),
            move |reply, bytes| match reply {
                FromWorker::Download { name, mime, .. } => {
                    busy.set(false);
                    let result = match bytes.first() {
                        Some(b) => save_bytes(&name, &mime, b),
                        None => Err("the worker sent no file".into()),
                    };
                    error.set(result.err());
                }
                FromWorker::Failed { message, .. } => {
                    busy.set(false);
                    error.set(Some(message));
                }
                _ => {}
            },
        );
    };
    view! {
        <div class="explore-download">
            <button
                class="button"
                data-testid="explore-download-data"
                title="The loaded (sampled) rows as CSV, every column as loaded"
                disabled=move || busy.get()
                on:click=click
            >
                {move || if busy.get() { "Preparing CSV…" } else { "Download loaded data (CSV)" }}
            </button>
            {move || error.get().map(|e| view! { <p class="chart-error" role="alert">{e}</p> })}
        </div>
    }
}
