//! Reads: ranges, conditional GETs, HEADs and PUTs, response header overrides.

use aws_sdk_s3::primitives::{ByteStream, DateTime};

use super::{assert_same_bytes, create_bucket, now_secs, parse_http_date};
use crate::common::s3::*;

#[tokio::test]
async fn range_gets_return_206_with_content_range_and_416_when_unsatisfiable() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "ranges").await;
    let n = 3 * MIB + 5;
    let data = random_bytes(5, n);
    put(&s3, "ranges", "obj", &data).await;

    let cases: Vec<(String, usize, usize)> = vec![
        ("bytes=0-0".into(), 0, 0),
        ("bytes=5-".into(), 5, n - 1),
        ("bytes=-10".into(), n - 10, n - 1),
        // Across the first stripe boundary.
        (format!("bytes={}-{}", MIB - 10, MIB + 9), MIB - 10, MIB + 9),
        // The last byte of one stripe and the first of the next.
        (
            format!("bytes={}-{}", 2 * MIB - 1, 2 * MIB),
            2 * MIB - 1,
            2 * MIB,
        ),
        // Exactly one stripe, and one spanning three stripes.
        (format!("bytes={}-{}", MIB, 2 * MIB - 1), MIB, 2 * MIB - 1),
        (
            format!("bytes={}-{}", MIB / 2, 2 * MIB + MIB / 2),
            MIB / 2,
            2 * MIB + MIB / 2,
        ),
        // The last byte, alone and as a suffix.
        (format!("bytes={}-{}", n - 1, n - 1), n - 1, n - 1),
        ("bytes=-1".into(), n - 1, n - 1),
        // An end past the object is cut to its last byte.
        (format!("bytes={}-{}", n - 100, n + 100), n - 100, n - 1),
        // A suffix longer than the object is the whole object.
        (format!("bytes=-{}", n + 10), 0, n - 1),
        ("bytes=0-".into(), 0, n - 1),
    ];
    for (range, first, last) in &cases {
        let (bytes, content_range) = get_range(&s3, "ranges", "obj", range).await;
        assert_eq!(
            content_range,
            format!("bytes {first}-{last}/{n}"),
            "{range}"
        );
        assert_same_bytes(&bytes, &data[*first..=*last], range);
    }

    // The status is 206 on the wire; a plain GET is 200 with Accept-Ranges.
    let presigned = presign_get(&s3, "ranges", "obj").await;
    let raw = send_presigned(store.addr(), &presigned, &[("Range", "bytes=10-19")], b"")
        .expect("raw ranged GET");
    assert_eq!(raw.status, 206);
    assert_eq!(
        raw.header("content-range"),
        Some(format!("bytes 10-19/{n}").as_str())
    );
    assert_eq!(raw.body, &data[10..20]);
    let head = s3
        .head_object()
        .bucket("ranges")
        .key("obj")
        .send()
        .await
        .expect("head");
    assert_eq!(head.accept_ranges(), Some("bytes"));

    for range in [format!("bytes={n}-"), format!("bytes={}-{}", n + 5, n + 10)] {
        assert_s3_error(
            s3.get_object()
                .bucket("ranges")
                .key("obj")
                .range(&range)
                .send()
                .await,
            "InvalidRange",
            416,
        );
    }
    let raw = send_presigned(
        store.addr(),
        &presigned,
        &[("Range", &format!("bytes={n}-"))],
        b"",
    )
    .expect("raw unsatisfiable GET");
    assert_eq!(raw.status, 416);
    assert_eq!(raw.error_code().as_deref(), Some("InvalidRange"));
    // What AWS sends with it: the size in Content-Range and in the body,
    // and the range as requested.
    assert_eq!(
        raw.header("content-range"),
        Some(format!("bytes */{n}").as_str())
    );
    assert_eq!(
        xml_text(&String::from_utf8_lossy(&raw.body), "ActualObjectSize"),
        Some(n.to_string())
    );
    assert_eq!(
        xml_text(&String::from_utf8_lossy(&raw.body), "RangeRequested"),
        Some(format!("bytes={n}-"))
    );

    // Every range of an empty object is unsatisfiable.
    put(&s3, "ranges", "empty", b"").await;
    assert_s3_error(
        s3.get_object()
            .bucket("ranges")
            .key("empty")
            .range("bytes=0-0")
            .send()
            .await,
        "InvalidRange",
        416,
    );
}

