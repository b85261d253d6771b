//! Messages between the page and its Web Worker, and the worker's state machine.
//!
//! The page never touches data or model internals: it posts a [`ToWorker`] (JSON text, with any
//! `File` objects attached beside it) and renders each [`FromWorker`] it gets back.

pub mod protocol;
#[cfg(target_arch = "wasm32")]
pub mod web;
