//! Tag sets: the `x-amz-tagging` header (PutObject, CreateMultipartUpload,
//! CopyObject with `x-amz-tagging-directive: REPLACE`) and the checks AWS
//! makes of every tag set, whichever way it arrives.

use percent_encoding::percent_decode;

use super::error::HeaderError;
use crate::storage::meta::Tags;

/// Most tags an object may carry.
pub(crate) const MAX_OBJECT_TAGS: usize = 10;

/// Most tags a bucket may carry.
pub(crate) const MAX_BUCKET_TAGS: usize = 50;

/// Longest tag key, in Unicode characters.
pub(crate) const MAX_TAG_KEY_CHARS: usize = 128;

/// Longest tag value, in Unicode characters.
pub(crate) const MAX_TAG_VALUE_CHARS: usize = 256;

/// What a tag set belongs to: the limits differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TagTarget {
    /// An object: at most [`MAX_OBJECT_TAGS`].
    Object,
    /// A bucket: at most [`MAX_BUCKET_TAGS`].
    Bucket,
}

/// Parses `x-amz-tagging`: URL query form (`k1=v1&k2=v2`, `+` a space,
/// `%XX` escapes), then checks the set as [`check_tags`] does. A `%` not
/// followed by two hex digits, or bytes that are not UTF-8, are refused
/// rather than guessed at.
pub(crate) fn parse_tagging_header(value: &str) -> Result<Tags, HeaderError> {
    let mut tags = Tags::new();
    for pair in value.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        tags.push((decode_component(k)?, decode_component(v)?));
    }
    check_tags(&tags, TagTarget::Object)?;
    Ok(tags)
}

fn decode_component(s: &str) -> Result<String, HeaderError> {
    let bytes = s.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return Err(HeaderError::InvalidTag(BAD_HEADER));
    }
    let spaced = s.replace('+', " ");
    percent_decode(spaced.as_bytes())
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| HeaderError::InvalidTag(BAD_HEADER))
}

/// AWS's message for an `x-amz-tagging` header it cannot read.
const BAD_HEADER: &str = "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.";

/// Checks a tag set against AWS's rules: the count for its target, keys of
/// 1..=128 characters not starting with `aws:`, values of at most 256,
/// and no key twice. Every breach is `InvalidTag`.
pub(crate) fn check_tags(tags: &Tags, target: TagTarget) -> Result<(), HeaderError> {
    match target {
        TagTarget::Object if tags.len() > MAX_OBJECT_TAGS => {
            return Err(HeaderError::InvalidTag(
                "Object tags cannot be greater than 10",
            ))
        }
        TagTarget::Bucket if tags.len() > MAX_BUCKET_TAGS => {
            return Err(HeaderError::InvalidTag(
                "Bucket tag count cannot be greater than 50",
            ))
        }
        _ => {}
    }
    for (i, (key, value)) in tags.iter().enumerate() {
        if key.is_empty() {
            return Err(HeaderError::InvalidTag(
                "The TagKey you have provided is invalid",
            ));
        }
        if key.chars().count() > MAX_TAG_KEY_CHARS {
            return Err(HeaderError::InvalidTag(
                "The TagKey you have provided is too long, max 128",
            ));
        }
        if value.chars().count() > MAX_TAG_VALUE_CHARS {
            return Err(HeaderError::InvalidTag(
                "The TagValue you have provided is too long, max 256",
            ));
        }
        if key.starts_with("aws:") {
            return Err(HeaderError::InvalidTag(
                "System tags cannot be added/updated by requester",
            ));
        }
        if tags[..i].iter().any(|(k, _)| k == key) {
            return Err(HeaderError::InvalidTag(
                "Cannot provide multiple Tags with the same key",
            ));
        }
    }
    Ok(())
}

/// What `x-amz-tagging-directive` asks a copy to do with the tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaggingDirective {
    /// Keep the source's tags (the default).
    Copy,
    /// Take the request's `x-amz-tagging`.
    Replace,
}

/// Parses `x-amz-tagging-directive` (absent: `COPY`).
pub(crate) fn parse_tagging_directive(
    value: Option<&str>,
) -> Result<TaggingDirective, HeaderError> {
    match value {
        None | Some("COPY") => Ok(TaggingDirective::Copy),
        Some("REPLACE") => Ok(TaggingDirective::Replace),
        Some(_) => Err(HeaderError::InvalidTaggingDirective),
    }
}

/// A tag set from pairs, for tests.
#[cfg(test)]
pub(crate) fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests;
