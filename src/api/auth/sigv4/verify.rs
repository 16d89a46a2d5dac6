//! Verification of a SigV4 request: which scheme it uses ([`AuthKind`]),
//! the checks of the header and presigned-URL schemes, and the final
//! constant-time signature comparison that yields an [`AuthContext`].

use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use super::canonical::{canonical_request, string_to_sign};
use super::date::{format_amz_date, parse_amz_date, parse_http_date};
use super::error::{AuthError, MalformedHeader, MalformedQuery};
use super::header::{AuthorizationHeader, Credential};
use super::parts::RequestParts;
use super::payload::PayloadMode;
use super::presigned::PresignedParams;
use super::scheme::{MAX_CLOCK_SKEW, SERVICE, UNSIGNED_PAYLOAD};
use super::signing::SigningKey;

/// Which authentication scheme a request uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthKind {
    /// Signed in the `Authorization: AWS4-HMAC-SHA256 …` header.
    Header,
    /// Presigned URL (`X-Amz-*` query parameters).
    Presigned,
    /// No SigV4 credentials at all; the caller decides about anonymous access.
    Anonymous,
}

/// Tells which scheme the request uses, so anonymous access can be decided
/// before calling [`verify`]; using both schemes at once is an error.
pub(crate) fn detect_auth_kind(parts: &RequestParts<'_>) -> Result<AuthKind, AuthError> {
    // An empty Authorization header is no authentication at all (AWS
    // answers it as an anonymous request).
    let has_header = parts
        .header_values("authorization")
        .any(|v| !v.trim().is_empty());
    let has_query = parts.query.iter().any(|(name, _)| {
        matches!(
            name.as_str(),
            "X-Amz-Algorithm" | "X-Amz-Credential" | "X-Amz-Signature"
        )
    });
    match (has_header, has_query) {
        (true, true) => Err(AuthError::TwoMechanisms),
        (true, false) => Ok(AuthKind::Header),
        (false, true) => Ok(AuthKind::Presigned),
        (false, false) => Ok(AuthKind::Anonymous),
    }
}

/// Everything a handler needs after successful authentication.
#[derive(Debug, Clone)]
pub(crate) struct AuthContext {
    /// The access key id whose secret verified the signature (its use
    /// is noted for GetAccessKeyLastUsed).
    pub access_key: String,
    /// Region from the credential scope.
    pub region: String,
    /// Service from the credential scope: `s3`, or `iam`/`sts` on the
    /// query API.
    pub service: String,
    /// Derived signing key, for chunk and trailer signatures.
    pub signing_key: SigningKey,
    /// Lower-case hex request signature; the seed of the chunk-signature chain.
    pub seed_signature: String,
    /// Request time as signed, `YYYYMMDDTHHMMSSZ`.
    pub amz_date: String,
    /// Credential scope `date/region/service/aws4_request`.
    pub scope: String,
    /// How the body is protected.
    pub payload: PayloadMode,
    /// Header or presigned-URL authentication.
    // Read by the tests, the fuzz targets and in the Debug output of a request.
    #[cfg_attr(not(test), allow(dead_code))]
    pub kind: AuthKind,
    /// Lower-case names of the headers covered by the signature.
    // Read by the tests, the fuzz targets and in the Debug output of a request.
    #[cfg_attr(not(test), allow(dead_code))]
    pub signed_headers: Vec<String>,
}

/// Authenticates a request signed with SigV4 (header or presigned URL).
///
/// `region` is the store's: a credential scope for another one is
/// refused, as AWS does. `lookup_secret` maps an access key id to its
/// secret access key; `now` is the server clock, used for the 15-minute
/// skew window (header auth) and for presigned expiry. On success the
/// caller still has to check the body according to
/// [`AuthContext::payload`].
pub(crate) fn verify<F>(
    parts: &RequestParts<'_>,
    region: &str,
    lookup_secret: F,
    now: OffsetDateTime,
) -> Result<AuthContext, AuthError>
where
    F: Fn(&str) -> Option<String>,
{
    match detect_auth_kind(parts)? {
        AuthKind::Header => verify_header(parts, Scope::S3 { region }, &lookup_secret, now),
        AuthKind::Presigned => verify_presigned(parts, region, &lookup_secret, now),
        AuthKind::Anonymous => Err(AuthError::Anonymous),
    }
}

