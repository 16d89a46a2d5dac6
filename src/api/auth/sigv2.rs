//! AWS Signature Version 2: presigned URLs (`AWSAccessKeyId`, `Expires`,
//! `Signature` query parameters), which boto3 still generates by default
//! for `generate_presigned_url`, and the `Authorization: AWS key:signature`
//! header older tools (s3cmd with `signature_v2`, Hadoop's s3a of old)
//! send. Both sign the same string: method, `Content-MD5`, `Content-Type`,
//! the date (or the expiry), the `x-amz-*` headers, and the resource.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use super::sigv4::{parse_http_date, AuthError};

/// Sub-resources that are part of the signed resource, in sorted order:
/// AWS's documented list, the ones SDKs sign for the sub-resources added
/// since (`cors`, `tagging`, `delete`, `object-lock`, …; botocore's
/// `HmacV1Auth`), and `legal-hold` and `retention` as AWS documents them.
/// Those of operations the store does not serve are here too, so that such
/// a request is answered `NotImplemented`, not `SignatureDoesNotMatch`.
const SUBRESOURCES: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "cors",
    "delete",
    "inventory",
    "legal-hold",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "partNumber",
    "policy",
    "replication",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "retention",
    "select",
    "select-type",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// The parameters of a SigV2 presigned URL, if the query carries them.
pub(crate) struct PresignedV2 {
    /// The `AWSAccessKeyId` parameter: whose secret verifies the signature.
    pub access_key: String,
    expires: i64,
    signature: Vec<u8>,
}

impl PresignedV2 {
    /// Reads the SigV2 parameters from the decoded query (see
    /// `api::query::parse`); `None` when it does not carry them.
    pub(crate) fn parse(query: &[(String, String)]) -> Option<Result<Self, AuthError>> {
        let mut access_key = None;
        let mut expires = None;
        let mut signature = None;
        for (k, v) in query {
            match k.as_str() {
                "AWSAccessKeyId" => access_key = Some(v.clone()),
                "Expires" => expires = Some(v),
                "Signature" => signature = Some(v),
                _ => {}
            }
        }
        let (access_key, signature) = (access_key?, signature?);
        let bad = AuthError::IncompleteV2Query;
        Some((|| {
            let expires = expires.and_then(|e| e.parse().ok()).ok_or(bad)?;
            let signature = STANDARD
                .decode(signature.as_bytes())
                .map_err(|_| AuthError::SignatureMismatch)?;
            Ok(Self {
                access_key,
                expires,
                signature,
            })
        })())
    }

    /// Checks the signature of `method` on the raw `path` with the decoded
    /// `query`.
    pub(crate) fn verify(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        secret: &str,
        now_unix: i64,
    ) -> Result<(), AuthError> {
        if now_unix > self.expires {
            return Err(AuthError::Expired);
        }
        let to_sign = format!(
            "{method}\n\n\n{}\n{}",
            self.expires,
            canonical_resource(path, query)
        );
        check_signature(secret, &to_sign, &self.signature)
    }
}

/// The signed resource: the path, then the sub-resources sorted, each
/// `name=value`, or the bare `name` when the value is empty (`?uploads`,
/// `?location`).
fn canonical_resource(path: &str, query: &[(String, String)]) -> String {
    let mut subs: Vec<&(String, String)> = query
        .iter()
        .filter(|(k, _)| SUBRESOURCES.contains(&k.as_str()))
        .collect();
    subs.sort();
    let mut resource = path.to_string();
    for (i, (k, v)) in subs.into_iter().enumerate() {
        resource.push(if i == 0 { '?' } else { '&' });
        resource.push_str(k);
        if !v.is_empty() {
            resource.push('=');
            resource.push_str(v);
        }
    }
    resource
}

