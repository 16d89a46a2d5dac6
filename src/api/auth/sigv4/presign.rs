//! Making presigned URLs: the console's share links, and the requests the
//! console sends its own gateway on behalf of a signed-in user (signed with
//! that user's key, so the gateway authorizes them as it would any client).

use percent_encoding::{percent_encode, AsciiSet};
use time::OffsetDateTime;

use super::canonical::{canonical_request, string_to_sign, AWS_URI_ENCODE};
use super::date::format_amz_date;
use super::parts::RequestParts;
use super::scheme::{ALGORITHM, SERVICE, UNSIGNED_PAYLOAD};
use super::signing::SigningKey;

/// Characters left as they are in a path: AWS's unreserved set and `/`.
const PATH: &AsciiSet = &AWS_URI_ENCODE.remove(b'/');

/// What to presign.
#[derive(Debug, Clone)]
pub(crate) struct PresignRequest<'a> {
    /// HTTP method the URL is for (`GET`, `PUT`); it is signed, so no other works.
    pub(crate) method: &'a str,
    /// The `Host` header the request will carry.
    pub(crate) host: &'a str,
    /// Other headers it will carry that are signed too (lower-case names;
    /// S3 wants every `x-amz-*` header signed).
    pub(crate) headers: &'a [(String, String)],
    /// Decoded path, e.g. `/bucket/a key`.
    pub(crate) path: &'a str,
    /// Decoded query parameters besides the `X-Amz-*` ones.
    pub(crate) query: &'a [(String, String)],
    /// Access key id written into `X-Amz-Credential`.
    pub(crate) access_key: &'a str,
    /// The secret of `access_key`: derives the signing key, never written into the URL.
    pub(crate) secret: &'a str,
    /// Region of the credential scope: the store's, which the verifier requires.
    pub(crate) region: &'a str,
    /// Signing time.
    pub(crate) now: OffsetDateTime,
    /// Validity in seconds (1..=604800).
    pub(crate) expires: u64,
}

/// The request target (`/path?query`) of a presigned request: the path and
/// every query parameter encoded, the signature last.
pub(crate) fn presign(r: &PresignRequest<'_>) -> String {
    let amz_date = format_amz_date(r.now);
    let date = &amz_date[..8];
    let scope = format!("{date}/{}/{SERVICE}/aws4_request", r.region);
    let mut headers = vec![("host".to_string(), r.host.to_string())];
    headers.extend(r.headers.iter().cloned());
    headers.sort();
    let mut signed: Vec<String> = headers.iter().map(|(name, _)| name.clone()).collect();
    signed.dedup();
    let mut query = r.query.to_vec();
    query.extend([
        ("X-Amz-Algorithm".to_string(), ALGORITHM.to_string()),
        (
            "X-Amz-Credential".to_string(),
            format!("{}/{scope}", r.access_key),
        ),
        ("X-Amz-Date".to_string(), amz_date.clone()),
        ("X-Amz-Expires".to_string(), r.expires.to_string()),
        ("X-Amz-SignedHeaders".to_string(), signed.join(";")),
    ]);
    let path = percent_encode(r.path.as_bytes(), PATH).to_string();
    let parts = RequestParts {
        method: r.method,
        path: &path,
        query: &query,
        headers: &headers,
    };
    let canonical = canonical_request(&parts, &signed, UNSIGNED_PAYLOAD, true);
    let key = SigningKey::derive(r.secret, date, r.region, SERVICE);
    let signature = key.sign_hex(string_to_sign(&amz_date, &scope, &canonical).as_bytes());
    query.push(("X-Amz-Signature".to_string(), signature));
    let encoded: Vec<String> = query
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                percent_encode(name.as_bytes(), AWS_URI_ENCODE),
                percent_encode(value.as_bytes(), AWS_URI_ENCODE)
            )
        })
        .collect();
    format!("{path}?{}", encoded.join("&"))
}

#[cfg(test)]
mod tests;
