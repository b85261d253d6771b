//! flowlab: classify network flows with machine learning, entirely on the user's machine.
//!
//! The modules are layers, bottom first; each uses only the ones before it (`tests/layers.rs`
//! checks this, `ARCHITECTURE.md` explains it):
//! [`data`] (matrix, seeded RNG, sampling) → [`ingest`] (files → typed columns, streaming) →
//! [`features`] (columns → matrix + schema) → [`models`] (one module per model, one parameter
//! table each, one registry) → [`eval`] (splits, metrics, importance, leakage) → [`job`] (a
//! training job as tasks, its scheduler, one-thread training) → [`explore`] and [`model_file`] →
//! [`report`] (chart inputs and exports) and [`predictions`] → [`worker`] (the Web Worker
//! protocol) → `ui` (the Leptos page, wasm only) and `cli` (the `flowlab` command, native only).
//!
//! ```
//! use flowlab::ingest::{IngestOptions, Loader};
//! let text = "src_port,dst_port,proto,duration,src_bytes,dst_bytes,src_pkts,dst_pkts,state,label\n\
//!             41161,23,tcp,-,-,-,1,0,S0,Benign\n\
//!             2323,23,tcp,0.1,40,0,2,0,S0,Okiru\n";
//! let mut loader = Loader::new(IngestOptions::default());
//! loader.start_file("flows.csv");
//! loader.feed(text.as_bytes()).unwrap();
//! loader.end_file().unwrap();
//! let data = loader.finish().unwrap();
//! assert_eq!(data.n_rows(), 2);
//! assert_eq!(data.summary().label_counts["Okiru"], 1);
//! ```

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
pub mod data;
pub mod eval;
pub mod explore;
pub mod features;
pub mod ingest;
pub mod job;
pub mod model_file;
pub mod models;
pub mod onnx;
pub mod predictions;
pub mod report;
pub mod worker;

#[cfg(target_arch = "wasm32")]
pub mod ui;