/// Compares the HMAC-SHA1 of `to_sign` with `signature` in constant time.
pub(crate) fn check_signature(
    secret: &str,
    to_sign: &str,
    signature: &[u8],
) -> Result<(), AuthError> {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes())
        .map_err(|_| AuthError::SignatureMismatch)?;
    mac.update(to_sign.as_bytes());
    let expected = mac.finalize().into_bytes();
    if bool::from(expected.as_slice().ct_eq(signature)) {
        Ok(())
    } else {
        Err(AuthError::SignatureMismatch)
    }
}

/// How far the request's date may be from the server clock (as SigV4).
const MAX_SKEW_SECS: i64 = 15 * 60;

/// An `Authorization: AWS <access key>:<base64 signature>` header.
pub(crate) struct HeaderV2 {
    /// The access key id before the `:`: whose secret verifies the signature.
    pub access_key: String,
    signature: Vec<u8>,
}

impl HeaderV2 {
    /// Reads a SigV2 `Authorization` header; `None` when the header is of
    /// another scheme. A header of this scheme that cannot be read is
    /// `InvalidArgument` (as AWS answers); a signature that is not base64 can
    /// only mismatch.
    pub(crate) fn parse(authorization: &str) -> Option<Result<Self, AuthError>> {
        let credentials = authorization.strip_prefix("AWS ")?;
        let Some((access_key, signature)) = credentials.trim().split_once(':') else {
            return Some(Err(AuthError::MalformedV2Header));
        };
        if access_key.is_empty() {
            return Some(Err(AuthError::MalformedV2Header));
        }
        Some(Ok(Self {
            access_key: access_key.to_string(),
            signature: STANDARD
                .decode(signature.trim().as_bytes())
                .unwrap_or_default(),
        }))
    }

