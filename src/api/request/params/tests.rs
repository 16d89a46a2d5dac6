//! Unit tests of `api/request/params.rs`.

use proptest::prelude::*;

use super::*;
use crate::api::error::{S3Error, S3ErrorCode};

#[test]
fn max_keys() {
    assert_eq!(parse_max_keys(None, 1000, 1000), Ok(1000));
    assert_eq!(parse_max_keys(None, 5000, 1000), Ok(1000));
    assert_eq!(parse_max_keys(Some("0"), 1000, 1000), Ok(0));
    assert_eq!(parse_max_keys(Some("25"), 1000, 1000), Ok(25));
    assert_eq!(parse_max_keys(Some("+25"), 1000, 1000), Ok(25));
    assert_eq!(parse_max_keys(Some("5000"), 1000, 1000), Ok(1000));
    assert_eq!(parse_max_keys(Some("2147483647"), 1000, 1000), Ok(1000));
    for v in [
        "",
        "-1",
        "abc",
        "1.5",
        " 5",
        "2147483648",
        "99999999999999999999",
    ] {
        let err = parse_max_keys(Some(v), 1000, 1000).expect_err(v);
        assert_eq!(err, HeaderError::InvalidMaxKeys, "{v:?}");
        assert_eq!(
            S3Error::from(err).code,
            S3ErrorCode::InvalidArgument,
            "{v:?}"
        );
    }
}

#[test]
fn part_number() {
    assert_eq!(parse_part_number("1"), Ok(1));
    assert_eq!(parse_part_number("10000"), Ok(10_000));
    assert_eq!(parse_part_number("0042"), Ok(42));
    for v in ["0", "10001", "-1", "", "abc", "1.0", "4294967296"] {
        let err = parse_part_number(v).expect_err(v);
        assert_eq!(err, HeaderError::InvalidPartNumber, "{v:?}");
        assert_eq!(
            S3Error::from(err).code,
            S3ErrorCode::InvalidArgument,
            "{v:?}"
        );
    }
}

// ----- continuation tokens -----

#[test]
fn continuation_token_round_trip() {
    for key in [
        "a",
        "photos/2024/01/img.jpg",
        "日本語/キー",
        "sp ace+plus?&=",
    ] {
        let token = make_continuation_token(key);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{token}"
        );
        assert_eq!(parse_continuation_token(&token).as_deref(), Ok(key));
    }
}

#[test]
fn continuation_token_garbage_rejected() {
    let bad_utf8 = URL_SAFE_NO_PAD.encode([0xff, 0xfe]);
    for token in ["", "!!!", "a", "YQ==", "a b", "+/+/", bad_utf8.as_str()] {
        let err = parse_continuation_token(token).expect_err(token);
        assert_eq!(err, HeaderError::InvalidContinuationToken, "{token:?}");
        assert_eq!(
            S3Error::from(err.clone()).code,
            S3ErrorCode::InvalidArgument,
            "{token:?}"
        );
        assert_eq!(
            err.to_string(),
            "The continuation token provided is incorrect"
        );
    }
}

proptest! {
    #[test]
    fn continuation_token_round_trips(key in ".+") {
        let token = make_continuation_token(&key);
        prop_assert_eq!(parse_continuation_token(&token), Ok(key));
    }

    #[test]
    fn continuation_token_parse_never_panics(token in ".*") {
        let _ = parse_continuation_token(&token);
    }
}
