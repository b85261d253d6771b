//! Dropping files anywhere on the page: document-wide drag listeners and a full-page overlay shown
//! while files are dragged over the window.

use leptos::ev;
use leptos::prelude::*;
use web_sys::DragEvent;

use super::{blobs_and_names, use_session, Tab};

/// Does this drag carry files (not text or a link dragged within the page)?
fn carries_files(event: &DragEvent) -> bool {
    event.data_transfer().is_some_and(|dt| {
        dt.types()
            .iter()
            .any(|t| t.as_string().as_deref() == Some("Files"))
    })
}

/// Listens for file drags on the whole window and hands dropped files to the session.
#[component]
pub fn DropZone() -> impl IntoView {
    let session = use_session();
    let dragging = RwSignal::new(false);

    let over = move |event: DragEvent| {
        if carries_files(&event) {
            // Without this the browser opens the file instead of dropping it on the page.
            event.prevent_default();
            if let Some(dt) = event.data_transfer() {
                dt.set_drop_effect("copy");
            }
            dragging.set(true);
        }
    };
    let handles = [
        window_event_listener(ev::dragenter, over),
        window_event_listener(ev::dragover, over),
        window_event_listener(ev::dragleave, move |event: DragEvent| {
            // Leaving the window (not just moving between elements) has no related target.
            if event.related_target().is_none() {
                dragging.set(false);
            }
        }),
        window_event_listener(ev::drop, move |event: DragEvent| {
            dragging.set(false);
            let Some(files) = event.data_transfer().and_then(|dt| dt.files()) else {
                return;
            };
            if files.length() > 0 {
                event.prevent_default();
                // The tab shown may take the files (Predict does); otherwise they are training data.
                let handler = session.drop_handler.get_value();
                match handler {
                    Some(handler) if session.tab.get_untracked() != Tab::Data => {
                        let (list, names) = blobs_and_names(&files);
                        handler(list, names);
                    }
                    _ => session.load_list(&files),
                }
            }
        }),
    ];
    on_cleanup(move || handles.into_iter().for_each(|h| h.remove()));

    view! {
        <div class="drop-overlay" class:visible=move || dragging.get() data-testid="drop-overlay" aria-hidden="true">
            <div class="drop-card">
                <strong>"Drop flow files to load them"</strong>
                <span>"Zeek conn.log(.labeled), CSV, CIDDS, NSL-KDD, UNSW-NB15 — also .gz and .zip"</span>
            </div>
        </div>
    }
}
