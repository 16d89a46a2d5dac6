//! Unit tests of `api/request/copy_source.rs`.

use proptest::prelude::*;

use super::*;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::error::COPY_SOURCE_RANGE_FORM;

/// The S3 error code a rejection is answered with.
use crate::storage::meta::version::VersionRef;

fn s3_code(err: &HeaderError) -> S3ErrorCode {
    S3Error::from(err.clone()).code
}

fn source(bucket: &str, key: &str, version: Option<&str>) -> CopySource {
    CopySource {
        bucket: bucket.into(),
        key: key.into(),
        version: version.and_then(VersionRef::parse),
    }
}

#[test]
fn copy_source_plain_and_leading_slash() {
    assert_eq!(parse_copy_source("bkt/key"), Ok(source("bkt", "key", None)));
    assert_eq!(
        parse_copy_source("/bkt/key"),
        Ok(source("bkt", "key", None))
    );
    assert_eq!(
        parse_copy_source("bkt/dir/sub/file.txt"),
        Ok(source("bkt", "dir/sub/file.txt", None))
    );
}

#[test]
fn copy_source_is_percent_decoded() {
    assert_eq!(
        parse_copy_source("/bkt/my%20file%3F.txt"),
        Ok(source("bkt", "my file?.txt", None))
    );
    assert_eq!(
        parse_copy_source("bkt/caf%C3%A9"),
        Ok(source("bkt", "café", None))
    );
    // Encoded separator, as sent by clients that escape the whole value.
    assert_eq!(
        parse_copy_source("bkt%2Fa%2Fb"),
        Ok(source("bkt", "a/b", None))
    );
    // '+' is a literal plus in path encoding.
    assert_eq!(parse_copy_source("bkt/a+b"), Ok(source("bkt", "a+b", None)));
    // Key that starts with a slash.
    assert_eq!(parse_copy_source("/bkt//k"), Ok(source("bkt", "/k", None)));
}

#[test]
fn copy_source_null_version() {
    assert_eq!(
        parse_copy_source("/bkt/key?versionId=null"),
        Ok(source("bkt", "key", Some("null")))
    );
    assert_eq!(
        parse_copy_source("/bkt/key?"),
        Ok(source("bkt", "key", None))
    );
}

#[test]
fn copy_source_other_versions_rejected() {
    for h in [
        "/bkt/key?versionId=3HL4kqtJlcpXroDTDmJ",
        "/bkt/key?versionId=00000000000000zz",
        "/bkt/key?versionId=",
        "/bkt/key?versionId",
        "/bkt/key?versionId=null&versionId=abc",
    ] {
        let err = parse_copy_source(h).expect_err(h);
        assert_eq!(err, HeaderError::CopySourceVersionId, "{h}");
        assert_eq!(s3_code(&err), S3ErrorCode::InvalidArgument, "{h}");
        assert_eq!(err.to_string(), "Invalid version id specified", "{h}");
    }
}

#[test]
fn copy_source_unknown_query_rejected() {
    let err = parse_copy_source("/bkt/what?is=this").expect_err("query");
    assert_eq!(err, HeaderError::CopySourceUnknownParameter);
    assert_eq!(s3_code(&err), S3ErrorCode::InvalidArgument);
}

#[test]
fn copy_source_missing_parts() {
    for h in [
        "",
        "/",
        "bkt",
        "/bkt",
        "bkt/",
        "/bkt/",
        "//key",
        "/bkt?versionId=null",
    ] {
        let err = parse_copy_source(h).expect_err(h);
        assert_eq!(err, HeaderError::CopySourceIncomplete, "{h:?}");
        assert_eq!(s3_code(&err), S3ErrorCode::InvalidArgument, "{h:?}");
    }
}

