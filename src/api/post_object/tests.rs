//! Unit tests of the form upload pieces: the policy document and its
//! checks, the streamed form reader (round trip and broken forms), and
//! the fields as PutObject headers.

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use futures::StreamExt;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::form::{boundary, read_form, MAX_FIELDS_BYTES, MAX_FIELD_BYTES};
use super::headers::object_headers;
use super::post_policy::{parse, Condition};
use crate::api::body::CheckedBody;
use crate::api::error::{S3Error, S3ErrorCode};

fn at(rfc3339: &str) -> OffsetDateTime {
    OffsetDateTime::parse(rfc3339, &Rfc3339).expect("a time")
}

fn b64(doc: &str) -> String {
    STANDARD.encode(doc)
}

fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const EXPIRES: &str = "2030-01-01T00:00:00.000Z";

fn policy(conditions: &str) -> super::post_policy::PostPolicy {
    parse(&b64(&format!(
        r#"{{"expiration": "{EXPIRES}", "conditions": [{conditions}]}}"#
    )))
    .expect("valid policy")
}

fn parse_error(doc: &str) -> S3Error {
    parse(&b64(doc)).expect_err("refused")
}

#[test]
fn policy_documents_parse_with_case_insensitive_operators_and_names() {
    let p = policy(
        r#"{"bUcKeT": "b"}, ["StArTs-WiTh", "$KeY", "foo"], ["eq", "$x-amz-meta-a", "V"],
           ["content-length-range", 1, "1024"]"#,
    );
    assert_eq!(p.expiration, at("2030-01-01T00:00:00Z"));
    assert_eq!(
        p.conditions,
        vec![
            Condition::Eq {
                field: "bucket".into(),
                value: "b".into()
            },
            Condition::StartsWith {
                field: "key".into(),
                prefix: "foo".into()
            },
            Condition::Eq {
                field: "x-amz-meta-a".into(),
                value: "V".into()
            },
            Condition::LengthRange { min: 1, max: 1024 },
        ]
    );
    assert_eq!(p.length_range(), Some((1, 1024)));
    // Whitespace in the base64 (a form's textarea wraps it) is ignored.
    let wrapped = b64(&format!(r#"{{"expiration":"{EXPIRES}","conditions":[]}}"#));
    let (a, b) = wrapped.split_at(10);
    assert!(parse(&format!("{a}\r\n{b}")).is_ok());
}

#[test]
fn malformed_policy_documents_are_invalid_policy_documents() {
    let cases = [
        ("not json".to_string(), "Invalid JSON"),
        (r#"["a"]"#.to_string(), "Invalid JSON"),
        (r#"{"conditions": []}"#.to_string(), "missing expiration"),
        (
            format!(r#"{{"EXPIRATION": "{EXPIRES}", "conditions": []}}"#),
            "missing expiration",
        ),
        (
            format!(r#"{{"expiration": "{EXPIRES}"}}"#),
            "missing conditions",
        ),
        (
            format!(r#"{{"expiration": "{EXPIRES}", "CONDITIONS": []}}"#),
            "missing conditions",
        ),
        (
            r#"{"expiration": "2030-01-01 00:00:00.000000+00:00", "conditions": []}"#.to_string(),
            "Invalid 'expiration'",
        ),
        (
            r#"{"expiration": "2030-01-01T00:00:00+01:00", "conditions": []}"#.to_string(),
            "Invalid 'expiration'",
        ),
        (
            r#"{"expiration": 1893456000, "conditions": []}"#.to_string(),
            "Invalid 'expiration'",
        ),
        (
            format!(r#"{{"expiration": "{EXPIRES}", "conditions": [{{}}]}}"#),
            "exactly one property",
        ),
        (
            format!(r#"{{"expiration": "{EXPIRES}", "conditions": [{{"a": "1", "b": "2"}}]}}"#),
            "exactly one property",
        ),
        (
            format!(
                r#"{{"expiration": "{EXPIRES}", "conditions": [["content-length-range", 0]]}}"#
            ),
            "content-length-range",
        ),
        (
            format!(
                r#"{{"expiration": "{EXPIRES}", "conditions": [["content-length-range", -1, 0]]}}"#
            ),
            "content-length-range",
        ),
        (
            format!(r#"{{"expiration": "{EXPIRES}", "conditions": [["eq", "key", "x"]]}}"#),
            "Invalid Condition",
        ),
        (
            format!(r#"{{"expiration": "{EXPIRES}", "conditions": [["matches", "$key", "x"]]}}"#),
            "unknown operation",
        ),
    ];
    for (doc, want) in cases {
        let e = parse_error(&doc);
        assert_eq!(e.code, S3ErrorCode::InvalidPolicyDocument, "{doc}");
        assert!(e.message.contains(want), "{doc}: {}", e.message);
    }
    let e = parse("%%%").expect_err("not base64");
    assert_eq!(e.code, S3ErrorCode::InvalidPolicyDocument);
}

#[test]
fn conditions_decide_and_name_what_failed() {
    let now = at("2029-06-01T00:00:00Z");
    let p = policy(
        r#"{"bucket": "b"}, ["starts-with", "$key", "user/"], {"acl": "private"},
           ["starts-with", "$Content-Type", "image/"], ["starts-with", "$x-amz-meta-note", ""]"#,
    );
    let good = fields(&[
        ("key", "user/a.png"),
        ("acl", "private"),
        ("content-type", "image/png"),
        ("x-amz-meta-note", "anything"),
        ("policy", "p"),
        ("x-amz-signature", "s"),
        ("x-ignore-tracking", "1"),
        ("x-amz-checksum-crc32", "AAAAAA=="),
    ]);
    p.check(&good, "b", now).expect("allowed");
    // An empty starts-with prefix also allows the field to be absent.
    p.check(&good[..4], "b", now).expect("allowed");

    let denied = |f: &[(String, String)], bucket: &str| {
        let e = p.check(f, bucket, now).expect_err("refused");
        assert_eq!(e.code, S3ErrorCode::AccessDenied);
        e.message
    };
    let with = |name: &str, value: &str| {
        let mut f = good.clone();
        for (n, v) in &mut f {
            if n == name {
                *v = value.to_string();
            }
        }
        f
    };
    assert_eq!(
        denied(&with("key", "other/a.png"), "b"),
        r#"Invalid according to Policy: Policy Condition failed: ["starts-with","$key","user/"]"#
    );
    // Values are case-sensitive.
    assert!(denied(&with("acl", "PRIVATE"), "b").contains(r#"["eq","$acl","private"]"#));
    assert!(denied(&good, "other").contains(r#"["eq","$bucket","b"]"#));
    // Every element of a Content-Type list must match.
    assert!(denied(&with("content-type", "image/png, text/html"), "b").contains("$content-type"));
    let mut extra = good.clone();
    extra.push(("x-amz-meta-other".into(), "1".into()));
    extra.push(("success_action_status".into(), "201".into()));
    assert_eq!(
        denied(&extra, "b"),
        "Invalid according to Policy: Extra input fields: x-amz-meta-other, success_action_status"
    );
    // A field the policy requires but the form lacks fails its condition.
    assert!(denied(&good[1..], "b").contains("$key"));

    let no_bucket = policy(r#"["starts-with", "$key", ""]"#);
    let e = no_bucket
        .check(&fields(&[("key", "k")]), "b", now)
        .expect_err("the bucket must be named");
    assert_eq!(
        e.message,
        "Invalid according to Policy: Extra input fields: bucket"
    );

    let late = at("2030-01-01T00:00:01Z");
    let e = p.check(&good, "b", late).expect_err("expired");
    assert_eq!(e.code, S3ErrorCode::AccessDenied);
    assert_eq!(e.message, "Invalid according to Policy: Policy expired.");
}

#[test]
fn the_narrowest_length_range_wins() {
    let p = policy(r#"["content-length-range", 10, 100], ["content-length-range", 20, 200]"#);
    assert_eq!(p.length_range(), Some((20, 100)));
    assert_eq!(policy(r#"{"bucket": "b"}"#).length_range(), None);
}

const BOUNDARY: &str = "----form-boundary-1234";

/// A form body: `fields`, then the file part, then `after` fields.
fn form_body(fields: &[(&str, &str)], file: &[u8], after: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    let field = |out: &mut Vec<u8>, (n, v): &(&str, &str)| {
        out.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    };
    for f in fields {
        field(&mut out, f);
    }
    out.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"File\"; filename=\"photo.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(file);
    out.extend_from_slice(b"\r\n");
    for f in after {
        field(&mut out, f);
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// `body` as a request body arriving in pieces of `piece` bytes.
fn pieces(body: Vec<u8>, piece: usize) -> CheckedBody {
    let chunks: Vec<Result<Bytes, S3Error>> = body
        .chunks(piece)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    Box::pin(futures::stream::iter(chunks))
}

async fn read_file(mut data: CheckedBody) -> Result<Vec<u8>, S3Error> {
    let mut out = Vec::new();
    while let Some(c) = data.next().await {
        out.extend_from_slice(&c?);
    }
    Ok(out)
}

#[tokio::test]
async fn a_form_round_trips_fields_then_the_streamed_file() {
    let file: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let body = form_body(
        &[("Key", "a/${filename}"), ("X-Amz-Meta-Tag", "x y")],
        &file,
        &[("after", "ignored")],
    );
    for piece in [1, 7, 4096, body.len()] {
        let form = read_form(pieces(body.clone(), piece), BOUNDARY)
            .await
            .expect("form");
        assert_eq!(
            form.fields,
            fields(&[("key", "a/${filename}"), ("x-amz-meta-tag", "x y")]),
            "piece {piece}"
        );
        assert_eq!(form.file.filename.as_deref(), Some("photo.jpg"));
        assert_eq!(read_file(form.file.data).await.expect("file"), file);
    }
}

#[tokio::test]
async fn broken_forms_are_refused() {
    let code = |r: Result<super::form::Form, S3Error>| match r {
        Ok(_) => panic!("accepted"),
        Err(e) => e.code,
    };
    // Truncated in the file: the form is read, the file fails.
    let mut body = form_body(&[("key", "k")], b"0123456789", &[]);
    body.truncate(body.len() - 20);
    let form = read_form(pieces(body, 5), BOUNDARY).await.expect("fields");
    let e = read_file(form.file.data).await.expect_err("truncated file");
    assert_eq!(e.code, S3ErrorCode::MalformedPOSTRequest);
    // Truncated in the fields.
    let body = form_body(&[("key", "k")], b"data", &[]);
    assert_eq!(
        code(read_form(pieces(body[..30].to_vec(), 5), BOUNDARY).await),
        S3ErrorCode::MalformedPOSTRequest
    );
    // Another boundary than the body's.
    let body = form_body(&[("key", "k")], b"data", &[]);
    assert_eq!(
        code(read_form(pieces(body, 64), "other-boundary").await),
        S3ErrorCode::MalformedPOSTRequest
    );
    // No file part.
    let body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--{BOUNDARY}--\r\n"
    );
    assert_eq!(
        code(read_form(pieces(body.into_bytes(), 64), BOUNDARY).await),
        S3ErrorCode::InvalidArgument
    );
    // One field over the limit.
    let big = "x".repeat(MAX_FIELD_BYTES + 1);
    let body = form_body(&[("key", "k"), ("x-amz-meta-a", &big)], b"data", &[]);
    assert_eq!(
        code(read_form(pieces(body, 4096), BOUNDARY).await),
        S3ErrorCode::InvalidArgument
    );
    // Many fields, each within the limit, over the total.
    let value = "y".repeat(MAX_FIELD_BYTES / 2);
    let many: Vec<(String, String)> = (0..(MAX_FIELDS_BYTES as usize / value.len() + 2))
        .map(|i| (format!("x-amz-meta-{i}"), value.clone()))
        .collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let body = form_body(&many, b"data", &[]);
    assert_eq!(
        code(read_form(pieces(body, 4096), BOUNDARY).await),
        S3ErrorCode::InvalidArgument
    );
    // A failure of the body itself reaches the reader as it is.
    let failing: CheckedBody = Box::pin(futures::stream::iter(vec![
        Ok(Bytes::from_static(b"--")),
        Err(S3Error::new(S3ErrorCode::RequestTimeout)),
    ]));
    assert_eq!(
        code(read_form(failing, BOUNDARY).await),
        S3ErrorCode::RequestTimeout
    );
}

#[test]
fn only_multipart_form_data_with_a_boundary_is_a_form() {
    assert_eq!(
        boundary(Some("multipart/form-data; boundary=abc")).expect("form"),
        "abc"
    );
    assert_eq!(
        boundary(Some("multipart/form-data; boundary=\"a b\"")).expect("quoted"),
        "a b"
    );
    for not_form in [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
    ] {
        let e = boundary(not_form).expect_err("not a form");
        assert_eq!(e.code, S3ErrorCode::PreconditionFailed, "{not_form:?}");
    }
    let e = boundary(Some("multipart/form-data")).expect_err("no boundary");
    assert_eq!(e.code, S3ErrorCode::MalformedPOSTRequest);
}

#[test]
fn fields_become_the_headers_of_a_put() {
    let mut base = HeaderMap::new();
    for (n, v) in [
        ("host", "s3.local"),
        ("content-type", "multipart/form-data; boundary=x"),
        ("content-length", "1234"),
        ("x-amz-meta-sneaky", "1"),
    ] {
        base.insert(HeaderName::from_static(n), HeaderValue::from_static(v));
    }
    let f = fields(&[
        ("key", "k"),
        ("acl", "public-read"),
        ("content-type", "text/plain"),
        ("x-amz-meta-a", "1"),
        ("x-amz-meta-a", "second"),
        ("x-amz-credential", "AK/20260101/us-east-1/s3/aws4_request"),
        ("x-amz-checksum-sha256", "abc="),
        (
            "tagging",
            "<Tagging><TagSet><Tag><Key>a b</Key><Value>1&amp;2</Value></Tag><Tag><Key>c</Key><Value></Value></Tag></TagSet></Tagging>",
        ),
        ("policy", "p"),
    ]);
    let h = object_headers(&base, &f).expect("headers");
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok());
    assert_eq!(get("host"), Some("s3.local"));
    assert_eq!(get("content-type"), Some("text/plain"));
    assert_eq!(get("content-length"), None);
    assert_eq!(get("x-amz-meta-sneaky"), None);
    assert_eq!(get("x-amz-acl"), Some("public-read"));
    assert_eq!(get("x-amz-meta-a"), Some("1"));
    assert_eq!(get("x-amz-credential"), None);
    assert_eq!(get("x-amz-checksum-sha256"), Some("abc="));
    assert_eq!(get("x-amz-tagging"), Some("a%20b=1%262&c="));
    assert_eq!(get("policy"), None);
    assert_eq!(get("key"), None);

    let bad = object_headers(&base, &fields(&[("tagging", "<Tagging>")])).expect_err("xml");
    assert_eq!(bad.code, S3ErrorCode::MalformedXML);
    let bad = object_headers(&base, &fields(&[("content-type", "a\nb")])).expect_err("newline");
    assert_eq!(bad.code, S3ErrorCode::InvalidArgument);
}
