//! Server-side encryption through the AWS SDK for Rust: SSE-S3, SSE-KMS
//! and SSE-C round trips (inline, sharded and multipart objects, Range
//! GETs across chunk and part borders, copies between modes), wrong and
//! missing keys, bucket default encryption, no plain text of an encrypted
//! object anywhere under the data directory, and a master key rotation
//! with re-wrap after which only the new key is needed.

use std::path::Path;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use aws_sdk_s3::Client;

use super::create_bucket;
use crate::common::lifecycle::{admin_cli, ADMIN_TOKEN as TOKEN};
use crate::common::s3::*;
use crate::common::sse::{get_as, put_as, put_multipart_as, CustomerKey, Mode, SourceCustomerKey};

/// A customer key (SSE-C) and another one.
const KEY_A: [u8; 32] = [0x5a; 32];
const KEY_B: [u8; 32] = [0xa5; 32];

/// A store with the test master keys, SSE-C over plain HTTP, the admin API.
fn store(extra: &[(&str, &str)]) -> StoreProcess {
    let mut env = vec![
        ("PREDASTORE_KMS_KEYS", TEST_KMS_KEYS),
        ("PREDASTORE_SSE_C_ALLOW_HTTP", "true"),
        ("PREDASTORE_ADMIN_TOKEN", TOKEN),
    ];
    env.extend_from_slice(extra);
    StoreProcess::start(&env)
}

/// Reads `data` back whole and by ranges that cross 64 KiB chunk borders
/// (and part borders at `borders`).
async fn assert_reads(
    s3: &Client,
    bucket: &str,
    key: &str,
    data: &[u8],
    mode: Mode,
    borders: &[usize],
) {
    let got = get_as(s3, bucket, key, mode, None).await;
    assert_bytes(&got, data, key);
    let len = data.len();
    let mut ranges = vec![(0, 0), (len - 1, len - 1), (len / 3, len - 1)];
    for b in [65_536usize, 131_072].iter().chain(borders) {
        if *b + 1 < len {
            ranges.push((b - 1, b + 1));
            ranges.push((b - 17, b + 4_000));
        }
    }
    for (first, last) in ranges {
        let range = format!("bytes={first}-{last}");
        let got = get_as(s3, bucket, key, mode, Some(&range)).await;
        assert_bytes(&got, &data[first..=last], &format!("{key} {range}"));
    }
}

fn assert_bytes(got: &[u8], want: &[u8], what: &str) {
    assert_eq!(got.len(), want.len(), "length of {what}");
    assert!(got == want, "bytes of {what} differ");
}

#[tokio::test]
async fn each_mode_round_trips_whole_and_by_range() {
    let store = store(&[]);
    let s3 = store.client();
    create_bucket(&s3, "sse").await;
    let modes = [Mode::S3, Mode::Kms("test-2"), Mode::Customer(KEY_A)];
    for (i, mode) in modes.into_iter().enumerate() {
        // Inline (1 KiB) and sharded (3 stripes and a bit) objects.
        for (n, len) in [(0, 1_000), (1, 3 * MIB + 12_345)] {
            let key = format!("obj-{i}-{n}");
            let data = random_bytes(100 + i as u64 * 10 + n, len);
            let etag = put_as(&s3, "sse", &key, &data, mode).await;
            // SSE-S3's ETag is the MD5 of the data; SSE-KMS's and SSE-C's not.
            let is_md5 = etag == etag_of(&data);
            assert_eq!(is_md5, matches!(mode, Mode::S3), "{mode:?} ETag {etag}");
            assert_reads(&s3, "sse", &key, &data, mode, &[]).await;
        }
        // Multipart: 5 MiB + 2 MiB + 7 parts, ranges across part borders.
        let key = format!("multi-{i}");
        let data = random_bytes(200 + i as u64, 7 * MIB + 7);
        put_multipart_as(&s3, "sse", &key, &data, 5 * MIB, mode).await;
        assert_reads(&s3, "sse", &key, &data, mode, &[5 * MIB]).await;
    }
}

