//! Signing a request in its `Authorization` header, over its body's hash:
//! the console's IAM calls to its own gateway (form-encoded POSTs, which
//! the IAM endpoint takes signed this way only).

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::canonical::{canonical_request, string_to_sign};
use super::date::format_amz_date;
use super::parts::RequestParts;
use super::scheme::ALGORITHM;
use super::signing::SigningKey;

/// What to sign.
pub(crate) struct HeaderSignRequest<'a> {
    /// HTTP method.
    pub(crate) method: &'a str,
    /// The `Host` header the request carries.
    pub(crate) host: &'a str,
    /// The path (already encoded, as sent).
    pub(crate) path: &'a str,
    /// Its `Content-Type`, signed.
    pub(crate) content_type: &'a str,
    /// The body, hashed into the signature.
    pub(crate) body: &'a [u8],
    /// Access key id of the credential.
    pub(crate) access_key: &'a str,
    /// Its secret.
    pub(crate) secret: &'a str,
    /// Region of the credential scope.
    pub(crate) region: &'a str,
    /// Service of the credential scope (`iam`, `sts`, `s3`).
    pub(crate) service: &'a str,
    /// Signing time.
    pub(crate) now: OffsetDateTime,
}

/// The headers to add to the request: `x-amz-date` and `authorization`.
pub(crate) fn sign_headers(r: &HeaderSignRequest<'_>) -> [(&'static str, String); 2] {
    let amz_date = format_amz_date(r.now);
    let date = &amz_date[..8];
    let scope = format!("{date}/{}/{}/aws4_request", r.region, r.service);
    let headers = vec![
        ("content-type".to_string(), r.content_type.to_string()),
        ("host".to_string(), r.host.to_string()),
        ("x-amz-date".to_string(), amz_date.clone()),
    ];
    let signed: Vec<String> = headers.iter().map(|(n, _)| n.clone()).collect();
    let parts = RequestParts {
        method: r.method,
        path: r.path,
        query: &[],
        headers: &headers,
    };
    let body_hash = hex::encode(Sha256::digest(r.body));
    let canonical = canonical_request(&parts, &signed, &body_hash, false);
    let key = SigningKey::derive(r.secret, date, r.region, r.service);
    let signature = key.sign_hex(string_to_sign(&amz_date, &scope, &canonical).as_bytes());
    let authorization = format!(
        "{ALGORITHM} Credential={}/{scope}, SignedHeaders={}, Signature={signature}",
        r.access_key,
        signed.join(";")
    );
    [("x-amz-date", amz_date), ("authorization", authorization)]
}

#[cfg(test)]
mod tests {
    use super::super::verify::verify_query_api;
    use super::*;

    #[test]
    fn a_signed_form_verifies_and_a_changed_body_does_not() {
        let now = OffsetDateTime::now_utc();
        let body = b"Action=ListUsers&Version=2010-05-08";
        let r = HeaderSignRequest {
            method: "POST",
            host: "127.0.0.1:9000",
            path: "/",
            content_type: "application/x-www-form-urlencoded; charset=utf-8",
            body,
            access_key: "AK",
            secret: "SECRET",
            region: "us-east-1",
            service: "iam",
            now,
        };
        let mut headers: Vec<(String, String)> = vec![
            ("host".into(), r.host.into()),
            ("content-type".into(), r.content_type.into()),
        ];
        headers.extend(sign_headers(&r).map(|(n, v)| (n.to_string(), v)));
        let parts = RequestParts {
            method: "POST",
            path: "/",
            query: &[],
            headers: &headers,
        };
        let secret = |k: &str| (k == "AK").then(|| "SECRET".to_string());
        let hash = |b: &[u8]| hex::encode(Sha256::digest(b));
        assert!(verify_query_api(&parts, &["iam"], &hash(body), secret, now).is_ok());
        assert!(
            verify_query_api(&parts, &["iam"], &hash(b"Action=DeleteUser"), secret, now).is_err()
        );
        assert!(verify_query_api(&parts, &["sts"], &hash(body), secret, now).is_err());
    }
}
