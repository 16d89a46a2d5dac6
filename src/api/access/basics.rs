//! The small pieces every access decision shares: the refusal, the
//! caller, the addressed bucket's record.

use crate::api::context::S3Request;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::storage::meta::BucketRecord;

/// `AccessDenied`.
pub(crate) fn denied() -> S3Error {
    S3Error::new(S3ErrorCode::AccessDenied)
}

/// The caller's user id (`None`: anonymous).
pub(crate) fn caller_id(r: &S3Request) -> Option<&str> {
    r.caller.as_ref().map(|c| c.user_id.as_str())
}

/// The addressed bucket's record (read by authorization).
pub(crate) fn bucket_of(r: &S3Request) -> Result<&BucketRecord, S3Error> {
    r.bucket_record
        .as_ref()
        .ok_or_else(|| S3Error::new(S3ErrorCode::InternalError))
}
