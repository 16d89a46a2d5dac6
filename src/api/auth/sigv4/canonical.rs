//! The SigV4 canonical request and string to sign.

use std::borrow::Cow;

use percent_encoding::{percent_decode, percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha2::{Digest, Sha256};

use super::parts::RequestParts;
use super::scheme::ALGORITHM;

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
mod tests;
