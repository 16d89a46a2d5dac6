//! Listing and multipart query parameters: `max-keys` (and its
//! `max-parts` / `max-uploads` twins), `partNumber`, and ListObjectsV2
//! continuation tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::error::HeaderError;

/// Highest part number multipart uploads accept.
pub(crate) const MAX_PART_NUMBER: u32 = 10_000;

/// Parses a listing's `max-keys`: absent gives `default`, and values above
/// `cap` are lowered to it, as S3 never returns more than 1000 keys a page.
///
/// Anything that is not a non-negative integer within Java `int` range (S3's
/// own limit) is [`HeaderError::InvalidMaxKeys`] (`InvalidArgument`). `0` is
/// valid and asks for an empty page.
pub(crate) fn parse_max_keys(v: Option<&str>, default: u32, cap: u32) -> Result<u32, HeaderError> {
    let Some(v) = v else {
        return Ok(default.min(cap));
    };
    let n = v
        .parse::<i64>()
        .ok()
        .filter(|n| (0..=i64::from(i32::MAX)).contains(n))
        .ok_or(HeaderError::InvalidMaxKeys)?;
    // The filter above bounds n to 0..=i32::MAX, which always fits.
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    Ok(n.min(cap))
}

/// Parses `partNumber`, which S3 limits to 1..=10000.
pub(crate) fn parse_part_number(v: &str) -> Result<u32, HeaderError> {
    v.parse::<u32>()
        .ok()
        .filter(|n| (1..=MAX_PART_NUMBER).contains(n))
        .ok_or(HeaderError::InvalidPartNumber)
}

/// Builds a ListObjectsV2 continuation token from the last key of a page.
///
/// Base64url without padding, so it survives a query string unescaped and
/// clients treat it as opaque instead of as a key. It is not secret: it only
/// carries the key the client just received.
pub(crate) fn make_continuation_token(last_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(last_key.as_bytes())
}

/// Recovers the key from a token made by [`make_continuation_token`].
///
/// Anything that does not decode to a non-empty UTF-8 key is
/// [`HeaderError::InvalidContinuationToken`] (`InvalidArgument` with S3's
/// message "The continuation token provided is incorrect", so a
/// forged or truncated token fails instead of silently restarting the list.
pub(crate) fn parse_continuation_token(token: &str) -> Result<String, HeaderError> {
    URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .filter(|key| !key.is_empty())
        .ok_or(HeaderError::InvalidContinuationToken)
}

#[cfg(test)]
mod tests;
