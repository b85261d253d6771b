//! The native command line: `flowlab inspect`, `flowlab sample`.
//!
//! The binary only calls [`main`]; each command lives in its own module and returns an exit code.

mod explain;
mod features;
mod inspect;
mod memory;
mod onnx_export;
mod predict;
mod sample;
mod train;
mod tune;

use std::ffi::OsString;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::ingest::{Dataset, IngestError, IngestOptions, LabelMap, Loader, Taxonomy};

#[derive(Parser, Debug)]
#[command(
    name = "flowlab",
    version,
    about = "Classify network flows with machine learning; nothing leaves the machine."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum TaxonomyArg {
    Raw,
    Attack,
    Binary,
    Family,
}

impl From<Taxonomy> for TaxonomyArg {
    fn from(t: Taxonomy) -> TaxonomyArg {
        match t {
            Taxonomy::Raw => TaxonomyArg::Raw,
            Taxonomy::Attack => TaxonomyArg::Attack,
            Taxonomy::Binary => TaxonomyArg::Binary,
            Taxonomy::Family => TaxonomyArg::Family,
        }
    }
}

impl From<TaxonomyArg> for Taxonomy {
    fn from(t: TaxonomyArg) -> Taxonomy {
        match t {
            TaxonomyArg::Raw => Taxonomy::Raw,
            TaxonomyArg::Attack => Taxonomy::Attack,
            TaxonomyArg::Binary => Taxonomy::Binary,
            TaxonomyArg::Family => Taxonomy::Family,
        }
    }
}

/// Options shared by every command that reads flow files.
#[derive(clap::Args, Debug)]
struct ReadArgs {
    /// Label taxonomy: raw labels, attack families, benign vs malicious, or malware family
    /// (IoT-23: from the detailed label or the capture named in the file name). Also `--labels`.
    #[arg(long, alias = "labels", value_enum, default_value = "raw")]
    taxonomy: TaxonomyArg,
    /// Take labels from this column instead of detecting it.
    #[arg(long)]
    label_column: Option<String>,
    /// Rename, merge or drop classes after the taxonomy: a file of lines `old -> new`,
    /// `glob* -> new` or `name -> drop` (see `flowlab::ingest::LabelMap`). Not for `sample`.
    #[arg(long, value_name = "FILE")]
    map: Option<PathBuf>,
    /// Keep a uniform sample of at most N rows of each file.
    #[arg(long, value_name = "N")]
    max_rows_per_file: Option<u64>,
    /// Read at most N members of each zip archive (the first N, or see --sample-files).
    #[arg(long, value_name = "N")]
    max_files: Option<u64>,
    /// With --max-files: a seeded uniform sample of the archive's members, not the first ones.
    #[arg(long, requires = "max_files")]
    sample_files: bool,
    /// Random seed of the sampling and, for `train` and `features`, of the split. A model has its
    /// own seed: `--set seed=N`. The page's default is the same.
    #[arg(long, default_value_t = crate::eval::split::DEFAULT_SEED)]
    seed: u64,
    /// Memory the command may hold, in MiB (default: 80 % of the machine's available memory).
    /// Files that would not fit are sampled (balanced per class), saying so on stderr.
    #[arg(long, value_name = "MiB")]
    memory_budget: Option<u64>,
    /// Flow files: Zeek conn.log(.labeled), CSV/TSV, CIDDS, NSL-KDD, UNSW-NB15; .gz and .zip too.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show format, rows, columns, label counts and warnings of flow files.
    Inspect {
        #[command(flatten)]
        read: ReadArgs,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a class-balanced sample of real rows.
    Sample {
        #[command(flatten)]
        read: ReadArgs,
        /// Keep at most N rows of each class (in the chosen taxonomy).
        #[arg(long, value_name = "N")]
        per_class: u64,
        /// Output file; `.csv` writes CSV, anything else a Zeek conn.log.labeled when the input is Zeek.
        #[arg(long)]
        out: PathBuf,
    },
    /// Train a model, score it honestly (hold-out, k-fold or by capture), optionally save it.
    Train(train::TrainArgs),
    /// Search a model's hyper-parameters (random search, successive halving), scored by capture
    /// with two or more files; prints the trials and the best settings as `--set` arguments.
    Tune(tune::TuneArgs),
    /// Score a saved model on labelled flow files.
    Eval(predict::UseArgs),
    /// Classify flow files with a saved model: one CSV row per flow with class and confidence.
    Predict(predict::UseArgs),
    /// Explain a saved model's predictions: per row, each column's contribution (TreeSHAP).
    Explain(explain::ExplainArgs),
    /// Export the feature matrix and random split of `train` as train.csv / test.csv.
    Features(features::FeaturesArgs),
    /// Export a saved model with its feature pipeline (ONNX: raw columns in, label and probabilities out).
    Export(onnx_export::ExportArgs),
    /// List the models and their hyper-parameters (name, default, allowed values, search range,
    /// meaning).
    Models {
        /// Only this model.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(crate::models::registry::names()))]
        model: Option<String>,
    },
}

/// Runs the command line; returns the process exit code.
pub fn main(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Inspect { read, json } => inspect::run(&read, json),
        Command::Sample {
            read,
            per_class,
            out,
        } => sample::run(&read, per_class, &out),
        Command::Train(a) => train::run_train(&a),
        Command::Tune(a) => tune::run(&a),
        Command::Eval(a) => predict::run_eval(&a),
        Command::Predict(a) => predict::run_predict(&a),
        Command::Features(a) => features::run(&a),
        Command::Explain(a) => explain::run(&a),
        Command::Export(a) => onnx_export::run(&a),
        Command::Models { model } => {
            print!("{}", models_reference(model.as_deref()));
            0
        }
    }
}

