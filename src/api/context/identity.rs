//! Authenticating a request from its head alone (method, URI, headers):
//! which bucket and key it addresses, who signed it, and how its body is
//! protected. The S3 handler calls it for every request; the listener's
//! `Expect: 100-continue` check calls it before the body is sent.

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, Uri};
use time::OffsetDateTime;

use super::Gateway;
use crate::api::auth::sigv2::{HeaderV2, PresignedV2};
use crate::api::auth::sigv4::{self, AuthContext, AuthError, RequestParts};
use crate::api::error::{in_region, S3Error, S3ErrorCode};
use crate::api::request::header_text;
use std::sync::Arc;

use subtle::ConstantTimeEq;

use crate::identity::{Identity, KeyRefusal};
use crate::storage::meta::iam::Credential;
use crate::storage::meta::{BucketRecord, MetaRead, MetaReadResult};

/// The user a request acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    /// Its account's canonical id (bucket and object owners are these;
    /// what an IAM user or a role's session creates is its account's).
    pub user_id: String,
    /// The account's name, shown as `DisplayName` in `Owner` elements.
    pub display_name: String,
    /// The IAM user or role's session it is within the account; `None`:
    /// the account root.
    pub identity: Option<Arc<Identity>>,
    /// Whether it signed with temporary credentials (STS).
    pub temporary: bool,
}

impl Caller {
    /// An account root signing with its own key.
    pub(crate) fn root(user_id: String, display_name: String) -> Caller {
        Caller {
            user_id,
            display_name,
            identity: None,
            temporary: false,
        }
    }
}

/// A key that may sign requests, and who they act for.
pub(crate) struct Signer {
    /// The secret that signs with it.
    pub secret: String,
    /// Who its requests act for.
    pub caller: Caller,
    /// For temporary credentials: the token each request must carry
    /// (`x-amz-security-token`).
    pub session_token: Option<String>,
}

impl Signer {
    /// Refuses a request whose session token (`sent`) does not go with
    /// the key: missing or wrong for temporary credentials, present for
    /// a key that takes none.
    pub(crate) fn check_token(&self, sent: Option<&str>) -> Result<(), AuthError> {
        match (&self.session_token, sent) {
            (None, None) => Ok(()),
            (None, Some("")) => Ok(()),
            (Some(expected), Some(t)) if bool::from(expected.as_bytes().ct_eq(t.as_bytes())) => {
                Ok(())
            }
            _ => Err(AuthError::InvalidToken),
        }
    }
}

/// An authenticated request head.
pub(crate) struct Authenticated {
    /// The bucket, from the virtual host (`<bucket>.<domain>`) or the first
    /// path segment; `None` for service-level requests (ListBuckets).
    pub bucket: Option<String>,
    /// The object key: the percent-decoded path after the bucket; `None` for
    /// bucket- and service-level requests.
    pub key: Option<String>,
    /// Decoded query parameters, in order, without the authentication
    /// parameters and hoisted headers.
    pub query: Vec<(String, String)>,
    /// Who signed it, and how the body is protected.
    pub auth: AuthContext,
    /// The user it acts for; `None`: an anonymous request.
    pub caller: Option<Caller>,
    /// The headers, and the `x-amz-*` headers a presigned URL carries in
    /// its query (a real header wins over a hoisted one).
    pub headers: HeaderMap,
    /// The addressed bucket's record, read with the signing key (a key
    /// kept in metadata); `None` when it was not read so, or is missing.
    pub bucket_record: Option<BucketRecord>,
}

impl Gateway {
    /// The key `access_key`: the configured one (whose user is named by
    /// its id, the first admin), or one kept in metadata (an account
    /// root's, an IAM user's, a temporary credential).
    /// `UnknownAccessKey` when there is none (or it is deactivated),
    /// `ExpiredToken`/`InvalidToken` for a session past its expiry or
    /// revoked, `KeysUnreadable` when the metadata cannot say (a client
    /// told its key is invalid might drop it, so a store that cannot read
    /// its keys says it is unavailable).
    pub(crate) async fn key_for(&self, access_key: &str) -> Result<Signer, AuthError> {
        Ok(self.known_key(access_key, None).await?.0)
    }

