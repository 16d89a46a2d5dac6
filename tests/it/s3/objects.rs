//! Objects: stripe-edge sizes from memory and files, a 100 MiB object, content headers and user metadata, missing keys and buckets, deletes.

use std::collections::BTreeSet;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use super::{create_bucket, now_secs, parse_http_date};
use crate::common::s3::*;

/// Sizes around the 1 MiB stripe: empty, one byte, a stripe ±1, two
/// stripes and a bit.
const EDGE_SIZES: [usize; 6] = [0, 1, MIB - 1, MIB, MIB + 1, 2 * MIB + 3];

#[tokio::test]
async fn objects_of_stripe_edge_sizes_round_trip_from_memory_and_from_files() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "sizes").await;
    let dir = tempfile::tempdir().expect("tempdir");

    for (i, &size) in EDGE_SIZES.iter().enumerate() {
        // In memory: the SDK sends the CRC32 as a header.
        let data = random_bytes(100 + i as u64, size);
        let key = format!("mem-{size}");
        let etag = put(&s3, "sizes", &key, &data).await;
        assert_eq!(etag, etag_of(&data), "ETag of {key}");
        assert_object(&s3, "sizes", &key, &data).await;
        let head = s3
            .head_object()
            .bucket("sizes")
            .key(&key)
            .send()
            .await
            .expect("head");
        assert_eq!(head.content_length(), Some(size as i64), "size of {key}");
        assert_eq!(
            head.e_tag(),
            Some(etag.as_str()),
            "HeadObject ETag of {key}"
        );

        // From a file: streamed aws-chunked with a CRC32 trailer.
        let path = dir.path().join(format!("{size}.bin"));
        let (sha, file_etag) = write_random_file(&path, 200 + i as u64, size);
        let key = format!("file-{size}");
        let out = s3
            .put_object()
            .bucket("sizes")
            .key(&key)
            .body(file_body(&path).await)
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {}", DisplayErrorContext(&e)));
        assert_eq!(out.e_tag(), Some(file_etag.as_str()), "ETag of {key}");
        let got = s3
            .get_object()
            .bucket("sizes")
            .key(&key)
            .send()
            .await
            .expect("get");
        assert_eq!(
            got.content_length(),
            Some(size as i64),
            "Content-Length of {key}"
        );
        assert_eq!(
            got.e_tag(),
            Some(file_etag.as_str()),
            "GetObject ETag of {key}"
        );
        let (len, digest) = body_digest(got.body).await.expect("read body");
        assert_eq!((len, digest), (size as u64, sha), "{key} read back");
    }

    // An overwrite replaces the object whole.
    let newer = random_bytes(300, 2 * MIB + 3);
    let etag = put(&s3, "sizes", "mem-1", &newer).await;
    assert_object(&s3, "sizes", "mem-1", &newer).await;
    let head = s3
        .head_object()
        .bucket("sizes")
        .key("mem-1")
        .send()
        .await
        .expect("head");
    assert_eq!(head.e_tag(), Some(etag.as_str()));
    assert_eq!(head.content_length(), Some(newer.len() as i64));

    let keys: BTreeSet<String> = list_all_keys(&s3, "sizes").await.into_iter().collect();
    let want: BTreeSet<String> = EDGE_SIZES
        .iter()
        .flat_map(|s| [format!("mem-{s}"), format!("file-{s}")])
        .collect();
    assert_eq!(keys, want);
}

#[tokio::test]
async fn a_100_mib_object_streams_in_from_a_file_and_back() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "big").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("big.bin");
    let size = 100 * MIB;
    let (sha, etag) = write_random_file(&path, 7, size);

    let out = s3
        .put_object()
        .bucket("big")
        .key("100mib.bin")
        .body(file_body(&path).await)
        .send()
        .await
        .unwrap_or_else(|e| panic!("put 100 MiB: {}", DisplayErrorContext(&e)));
    assert_eq!(out.e_tag(), Some(etag.as_str()));

    let head = s3
        .head_object()
        .bucket("big")
        .key("100mib.bin")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_length(), Some(size as i64));
    assert_eq!(head.e_tag(), Some(etag.as_str()));

    let got = s3
        .get_object()
        .bucket("big")
        .key("100mib.bin")
        .send()
        .await
        .expect("get");
    assert_eq!(got.content_length(), Some(size as i64));
    let (len, digest) = body_digest(got.body).await.expect("read 100 MiB");
    assert_eq!((len, digest), (size as u64, sha));
}