/// A saved model file; errors name the file.
fn read_model_file(path: &Path) -> Result<crate::job::TrainedModel, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    crate::model_file::read(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads the label map of `--map FILE` (none: the empty map); a bad line is reported with the
/// file's name and the line's number.
fn read_label_map(path: Option<&Path>) -> Result<LabelMap, String> {
    let Some(path) = path else {
        return Ok(LabelMap::default());
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    LabelMap::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes to stdout; a closed pipe (`flowlab inspect … | head`) is not an error.
fn print(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Reads `files` into a data set within the memory budget (see [`memory`]); files that fail
/// are reported in the result.
fn load(read: &ReadArgs, per_class: Option<u64>, command: &str) -> Result<Dataset, String> {
    memory::load(read, per_class, command)
}

/// The name a file is known by in reports: its path, or `stdin` for `-`.
fn file_name(path: &Path) -> String {
    if path == Path::new("-") {
        "stdin".into()
    } else {
        path.display().to_string()
    }
}

/// Feeds `files` (`-`: standard input) to `loader` in 1 MiB chunks; `after` runs after each
/// chunk, with the bytes of the current file read so far, and stops the reading when it returns
/// `false`.
fn feed_files(
    loader: &mut Loader,
    files: &[PathBuf],
    after: &mut dyn FnMut(&mut Loader, u64) -> bool,
) {
    let mut buf = vec![0u8; 1 << 20];
    for path in files {
        let name = file_name(path);
        let mut file: Box<dyn Read> = if path == Path::new("-") {
            loader.start_file(&name);
            Box::new(std::io::stdin().lock())
        } else {
            match File::open(path) {
                Ok(f) if is_zip(&f) => {
                    let size = f.metadata().map_or(0, |m| m.len());
                    // Read by slices, directory first: a multi-GB archive is never held in memory.
                    let _ = loader.read_zip(&name, f);
                    if !after(loader, size) {
                        return;
                    }
                    continue;
                }
                Ok(f) => {
                    loader.start_file(&name);
                    Box::new(f)
                }
                Err(e) => {
                    loader.start_file(&name);
                    loader.fail_file(IngestError::Io {
                        file: name,
                        message: e.to_string(),
                    });
                    let _ = loader.end_file();
                    continue;
                }
            }
        };
        let mut fed = 0u64;
        loop {
            match file.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    fed += n as u64;
                    if loader.feed(&buf[..n]).is_err() {
                        break;
                    }
                    if !after(loader, fed) {
                        return;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    loader.fail_file(IngestError::Io {
                        file: name.clone(),
                        message: e.to_string(),
                    });
                    break;
                }
            }
        }
        let _ = loader.end_file();
        if !after(loader, fed) {
            return;
        }
    }
}

/// Rows per batch of a streamed load (`inspect`, `features`; the default of `predict` and
/// `eval`'s `--batch-rows`). 8 Ki rows (64 Ki before), measured on conn.logs at load ~6–8:
/// - `predict`: each batch's feature matrix (rows × inputs × 4 bytes, ~25 MB at 64 Ki rows of a
///   Zeek model's ~100 inputs) is allocated and freed per batch; at 8 Ki rows the few batches in
///   flight stay in the allocator's reused heap instead of fresh pages. 7.9 M rows, 100-tree
///   forest: peak RSS 395 → 134 MB, CPU 15.8 → 13.1 s, wall 17.2 → 14.2 s, the same CSV;
/// - `inspect`: each batch's dictionaries start afresh, and a small one (Zeek's `uid` is new on
///   every row) stays in cache. 249 MB, 6 alternating runs each: CPU 2.12 → 2.02 s (mean), best
///   wall 2.18 → 1.86 s, peak RSS 105–137 → 86 MB, the same report.
pub(super) const BATCH_ROWS: usize = 8 * 1024;

/// A batch of rows, numbered in input order.
type Batch = (usize, Dataset);

/// Reads `files` and sends their rows in batches of about `rows` rows (stopping when the
/// receiver hangs up); the last batch (from `finish`) carries the complete file list and the
/// last warnings.
fn read_batches(
    opts: IngestOptions,
    files: &[PathBuf],
    rows: usize,
    tx: std::sync::mpsc::SyncSender<Batch>,
) -> Result<(), IngestError> {
    batches_from(Loader::new(opts), files, rows, tx)
}

/// [`read_batches`] with each block's columns typed on all cores (`inspect`: the one thread
/// besides the parser only counts).
fn read_batches_in_parallel(
    opts: IngestOptions,
    files: &[PathBuf],
    rows: usize,
    tx: std::sync::mpsc::SyncSender<Batch>,
) -> Result<(), IngestError> {
    let mut loader = Loader::new(opts);
    loader.fill_columns_in_parallel();
    batches_from(loader, files, rows, tx)
}

fn batches_from(
    mut loader: Loader,
    files: &[PathBuf],
    rows: usize,
    tx: std::sync::mpsc::SyncSender<Batch>,
) -> Result<(), IngestError> {
    let mut n = 0;
    let mut send = |batch: Dataset| {
        n += 1;
        tx.send((n - 1, batch)).is_ok()
    };
    feed_files(&mut loader, files, &mut |l, _| {
        l.pending_rows() < rows.max(1) || l.take_batch().is_none_or(&mut send)
    });
    if let Some(b) = loader.take_batch() {
        send(b);
    }
    send(loader.finish()?);
    Ok(())
}

/// Whether `file` starts like a zip archive; leaves it at its start.
fn is_zip(mut file: &File) -> bool {
    use std::io::{Seek, SeekFrom};
    let mut head = [0u8; 4];
    let zip = file.read_exact(&mut head).is_ok() && &head == b"PK\x03\x04";
    let rewound = file.seek(SeekFrom::Start(0)).is_ok();
    zip && rewound
}

/// The parameter reference of every model (or one), as Markdown: what `flowlab models` prints
/// and what `docs/PARAMETERS.md` holds (a test keeps the two equal).
pub fn models_reference(only: Option<&str>) -> String {
    let mut out = String::new();
    if only.is_none() {
        out.push_str(
            "# Hyper-parameters\n\nGenerated from the models' parameter tables by \
             `flowlab models > docs/PARAMETERS.md`; set one with `flowlab train --model NAME \
             --set PARAM=VALUE`, or in the page's Train tab. The \"searched\" column is where \
             `flowlab tune` (and the Train tab's Tune panel) draws a parameter from (\"log\": \
             log-uniformly); \"—\": the search keeps its value.\n",
        );
    }
    for kind in crate::models::registry::MODELS {
        if only.is_some_and(|m| m != kind.name) {
            continue;
        }
        out.push_str(&format!(
            "\n## `{}` — {}\n\n{}",
            kind.name,
            kind.title,
            (kind.reference)()
        ));
    }
    out
}
