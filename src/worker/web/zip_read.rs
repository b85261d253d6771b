//! Reading a zip archive in the data worker: its directory, then each member by slices of the
//! `File` ([`ZipSource`] over a [`BlobReader`]), with progress and Cancel between steps.

use std::cell::Cell;

use web_sys::Blob;

use super::{read_slice, yield_now, Outcome, WorkerState, PROGRESS_EVERY_MS};
use crate::ingest::{IngestError, IngestOptions, Loader, ZipSource};
use crate::worker::blob_reader::BlobReader;
use crate::worker::protocol::FromWorker;

/// Where a read stands, for `Progress` messages, and its cancel flag.
pub(super) struct Progress<'a> {
    pub(super) request: u32,
    pub(super) done: u64,
    pub(super) total: u64,
    pub(super) last: f64,
    pub(super) cancel: &'a Cell<bool>,
}

impl WorkerState {
    /// Reads a zip archive by slices ([`ZipSource`]): its directory, then each chosen member as
    /// a file of its own. Between two steps (≤ 1 MiB each) the worker posts progress and, every
    /// [`PROGRESS_EVERY_MS`], yields to its event loop so that a Cancel gets through. `Some`
    /// ends the whole read (cancelled).
    pub(super) async fn read_zip(
        &self,
        name: &str,
        blob: &Blob,
        options: &IngestOptions,
        loader: &mut Loader,
        progress: &mut Progress<'_>,
        rows: &mut dyn FnMut(&mut Loader) -> Result<(), String>,
    ) -> Option<Outcome> {
        let opened = BlobReader::new(blob)
            .map_err(|e| IngestError::Io {
                file: name.to_string(),
                message: e.to_string(),
            })
            .and_then(|reader| ZipSource::open(reader, name, options));
        let mut zip = match opened {
            Ok(zip) => zip,
            Err(e) => {
                // Recorded in the summary's failed files; the other files go on.
                loader.start_file(name);
                loader.fail_file(e);
                let _ = loader.end_file();
                return None;
            }
        };
        let (base, total) = (progress.done, zip.total().max(1) as f64);
        let size = blob.size();
        while zip.step(loader).is_some() {
            if let Err(message) = rows(loader) {
                return Some(Outcome::Failed(message));
            }
            let now = self.now();
            if now - progress.last < PROGRESS_EVERY_MS {
                continue;
            }
            progress.last = now;
            let file = zip.member_name().unwrap_or_else(|| name.to_string());
            self.post(&FromWorker::Progress {
                request: progress.request,
                done: base + (zip.done() as f64 / total * size) as u64,
                total: progress.total,
                file,
            });
            yield_now(&self.scope).await;
            if progress.cancel.get() {
                return Some(Outcome::Cancelled);
            }
        }
        None
    }
}

/// Whether `blob` starts like a zip archive (`PK\x03\x04`).
pub(super) async fn is_zip(blob: &Blob, buffer: &mut Vec<u8>) -> bool {
    blob.size() >= 4.0
        && read_slice(blob, 0.0, 4.0, buffer).await.is_ok()
        && buffer.as_slice() == b"PK\x03\x04"
}
