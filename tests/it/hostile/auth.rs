//! Authentication: anonymous requests, malformed and wrong SigV4 headers
//! and scopes, skewed clocks, payload hashes, SigV2 headers, presigned
//! URLs that expired or claim too long a validity. Nothing a refused
//! request named is created or deleted.

use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

use super::{
    body_tag, create_bucket, describe, list_keys, put_object, sign_headers, Hostile, Signing,
};
use crate::common::digest::b64;
use crate::common::http::http_request;
use crate::common::presign::presign_at;
use crate::common::store::{ACCESS_KEY, SECRET_KEY};

/// `Authorization: AWS key:signature` of a SigV2 request without
/// Content-MD5, Content-Type or `x-amz-*` headers.
fn sigv2(method: &str, date: &str, resource: &str, key: &str, secret: &str) -> String {
    let string_to_sign = format!("{method}\n\n\n{date}\n{resource}");
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(string_to_sign.as_bytes());
    let signature: [u8; 20] = mac.finalize().into_bytes().into();
    format!("AWS {key}:{}", b64(&signature))
}

/// Headers as `http_request` takes them.
fn refs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// `headers` with the value of `name` replaced by `f(value)`.
fn edit(
    mut headers: Vec<(String, String)>,
    name: &str,
    f: impl Fn(&str) -> String,
) -> Vec<(String, String)> {
    for (k, v) in &mut headers {
        if k.eq_ignore_ascii_case(name) {
            *v = f(v);
        }
    }
    headers
}