#[tokio::test]
async fn conditional_gets_heads_and_puts() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "cond").await;
    let data = random_bytes(6, 4096);
    let etag = put(&s3, "cond", "k", &data).await;
    let modified = s3
        .head_object()
        .bucket("cond")
        .key("k")
        .send()
        .await
        .expect("head")
        .last_modified()
        .copied()
        .expect("Last-Modified");
    let day = 86_400;
    let past = DateTime::from_secs(modified.secs() - day);
    let future = DateTime::from_secs(now_secs() + day);
    let other_etag = "\"0123456789abcdef0123456789abcdef\"";
    let get = || s3.get_object().bucket("cond").key("k");

    // If-Match
    let out = get()
        .if_match(&etag)
        .send()
        .await
        .expect("If-Match with the ETag");
    assert_same_bytes(
        &out.body.collect().await.expect("body").into_bytes(),
        &data,
        "If-Match",
    );
    assert_s3_error(
        get().if_match(other_etag).send().await,
        "PreconditionFailed",
        412,
    );

    // If-None-Match
    assert_status(get().if_none_match(&etag).send().await, 304);
    // The 304 names the version the client has (raw: the SDK hides it).
    let presigned = presign_get(&s3, "cond", "k").await;
    let r = send_presigned(
        store.addr(),
        &presigned,
        &[("If-None-Match", etag.as_str())],
        b"",
    )
    .expect("answer");
    assert_eq!(r.status, 304);
    assert_eq!(r.header("etag"), Some(etag.as_str()));
    assert!(r.header("last-modified").is_some(), "{:?}", r.headers);
    assert!(r.body.is_empty());
    get()
        .if_none_match(other_etag)
        .send()
        .await
        .expect("If-None-Match another ETag");

    // If-Modified-Since
    assert_status(get().if_modified_since(modified).send().await, 304);
    // A date in the future is no validator: ignored (RFC 9110 §13.1.3).
    get()
        .if_modified_since(future)
        .send()
        .await
        .expect("If-Modified-Since tomorrow is ignored");
    get()
        .if_modified_since(past)
        .send()
        .await
        .expect("modified since yesterday");

    // If-Unmodified-Since
    assert_s3_error(
        get().if_unmodified_since(past).send().await,
        "PreconditionFailed",
        412,
    );
    get()
        .if_unmodified_since(modified)
        .send()
        .await
        .expect("unmodified since its time");
    get()
        .if_unmodified_since(future)
        .send()
        .await
        .expect("unmodified since tomorrow");

    // Precedence (S3 docs): If-Match true wins over If-Unmodified-Since
    // false; If-None-Match false (a match) wins over If-Modified-Since true.
    get()
        .if_match(&etag)
        .if_unmodified_since(past)
        .send()
        .await
        .expect("If-Match true, If-Unmodified-Since false");
    assert_status(
        get()
            .if_none_match(&etag)
            .if_modified_since(past)
            .send()
            .await,
        304,
    );

    // HeadObject answers the same, without bodies.
    let head = || s3.head_object().bucket("cond").key("k");
    assert_status(head().if_match(other_etag).send().await, 412);
    assert_status(head().if_none_match(&etag).send().await, 304);
    assert_status(head().if_unmodified_since(past).send().await, 412);
    head()
        .if_modified_since(future)
        .send()
        .await
        .expect("HEAD If-Modified-Since tomorrow is ignored");
    head().if_match(&etag).send().await.expect("HEAD If-Match");

    // PutObject If-None-Match: * only creates.
    assert_s3_error(
        s3.put_object()
            .bucket("cond")
            .key("k")
            .if_none_match("*")
            .body(ByteStream::from_static(b"clobber"))
            .send()
            .await,
        "PreconditionFailed",
        412,
    );
    assert_object(&s3, "cond", "k", &data).await;
    s3.put_object()
        .bucket("cond")
        .key("fresh")
        .if_none_match("*")
        .body(ByteStream::from_static(b"first"))
        .send()
        .await
        .expect("If-None-Match: * on a new key");
    assert_object(&s3, "cond", "fresh", b"first").await;
}

#[tokio::test]
async fn get_object_response_header_overrides() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "over").await;
    let data = random_bytes(9, 2048);
    s3.put_object()
        .bucket("over")
        .key("k")
        .content_type("text/plain")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .expect("put");

    let expires = DateTime::from_secs(1_900_000_000);
    let got = s3
        .get_object()
        .bucket("over")
        .key("k")
        .response_content_type("application/x-override")
        .response_content_disposition("attachment; filename=\"over.bin\"")
        .response_content_language("fr-CA")
        .response_cache_control("no-store")
        .response_content_encoding("identity")
        .response_expires(expires)
        .send()
        .await
        .expect("get with overrides");
    assert_eq!(got.content_type(), Some("application/x-override"));
    assert_eq!(
        got.content_disposition(),
        Some("attachment; filename=\"over.bin\"")
    );
    assert_eq!(got.content_language(), Some("fr-CA"));
    assert_eq!(got.cache_control(), Some("no-store"));
    assert_eq!(got.content_encoding(), Some("identity"));
    assert_eq!(
        got.expires_string().map(parse_http_date),
        Some(expires.secs())
    );
    assert_same_bytes(
        &got.body.collect().await.expect("body").into_bytes(),
        &data,
        "overridden GET",
    );

    // Overrides change the response only.
    let head = s3
        .head_object()
        .bucket("over")
        .key("k")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_type(), Some("text/plain"));
    assert_eq!(head.content_disposition(), None);
}
