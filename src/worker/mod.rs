//! Messages between the page and its Web Workers, and the workers' state machine.
//!
//! The page never touches data or model internals: it posts a [`protocol::ToWorker`] (JSON text,
//! with any `File` objects and byte payloads attached beside it) and renders each
//! [`protocol::FromWorker`] it gets back.

#[cfg(target_arch = "wasm32")]
mod blob_reader;
#[cfg(target_arch = "wasm32")]
mod explaining;
#[cfg(target_arch = "wasm32")]
mod handlers;
pub mod load;
#[cfg(target_arch = "wasm32")]
mod predicting;
pub mod protocol;
pub mod warm_up;
#[cfg(target_arch = "wasm32")]
pub mod web;
