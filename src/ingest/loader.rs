//! The push API: start a file, feed it chunk by chunk, end it; then finish the data set.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek, Write};

use flate2::write::MultiGzDecoder;

use super::archive::ZipSource;
use super::dataset::Dataset;
use super::decode::{detect, Compression, MAGIC_LEN};
use super::error::{IngestError, Warning};
use super::file::FileParser;
use super::labels::Taxonomy;
use super::layouts::Parse;
use super::output::Output;
use super::sample::Reservoir;
use super::summary::{FileFailure, FileReport, LoadState};
use super::table::TableBuilder;
use crate::data::rng::FlowRng;

/// How files are read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestOptions {
    /// Taxonomy used for per-class sampling and as the data set's default view.
    pub taxonomy: Taxonomy,
    /// Take labels from this column instead of detecting the label column.
    pub label_column: Option<String>,
    /// Keep a uniform sample of at most this many rows of each file.
    pub max_rows_per_file: Option<u64>,
    /// Keep a uniform sample of at most this many rows of each class (after the per-file cap).
    pub per_class: Option<u64>,
    /// Seed of the sampling.
    pub seed: u64,
    /// Read at most this many members of each zip archive (see `sample_files`).
    pub max_files: Option<u64>,
    /// With `max_files`: a seeded uniform sample of the members instead of the first ones.
    pub sample_files: bool,
    /// Type only these columns (by name, ASCII case ignored); the others are not parsed and
    /// are not in the data set. `None`: every column. A model's inputs
    /// (`features::Pipeline::input_columns`) when predicting.
    pub only_columns: Option<Vec<String>>,
}

enum Stage {
    Magic(Vec<u8>),
    Plain(FileParser),
    Gzip(Box<MultiGzDecoder<Vec<u8>>>, FileParser),
    Zip(Vec<u8>),
    Failed(IngestError),
}

struct Current {
    name: String,
    stage: Stage,
}

impl Current {
    /// The parser of a plain or gzip file being read.
    fn parser(&self) -> Option<&FileParser> {
        match &self.stage {
            Stage::Plain(p) | Stage::Gzip(_, p) => Some(p),
            _ => None,
        }
    }
}

/// Reads flow files into a [`Dataset`]. See the [module docs](super) for an example.
pub struct Loader {
    opts: IngestOptions,
    out: Output,
    current: Option<Current>,
    files: Vec<FileReport>,
    failed: Vec<FileFailure>,
    warnings: Vec<Warning>,
    /// Rows handed out by [`Loader::take_batch`].
    taken: u64,
}

impl Loader {
    pub fn new(opts: IngestOptions) -> Self {
        let mut table = TableBuilder::default();
        table.only(opts.only_columns.clone());
        Loader {
            out: Output {
                table,
                rng: FlowRng::new(opts.seed, 0x5a3b1e),
                file_id: 0,
                file_cols: Vec::new(),
                maps: Vec::new(),
                file_res: None,
                class_res: BTreeMap::new(),
                per_file: opts.max_rows_per_file.map(|n| n as usize),
                per_class: opts.per_class.map(|n| n as usize),
                taxonomy: opts.taxonomy,
                file_names: Vec::new(),
            },
            opts,
            current: None,
            files: Vec::new(),
            failed: Vec::new(),
            warnings: Vec::new(),
            taken: 0,
        }
    }

