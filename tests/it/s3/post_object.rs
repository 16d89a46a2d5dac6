//! Browser form uploads (PostObject) over raw HTTP, as a browser posts
//! them: a `multipart/form-data` body with a SigV4-signed POST policy.
//! The file lands byte for byte under the key the form names
//! (`${filename}` included) and the form's answer is the one it asks
//! for (204, 201 with a `PostResponse`, 303 to a redirect); a policy
//! changed after signing, an expired one, a file over the policy's size,
//! a field the policy does not name, and an anonymous form on a private
//! bucket are refused with AWS's codes, and nothing is written.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::{assert_same_bytes, create_bucket};
use crate::common::s3::*;

const BOUNDARY: &str = "----predastore-form-7d3a";

/// A `multipart/form-data` body: `fields` in order, then the file part.
fn form_body(fields: &[(&str, &str)], filename: &str, file: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    out.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(file);
    out.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    out
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("hmac key");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The SigV4 fields of a form whose policy has `conditions` (JSON, the
/// algorithm, credential and date conditions added) and expires at
/// `expiration`: the `policy` (base64) and its signature fields.
fn signed_fields(expiration: &str, conditions: &str) -> Vec<(String, String)> {
    let now = time::OffsetDateTime::now_utc();
    let date = format!(
        "{:04}{:02}{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    );
    let amz_date = format!("{date}T000000Z");
    let credential = format!("{ACCESS_KEY}/{date}/us-east-1/s3/aws4_request");
    let policy = format!(
        r#"{{"expiration": "{expiration}", "conditions": [{conditions},
            {{"x-amz-algorithm": "AWS4-HMAC-SHA256"}}, {{"x-amz-credential": "{credential}"}},
            {{"x-amz-date": "{amz_date}"}}]}}"#
    );
    let policy = STANDARD.encode(policy);
    let mut key = hmac_sha256(format!("AWS4{SECRET_KEY}").as_bytes(), date.as_bytes());
    for part in ["us-east-1", "s3", "aws4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    let signature = hex::encode(hmac_sha256(&key, policy.as_bytes()));
    [
        ("policy", policy),
        ("x-amz-algorithm", "AWS4-HMAC-SHA256".to_string()),
        ("x-amz-credential", credential),
        ("x-amz-date", amz_date),
        ("x-amz-signature", signature),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// An expiration an hour from now (or ago, when `past`).
fn expiration(past: bool) -> String {
    let hour = time::Duration::hours(1);
    let t = time::OffsetDateTime::now_utc() + if past { -hour } else { hour };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Posts a form to `bucket`: `fields` first, then the file.
fn post_form(
    store: &StoreProcess,
    bucket: &str,
    fields: &[(String, String)],
    filename: &str,
    file: &[u8],
) -> RawResponse {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    http_request(
        store.addr(),
        "POST",
        &format!("/{bucket}"),
        &[("Content-Type", content_type.as_str())],
        &form_body(&refs, filename, file),
    )
    .expect("form upload")
}

fn with(mut fields: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    fields
}

#[tokio::test]
async fn signed_form_uploads_land_and_answer_as_the_form_asks() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "forms").await;
    let file = random_bytes(7, 300_000);
    let conditions = r#"{"bucket": "forms"}, ["starts-with", "$key", "uploads/"],
        ["starts-with", "$Content-Type", "image/"], ["eq", "$x-amz-meta-owner", "ana"],
        ["content-length-range", 1, 1048576], {"success_action_status": "201"}"#;
    let fields = with(
        vec![("key".into(), "uploads/${filename}".into())],
        &[
            ("Content-Type", "image/png"),
            ("X-Amz-Meta-Owner", "ana"),
            ("success_action_status", "201"),
        ],
    );
    let fields = [fields, signed_fields(&expiration(false), conditions)].concat();
    let r = post_form(&store, "forms", &fields, "cat.png", &file);
    let text = String::from_utf8_lossy(&r.body).into_owned();
    assert_eq!(r.status, 201, "{text}");
    assert_eq!(xml_text(&text, "Bucket").as_deref(), Some("forms"));
    assert_eq!(xml_text(&text, "Key").as_deref(), Some("uploads/cat.png"));
    let etag = format!("\"{}\"", md5_hex(&file));
    assert_eq!(xml_text(&text, "ETag"), Some(etag.clone()));
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    assert!(
        r.header("location")
            .is_some_and(|l| l.ends_with("/forms/uploads/cat.png")),
        "{:?}",
        r.header("location")
    );

    let got = s3
        .get_object()
        .bucket("forms")
        .key("uploads/cat.png")
        .send()
        .await
        .expect("get the uploaded file");
    assert_eq!(got.content_type(), Some("image/png"));
    assert_eq!(
        got.metadata()
            .and_then(|m| m.get("owner"))
            .map(String::as_str),
        Some("ana")
    );
    let body = got.body.collect().await.expect("body").into_bytes();
    assert_same_bytes(&body, &file, "uploaded file");

    // Without success_action_status: 204; with a redirect: 303 to it,
    // naming the object.
    let redirect = "https://app.example/done?from=form";
    let any_key = r#"{"bucket": "forms"}, ["starts-with", "$key", ""]"#;
    let signed = signed_fields(&expiration(false), any_key);
    let plain = [vec![("key".into(), "plain".into())], signed].concat();
    let r = post_form(&store, "forms", &plain, "x", b"plain bytes");
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
    let conditions = format!(
        r#"{any_key}, ["starts-with", "$success_action_redirect", "https://app.example/"]"#
    );
    let signed = signed_fields(&expiration(false), &conditions);
    let redirected = with(
        [vec![("key".into(), "redirected".into())], signed].concat(),
        &[("success_action_redirect", redirect)],
    );
    let r = post_form(&store, "forms", &redirected, "x", b"redirected bytes");
    assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
    let etag = md5_hex(b"redirected bytes");
    assert_eq!(
        r.header("location"),
        Some(format!("{redirect}&bucket=forms&key=redirected&etag=%22{etag}%22").as_str())
    );
    let got = s3
        .get_object()
        .bucket("forms")
        .key("redirected")
        .send()
        .await
        .expect("get the redirected upload");
    let body = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(&body[..], b"redirected bytes");
}

#[tokio::test]
async fn forms_that_break_their_policy_are_refused_and_write_nothing() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "strict").await;
    let conditions = r#"{"bucket": "strict"}, ["starts-with", "$key", "in/"],
        ["content-length-range", 0, 100]"#;
    let key = || vec![("key".to_string(), "in/file".to_string())];
    let good = [key(), signed_fields(&expiration(false), conditions)].concat();

    // A policy changed after signing: its signature no longer matches.
    let mut tampered = good.clone();
    for (name, value) in &mut tampered {
        if name == "policy" {
            let doc = String::from_utf8(STANDARD.decode(&*value).expect("base64")).expect("utf8");
            *value = STANDARD.encode(doc.replace("100]", "100000000]"));
        }
    }
    // (case, fields, file size, status, code)
    type Refusal<'a> = (&'a str, Vec<(String, String)>, usize, u16, &'a str);
    let cases: Vec<Refusal<'_>> = vec![
        (
            "tampered policy",
            tampered,
            10,
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "expired policy",
            [key(), signed_fields(&expiration(true), conditions)].concat(),
            10,
            403,
            "AccessDenied",
        ),
        (
            "file over the range",
            good.clone(),
            101,
            400,
            "EntityTooLarge",
        ),
        (
            "a field the policy does not name",
            with(good.clone(), &[("x-amz-meta-extra", "1")]),
            10,
            403,
            "AccessDenied",
        ),
        (
            "a key outside the prefix",
            [
                vec![("key".to_string(), "out/file".to_string())],
                signed_fields(&expiration(false), conditions),
            ]
            .concat(),
            10,
            403,
            "AccessDenied",
        ),
        (
            "anonymous on a private bucket",
            key(),
            10,
            403,
            "AccessDenied",
        ),
    ];
    for (case, fields, size, status, code) in cases {
        let r = post_form(&store, "strict", &fields, "f", &vec![b'x'; size]);
        assert_eq!(
            (r.status, r.error_code().as_deref()),
            (status, Some(code)),
            "{case}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let listed = s3
        .list_objects_v2()
        .bucket("strict")
        .send()
        .await
        .expect("list");
    assert_eq!(listed.key_count(), Some(0), "nothing was written");

    // The same form, untouched, is accepted (the refusals above are the
    // changes' doing).
    let r = post_form(&store, "strict", &good, "f", &[b'x'; 100]);
    assert_eq!(r.status, 204, "{}", String::from_utf8_lossy(&r.body));
}
