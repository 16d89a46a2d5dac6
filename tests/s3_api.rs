//! The S3 API of a real `predastore` process, driven by the AWS SDK for
//! Rust (path-style, SigV4, the SDK's default CRC32 checksums with
//! aws-chunked trailers) and by a plain HTTP client: buckets, objects of
//! stripe-edge sizes, ranges, conditionals, checksums, copy, listing,
//! multipart, auth and presigned URLs, request ids, restart, and the loss
//! of volumes under erasure coding 2+1.
//!
//! Each test starts its own store (one node, three volumes, 1 MiB stripes).

mod common;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::time::{Duration, SystemTime};

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::{ByteStream, DateTime, DateTimeFormat};
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumMode, CompletedMultipartUpload, CompletedPart, Delete, EncodingType,
    MetadataDirective, ObjectIdentifier,
};
use aws_sdk_s3::Client;
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;

use common::s3::*;

async fn create_bucket(s3: &Client, bucket: &str) {
    s3.create_bucket()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create bucket {bucket}: {}", DisplayErrorContext(&e)));
}

/// Asserts two byte strings are equal without printing megabytes.
#[track_caller]
fn assert_same_bytes(got: &[u8], want: &[u8], what: &str) {
    assert_eq!(got.len(), want.len(), "length of {what}");
    if got != want {
        let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
        panic!("{what}: bytes differ first at offset {at}");
    }
}

fn parse_http_date(s: &str) -> i64 {
    DateTime::from_str(s, DateTimeFormat::HttpDate)
        .unwrap_or_else(|e| panic!("not an HTTP date: {s:?}: {e}"))
        .secs()
}

fn now_secs() -> i64 {
    DateTime::from(SystemTime::now()).secs()
}

// ---------------------------------------------------------------------------
// Buckets

#[tokio::test]
async fn buckets_are_created_listed_located_and_deleted_with_s3_errors() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();

    create_bucket(&s3, "alpha").await;
    s3.head_bucket()
        .bucket("alpha")
        .send()
        .await
        .unwrap_or_else(|e| panic!("HeadBucket alpha: {}", DisplayErrorContext(&e)));
    assert_status(s3.head_bucket().bucket("no-such-bucket").send().await, 404);

    let listed = s3.list_buckets().send().await.expect("ListBuckets");
    let alpha = listed
        .buckets()
        .iter()
        .find(|b| b.name() == Some("alpha"))
        .expect("ListBuckets contains alpha");
    let created = alpha.creation_date().expect("bucket creation date").secs();
    assert!(
        (created - now_secs()).abs() < 300,
        "creation date {created} is not now"
    );

    // us-east-1 is reported as an empty LocationConstraint.
    let location = s3
        .get_bucket_location()
        .bucket("alpha")
        .send()
        .await
        .expect("GetBucketLocation");
    assert!(
        location
            .location_constraint()
            .is_none_or(|c| c.as_str().is_empty()),
        "location of a us-east-1 bucket: {:?}",
        location.location_constraint()
    );

    assert_s3_error(
        s3.create_bucket().bucket("alpha").send().await,
        "BucketAlreadyOwnedByYou",
        409,
    );

    let too_long = "x".repeat(64);
    for bad in [
        "ab",
        "Upper-Case",
        "under_score",
        "-leading-dash",
        "trailing-dash-",
        "double..dot",
        "192.168.5.4",
        too_long.as_str(),
    ] {
        assert_s3_error(
            s3.create_bucket().bucket(bad).send().await,
            "InvalidBucketName",
            400,
        );
    }
    // The longest and shortest legal names are fine.
    create_bucket(&s3, &"a".repeat(63)).await;
    create_bucket(&s3, "a-b").await;

    put(&s3, "alpha", "keep", b"x").await;
    assert_s3_error(
        s3.delete_bucket().bucket("alpha").send().await,
        "BucketNotEmpty",
        409,
    );
    s3.head_bucket()
        .bucket("alpha")
        .send()
        .await
        .expect("still there");

    s3.delete_object()
        .bucket("alpha")
        .key("keep")
        .send()
        .await
        .expect("delete keep");
    s3.delete_bucket()
        .bucket("alpha")
        .send()
        .await
        .expect("delete empty bucket");
    assert_status(s3.head_bucket().bucket("alpha").send().await, 404);
    // An upload right after the delete is refused.
    assert_s3_error(
        s3.put_object()
            .bucket("alpha")
            .key("late")
            .body(ByteStream::from_static(b"too late"))
            .send()
            .await,
        "NoSuchBucket",
        404,
    );
    let listed = s3.list_buckets().send().await.expect("ListBuckets");
    assert!(
        listed.buckets().iter().all(|b| b.name() != Some("alpha")),
        "deleted bucket still listed"
    );
    assert_s3_error(
        s3.delete_bucket().bucket("alpha").send().await,
        "NoSuchBucket",
        404,
    );

    // The name is free again.
    create_bucket(&s3, "alpha").await;
    assert!(
        list_all_keys(&s3, "alpha").await.is_empty(),
        "a re-created bucket is empty"
    );
}

// ---------------------------------------------------------------------------
// Objects

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
}

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
    get()
        .if_none_match(other_etag)
        .send()
        .await
        .expect("If-None-Match another ETag");

    // If-Modified-Since
    assert_status(get().if_modified_since(modified).send().await, 304);
    assert_status(get().if_modified_since(future).send().await, 304);
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
    assert_status(head().if_modified_since(future).send().await, 304);
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

// ---------------------------------------------------------------------------
// Checksums

fn put_checksum(
    out: &aws_sdk_s3::operation::put_object::PutObjectOutput,
    algo: &ChecksumAlgorithm,
) -> Option<String> {
    match algo {
        ChecksumAlgorithm::Crc32 => out.checksum_crc32(),
        ChecksumAlgorithm::Crc32C => out.checksum_crc32_c(),
        ChecksumAlgorithm::Sha1 => out.checksum_sha1(),
        ChecksumAlgorithm::Sha256 => out.checksum_sha256(),
        ChecksumAlgorithm::Crc64Nvme => out.checksum_crc64_nvme(),
        other => panic!("untested algorithm {other:?}"),
    }
    .map(str::to_string)
}