#[test]
fn bad_authentication_is_refused_as_aws_does_and_changes_nothing() {
    let h = Hostile::start("auth", &[]);
    let addr = h.addr();
    create_bucket(&h, "private");
    let secret = b"the private object".to_vec();
    put_object(&h, "private", "secret", &secret);
    let now = SystemTime::now();

    // Anonymous requests on a private bucket.
    for (method, target, body) in [
        ("GET", "/", &b""[..]),
        ("GET", "/private", &b""[..]),
        ("GET", "/private/secret", &b""[..]),
        ("PUT", "/private/anon", &b"anonymous"[..]),
        ("DELETE", "/private/secret", &b""[..]),
        ("POST", "/private/anon?uploads", &b""[..]),
    ] {
        let r = http_request(addr, method, target, &[], body);
        h.expect(
            &format!("anonymous {method} {target}"),
            &r,
            &[(403, Some("AccessDenied"))],
        );
    }
    let r = http_request(addr, "HEAD", "/private/secret", &[], b"");
    h.expect("anonymous HEAD /private/secret", &r, &[(403, None)]);

    // Malformed Authorization headers.
    for (case, value, want) in [
        (
            "a bare AWS4-HMAC-SHA256",
            "AWS4-HMAC-SHA256",
            (400, "AuthorizationHeaderMalformed"),
        ),
        (
            "AWS4-HMAC-SHA256 with a garbage credential",
            "AWS4-HMAC-SHA256 Credential=garbage, SignedHeaders=host, Signature=00",
            (400, "AuthorizationHeaderMalformed"),
        ),
        (
            "an unsupported scheme (Bearer)",
            "Bearer abcdef",
            (400, "InvalidArgument"),
        ),
        (
            "a SigV2 header without a colon",
            "AWS nocolon",
            (400, "InvalidArgument"),
        ),
    ] {
        let r = http_request(
            addr,
            "GET",
            "/private/secret",
            &[("Authorization", value)],
            b"",
        );
        h.expect(
            &format!("Authorization: {case}"),
            &r,
            &[(want.0, Some(want.1))],
        );
    }

    // Well-formed SigV4 that must not pass.
    let wrong_secret = Signing {
        secret_key: "not-the-secret".into(),
        ..Signing::default()
    };
    let r = h.signed_with(&wrong_secret, "GET", "/private/secret", &[], b"");
    h.expect(
        "SigV4 with a wrong secret",
        &r,
        &[(403, Some("SignatureDoesNotMatch"))],
    );
    let r = h.signed_with(&wrong_secret, "PUT", "/private/forged", &[], b"forged");
    h.expect(
        "SigV4 PUT with a wrong secret",
        &r,
        &[(403, Some("SignatureDoesNotMatch"))],
    );

    let unknown = Signing {
        access_key: "PSUNKNOWNACCESSKEY99".into(),
        ..Signing::default()
    };
    let r = h.signed_with(&unknown, "GET", "/private/secret", &[], b"");
    h.expect(
        "SigV4 with an unknown access key",
        &r,
        &[(403, Some("InvalidAccessKeyId"))],
    );

    let signed = sign_headers(
        addr,
        "GET",
        "/private/secret",
        &[],
        b"",
        &Signing::default(),
    );
    let flipped = edit(signed.clone(), "authorization", |v| {
        let mut v = v.to_string();
        let last = v.pop().unwrap_or('0');
        v.push(if last == '0' { '1' } else { '0' });
        v
    });
    let r = http_request(addr, "GET", "/private/secret", &refs(&flipped), b"");
    h.expect(
        "SigV4 with one signature digit changed",
        &r,
        &[(403, Some("SignatureDoesNotMatch"))],
    );

    let signed_put = sign_headers(
        addr,
        "PUT",
        "/private/a",
        &[],
        b"payload",
        &Signing::default(),
    );
    let r = http_request(addr, "PUT", "/private/b", &refs(&signed_put), b"payload");
    h.expect(
        "SigV4 PUT signed for another key",
        &r,
        &[(403, Some("SignatureDoesNotMatch"))],
    );

    // A body other than the one whose hash was signed.
    let r = http_request(addr, "PUT", "/private/a", &refs(&signed_put), b"PAYLOAD");
    h.expect(
        "a body that does not match x-amz-content-sha256",
        &r,
        &[(400, Some("XAmzContentSHA256Mismatch"))],
    );
    let not_hex = Signing {
        payload: Some("nothex".into()),
        ..Signing::default()
    };
    let r = h.signed_with(&not_hex, "PUT", "/private/c", &[], b"payload");
    h.expect(
        "x-amz-content-sha256 that is no hash",
        &r,
        &[(400, Some("InvalidArgument"))],
    );

    // An x-amz-* header the signature does not cover.
    let mut unsigned_amz = sign_headers(
        addr,
        "PUT",
        "/private/d",
        &[],
        b"payload",
        &Signing::default(),
    );
    unsigned_amz.push(("x-amz-meta-smuggled".into(), "1".into()));
    let r = http_request(addr, "PUT", "/private/d", &refs(&unsigned_amz), b"payload");
    h.expect(
        "an x-amz-* header left out of the signature",
        &r,
        &[(403, Some("AccessDenied"))],
    );

    // The credential scope.
    let elsewhere = Signing {
        region: "eu-west-1".into(),
        ..Signing::default()
    };
    let r = h.signed_with(&elsewhere, "GET", "/private/secret", &[], b"");
    h.expect(
        "a scope for eu-west-1 on a us-east-1 store",
        &r,
        &[(400, Some("AuthorizationHeaderMalformed"))],
    );
    h.check(
        "a scope for eu-west-1: the answer names us-east-1",
        body_tag(&r, "Region").as_deref() == Some("us-east-1"),
        || format!("<Region> is {:?}", body_tag(&r, "Region")),
    );
    let ec2 = Signing {
        service: "ec2".into(),
        ..Signing::default()
    };
    let r = h.signed_with(&ec2, "GET", "/private/secret", &[], b"");
    h.expect(
        "a scope for the service ec2",
        &r,
        &[(400, Some("AuthorizationHeaderMalformed"))],
    );
    let yesterday = Signing {
        time: now - Duration::from_secs(86_400),
        ..Signing::default()
    };
    let today = signed
        .iter()
        .find(|(k, _)| k == "x-amz-date")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let old_scope = sign_headers(addr, "GET", "/private/secret", &[], b"", &yesterday);
    let mismatch = edit(old_scope, "x-amz-date", |_| today.clone());
    let r = http_request(addr, "GET", "/private/secret", &refs(&mismatch), b"");
    h.expect(
        "a scope date that is not the date of x-amz-date",
        &r,
        &[(400, Some("AuthorizationHeaderMalformed"))],
    );

    // The clock.
    for (case, time) in [
        (
            "x-amz-date an hour in the past",
            now - Duration::from_secs(3600),
        ),
        (
            "x-amz-date an hour in the future",
            now + Duration::from_secs(3600),
        ),
    ] {
        let skewed = Signing {
            time,
            ..Signing::default()
        };
        let r = h.signed_with(&skewed, "GET", "/private/secret", &[], b"");
        h.expect(case, &r, &[(403, Some("RequestTimeTooSkewed"))]);
        let r = h.signed_with(&skewed, "PUT", "/private/skewed", &[], b"late");
        h.expect(
            &format!("PUT with {case}"),
            &r,
            &[(403, Some("RequestTimeTooSkewed"))],
        );
    }
    let garbage_date = edit(signed.clone(), "x-amz-date", |_| "yesterday".into());
    let r = http_request(addr, "GET", "/private/secret", &refs(&garbage_date), b"");
    h.expect(
        "x-amz-date that is no date",
        &r,
        &[(403, Some("AccessDenied"))],
    );

    // SigV2 in the Authorization header.
    let date = httpdate::fmt_http_date(SystemTime::now());
    let good = sigv2("GET", &date, "/private/secret", ACCESS_KEY, SECRET_KEY);
    let r = http_request(
        addr,
        "GET",
        "/private/secret",
        &[("Date", &date), ("Authorization", &good)],
        b"",
    );
    let ok = h.expect("a valid SigV2 header signature", &r, &[(200, None)]);
    if ok {
        h.check(
            "a valid SigV2 header signature: the object",
            r.as_ref().is_ok_and(|r| r.body == secret),
            || "other bytes".into(),
        );
    }
    let bad = format!("AWS {ACCESS_KEY}:{}", b64(b"not the signature of anything"));
    let r = http_request(
        addr,
        "GET",
        "/private/secret",
        &[("Date", &date), ("Authorization", &bad)],
        b"",
    );
    h.expect(
        "a SigV2 header with a bad signature",
        &r,
        &[(403, Some("SignatureDoesNotMatch"))],
    );
    let r = http_request(
        addr,
        "PUT",
        "/private/v2",
        &[("Date", &date), ("Authorization", &bad)],
        b"v2 body",
    );
    h.expect(
        "a SigV2 PUT with a bad signature",
        &r,
        &[(403, Some("SignatureDoesNotMatch"))],
    );
    let stranger = sigv2(
        "GET",
        &date,
        "/private/secret",
        "PSUNKNOWNACCESSKEY99",
        SECRET_KEY,
    );
    let r = http_request(
        addr,
        "GET",
        "/private/secret",
        &[("Date", &date), ("Authorization", &stranger)],
        b"",
    );
    h.expect(
        "a SigV2 header with an unknown key",
        &r,
        &[(403, Some("InvalidAccessKeyId"))],
    );

    // Presigned URLs.
    let expired = presign_at(
        addr,
        "GET",
        "/private/secret",
        now - Duration::from_secs(3600),
        Duration::from_secs(60),
    );
    let r = http_request(addr, "GET", &expired, &[], b"");
    h.expect(
        "a presigned URL that expired",
        &r,
        &[(403, Some("AccessDenied"))],
    );
    let too_long = presign_at(
        addr,
        "GET",
        "/private/secret",
        now,
        Duration::from_secs(604_801),
    );
    let r = http_request(addr, "GET", &too_long, &[], b"");
    h.expect(
        "a presigned URL with X-Amz-Expires over 604800 (malformed, as AWS answers)",
        &r,
        &[(400, Some("AuthorizationQueryParametersError"))],
    );
    let fresh = presign_at(
        addr,
        "GET",
        "/private/secret",
        now,
        Duration::from_secs(300),
    );
    let r = http_request(addr, "GET", &fresh, &[], b"");
    h.expect("a valid presigned URL, for contrast", &r, &[(200, None)]);
    let not_number = fresh.replace("X-Amz-Expires=300", "X-Amz-Expires=abc");
    let r = http_request(addr, "GET", &not_number, &[], b"");
    h.expect(
        "a presigned URL with X-Amz-Expires=abc",
        &r,
        &[(400, Some("AuthorizationQueryParametersError"))],
    );
    // The signature is the URL's last parameter: change its last digit.
    let mut tampered = fresh.clone();
    let last = tampered.pop().unwrap_or('0');
    tampered.push(if last == '0' { '1' } else { '0' });
    let r = http_request(addr, "GET", &tampered, &[], b"");
    h.expect(
        "a presigned URL with its signature changed",
        &r,
        &[(403, Some("SignatureDoesNotMatch"))],
    );
    let r = http_request(addr, "GET", &fresh, &refs(&signed), b"");
    h.expect(
        "a presigned URL and an Authorization header together",
        &r,
        &[(400, Some("InvalidArgument"))],
    );
    let put_url = presign_at(
        addr,
        "PUT",
        "/private/presigned-late",
        now - Duration::from_secs(3600),
        Duration::from_secs(60),
    );
    let r = http_request(addr, "PUT", &put_url, &[], b"late");
    h.expect(
        "an expired presigned PUT",
        &r,
        &[(403, Some("AccessDenied"))],
    );

    // Nothing was created, nothing deleted.
    match list_keys(&h, "private") {
        Ok(keys) => {
            h.check(
                "the bucket holds only what was stored",
                keys == [b"secret".to_vec()],
                || {
                    format!(
                        "keys: {:?}",
                        keys.iter()
                            .map(|k| String::from_utf8_lossy(k).to_string())
                            .collect::<Vec<_>>()
                    )
                },
            );
        }
        Err(e) => {
            h.check("the bucket can be listed", false, || e);
        }
    }
    h.expect_object("the private object is intact", "private", "secret", &secret);
    let r = h.signed("GET", "/private?uploads", &[], b"");
    h.check(
        "no multipart upload was created",
        r.as_ref().is_ok_and(|r| {
            r.status == 200 && !String::from_utf8_lossy(&r.body).contains("<Upload>")
        }),
        || describe(&r),
    );
    h.finish();
}
