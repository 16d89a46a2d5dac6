//! Auth: bad credentials, unsigned requests, presigned URLs; request ids on every response.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;

use super::{assert_same_bytes, create_bucket};
use crate::common::s3::*;

#[tokio::test]
async fn bad_credentials_and_unsigned_requests_are_refused_and_presigned_urls_work() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "auth").await;
    let data = random_bytes(51, 10_000);
    put(&s3, "auth", "secret.txt", &data).await;
    put(&s3, "auth", "other.txt", b"other").await;

    let wrong_secret = store.client_with_keys(ACCESS_KEY, "definitely-not-the-secret-key");
    assert_s3_error(
        wrong_secret.list_buckets().send().await,
        "SignatureDoesNotMatch",
        403,
    );
    assert_s3_error(
        wrong_secret
            .get_object()
            .bucket("auth")
            .key("secret.txt")
            .send()
            .await,
        "SignatureDoesNotMatch",
        403,
    );
    assert_s3_error(
        wrong_secret
            .put_object()
            .bucket("auth")
            .key("intruder")
            .body(ByteStream::from_static(b"intruder"))
            .send()
            .await,
        "SignatureDoesNotMatch",
        403,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("streamed.bin");
    // Small enough to be sent whole before the store answers.
    write_random_file(&path, 52, 64 * 1024);
    assert_s3_error(
        wrong_secret
            .put_object()
            .bucket("auth")
            .key("intruder")
            .body(file_body(&path).await)
            .send()
            .await,
        "SignatureDoesNotMatch",
        403,
    );
    assert_s3_error(
        s3.get_object().bucket("auth").key("intruder").send().await,
        "NoSuchKey",
        404,
    );

    let unknown = store.client_with_keys("PSUNKNOWNACCESSKEY99", SECRET_KEY);
    assert_s3_error(
        unknown.list_buckets().send().await,
        "InvalidAccessKeyId",
        403,
    );
    assert_s3_error(
        unknown
            .get_object()
            .bucket("auth")
            .key("secret.txt")
            .send()
            .await,
        "InvalidAccessKeyId",
        403,
    );

    // A presigned GET, fetched by a client that knows nothing of SigV4.
    let presigned = presign_get(&s3, "auth", "secret.txt").await;
    assert!(
        presigned.uri().contains("X-Amz-Signature="),
        "{}",
        presigned.uri()
    );
    let raw = send_presigned(store.addr(), &presigned, &[], b"").expect("presigned GET");
    assert_eq!(raw.status, 200, "{}", String::from_utf8_lossy(&raw.body));
    assert_same_bytes(&raw.body, &data, "presigned GET");
    assert_eq!(raw.header("etag"), Some(etag_of(&data).as_str()));

    // The same signature on another key.
    let target = path_and_query(presigned.uri());
    assert!(target.starts_with("/auth/secret.txt?"), "{target}");
    let tampered = target.replacen("/auth/secret.txt", "/auth/other.txt", 1);
    let signed_headers: Vec<(&str, &str)> = presigned.headers().collect();
    let raw =
        http_request(store.addr(), "GET", &tampered, &signed_headers, b"").expect("tampered GET");
    assert_eq!(raw.status, 403);
    assert_eq!(raw.error_code().as_deref(), Some("SignatureDoesNotMatch"));

    // Expired: signed an hour ago for one minute.
    let expired = s3
        .get_object()
        .bucket("auth")
        .key("secret.txt")
        .presigned(
            PresigningConfig::builder()
                .start_time(SystemTime::now() - Duration::from_secs(3600))
                .expires_in(Duration::from_secs(60))
                .build()
                .expect("config"),
        )
        .await
        .expect("presign");
    let raw = send_presigned(store.addr(), &expired, &[], b"").expect("expired GET");
    assert_eq!(raw.status, 403);
    assert_eq!(raw.error_code().as_deref(), Some("AccessDenied"));
    assert!(raw.body.len() < data.len() && !raw.body.windows(64).any(|w| w == &data[..64]));

    // No signature at all.
    for (method, target, body) in [
        ("GET", "/auth/secret.txt", &b""[..]),
        ("HEAD", "/auth/secret.txt", &b""[..]),
        ("GET", "/auth", &b""[..]),
        ("GET", "/", &b""[..]),
        ("PUT", "/auth/anonymous.txt", &b"anonymous"[..]),
        ("DELETE", "/auth/secret.txt", &b""[..]),
    ] {
        let raw = http_request(store.addr(), method, target, &[], body).expect("unsigned request");
        assert_eq!(raw.status, 403, "unsigned {method} {target}");
        if method != "HEAD" {
            assert_eq!(
                raw.error_code().as_deref(),
                Some("AccessDenied"),
                "unsigned {method} {target}"
            );
        }
    }
    assert_s3_error(
        s3.get_object()
            .bucket("auth")
            .key("anonymous.txt")
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    assert_object(&s3, "auth", "secret.txt", &data).await;
}

#[tokio::test]
async fn every_response_carries_x_amz_request_id() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "ids").await;
    let mut ids = Vec::new();

    let out = s3
        .put_object()
        .bucket("ids")
        .key("k")
        .body(ByteStream::from_static(b"hello"))
        .send()
        .await
        .expect("put");
    ids.push(out.request_id().expect("PutObject request id").to_string());
    let out = s3
        .head_object()
        .bucket("ids")
        .key("k")
        .send()
        .await
        .expect("head");
    ids.push(out.request_id().expect("HeadObject request id").to_string());
    let out = s3
        .list_objects_v2()
        .bucket("ids")
        .send()
        .await
        .expect("list");
    ids.push(
        out.request_id()
            .expect("ListObjectsV2 request id")
            .to_string(),
    );
    let out = s3.list_buckets().send().await.expect("list buckets");
    ids.push(
        out.request_id()
            .expect("ListBuckets request id")
            .to_string(),
    );
    let err = s3
        .get_object()
        .bucket("ids")
        .key("absent")
        .send()
        .await
        .expect_err("absent");
    let id = err
        .raw_response()
        .and_then(|r| r.headers().get("x-amz-request-id"))
        .expect("x-amz-request-id on NoSuchKey");
    ids.push(id.to_string());

    let mut raw_check = |what: &str, raw: RawResponse, statuses: &[u16]| {
        assert!(
            statuses.contains(&raw.status),
            "{what}: status {}",
            raw.status
        );
        let id = raw
            .header("x-amz-request-id")
            .unwrap_or_else(|| panic!("{what}: no x-amz-request-id"));
        assert!(!id.is_empty(), "{what}: empty x-amz-request-id");
        ids.push(id.to_string());
    };
    let presigned = presign_get(&s3, "ids", "k").await;
    raw_check(
        "presigned GET",
        send_presigned(store.addr(), &presigned, &[], b"").unwrap(),
        &[200],
    );
    let presigned = presign_get(&s3, "ids", "absent").await;
    raw_check(
        "presigned GET of a missing key",
        send_presigned(store.addr(), &presigned, &[], b"").unwrap(),
        &[404],
    );
    let presigned = presign_get(&s3, "no-such-bucket", "k").await;
    raw_check(
        "presigned GET of a missing bucket",
        send_presigned(store.addr(), &presigned, &[], b"").unwrap(),
        &[404],
    );
    raw_check(
        "unsigned GET",
        http_request(store.addr(), "GET", "/ids/k", &[], b"").unwrap(),
        &[403],
    );
    raw_check(
        "unsigned HEAD",
        http_request(store.addr(), "HEAD", "/ids/k", &[], b"").unwrap(),
        &[403],
    );
    raw_check(
        "garbage Authorization",
        http_request(
            store.addr(),
            "GET",
            "/ids/k",
            &[("Authorization", "AWS4-HMAC-SHA256 garbage")],
            b"",
        )
        .unwrap(),
        &[400, 403],
    );

    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "request ids repeat: {ids:?}");
}