fn get_checksum(
    out: &aws_sdk_s3::operation::get_object::GetObjectOutput,
    algo: &ChecksumAlgorithm,
) -> Option<String> {
    match algo {
        ChecksumAlgorithm::Crc32 => out.checksum_crc32(),
        ChecksumAlgorithm::Crc32C => out.checksum_crc32_c(),
        ChecksumAlgorithm::Sha1 => out.checksum_sha1(),
        ChecksumAlgorithm::Sha256 => out.checksum_sha256(),
        ChecksumAlgorithm::Crc64Nvme => out.checksum_crc64_nvme(),
        other => panic!("untested algorithm {other:?}"),
    }
    .map(str::to_string)
}

fn head_checksum(
    out: &aws_sdk_s3::operation::head_object::HeadObjectOutput,
    algo: &ChecksumAlgorithm,
) -> Option<String> {
    match algo {
        ChecksumAlgorithm::Crc32 => out.checksum_crc32(),
        ChecksumAlgorithm::Crc32C => out.checksum_crc32_c(),
        ChecksumAlgorithm::Sha1 => out.checksum_sha1(),
        ChecksumAlgorithm::Sha256 => out.checksum_sha256(),
        ChecksumAlgorithm::Crc64Nvme => out.checksum_crc64_nvme(),
        other => panic!("untested algorithm {other:?}"),
    }
    .map(str::to_string)
}

#[test]
fn crc32_matches_its_check_value() {
    // The catalogue check value of CRC-32/ISO-HDLC over "123456789".
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
}

#[test]
fn crc64_nvme_matches_its_check_value() {
    // The catalogue check value of CRC-64/NVME over "123456789".
    assert_eq!(crc64_nvme(b"123456789"), 0xae8b_1486_0a79_9888);
}

#[tokio::test]
async fn flexible_checksums_round_trip_and_wrong_digests_are_refused() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "sums").await;
    let data = random_bytes(8, 300_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("body.bin");
    fs::write(&path, &data).expect("write body file");

    let expected = [
        (ChecksumAlgorithm::Crc32, b64(&crc32(&data).to_be_bytes())),
        (
            ChecksumAlgorithm::Crc32C,
            b64(&crc32c::crc32c(&data).to_be_bytes()),
        ),
        (ChecksumAlgorithm::Sha1, b64(&Sha1::digest(&data))),
        (ChecksumAlgorithm::Sha256, b64(&Sha256::digest(&data))),
        (
            ChecksumAlgorithm::Crc64Nvme,
            b64(&crc64_nvme(&data).to_be_bytes()),
        ),
    ];
    for (algo, value) in &expected {
        // In memory the checksum travels as a header; from a file, as an
        // aws-chunked trailer.
        for streamed in [false, true] {
            let key = format!(
                "{}-{}",
                algo.as_str(),
                if streamed { "file" } else { "mem" }
            );
            let body = if streamed {
                file_body(&path).await
            } else {
                ByteStream::from(data.clone())
            };
            let out = s3
                .put_object()
                .bucket("sums")
                .key(&key)
                .checksum_algorithm(algo.clone())
                .body(body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("put {key}: {}", DisplayErrorContext(&e)));
            assert_eq!(
                put_checksum(&out, algo).as_ref(),
                Some(value),
                "PutObject {key}"
            );

            let got = s3
                .get_object()
                .bucket("sums")
                .key(&key)
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await
                .expect("get");
            assert_eq!(
                get_checksum(&got, algo).as_ref(),
                Some(value),
                "GetObject {key}"
            );
            // The SDK also checks the body against the checksum it got.
            let body = got.body.collect().await.expect("body matches its checksum");
            assert_same_bytes(&body.into_bytes(), &data, &key);

            let head = s3
                .head_object()
                .bucket("sums")
                .key(&key)
                .checksum_mode(ChecksumMode::Enabled)
                .send()
                .await
                .expect("head");
            assert_eq!(
                head_checksum(&head, algo).as_ref(),
                Some(value),
                "HeadObject {key}"
            );
        }
    }

    // Content-MD5
    let wrong_md5 = b64(&Md5::digest(b"something else"));
    assert_s3_error(
        s3.put_object()
            .bucket("sums")
            .key("bad-md5")
            .content_md5(wrong_md5)
            .body(ByteStream::from(data.clone()))
            .send()
            .await,
        "BadDigest",
        400,
    );
    assert_s3_error(
        s3.get_object().bucket("sums").key("bad-md5").send().await,
        "NoSuchKey",
        404,
    );
    s3.put_object()
        .bucket("sums")
        .key("good-md5")
        .content_md5(b64(&Md5::digest(&data)))
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .expect("put with the right Content-MD5");
    assert_object(&s3, "sums", "good-md5", &data).await;

    // x-amz-checksum-crc32 given by the caller (the SDK sends it as is).
    let wrong_crc = b64(&(crc32(&data) ^ 1).to_be_bytes());
    assert_s3_error(
        s3.put_object()
            .bucket("sums")
            .key("bad-crc32")
            .checksum_crc32(wrong_crc)
            .body(ByteStream::from(data.clone()))
            .send()
            .await,
        "BadDigest",
        400,
    );
    assert_s3_error(
        s3.get_object().bucket("sums").key("bad-crc32").send().await,
        "NoSuchKey",
        404,
    );
    let right_crc = expected[0].1.clone();
    s3.put_object()
        .bucket("sums")
        .key("good-crc32")
        .checksum_crc32(&right_crc)
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .expect("put with the right x-amz-checksum-crc32");
    let got = s3
        .get_object()
        .bucket("sums")
        .key("good-crc32")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("get");
    assert_eq!(got.checksum_crc32(), Some(right_crc.as_str()));
}

// ---------------------------------------------------------------------------
// Missing things, deletes

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

// ---------------------------------------------------------------------------
// Copy