    /// The key `access_key` (or why not, as [`Gateway::key_for`]); with it, when the
    /// key is kept in metadata and the request addresses `bucket`, the
    /// bucket's record, read in the same metadata read (the access check
    /// then reads nothing more of the bucket).
    async fn known_key(
        &self,
        access_key: &str,
        bucket: Option<&str>,
    ) -> Result<(Signer, Option<BucketRecord>), AuthError> {
        if access_key == self.access_key {
            let signer = Signer {
                secret: self.secret_key.clone(),
                caller: Caller::root(self.access_key.clone(), self.access_key.clone()),
                session_token: None,
            };
            return Ok((signer, None));
        }
        let read = MetaRead::Credential {
            access_key: access_key.into(),
            bucket: bucket.map(str::to_string),
        };
        let (credential, record) = match self.objects.read(read).await {
            Ok(MetaReadResult::Credential(Some(c), record)) => (c, record),
            Ok(_) => return Err(AuthError::UnknownAccessKey),
            Err(_) => return Err(AuthError::KeysUnreadable),
        };
        let signer = match credential {
            Credential::Root(key) => Signer {
                secret: key.secret,
                caller: Caller::root(key.user_id, key.display_name),
                session_token: None,
            },
            Credential::Iam { key, generation } => {
                let view = self
                    .identities
                    .view(&key.account, generation)
                    .await
                    .map_err(|_| AuthError::KeysUnreadable)?;
                let identity =
                    view.identity(&key, self.session_clock_ms())
                        .map_err(|r| match r {
                            KeyRefusal::Inactive => AuthError::UnknownAccessKey,
                            KeyRefusal::Expired => AuthError::ExpiredToken,
                            KeyRefusal::Revoked => AuthError::InvalidToken,
                        })?;
                Signer {
                    secret: key.secret,
                    caller: Caller {
                        user_id: key.account,
                        display_name: key.account_name,
                        identity,
                        temporary: key.session.is_some(),
                    },
                    session_token: key.session.map(|s| s.token),
                }
            }
        };
        Ok((signer, record))
    }
}

/// Authenticates a request head: SigV2 (header or presigned URL), else
/// SigV4 (header or presigned URL); a request with neither is anonymous
/// (what it may do is the ACLs' to say).
pub(crate) async fn authenticate_head(
    method: &Method,
    uri: &Uri,
    raw_headers: &HeaderMap,
    gw: &Gateway,
) -> Result<Authenticated, S3Error> {
    let headers: Vec<(String, String)> = raw_headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_ascii_lowercase(),
                header_text(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let query = crate::api::query::parse(uri.query().unwrap_or_default());
    let parts = RequestParts {
        method: method.as_str(),
        path: uri.path(),
        query: &query,
        headers: &headers,
    };
    let now = OffsetDateTime::now_utc();
    let host = raw_headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .or_else(|| uri.authority().map(|a| a.as_str()))
        .unwrap_or_default();
    let (bucket, object_key) = address(uri.path(), host, gw.domain.as_deref())?;
    let v2_header = parts
        .header_values("authorization")
        .next()
        .and_then(HeaderV2::parse);
    let anonymous = v2_header.is_none()
        && PresignedV2::parse(&query).is_none()
        && sigv4::detect_auth_kind(&parts).map_err(|e| in_region(e, &gw.region))?
            == sigv4::AuthKind::Anonymous;
    if !anonymous {
        crate::metrics::SIGNATURE_CHECKS.inc();
    }
    let mut bucket_record = None;
    let (auth, key) = if anonymous {
        // Allowed or not by the ACLs of what it addresses.
        (signature_v2_context(String::new(), &gw.region), None)
    } else if let Some(v2) = v2_header {
        let v2 = v2?;
        let (key, record) = gw.known_key(&v2.access_key, bucket.as_deref()).await?;
        bucket_record = record;
        let secret = key.secret.clone();
        // Virtual-host requests sign the bucket as the path's first segment.
        let resource = match &bucket {
            Some(b) if !parts.path.starts_with(&format!("/{b}")) => format!("/{b}{}", parts.path),
            _ => parts.path.to_string(),
        };
        let now = now.unix_timestamp();
        let verify =
            |resource: &str| v2.verify(parts.method, resource, &query, &headers, &secret, now);
        match verify(&resource) {
            // botocore signs a path-style bucket request as the virtual-host
            // one would be, `/bucket/` for the path `/bucket`.
            Err(AuthError::SignatureMismatch)
                if object_key.is_none() && !resource.ends_with('/') =>
            {
                verify(&format!("{resource}/"))?
            }
            other => other?,
        }
        (signature_v2_context(v2.access_key, &gw.region), Some(key))
    } else if let Some(v2) = PresignedV2::parse(&query) {
        let v2 = v2?;
        let (key, record) = gw.known_key(&v2.access_key, bucket.as_deref()).await?;
        bucket_record = record;
        v2.verify(
            parts.method,
            parts.path,
            &query,
            &key.secret,
            now.unix_timestamp(),
        )?;
        (signature_v2_context(v2.access_key, &gw.region), Some(key))
    } else {
        let key = match claimed_access_key(&parts) {
            Some(key) => match gw.known_key(&key, bucket.as_deref()).await {
                Ok((key, record)) => {
                    bucket_record = record;
                    Some(key)
                }
                Err(
                    e @ (AuthError::KeysUnreadable
                    | AuthError::ExpiredToken
                    | AuthError::InvalidToken),
                ) => return Err(e.into()),
                // Refused by the verification below, with its own error.
                Err(_) => None,
            },
            None => None,
        };
        let secret = key.as_ref().map(|k| k.secret.clone());
        let auth = sigv4::verify(&parts, &gw.region, |_| secret.clone(), now)
            .map_err(|e| in_region(e, &gw.region))?;
        (auth, key)
    };
    if let Some(signer) = &key {
        let sent = parts
            .header_values("x-amz-security-token")
            .next()
            .or_else(|| {
                query
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-security-token"))
                    .map(|(_, v)| v.as_str())
            });
        signer.check_token(sent)?;
        if !signer.caller.temporary {
            gw.identities
                .uses
                .note(&auth.access_key, "s3", &auth.region);
        }
    }
    let headers = with_hoisted_headers(raw_headers, &query);
    // Authentication parameters, headers hoisted into the query, and the
    // SDKs' `x-id` operation hint do not change the operation.
    let query = query
        .into_iter()
        .filter(|(k, _)| {
            !(k.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"))
                || matches!(
                    k.as_str(),
                    "AWSAccessKeyId" | "Signature" | "Expires" | "x-id"
                ))
        })
        .collect();
    Ok(Authenticated {
        bucket,
        key: object_key,
        query,
        auth,
        caller: key.map(|k| k.caller),
        headers,
        bucket_record,
    })
}

/// The access key id a request claims, before verification.
fn claimed_access_key(parts: &RequestParts<'_>) -> Option<String> {
    let credential = match sigv4::detect_auth_kind(parts).ok()? {
        sigv4::AuthKind::Header => {
            let h = parts.header_values("authorization").next()?;
            sigv4::AuthorizationHeader::parse(h).ok()?.credential
        }
        sigv4::AuthKind::Presigned => sigv4::PresignedParams::parse(parts.query).ok()?.credential,
        sigv4::AuthKind::Anonymous => return None,
    };
    Some(credential.access_key)
}

/// Splits the request into bucket and key (virtual-host style when `host`
/// is `<bucket>.<domain>`, else path style).
pub(crate) fn address(
    raw_path: &str,
    host: &str,
    domain: Option<&str>,
) -> Result<(Option<String>, Option<String>), S3Error> {
    let path = percent_encoding::percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| S3Error::new(S3ErrorCode::InvalidURI))?;
    let path = path.strip_prefix('/').unwrap_or(&path);
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let vhost = domain.and_then(|d| host.strip_suffix(d)?.strip_suffix('.').map(str::to_string));
    let (bucket, key) = match vhost {
        Some(b) if !b.is_empty() => (Some(b), (!path.is_empty()).then(|| path.to_string())),
        _ => match path.split_once('/') {
            Some((b, k)) => (Some(b.to_string()), (!k.is_empty()).then(|| k.to_string())),
            None => ((!path.is_empty()).then(|| path.to_string()), None),
        },
    };
    Ok((bucket, key))
}

