//! The S3 answer to a metadata op the state machine refused.
//!
//! Storage reports refusals as [`MetaOpError`] and knows nothing of S3
//! codes or HTTP statuses; this is the one place that decides what the
//! client sees. The match has no catch-all, so a new refusal cannot reach
//! clients without someone choosing its code.

use super::{S3Error, S3ErrorCode};
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
        };
        S3Error::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapped(e: MetaOpError) -> (&'static str, u16) {
        let s3 = S3Error::from(e);
        (s3.code.as_str(), s3.http_status())
    }

    #[test]
    fn error_codes_map_to_s3() {
        assert_eq!(mapped(MetaOpError::NoSuchBucket), ("NoSuchBucket", 404));
        assert_eq!(mapped(MetaOpError::BucketNotEmpty).1, 409);
        assert_eq!(mapped(MetaOpError::PreconditionFailed).1, 412);
        assert_eq!(mapped(MetaOpError::EntityTooSmall).1, 400);
    }

    #[test]
    fn every_refusal_has_its_s3_code_and_status() {
        use MetaOpError::*;
        let want = [
            (NoSuchBucket, "NoSuchBucket", 404),
            (BucketAlreadyOwnedByYou, "BucketAlreadyOwnedByYou", 409),
            (BucketAlreadyExists, "BucketAlreadyExists", 409),
            (BucketNotEmpty, "BucketNotEmpty", 409),
            (NoSuchKey, "NoSuchKey", 404),
            (PreconditionFailed, "PreconditionFailed", 412),
            (NoSuchUpload, "NoSuchUpload", 404),
            (InvalidPart, "InvalidPart", 400),
            (InvalidPartOrder, "InvalidPartOrder", 400),
            (EntityTooSmall, "EntityTooSmall", 400),
            (InvalidBucketName, "InvalidBucketName", 400),
            (KeyTooLongError, "KeyTooLongError", 400),
            (InvalidArgument, "InvalidArgument", 400),
            (InvalidRequest, "InvalidRequest", 400),
            (UploadAlreadyExists, "InternalError", 500),
            (StaleLayout, "ServiceUnavailable", 503),
            (Fenced, "ServiceUnavailable", 503),
            (ShardCountMismatch, "InternalError", 500),
        ];
        for (e, code, status) in want {
            assert_eq!(mapped(e), (code, status), "{e:?}");
        }
    }
}