#[tokio::test]
async fn copy_object_keeps_or_replaces_metadata_and_crosses_buckets() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "src").await;
    create_bucket(&s3, "dst").await;
    let data = random_bytes(11, 3 * MIB + 1);
    let etag = etag_of(&data);
    s3.put_object()
        .bucket("src")
        .key("orig")
        .content_type("text/plain")
        .cache_control("max-age=60")
        .metadata("origin", "source")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .expect("put orig");

    // COPY (the default) keeps metadata and content type.
    let out = s3
        .copy_object()
        .bucket("src")
        .key("copy")
        .copy_source("src/orig")
        .send()
        .await
        .expect("copy");
    assert_eq!(
        out.copy_object_result().and_then(|r| r.e_tag()),
        Some(etag.as_str())
    );
    let head = s3
        .head_object()
        .bucket("src")
        .key("copy")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_type(), Some("text/plain"));
    assert_eq!(head.cache_control(), Some("max-age=60"));
    assert_eq!(head.metadata(), Some(&metadata(&[("origin", "source")])));
    assert_eq!(head.e_tag(), Some(etag.as_str()));
    assert_object(&s3, "src", "copy", &data).await;

    // REPLACE takes only what the request says.
    s3.copy_object()
        .bucket("src")
        .key("replaced")
        .copy_source("src/orig")
        .metadata_directive(MetadataDirective::Replace)
        .content_type("application/json")
        .metadata("origin", "replaced")
        .metadata("extra", "yes")
        .send()
        .await
        .expect("copy REPLACE");
    let head = s3
        .head_object()
        .bucket("src")
        .key("replaced")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_type(), Some("application/json"));
    assert_eq!(head.cache_control(), None);
    assert_eq!(
        head.metadata(),
        Some(&metadata(&[("origin", "replaced"), ("extra", "yes")]))
    );
    assert_object(&s3, "src", "replaced", &data).await;

    // Across buckets.
    s3.copy_object()
        .bucket("dst")
        .key("elsewhere")
        .copy_source("src/orig")
        .send()
        .await
        .expect("copy across buckets");
    assert_object(&s3, "dst", "elsewhere", &data).await;
    let head = s3
        .head_object()
        .bucket("dst")
        .key("elsewhere")
        .send()
        .await
        .expect("head");
    assert_eq!(head.metadata(), Some(&metadata(&[("origin", "source")])));

    // Copy-source conditions.
    assert_s3_error(
        s3.copy_object()
            .bucket("dst")
            .key("guarded")
            .copy_source("src/orig")
            .copy_source_if_match("\"0123456789abcdef0123456789abcdef\"")
            .send()
            .await,
        "PreconditionFailed",
        412,
    );
    assert_s3_error(
        s3.get_object().bucket("dst").key("guarded").send().await,
        "NoSuchKey",
        404,
    );
    s3.copy_object()
        .bucket("dst")
        .key("guarded")
        .copy_source("src/orig")
        .copy_source_if_match(&etag)
        .send()
        .await
        .expect("copy-source-if-match with the ETag");
    assert_object(&s3, "dst", "guarded", &data).await;

    // Onto itself: only with REPLACE.
    assert_s3_error(
        s3.copy_object()
            .bucket("src")
            .key("orig")
            .copy_source("src/orig")
            .send()
            .await,
        "InvalidRequest",
        400,
    );
    s3.copy_object()
        .bucket("src")
        .key("orig")
        .copy_source("src/orig")
        .metadata_directive(MetadataDirective::Replace)
        .content_type("application/octet-stream")
        .metadata("origin", "self")
        .send()
        .await
        .expect("copy onto itself with REPLACE");
    let head = s3
        .head_object()
        .bucket("src")
        .key("orig")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_type(), Some("application/octet-stream"));
    assert_eq!(head.metadata(), Some(&metadata(&[("origin", "self")])));
    assert_eq!(head.e_tag(), Some(etag.as_str()));
    assert_object(&s3, "src", "orig", &data).await;
}

// ---------------------------------------------------------------------------
// Listing

/// 25 keys: nested, unicode, a space and a plus, URL-special characters.
fn listing_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "a",
        "a/b/c",
        "a/b/d",
        "a/x",
        "b",
        "b/",
        "c d+e",
        "docs/guide/intro.md",
        "docs/guide/setup.md",
        "docs/readme.md",
        "x/odd chars ?&=#%.txt",
        "z",
        "ünïcødé/ключ",
        "日本語/ファイル.txt",
        "😀-emoji",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    keys.extend((0..10).map(|i| format!("key-{i:02}")));
    keys.sort(); // byte order of UTF-8, S3's order
    assert_eq!(keys.len(), 25);
    keys
}

async fn put_listing_keys(s3: &Client, bucket: &str) -> Vec<String> {
    create_bucket(s3, bucket).await;
    let keys = listing_keys();
    for (i, key) in keys.iter().enumerate() {
        put(s3, bucket, key, format!("body {i}").as_bytes()).await;
    }
    keys
}

