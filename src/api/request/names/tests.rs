//! Unit tests of `api/request/names.rs`.

use proptest::prelude::*;

use super::*;
use crate::api::error::{S3Error, S3ErrorCode};

fn bucket_reason(name: &str) -> Option<&'static str> {
    match validate_bucket_name(name) {
        Ok(()) => None,
        Err(HeaderError::InvalidBucketName { bucket, reason }) => {
            assert_eq!(bucket, name);
            Some(reason)
        }
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn bucket_names_accepted() {
    for name in [
        "abc",
        "my-bucket",
        "my.bucket.name",
        "1bucket",
        "bucket1",
        "a-b.c-d",
        "192.168.5",
        "192.168.5.4.5",
        "1.2.3.a",
        "xn-bucket",
        "sthree",
        "s3alias",
        "bucket-s3alias1",
        &"a".repeat(63),
    ] {
        assert_eq!(bucket_reason(name), None, "{name:?}");
    }
}

#[test]
fn a_period_next_to_a_hyphen_is_refused() {
    for name in ["foo.-bar", "foo-.bar", "a-.-b"] {
        assert!(bucket_reason(name).is_some(), "{name:?}");
    }
}

#[test]
fn bucket_name_length() {
    assert!(bucket_reason("ab").is_some());
    assert!(bucket_reason("").is_some());
    assert!(bucket_reason(&"a".repeat(64)).is_some());
}

#[test]
fn bucket_name_characters() {
    for name in [
        "MyBucket",
        "my_bucket",
        "my bucket",
        "bücket",
        "my/bucket",
        "a:b",
    ] {
        assert!(bucket_reason(name).is_some(), "{name:?}");
    }
}

#[test]
fn bucket_name_ends() {
    for name in ["-bucket", "bucket-", ".bucket", "bucket."] {
        assert_eq!(
            bucket_reason(name),
            Some("must begin and end with a letter or digit"),
            "{name:?}"
        );
    }
}

#[test]
fn bucket_name_adjacent_periods() {
    assert_eq!(
        bucket_reason("my..bucket"),
        Some("must not contain two adjacent periods")
    );
}

#[test]
fn bucket_name_ip_address() {
    for name in ["192.168.5.4", "1.2.3.4", "999.999.999.999", "0000.0.0.0"] {
        assert_eq!(
            bucket_reason(name),
            Some("must not be formatted as an IP address"),
            "{name:?}"
        );
    }
}

#[test]
fn bucket_name_reserved_prefixes_and_suffixes() {
    for name in [
        "xn--bucket",
        "sthree-bucket",
        "sthree-configurator",
        "amzn-s3-demo-bucket",
    ] {
        assert_eq!(
            bucket_reason(name),
            Some("must not start with a reserved prefix"),
            "{name:?}"
        );
    }
    for name in [
        "bucket-s3alias",
        "bucket--ol-s3",
        "bucket.mrap",
        "bucket--x-s3",
        "bucket--table-s3",
    ] {
        assert_eq!(
            bucket_reason(name),
            Some("must not end with a reserved suffix"),
            "{name:?}"
        );
    }
}

// ----- validate_object_key -----

#[test]
fn object_key_limits() {
    assert_eq!(validate_object_key("a"), Ok(()));
    assert_eq!(validate_object_key(&"k".repeat(1024)), Ok(()));
    assert_eq!(
        validate_object_key(&"k".repeat(1025)),
        Err(HeaderError::ObjectKeyTooLong {
            size: 1025,
            max: 1024
        })
    );
    assert_eq!(validate_object_key(""), Err(HeaderError::EmptyObjectKey));
    assert_eq!(
        validate_object_key("").map_err(|e| S3Error::from(e).code),
        Err(S3ErrorCode::InvalidArgument)
    );
}

#[test]
fn object_key_limit_counts_bytes_not_chars() {
    // 'é' is two bytes: 512 of them fit, 513 do not.
    assert_eq!(validate_object_key(&"é".repeat(512)), Ok(()));
    assert_eq!(
        validate_object_key(&"é".repeat(513)),
        Err(HeaderError::ObjectKeyTooLong {
            size: 1026,
            max: 1024
        })
    );
}

proptest! {
    #[test]
    fn bucket_validator_never_panics(name in ".*") {
        let _ = validate_bucket_name(&name);
    }

    #[test]
    fn accepted_bucket_names_obey_the_basic_rules(name in "[a-z0-9.-]{1,70}") {
        if validate_bucket_name(&name).is_ok() {
            prop_assert!((3..=63).contains(&name.len()));
            prop_assert!(!name.contains(".."));
            prop_assert!(!name.contains(".-") && !name.contains("-."));
            prop_assert!(!name.starts_with(['.', '-']));
            prop_assert!(!name.ends_with(['.', '-']));
        }
    }
}
