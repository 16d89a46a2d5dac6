//! Unit tests of `api/request/unsupported.rs`.

use super::*;

fn check(name: &str, value: &str, scope: HeaderScope) -> Result<(), HeaderError> {
    check_unsupported_headers([(name, value)], scope)
}

#[test]
fn features_the_store_lacks_are_refused_on_create() {
    for (name, value) in [
        ("x-amz-server-side-encryption", "AES256"),
        ("x-amz-server-side-encryption", "aws:kms"),
        ("x-amz-server-side-encryption-aws-kms-key-id", "k"),
        ("x-amz-storage-class", "GLACIER"),
        ("x-amz-website-redirect-location", "/x"),
    ] {
        assert_eq!(
            check(name, value, HeaderScope::Create),
            Err(HeaderError::UnsupportedHeader(name.into())),
            "{name}: {value}"
        );
    }
    assert_eq!(
        check("x-amz-storage-class", "BOGUS", HeaderScope::Create),
        Err(HeaderError::InvalidStorageClass)
    );
    assert_eq!(
        check("x-amz-server-side-encryption", "bogus", HeaderScope::Create),
        Err(HeaderError::InvalidEncryptionMethod)
    );
}

#[test]
fn what_the_store_does_anyway_passes() {
    for (name, value) in [
        ("x-amz-storage-class", "STANDARD"),
        ("x-amz-acl", "public-read"),
        (
            "x-amz-grant-read",
            "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
        ),
        ("x-amz-bucket-object-lock-enabled", "false"),
        ("x-amz-bucket-object-lock-enabled", "true"),
        ("x-amz-object-lock-mode", "GOVERNANCE"),
        ("x-amz-object-lock-legal-hold", "ON"),
        ("x-amz-meta-color", "blue"),
        ("x-amz-checksum-crc32", "AAAAAA=="),
        ("x-amz-request-payer", "requester"),
    ] {
        assert_eq!(check(name, value, HeaderScope::Create), Ok(()), "{name}");
    }
}

#[test]
fn reads_and_parts_check_customer_keys_only() {
    assert_eq!(
        check("x-amz-storage-class", "GLACIER", HeaderScope::CustomerKeys),
        Ok(())
    );
    assert!(check(
        "x-amz-server-side-encryption-customer-algorithm",
        "AES256",
        HeaderScope::CustomerKeys
    )
    .is_err());
}
