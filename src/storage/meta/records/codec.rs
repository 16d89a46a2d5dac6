//! How a record is stored and how an old one is read: one version byte
//! ([`RECORD_VERSION`] when written) then the postcard encoding of the
//! record's shape of that version.
//!
//! Every record type has one [`Shape`] per format version in which it
//! changed; each shape names the one before it and the step that upgrades
//! it. Decoding reads the version byte, decodes the bytes as the shape that
//! version wrote, then walks the steps up to the current shape. Decoding
//! also checks that the postcard body is consumed exactly, so a truncated
//! value is always an error. A flipped byte either fails to decode or
//! decodes to a different record: bit rot on disk is caught by fjall's
//! block checksums, not here.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::super::error::MetaError;
use crate::storage::versioned;

/// Version byte that starts every record written today (see `records` for
/// what each version added).
pub(crate) const RECORD_VERSION: u8 = 8;

/// The oldest version still read.
pub(crate) const OLDEST_VERSION: u8 = 2;

/// One record type as one format version wrote it.
pub(crate) trait Shape: DeserializeOwned {
    /// The first format version that wrote this shape; records of that
    /// version and later ones (until a newer shape) decode as it.
    const SINCE: u8;
    /// The shape the versions before [`Shape::SINCE`] wrote (the shape
    /// itself for a first shape, which is never upgraded).
    type Previous: Shape;
    /// The upgrade step: this shape from the previous one, filling in only
    /// what version [`Shape::SINCE`] added.
    fn upgrade(previous: Self::Previous) -> Self;
}

/// Makes each listed type a first shape: read as it is from every version
/// since [`OLDEST_VERSION`], with no step before it.
macro_rules! first_shape {
    ($($ty:ty),+ $(,)?) => {$(
        impl $crate::storage::meta::records::codec::Shape for $ty {
            const SINCE: u8 = $crate::storage::meta::records::codec::OLDEST_VERSION;
            type Previous = Self;
            fn upgrade(previous: Self) -> Self {
                previous
            }
        }
    )+};
}
pub(crate) use first_shape;

/// Writes `value` as version byte + postcard.
pub(crate) fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, MetaError> {
    versioned::encode(RECORD_VERSION, value)
        .map_err(|_| MetaError::Encode(std::any::type_name::<T>()))
}

/// Reads a record of any version still read, through its upgrade chain;
/// `what` names it in errors.
pub(crate) fn decode<T: Shape>(b: &[u8], what: &'static str) -> Result<T, MetaError> {
    match b.split_first() {
        Some((&version, body)) if (OLDEST_VERSION..=RECORD_VERSION).contains(&version) => {
            decode_as(version, body, what)
        }
        _ => Err(MetaError::Corrupt(what)),
    }
}

/// Decodes `body`, written by `version`, as the shape of `T` of that
/// version, and upgrades it step by step to `T`.
fn decode_as<T: Shape>(version: u8, body: &[u8], what: &'static str) -> Result<T, MetaError> {
    if version >= T::SINCE {
        body_of(body, what)
    } else {
        decode_as::<T::Previous>(version, body, what).map(T::upgrade)
    }
}

/// Reads a value whose shape is the same in every version still read
/// (ids' results, drop list entries, read answers).
pub(crate) fn from_bytes<T: DeserializeOwned>(
    b: &[u8],
    what: &'static str,
) -> Result<T, MetaError> {
    match b.split_first() {
        Some((&version, body)) if (OLDEST_VERSION..=RECORD_VERSION).contains(&version) => {
            body_of(body, what)
        }
        _ => Err(MetaError::Corrupt(what)),
    }
}

/// Reads a value only the current version writes (a metadata op on its
/// own: the log keeps its ops in its own versioned entries).
pub(crate) fn from_current_bytes<T: DeserializeOwned>(
    b: &[u8],
    what: &'static str,
) -> Result<T, MetaError> {
    match b.split_first() {
        Some((&RECORD_VERSION, body)) => body_of(body, what),
        _ => Err(MetaError::Corrupt(what)),
    }
}

/// The postcard value that fills `body` exactly.
fn body_of<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T, MetaError> {
    match postcard::take_from_bytes::<T>(body) {
        Ok((value, [])) => Ok(value),
        _ => Err(MetaError::Corrupt(what)),
    }
}