/// Walks ListObjectsV2 pages, checking each page; (keys, common prefixes).
async fn walk_v2(
    s3: &Client,
    bucket: &str,
    prefix: Option<&str>,
    delimiter: Option<&str>,
    max_keys: i32,
) -> (Vec<String>, Vec<String>) {
    let mut keys = Vec::new();
    let mut prefixes = Vec::new();
    let mut token: Option<String> = None;
    for _page in 0..100 {
        let page = s3
            .list_objects_v2()
            .bucket(bucket)
            .set_prefix(prefix.map(str::to_string))
            .set_delimiter(delimiter.map(str::to_string))
            .max_keys(max_keys)
            .set_continuation_token(token.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListObjectsV2: {}", DisplayErrorContext(&e)));
        let entries = page.contents().len() + page.common_prefixes().len();
        assert!(
            entries <= max_keys as usize,
            "page of {entries} > max-keys {max_keys}"
        );
        assert_eq!(page.key_count(), Some(entries as i32), "KeyCount");
        assert_eq!(page.max_keys(), Some(max_keys), "MaxKeys");
        assert_eq!(
            page.continuation_token(),
            token.as_deref(),
            "ContinuationToken echoed"
        );
        keys.extend(
            page.contents()
                .iter()
                .map(|o| o.key().expect("key").to_string()),
        );
        prefixes.extend(
            page.common_prefixes()
                .iter()
                .map(|p| p.prefix().expect("prefix").to_string()),
        );
        if page.is_truncated() == Some(true) {
            assert!(entries > 0, "an empty truncated page");
            token = Some(
                page.next_continuation_token()
                    .expect("NextContinuationToken")
                    .to_string(),
            );
        } else {
            assert_eq!(
                page.next_continuation_token(),
                None,
                "token on the last page"
            );
            return (keys, prefixes);
        }
    }
    panic!("more than 100 pages");
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn list_objects_v2_prefix_delimiter_pagination_start_after_and_url_encoding() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    let keys = put_listing_keys(&s3, "list").await;

    // Everything, one page.
    let all = s3
        .list_objects_v2()
        .bucket("list")
        .send()
        .await
        .expect("list");
    assert_eq!(all.key_count(), Some(25));
    assert_eq!(all.is_truncated(), Some(false));
    let listed: Vec<String> = all
        .contents()
        .iter()
        .map(|o| o.key().unwrap().to_string())
        .collect();
    assert_eq!(listed, keys);
    let c_d_e = all
        .contents()
        .iter()
        .find(|o| o.key() == Some("c d+e"))
        .expect("c d+e");
    let body = format!("body {}", keys.iter().position(|k| k == "c d+e").unwrap());
    assert_eq!(c_d_e.size(), Some(body.len() as i64));
    assert_eq!(c_d_e.e_tag(), Some(etag_of(body.as_bytes()).as_str()));
    assert!(c_d_e.last_modified().is_some());

    // Walking pages of 4 yields exactly the sorted keys.
    for max_keys in [1, 4, 24, 25, 1000] {
        let (walked, prefixes) = walk_v2(&s3, "list", None, None, max_keys).await;
        assert_eq!(walked, keys, "pages of {max_keys}");
        assert!(prefixes.is_empty());
    }

    // Prefix.
    let (docs, _) = walk_v2(&s3, "list", Some("docs/"), None, 1000).await;
    assert_eq!(
        docs,
        strings(&[
            "docs/guide/intro.md",
            "docs/guide/setup.md",
            "docs/readme.md"
        ])
    );
    let (none, _) = walk_v2(&s3, "list", Some("nothing-here/"), None, 1000).await;
    assert!(none.is_empty());

    // Delimiter at the root, in one page and in pages of 3.
    let root_keys = strings(&[
        "a",
        "b",
        "c d+e",
        "key-00",
        "key-01",
        "key-02",
        "key-03",
        "key-04",
        "key-05",
        "key-06",
        "key-07",
        "key-08",
        "key-09",
        "z",
        "😀-emoji",
    ]);
    let root_prefixes = strings(&["a/", "b/", "docs/", "x/", "ünïcødé/", "日本語/"]);
    for max_keys in [1000, 3] {
        let (k, p) = walk_v2(&s3, "list", None, Some("/"), max_keys).await;
        assert_eq!(k, root_keys, "keys at the root, pages of {max_keys}");
        assert_eq!(
            p, root_prefixes,
            "prefixes at the root, pages of {max_keys}"
        );
    }
    let (k, p) = walk_v2(&s3, "list", Some("docs/"), Some("/"), 1000).await;
    assert_eq!(k, strings(&["docs/readme.md"]));
    assert_eq!(p, strings(&["docs/guide/"]));
    let (k, p) = walk_v2(&s3, "list", Some("a/"), Some("/"), 1000).await;
    assert_eq!(k, strings(&["a/x"]));
    assert_eq!(p, strings(&["a/b/"]));
    let (k, p) = walk_v2(&s3, "list", Some("a/b/"), Some("/"), 1000).await;
    assert_eq!(k, strings(&["a/b/c", "a/b/d"]));
    assert!(p.is_empty());

    // StartAfter.
    let after = s3
        .list_objects_v2()
        .bucket("list")
        .start_after("key-05")
        .send()
        .await
        .expect("list start-after");
    let listed: Vec<String> = after
        .contents()
        .iter()
        .map(|o| o.key().unwrap().to_string())
        .collect();
    let want: Vec<String> = keys
        .iter()
        .filter(|k| k.as_str() > "key-05")
        .cloned()
        .collect();
    assert_eq!(listed, want);
    assert_eq!(after.start_after(), Some("key-05"));

    // encoding-type=url: keys come back encoded (a '+' as %2B; a space as
    // '+' or %20), and decode to the stored keys.
    let encoded = s3
        .list_objects_v2()
        .bucket("list")
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .expect("list encoding-type=url");
    assert_eq!(encoded.encoding_type(), Some(&EncodingType::Url));
    let raw: Vec<&str> = encoded
        .contents()
        .iter()
        .map(|o| o.key().unwrap())
        .collect();
    let decoded: Vec<String> = raw.iter().map(|k| url_decode_plus(k)).collect();
    assert_eq!(decoded, keys);
    let raw_c_d_e = raw[keys.iter().position(|k| k == "c d+e").unwrap()];
    assert!(!raw_c_d_e.contains(' '), "space not encoded: {raw_c_d_e:?}");
    assert!(raw_c_d_e.contains("%2B"), "plus not encoded: {raw_c_d_e:?}");
    let raw_unicode = raw[keys.iter().position(|k| k == "ünïcødé/ключ").unwrap()];
    assert!(
        raw_unicode.is_ascii(),
        "unicode not encoded: {raw_unicode:?}"
    );
    let encoded_prefixes = s3
        .list_objects_v2()
        .bucket("list")
        .delimiter("/")
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .expect("list encoding-type=url with delimiter");
    let decoded: Vec<String> = encoded_prefixes
        .common_prefixes()
        .iter()
        .map(|p| url_decode_plus(p.prefix().unwrap()))
        .collect();
    assert_eq!(decoded, root_prefixes);
}

#[tokio::test]
async fn list_objects_v1_marker_pagination_and_list_object_versions() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    let keys = put_listing_keys(&s3, "listv1").await;

    // Without a delimiter: the next marker is NextMarker if given, else
    // the last key.
    let mut walked = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..100 {
        let page = s3
            .list_objects()
            .bucket("listv1")
            .max_keys(4)
            .set_marker(marker.clone())
            .send()
            .await
            .expect("ListObjects");
        assert!(page.contents().len() <= 4);
        assert_eq!(
            page.marker().unwrap_or(""),
            marker.as_deref().unwrap_or(""),
            "Marker echoed"
        );
        walked.extend(page.contents().iter().map(|o| o.key().unwrap().to_string()));
        if page.is_truncated() != Some(true) {
            break;
        }
        marker = Some(
            page.next_marker()
                .or(page.contents().last().and_then(|o| o.key()))
                .expect("a marker to go on from")
                .to_string(),
        );
    }
    assert_eq!(walked, keys);

    // With a delimiter, a truncated page must carry NextMarker.
    let mut walked_keys = Vec::new();
    let mut walked_prefixes = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..100 {
        let page = s3
            .list_objects()
            .bucket("listv1")
            .delimiter("/")
            .max_keys(3)
            .set_marker(marker.clone())
            .send()
            .await
            .expect("ListObjects with delimiter");
        assert!(page.contents().len() + page.common_prefixes().len() <= 3);
        walked_keys.extend(page.contents().iter().map(|o| o.key().unwrap().to_string()));
        walked_prefixes.extend(
            page.common_prefixes()
                .iter()
                .map(|p| p.prefix().unwrap().to_string()),
        );
        if page.is_truncated() != Some(true) {
            break;
        }
        marker = Some(
            page.next_marker()
                .expect("NextMarker on a truncated page")
                .to_string(),
        );
    }
    assert_eq!(
        walked_keys,
        strings(&[
            "a",
            "b",
            "c d+e",
            "key-00",
            "key-01",
            "key-02",
            "key-03",
            "key-04",
            "key-05",
            "key-06",
            "key-07",
            "key-08",
            "key-09",
            "z",
            "😀-emoji",
        ])
    );
    assert_eq!(
        walked_prefixes,
        strings(&["a/", "b/", "docs/", "x/", "ünïcødé/", "日本語/"])
    );

    // Versioning is off: one version per key, "null" and latest.
    let versions = s3
        .list_object_versions()
        .bucket("listv1")
        .send()
        .await
        .expect("ListObjectVersions");
    let listed: Vec<String> = versions
        .versions()
        .iter()
        .map(|v| v.key().unwrap().to_string())
        .collect();
    assert_eq!(listed, keys);
    for v in versions.versions() {
        assert_eq!(v.version_id(), Some("null"), "{:?}", v.key());
        assert_eq!(v.is_latest(), Some(true), "{:?}", v.key());
    }
    assert!(versions.delete_markers().is_empty());
}

