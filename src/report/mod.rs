//! report: what the page and the CLI show and export, as plain data — chart inputs, exports; sits
//! above job/eval/model_file and below worker/ui/cli.

pub mod plot;
