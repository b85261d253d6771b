//! The embedded sample: its files, fetched from the page's own origin when the page opens or
//! "Load sample" is pressed, and loaded as one data set (`public/sample/README.md`).

use leptos::prelude::{Set, WithUntracked};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Response};

use super::{Banner, LoadProgress, Session};
use crate::worker::web::js_error_message;

/// The embedded sample's folder, relative so the page works from any path.
pub const SAMPLE_DIR: &str = "./sample/";
/// The embedded sample, loaded when the page opens: 3,437 IoT-23 flows in one file per recording
/// period (`public/sample/README.md`), so the first training is also scored by capture. The
/// service worker (`public/sw.js`) caches the same list; `tests/sample.rs` checks both.
pub const SAMPLE_FILES: [&str; 12] = [
    "iot23-2018-05-09.conn.log.labeled",
    "iot23-2018-05-11.conn.log.labeled",
    "iot23-2018-05-19.conn.log.labeled",
    "iot23-2018-07-20.conn.log.labeled",
    "iot23-2018-07-31.conn.log.labeled",
    "iot23-2018-10-25.conn.log.labeled",
    "iot23-2018-12-20.conn.log.labeled",
    "iot23-2019-01-10.conn.log.labeled",
    "iot23-2019-02-28.conn.log.labeled",
    "iot23-2019-03-08.conn.log.labeled",
    "iot23-2019-07-03.conn.log.labeled",
    "iot23-2019-09-20.conn.log.labeled",
];

/// The request id of a sample load whose files are still being fetched (no worker request yet;
/// a Cancel for it reaches no load).
const FETCHING: u32 = u32::MAX;

impl Session {
    /// Fetches the embedded sample's files (same origin) and loads them as one data set. The
    /// load shows as in progress from the click on, not only once the twelve fetches are done:
    /// otherwise the page would look idle, and then jump to the Data tab when the parse starts.
    pub fn load_sample(&self) {
        let session = *self;
        session.state.loading.set(Some(LoadProgress {
            request: FETCHING,
            done: 0,
            total: 0,
            file: "the embedded sample".into(),
        }));
        leptos::task::spawn_local(async move {
            let mut blobs = Vec::with_capacity(SAMPLE_FILES.len());
            for name in SAMPLE_FILES {
                let url = format!("{SAMPLE_DIR}{name}");
                match fetch_blob(&url).await {
                    Ok(blob) => blobs.push(blob),
                    Err(e) => {
                        let error = format!("cannot load the sample file {url}: {e}");
                        session.state.banner.set(Some(Banner::Error(error)));
                        let fetching = |l: &Option<LoadProgress>| {
                            l.as_ref().is_some_and(|l| l.request == FETCHING)
                        };
                        if session.state.loading.with_untracked(fetching) {
                            session.state.loading.set(None);
                        }
                        return;
                    }
                }
            }
            let names = SAMPLE_FILES.iter().map(|n| n.to_string()).collect();
            session.load(blobs, names);
        });
    }
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