/// Authenticates a form-encoded query API request (IAM's or STS's,
/// signed in the header with service `iam` or `sts`) whose body hashes
/// to `body_sha256` (lower-case hex): IAM is global, so any region in the
/// credential scope is taken (SDKs sign `us-east-1` or none); the
/// body's hash is the payload hash whether or not
/// `x-amz-content-sha256` is sent (if sent, it must match).
pub(crate) fn verify_query_api<F>(
    parts: &RequestParts<'_>,
    services: &[&str],
    body_sha256: &str,
    lookup_secret: F,
    now: OffsetDateTime,
) -> Result<AuthContext, AuthError>
where
    F: Fn(&str) -> Option<String>,
{
    match detect_auth_kind(parts)? {
        AuthKind::Header => verify_header(
            parts,
            Scope::QueryApi {
                services,
                body_sha256,
            },
            &lookup_secret,
            now,
        ),
        AuthKind::Presigned => Err(AuthError::UnsupportedAuthorization),
        AuthKind::Anonymous => Err(AuthError::Anonymous),
    }
}

/// Which credential scopes a request may be signed for, and where its
/// payload hash comes from.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// S3 in the store's region; the payload hash is
    /// `x-amz-content-sha256`.
    S3 {
        /// The store's region.
        region: &'a str,
    },
    /// A query API (IAM, STS) of these services, any region; the payload
    /// hash is the body's.
    QueryApi {
        /// The services taken.
        services: &'a [&'a str],
        /// The body's SHA-256, lower-case hex.
        body_sha256: &'a str,
    },
}

fn verify_header<F>(
    parts: &RequestParts<'_>,
    scope: Scope<'_>,
    lookup_secret: &F,
    now: OffsetDateTime,
) -> Result<AuthContext, AuthError>
where
    F: Fn(&str) -> Option<String>,
{
    let value = parts
        .single_header("authorization")
        .map_err(|()| AuthError::MalformedHeader(MalformedHeader::Repeated))?
        .ok_or(AuthError::Anonymous)?;
    let auth = AuthorizationHeader::parse(value)?;
    let malformed = AuthError::MalformedHeader;
    let service = auth.credential.service.as_str();
    match scope {
        Scope::S3 { region } => {
            if service != SERVICE {
                return Err(malformed(MalformedHeader::WrongService));
            }
            // An empty region is no region at all: the store's.
            if auth.credential.region != region && !auth.credential.region.is_empty() {
                return Err(malformed(MalformedHeader::WrongRegion));
            }
        }
        Scope::QueryApi { services, .. } => {
            if !services.contains(&service) {
                return Err(malformed(MalformedHeader::WrongService));
            }
        }
    }

    let (amz_date, request_time) = header_request_time(parts)?;
    if amz_date.get(..8) != Some(auth.credential.date.as_str()) {
        return Err(malformed(MalformedHeader::DateMismatch));
    }

    let declared = parts
        .single_header("x-amz-content-sha256")
        .map_err(|()| AuthError::RepeatedContentSha256)?;
    let content_sha = match (scope, declared) {
        (Scope::S3 { .. }, Some(d)) => d,
        (Scope::S3 { .. }, None) => return Err(AuthError::MissingContentSha256),
        (Scope::QueryApi { body_sha256, .. }, Some(d)) if !d.eq_ignore_ascii_case(body_sha256) => {
            return Err(AuthError::ContentSha256Mismatch)
        }
        (Scope::QueryApi { body_sha256, .. }, _) => body_sha256,
    };
    let payload = PayloadMode::from_header(content_sha)?;

    let secret = lookup_secret(&auth.credential.access_key).ok_or(AuthError::UnknownAccessKey)?;

    if (now - request_time).abs() > MAX_CLOCK_SKEW {
        return Err(AuthError::RequestTimeTooSkewed);
    }
    check_signed_headers(parts, &auth.signed_headers)?;

    let canonical = canonical_request(parts, &auth.signed_headers, content_sha, false);
    finish(Verified {
        credential: auth.credential,
        signed_headers: auth.signed_headers,
        claimed: &auth.signature,
        amz_date,
        canonical,
        secret: &secret,
        payload,
        kind: AuthKind::Header,
    })
}

