//! `flowlab export --format onnx MODEL --out FILE`: a saved model with its feature pipeline as
//! an ONNX file (the graph itself is built by [`crate::onnx`]).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::job::TrainedModel;
use crate::onnx::{self, InputKind};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// ONNX (opsets ai.onnx 20, ai.onnx.ml 3): raw columns in, `label` and `probabilities` out.
    Onnx,
}

/// Arguments of `flowlab export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "onnx")]
    pub format: Format,
    /// A model saved by `flowlab train --save` or the page's Models tab.
    pub model: PathBuf,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `flowlab export`; returns the exit code.
pub fn run(a: &ExportArgs) -> i32 {
    match run_inner(a) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("flowlab export: {e}");
            2
        }
    }
}

fn run_inner(a: &ExportArgs) -> Result<(), String> {
    let m: TrainedModel = super::read_model_file(&a.model)?;
    let Format::Onnx = a.format;
    let out = onnx::export(&m).map_err(|e| format!("{}: {e}", a.model.display()))?;
    std::fs::write(&a.out, &out).map_err(|e| format!("{}: {e}", a.out.display()))?;
    let inputs = onnx::inputs(&m).map_err(|e| e.to_string())?;
    let list: Vec<String> = inputs
        .iter()
        .map(|(name, kind)| match kind {
            InputKind::Number => format!("{name} (double)"),
            InputKind::Text => format!("{name} (string)"),
        })
        .collect();
    eprintln!(
        "flowlab export: wrote {} ({} bytes); inputs [N, 1]: {}; outputs: label, probabilities [{}]",
        a.out.display(),
        out.len(),
        list.join(", "),
        m.classes.join(", ")
    );
    Ok(())
}
