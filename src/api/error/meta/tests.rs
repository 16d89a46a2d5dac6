//! Unit tests of `api/error/meta.rs`.

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
