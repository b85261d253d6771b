//! The bottom layer: the types and primitives every other layer shares, depending on none of them.
//!
//! - [`Matrix`]: the row-major `f32` feature matrix every model fits and predicts on.
//! - [`rng::FlowRng`]: the one seeded generator (the same stream natively and in wasm).
//! - [`sampling`]: stratified orders, hold-outs and validation splits.
//! - [`budget`]: how many rows fit in a worker's memory, and whether a job or a prediction does.
//! - [`MISSING`]: the code of a missing label or category.

pub mod budget;
pub mod matrix;
pub mod rng;
pub mod sampling;

pub use matrix::Matrix;

/// The code of a missing value in a text column, and of a row without a label.
pub const MISSING: u32 = u32::MAX;
