//! [`HeaderError`]: why a header or query parameter was rejected, with the
//! text S3 sends as the `<Message>` and the detail the error document
//! carries. Every parser of `api::request` returns it; `api::error` decides
//! the S3 code of each variant.

/// The message for a malformed `x-amz-copy-source-range`, as AWS words it.
pub(super) const COPY_SOURCE_RANGE_FORM: &str =
    "The x-amz-copy-source-range value must be of the form \
     bytes=first-last where first and last are the zero-based offsets of the first and last \
     bytes to copy";

/// Why a header or query parameter was rejected, or why a conditional
/// request is not answered normally.
///
/// `Display` gives the human-readable text S3 sends in the `<Message>`
/// element. The fields hold what the S3 error document carries besides the
/// message, or detail worth logging.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HeaderError {
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
    /// The object key is longer than [`MAX_KEY_BYTES`](super::names::MAX_KEY_BYTES).
    #[error("Your key is too long")]
    ObjectKeyTooLong {
        /// Key length in bytes.
        size: usize,
        /// The limit, [`MAX_KEY_BYTES`](super::names::MAX_KEY_BYTES).
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
    /// [`MAX_USER_METADATA_BYTES`](super::user_metadata::MAX_USER_METADATA_BYTES).
    #[error("Your metadata headers exceed the maximum allowed metadata size.")]
    MetadataTooLarge {
        /// Measured size in bytes.
        size: usize,
        /// The limit, [`MAX_USER_METADATA_BYTES`](super::user_metadata::MAX_USER_METADATA_BYTES).
        max: usize,
    },

    // ----- Query parameters -----
    /// `max-keys` (or `max-uploads`, `max-parts`) is not a non-negative
    /// integer within Java `int` range.
    #[error("Provided max-keys not an integer or within integer range")]
    InvalidMaxKeys,
    /// `partNumber` is not an integer in 1..=[`MAX_PART_NUMBER`](super::params::MAX_PART_NUMBER).
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

    // ----- Server-side encryption -----
    /// `x-amz-server-side-encryption` together with SSE-C headers.
    #[error("Server Side Encryption with Customer provided key is incompatible with the encryption method specified")]
    EncryptionConflict,
    /// A KMS key id or context without `x-amz-server-side-encryption: aws:kms`.
    #[error("x-amz-server-side-encryption-aws-kms-key-id header is not valid without x-amz-server-side-encryption: aws:kms")]
    KmsKeyWithoutKms,
    /// Encryption headers of a write on a read or a part upload.
    #[error("x-amz-server-side-encryption header is not supported for this operation.")]
    EncryptionOnRead,
    /// SSE-C key or MD5 without its algorithm.
    #[error("Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.")]
    CustomerAlgorithmMissing,
    /// An SSE-C algorithm other than `AES256`.
    #[error("The encryption request you specified is not valid. The valid value is AES256.")]
    CustomerAlgorithmInvalid,
    /// An SSE-C algorithm without its key.
    #[error("Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.")]
    CustomerKeyMissing,
    /// An SSE-C key that is not the base64 of 32 bytes.
    #[error("The secret key was invalid for the specified algorithm.")]
    CustomerKeyInvalid,
    /// An SSE-C key without its MD5.
    #[error("Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.")]
    CustomerKeyMd5Missing,
    /// An SSE-C key whose MD5 is not the one given.
    #[error("The calculated MD5 hash of the key did not match the hash that was provided.")]
    CustomerKeyMd5Mismatch,
    /// An SSE-C key sent over plain HTTP.
    #[error("Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.")]
    CustomerKeyOverHttp,
}

#[cfg(test)]
mod tests;
