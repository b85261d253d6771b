//! flowlab's integration tests: one test binary (ripgrep's `tests/tests.rs` pattern), so the
//! suite links once per target instead of once per file. `cargo test` runs it natively;
//! `cargo test --target wasm32-unknown-unknown` runs it in headless Chromium.
//!
//! One dual-target convention: a module whose tests also run in the browser imports
//! `#[cfg(target_arch = "wasm32")] use wasm_bindgen_test::wasm_bindgen_test as test;` and marks
//! its tests plain `#[test]`. A module that reads files or runs the CLI starts with
//! `#![cfg(not(target_arch = "wasm32"))]`. Pick a module with `cargo test --test tests MODULE::`.

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

mod common;

// Native and in the browser.
mod budget;
mod capture;
mod explain;
mod importance;
mod models_nn;
mod models_trees;
mod predictions_csv;
mod wasm;

// Native only (files, the CLI binary, shared data).
mod cli;
mod cli_features;
mod errors;
mod explore;
mod features;
mod formats;
mod fuzz_corpus;
mod hostile_models;
mod ingest;
mod job;
mod labels;
mod layers;
mod leakage;
mod metrics_sklearn;
mod onnx;
mod prediction_view;
mod properties;
mod sample;
mod sequence;
mod shared_data;
mod stream;
mod train;
mod tune;
mod zip_archive;
