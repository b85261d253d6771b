//! The serde messages exchanged with the worker. Both sides serialise them with `serde_json`.

use serde::{Deserialize, Serialize};

use crate::ingest::{Summary, Taxonomy};

/// Sent by the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Parse the files attached to the message (a JS array of `File`/`Blob`), replacing the current
    /// data set only if at least one file loads. `names` gives the names of the attached blobs.
    Load {
        request: u32,
        names: Vec<String>,
        taxonomy: Taxonomy,
        /// Keep at most this many rows per file (uniform reservoir sample).
        max_rows_per_file: Option<u64>,
        /// Keep at most this many rows per class (reservoir sample).
        per_class: Option<u64>,
        /// Column to take labels from; `None` means detect it.
        label_column: Option<String>,
    },
    /// Show the current data set under another label taxonomy (no re-parse).
    SetTaxonomy { request: u32, taxonomy: Taxonomy },
    /// Stop the load in progress; the previous data set stays.
    Cancel { request: u32 },
}

/// Sent by the worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker is up and waiting.
    Ready,
    /// Bytes read so far of the whole request.
    Progress {
        request: u32,
        done: u64,
        total: u64,
        file: String,
    },
    /// The request finished; this is the data set now loaded.
    Loaded {
        request: u32,
        summary: Summary,
        parse_ms: f64,
    },
    /// The request failed; the data set that was loaded before (if any) is still loaded.
    Failed { request: u32, message: String },
    /// The request was cancelled; the previous data set is still loaded.
    Cancelled { request: u32 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_as_tagged_json() {
        let m = ToWorker::Cancel { request: 3 };
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(text, r#"{"type":"cancel","request":3}"#);
        assert_eq!(serde_json::from_str::<ToWorker>(&text).unwrap(), m);
        let f = FromWorker::Failed {
            request: 1,
            message: "x".into(),
        };
        let back: FromWorker = serde_json::from_str(&serde_json::to_string(&f).unwrap()).unwrap();
        assert_eq!(back, f);
    }
}
