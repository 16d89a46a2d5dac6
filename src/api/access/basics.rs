//! The small pieces every access decision shares: the refusal, the
//! caller, the addressed bucket's record, the owner a request expects.

use actix_web::http::header::HeaderMap;

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

/// `x-amz-expected-bucket-owner` (or, for a copy's source bucket,
/// `x-amz-source-expected-bucket-owner`: `header` names which): a client
/// that names the owner it expects is refused `AccessDenied` by a bucket
/// someone else owns, whatever it would be allowed there, so that it never
/// reads from or writes into a bucket it took for its own. The owner is the
/// user id that `Owner/ID` shows (ListBuckets, GetBucketAcl).
pub(crate) fn check_expected_owner(
    headers: &HeaderMap,
    header: &str,
    bucket: &BucketRecord,
) -> Result<(), S3Error> {
    match headers.get(header) {
        Some(owner) if owner.as_bytes() != bucket.owner.as_bytes() => Err(denied()),
        _ => Ok(()),
    }
}
