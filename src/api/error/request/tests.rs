//! Unit tests of `api/error/request.rs`.

use super::*;
use crate::api::request::{parse_range, user_metadata};

#[test]
fn codes_and_statuses() {
    let cases = [
        (
            HeaderError::RangeNotSatisfiable {
                requested: "bytes=9-".into(),
                object_size: 1,
            },
            S3ErrorCode::InvalidRange,
            416,
        ),
        (
            HeaderError::InvalidBucketName {
                bucket: "A".into(),
                reason: "r",
            },
            S3ErrorCode::InvalidBucketName,
            400,
        ),
        (
            HeaderError::PreconditionFailed {
                condition: "If-Match",
            },
            S3ErrorCode::PreconditionFailed,
            412,
        ),
        (HeaderError::NotModified, S3ErrorCode::NotModified, 304),
        (
            HeaderError::ResponseOverrideAnonymous,
            S3ErrorCode::InvalidRequest,
            400,
        ),
        (
            HeaderError::ObjectKeyTooLong {
                size: 2000,
                max: 1024,
            },
            S3ErrorCode::KeyTooLongError,
            400,
        ),
        (
            HeaderError::MetadataTooLarge {
                size: 3000,
                max: 2048,
            },
            S3ErrorCode::MetadataTooLarge,
            400,
        ),
        (
            HeaderError::EmptyObjectKey,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::CopySourceNotUtf8,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::CopySourceAccessPoint,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::CopySourceIncomplete,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::CopySourceUnknownParameter,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::CopySourceVersionId,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::CopySourceRangeMalformed,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::CopySourceRangeOutside { source_size: 3 },
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::ResponseOverrideControlCharacters {
                parameter: "response-content-type",
            },
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::EmptyMetadataName,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::InvalidMaxKeys,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::InvalidPartNumber,
            S3ErrorCode::InvalidArgument,
            400,
        ),
        (
            HeaderError::InvalidContinuationToken,
            S3ErrorCode::InvalidArgument,
            400,
        ),
    ];
    for (err, code, status) in cases {
        let message = err.to_string();
        let s3 = S3Error::from(err);
        assert_eq!(s3.code, code, "{message}");
        assert_eq!(s3.http_status(), status, "{code}");
        assert_eq!(s3.message, message, "{code}");
        assert_eq!(s3.resource, None, "{code}");
    }
}

#[test]
fn messages_are_aws_wording() {
    let message = |e: HeaderError| S3Error::from(e).message;
    assert_eq!(
        message(HeaderError::PreconditionFailed {
            condition: "If-Match"
        }),
        "At least one of the pre-conditions you specified did not hold"
    );
    assert_eq!(
        message(HeaderError::InvalidBucketName {
            bucket: "A".into(),
            reason: "r"
        }),
        "The specified bucket is not valid."
    );
    assert_eq!(
        message(HeaderError::ObjectKeyTooLong { size: 1, max: 1 }),
        "Your key is too long"
    );
    assert_eq!(
        message(HeaderError::CopySourceRangeOutside { source_size: 10 }),
        "Range specified is not valid for source object of size: 10"
    );
    assert_eq!(
        message(HeaderError::ResponseOverrideAnonymous),
        "Request specific response headers cannot be used for anonymous GET requests."
    );
    assert_eq!(
        message(HeaderError::InvalidContinuationToken),
        "The continuation token provided is incorrect"
    );
}

#[test]
fn only_invalid_range_carries_elements_and_headers() {
    let plain = [
        HeaderError::NotModified,
        HeaderError::PreconditionFailed {
            condition: "If-Match",
        },
        HeaderError::MetadataTooLarge {
            size: 3000,
            max: 2048,
        },
        HeaderError::InvalidMaxKeys,
    ];
    for err in plain {
        let s3 = S3Error::from(err);
        assert!(s3.elements.is_empty(), "{}", s3.code);
        assert!(s3.headers.is_empty(), "{}", s3.code);
    }
}

/// User metadata over 2 KB is `MetadataTooLarge`, not `InvalidArgument`.
#[test]
fn metadata_over_the_limit_is_metadata_too_large() {
    let value = "v".repeat(2048);
    let err = user_metadata([("x-amz-meta-k", value.as_str())]).expect_err("over 2 KB");
    let s3 = S3Error::from(err);
    assert_eq!(s3.code, S3ErrorCode::MetadataTooLarge);
    assert_eq!(s3.http_status(), 400);
    assert_eq!(
        s3.message,
        "Your metadata headers exceed the maximum allowed metadata size."
    );
}

/// An unsatisfiable range is 416 `InvalidRange` with what AWS sends:
/// `Content-Range: bytes */<size>`, `RangeRequested` (the header as sent)
/// and `ActualObjectSize`.
#[test]
fn unsatisfiable_range_is_invalid_range_with_details() {
    let header = "bytes=10-20";
    let err = parse_range(header, 5).expect_err("past the end");
    let s3 = S3Error::from(err);
    assert_eq!(s3.code, S3ErrorCode::InvalidRange);
    assert_eq!(s3.http_status(), 416);
    assert_eq!(s3.message, "The requested range is not satisfiable");
    assert_eq!(s3.headers, vec![("Content-Range", "bytes */5".to_owned())]);
    assert_eq!(
        s3.elements,
        vec![
            ("RangeRequested", "bytes=10-20".to_owned()),
            ("ActualObjectSize", "5".to_owned()),
        ]
    );
    assert_eq!(
        s3.with_resource("/b/k").to_xml("r"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidRange</Code>\
             <Message>The requested range is not satisfiable</Message><Resource>/b/k</Resource>\
             <RangeRequested>bytes=10-20</RangeRequested><ActualObjectSize>5</ActualObjectSize>\
             <RequestId>r</RequestId></Error>"
    );
}

/// `RangeRequested` is the header as sent (not normalised), and an empty
/// object reports size 0.
#[test]
fn invalid_range_keeps_the_header_as_sent() {
    let header = "Bytes=0-";
    let s3 = S3Error::from(parse_range(header, 0).expect_err("empty object"));
    assert_eq!(s3.headers, vec![("Content-Range", "bytes */0".to_owned())]);
    assert_eq!(
        s3.elements,
        vec![
            ("RangeRequested", "Bytes=0-".to_owned()),
            ("ActualObjectSize", "0".to_owned()),
        ]
    );
}