#[tokio::test]
async fn customer_keys_are_needed_checked_and_never_enough_when_wrong() {
    let store = store(&[]);
    let s3 = store.client();
    create_bucket(&s3, "cust").await;
    let data = random_bytes(7, 300_000);
    put_as(&s3, "cust", "secret", &data, Mode::Customer(KEY_A)).await;
    // No key: 400 on GET and HEAD, as AWS.
    let get = s3.get_object().bucket("cust").key("secret").send().await;
    assert_s3_error(get, "InvalidRequest", 400);
    let head = s3.head_object().bucket("cust").key("secret").send().await;
    assert_status(head, 400);
    // Another key: refused, nothing of the object given.
    let wrong = s3
        .get_object()
        .bucket("cust")
        .key("secret")
        .customer_key(KEY_B)
        .send()
        .await;
    assert_s3_error(wrong, "InvalidArgument", 400);
    // A key whose MD5 is not the one sent.
    let mismatch = s3
        .get_object()
        .bucket("cust")
        .key("secret")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(b64(&KEY_A))
        .sse_customer_key_md5(md5_b64(&KEY_B))
        .send()
        .await;
    assert_s3_error(mismatch, "InvalidArgument", 400);
    // With its key, HEAD answers the key's MD5.
    let head = s3
        .head_object()
        .bucket("cust")
        .key("secret")
        .customer_key(KEY_A)
        .send()
        .await
        .expect("head with key");
    assert_eq!(head.sse_customer_key_md5(), Some(md5_b64(&KEY_A).as_str()));
    assert_eq!(head.content_length(), Some(300_000));
    // A read that names a write's encryption is refused; a customer key
    // for an object not encrypted with one too.
    put(&s3, "cust", "plain", b"plain").await;
    let named = s3
        .get_object()
        .bucket("cust")
        .key("plain")
        .customer_key(KEY_A)
        .send()
        .await;
    assert_s3_error(named, "InvalidRequest", 400);
    // SSE-C together with SSE-S3 is a conflict.
    let both = s3
        .put_object()
        .bucket("cust")
        .key("both")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .customer_key(KEY_A)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await;
    assert_s3_error(both, "InvalidArgument", 400);
    // A KMS key nobody configured.
    let unknown = s3
        .put_object()
        .bucket("cust")
        .key("unknown")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("no-such-key")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await;
    assert_s3_error(unknown, "KMS.NotFoundException", 400);
}

#[tokio::test]
async fn customer_keys_need_https_unless_allowed_for_tests() {
    let store = StoreProcess::start(&[("PREDASTORE_KMS_KEYS", TEST_KMS_KEYS)]);
    let s3 = store.client();
    create_bucket(&s3, "https-only").await;
    let put = s3
        .put_object()
        .bucket("https-only")
        .key("k")
        .customer_key(KEY_A)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await;
    assert_s3_error(put, "InvalidRequest", 400);
    // SSE-S3 needs no secret on the wire.
    put_as(&s3, "https-only", "s3", b"fine", Mode::S3).await;
}