// ---------------------------------------------------------------------------
// Multipart

async fn upload_part(
    s3: &Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    number: i32,
    data: &[u8],
) -> String {
    let out = s3
        .upload_part()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .part_number(number)
        .body(ByteStream::from(data.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("upload part {number}: {}", DisplayErrorContext(&e)));
    let etag = out.e_tag().expect("part ETag").to_string();
    assert_eq!(etag, etag_of(data), "ETag of part {number}");
    etag
}

fn completed(parts: &[(i32, &str)]) -> CompletedMultipartUpload {
    CompletedMultipartUpload::builder()
        .set_parts(Some(
            parts
                .iter()
                .map(|(n, etag)| {
                    CompletedPart::builder()
                        .part_number(*n)
                        .e_tag(*etag)
                        .build()
                })
                .collect(),
        ))
        .build()
}

async fn create_upload(s3: &Client, bucket: &str, key: &str) -> String {
    s3.create_multipart_upload()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create upload {key}: {}", DisplayErrorContext(&e)))
        .upload_id()
        .expect("UploadId")
        .to_string()
}

#[tokio::test]
async fn multipart_upload_lists_completes_and_reads_back() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "mpu").await;
    let parts = [
        random_bytes(21, 5 * MIB),
        random_bytes(22, 5 * MIB),
        random_bytes(23, MIB),
    ];
    let upload_id = s3
        .create_multipart_upload()
        .bucket("mpu")
        .key("object")
        .content_type("application/x-parts")
        .metadata("kind", "multipart")
        .send()
        .await
        .expect("create")
        .upload_id()
        .expect("UploadId")
        .to_string();

    let mut etags = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        etags.push(upload_part(&s3, "mpu", "object", &upload_id, i as i32 + 1, part).await);
    }

    let listed = s3
        .list_parts()
        .bucket("mpu")
        .key("object")
        .upload_id(&upload_id)
        .send()
        .await
        .expect("ListParts");
    let got: Vec<(i32, i64, String)> = listed
        .parts()
        .iter()
        .map(|p| {
            (
                p.part_number().unwrap(),
                p.size().unwrap(),
                p.e_tag().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(i32, i64, String)> = parts
        .iter()
        .zip(&etags)
        .enumerate()
        .map(|(i, (p, e))| (i as i32 + 1, p.len() as i64, e.clone()))
        .collect();
    assert_eq!(got, want);

    let uploads = s3
        .list_multipart_uploads()
        .bucket("mpu")
        .send()
        .await
        .expect("ListMultipartUploads");
    assert!(
        uploads
            .uploads()
            .iter()
            .any(|u| u.upload_id() == Some(upload_id.as_str()) && u.key() == Some("object")),
        "upload not listed: {:?}",
        uploads.uploads()
    );
    // Not an object until completed.
    assert_s3_error(
        s3.get_object().bucket("mpu").key("object").send().await,
        "NoSuchKey",
        404,
    );

    let numbered: Vec<(i32, &str)> = etags
        .iter()
        .enumerate()
        .map(|(i, e)| (i as i32 + 1, e.as_str()))
        .collect();
    let done = s3
        .complete_multipart_upload()
        .bucket("mpu")
        .key("object")
        .upload_id(&upload_id)
        .multipart_upload(completed(&numbered))
        .send()
        .await
        .unwrap_or_else(|e| panic!("complete: {}", DisplayErrorContext(&e)));
    let etag = multipart_etag(&parts);
    assert_eq!(done.e_tag(), Some(etag.as_str()));
    assert_eq!(done.key(), Some("object"));
    assert_eq!(done.bucket(), Some("mpu"));

    let whole: Vec<u8> = parts.concat();
    let head = s3
        .head_object()
        .bucket("mpu")
        .key("object")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_length(), Some(whole.len() as i64));
    assert_eq!(head.e_tag(), Some(etag.as_str()));
    assert_eq!(head.content_type(), Some("application/x-parts"));
    assert_eq!(head.metadata(), Some(&metadata(&[("kind", "multipart")])));
    assert_object(&s3, "mpu", "object", &whole).await;

    // Across the boundary of parts 1 and 2, and of parts 2 and 3.
    for (first, last) in [(5 * MIB - 10, 5 * MIB + 9), (10 * MIB - 1, 10 * MIB)] {
        let (bytes, range) =
            get_range(&s3, "mpu", "object", &format!("bytes={first}-{last}")).await;
        assert_eq!(range, format!("bytes {first}-{last}/{}", whole.len()));
        assert_same_bytes(&bytes, &whole[first..=last], "range across parts");
    }

    let uploads = s3
        .list_multipart_uploads()
        .bucket("mpu")
        .send()
        .await
        .expect("ListMultipartUploads");
    assert!(
        uploads
            .uploads()
            .iter()
            .all(|u| u.upload_id() != Some(upload_id.as_str())),
        "completed upload still listed"
    );
    assert_eq!(list_all_keys(&s3, "mpu").await, vec!["object".to_string()]);
}

#[tokio::test]
async fn multipart_complete_refuses_small_wrong_and_misordered_parts_and_abort_ends_an_upload() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "mperr").await;
    let parts = [
        random_bytes(31, 5 * MIB),
        random_bytes(32, 5 * MIB),
        random_bytes(33, MIB),
        random_bytes(34, MIB),
    ];
    let id = create_upload(&s3, "mperr", "obj").await;
    let mut etags = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        etags.push(upload_part(&s3, "mperr", "obj", &id, i as i32 + 1, part).await);
    }
    let e = |n: usize| etags[n - 1].as_str();
    let complete = |list: Vec<(i32, &str)>| {
        s3.complete_multipart_upload()
            .bucket("mperr")
            .key("obj")
            .upload_id(&id)
            .multipart_upload(completed(&list))
            .send()
    };

    // A 1 MiB part that is not the last.
    assert_s3_error(
        complete(vec![(1, e(1)), (3, e(3)), (4, e(4))]).await,
        "EntityTooSmall",
        400,
    );
    // Descending part numbers.
    assert_s3_error(
        complete(vec![(2, e(2)), (1, e(1))]).await,
        "InvalidPartOrder",
        400,
    );
    // A wrong ETag, and a part never uploaded.
    assert_s3_error(
        complete(vec![(1, "\"0123456789abcdef0123456789abcdef\""), (2, e(2))]).await,
        "InvalidPart",
        400,
    );
    assert_s3_error(
        complete(vec![(1, e(1)), (2, e(2)), (7, e(4))]).await,
        "InvalidPart",
        400,
    );
    assert_s3_error(
        s3.get_object().bucket("mperr").key("obj").send().await,
        "NoSuchKey",
        404,
    );

    // The upload survived those; parts may be skipped.
    let done = complete(vec![(1, e(1)), (2, e(2)), (4, e(4))])
        .await
        .unwrap_or_else(|e| panic!("complete 1,2,4: {}", DisplayErrorContext(&e)));
    let chosen = [&parts[0], &parts[1], &parts[3]];
    assert_eq!(done.e_tag(), Some(multipart_etag(&chosen).as_str()));
    let whole: Vec<u8> = chosen.iter().flat_map(|p| p.iter().copied()).collect();
    assert_object(&s3, "mperr", "obj", &whole).await;
    // Completed: the upload id is gone.
    assert_s3_error(
        s3.upload_part()
            .bucket("mperr")
            .key("obj")
            .upload_id(&id)
            .part_number(5)
            .body(ByteStream::from_static(b"late"))
            .send()
            .await,
        "NoSuchUpload",
        404,
    );

    // Abort.
    let id = create_upload(&s3, "mperr", "aborted").await;
    let etag = upload_part(&s3, "mperr", "aborted", &id, 1, &parts[2]).await;
    s3.abort_multipart_upload()
        .bucket("mperr")
        .key("aborted")
        .upload_id(&id)
        .send()
        .await
        .expect("abort");
    assert_s3_error(
        s3.upload_part()
            .bucket("mperr")
            .key("aborted")
            .upload_id(&id)
            .part_number(2)
            .body(ByteStream::from(parts[2].clone()))
            .send()
            .await,
        "NoSuchUpload",
        404,
    );
    assert_s3_error(
        s3.list_parts()
            .bucket("mperr")
            .key("aborted")
            .upload_id(&id)
            .send()
            .await,
        "NoSuchUpload",
        404,
    );
    assert_s3_error(
        s3.complete_multipart_upload()
            .bucket("mperr")
            .key("aborted")
            .upload_id(&id)
            .multipart_upload(completed(&[(1, &etag)]))
            .send()
            .await,
        "NoSuchUpload",
        404,
    );
    assert_s3_error(
        s3.upload_part()
            .bucket("mperr")
            .key("obj")
            .upload_id("no-such-upload-id")
            .part_number(1)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "NoSuchUpload",
        404,
    );
    let uploads = s3
        .list_multipart_uploads()
        .bucket("mperr")
        .send()
        .await
        .expect("list uploads");
    assert!(uploads.uploads().is_empty(), "{:?}", uploads.uploads());
    assert_eq!(list_all_keys(&s3, "mperr").await, vec!["obj".to_string()]);
}

