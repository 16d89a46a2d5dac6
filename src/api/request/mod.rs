//! S3 semantics of request headers and query parameters, kept free of any
//! HTTP framework.
//!
//! The HTTP edge (actix-web) pulls raw `&str` values out of the request and
//! passes them here. That keeps the S3-specific rules (which malformed input
//! S3 ignores and which it rejects) in one place that can be unit tested
//! without building requests. Each rejection is a [`HeaderError`] saying what
//! is wrong; which S3 error code and status that becomes is decided in
//! `api::error` (`impl From<HeaderError> for S3Error`).
//!
//! Where AWS behaviour is not written down, the choice made here comes from
//! behaviour other S3 implementers have observed against AWS. The notes on
//! each function say which.
//!
//! - [`range`]: the GET/HEAD `Range` header;
//! - [`conditional`]: `If-Match`, `If-None-Match`, `If-(Un)Modified-Since`
//!   and their `x-amz-copy-source-if-*` twins;
//! - [`dates`]: HTTP-dates (`Last-Modified`, conditional headers);
//! - [`names`]: bucket names and object keys;
//! - [`copy_source`]: `x-amz-copy-source` and `x-amz-copy-source-range`;
//! - [`overrides`]: GetObject's `response-*` query parameters;
//! - [`user_metadata`](mod@user_metadata): `x-amz-meta-*` headers;
//! - [`params`]: listing and multipart query parameters;
//! - [`tagging`]: `x-amz-tagging`, `x-amz-tagging-directive` and the
//!   rules every tag set obeys;
//! - [`unsupported`]: headers asking for features the store lacks.

pub(crate) mod conditional;
pub(crate) mod copy_source;
pub(crate) mod dates;
pub(crate) mod names;
pub(crate) mod overrides;
pub(crate) mod params;
pub(crate) mod range;
pub(crate) mod tagging;
pub(crate) mod unsupported;
pub(crate) mod user_metadata;

pub(crate) use conditional::{evaluate_conditions, ConditionTarget, Conditions};
pub(crate) use copy_source::{parse_copy_source, parse_copy_source_range};
pub(crate) use dates::{http_date, parse_http_date_secs};
pub(crate) use names::{validate_bucket_name, validate_object_key};
pub(crate) use overrides::{response_overrides, validate_response_overrides};
pub(crate) use params::{
    make_continuation_token, parse_continuation_token, parse_max_keys, parse_part_number,
};
pub(crate) use range::parse_range;
pub(crate) use tagging::{
    check_tags, parse_tagging_directive, parse_tagging_header, TagTarget, TaggingDirective,
};
pub(crate) use unsupported::{check_unsupported_headers, HeaderScope};
pub(crate) use user_metadata::user_metadata;

/// The message for a malformed `x-amz-copy-source-range`, as AWS words it.
const COPY_SOURCE_RANGE_FORM: &str = "The x-amz-copy-source-range value must be of the form \
     bytes=first-last where first and last are the zero-based offsets of the first and last \
     bytes to copy";