    /// Natively, type each block of rows on all cores (a column per task; the data set is the
    /// same bit for bit). For loads that have the machine to themselves (`inspect`, `train`);
    /// a caller that runs its own thread per core leaves it off.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn fill_columns_in_parallel(&mut self) {
        self.out.table.parallel(true);
    }

    /// How far the load got (see [`LoadState`]).
    pub fn state(&self) -> LoadState {
        let (file_rows, file_bytes) = match self.current.as_ref().map(|c| &c.stage) {
            Some(Stage::Plain(p)) | Some(Stage::Gzip(_, p)) => (p.state.rows, p.state.bytes),
            _ => (0, 0),
        };
        let (table_rows, table_labels) = self.out.table.counts();
        let held = |r: &Reservoir| r.rows.len() as u64;
        let held_rows = self.out.file_res.as_ref().map_or(0, held)
            + self.out.class_res.values().map(held).sum::<u64>();
        let parses = self
            .out
            .file_cols
            .last()
            .and_then(Option::as_ref)
            .map_or(&[][..], |c| &c.parses[..]);
        let text_columns = parses.iter().filter(|p| **p == Parse::Text).count();
        LoadState {
            file_rows,
            file_bytes,
            table_rows: table_rows as u64,
            held_rows,
            text_columns,
            other_columns: parses.len() - text_columns,
            labels: table_labels.max(self.out.class_res.len()),
        }
    }

    /// Begins a file named `name` (ends the previous one if it was not ended).
    pub fn start_file(&mut self, name: &str) {
        if self.current.is_some() {
            let _ = self.end_file();
        }
        self.current = Some(Current {
            name: name.to_string(),
            stage: Stage::Magic(Vec::new()),
        });
    }

    /// Whether the current file has already failed (the rest of it need not be fed).
    pub fn file_failed(&self) -> bool {
        matches!(
            self.current,
            Some(Current {
                stage: Stage::Failed(_),
                ..
            })
        )
    }

    /// Pushes the next bytes of the current file. An error means this file cannot be read (it is
    /// recorded and the load goes on with the next file); nothing of it was added.
    pub fn feed(&mut self, data: &[u8]) -> Result<(), IngestError> {
        let Some(cur) = self.current.as_mut() else {
            return Err(IngestError::Io {
                file: "(none)".into(),
                message: "feed before start_file".into(),
            });
        };
        let result = match &mut cur.stage {
            Stage::Failed(e) => return Err(e.clone()),
            Stage::Magic(head) => {
                head.extend_from_slice(data);
                if head.len() < MAGIC_LEN {
                    return Ok(());
                }
                let head = std::mem::take(head);
                self.begin(head)
            }
            Stage::Plain(p) => {
                self.out.file_id = self.files.len() as u32;
                p.feed(data, &mut self.out)
            }
            Stage::Gzip(dec, p) => gz_feed(&cur.name, dec, p, data, &mut self.out),
            Stage::Zip(bytes) => {
                bytes.extend_from_slice(data);
                Ok(())
            }
        };
        self.check(result)
    }

    /// Marks the current file as unreadable (e.g. an I/O error of the caller's); it is reported
    /// in the data set's `failed` list when it ends.
    pub fn fail_file(&mut self, e: IngestError) {
        if let Some(cur) = self.current.as_mut() {
            if !matches!(cur.stage, Stage::Failed(_)) {
                cur.stage = Stage::Failed(e);
            }
        }
    }

    fn begin(&mut self, head: Vec<u8>) -> Result<(), IngestError> {
        let Some(cur) = self.current.as_mut() else {
            return Ok(());
        };
        let parser = || FileParser::new(&cur.name, self.opts.label_column.clone());
        self.out.begin_file(self.files.len() as u32, &cur.name);
        match detect(&head) {
            Compression::Zip => {
                cur.stage = Stage::Zip(head);
                Ok(())
            }
            Compression::Gzip => {
                let p = parser();
                cur.stage = Stage::Gzip(Box::new(MultiGzDecoder::new(Vec::new())), p);
                match &mut cur.stage {
                    Stage::Gzip(dec, p) => gz_feed(&cur.name, dec, p, &head, &mut self.out),
                    _ => Ok(()),
                }
            }
            Compression::Plain => {
                let mut p = parser();
                let r = p.feed(&head, &mut self.out);
                cur.stage = Stage::Plain(p);
                r
            }
        }
    }

    fn check(&mut self, result: Result<(), IngestError>) -> Result<(), IngestError> {
        if let (Err(e), Some(cur)) = (&result, self.current.as_mut()) {
            cur.stage = Stage::Failed(e.clone());
        }
        result
    }

    /// Ends the current file. An error says why this file could not be read; it is also kept in
    /// the data set's `failed` list, and the other files are not affected.
    pub fn end_file(&mut self) -> Result<(), IngestError> {
        let Some(mut cur) = self.current.take() else {
            return Ok(());
        };
        if let Stage::Magic(head) = &mut cur.stage {
            let head = std::mem::take(head);
            self.current = Some(cur);
            let r = self.begin(head);
            let r = self.check(r);
            cur = self.current.take().expect("current file");
            if let Err(e) = r {
                return self.fail(&cur.name, e);
            }
        }
        let name = cur.name.clone();
        let result = match cur.stage {
            Stage::Failed(e) => Err(e),
            Stage::Magic(_) => Err(IngestError::Empty { file: name.clone() }),
            Stage::Zip(bytes) => {
                // Fed as bytes (e.g. a zip inside a zip): read from memory.
                self.out.drop_file(self.files.len());
                let opts = self.opts.clone();
                return match ZipSource::open(Cursor::new(bytes), &name, &opts) {
                    Ok(zip) => zip.read_all(self),
                    Err(e) => self.fail(&name, e),
                };
            }
            Stage::Plain(mut p) => p.finish(&mut self.out).map(|_| p),
            Stage::Gzip(mut dec, mut p) => {
                let tail = dec.try_finish().map(|_| std::mem::take(dec.get_mut()));
                match tail {
                    Ok(rest) => p
                        .feed(&rest, &mut self.out)
                        .and_then(|_| p.finish(&mut self.out))
                        .map(|_| p),
                    Err(e) => match p.finish(&mut self.out) {
                        Ok(()) => {
                            self.warnings.push(Warning {
                                file: Some(name.clone()),
                                column: None,
                                count: 1,
                                examples: vec![],
                                message: format!(
                                    "the compressed data ends early ({e}): the file looks truncated; the {} complete rows before that are kept",
                                    p.state.rows
                                ),
                            });
                            Ok(p)
                        }
                        Err(_) => Err(IngestError::Decompress {
                            file: name.clone(),
                            message: format!("{e} (truncated?)"),
                        }),
                    },
                }
            }
        };
        match result {
            Ok(p) => {
                self.out.end_file();
                self.warnings.extend(p.warnings());
                self.files.push(p.report());
                Ok(())
            }
            Err(e) => self.fail(&name, e),
        }
    }

    fn fail(&mut self, name: &str, e: IngestError) -> Result<(), IngestError> {
        self.out.drop_file(self.files.len());
        self.failed.push(FileFailure {
            path: name.to_string(),
            message: e.to_string(),
        });
        Err(e)
    }

    /// Reads the zip archive `name` by slices ([`ZipSource`]): each chosen member becomes a
    /// file of its own, `name/member`. Fails (and records the archive as failed) when its
    /// directory cannot be read, or when none of its members could be read.
    pub fn read_zip<R: Read + Seek>(&mut self, name: &str, reader: R) -> Result<(), IngestError> {
        if self.current.is_some() {
            let _ = self.end_file();
        }
        let opts = self.opts.clone();
        match ZipSource::open(reader, name, &opts) {
            Ok(zip) => zip.read_all(self),
            Err(e) => {
                self.start_file(name);
                self.fail_file(e);
                self.end_file()
            }
        }
    }

    /// How many files (or archive members) have been read so far.
    pub(crate) fn files_read(&self) -> usize {
        self.files.len()
    }

    /// Ends the current file, whose bytes broke off (`why`): its complete rows are kept with a
    /// warning, or, when it had none, the file is recorded as failed.
    pub(crate) fn end_file_damaged(&mut self, why: &str) -> Result<(), IngestError> {
        let Some(cur) = self.current.as_ref() else {
            return Ok(());
        };
        let name = cur.name.clone();
        let rows = match &cur.stage {
            Stage::Plain(p) | Stage::Gzip(_, p) => p.state.rows,
            _ => 0,
        };
        if rows == 0 {
            self.fail_file(IngestError::Decompress {
                file: name,
                message: why.to_string(),
            });
            return self.end_file();
        }
        self.end_file()?;
        self.warnings.push(Warning {
            file: Some(name),
            column: None,
            count: 1,
            examples: vec![],
            message: format!(
                "cannot decompress the rest ({why}); the {rows} complete rows before that are kept"
            ),
        });
        Ok(())
    }

    /// Rows parsed and not yet taken by [`take_batch`](Self::take_batch) (0 when sampling).
    pub fn pending_rows(&self) -> usize {
        if self.out.samples() {
            0
        } else {
            self.out.table.rows()
        }
    }

    /// The rows parsed since the last call, as a [`Dataset`] of their own, or `None` when no row
    /// is pending: a load of any size in bounded memory (call it between [`feed`](Self::feed)s,
    /// e.g. whenever 64 Ki rows are pending, and once more after the last file).
    ///
    /// The batch's columns have the names and roles of the whole load (a column first seen in a
    /// later file appears from that batch on), but each batch infers numeric or text on its own
    /// rows, so a column can change kind between batches (the feature pipeline reads either).
    /// `files` lists every file so far, the one being read included (its counts so far; `kept`
    /// counts this batch's rows); `sources` and `lines` index into it as usual. Label codes are
    /// the batch's own. `warnings` and `failed` hold what was reported since the previous batch.
    /// A `.zip` pushed through `feed` is read when it ends (its rows in one batch); one read
    /// step by step with [`ZipSource::step`] can be batched between steps.
    ///
    /// Only for loads without sampling: with a per-file or per-class cap the sample is only known
    /// at the end, so this returns `None` and every row goes to [`finish`](Self::finish).
    ///
    /// After batches, [`finish`](Self::finish) returns the rows not yet taken (possibly none),
    /// the complete `files` list and the warnings not yet handed out. Batches (and that last
    /// part) leave out the warnings about the files' shapes (columns some files lack, files
    /// without labels), which only the whole load can tell: [`SummaryBuilder`](super::SummaryBuilder) gives them.
    pub fn take_batch(&mut self) -> Option<Dataset> {
        if self.out.samples() || self.out.table.rows() == 0 {
            return None;
        }
        let table = self.out.table.take();
        self.taken += table.labels.len() as u64;
        let mut files = self.files.clone();
        if let Some(p) = self.current.as_ref().and_then(Current::parser) {
            files.push(p.report());
        }
        Some(Dataset::new_batch(
            table,
            files,
            std::mem::take(&mut self.failed),
            std::mem::take(&mut self.warnings),
            self.opts.taxonomy,
        ))
    }

    /// The data set (after [`take_batch`](Self::take_batch): the rest of it). Fails only when no
    /// row of any file could be read.
    pub fn finish(mut self) -> Result<Dataset, IngestError> {
        if self.current.is_some() {
            let _ = self.end_file();
        }
        let table = self.out.finish();
        if table.labels.is_empty() && self.taken == 0 {
            let why = if self.failed.is_empty() {
                "no files were given".to_string()
            } else {
                self.failed
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return Err(IngestError::NothingLoaded(why));
        }
        let build = if self.taken > 0 {
            Dataset::new_batch
        } else {
            Dataset::new
        };
        Ok(build(
            table,
            self.files,
            self.failed,
            self.warnings,
            self.opts.taxonomy,
        ))
    }
}

fn gz_feed(
    name: &str,
    dec: &mut MultiGzDecoder<Vec<u8>>,
    p: &mut FileParser,
    data: &[u8],
    out: &mut Output,
) -> Result<(), IngestError> {
    // `flush` hands over everything inflated so far (the decoder otherwise keeps up to 32 KiB).
    if let Err(e) = dec.write_all(data).and_then(|_| dec.flush()) {
        if p.state.rows == 0 {
            return Err(IngestError::Decompress {
                file: name.to_string(),
                message: e.to_string(),
            });
        }
    }
    let text = std::mem::take(dec.get_mut());
    p.feed(&text, out)
}
