//! Making presigned URLs: the console's share links, and the requests the
//! console sends its own gateway on behalf of a signed-in user (signed with
//! that user's key, so the gateway authorizes them as it would any client).

use percent_encoding::{percent_encode, AsciiSet};
use time::OffsetDateTime;

use super::canonical::AWS_URI_ENCODE;
use super::{
    canonical_request, format_amz_date, string_to_sign, RequestParts, SigningKey, ALGORITHM,
    SERVICE, UNSIGNED_PAYLOAD,
};

/// Characters left as they are in a path: AWS's unreserved set and `/`.
const PATH: &AsciiSet = &AWS_URI_ENCODE.remove(b'/');

/// What to presign.
#[derive(Debug, Clone)]
pub(crate) struct PresignRequest<'a> {
    /// HTTP method.
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
    /// Access key id.
    pub(crate) access_key: &'a str,
    /// Its secret.
    pub(crate) secret: &'a str,
    /// Region of the scope.
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
mod tests {
    use super::*;

    /// AWS's documented example: "Example: presigned URL" of the SigV4 query
    /// authentication page (GET /test.txt of examplebucket, 24 hours).
    #[test]
    fn matches_the_aws_example() {
        let now = OffsetDateTime::from_unix_timestamp(1_369_353_600).expect("2013-05-24");
        let target = presign(&PresignRequest {
            method: "GET",
            host: "examplebucket.s3.amazonaws.com",
            path: "/test.txt",
            query: &[],
            headers: &[],
            access_key: "AKIAIOSFODNN7EXAMPLE",
            secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            region: "us-east-1",
            now,
            expires: 86_400,
        });
        assert!(target.starts_with("/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&"));
        assert!(target.ends_with(
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        ));
    }

    #[test]
    fn encodes_keys_and_extra_parameters() {
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("time");
        let query = [("uploadId".to_string(), "a+b/c".to_string())];
        let target = presign(&PresignRequest {
            method: "PUT",
            host: "127.0.0.1:9000",
            path: "/b/dir/a key+ü",
            query: &query,
            headers: &[("x-amz-acl".to_string(), "private".to_string())],
            access_key: "k",
            secret: "s",
            region: "us-east-1",
            now,
            expires: 60,
        });
        assert!(target.starts_with("/b/dir/a%20key%2B%C3%BC?uploadId=a%2Bb%2Fc&"));
        assert!(target.contains("&X-Amz-SignedHeaders=host%3Bx-amz-acl&"));
    }
}
