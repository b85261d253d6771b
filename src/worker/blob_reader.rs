//! A `File`/`Blob` as `Read + Seek`, for [`crate::ingest::ZipSource`]: a zip archive is read by
//! slices (its directory at the end first, then each member), never whole.
//!
//! Reads are synchronous (`FileReaderSync`, which dedicated workers have): the zip reader pulls
//! bytes where it needs them. Small reads (headers, the directory) go through a 256 KiB
//! read-ahead; a read of at least that size goes straight to a slice of its own. The worker's
//! event loop runs between two [`ZipSource::step`](crate::ingest::ZipSource::step)s (see
//! `web.rs`), so progress and Cancel still work.

use std::io::{self, Read, Seek, SeekFrom};

use js_sys::Uint8Array;
use web_sys::{Blob, FileReaderSync};

use super::web::js_error_message;

/// Bytes read ahead for small reads.
const READ_AHEAD: u64 = 256 * 1024;

/// A blob read with `FileReaderSync`.
pub struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    size: u64,
    pos: u64,
    /// Bytes `ahead_at..ahead_at + ahead.len()` of the blob.
    ahead: Vec<u8>,
    ahead_at: u64,
}

fn io_error(e: wasm_bindgen::JsValue) -> io::Error {
    io::Error::other(format!(
        "the browser could not read the file: {}",
        js_error_message(e)
    ))
}

impl BlobReader {
    pub fn new(blob: &Blob) -> io::Result<Self> {
        Ok(BlobReader {
            blob: blob.clone(),
            reader: FileReaderSync::new().map_err(io_error)?,
            size: blob.size() as u64,
            pos: 0,
            ahead: Vec::new(),
            ahead_at: 0,
        })
    }

    /// Reads `blob[start..end]` into `out` (which must be `end - start` long).
    fn read_range(&self, start: u64, end: u64, out: &mut [u8]) -> io::Result<()> {
        let part = self
            .blob
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(io_error)?;
        let bytes = self.reader.read_as_array_buffer(&part).map_err(io_error)?;
        let view = Uint8Array::new(&bytes);
        if view.length() as usize != out.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "read {} bytes at {start}, expected {}",
                    view.length(),
                    out.len()
                ),
            ));
        }
        view.copy_to(out);
        Ok(())
    }
}

impl Read for BlobReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = (out.len() as u64).min(self.size.saturating_sub(self.pos));
        if n == 0 {
            return Ok(0);
        }
        if n >= READ_AHEAD {
            self.read_range(self.pos, self.pos + n, &mut out[..n as usize])?;
            self.pos += n;
            return Ok(n as usize);
        }
        let in_ahead =
            self.pos >= self.ahead_at && self.pos < self.ahead_at + self.ahead.len() as u64;
        if !in_ahead {
            let end = (self.pos + READ_AHEAD).min(self.size);
            let mut ahead = std::mem::take(&mut self.ahead);
            ahead.resize((end - self.pos) as usize, 0);
            self.read_range(self.pos, end, &mut ahead)?;
            self.ahead = ahead;
            self.ahead_at = self.pos;
        }
        let from = (self.pos - self.ahead_at) as usize;
        let take = (n as usize).min(self.ahead.len() - from);
        out[..take].copy_from_slice(&self.ahead[from..from + take]);
        self.pos += take as u64;
        Ok(take)
    }
}

impl Seek for BlobReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the file",
            )
        })?;
        Ok(self.pos)
    }
}
