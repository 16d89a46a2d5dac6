//! AWS Signature Version 2 presigned URLs (`AWSAccessKeyId`, `Expires`,
//! `Signature` query parameters). boto3 still generates these by default
//! for `generate_presigned_url`, so a store its users point at must take
//! them. Only the query form is accepted; requests are signed with SigV4.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use super::sigv4::AuthError;

/// Sub-resources that are part of the signed resource, in sorted order.
const SUBRESOURCES: &[&str] = &[
    "acl",
    "delete",
    "location",
    "partNumber",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
];

/// The parameters of a SigV2 presigned URL, if the query carries them.
pub(crate) struct PresignedV2 {
    /// The access key id.
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
    ///
    /// The signed sub-resources are `name=value`, or the bare `name` when the
    /// value is empty (`?uploads`, `?location`).
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
        let to_sign = format!("{method}\n\n\n{}\n{resource}", self.expires);
        let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes())
            .map_err(|_| AuthError::SignatureMismatch)?;
        mac.update(to_sign.as_bytes());
        let expected = mac.finalize().into_bytes();
        if bool::from(expected.as_slice().ct_eq(&self.signature)) {
            Ok(())
        } else {
            Err(AuthError::SignatureMismatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::auth::testing::s3_code;
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
}
