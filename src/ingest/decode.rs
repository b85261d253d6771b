//! Compressed inputs, told apart by their first bytes: `.gz` is inflated as it streams in; a
//! `.zip` is read by slices, directory first ([`super::archive`]).

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
