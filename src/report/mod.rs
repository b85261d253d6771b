//! report: what the page and the CLI show and export, as plain data — chart inputs and their
//! maths ([`plot`]), each tab's charts, table orders and notes shaped from plain data
//! ([`shape`]), number formatting ([`format`]) and CSV/JSON exports ([`export`]). It sits above
//! job, eval, explore and model_file and below worker, ui and cli; everything here is tested
//! natively.

pub mod export;
pub mod format;
pub mod plot;
pub mod shape;
