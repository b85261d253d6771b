//! Zip archives read by slices: the directory first, then each member streamed.
//!
//! The IoT-23 download is one ~9 GB zip of many captures, so an archive is never held in memory.
//! [`ZipSource`] needs only a `Read + Seek` over the archive (a `std::fs::File` in the CLI; in
//! the page's data worker, `File.slice()`s read with `FileReaderSync`):
//!
//! 1. the `zip` crate reads the end-of-central-directory record (Zip64 too, for archives over
//!    4 GiB), the central directory and each member's local header — a few KiB at the end of the
//!    archive plus one small read per member; nothing is scanned;
//! 2. each member's compressed bytes are then read 1 MiB at a time, inflated by flate2's
//!    streaming [`Decompress`] (or passed through when stored), checked against the directory's
//!    CRC-32 and size, and fed to the [`Loader`] as a file of its own named `archive.zip/member`
//!    (one capture, one source file, for the by-capture split).
//!
//! The `zip` crate's own member reader is not used for step 2 because it borrows the archive:
//! a member could not be read one step at a time, with the page's event loop (progress, Cancel)
//! running between two steps. [`ZipSource::step`] keeps its state owned instead.
//!
//! `max_files` in [`IngestOptions`] takes the first N members in archive order, or (with
//! `sample_files`) a seeded uniform sample of N, still read in archive order.

use std::io::{Read, Seek, SeekFrom};

use flate2::{Crc, Decompress, FlushDecompress, Status};
use zip::read::{ArchiveOffset, Config};
use zip::{CompressionMethod, ZipArchive};

use super::error::IngestError;
use super::loader::{IngestOptions, Loader};
use crate::data::rng::FlowRng;

/// Compressed bytes read per step.
const STEP_BYTES: usize = 1 << 20;
/// Inflated bytes handed to the loader at a time.
const OUT_BYTES: usize = 1 << 20;

/// One member of an archive, as its directory describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ZipMember {
    /// The path inside the archive.
    pub name: String,
    /// Compressed bytes.
    pub compressed: u64,
    /// Bytes once inflated.
    pub size: u64,
    data_start: u64,
    deflated: bool,
    crc: u32,
    /// Why this member cannot be read (unsupported compression, encryption, a bad local header).
    problem: Option<String>,
}

/// The member being read.
struct Reading {
    read: u64,
    written: u64,
    inflate: Option<Decompress>,
    ended: bool,
    crc: Crc,
}

/// An open archive whose chosen members are read into a [`Loader`] one step at a time.
pub struct ZipSource<R> {
    reader: R,
    archive: String,
    members: Vec<ZipMember>,
    /// Members in the archive worth reading, before `max_files`.
    available: usize,
    next: usize,
    current: Option<Reading>,
    done: u64,
    input: Vec<u8>,
    output: Vec<u8>,
}

fn decompress_error(file: &str, message: impl Into<String>) -> IngestError {
    IngestError::Decompress {
        file: file.to_string(),
        message: message.into(),
    }
}

/// Whether a member path is worth reading (no folders, macOS resource forks or dotfiles).
fn wanted(name: &str, is_dir: bool) -> bool {
    let base = name.rsplit('/').next().unwrap_or("");
    !(is_dir || name.starts_with("__MACOSX/") || base.starts_with('.') || base.is_empty())
}

impl<R: Read + Seek> ZipSource<R> {
    /// Reads the directory of the archive `name`, and picks the members `opts` asks for.
    pub fn open(reader: R, name: &str, opts: &IngestOptions) -> Result<Self, IngestError> {
        // A known offset: the directory is looked for where the end record says, never scanned.
        let config = Config {
            archive_offset: ArchiveOffset::Known(0),
        };
        let mut zip = ZipArchive::with_config(config, reader).map_err(|e| {
            decompress_error(
                name,
                format!(
                    "not a readable zip archive ({e}); its directory, at the end of the file, \
                     is missing or damaged — is the file truncated (an unfinished download)?"
                ),
            )
        })?;
        let mut members: Vec<ZipMember> = (0..zip.len())
            .filter_map(|i| describe(&mut zip, i))
            .collect();
        if members.is_empty() {
            return Err(IngestError::Format {
                file: name.into(),
                line: 0,
                message: "the zip archive holds no files".into(),
            });
        }
        let available = members.len();
        pick(&mut members, opts);
        Ok(ZipSource {
            reader: zip.into_inner(),
            archive: name.to_string(),
            members,
            available,
            next: 0,
            current: None,
            done: 0,
            input: Vec::new(),
            output: Vec::new(),
        })
    }