fn verify_presigned<F>(
    parts: &RequestParts<'_>,
    region: &str,
    lookup_secret: &F,
    now: OffsetDateTime,
) -> Result<AuthContext, AuthError>
where
    F: Fn(&str) -> Option<String>,
{
    let params = PresignedParams::parse(parts.query)?;
    let err = AuthError::MalformedQuery;
    if params.credential.service != SERVICE {
        return Err(err(MalformedQuery::WrongService));
    }
    if params.credential.region != region && !params.credential.region.is_empty() {
        return Err(err(MalformedQuery::WrongRegion));
    }
    if params.amz_date.get(..8) != Some(params.credential.date.as_str()) {
        return Err(err(MalformedQuery::DateMismatch));
    }
    let request_time = parse_amz_date(&params.amz_date).ok_or(err(MalformedQuery::Date))?;

    let secret = lookup_secret(&params.credential.access_key).ok_or(AuthError::UnknownAccessKey)?;

    if request_time - now > MAX_CLOCK_SKEW {
        return Err(AuthError::NotYetValid);
    }
    // `expires` is at most 604800, so the conversion cannot truncate.
    let expires = Duration::seconds(i64::try_from(params.expires).unwrap_or(i64::MAX));
    if now - request_time > expires {
        return Err(AuthError::Expired);
    }
    check_signed_headers(parts, &params.signed_headers)?;

    let canonical = canonical_request(parts, &params.signed_headers, UNSIGNED_PAYLOAD, true);
    finish(Verified {
        credential: params.credential,
        signed_headers: params.signed_headers,
        claimed: &params.signature,
        amz_date: params.amz_date,
        canonical,
        secret: &secret,
        payload: PayloadMode::Unsigned,
        kind: AuthKind::Presigned,
    })
}

/// Inputs of the final signature comparison shared by both schemes.
struct Verified<'s> {
    credential: Credential,
    signed_headers: Vec<String>,
    claimed: &'s str,
    amz_date: String,
    canonical: String,
    secret: &'s str,
    payload: PayloadMode,
    kind: AuthKind,
}

fn finish(v: Verified<'_>) -> Result<AuthContext, AuthError> {
    let scope = v.credential.scope();
    let key = SigningKey::derive(
        v.secret,
        &v.credential.date,
        &v.credential.region,
        &v.credential.service,
    );
    let sts = string_to_sign(&v.amz_date, &scope, &v.canonical);
    let computed = key.sign(sts.as_bytes());
    let mut claimed = [0u8; 32];
    if hex::decode_to_slice(v.claimed, &mut claimed).is_err() {
        return Err(AuthError::SignatureMismatch);
    }
    if !bool::from(computed.ct_eq(&claimed)) {
        return Err(AuthError::SignatureMismatch);
    }
    Ok(AuthContext {
        access_key: v.credential.access_key,
        region: v.credential.region,
        service: v.credential.service,
        signing_key: key,
        seed_signature: hex::encode(computed),
        amz_date: v.amz_date,
        scope,
        payload: v.payload,
        kind: v.kind,
        signed_headers: v.signed_headers,
    })
}

/// Signed headers must include `host`, and every `x-amz-*` header present in
/// the request must be signed (S3 rejects unsigned ones).
fn check_signed_headers(parts: &RequestParts<'_>, signed: &[String]) -> Result<(), AuthError> {
    if !signed.iter().any(|h| h == "host") {
        return Err(AuthError::HostNotSigned);
    }
    for (name, _) in parts.headers {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("x-amz-") && !signed.contains(&lower) {
            return Err(AuthError::UnsignedAmzHeader);
        }
    }
    Ok(())
}

/// The request time for header auth: `x-amz-date`, else the `Date` header.
fn header_request_time(parts: &RequestParts<'_>) -> Result<(String, OffsetDateTime), AuthError> {
    let bad = AuthError::InvalidDate;
    if let Some(v) = parts.single_header("x-amz-date").map_err(|()| bad)? {
        let t = parse_amz_date(v.trim()).ok_or(bad)?;
        return Ok((v.trim().to_owned(), t));
    }
    let v = parts.single_header("date").map_err(|()| bad)?.ok_or(bad)?;
    let t = parse_http_date(v).ok_or(bad)?;
    Ok((format_amz_date(t), t))
}