#[tokio::test]
async fn copies_move_between_modes() {
    let store = store(&[]);
    let s3 = store.client();
    create_bucket(&s3, "src").await;
    create_bucket(&s3, "dst").await;
    let data = random_bytes(31, 2 * MIB + 99);
    let modes = [Mode::S3, Mode::Kms("test-1"), Mode::Customer(KEY_A)];
    for (i, from) in modes.into_iter().enumerate() {
        let src = format!("src-{i}");
        put_as(&s3, "src", &src, &data, from).await;
        for (j, to) in [Mode::S3, Mode::Kms("test-2"), Mode::Customer(KEY_B)]
            .into_iter()
            .enumerate()
        {
            let dst = format!("dst-{i}-{j}");
            let mut copy = s3
                .copy_object()
                .bucket("dst")
                .key(&dst)
                .copy_source(format!("src/{src}"));
            if let Mode::Customer(k) = from {
                copy = copy.source_customer_key(k);
            }
            copy = match to {
                Mode::S3 => copy.server_side_encryption(ServerSideEncryption::Aes256),
                Mode::Kms(id) => copy
                    .server_side_encryption(ServerSideEncryption::AwsKms)
                    .ssekms_key_id(id),
                Mode::Customer(k) => copy.customer_key(k),
            };
            copy.send()
                .await
                .unwrap_or_else(|e| panic!("copy {from:?} -> {to:?}: {}", DisplayErrorContext(&e)));
            let got = get_as(&s3, "dst", &dst, to, None).await;
            assert_bytes(&got, &data, &dst);
        }
        // A copy to a plain object needs the source's key, then reads
        // without one.
        let mut copy = s3
            .copy_object()
            .bucket("dst")
            .key(format!("plain-{i}"))
            .copy_source(format!("src/{src}"));
        if let Mode::Customer(k) = from {
            let refused = copy.clone().send().await;
            assert_s3_error(refused, "InvalidRequest", 400);
            copy = copy.source_customer_key(k);
        }
        copy.send().await.expect("copy to plain");
        assert_object(&s3, "dst", &format!("plain-{i}"), &data).await;
    }
    // UploadPartCopy from an SSE-C source into an SSE-KMS upload.
    let upload = s3
        .create_multipart_upload()
        .bucket("dst")
        .key("parts")
        .server_side_encryption(ServerSideEncryption::AwsKms)
        .ssekms_key_id("test-2")
        .send()
        .await
        .expect("create");
    let id = upload.upload_id().expect("id").to_string();
    let part = s3
        .upload_part_copy()
        .bucket("dst")
        .key("parts")
        .upload_id(&id)
        .part_number(1)
        .copy_source("src/src-2")
        .source_customer_key(KEY_A)
        .send()
        .await
        .unwrap_or_else(|e| panic!("UploadPartCopy: {}", DisplayErrorContext(&e)));
    assert_eq!(part.ssekms_key_id(), Some("test-2"));
    let etag = part
        .copy_part_result()
        .and_then(|r| r.e_tag())
        .map(str::to_string);
    s3.complete_multipart_upload()
        .bucket("dst")
        .key("parts")
        .upload_id(&id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .set_e_tag(etag)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("complete");
    let got = get_as(&s3, "dst", "parts", Mode::Kms("test-2"), None).await;
    assert_bytes(&got, &data, "parts");
}

#[tokio::test]
async fn a_bucket_default_encrypts_writes_that_name_none() {
    let store = store(&[]);
    let s3 = store.client();
    create_bucket(&s3, "dflt").await;
    let none = s3.get_bucket_encryption().bucket("dflt").send().await;
    assert_s3_error(none, "ServerSideEncryptionConfigurationNotFoundError", 404);
    let rule = |alg: ServerSideEncryption, key: Option<&str>| {
        ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(
                        ServerSideEncryptionByDefault::builder()
                            .sse_algorithm(alg)
                            .set_kms_master_key_id(key.map(str::to_string))
                            .build()
                            .expect("default"),
                    )
                    .build(),
            )
            .build()
            .expect("configuration")
    };
    s3.put_bucket_encryption()
        .bucket("dflt")
        .server_side_encryption_configuration(rule(ServerSideEncryption::AwsKms, Some("test-2")))
        .send()
        .await
        .expect("put encryption");
    let got = s3
        .get_bucket_encryption()
        .bucket("dflt")
        .send()
        .await
        .expect("get");
    let default = got
        .server_side_encryption_configuration()
        .and_then(|c| c.rules().first())
        .and_then(|r| r.apply_server_side_encryption_by_default())
        .expect("a default");
    assert_eq!(default.sse_algorithm(), &ServerSideEncryption::AwsKms);
    assert_eq!(default.kms_master_key_id(), Some("test-2"));
    let out = s3
        .put_object()
        .bucket("dflt")
        .key("k")
        .body(ByteStream::from_static(b"defaulted"))
        .send()
        .await
        .expect("put");
    assert_eq!(out.ssekms_key_id(), Some("test-2"));
    assert_eq!(
        get_as(&s3, "dflt", "k", Mode::Kms("test-2"), None).await,
        b"defaulted"
    );
    // The request's own mode wins over the default.
    put_as(&s3, "dflt", "own", b"own", Mode::S3).await;
    // A default naming a key the store does not hold is refused.
    let bad = s3
        .put_bucket_encryption()
        .bucket("dflt")
        .server_side_encryption_configuration(rule(ServerSideEncryption::AwsKms, Some("nope")))
        .send()
        .await;
    assert_s3_error(bad, "KMS.NotFoundException", 400);
    s3.delete_bucket_encryption()
        .bucket("dflt")
        .send()
        .await
        .expect("delete");
    let gone = s3.get_bucket_encryption().bucket("dflt").send().await;
    assert_s3_error(gone, "ServerSideEncryptionConfigurationNotFoundError", 404);
    let out = s3
        .put_object()
        .bucket("dflt")
        .key("after")
        .body(ByteStream::from_static(b"plain"))
        .send()
        .await
        .expect("put");
    assert_eq!(out.server_side_encryption(), None);
}