#[tokio::test]
async fn a_request_signed_for_another_region_names_the_stores() {
    let store = StoreProcess::start(&[]);
    let retry = aws_sdk_s3::config::retry::RetryConfig::standard().with_max_attempts(1);
    let config = store
        .client_config(ACCESS_KEY, SECRET_KEY, retry)
        .region(aws_sdk_s3::config::Region::new("eu-west-1"))
        .build();
    let elsewhere = aws_sdk_s3::Client::from_conf(config);
    assert_s3_error(
        elsewhere.list_buckets().send().await,
        "AuthorizationHeaderMalformed",
        400,
    );
    // The raw answer names the region to sign for, as AWS's does.
    let presigned = elsewhere
        .get_object()
        .bucket("any")
        .key("k")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(60)).expect("config"))
        .await
        .expect("presign");
    let r = send_presigned(store.addr(), &presigned, &[], b"").expect("answer");
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error_code().as_deref(),
        Some("AuthorizationQueryParametersError")
    );
    let body = String::from_utf8_lossy(&r.body);
    assert_eq!(
        xml_text(&body, "Region").as_deref(),
        Some("us-east-1"),
        "{body}"
    );
    // A bare algorithm name is a malformed header, not an unknown scheme.
    let r = http_request(
        store.addr(),
        "GET",
        "/",
        &[("Authorization", "AWS4-HMAC-SHA256")],
        b"",
    )
    .expect("answer");
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (400, Some("AuthorizationHeaderMalformed"))
    );
}