    /// The members that will be read, in order.
    pub fn members(&self) -> &[ZipMember] {
        &self.members
    }

    /// How many members the archive holds that are worth reading (before `max_files`).
    pub fn available(&self) -> usize {
        self.available
    }

    /// Compressed bytes of the chosen members.
    pub fn total(&self) -> u64 {
        self.members.iter().map(|m| m.compressed).sum()
    }

    /// Compressed bytes dealt with so far (a member skipped or failed counts whole).
    pub fn done(&self) -> u64 {
        self.done
    }

    /// The member being read or to be read next.
    pub fn member_name(&self) -> Option<String> {
        let m = self.members.get(self.next)?;
        Some(format!("{}/{}", self.archive, m.name))
    }

    /// Reads every chosen member. Fails only when none of them could be read.
    pub fn read_all(mut self, loader: &mut Loader) -> Result<(), IngestError> {
        let before = loader.files_read();
        let mut first_error = None;
        while let Some(r) = self.step(loader) {
            if let Err(e) = r {
                first_error.get_or_insert(e);
            }
        }
        match first_error {
            Some(e) if loader.files_read() == before => Err(e),
            _ => Ok(()),
        }
    }

    /// Does one step of work: starts the next member, or reads up to 1 MiB of the current one
    /// into `loader`, or ends it. `None` when every member has been read; `Some(Err)` when a
    /// member ended unreadable (it is recorded in the data set's failed files, and the next
    /// step goes on with the next member).
    pub fn step(&mut self, loader: &mut Loader) -> Option<Result<(), IngestError>> {
        let member = self.members.get(self.next)?.clone();
        let full = format!("{}/{}", self.archive, member.name);
        let Some(cur) = self.current.as_mut() else {
            loader.start_file(&full);
            if let Some(problem) = &member.problem {
                loader.fail_file(decompress_error(&full, problem.clone()));
                return Some(self.end_member(loader, None));
            }
            self.current = Some(Reading {
                read: 0,
                written: 0,
                inflate: member.deflated.then(|| Decompress::new(false)),
                ended: false,
                crc: Crc::new(),
            });
            return Some(Ok(()));
        };
        let want = (member.compressed - cur.read).min(STEP_BYTES as u64) as usize;
        if want == 0 || cur.ended {
            let damage = check_end(cur, &member);
            return Some(self.end_member(loader, damage));
        }
        self.input.resize(want, 0);
        let at = member.data_start.saturating_add(cur.read);
        let read = self
            .reader
            .seek(SeekFrom::Start(at))
            .and_then(|_| self.reader.read_exact(&mut self.input));
        if let Err(e) = read {
            let why = format!("cannot read its bytes {at}–{}: {e}", at + want as u64);
            return Some(self.end_member(loader, Some(why)));
        }
        cur.read += want as u64;
        self.done += want as u64;
        let fed = match cur.inflate.as_mut() {
            None => {
                cur.crc.update(&self.input);
                cur.written += want as u64;
                let _ = loader.feed(&self.input);
                Ok(())
            }
            Some(inflate) => inflate_into(
                inflate,
                &self.input,
                &mut self.output,
                &mut cur.crc,
                &mut cur.written,
                &mut cur.ended,
                loader,
            ),
        };
        if let Err(why) = fed {
            return Some(self.end_member(loader, Some(why)));
        }
        if loader.file_failed() {
            // Not a flow file (or its header is wrong): the rest of it need not be read.
            return Some(self.end_member(loader, None));
        }
        Some(Ok(()))
    }

    /// Ends the current member; `damage` says why its data broke off.
    fn end_member(
        &mut self,
        loader: &mut Loader,
        damage: Option<String>,
    ) -> Result<(), IngestError> {
        if let Some(m) = self.members.get(self.next) {
            let read = self.current.as_ref().map_or(0, |c| c.read);
            self.done += m.compressed.saturating_sub(read);
        }
        self.current = None;
        self.next += 1;
        match damage {
            Some(why) => loader.end_file_damaged(&why),
            None => loader.end_file(),
        }
    }
}

