//! Requests at the edges of what S3 takes, answered as AWS answers them:
//! the request dates SigV4 and SigV2 read (`X-Amz-Date` over `Date`,
//! `Date` in the RFC 2822 form botocore sends), a key too long for the
//! request line, a presigned URL whose validity is out of range, and a
//! head with both `Content-Length` and `Transfer-Encoding` (issue 29,
//! item 4). Every refusal is an S3 XML error document.

use std::time::{Duration, SystemTime};

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::{
    body_tag, create_bucket, describe, exchange, list_keys, object_path, put_object, sign_headers,
    Hostile, Signing, Want,
};
use crate::common::digest::b64;
use crate::common::http::{http_request, RawResponse};
use crate::common::presign::presign_at;
use crate::common::store::{ACCESS_KEY, SECRET_KEY};

/// How long a refused request may take to be answered and closed.
const WAIT: Duration = Duration::from_secs(5);

/// Headers as `http_request` takes them.
fn refs(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// Whether an answer is an S3 XML error document.
fn is_s3_xml(r: &std::io::Result<RawResponse>) -> bool {
    r.as_ref().is_ok_and(|r| {
        r.header("content-type").is_some_and(|t| t.contains("xml"))
            && String::from_utf8_lossy(&r.body).contains("<Error>")
    })
}

/// Records `got` against `want`, and that it is an S3 XML document.
fn expect_xml(h: &Hostile, case: &str, got: &std::io::Result<RawResponse>, want: Want<'_>) {
    h.expect(case, got, want);
    h.check(&format!("{case}: an S3 XML error"), is_s3_xml(got), || {
        describe(got)
    });
}

fn hmac_sha256(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("hmac key");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// How a hand-signed SigV4 request carries its time.
enum DatedBy<'a> {
    /// `X-Amz-Date`, as SDKs send it.
    AmzDate,
    /// A `Date` header of this value and no `X-Amz-Date`, as botocore
    /// sends a request given a `Date` (the `aws-sigv4` signer always adds
    /// `X-Amz-Date`).
    Date(&'a str),
}

/// The headers of a SigV4 request (no body, `UNSIGNED-PAYLOAD`) for
/// `path` (sent as is) and `query` (one already canonical `name=value`,
/// or empty), signed at `time` by hand: the `aws-sigv4` signer refuses a
/// URI over 64 KiB.
fn sigv4_by_hand(
    addr: std::net::SocketAddr,
    (method, path, query): (&str, &str, &str),
    time: SystemTime,
    dated_by: DatedBy<'_>,
) -> Vec<(String, String)> {
    let t = time::OffsetDateTime::from(time);
    let amz_date = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
    let scope = format!("{}/us-east-1/s3/aws4_request", &amz_date[..8]);
    let host = addr.to_string();
    let (time_header, time_value) = match dated_by {
        DatedBy::AmzDate => ("x-amz-date", amz_date.as_str()),
        DatedBy::Date(date) => ("date", date),
    };
    // Sorted by name: date < host < x-amz-content-sha256 < x-amz-date.
    let mut headers = [
        (time_header, time_value),
        ("host", host.as_str()),
        ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
    ];
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(k, _)| *k)
        .collect::<Vec<_>>()
        .join(";");
    let canonical = format!(
        "{method}\n{path}\n{query}\n{canonical_headers}\n{signed_headers}\nUNSIGNED-PAYLOAD"
    );
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = format!("AWS4{SECRET_KEY}").into_bytes();
    for part in [&amz_date[..8], "us-east-1", "s3", "aws4_request"] {
        key = hmac_sha256(&key, part);
    }
    let signature = hex::encode(hmac_sha256(&key, &to_sign));
    let mut out: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    out.push((
        "authorization".into(),
        format!(
            "AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, \
             SignedHeaders={signed_headers}, Signature={signature}"
        ),
    ));
    out
}

/// `Authorization: AWS key:signature` of a SigV2 request: `date_line` and
/// the canonical `x-amz-*` lines (each ending in a newline) as signed.
fn sigv2(method: &str, date_line: &str, amz_lines: &str, resource: &str) -> String {
    let to_sign = format!("{method}\n\n\n{date_line}\n{amz_lines}{resource}");
    let mut mac = Hmac::<Sha1>::new_from_slice(SECRET_KEY.as_bytes()).expect("hmac key");
    mac.update(to_sign.as_bytes());
    let signature: [u8; 20] = mac.finalize().into_bytes().into();
    format!("AWS {ACCESS_KEY}:{}", b64(&signature))
}

/// SigV4 reads `X-Amz-Date` and ignores `Date` when both are sent; a
/// `Date` alone may be in any RFC 2822 form (botocore sends `-0000`);
/// SigV2 reads a present `x-amz-date` even when empty. The ceph/s3-tests
/// `test_headers.py` date tests send these.
#[test]
fn request_dates_are_read_as_aws_reads_them() {
    let h = Hostile::start("edge-dates", &[]);
    let addr = h.addr();
    create_bucket(&h, "dates");
    let data = b"dated".to_vec();
    put_object(&h, "dates", "obj", &data);
    let now = SystemTime::now();
    let path = "/dates/obj";
    let ok =
        |r: &std::io::Result<RawResponse>| matches!(r, Ok(r) if r.status == 200 && r.body == data);

    // X-Amz-Date and Date together: Date is ignored, whatever it says.
    let an_hour_ago = httpdate::fmt_http_date(now - Duration::from_secs(3600));
    for (case, date, signed) in [
        ("an empty Date", "", false),
        ("a Date an hour off", an_hour_ago.as_str(), false),
        ("a Date that is no date", "yesterday", false),
        ("a signed Date an hour off", an_hour_ago.as_str(), true),
    ] {
        let headers = if signed {
            sign_headers(
                addr,
                "GET",
                path,
                &[("Date", date)],
                b"",
                &Signing::default(),
            )
        } else {
            let mut all = sign_headers(addr, "GET", path, &[], b"", &Signing::default());
            all.push(("Date".into(), date.into()));
            all
        };
        let r = http_request(addr, "GET", path, &refs(&headers), b"");
        h.check(
            &format!("SigV4 with X-Amz-Date and {case}: 200 with the object"),
            ok(&r),
            || describe(&r),
        );
    }

    // Date alone: the IMF-fixdate, and the `-0000` form botocore sends.
    let gmt = httpdate::fmt_http_date(now);
    let minus_zero = gmt.replace(" GMT", " -0000");
    for (case, date) in [
        ("Date in GMT", gmt.as_str()),
        ("Date with the zone -0000 (botocore)", minus_zero.as_str()),
    ] {
        let headers = sigv4_by_hand(addr, ("GET", path, ""), now, DatedBy::Date(date));
        let r = http_request(addr, "GET", path, &refs(&headers), b"");
        h.check(
            &format!("SigV4 dated by {case}: 200 with the object"),
            ok(&r),
            || describe(&r),
        );
    }
    // An empty Date and no X-Amz-Date: no request time at all.
    let headers = sigv4_by_hand(addr, ("GET", path, ""), now, DatedBy::Date(""));
    let r = http_request(addr, "GET", path, &refs(&headers), b"");
    expect_xml(
        &h,
        "SigV4 with an empty Date and no X-Amz-Date",
        &r,
        &[(403, Some("AccessDenied"))],
    );
    h.check(
        "SigV4 with an empty Date: AWS's message",
        body_tag(&r, "Message").as_deref()
            == Some("AWS authentication requires a valid Date or x-amz-date header"),
        || describe(&r),
    );

    // SigV2: a present x-amz-date is the date, even empty; a weekday that
    // is not the date's is still a date (here years off).
    for (case, amz_date, want) in [
        (
            "an empty x-amz-date",
            "",
            &[(403, Some("AccessDenied"))][..],
        ),
        (
            "x-amz-date Tue, 07 Jul 2010 (a Wednesday)",
            "Tue, 07 Jul 2010 21:53:04 GMT",
            &[(403, Some("RequestTimeTooSkewed"))][..],
        ),
    ] {
        // Signed as botocore does: the Date line and the x-amz-date line.
        let auth = sigv2("GET", &gmt, &format!("x-amz-date:{amz_date}\n"), path);
        let headers = [
            ("Date", gmt.as_str()),
            ("x-amz-date", amz_date),
            ("Authorization", auth.as_str()),
        ];
        let r = http_request(addr, "GET", path, &headers, b"");
        expect_xml(&h, &format!("SigV2 with {case}"), &r, want);
    }
    let auth = sigv2("GET", &gmt, "", path);
    let r = http_request(
        addr,
        "GET",
        path,
        &[("Date", gmt.as_str()), ("Authorization", auth.as_str())],
        b"",
    );
    h.check("SigV2 dated by Date: 200 with the object", ok(&r), || {
        describe(&r)
    });
    // botocore signs a path-style bucket request as `/bucket/`.
    let auth = sigv2("PUT", &gmt, "", "/dates-v2/");
    let r = http_request(
        addr,
        "PUT",
        "/dates-v2",
        &[("Date", gmt.as_str()), ("Authorization", auth.as_str())],
        b"",
    );
    h.expect(
        "SigV2 CreateBucket of /dates-v2 signed as /dates-v2/",
        &r,
        &[(200, None)],
    );
    h.finish();
}

/// A key far over 1024 bytes in a request line longer than the HTTP layer
/// takes: KeyTooLongError in S3 XML (a long query: InvalidURI), the
/// connection closed, nothing stored.
#[test]
fn a_key_too_long_for_the_request_line_is_answered_in_s3_xml() {
    let h = Hostile::start("edge-long-key", &[]);
    create_bucket(&h, "long");
    let key = "k".repeat(64 << 10);
    let target = object_path("long", &key);
    let now = SystemTime::now();
    let signed = |method, path: &str, query: &str, body: &[u8]| {
        let headers = sigv4_by_hand(h.addr(), (method, path, query), now, DatedBy::AmzDate);
        let target = match query {
            "" => path.to_string(),
            q => format!("{path}?{q}"),
        };
        http_request(h.addr(), method, &target, &refs(&headers), body)
    };
    // The signature is right: a short key is answered.
    let r = signed("GET", "/long/short", "", b"");
    h.expect(
        "signed GET of a short key, for contrast",
        &r,
        &[(404, Some("NoSuchKey"))],
    );
    let r = signed("GET", &target, "", b"");
    expect_xml(
        &h,
        "signed GET of a 64 KiB key",
        &r,
        &[(400, Some("KeyTooLongError"))],
    );
    let r = signed("PUT", &target, "", b"a body");
    expect_xml(
        &h,
        "signed PUT of a 64 KiB key",
        &r,
        &[(400, Some("KeyTooLongError"))],
    );
    let r = signed("GET", "/long", &format!("prefix={key}"), b"");
    expect_xml(
        &h,
        "signed ListObjects with a 64 KiB prefix",
        &r,
        &[(400, Some("InvalidURI"))],
    );
    // On the wire: refused even before the line ends, and the connection
    // closed after the answer.
    let mut head = format!("GET {target} HTTP/1.1\r\n");
    for (k, v) in sigv4_by_hand(h.addr(), ("GET", &target, ""), now, DatedBy::AmzDate) {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let head = head.into_bytes();
    let wire = exchange(h.addr(), &head, WAIT);
    expect_xml(
        &h,
        "a 64 KiB key on the wire",
        &wire.first(),
        &[(400, Some("KeyTooLongError"))],
    );
    h.check(
        "a 64 KiB key: connection closed after the answer",
        wire.closed,
        || format!("still open after {:?}", wire.elapsed),
    );
    h.check(
        "nothing stored",
        list_keys(&h, "long").is_ok_and(|k| k.is_empty()),
        || format!("{:?}", list_keys(&h, "long").map(|k| k.len())),
    );
    h.finish();
}

/// A presigned URL valid for a negative time or more than a week is
/// malformed: 400 AuthorizationQueryParametersError with AWS's messages
/// (one valid for no time at all has expired: 403).
#[test]
fn presigned_validity_out_of_range_is_malformed() {
    let h = Hostile::start("edge-presign", &[]);
    let addr = h.addr();
    create_bucket(&h, "signed");
    put_object(&h, "signed", "obj", b"presigned");
    let now = SystemTime::now();
    let presign = |expires| presign_at(addr, "GET", "/signed/obj", now, expires);
    let week = presign(Duration::from_secs(604_800));
    let r = http_request(addr, "GET", &week, &[], b"");
    h.expect("X-Amz-Expires=604800, for contrast", &r, &[(200, None)]);
    let too_long = presign(Duration::from_secs(604_801));
    let negative = week.replace("X-Amz-Expires=604800", "X-Amz-Expires=-1");
    let zero = week.replace("X-Amz-Expires=604800", "X-Amz-Expires=0");
    for (case, url, want, message) in [
        (
            "X-Amz-Expires=604801",
            too_long,
            &[(400, Some("AuthorizationQueryParametersError"))][..],
            "X-Amz-Expires must be less than a week (in seconds); that is, the given \
             X-Amz-Expires must be less than 604800 seconds",
        ),
        (
            "X-Amz-Expires=-1",
            negative,
            &[(400, Some("AuthorizationQueryParametersError"))][..],
            "X-Amz-Expires must be non-negative",
        ),
        (
            "X-Amz-Expires=0",
            zero,
            &[(403, Some("AccessDenied"))][..],
            "Request has expired",
        ),
    ] {
        let r = http_request(addr, "GET", &url, &[], b"");
        expect_xml(&h, case, &r, want);
        h.check(
            &format!("{case}: AWS's message"),
            body_tag(&r, "Message").as_deref() == Some(message),
            || describe(&r),
        );
    }
    h.finish();
}

/// `Content-Length` and `Transfer-Encoding: chunked` together (RFC 9112
/// §6.1): refused in S3 XML, the connection closed, nothing stored and
/// the request pipelined behind never run.
#[test]
fn a_length_and_a_transfer_encoding_together_are_refused_in_s3_xml() {
    let h = Hostile::start("edge-lengths", &[]);
    create_bucket(&h, "both");
    let body = b"5\r\nhello\r\n0\r\n\r\n";
    let mut request = h.signed_head(
        "PUT",
        "/both/front",
        &[("Transfer-Encoding", "chunked")],
        Some(body.len()),
        false,
    );
    request.extend_from_slice(body);
    let behind = h.signed_head("PUT", "/both/behind", &[], Some(0), false);
    request.extend_from_slice(&behind);
    let wire = exchange(h.addr(), &request, WAIT);
    let answers = wire.responses(&["PUT", "PUT"]);
    let first = wire.first();
    expect_xml(
        &h,
        "Content-Length and Transfer-Encoding: chunked",
        &first,
        &[(400, Some("InvalidRequest"))],
    );
    h.check("connection closed after the refusal", wire.closed, || {
        format!("still open after {:?}", wire.elapsed)
    });
    h.check(
        "the pipelined request behind got no answer",
        answers.len() == 1,
        || format!("{} answers", answers.len()),
    );
    h.expect_absent("refused", "both", "front");
    h.expect_absent("pipelined behind a refusal", "both", "behind");
    h.finish();
}
