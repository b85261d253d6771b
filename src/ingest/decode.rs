//! Compressed inputs: `.gz` is inflated as it streams in; a `.zip` is kept (compressed) until it
//! ends, then each member is read as a file of its own.

use std::io::{Cursor, Read};

/// What the first bytes of an input say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    Plain,
    Gzip,
    Zip,
}

/// Bytes needed to tell.
pub(crate) const MAGIC_LEN: usize = 4;

pub(crate) fn detect(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Compression::Zip
    } else {
        Compression::Plain
    }
}

/// The members of a zip archive worth reading (no folders, no macOS resource forks), with a
/// reader for each.
/// Why a zip archive or one of its members cannot be read.
pub(crate) use zip::result::ZipError;

pub(crate) struct ZipMembers {
    archive: zip::ZipArchive<Cursor<Vec<u8>>>,
}

impl ZipMembers {
    pub fn open(bytes: Vec<u8>) -> Result<Self, ZipError> {
        zip::ZipArchive::new(Cursor::new(bytes)).map(|archive| ZipMembers { archive })
    }

    /// Indices and names of the members to read.
    pub fn names(&mut self) -> Vec<(usize, String)> {
        (0..self.archive.len())
            .filter_map(|i| {
                let f = self.archive.by_index_raw(i).ok()?;
                let name = f.name().ok()?.to_string();
                let base = name.rsplit('/').next().unwrap_or("");
                let skip = f.is_dir()
                    || name.starts_with("__MACOSX/")
                    || base.starts_with('.')
                    || base.is_empty();
                (!skip).then_some((i, name))
            })
            .collect()
    }

    /// Streams member `index` to `each` in chunks.
    pub fn read(
        &mut self,
        index: usize,
        each: &mut dyn FnMut(&[u8]) -> bool,
    ) -> Result<(), ZipError> {
        let mut f = self.archive.by_index(index)?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 || !each(&buf[..n]) {
                return Ok(());
            }
        }
    }
}