/// Member `i` of the directory, or `None` when it is not worth reading.
fn describe<R: Read + Seek>(zip: &mut ZipArchive<R>, i: usize) -> Option<ZipMember> {
    let (path, is_dir) = {
        let entry = zip.by_index_data(i).ok()?;
        (entry.name().ok()?.to_string(), entry.is_dir())
    };
    if !wanted(&path, is_dir) {
        return None;
    }
    let mut member = ZipMember {
        name: path,
        compressed: 0,
        size: 0,
        data_start: 0,
        deflated: false,
        crc: 0,
        problem: None,
    };
    // Reads the member's local header (where its data starts).
    let f = match zip.by_index_raw(i) {
        Ok(f) => f,
        Err(e) => {
            member.problem = Some(format!("its local header cannot be read: {e}"));
            return Some(member);
        }
    };
    let method = f.compression();
    member.problem = if f.encrypted() {
        Some("the member is encrypted".to_string())
    } else if !matches!(
        method,
        CompressionMethod::Stored | CompressionMethod::Deflated
    ) {
        Some(format!(
            "the member is compressed with {method}; flowlab reads stored and deflate members \
             (re-zip it with deflate)"
        ))
    } else {
        None
    };
    member.compressed = f.compressed_size();
    member.size = f.size();
    member.data_start = f.data_start().unwrap_or(u64::MAX);
    member.deflated = method == CompressionMethod::Deflated;
    member.crc = f.crc32();
    Some(member)
}

/// Why a member that has been read whole is not what its directory entry says, if it is not.
fn check_end(cur: &Reading, m: &ZipMember) -> Option<String> {
    if m.deflated && !cur.ended {
        Some("its compressed data ends early (truncated or damaged member)".into())
    } else if cur.written != m.size {
        Some(format!(
            "it inflates to {} bytes but the archive's directory says {}",
            cur.written, m.size
        ))
    } else if cur.crc.sum() != m.crc {
        Some(format!(
            "CRC-32 mismatch (read {:08x}, the directory says {:08x}): the data is damaged",
            cur.crc.sum(),
            m.crc
        ))
    } else {
        None
    }
}

/// Inflates `input` (all of it, or up to the end of the deflate stream) into the loader.
fn inflate_into(
    inflate: &mut Decompress,
    mut input: &[u8],
    output: &mut Vec<u8>,
    crc: &mut Crc,
    written: &mut u64,
    ended: &mut bool,
    loader: &mut Loader,
) -> Result<(), String> {
    output.resize(OUT_BYTES, 0);
    while !*ended {
        let (in0, out0) = (inflate.total_in(), inflate.total_out());
        let status = inflate
            .decompress(input, output, FlushDecompress::None)
            .map_err(|e| format!("invalid deflate data after {} bytes: {e}", *written))?;
        let used = (inflate.total_in() - in0) as usize;
        let made = (inflate.total_out() - out0) as usize;
        input = &input[used..];
        crc.update(&output[..made]);
        *written += made as u64;
        if made > 0 && !loader.file_failed() {
            let _ = loader.feed(&output[..made]);
        }
        *ended = status == Status::StreamEnd;
        if (input.is_empty() && made < output.len()) || (used == 0 && made == 0) {
            break;
        }
    }
    Ok(())
}

/// Keeps the members `opts.max_files` asks for: the first N, or a seeded sample of N.
fn pick(members: &mut Vec<ZipMember>, opts: &IngestOptions) {
    let Some(n) = opts.max_files.map(|n| n as usize) else {
        return;
    };
    if n >= members.len() {
        return;
    }
    if opts.sample_files {
        let mut rng = FlowRng::new(opts.seed, 0x21f5);
        let mut order: Vec<usize> = (0..members.len()).collect();
        rng.shuffle(&mut order);
        let mut keep = vec![false; members.len()];
        for &i in &order[..n] {
            keep[i] = true;
        }
        let mut i = 0;
        members.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    } else {
        members.truncate(n);
    }
}
