//! Unit tests of `api/request/tagging.rs`.

use super::*;

#[test]
fn the_header_is_url_query_form() {
    assert_eq!(
        parse_tagging_header("a=1&project=blue+sky&k%20e=v%2Bw&empty=").unwrap(),
        tags(&[
            ("a", "1"),
            ("project", "blue sky"),
            ("k e", "v+w"),
            ("empty", "")
        ])
    );
    assert_eq!(parse_tagging_header("").unwrap(), tags(&[]));
    assert_eq!(
        parse_tagging_header("caf%C3%A9=%E2%9C%93").unwrap(),
        tags(&[("café", "✓")])
    );
}

#[test]
fn bad_header_encodings_are_invalid_tag() {
    for bad in ["a=%zz", "a=%4", "a%=1", "a=%FF", "=v"] {
        assert!(
            matches!(parse_tagging_header(bad), Err(HeaderError::InvalidTag(_))),
            "{bad}"
        );
    }
}

#[test]
fn limits_are_aws_limits() {
    let key128 = "k".repeat(128);
    let value256 = "é".repeat(256);
    assert!(check_tags(&tags(&[(&key128, &value256)]), TagTarget::Object).is_ok());
    let key129 = "k".repeat(129);
    assert!(check_tags(&tags(&[(&key129, "v")]), TagTarget::Object).is_err());
    let value257 = "v".repeat(257);
    assert!(check_tags(&tags(&[("k", &value257)]), TagTarget::Object).is_err());
    assert!(check_tags(&tags(&[("k", "1"), ("k", "2")]), TagTarget::Object).is_err());
    assert!(check_tags(&tags(&[("aws:x", "1")]), TagTarget::Bucket).is_err());

    let many: Tags = (0..11).map(|i| (format!("k{i}"), String::new())).collect();
    assert!(check_tags(&many, TagTarget::Object).is_err());
    assert!(check_tags(&many, TagTarget::Bucket).is_ok());
    let too_many: Tags = (0..51).map(|i| (format!("k{i}"), String::new())).collect();
    assert!(check_tags(&too_many, TagTarget::Bucket).is_err());
    assert!(parse_tagging_header("a=1&a=2").is_err());
}

#[test]
fn the_directive_defaults_to_copy() {
    assert_eq!(parse_tagging_directive(None), Ok(TaggingDirective::Copy));
    assert_eq!(
        parse_tagging_directive(Some("REPLACE")),
        Ok(TaggingDirective::Replace)
    );
    assert!(parse_tagging_directive(Some("replace")).is_err());
}
