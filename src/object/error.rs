//! Why an object operation failed, in the object service's own terms; the
//! S3 edge decides the code and status each variant is answered with.

use crate::actors::core::consensus::ConsensusError;
use crate::storage::meta::MetaOpError;

use super::coordinator::CoordinatorError;

/// An object operation that did not happen (or whose outcome is unknown).
#[derive(Debug, thiserror::Error)]
pub(crate) enum ObjectError {
    /// The bucket does not exist.
    #[error("no such bucket: {0}")]
    NoSuchBucket(String),
    /// The key does not exist in the bucket.
    #[error("no such key: {bucket}/{key}")]
    NoSuchKey {
        /// The bucket that was asked.
        bucket: String,
        /// The key it does not hold.
        key: String,
    },
    /// The version named does not exist for the key.
    #[error("no such version of {bucket}/{key}")]
    NoSuchVersion {
        /// The bucket that was asked.
        bucket: String,
        /// The key asked for.
        key: String,
    },
    /// The multipart upload does not exist (or targets another key).
    #[error("no such upload")]
    NoSuchUpload,
    /// The object (or part) is larger than allowed.
    #[error("{size} bytes is over the limit of {max}")]
    TooLarge {
        /// Bytes declared.
        size: u64,
        /// The largest size allowed, in bytes.
        max: u64,
    },
    /// The body had a different length than declared.
    #[error("body of {received} bytes, {declared} declared")]
    IncompleteBody {
        /// Bytes received.
        received: u64,
        /// Bytes declared.
        declared: u64,
    },
    /// The metadata state machine refused the op.
    #[error("refused: {0}")]
    Refused(#[from] MetaOpError),
    /// The metadata group did not answer, or answered with a failure.
    #[error("metadata: {0}")]
    Metadata(#[from] ConsensusError),
    /// Object data could not be written or read.
    #[error("data: {0}")]
    Data(#[from] CoordinatorError),
    /// Data could not be encrypted or decrypted with the keys given.
    #[error("encryption: {0}")]
    Encryption(#[from] super::sse::SseError),
    /// A local invariant broke (a bug, not the caller's fault).
    #[error("internal: {0}")]
    Internal(&'static str),
}
