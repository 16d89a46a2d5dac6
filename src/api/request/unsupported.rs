//! Request headers that ask for a feature the store does not have. AWS
//! would act on each (archive, redirect, append); quietly storing the
//! object without it would let the client believe it had happened, so
//! such a request is refused before anything is stored. Only operations
//! that create an object, an upload or a bucket are checked.

use super::error::HeaderError;

/// Storage classes AWS knows; all but `STANDARD` are refused as not
/// implemented, anything else is `InvalidStorageClass`.
const STORAGE_CLASSES: &[&str] = &[
    "STANDARD",
    "REDUCED_REDUNDANCY",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_IR",
    "SNOW",
    "EXPRESS_ONEZONE",
    "FSX_OPENZFS",
];

/// Headers refused whatever their value.
const ALWAYS_REFUSED: &[&str] = &[
    "x-amz-website-redirect-location",
    "x-amz-write-offset-bytes",
];

/// Refuses the first header in `headers` (lower-case names) that asks for
/// a feature the store lacks.
pub(crate) fn check_unsupported_headers<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), HeaderError> {
    for (name, value) in headers {
        if ALWAYS_REFUSED.contains(&name) {
            return Err(HeaderError::UnsupportedHeader(name.to_string()));
        }
        if name == "x-amz-storage-class" && value != "STANDARD" {
            return Err(if STORAGE_CLASSES.contains(&value) {
                HeaderError::UnsupportedHeader(name.to_string())
            } else {
                HeaderError::InvalidStorageClass
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
