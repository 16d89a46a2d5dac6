//! Presigned URLs made by AWS's own SigV4 signer (`aws-sigv4`), for
//! requests the SDK will not presign (any query a client may send).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    sign, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    UriPathNormalizationMode,
};

use super::store::{ACCESS_KEY, SECRET_KEY};

/// RFC 3986 percent-encoding of a query value (unreserved bytes kept).
pub fn percent_encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `http://addr{target}` presigned for `method` (five minutes, us-east-1,
/// the test credentials); `target` is a path and an encoded query.
pub fn presign(addr: SocketAddr, method: &str, target: &str) -> String {
    let signed = presign_at(
        addr,
        method,
        target,
        SystemTime::now(),
        Duration::from_secs(300),
    );
    format!("http://{addr}{signed}")
}

/// The path and query of a URL presigned for `method` on `target` (the
/// test credentials, us-east-1), signed at `time` for `expires`.
pub fn presign_at(
    addr: SocketAddr,
    method: &str,
    target: &str,
    time: SystemTime,
    expires: Duration,
) -> String {
    let url = format!("http://{addr}{target}");
    let identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(expires);
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(time)
        .settings(settings)
        .build()
        .expect("signing params")
        .into();
    let host = addr.to_string();
    let signable = SignableRequest::new(
        method,
        url.as_str(),
        [("host", host.as_str())].into_iter(),
        SignableBody::UnsignedPayload,
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    let (_, query) = instructions.into_parts();
    let mut out = target.to_string();
    let mut sep = if target.contains('?') { '&' } else { '?' };
    for (k, v) in query {
        let _ = write!(out, "{sep}{k}={}", percent_encode(v.as_ref()));
        sep = '&';
    }
    out
}

/// `method target` with `headers` and `body`, signed in its headers
/// (SigV4, us-east-1, the payload's SHA-256 signed) with `access`/`secret`,
/// sent on a new connection: the response.
pub fn signed_request(
    addr: SocketAddr,
    (access, secret): (&str, &str),
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<super::http::RawResponse> {
    let url = format!("http://{addr}{target}");
    let identity =
        aws_credential_types::Credentials::new(access, secret, None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = aws_sigv4::http_request::PayloadChecksumKind::XAmzSha256;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .expect("signing params")
        .into();
    let host = addr.to_string();
    let mut all: Vec<(String, String)> = vec![("host".into(), host)];
    all.extend(
        headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())),
    );
    let signable = SignableRequest::new(
        method,
        url.as_str(),
        all.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .expect("signable");
    let (instructions, _) = sign(signable, &params).expect("sign").into_parts();
    let (signed, _) = instructions.into_parts();
    for h in signed {
        all.push((h.name().to_string(), h.value().to_string()));
    }
    let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    super::http::http_request(addr, method, target, &refs, body)
}
