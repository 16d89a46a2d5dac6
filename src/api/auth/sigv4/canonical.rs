//! The SigV4 canonical request and string to sign.

use std::borrow::Cow;

use percent_encoding::{percent_decode, percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use super::{RequestParts, ALGORITHM};

/// Characters left as they are by AWS URI encoding: `A-Z a-z 0-9 - _ . ~`.
pub(super) const AWS_URI_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Builds the SigV4 canonical request exactly as S3 does.
///
/// `signed_headers` are lower-case names in the order they are listed in the
/// request; `payload_hash` is the last line. With `presigned` the
/// `X-Amz-Signature` parameter is left out of the canonical query. Signed
/// headers absent from the request are canonicalised with an empty value
/// (and so fail the comparison unless the client signed them that way).
pub(crate) fn canonical_request(
    parts: &RequestParts<'_>,
    signed_headers: &[String],
    payload_hash: &str,
    presigned: bool,
) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(parts.method);
    out.push('\n');
    out.push_str(&canonical_uri(parts.path));
    out.push('\n');
    out.push_str(&canonical_query(parts.query, presigned));
    out.push('\n');
    for name in signed_headers {
        out.push_str(name);
        out.push(':');
        let mut first = true;
        for value in parts.header_values(name) {
            if !first {
                out.push(',');
            }
            first = false;
            push_trimmed(&mut out, value);
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// The SigV4 string to sign for a canonical request.
pub(crate) fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let hash = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{hash}")
}

/// Canonical URI: each raw segment decoded once and re-encoded (AWS set).
fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() {
        return "/".to_owned();
    }
    let mut out = String::with_capacity(raw_path.len() + 8);
    for (i, segment) in raw_path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        let decoded: Cow<'_, [u8]> = percent_decode(segment.as_bytes()).into();
        out.extend(percent_encode(&decoded, AWS_URI_ENCODE));
    }
    out
}

/// Canonical query: the decoded pairs re-encoded (AWS set), sorted by
/// encoded name, then value. A space is `%20` and `+` is `%2B`, as SDKs sign
/// them.
fn canonical_query(query: &[(String, String)], presigned: bool) -> String {
    let encode = |s: &str| percent_encode(s.as_bytes(), AWS_URI_ENCODE).to_string();
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .filter(|(name, _)| !(presigned && name == "X-Amz-Signature"))
        .map(|(name, value)| (encode(name), encode(value)))
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(pairs.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// Appends a header value trimmed, with inner runs of spaces collapsed.
fn push_trimmed(out: &mut String, value: &str) {
    let mut previous_space = false;
    for c in value.trim_matches(|c| c == ' ' || c == '\t').chars() {
        if c == ' ' {
            if !previous_space {
                out.push(' ');
            }
            previous_space = true;
        } else {
            out.push(c);
            previous_space = false;
        }
    }
}

#[cfg(test)]
mod tests {
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
}