#[tokio::test]
async fn head_and_get_return_content_headers_and_user_metadata() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "meta").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.bin");
    let (file_sha, _) = write_random_file(&path, 41, 3 * MIB + 1);
    let data = random_bytes(40, 1000);
    let expires = DateTime::from_secs(2_000_000_000);
    let user = metadata(&[("color", "blue"), ("note", "hello world")]);

    for streamed in [false, true] {
        let key = if streamed {
            "doc-file.txt.gz"
        } else {
            "doc-mem.txt.gz"
        };
        let body = if streamed {
            file_body(&path).await
        } else {
            ByteStream::from(data.clone())
        };
        s3.put_object()
            .bucket("meta")
            .key(key)
            .body(body)
            .content_type("text/plain; charset=utf-8")
            .content_encoding("gzip")
            .content_disposition("attachment; filename=\"doc.txt\"")
            .content_language("en-GB")
            .cache_control("max-age=3600, must-revalidate")
            .expires(expires)
            .set_metadata(Some(user.clone()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {}", DisplayErrorContext(&e)));

        let head = s3
            .head_object()
            .bucket("meta")
            .key(key)
            .send()
            .await
            .expect("head");
        let size = if streamed { 3 * MIB + 1 } else { data.len() };
        assert_eq!(head.content_length(), Some(size as i64), "{key}");
        assert_eq!(
            head.content_type(),
            Some("text/plain; charset=utf-8"),
            "{key}"
        );
        // aws-chunked (streamed uploads) is a transfer detail, not stored.
        assert_eq!(head.content_encoding(), Some("gzip"), "{key}");
        assert_eq!(
            head.content_disposition(),
            Some("attachment; filename=\"doc.txt\""),
            "{key}"
        );
        assert_eq!(head.content_language(), Some("en-GB"), "{key}");
        assert_eq!(
            head.cache_control(),
            Some("max-age=3600, must-revalidate"),
            "{key}"
        );
        let head_expires = head.expires_string().expect("Expires on HeadObject");
        assert_eq!(parse_http_date(head_expires), expires.secs(), "{key}");
        assert_eq!(head.metadata(), Some(&user), "{key}");
        let modified = head.last_modified().expect("Last-Modified").secs();
        assert!(
            (modified - now_secs()).abs() < 300,
            "Last-Modified {modified} is not now"
        );

        let got = s3
            .get_object()
            .bucket("meta")
            .key(key)
            .send()
            .await
            .expect("get");
        assert_eq!(
            got.content_type(),
            Some("text/plain; charset=utf-8"),
            "{key}"
        );
        assert_eq!(got.content_encoding(), Some("gzip"), "{key}");
        assert_eq!(
            got.content_disposition(),
            Some("attachment; filename=\"doc.txt\""),
            "{key}"
        );
        assert_eq!(got.content_language(), Some("en-GB"), "{key}");
        assert_eq!(
            got.cache_control(),
            Some("max-age=3600, must-revalidate"),
            "{key}"
        );
        assert_eq!(
            got.expires_string().map(parse_http_date),
            Some(expires.secs()),
            "{key}"
        );
        assert_eq!(got.metadata(), Some(&user), "{key}");
        assert_eq!(got.e_tag(), head.e_tag(), "{key}");
        let (len, digest) = body_digest(got.body).await.expect("read");
        if streamed {
            assert_eq!((len, digest), ((3 * MIB + 1) as u64, file_sha.clone()));
        } else {
            assert_eq!((len, digest), (data.len() as u64, sha256_hex(&data)));
        }
    }

    // Without a Content-Type from the caller the SDK sends its default;
    // no metadata means none.
    put(&s3, "meta", "plain", b"plain").await;
    let head = s3
        .head_object()
        .bucket("meta")
        .key("plain")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_type(), Some("application/octet-stream"));
    assert!(
        head.metadata().is_none_or(|m| m.is_empty()),
        "{:?}",
        head.metadata()
    );

    // More than 2 KB of user metadata is MetadataTooLarge, as on AWS, and
    // nothing is stored.
    let big = metadata(&[("a", &"x".repeat(1500)), ("b", &"y".repeat(1000))]);
    assert_s3_error(
        s3.put_object()
            .bucket("meta")
            .key("too-much")
            .set_metadata(Some(big))
            .body(b"data".to_vec().into())
            .send()
            .await,
        "MetadataTooLarge",
        400,
    );
    assert_s3_error(
        s3.get_object().bucket("meta").key("too-much").send().await,
        "NoSuchKey",
        404,
    );
}

