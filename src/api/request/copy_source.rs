//! `x-amz-copy-source` (CopyObject, UploadPartCopy) and UploadPartCopy's
//! `x-amz-copy-source-range`.

use std::ops::Range;

use percent_encoding::percent_decode_str;

use super::error::HeaderError;
use super::names::validate_object_key;
use super::text::parse_digits_saturating;
use crate::storage::meta::version::VersionRef;

/// The object named by `x-amz-copy-source`, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CopySource {
    /// Source bucket, not yet checked against the naming rules.
    pub bucket: String,
    /// Source key, checked with [`validate_object_key`].
    pub key: String,
    /// The version asked for (`?versionId=`); `None`: the current one.
    pub version: Option<VersionRef>,
}

/// Parses `x-amz-copy-source`: `bucket/key` or `/bucket/key`, percent-encoded,
/// optionally followed by `?versionId=…`.
///
/// The query is split off before decoding, so a `?` inside a key must arrive
/// as `%3F`. The path is then decoded as a whole and split at the first `/`;
/// bucket names cannot contain `/`, so clients that encode the separator as
/// `%2F` work too. `+` stays a literal plus (path encoding, not a form).
///
/// Rejected (all S3's `InvalidArgument`):
/// - a path that is not UTF-8 once decoded ([`HeaderError::CopySourceNotUtf8`]);
/// - the access point ARN form (`arn:aws:s3:…:accesspoint/…/object/…`),
///   because predastore has no access points
///   ([`HeaderError::CopySourceAccessPoint`]);
/// - a missing bucket or key ([`HeaderError::CopySourceIncomplete`]);
/// - a `versionId` this store could not have written ("Invalid version id
///   specified", [`HeaderError::CopySourceVersionId`]);
/// - any other query parameter, which most likely means an unencoded `?` in
///   the key, and guessing would copy the wrong object
///   ([`HeaderError::CopySourceUnknownParameter`]).
///
/// A key over 1024 bytes is [`HeaderError::ObjectKeyTooLong`]
/// (`KeyTooLongError`).
pub(crate) fn parse_copy_source(header: &str) -> Result<CopySource, HeaderError> {
    let raw = header.trim();
    let (path, query) = match raw.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (raw, None),
    };
    let decoded = percent_decode_str(path)
        .decode_utf8()
        .map_err(|_| HeaderError::CopySourceNotUtf8)?;
    let decoded = decoded.strip_prefix('/').unwrap_or(&decoded);
    if decoded.starts_with("arn:") {
        return Err(HeaderError::CopySourceAccessPoint);
    }
    let (bucket, key) = decoded
        .split_once('/')
        .ok_or(HeaderError::CopySourceIncomplete)?;
    if bucket.is_empty() || key.is_empty() {
        return Err(HeaderError::CopySourceIncomplete);
    }
    validate_object_key(key)?;

    let mut version = None;
    for pair in query.into_iter().flat_map(|q| q.split('&')) {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if name != "versionId" {
            return Err(HeaderError::CopySourceUnknownParameter);
        }
        let value = percent_decode_str(value).decode_utf8_lossy();
        version = Some(VersionRef::parse(&value).ok_or(HeaderError::CopySourceVersionId)?);
    }

    Ok(CopySource {
        bucket: bucket.to_owned(),
        key: key.to_owned(),
        version,
    })
}

/// Parses UploadPartCopy's `x-amz-copy-source-range` against the source size.
///
/// Unlike `Range`, only `bytes=first-last` is allowed (no open or suffix
/// forms, no lists), and a bad value is an error, not ignored. AWS answers
/// `InvalidArgument` (400) in both cases, not `InvalidRange`:
/// - wrong form ([`HeaderError::CopySourceRangeMalformed`]): "The
///   x-amz-copy-source-range value must be of the form bytes=first-last where
///   first and last are the zero-based offsets of the first and last bytes to
///   copy";
/// - `last >= source_size` ([`HeaderError::CopySourceRangeOutside`]): "Range
///   specified is not valid for source object of size: N". `first > last`
///   gets the same answer.
///
/// Returns `first..last + 1`.
pub(crate) fn parse_copy_source_range(
    header: &str,
    source_size: u64,
) -> Result<Range<u64>, HeaderError> {
    let form = || HeaderError::CopySourceRangeMalformed;
    let spec = header.trim().strip_prefix("bytes=").ok_or_else(form)?;
    let (first, last) = spec.split_once('-').ok_or_else(form)?;
    let first = parse_digits_saturating(first).ok_or_else(form)?;
    let last = parse_digits_saturating(last).ok_or_else(form)?;
    if first > last || last >= source_size {
        return Err(HeaderError::CopySourceRangeOutside { source_size });
    }
    Ok(first..last + 1)
}

#[cfg(test)]
mod tests;