#[test]
fn copy_source_access_point_arn_rejected() {
    for h in [
        "arn:aws:s3:us-west-2:123456789012:accesspoint/my-ap/object/key",
        "/arn%3Aaws%3As3%3Aus-west-2%3A123456789012%3Aaccesspoint%2Fmy-ap%2Fobject%2Fkey",
    ] {
        let err = parse_copy_source(h).expect_err(h);
        assert_eq!(err, HeaderError::CopySourceAccessPoint, "{h}");
        assert_eq!(s3_code(&err), S3ErrorCode::InvalidArgument, "{h}");
    }
}

#[test]
fn copy_source_invalid_utf8_rejected() {
    let err = parse_copy_source("bkt/%FF%FE").expect_err("utf8");
    assert_eq!(err, HeaderError::CopySourceNotUtf8);
    assert_eq!(s3_code(&err), S3ErrorCode::InvalidArgument);
}

#[test]
fn copy_source_key_too_long() {
    let header = format!("bkt/{}", "k".repeat(1025));
    assert_eq!(
        parse_copy_source(&header),
        Err(HeaderError::ObjectKeyTooLong {
            size: 1025,
            max: 1024
        })
    );
}

// ----- parse_copy_source_range -----

#[test]
fn copy_source_range_valid() {
    assert_eq!(parse_copy_source_range("bytes=0-9", 10), Ok(0..10));
    assert_eq!(parse_copy_source_range("bytes=3-3", 10), Ok(3..4));
    assert_eq!(parse_copy_source_range("bytes=5-8", 10), Ok(5..9));
}

#[test]
fn copy_source_range_bad_form() {
    for h in [
        "0-9",
        "bytes=0-",
        "bytes=-5",
        "bytes=0-1,3-4",
        "bytes=a-b",
        "bytes=",
        "Bytes=0-1",
        "bytes=0",
        "",
    ] {
        let err = parse_copy_source_range(h, 10).expect_err(h);
        assert_eq!(err, HeaderError::CopySourceRangeMalformed, "{h:?}");
        let s3 = S3Error::from(err.clone());
        assert_eq!(s3.code, S3ErrorCode::InvalidArgument, "{h:?}");
        assert_eq!(s3.http_status(), 400);
        assert_eq!(s3.message, COPY_SOURCE_RANGE_FORM, "{h:?}");
        assert_eq!(err.to_string(), COPY_SOURCE_RANGE_FORM, "{h:?}");
    }
}

#[test]
fn copy_source_range_outside_source() {
    for h in [
        "bytes=0-10",
        "bytes=10-12",
        "bytes=5-2",
        "bytes=0-99999999999999999999999",
    ] {
        let err = parse_copy_source_range(h, 10).expect_err(h);
        assert_eq!(
            err,
            HeaderError::CopySourceRangeOutside { source_size: 10 },
            "{h}"
        );
        let s3 = S3Error::from(err);
        assert_eq!(s3.code, S3ErrorCode::InvalidArgument, "{h}");
        assert_eq!(
            s3.message, "Range specified is not valid for source object of size: 10",
            "{h}"
        );
    }
    assert!(parse_copy_source_range("bytes=0-0", 0).is_err());
}

proptest! {
    #[test]
    fn copy_source_range_within_source(header in ".*", size in any::<u64>()) {
        if let Ok(r) = parse_copy_source_range(&header, size) {
            prop_assert!(r.start < r.end && r.end <= size);
        }
    }

    #[test]
    fn copy_source_round_trips_encoded_keys(
        bucket in "[a-z0-9]{3,20}",
        key in "[^\u{0}]{1,60}",
        slash in any::<bool>(),
    ) {
        let encoded = percent_encoding::utf8_percent_encode(&key, percent_encoding::NON_ALPHANUMERIC);
        let header = format!("{}{bucket}/{encoded}", if slash { "/" } else { "" });
        let parsed = parse_copy_source(&header);
        prop_assert_eq!(parsed, Ok(CopySource { bucket, key, version: None }));
    }

    #[test]
    fn copy_source_never_panics(header in ".*") {
        let _ = parse_copy_source(&header);
    }
}
