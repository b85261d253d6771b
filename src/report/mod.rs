//! report: what the page and the CLI show and export, as plain data; above job/eval/model_file,
//! below worker/ui/cli.

pub mod export;
pub mod format;