    /// Checks the signature of a request: `method`, the signed `resource`
    /// path (with the bucket first for virtual-host requests), the decoded
    /// `query` and the request's `headers` (lower-case names). The date is
    /// `x-amz-date` if sent, even empty (then signed among the `x-amz-*`
    /// headers, with an empty date line), else `Date`; none that parses is
    /// `InvalidDate`, more than 15 minutes from `now_unix`
    /// `RequestTimeTooSkewed`.
    pub(crate) fn verify(
        &self,
        method: &str,
        resource: &str,
        query: &[(String, String)],
        headers: &[(String, String)],
        secret: &str,
        now_unix: i64,
    ) -> Result<(), AuthError> {
        let header = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map_or("", |(_, v)| v.trim())
        };
        // A present x-amz-date is the date, even empty (then no valid one).
        let (date_line, date) = match headers.iter().find(|(k, _)| k == "x-amz-date") {
            Some((_, amz_date)) => ("", amz_date.trim()),
            None => (header("date"), header("date")),
        };
        let when = parse_http_date(date)
            .ok_or(AuthError::InvalidDate)?
            .unix_timestamp();
        if (now_unix - when).abs() > MAX_SKEW_SECS {
            return Err(AuthError::RequestTimeTooSkewed);
        }
        let mut amz: Vec<(&str, &str)> = headers
            .iter()
            .filter(|(k, _)| k.starts_with("x-amz-"))
            .map(|(k, v)| (k.as_str(), v.trim()))
            .collect();
        amz.sort_by(|a, b| a.0.cmp(b.0));
        let mut amz_lines = String::new();
        let mut previous: Option<&str> = None;
        for (name, value) in amz {
            if previous == Some(name) {
                amz_lines.pop();
                amz_lines.push(',');
            } else {
                amz_lines.push_str(name);
                amz_lines.push(':');
            }
            amz_lines.push_str(value);
            amz_lines.push('\n');
            previous = Some(name);
        }
        let to_sign = format!(
            "{method}\n{}\n{}\n{date_line}\n{amz_lines}{}",
            header("content-md5"),
            header("content-type"),
            canonical_resource(resource, query)
        );
        check_signature(secret, &to_sign, &self.signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::error::testing::s3_code;
    use crate::api::query::parse;

    fn sign(secret: &str, to_sign: &str) -> String {
        let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("key");
        mac.update(to_sign.as_bytes());
        STANDARD.encode(mac.finalize().into_bytes())
    }

    #[test]
    fn presigned_v2_round_trip_and_refusals() {
        let sig = sign(
            "secret",
            "GET\n\n\n2000\n/b/a%20b?response-content-type=text/plain",
        );
        let enc: String =
            percent_encoding::utf8_percent_encode(&sig, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let query = parse(&format!(
            "AWSAccessKeyId=key&Expires=2000&Signature={enc}&response-content-type=text%2Fplain"
        ));
        let p = PresignedV2::parse(&query).expect("present").expect("valid");
        assert_eq!(p.access_key, "key");
        assert_eq!(p.verify("GET", "/b/a%20b", &query, "secret", 1000), Ok(()));
        assert_eq!(
            p.verify("GET", "/b/a%20b", &query, "other", 1000),
            Err(AuthError::SignatureMismatch)
        );
        assert_eq!(
            p.verify("PUT", "/b/a%20b", &query, "secret", 1000),
            Err(AuthError::SignatureMismatch)
        );
        let expired = p.verify("GET", "/b/a%20b", &query, "secret", 3000);
        assert_eq!(expired, Err(AuthError::Expired));
        assert_eq!(s3_code(AuthError::Expired), "AccessDenied");
        assert!(PresignedV2::parse(&parse("X-Amz-Signature=1")).is_none());
        assert!(matches!(
            PresignedV2::parse(&parse("AWSAccessKeyId=k&Signature=%%%")),
            Some(Err(_))
        ));
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn header_v2_round_trip_and_refusals() {
        // 2026-11-23 10:00:00 UTC.
        let now = 1_795_428_000;
        let date = "Mon, 23 Nov 2026 10:00:00 GMT";
        let to_sign =
            format!("PUT\nmd5==\ntext/plain\n{date}\nx-amz-meta-a:1,2\nx-amz-meta-b:x\n/b/k?acl");
        let auth = format!("AWS key:{}", sign("secret", &to_sign));
        let h = HeaderV2::parse(&auth).expect("v2").expect("valid");
        assert_eq!(h.access_key, "key");
        let hs = headers(&[
            ("content-md5", "md5=="),
            ("content-type", "text/plain"),
            ("date", date),
            ("x-amz-meta-b", " x "),
            ("x-amz-meta-a", "1"),
            ("x-amz-meta-a", "2"),
        ]);
        let q = parse("acl&x-id=PutObjectAcl");
        assert_eq!(h.verify("PUT", "/b/k", &q, &hs, "secret", now), Ok(()));
        assert_eq!(
            h.verify("PUT", "/b/k", &q, &hs, "wrong", now),
            Err(AuthError::SignatureMismatch)
        );
        assert_eq!(
            h.verify("PUT", "/b/k", &q, &hs, "secret", now + 3600),
            Err(AuthError::RequestTimeTooSkewed)
        );
        // x-amz-date replaces Date and leaves the date line empty.
        let to_sign = format!("GET\n\n\n\nx-amz-date:{date}\n/b/k");
        let auth = format!("AWS key:{}", sign("secret", &to_sign));
        let h = HeaderV2::parse(&auth).expect("v2").expect("valid");
        let hs = headers(&[
            ("x-amz-date", date),
            ("date", "Tue, 01 Jan 2019 00:00:00 GMT"),
        ]);
        assert_eq!(h.verify("GET", "/b/k", &[], &hs, "secret", now), Ok(()));
        assert_eq!(
            h.verify("GET", "/b/k", &[], &headers(&[]), "secret", now),
            Err(AuthError::InvalidDate)
        );
        // An empty x-amz-date is no date, whatever Date says (AWS:
        // AccessDenied); a weekday that is not the date's is a date, here
        // years off (AWS: RequestTimeTooSkewed); before 1970 is none.
        let with_date = |amz: &str| headers(&[("x-amz-date", amz), ("date", date)]);
        for (amz, want) in [
            ("", AuthError::InvalidDate),
            (
                "Tue, 07 Jul 2010 21:53:04 GMT",
                AuthError::RequestTimeTooSkewed,
            ),
            (
                "Tue, 07 Jul 9999 21:53:04 GMT",
                AuthError::RequestTimeTooSkewed,
            ),
            ("Tue, 07 Jul 1950 21:53:04 GMT", AuthError::InvalidDate),
        ] {
            let got = h.verify("GET", "/b/k", &[], &with_date(amz), "secret", now);
            assert_eq!(got, Err(want), "x-amz-date {amz:?}");
        }
        assert_eq!(s3_code(AuthError::InvalidDate), "AccessDenied");

        assert!(HeaderV2::parse("AWS4-HMAC-SHA256 Credential=x").is_none());
        assert!(matches!(HeaderV2::parse("AWS nocolon"), Some(Err(_))));
        // A signature that is not base64 parses, and can only mismatch.
        let h = HeaderV2::parse("AWS key:%%%").expect("v2").expect("parses");
        assert_eq!(
            h.verify(
                "GET",
                "/b/k",
                &[],
                &headers(&[("date", date)]),
                "secret",
                now
            ),
            Err(AuthError::SignatureMismatch)
        );
        assert_eq!(
            s3_code(AuthError::SignatureMismatch),
            "SignatureDoesNotMatch"
        );
        assert_eq!(s3_code(AuthError::MalformedV2Header), "InvalidArgument");
    }

    #[test]
    fn sub_resources_are_sorted_and_bare_when_empty() {
        let sig = sign("secret", "PUT\n\n\n2000\n/b/k?partNumber=2&uploadId=a+b");
        let enc: String =
            percent_encoding::utf8_percent_encode(&sig, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let query = parse(&format!(
            "uploadId=a%2Bb&partNumber=2&AWSAccessKeyId=key&Expires=2000&Signature={enc}&x-id=UploadPart"
        ));
        let p = PresignedV2::parse(&query).expect("present").expect("valid");
        assert_eq!(p.verify("PUT", "/b/k", &query, "secret", 1000), Ok(()));

        let sig = sign("secret", "POST\n\n\n2000\n/b/k?uploads");
        let enc: String =
            percent_encoding::utf8_percent_encode(&sig, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let query = parse(&format!(
            "uploads&AWSAccessKeyId=key&Expires=2000&Signature={enc}"
        ));
        let p = PresignedV2::parse(&query).expect("present").expect("valid");
        assert_eq!(p.verify("POST", "/b/k", &query, "secret", 1000), Ok(()));
    }

    #[test]
    fn bucket_sub_resources_are_signed() {
        // 2026-11-23 10:00:00 UTC.
        let now = 1_795_428_000;
        let date = "Mon, 23 Nov 2026 10:00:00 GMT";
        let hs = headers(&[("date", date)]);
        for sub in ["cors", "lifecycle", "policy", "tagging", "website"] {
            let to_sign = format!("PUT\n\n\n{date}\n/b?{sub}");
            let auth = format!("AWS key:{}", sign("secret", &to_sign));
            let v2 = HeaderV2::parse(&auth).expect("present").expect("valid");
            let query = parse(sub);
            assert_eq!(
                v2.verify("PUT", "/b", &query, &hs, "secret", now),
                Ok(()),
                "?{sub}"
            );
            // Signed without the sub-resource: not the request sent.
            let bare = format!("PUT\n\n\n{date}\n/b");
            let auth = format!("AWS key:{}", sign("secret", &bare));
            let v2 = HeaderV2::parse(&auth).expect("present").expect("valid");
            assert_eq!(
                v2.verify("PUT", "/b", &query, &hs, "secret", now),
                Err(AuthError::SignatureMismatch),
                "?{sub} left out of the signature"
            );
        }
    }
}
