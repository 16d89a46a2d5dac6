//! The S3 answer to a metadata op the state machine refused.
//!
//! Storage reports refusals as [`MetaOpError`] and knows nothing of S3
//! codes or HTTP statuses; this is the one place that decides what the
//! client sees. The match has no catch-all, so a new refusal cannot reach
//! clients without someone choosing its code.

use super::code::S3ErrorCode;
use super::s3_error::S3Error;
use crate::storage::meta::MetaOpError;

impl From<MetaOpError> for S3Error {
    fn from(e: MetaOpError) -> Self {
        let code = match e {
            MetaOpError::NoSuchBucket => S3ErrorCode::NoSuchBucket,
            MetaOpError::BucketAlreadyOwnedByYou => S3ErrorCode::BucketAlreadyOwnedByYou,
            MetaOpError::BucketAlreadyExists => S3ErrorCode::BucketAlreadyExists,
            MetaOpError::BucketNotEmpty => S3ErrorCode::BucketNotEmpty,
            MetaOpError::NoSuchKey => S3ErrorCode::NoSuchKey,
            MetaOpError::PreconditionFailed => S3ErrorCode::PreconditionFailed,
            MetaOpError::NoSuchUpload => S3ErrorCode::NoSuchUpload,
            MetaOpError::InvalidPart => S3ErrorCode::InvalidPart,
            MetaOpError::InvalidPartOrder => S3ErrorCode::InvalidPartOrder,
            MetaOpError::EntityTooSmall => S3ErrorCode::EntityTooSmall,
            MetaOpError::InvalidBucketName => S3ErrorCode::InvalidBucketName,
            MetaOpError::KeyTooLongError => S3ErrorCode::KeyTooLongError,
            MetaOpError::InvalidArgument => S3ErrorCode::InvalidArgument,
            MetaOpError::InvalidRequest => S3ErrorCode::InvalidRequest,
            // Upload ids are unique by construction: a clash is our bug. A
            // placement change comes from repair, never from a client.
            MetaOpError::UploadAlreadyExists | MetaOpError::ShardCountMismatch => {
                S3ErrorCode::InternalError
            }
            // The cluster layout changed under the request, or the op was
            // cancelled before it applied: retrying works.
            MetaOpError::StaleLayout | MetaOpError::Fenced => S3ErrorCode::ServiceUnavailable,
            MetaOpError::NoSuchVersion => S3ErrorCode::NoSuchVersion,
            // A locked version: AWS answers every such refusal AccessDenied.
            MetaOpError::ObjectLocked => S3ErrorCode::AccessDenied,
            MetaOpError::InvalidBucketState => S3ErrorCode::InvalidBucketState,
            MetaOpError::NoObjectLockConfig => S3ErrorCode::InvalidRequest,
            MetaOpError::DeleteMarkerTarget => S3ErrorCode::MethodNotAllowed,
            MetaOpError::QuotaExceeded => S3ErrorCode::QuotaExceeded,
            // IAM changes come only from the IAM API, which answers its
            // own codes (`api::iam`); never an S3 request's refusal.
            MetaOpError::Iam(_) => S3ErrorCode::InvalidRequest,
        };
        S3Error::new(code)
    }
}

#[cfg(test)]
mod tests;
