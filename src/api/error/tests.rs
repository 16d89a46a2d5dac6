//! Unit tests of the S3 error codes: distinct spellings, lookups and AWS's
//! statuses.

use super::*;

#[test]
fn code_strings_are_distinct_and_look_up() {
    let mut seen = std::collections::HashSet::new();
    for &code in S3ErrorCode::ALL {
        assert!(seen.insert(code.as_str()), "duplicate {code}");
        assert_eq!(S3ErrorCode::from_aws_str(code.as_str()), Some(code));
        assert!(!code.default_message().is_empty());
    }
    assert_eq!(S3ErrorCode::from_aws_str("TooManyParts"), None);
}

#[test]
fn statuses_match_aws() {
    use S3ErrorCode::*;
    let expected = [
        (AccessDenied, 403),
        (BadDigest, 400),
        (BucketAlreadyExists, 409),
        (BucketAlreadyOwnedByYou, 409),
        (BucketNotEmpty, 409),
        (EntityTooLarge, 400),
        (EntityTooSmall, 400),
        (IncompleteBody, 400),
        (InternalError, 500),
        (InvalidAccessKeyId, 403),
        (InvalidArgument, 400),
        (InvalidBucketName, 400),
        (InvalidDigest, 400),
        (InvalidPart, 400),
        (InvalidPartOrder, 400),
        (InvalidRange, 416),
        (InvalidRequest, 400),
        (InvalidURI, 400),
        (InvalidStorageClass, 400),
        (KeyTooLongError, 400),
        (MalformedXML, 400),
        (MethodNotAllowed, 405),
        (MissingContentLength, 411),
        (MissingSecurityHeader, 400),
        (NoSuchBucket, 404),
        (NoSuchKey, 404),
        (NoSuchUpload, 404),
        (NotImplemented, 501),
        (NotModified, 304),
        (PreconditionFailed, 412),
        (RequestTimeTooSkewed, 403),
        (RequestTimeout, 400),
        (SignatureDoesNotMatch, 403),
        (SlowDown, 503),
        (ServiceUnavailable, 503),
        (XAmzContentSHA256Mismatch, 400),
        (AuthorizationHeaderMalformed, 400),
        (ExpiredToken, 400),
        (InvalidObjectState, 403),
        (AccessForbidden, 403),
        (BadRequest, 400),
        (UnexpectedContent, 400),
    ];
    for (code, status) in expected {
        assert_eq!(code.http_status(), status, "{code}");
    }
}
