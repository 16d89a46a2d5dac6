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
