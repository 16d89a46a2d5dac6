//! Unit tests of `api/request/user_metadata.rs`.

use proptest::prelude::*;

use super::*;
use crate::api::error::{S3Error, S3ErrorCode};

#[test]
fn user_metadata_collects_in_order() {
    let headers = [
        ("content-type", "text/plain"),
        ("x-amz-meta-Zeta", "1"),
        ("X-Amz-Meta-alpha", "2"),
        ("x-amz-metadata-directive", "REPLACE"),
        ("x-amz-meta-mid", ""),
    ];
    assert_eq!(
        user_metadata(headers),
        Ok(vec![
            ("zeta".to_owned(), "1".to_owned()),
            ("alpha".to_owned(), "2".to_owned()),
            ("mid".to_owned(), String::new()),
        ])
    );
}

#[test]
fn user_metadata_joins_repeated_names() {
    let headers = [
        ("x-amz-meta-a", "1"),
        ("x-amz-meta-b", "x"),
        ("X-AMZ-META-A", "2"),
    ];
    assert_eq!(
        user_metadata(headers),
        Ok(vec![
            ("a".to_owned(), "1,2".to_owned()),
            ("b".to_owned(), "x".to_owned()),
        ])
    );
}

#[test]
fn user_metadata_empty_name_rejected() {
    assert_eq!(
        user_metadata([("x-amz-meta-", "v")]),
        Err(HeaderError::EmptyMetadataName)
    );
    assert_eq!(
        user_metadata([("x-amz-meta-", "v")]).map_err(|e| S3Error::from(e).code),
        Err(S3ErrorCode::InvalidArgument)
    );
}

#[test]
fn user_metadata_size_limit() {
    // "k" + 2047 bytes = 2048: exactly at the limit.
    let at_limit = "v".repeat(2047);
    assert!(user_metadata([("x-amz-meta-k", at_limit.as_str())]).is_ok());
    let over = "v".repeat(2048);
    assert_eq!(
        user_metadata([("x-amz-meta-k", over.as_str())]),
        Err(HeaderError::MetadataTooLarge {
            size: 2049,
            max: 2048
        })
    );
    // Spread over several headers, the prefix is not counted.
    let chunk = "v".repeat(1000);
    assert!(user_metadata([
        ("x-amz-meta-a", chunk.as_str()),
        ("x-amz-meta-b", chunk.as_str())
    ])
    .is_ok());
    let err = user_metadata([
        ("x-amz-meta-a", chunk.as_str()),
        ("x-amz-meta-b", chunk.as_str()),
        ("x-amz-meta-c", chunk.as_str()),
    ])
    .expect_err("too large");
    let err = S3Error::from(err);
    assert_eq!(err.code, S3ErrorCode::MetadataTooLarge);
    assert_eq!(err.http_status(), 400);
}

#[test]
fn user_metadata_handles_non_ascii_header_names() {
    // Slicing at the prefix length must not split a character.
    assert_eq!(user_metadata([("x-amz-metaé-a", "v")]), Ok(vec![]));
    assert_eq!(user_metadata([("é", "v")]), Ok(vec![]));
}

proptest! {
    #[test]
    fn user_metadata_never_panics(pairs in proptest::collection::vec((".*", ".*"), 0..8)) {
        let _ = user_metadata(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
}