#[tokio::test]
async fn missing_keys_and_buckets_are_reported_as_such() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "present").await;
    put(&s3, "present", "here", b"here").await;

    assert_s3_error(
        s3.get_object().bucket("present").key("absent").send().await,
        "NoSuchKey",
        404,
    );
    assert_status(
        s3.head_object()
            .bucket("present")
            .key("absent")
            .send()
            .await,
        404,
    );

    let b = "absent-bucket";
    assert_s3_error(
        s3.get_object().bucket(b).key("k").send().await,
        "NoSuchBucket",
        404,
    );
    assert_status(s3.head_object().bucket(b).key("k").send().await, 404);
    assert_s3_error(
        s3.put_object()
            .bucket(b)
            .key("k")
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.list_objects_v2().bucket(b).send().await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.list_objects().bucket(b).send().await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.delete_object().bucket(b).key("k").send().await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.create_multipart_upload().bucket(b).key("k").send().await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.copy_object()
            .bucket(b)
            .key("k")
            .copy_source("present/here")
            .send()
            .await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.copy_object()
            .bucket("present")
            .key("k")
            .copy_source("present/absent")
            .send()
            .await,
        "NoSuchKey",
        404,
    );
}

#[tokio::test]
async fn delete_object_and_delete_objects_quiet_and_verbose() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "del").await;
    for i in 1..=5 {
        put(
            &s3,
            "del",
            &format!("k{i}"),
            &random_bytes(i, MIB + i as usize),
        )
        .await;
    }

    s3.delete_object()
        .bucket("del")
        .key("k1")
        .send()
        .await
        .expect("delete k1");
    assert_s3_error(
        s3.get_object().bucket("del").key("k1").send().await,
        "NoSuchKey",
        404,
    );
    // Deleting what is not there succeeds (204).
    s3.delete_object()
        .bucket("del")
        .key("never-was")
        .send()
        .await
        .expect("delete missing");
    s3.delete_object()
        .bucket("del")
        .key("k1")
        .send()
        .await
        .expect("delete k1 again");

    let ids = |keys: &[&str]| -> Vec<ObjectIdentifier> {
        keys.iter()
            .map(|k| {
                ObjectIdentifier::builder()
                    .key(*k)
                    .build()
                    .expect("identifier")
            })
            .collect()
    };

    let quiet = s3
        .delete_objects()
        .bucket("del")
        .delete(
            Delete::builder()
                .set_objects(Some(ids(&["k2", "k3", "missing-1"])))
                .quiet(true)
                .build()
                .expect("delete"),
        )
        .send()
        .await
        .expect("DeleteObjects quiet");
    assert!(
        quiet.deleted().is_empty(),
        "quiet mode lists nothing: {:?}",
        quiet.deleted()
    );
    assert!(quiet.errors().is_empty(), "errors: {:?}", quiet.errors());

    let verbose = s3
        .delete_objects()
        .bucket("del")
        .delete(
            Delete::builder()
                .set_objects(Some(ids(&["k4", "missing-2"])))
                .build()
                .expect("delete"),
        )
        .send()
        .await
        .expect("DeleteObjects verbose");
    let deleted: BTreeSet<&str> = verbose.deleted().iter().filter_map(|d| d.key()).collect();
    assert_eq!(deleted, BTreeSet::from(["k4", "missing-2"]));
    assert!(
        verbose.errors().is_empty(),
        "errors: {:?}",
        verbose.errors()
    );

    for key in ["k2", "k3", "k4"] {
        assert_s3_error(
            s3.get_object().bucket("del").key(key).send().await,
            "NoSuchKey",
            404,
        );
    }
    assert_eq!(list_all_keys(&s3, "del").await, vec!["k5".to_string()]);
}

#[tokio::test]
async fn a_body_that_stops_short_is_cut_off_after_the_idle_timeout() {
    use std::io::{Read, Write};
    let store = StoreProcess::start(&[("PREDASTORE_BODY_IDLE_TIMEOUT_MS", "500")]);
    let s3 = store.client();
    create_bucket(&s3, "short").await;
    let url = presign(store.addr(), "PUT", "/short/k");
    let mut conn = std::net::TcpStream::connect(store.addr()).expect("connect");
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .expect("timeout");
    let head = format!(
        "PUT {} HTTP/1.1\r\nHost: {}\r\nContent-Length: 1000\r\n\r\n",
        path_and_query(&url),
        store.addr()
    );
    conn.write_all(head.as_bytes()).expect("head");
    conn.write_all(&[7u8; 10])
        .expect("ten of the thousand bytes");
    // The socket waits 10 s at most: the store must answer well before
    // (it used to hold such a connection for 60 s).
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("</Error>") {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("<Code>RequestTimeout</Code>"), "{answer}");
    assert_s3_error(
        s3.head_object().bucket("short").key("k").send().await,
        "NotFound",
        404,
    );
}