/// A presigned URL for `method` on `path` whose query carries `extra`
/// lowercase `x-amz-*` parameters, as the JavaScript SDK v3 makes them.
fn presign_with_query(
    store: &StoreProcess,
    method: &str,
    path: &str,
    extra: &[(&str, &str)],
) -> String {
    let op = if method == "PUT" {
        "PutObject"
    } else {
        "GetObject"
    };
    let mut query = format!("x-id={op}");
    for (k, v) in extra {
        query.push_str(&format!("&{k}={}", percent_encode(v)));
    }
    presign(store.addr(), method, &format!("{path}?{query}"))
}

#[tokio::test]
async fn presigned_urls_with_headers_in_the_query_are_served_and_honoured() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "hoisted").await;
    let data = random_bytes(81, 40_000);
    let crc = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(crc32(&data).to_be_bytes())
    };
    // A presigned PUT with the checksum in the query: stored and checked.
    let put_url = presign_with_query(
        &store,
        "PUT",
        "/hoisted/k",
        &[
            ("x-amz-sdk-checksum-algorithm", "CRC32"),
            ("x-amz-checksum-crc32", &crc),
        ],
    );
    let r =
        http_request(store.addr(), "PUT", &path_and_query(&put_url), &[], &data).expect("answer");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_same_bytes(
        &get_bytes(&s3, "hoisted", "k").await,
        &data,
        "presigned PUT",
    );
    // The same with a wrong checksum is refused and stores nothing.
    let bad = presign_with_query(
        &store,
        "PUT",
        "/hoisted/bad",
        &[
            ("x-amz-sdk-checksum-algorithm", "CRC32"),
            ("x-amz-checksum-crc32", "AAAAAA=="),
        ],
    );
    let r = http_request(store.addr(), "PUT", &path_and_query(&bad), &[], &data).expect("answer");
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (400, Some("BadDigest"))
    );
    assert_s3_error(
        s3.head_object().bucket("hoisted").key("bad").send().await,
        "NotFound",
        404,
    );
    // A presigned GET asking for the checksum, as the SDK's defaults do.
    let get_url = presign_with_query(
        &store,
        "GET",
        "/hoisted/k",
        &[("x-amz-checksum-mode", "ENABLED")],
    );
    let r = http_request(store.addr(), "GET", &path_and_query(&get_url), &[], b"").expect("answer");
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_same_bytes(&r.body, &data, "presigned GET");
}

#[tokio::test]
async fn a_path_that_is_not_utf8_is_an_invalid_uri() {
    let store = StoreProcess::start(&[]);
    let url = presign(store.addr(), "GET", "/bucket/%FF%FE");
    let r = http_request(store.addr(), "GET", &path_and_query(&url), &[], b"").expect("answer");
    assert_eq!(
        (r.status, r.error_code().as_deref()),
        (400, Some("InvalidURI"))
    );
}
