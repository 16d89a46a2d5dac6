//! Unit tests of `api/request/overrides.rs`.

use super::*;
use crate::api::error::{S3Error, S3ErrorCode};

fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn response_overrides_maps_all_six() {
    let q = query(&[
        ("response-content-type", "text/plain"),
        ("response-content-language", "en"),
        ("response-expires", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("response-cache-control", "no-cache"),
        (
            "response-content-disposition",
            "attachment; filename=\"a.txt\"",
        ),
        ("response-content-encoding", "gzip"),
        ("prefix", "ignored"),
    ]);
    assert_eq!(
        response_overrides(&q),
        vec![
            ("content-type", "text/plain".to_owned()),
            ("content-language", "en".to_owned()),
            ("expires", "Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
            ("cache-control", "no-cache".to_owned()),
            (
                "content-disposition",
                "attachment; filename=\"a.txt\"".to_owned()
            ),
            ("content-encoding", "gzip".to_owned()),
        ]
    );
}

#[test]
fn response_overrides_last_value_wins_and_names_are_exact() {
    let q = query(&[
        ("response-content-type", "a/b"),
        ("Response-Content-Type", "ignored/case"),
        ("response-cache-control", "x"),
        ("response-content-type", "c/d"),
    ]);
    assert_eq!(
        response_overrides(&q),
        vec![
            ("content-type", "c/d".to_owned()),
            ("cache-control", "x".to_owned()),
        ]
    );
    assert!(response_overrides(&[]).is_empty());
}

#[test]
fn response_overrides_need_authentication() {
    let q = query(&[("response-content-type", "text/html")]);
    assert_eq!(validate_response_overrides(&q, true), Ok(()));
    let err = validate_response_overrides(&q, false).expect_err("anonymous");
    assert_eq!(err, HeaderError::ResponseOverrideAnonymous);
    assert_eq!(S3Error::from(err.clone()).code, S3ErrorCode::InvalidRequest);
    assert_eq!(
        err.to_string(),
        "Request specific response headers cannot be used for anonymous GET requests."
    );
    // No overrides: anonymous is fine.
    assert_eq!(
        validate_response_overrides(&query(&[("versionId", "null")]), false),
        Ok(())
    );
}

#[test]
fn response_override_control_characters_rejected() {
    let q = query(&[("response-content-disposition", "a\r\nSet-Cookie: x=y")]);
    assert_eq!(
        validate_response_overrides(&q, true),
        Err(HeaderError::ResponseOverrideControlCharacters {
            parameter: "response-content-disposition"
        })
    );
    assert_eq!(
        validate_response_overrides(&q, true).map_err(|e| S3Error::from(e).code),
        Err(S3ErrorCode::InvalidArgument)
    );
    let tab = query(&[("response-content-disposition", "a\tb")]);
    assert_eq!(validate_response_overrides(&tab, true), Ok(()));
}