#[tokio::test]
async fn upload_part_copy_takes_a_byte_range_of_an_existing_object() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "part-copy").await;
    let source = random_bytes(41, 6 * MIB + 7);
    put(&s3, "part-copy", "source", &source).await;
    let tail = random_bytes(42, 1000);

    let id = create_upload(&s3, "part-copy", "assembled").await;
    let (first, last) = (MIB + 3, 6 * MIB + 2); // 5 MiB, off stripe boundaries
    let copied = s3
        .upload_part_copy()
        .bucket("part-copy")
        .key("assembled")
        .upload_id(&id)
        .part_number(1)
        .copy_source("part-copy/source")
        .copy_source_range(format!("bytes={first}-{last}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("UploadPartCopy: {}", DisplayErrorContext(&e)));
    let range = &source[first..=last];
    let copy_etag = copied
        .copy_part_result()
        .and_then(|r| r.e_tag())
        .expect("CopyPartResult ETag")
        .to_string();
    assert_eq!(copy_etag, etag_of(range));
    let tail_etag = upload_part(&s3, "part-copy", "assembled", &id, 2, &tail).await;

    let done = s3
        .complete_multipart_upload()
        .bucket("part-copy")
        .key("assembled")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &copy_etag), (2, &tail_etag)]))
        .send()
        .await
        .unwrap_or_else(|e| panic!("complete: {}", DisplayErrorContext(&e)));
    assert_eq!(
        done.e_tag(),
        Some(multipart_etag(&[range, &tail[..]]).as_str())
    );
    let whole = [range, &tail[..]].concat();
    assert_object(&s3, "part-copy", "assembled", &whole).await;

    // A range past the end of the source is refused (S3 answers
    // InvalidArgument 400 or InvalidRange 416 depending on the case).
    let id = create_upload(&s3, "part-copy", "bad-range").await;
    let err = s3
        .upload_part_copy()
        .bucket("part-copy")
        .key("bad-range")
        .upload_id(&id)
        .part_number(1)
        .copy_source("part-copy/source")
        .copy_source_range(format!("bytes=0-{}", source.len()))
        .send()
        .await
        .expect_err("a copy range past the source");
    let (code, status) = (error_code(&err), error_status(&err));
    assert!(
        matches!(
            (code.as_deref(), status),
            (Some("InvalidArgument"), Some(400)) | (Some("InvalidRange"), Some(416))
        ),
        "copy range past the source: {}",
        DisplayErrorContext(&err)
    );
}

