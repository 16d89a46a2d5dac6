//! Unit tests of `api/request/unsupported.rs`.

use super::*;

fn check(name: &str, value: &str) -> Result<(), HeaderError> {
    check_unsupported_headers([(name, value)])
}

#[test]
fn features_the_store_lacks_are_refused() {
    for (name, value) in [
        ("x-amz-storage-class", "GLACIER"),
        ("x-amz-website-redirect-location", "/x"),
        ("x-amz-write-offset-bytes", "0"),
    ] {
        assert_eq!(
            check(name, value),
            Err(HeaderError::UnsupportedHeader(name.into())),
            "{name}: {value}"
        );
    }
    assert_eq!(
        check("x-amz-storage-class", "BOGUS"),
        Err(HeaderError::InvalidStorageClass)
    );
}

#[test]
fn what_the_store_does_passes() {
    for (name, value) in [
        ("x-amz-storage-class", "STANDARD"),
        ("x-amz-server-side-encryption", "AES256"),
        ("x-amz-server-side-encryption", "aws:kms"),
        ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
        ("x-amz-acl", "public-read"),
        (
            "x-amz-grant-read",
            "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
        ),
        ("x-amz-bucket-object-lock-enabled", "true"),
        ("x-amz-object-lock-mode", "GOVERNANCE"),
        ("x-amz-object-lock-legal-hold", "ON"),
        ("x-amz-meta-color", "blue"),
        ("x-amz-checksum-crc32", "AAAAAA=="),
        ("x-amz-request-payer", "requester"),
    ] {
        assert_eq!(check(name, value), Ok(()), "{name}");
    }
}