/// The SigV4 presigning parameters: authentication, not hoisted headers.
const AUTH_PARAMS: &[&str] = &[
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-signedheaders",
    "x-amz-signature",
    "x-amz-security-token",
];

/// `headers` plus the `x-amz-*` query parameters of a presigned URL as
/// headers (the JavaScript SDK v3 hoists `x-amz-checksum-*`,
/// `x-amz-sdk-checksum-algorithm` and `x-amz-checksum-mode` there; the
/// signature covers them as query parameters). A header the request
/// carries itself is kept.
fn with_hoisted_headers(headers: &HeaderMap, query: &[(String, String)]) -> HeaderMap {
    let mut out = headers.clone();
    for (k, v) in query {
        let name = k.to_ascii_lowercase();
        if !name.starts_with("x-amz-") || AUTH_PARAMS.contains(&name.as_str()) {
            continue;
        }
        let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::from_str(v)) else {
            continue;
        };
        if !out.contains_key(&name) {
            out.insert(name, value);
        }
    }
    out
}

/// The context of a request SigV2 authenticated (header or presigned URL):
/// its body, if any, is not signed.
fn signature_v2_context(access_key: String, region: &str) -> AuthContext {
    AuthContext {
        access_key,
        region: region.to_string(),
        service: sigv4::SERVICE.to_string(),
        signing_key: sigv4::SigningKey::derive("", "", region, sigv4::SERVICE),
        seed_signature: String::new(),
        amz_date: String::new(),
        scope: String::new(),
        payload: sigv4::PayloadMode::Unsigned,
        kind: sigv4::AuthKind::Presigned,
        signed_headers: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_and_virtual_host_addressing() {
        let a = |path, host, domain| address(path, host, domain).unwrap();
        assert_eq!(
            a("/b/k/x", "h:9000", None),
            (Some("b".into()), Some("k/x".into()))
        );
        assert_eq!(a("/b", "h", None), (Some("b".into()), None));
        assert_eq!(a("/", "h", None), (None, None));
        assert_eq!(
            a("/k%20x", "b.s3.local:9000", Some("s3.local")),
            (Some("b".into()), Some("k x".into()))
        );
        assert_eq!(
            a("/b/k", "s3.local", Some("s3.local")),
            (Some("b".into()), Some("k".into()))
        );
        assert!(address("/b/%FF", "h", None).is_err());
    }
}