#[tokio::test]
async fn a_100_mib_object_in_13_multipart_parts_round_trips() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "mpbig").await;
    let id = create_upload(&s3, "mpbig", "100mib").await;
    // 12 parts of 8 MiB and one of 4 MiB: 100 MiB.
    let sizes: Vec<usize> = (0..12).map(|_| 8 * MIB).chain([4 * MIB]).collect();
    let mut sha = Sha256::new();
    let mut digests = Vec::new();
    let mut parts = Vec::new();
    let mut boundary = Vec::new(); // last 3 bytes of part 1, first 3 of part 2
    for (i, &size) in sizes.iter().enumerate() {
        let data = random_bytes(500 + i as u64, size);
        sha.update(&data);
        digests.push(<[u8; 16]>::from(Md5::digest(&data)));
        match i {
            0 => boundary.extend_from_slice(&data[size - 3..]),
            1 => boundary.extend_from_slice(&data[..3]),
            _ => {}
        }
        let etag = upload_part(&s3, "mpbig", "100mib", &id, i as i32 + 1, &data).await;
        parts.push((i as i32 + 1, etag));
    }
    let list: Vec<(i32, &str)> = parts.iter().map(|(n, e)| (*n, e.as_str())).collect();
    let done = s3
        .complete_multipart_upload()
        .bucket("mpbig")
        .key("100mib")
        .upload_id(&id)
        .multipart_upload(completed(&list))
        .send()
        .await
        .unwrap_or_else(|e| panic!("complete: {}", DisplayErrorContext(&e)));
    let etag = multipart_etag_from_digests(&digests);
    assert_eq!(done.e_tag(), Some(etag.as_str()));

    let total = 100 * MIB;
    let got = s3
        .get_object()
        .bucket("mpbig")
        .key("100mib")
        .send()
        .await
        .expect("get");
    assert_eq!(got.content_length(), Some(total as i64));
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    let (len, digest) = body_digest(got.body).await.expect("read 100 MiB");
    assert_eq!((len, digest), (total as u64, hex::encode(sha.finalize())));

    let (bytes, range) = get_range(
        &s3,
        "mpbig",
        "100mib",
        &format!("bytes={}-{}", 8 * MIB - 3, 8 * MIB + 2),
    )
    .await;
    assert_eq!(
        range,
        format!("bytes {}-{}/{total}", 8 * MIB - 3, 8 * MIB + 2)
    );
    assert_eq!(bytes, boundary);
}

// ---------------------------------------------------------------------------
// Auth

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

// ---------------------------------------------------------------------------
// Restart and damage

#[tokio::test]
async fn objects_buckets_and_uploads_survive_kill_9_and_restart() {
    let mut store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "persist").await;
    create_bucket(&s3, "persist-empty").await;
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, size) in [0, 1, MIB + 1, 5 * MIB + 7].into_iter().enumerate() {
        let key = format!("obj-{size}");
        let data = random_bytes(60 + i as u64, size);
        put(&s3, "persist", &key, &data).await;
        objects.push((key, data));
    }
    s3.put_object()
        .bucket("persist")
        .key("with-meta")
        .content_type("text/csv")
        .metadata("keep", "me")
        .body(ByteStream::from_static(b"a,b\n1,2\n"))
        .send()
        .await
        .expect("put with metadata");
    objects.push(("with-meta".into(), b"a,b\n1,2\n".to_vec()));
    put(&s3, "persist", "overwritten", b"old").await;
    let newest = random_bytes(66, MIB + 17);
    put(&s3, "persist", "overwritten", &newest).await;
    objects.push(("overwritten".into(), newest));
    put(&s3, "persist", "deleted", b"gone soon").await;
    s3.delete_object()
        .bucket("persist")
        .key("deleted")
        .send()
        .await
        .expect("delete");

    let mp_parts = [random_bytes(67, 5 * MIB), random_bytes(68, 2 * MIB + 1)];
    let id = create_upload(&s3, "persist", "multipart").await;
    let e1 = upload_part(&s3, "persist", "multipart", &id, 1, &mp_parts[0]).await;
    let e2 = upload_part(&s3, "persist", "multipart", &id, 2, &mp_parts[1]).await;
    s3.complete_multipart_upload()
        .bucket("persist")
        .key("multipart")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1), (2, &e2)]))
        .send()
        .await
        .expect("complete");
    objects.push(("multipart".into(), mp_parts.concat()));

    // An upload in progress across the restart.
    let pending_parts = [random_bytes(69, 5 * MIB), random_bytes(70, 100)];
    let pending = create_upload(&s3, "persist", "pending").await;
    let p1 = upload_part(&s3, "persist", "pending", &pending, 1, &pending_parts[0]).await;

    drop(s3);
    store.restart(); // SIGKILL, then start on the same data
    let s3 = store.client();

    let buckets: BTreeSet<String> = s3
        .list_buckets()
        .send()
        .await
        .expect("list buckets")
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_string))
        .collect();
    assert_eq!(
        buckets,
        BTreeSet::from(["persist".to_string(), "persist-empty".to_string()])
    );
    for (key, data) in &objects {
        assert_object(&s3, "persist", key, data).await;
        let head = s3
            .head_object()
            .bucket("persist")
            .key(key)
            .send()
            .await
            .expect("head");
        if key == "multipart" {
            assert_eq!(head.e_tag(), Some(multipart_etag(&mp_parts).as_str()));
        } else {
            assert_eq!(head.e_tag(), Some(etag_of(data).as_str()), "{key}");
        }
    }
    let head = s3
        .head_object()
        .bucket("persist")
        .key("with-meta")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_type(), Some("text/csv"));
    assert_eq!(head.metadata(), Some(&metadata(&[("keep", "me")])));
    assert_s3_error(
        s3.get_object()
            .bucket("persist")
            .key("deleted")
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    let keys: BTreeSet<String> = list_all_keys(&s3, "persist").await.into_iter().collect();
    let want: BTreeSet<String> = objects.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(keys, want);

    // The pending upload goes on.
    let uploads = s3
        .list_multipart_uploads()
        .bucket("persist")
        .send()
        .await
        .expect("uploads");
    assert!(uploads
        .uploads()
        .iter()
        .any(|u| u.upload_id() == Some(pending.as_str())));
    let p2 = upload_part(&s3, "persist", "pending", &pending, 2, &pending_parts[1]).await;
    s3.complete_multipart_upload()
        .bucket("persist")
        .key("pending")
        .upload_id(&pending)
        .multipart_upload(completed(&[(1, &p1), (2, &p2)]))
        .send()
        .await
        .expect("complete after restart");
    assert_object(&s3, "persist", "pending", &pending_parts.concat()).await;

    // And the store takes new writes.
    let fresh = random_bytes(71, 3 * MIB);
    put(&s3, "persist", "after-restart", &fresh).await;
    assert_object(&s3, "persist", "after-restart", &fresh).await;
}

