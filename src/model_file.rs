//! Model files: versioned and self-describing.
//!
//! Layout: the 8 magic bytes `FLOWLAB\x1a`, a little-endian `u32` format version, a `u64` payload
//! length, then the payload: bincode (standard configuration) of the serde value — for flowlab
//! models a [`crate::job::TrainedModel`] holding the fitted feature pipeline, label names and
//! taxonomy, the model, training metadata and the user's label map. Bincode has no field names,
//! so a field added to a model file goes last and reads as empty when an older file ends before
//! it (the label map does; `tests/labels.rs` loads a model file written before it). A field
//! added inside (gradient boosting's `class_weight`) takes a new format version: format 3 files
//! hold it, format 2 files are read without it (`models::boosting::decoding_format_2`; the
//! fuzz seed corpus and `tests/fixtures/models/` are format 2). Anything else — another file, a
//! cut-off file, a newer format — is refused with a message that says which.
//!
//! ```
//! use flowlab::model_file::{read, write, ModelFileError};
//! let bytes = write(&vec![1u32, 2, 3]).unwrap();
//! assert_eq!(read::<Vec<u32>>(&bytes).unwrap(), vec![1, 2, 3]);
//! assert!(matches!(read::<Vec<u32>>(&bytes[..10]), Err(ModelFileError::Truncated { .. })));
//! assert!(matches!(read::<Vec<u32>>(b"ts,uid,proto\n"), Err(ModelFileError::NotAModel)));
//! ```

use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

/// First bytes of every model file.
pub const MAGIC: [u8; 8] = *b"FLOWLAB\x1a";
/// The format version this build writes. It also reads [`FORMAT_2`].
pub const VERSION: u32 = 3;
/// The format before gradient boosting's `class_weight`: the same layout without that field
/// (read as `None`, see `models::boosting::decoding_format_2`).
pub const FORMAT_2: u32 = 2;
const HEADER: usize = 8 + 4 + 8;
/// Largest payload accepted (guards against allocating for a corrupt length).
const LIMIT: usize = 1 << 31;

/// Why a model file cannot be read.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelFileError {
    #[error("not a flowlab model file (it does not start with the flowlab magic bytes)")]
    NotAModel,
    #[error("the model file is truncated: {have} bytes of {need}")]
    Truncated { have: usize, need: usize },
    #[error("model file format version {found}; this flowlab reads version {supported} (made by a newer or older flowlab)")]
    UnknownVersion { found: u32, supported: u32 },
    #[error("the model file is damaged: {0}")]
    Corrupt(String),
    #[error("cannot encode the model: {0}")]
    Encode(String),
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

/// How many bytes of memory a payload of `n` bytes may claim while it is decoded: containers
/// take more room in memory than in the file (a varint `u64` of one byte is eight in memory, a
/// struct of small fields several times its encoding), so [`EXPANSION`] times the payload, at
/// least [`MIN_CLAIM`], at most [`LIMIT`].
const EXPANSION: usize = 64;
const MIN_CLAIM: usize = 1 << 20;

/// Decodes `payload` with a bincode limit that fits its length. bincode allocates a container
/// for the length its prefix claims before reading it, and its limit is a type parameter, so a
/// 38-byte file claiming a 32 MiB string made it allocate 32 MiB (and up to 2 GiB) — found by
/// the `model_file` fuzz target as a timeout (`tests/fixtures/fuzz-regressions/model_file/`).
/// The limit is now the smallest of a ladder of powers of four at least [`EXPANSION`] × the
/// payload, so a claim the file cannot back is refused before anything is allocated.
fn decode_bounded<T: DeserializeOwned>(
    payload: &[u8],
) -> Result<(T, usize), bincode::error::DecodeError> {
    fn with<T: DeserializeOwned, const L: usize>(
        payload: &[u8],
    ) -> Result<(T, usize), bincode::error::DecodeError> {
        let config = bincode::config::standard().with_limit::<L>();
        bincode::serde::decode_from_slice(payload, config)
    }
    match payload.len().saturating_mul(EXPANSION).max(MIN_CLAIM) {
        n if n <= 1 << 20 => with::<T, { 1 << 20 }>(payload),
        n if n <= 1 << 22 => with::<T, { 1 << 22 }>(payload),
        n if n <= 1 << 24 => with::<T, { 1 << 24 }>(payload),
        n if n <= 1 << 26 => with::<T, { 1 << 26 }>(payload),
        n if n <= 1 << 28 => with::<T, { 1 << 28 }>(payload),
        n if n <= 1 << 30 => with::<T, { 1 << 30 }>(payload),
        _ => with::<T, LIMIT>(payload),
    }
}

