//! Per-bucket CORS: a configuration put, read back and deleted with the
//! SDK; raw preflights allowed and refused exactly as the rules say; real
//! requests (presigned, as a browser page would send them) answered with
//! the `Access-Control-*` headers of the matching rule, errors included.

use aws_sdk_s3::types::{CorsConfiguration, CorsRule};

use super::create_bucket;
use crate::common::presign::presign_at;
use crate::common::s3::*;

fn rules() -> CorsConfiguration {
    CorsConfiguration::builder()
        .cors_rules(
            CorsRule::builder()
                .id("app")
                .allowed_origins("https://*.example.com")
                .allowed_methods("GET")
                .allowed_methods("PUT")
                .allowed_headers("x-amz-*")
                .allowed_headers("content-type")
                .expose_headers("ETag")
                .max_age_seconds(600)
                .build()
                .expect("rule"),
        )
        .cors_rules(
            CorsRule::builder()
                .allowed_origins("*")
                .allowed_methods("HEAD")
                .build()
                .expect("rule"),
        )
        .build()
        .expect("configuration")
}

#[tokio::test]
async fn preflights_and_answers_follow_the_buckets_cors_rules() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "web").await;
    put(&s3, "web", "page.txt", b"hello").await;
    assert_s3_error(
        s3.get_bucket_cors().bucket("web").send().await,
        "NoSuchCORSConfiguration",
        404,
    );
    s3.put_bucket_cors()
        .bucket("web")
        .cors_configuration(rules())
        .send()
        .await
        .expect("PutBucketCors");
    let got = s3
        .get_bucket_cors()
        .bucket("web")
        .send()
        .await
        .expect("GetBucketCors");
    assert_eq!(got.cors_rules(), rules().cors_rules());

    let preflight = |origin: &str, method: &str, headers: &str| {
        let mut h = vec![
            ("Origin", origin),
            ("Access-Control-Request-Method", method),
        ];
        if !headers.is_empty() {
            h.push(("Access-Control-Request-Headers", headers));
        }
        http_request(store.addr(), "OPTIONS", "/web/page.txt", &h, b"").expect("preflight")
    };
    let ok = preflight("https://app.example.com", "PUT", "content-type, x-amz-date");
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(ok.header("access-control-allow-methods"), Some("GET, PUT"));
    assert_eq!(
        ok.header("access-control-allow-headers"),
        Some("content-type, x-amz-date")
    );
    assert_eq!(ok.header("access-control-max-age"), Some("600"));
    let any = preflight("http://localhost:3000", "HEAD", "");
    assert_eq!(
        (any.status, any.header("access-control-allow-origin")),
        (200, Some("*"))
    );
    for (origin, method, headers) in [
        ("https://evil.org", "GET", ""),
        ("https://app.example.com", "DELETE", ""),
        ("https://app.example.com", "PUT", "authorization"),
    ] {
        let refused = preflight(origin, method, headers);
        assert_eq!(refused.status, 403, "{origin} {method} {headers}");
        assert!(
            String::from_utf8_lossy(&refused.body).contains("<Code>AccessForbidden</Code>"),
            "{origin} {method} {headers}"
        );
        assert_eq!(refused.header("access-control-allow-origin"), None);
    }

    // Real requests from a page: the presigned GET of an object, and of a
    // missing one (the error is readable by the page too).
    let get = |target: &str, origin: &str| {
        let signed = presign_at(
            store.addr(),
            "GET",
            target,
            std::time::SystemTime::now(),
            std::time::Duration::from_secs(300),
        );
        http_request(store.addr(), "GET", &signed, &[("Origin", origin)], b"").expect("GET")
    };
    let page = get("/web/page.txt", "https://app.example.com");
    assert_eq!((page.status, page.body.as_slice()), (200, &b"hello"[..]));
    assert_eq!(
        page.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(page.header("access-control-expose-headers"), Some("ETag"));
    let missing = get("/web/nothing.txt", "https://app.example.com");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let other = get("/web/page.txt", "https://evil.org");
    assert_eq!(other.status, 200);
    assert_eq!(other.header("access-control-allow-origin"), None);

    // Malformed rules are refused and change nothing.
    let bad = CorsConfiguration::builder()
        .cors_rules(
            CorsRule::builder()
                .allowed_origins("*")
                .allowed_methods("PATCH")
                .build()
                .expect("rule"),
        )
        .build()
        .expect("configuration");
    assert_s3_error(
        s3.put_bucket_cors()
            .bucket("web")
            .cors_configuration(bad)
            .send()
            .await,
        "InvalidRequest",
        400,
    );

    s3.delete_bucket_cors()
        .bucket("web")
        .send()
        .await
        .expect("DeleteBucketCors");
    assert_s3_error(
        s3.get_bucket_cors().bucket("web").send().await,
        "NoSuchCORSConfiguration",
        404,
    );
    assert_eq!(
        preflight("https://app.example.com", "GET", "").status,
        403,
        "no rules left"
    );
}