#[test]
fn corrupt_segments_changes_every_window_that_holds_data_and_nothing_else() {
    use std::os::unix::fs::FileExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let wal = dir.path().join("wal");
    fs::create_dir_all(&wal).expect("wal dir");
    let path = wal.join("00000001.seg");
    let file = fs::File::create(&path).expect("segment");
    file.set_len(4 * MIB as u64).expect("preallocate");
    // Data in windows 0..=3 (200 KiB) and at the start of the window at 1 MiB.
    file.write_all_at(&random_bytes(1, 200 * 1024), 0)
        .expect("write");
    file.write_all_at(b"0123456789", MIB as u64).expect("write");
    drop(file);
    fs::write(wal.join("notes.txt"), b"not a segment").expect("write");
    let before = fs::read(&path).expect("read");

    assert_eq!(corrupt_segments(dir.path()), 5);

    let after = fs::read(&path).expect("read");
    assert_eq!(after.len(), before.len());
    let changed: Vec<usize> = (0..after.len())
        .filter(|&i| after[i] != before[i])
        .collect();
    let window_starts = [0, 64 << 10, 128 << 10, 192 << 10, MIB];
    let expected: Vec<usize> = window_starts
        .iter()
        .flat_map(|w| (w + (37 << 10))..(w + (37 << 10) + 64))
        .collect();
    assert_eq!(changed, expected);
    assert_eq!(
        fs::read(wal.join("notes.txt")).expect("read"),
        b"not a segment"
    );
}

/// GET of a whole object: its bytes, or a description of the failure
/// (asserting a failure that got an HTTP answer got a 5xx).
async fn try_get(s3: &Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    let fetch = async {
        let out = match s3.get_object().bucket(bucket).key(key).send().await {
            Ok(out) => out,
            Err(err) => {
                let context = DisplayErrorContext(&err).to_string();
                if let Some(status) = err.raw_response().map(|r| r.status().as_u16()) {
                    assert!(
                        status >= 500,
                        "GET {key} failed with {status}, not 5xx: {context}"
                    );
                }
                return Err(context);
            }
        };
        out.body
            .collect()
            .await
            .map(|b| b.into_bytes().to_vec())
            .map_err(|e| format!("body broke off: {e:?}"))
    };
    tokio::time::timeout(Duration::from_secs(90), fetch)
        .await
        .unwrap_or_else(|_| panic!("GET {key} hung for 90 s instead of failing"))
}

#[tokio::test]
async fn one_lost_or_corrupt_volume_loses_nothing_and_two_never_return_wrong_bytes() {
    let mut store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "durable").await;
    let sizes = [
        0,
        1,
        1000,
        MIB - 1,
        MIB + 1,
        2 * MIB + 3,
        7 * MIB + 13,
        24 * MIB,
    ];
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let key = format!("obj-{size}");
        let data = random_bytes(80 + i as u64, size);
        put(&s3, "durable", &key, &data).await;
        objects.push((key, data));
    }
    let mp_parts = [random_bytes(90, 5 * MIB), random_bytes(91, 3 * MIB + 1)];
    let id = create_upload(&s3, "durable", "multipart").await;
    let e1 = upload_part(&s3, "durable", "multipart", &id, 1, &mp_parts[0]).await;
    let e2 = upload_part(&s3, "durable", "multipart", &id, 2, &mp_parts[1]).await;
    s3.complete_multipart_upload()
        .bucket("durable")
        .key("multipart")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1), (2, &e2)]))
        .send()
        .await
        .expect("complete");
    objects.push(("multipart".into(), mp_parts.concat()));
    // Objects of more than two stripes must fail once two volumes are bad.
    let large = |data: &[u8]| data.len() > 2 * STRIPE;
    drop(s3);

    let vol1 = store.data_dir().join("vol1");
    let vol2 = store.data_dir().join("vol2");

    async fn verify_all(store: &StoreProcess, objects: &[(String, Vec<u8>)], when: &str) {
        let s3 = store.client_unverified();
        for (key, data) in objects {
            let got = try_get(&s3, "durable", key)
                .await
                .unwrap_or_else(|e| panic!("{when}: GET {key} failed: {e}"));
            assert_same_bytes(&got, data, &format!("{when}: {key}"));
        }
        // A ranged read across a stripe boundary needs reconstruction too.
        let key = format!("obj-{}", 7 * MIB + 13);
        let big = &objects
            .iter()
            .find(|(k, _)| *k == key)
            .expect("7 MiB object")
            .1;
        let range = format!("bytes={}-{}", 3 * MIB - 7, 3 * MIB + 6);
        let (bytes, _) = get_range(&s3, "durable", &key, &range).await;
        assert_same_bytes(
            &bytes,
            &big[3 * MIB - 7..=3 * MIB + 6],
            &format!("{when}: range"),
        );
    }

    // 1. Garbage in the middle of every data region of vol1's segments.
    store.kill();
    assert!(
        !segment_files(&vol1).is_empty(),
        "no segment files under {}",
        vol1.display()
    );
    let damaged = corrupt_segments(&vol1);
    assert!(damaged >= 10, "only {damaged} windows of vol1 damaged");
    store.restart();
    verify_all(&store, &objects, "vol1 corrupted").await;

    // 2. vol1 gone altogether.
    store.kill();
    fs::remove_dir_all(&vol1).expect("remove vol1");
    store.restart();
    verify_all(&store, &objects, "vol1 deleted").await;
    // It still takes writes.
    let s3 = store.client();
    let fresh = random_bytes(92, 2 * MIB + 3);
    put(&s3, "durable", "written-degraded", &fresh).await;
    assert_object(&s3, "durable", "written-degraded", &fresh).await;
    drop(s3);

    // 3. vol1 gone and vol2 corrupted: one good shard of two needed.
    store.kill();
    let _ = fs::remove_dir_all(&vol1);
    let damaged = corrupt_segments(&vol2);
    assert!(damaged >= 10, "only {damaged} windows of vol2 damaged");
    store.restart();
    let s3 = store.client_unverified();
    let mut failed = Vec::new();
    let mut all = objects.clone();
    all.push(("written-degraded".to_string(), fresh));
    for (key, data) in &all {
        match try_get(&s3, "durable", key).await {
            Ok(bytes) => {
                assert_same_bytes(&bytes, data, &format!("two volumes bad: {key} returned"));
                assert!(
                    !large(data) || key == "written-degraded",
                    "{key} ({} bytes) read back with two of three volumes bad",
                    data.len()
                );
            }
            Err(_) => failed.push(key.clone()),
        }
    }
    for (key, data) in &objects {
        if large(data) {
            assert!(failed.contains(key), "{key} did not fail");
        }
    }
}