/// Encodes `value` as a model file.
pub fn write<T: Serialize>(value: &T) -> Result<Vec<u8>, ModelFileError> {
    let payload = bincode::serde::encode_to_vec(value, config())
        .map_err(|e| ModelFileError::Encode(e.to_string()))?;
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Decodes a model file.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ModelFileError> {
    let n = bytes.len().min(MAGIC.len());
    if bytes[..n] != MAGIC[..n] || bytes.is_empty() {
        return Err(ModelFileError::NotAModel);
    }
    if bytes.len() < HEADER {
        return Err(ModelFileError::Truncated {
            have: bytes.len(),
            need: HEADER,
        });
    }
    let version = u32::from_le_bytes(
        bytes[8..12]
            .try_into()
            .map_err(|_| ModelFileError::NotAModel)?,
    );
    if version != VERSION && version != FORMAT_2 {
        return Err(ModelFileError::UnknownVersion {
            found: version,
            supported: VERSION,
        });
    }
    let len = u64::from_le_bytes(
        bytes[12..20]
            .try_into()
            .map_err(|_| ModelFileError::NotAModel)?,
    ) as usize;
    let need = HEADER.saturating_add(len);
    if bytes.len() < need {
        return Err(ModelFileError::Truncated {
            have: bytes.len(),
            need,
        });
    }
    let payload = &bytes[HEADER..need];
    let decoded = if version == FORMAT_2 {
        crate::models::boosting::decoding_format_2(|| decode_bounded(payload))
    } else {
        decode_bounded(payload)
    };
    let (value, used) = decoded.map_err(|e| match e {
        bincode::error::DecodeError::LimitExceeded => ModelFileError::Corrupt(format!(
            "a length in it claims more memory than its {len} bytes can hold"
        )),
        e => ModelFileError::Corrupt(e.to_string()),
    })?;
    if used != len {
        return Err(ModelFileError::Corrupt(format!(
            "{} bytes left over after the model",
            len - used
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_damage_are_reported() {
        let mut bytes = write(&("model", vec![1.5f32, f32::NAN])).unwrap();
        let back: (String, Vec<f32>) = read(&bytes).unwrap();
        assert_eq!(back.0, "model");
        assert!(back.1[1].is_nan());
        assert_eq!(
            read::<(String, Vec<f32>)>(&bytes[..bytes.len() - 1]),
            Err(ModelFileError::Truncated {
                have: bytes.len() - 1,
                need: bytes.len()
            })
        );
        bytes[8] = 9;
        assert_eq!(
            read::<(String, Vec<f32>)>(&bytes),
            Err(ModelFileError::UnknownVersion {
                found: 9,
                supported: VERSION
            })
        );
        bytes[8] = VERSION as u8;
        bytes[20] = 200; // the string length now points past the payload
        assert!(matches!(
            read::<(String, Vec<f32>)>(&bytes),
            Err(ModelFileError::Corrupt(_))
        ));
        assert_eq!(read::<u8>(b""), Err(ModelFileError::NotAModel));
        assert_eq!(read::<u8>(b"\x89PNG\r\n"), Err(ModelFileError::NotAModel));
    }
}