/// Why a header or query parameter was rejected, or why a conditional
/// request is not answered normally.
///
/// `Display` gives the human-readable text S3 sends in the `<Message>`
/// element. The fields hold what the S3 error document carries besides the
/// message, or detail worth logging.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    // ----- Range -----
    /// No byte of the requested range exists in the object.
    #[error("The requested range is not satisfiable")]
    RangeNotSatisfiable {
        /// The `Range` header as received.
        requested: String,
        /// Size of the object the range was resolved against.
        object_size: u64,
    },

    // ----- Conditional requests -----
    /// A condition that must hold for the request to proceed did not
    /// (`If-Match`, `If-Unmodified-Since`, or any condition on a copy source).
    #[error("At least one of the pre-conditions you specified did not hold")]
    PreconditionFailed {
        /// The header that failed.
        condition: &'static str,
    },
    /// The client already holds the current version (`If-None-Match` or
    /// `If-Modified-Since` on GET/HEAD): not an error for the client, and
    /// answered without a body.
    #[error("Not Modified")]
    NotModified,

    // ----- Names -----
    /// The bucket name breaks the bucket naming rules.
    #[error("The specified bucket is not valid.")]
    InvalidBucketName {
        /// The rejected name.
        bucket: String,
        /// Which rule was broken; for logs, since S3's message never varies.
        reason: &'static str,
    },
    /// The object key is empty.
    #[error("Object key must not be empty")]
    EmptyObjectKey,
    /// The object key is longer than [`MAX_KEY_BYTES`](names::MAX_KEY_BYTES).
    #[error("Your key is too long")]
    ObjectKeyTooLong {
        /// Key length in bytes.
        size: usize,
        /// The limit, [`MAX_KEY_BYTES`](names::MAX_KEY_BYTES).
        max: usize,
    },

    // ----- x-amz-copy-source -----
    /// `x-amz-copy-source` is not UTF-8 once percent-decoded.
    #[error("Copy Source is not valid UTF-8")]
    CopySourceNotUtf8,
    /// `x-amz-copy-source` names an access point, which predastore lacks.
    #[error("Access point ARNs are not supported as a copy source")]
    CopySourceAccessPoint,
    /// `x-amz-copy-source` lacks the bucket or the key.
    #[error("Copy Source must mention the source bucket and key: sourcebucket/sourcekey")]
    CopySourceIncomplete,
    /// `x-amz-copy-source` carries a query parameter other than `versionId`.
    #[error("Copy Source may only carry a versionId parameter; encode '?' in keys as %3F")]
    CopySourceUnknownParameter,
    /// `x-amz-copy-source` asks for a version other than the null version.
    #[error("Invalid version id specified")]
    CopySourceVersionId,
    /// `x-amz-copy-source-range` is not of the form `bytes=first-last`.
    #[error("{COPY_SOURCE_RANGE_FORM}")]
    CopySourceRangeMalformed,
    /// `x-amz-copy-source-range` reaches past the source, or is reversed.
    #[error("Range specified is not valid for source object of size: {source_size}")]
    CopySourceRangeOutside {
        /// Size of the source object.
        source_size: u64,
    },

    // ----- response-* overrides -----
    /// A `response-*` value has control characters, so it cannot be sent
    /// as a header.
    #[error("Header value contains control characters")]
    ResponseOverrideControlCharacters {
        /// The query parameter at fault.
        parameter: &'static str,
    },
    /// `response-*` parameters on an anonymous request.
    #[error("Request specific response headers cannot be used for anonymous GET requests.")]
    ResponseOverrideAnonymous,

    // ----- x-amz-meta-* -----
    /// An `x-amz-meta-` header with nothing after the prefix.
    #[error("User metadata name must not be empty")]
    EmptyMetadataName,
    /// User metadata is larger than
    /// [`MAX_USER_METADATA_BYTES`](user_metadata::MAX_USER_METADATA_BYTES).
    #[error("Your metadata headers exceed the maximum allowed metadata size.")]
    MetadataTooLarge {
        /// Measured size in bytes.
        size: usize,
        /// The limit, [`MAX_USER_METADATA_BYTES`](user_metadata::MAX_USER_METADATA_BYTES).
        max: usize,
    },

    // ----- Query parameters -----
    /// `max-keys` (or `max-uploads`, `max-parts`) is not a non-negative
    /// integer within Java `int` range.
    #[error("Provided max-keys not an integer or within integer range")]
    InvalidMaxKeys,
    /// `partNumber` is not an integer in 1..=[`MAX_PART_NUMBER`](params::MAX_PART_NUMBER).
    #[error("Part number must be an integer between 1 and 10000, inclusive")]
    InvalidPartNumber,
    /// A `continuation-token` this server did not make.
    #[error("The continuation token provided is incorrect")]
    InvalidContinuationToken,

    // ----- Tags -----
    /// A tag set breaks AWS's rules, or `x-amz-tagging` cannot be read;
    /// the text is AWS's message.
    #[error("{0}")]
    InvalidTag(&'static str),
    /// `x-amz-tagging-directive` is neither `COPY` nor `REPLACE`.
    #[error("Unknown tagging directive.")]
    InvalidTaggingDirective,

    // ----- Features the store lacks -----
    /// A header asking for a feature the store does not have (encryption,
    /// object lock, another storage class, a website redirect, grants).
    #[error("A header you provided implies functionality that is not implemented: {0}")]
    UnsupportedHeader(String),
    /// `x-amz-storage-class` names no storage class AWS knows.
    #[error("The storage class you specified is not valid")]
    InvalidStorageClass,
    /// `x-amz-server-side-encryption` names no method AWS knows.
    #[error("The encryption method specified is not supported")]
    InvalidEncryptionMethod,
}

/// A header value as text: UTF-8 when it is (what SDKs send for non-ASCII
/// user metadata), else each byte as a Latin-1 character (what HTTP/1.1
/// libraries that encode header strings as Latin-1 send). Both read back
/// as the string the client signed.
pub(crate) fn header_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => std::borrow::Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Parses one or more ASCII digits, saturating at `u64::MAX`: a position past
/// any real object is still well formed, and saturating keeps its meaning.
fn parse_digits_saturating(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_is_the_s3_message() {
        assert_eq!(
            HeaderError::InvalidMaxKeys.to_string(),
            "Provided max-keys not an integer or within integer range"
        );
        assert_eq!(
            HeaderError::ObjectKeyTooLong { size: 1, max: 1 }.to_string(),
            "Your key is too long"
        );
        assert_eq!(
            HeaderError::CopySourceRangeOutside { source_size: 7 }.to_string(),
            "Range specified is not valid for source object of size: 7"
        );
    }

    #[test]
    fn digits_saturate() {
        assert_eq!(parse_digits_saturating("0"), Some(0));
        assert_eq!(parse_digits_saturating("0042"), Some(42));
        assert_eq!(
            parse_digits_saturating("99999999999999999999999"),
            Some(u64::MAX)
        );
        for s in ["", "+1", "-1", "1 ", "0x1", "１"] {
            assert_eq!(parse_digits_saturating(s), None, "{s:?}");
        }
    }
}
