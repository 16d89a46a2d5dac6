//! Unit tests of `api/auth/sigv4/canonical.rs`.

use super::*;
use crate::api::auth::sigv4::UNSIGNED_PAYLOAD;
use crate::api::query::parse;

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[test]
fn canonical_query_encoding_and_order() {
    // Decoded once, re-encoded with the AWS set, sorted by name then value;
    // `+` is a space, a bare name gets an empty value.
    assert_eq!(
        canonical_query(&parse("b=2&a=z&a=y&c&d=a+b%2Bc&e=%7e%2a&f=%C3%A9/"), false),
        "a=y&a=z&b=2&c=&d=a%20b%2Bc&e=~%2A&f=%C3%A9%2F"
    );
    assert_eq!(canonical_query(&parse(""), false), "");
    assert_eq!(
        canonical_query(&parse("X-Amz-Signature=abc&x=1"), true),
        "x=1"
    );
    assert_eq!(
        canonical_query(&parse("X-Amz-Signature=abc&x=1"), false),
        "X-Amz-Signature=abc&x=1"
    );
}

#[test]
fn canonical_uri_is_not_normalised_or_double_encoded() {
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri("/a//b/./../c"), "/a//b/./../c");
    assert_eq!(canonical_uri("/a%20b/c d"), "/a%20b/c%20d");
    assert_eq!(canonical_uri("/a%2Fb"), "/a%2Fb");
    assert_eq!(canonical_uri("/%e2%82%ac~"), "/%E2%82%AC~");
    assert_eq!(canonical_uri("/a+b=c"), "/a%2Bb%3Dc");
}

#[test]
fn header_values_are_trimmed_collapsed_and_joined() {
    let headers = h(&[
        ("host", "h"),
        ("x-amz-meta-a", "  one   two  three \t"),
        ("x-amz-meta-b", "b1"),
        ("x-amz-meta-b", " b2 "),
        ("x-amz-meta-c", "not signed, ignored"),
    ]);
    let parts = RequestParts {
        method: "PUT",
        path: "/k",
        query: &[],
        headers: &headers,
    };
    let signed: Vec<String> = ["host", "x-amz-meta-a", "x-amz-meta-b"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        canonical_request(&parts, &signed, UNSIGNED_PAYLOAD, false),
        "PUT\n/k\n\nhost:h\nx-amz-meta-a:one two three\nx-amz-meta-b:b1,b2\n\n\
             host;x-amz-meta-a;x-amz-meta-b\nUNSIGNED-PAYLOAD"
    );
}
