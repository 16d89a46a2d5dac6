//! The object service's errors (and the layers under it: consensus, object
//! data) as S3 errors.

use super::code::S3ErrorCode;
use super::s3_error::S3Error;
use crate::actors::core::consensus::ConsensusError;
use crate::object::sse::SseError;
use crate::object::{CoordinatorError, ObjectError};

impl From<ObjectError> for S3Error {
    fn from(e: ObjectError) -> Self {
        match e {
            ObjectError::NoSuchBucket(bucket) => {
                S3Error::new(S3ErrorCode::NoSuchBucket).with_resource(format!("/{bucket}"))
            }
            ObjectError::NoSuchKey { bucket, key } => {
                S3Error::new(S3ErrorCode::NoSuchKey).with_resource(format!("/{bucket}/{key}"))
            }
            ObjectError::NoSuchVersion { bucket, key } => {
                S3Error::new(S3ErrorCode::NoSuchVersion).with_resource(format!("/{bucket}/{key}"))
            }
            ObjectError::NoSuchUpload => S3Error::new(S3ErrorCode::NoSuchUpload),
            ObjectError::TooLarge { .. } => S3Error::new(S3ErrorCode::EntityTooLarge),
            ObjectError::IncompleteBody { .. } => S3Error::new(S3ErrorCode::IncompleteBody),
            ObjectError::Refused(e) => e.into(),
            ObjectError::Metadata(e) => e.into(),
            ObjectError::Data(e) => e.into(),
            ObjectError::Encryption(e) => e.into(),
            ObjectError::Internal(what) => {
                tracing::error!(error = what, "object request failed");
                S3Error::new(S3ErrorCode::InternalError)
            }
        }
    }
}

/// Data that could not be encrypted or decrypted with the keys given, as
/// AWS answers each case.
impl From<SseError> for S3Error {
    fn from(e: SseError) -> Self {
        match e {
            SseError::NoMasterKey => S3Error::new(S3ErrorCode::NotImplemented).with_message(
                "Server side encryption specified but no master key is configured (PREDASTORE_KMS_KEYS)",
            ),
            SseError::UnknownKey(id) => S3Error::new(S3ErrorCode::KmsNotFound)
                .with_message(format!("Invalid keyId {id}")),
            SseError::KeyRequired => S3Error::new(S3ErrorCode::InvalidRequest).with_message(
                "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.",
            ),
            SseError::WrongKey => S3Error::new(S3ErrorCode::InvalidArgument).with_message("The provided customer encryption key does not match the key the object was encrypted with."),
            SseError::NotCustomerEncrypted => S3Error::new(S3ErrorCode::InvalidRequest)
                .with_message("The encryption parameters are not applicable to this object."),
            SseError::Damaged | SseError::Random | SseError::KeyGone(_) => {
                tracing::error!(error = %e, "encrypted data could not be read or written");
                S3Error::new(S3ErrorCode::InternalError)
            }
        }
    }
}

/// Metadata that could not be committed or read. A client may retry any
/// 503: an op that was never applied (no leader, overloaded) changed
/// nothing, and one whose outcome is unknown either applied once or is
/// fenced off, never applied twice (see `actors::core::consensus`).
impl From<ConsensusError> for S3Error {
    fn from(e: ConsensusError) -> Self {
        let code = match e {
            ConsensusError::Busy => S3ErrorCode::SlowDown,
            ConsensusError::NotLeader(_)
            | ConsensusError::Unavailable(_)
            | ConsensusError::Indeterminate(_) => S3ErrorCode::ServiceUnavailable,
            ConsensusError::Failed(_) => S3ErrorCode::InternalError,
        };
        tracing::warn!(error = %e, "metadata request failed");
        let error = S3Error::new(code);
        match code {
            S3ErrorCode::InternalError => error,
            _ => error.with_header("Retry-After", "1"),
        }
    }
}

/// Object data that could not be moved. Too few shard nodes reachable is
/// a state that passes (a node restarting, a node down and a write that
/// needs it): 503 with `Retry-After`, as AWS answers when it cannot serve
/// a request now. Anything else is our fault: 500.
impl From<CoordinatorError> for S3Error {
    fn from(e: CoordinatorError) -> Self {
        let error = match e {
            CoordinatorError::Quorum(_) => {
                tracing::warn!(error = %e, "object data request failed: too few shards");
                return S3Error::new(S3ErrorCode::ServiceUnavailable)
                    .with_header("Retry-After", "1");
            }
            CoordinatorError::Erasure(_)
            | CoordinatorError::Storage(_)
            | CoordinatorError::Peer(_)
            | CoordinatorError::Layout(_) => S3Error::new(S3ErrorCode::InternalError),
        };
        tracing::error!(error = %e, "object data request failed");
        error
    }
}