/// Files under `dir` holding `pattern`.
fn files_holding(dir: &Path, pattern: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(pattern.len()).any(|w| w == pattern) {
                    found.push(path.display().to_string());
                }
            }
        }
    }
    found
}

/// `len` bytes of a recognizable text that names `tag`.
fn marked(tag: &str, len: usize) -> Vec<u8> {
    let line = format!("PLAINTEXT-MARKER-{tag}-0123456789;");
    line.bytes().cycle().take(len).collect()
}

#[tokio::test]
async fn no_plaintext_of_an_encrypted_object_is_on_disk() {
    let mut store = store(&[]);
    let s3 = store.client();
    create_bucket(&s3, "disk").await;
    let modes = [
        ("s3", Mode::S3),
        ("kms", Mode::Kms("test-1")),
        ("c", Mode::Customer(KEY_A)),
    ];
    for (tag, mode) in modes {
        put_as(&s3, "disk", &format!("{tag}-big"), &marked(tag, MIB), mode).await;
        put_as(
            &s3,
            "disk",
            &format!("{tag}-small"),
            &marked(tag, 1_000),
            mode,
        )
        .await;
    }
    // The control: a plain object's text is found, so the scan sees data.
    put(&s3, "disk", "plain-big", &marked("plain", MIB)).await;
    put(&s3, "disk", "plain-small", &marked("plain", 1_000)).await;
    // Stopped, so everything written is on disk (WAL, fjall, Raft log).
    store.kill();
    let dir = store.data_dir().to_path_buf();
    assert!(
        !files_holding(&dir, b"PLAINTEXT-MARKER-plain-").is_empty(),
        "control not found"
    );
    for (tag, _) in modes {
        let pattern = format!("PLAINTEXT-MARKER-{tag}-");
        let found = files_holding(&dir, pattern.as_bytes());
        assert!(found.is_empty(), "{tag} plain text in {found:?}");
    }
    // And everything still reads after the restart.
    store.restart();
    let s3 = store.client();
    for (tag, mode) in modes {
        let got = get_as(&s3, "disk", &format!("{tag}-small"), mode, None).await;
        assert_bytes(&got, &marked(tag, 1_000), tag);
    }
}

#[tokio::test]
async fn a_rotated_master_key_is_retired_after_rewrap() {
    let one = "test-1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    let mut store = store(&[("PREDASTORE_KMS_KEYS", one)]);
    let s3 = store.client();
    create_bucket(&s3, "rot").await;
    let big = random_bytes(5, MIB + 5);
    put_as(&s3, "rot", "s3", &big, Mode::S3).await;
    put_as(&s3, "rot", "kms", b"kms object", Mode::Kms("test-1")).await;
    put_as(&s3, "rot", "c", b"customer object", Mode::Customer(KEY_A)).await;
    // Rotation: test-2 joins and becomes the default; old objects read.
    store.set_env("PREDASTORE_KMS_KEYS", TEST_KMS_KEYS);
    store.set_env("PREDASTORE_KMS_DEFAULT_KEY", "test-2");
    store.restart();
    let s3 = store.client();
    assert_bytes(&get_as(&s3, "rot", "s3", Mode::S3, None).await, &big, "s3");
    put_as(&s3, "rot", "new", b"new object", Mode::S3).await;
    let out = admin_cli(store.addr(), &["kms", "rewrap"]);
    assert_eq!(out["to"], "test-2", "{out}");
    assert_eq!(out["rewrapped"], 2, "{out}");
    assert_eq!(out["already"], 1, "{out}");
    assert_eq!(out["customer_keys"], 1, "{out}");
    let listed = admin_cli(store.addr(), &["kms", "list"]);
    assert_eq!(listed["default"], "test-2", "{listed}");
    // test-1 retired: everything still reads with test-2 alone.
    store.set_env(
        "PREDASTORE_KMS_KEYS",
        "test-2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=",
    );
    store.set_env("PREDASTORE_KMS_DEFAULT_KEY", "");
    store.restart();
    let s3 = store.client();
    assert_bytes(&get_as(&s3, "rot", "s3", Mode::S3, None).await, &big, "s3");
    assert_eq!(
        get_as(&s3, "rot", "kms", Mode::Kms("test-2"), None).await,
        b"kms object"
    );
    assert_eq!(
        get_as(&s3, "rot", "new", Mode::S3, None).await,
        b"new object"
    );
    assert_eq!(
        get_as(&s3, "rot", "c", Mode::Customer(KEY_A), None).await,
        b"customer object"
    );
}
