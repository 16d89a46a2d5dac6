//! Flexible checksums (CRC32, CRC32C, SHA-1, SHA-256, CRC64NVME).

use std::fs;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode};
use md5::{Digest, Md5};
use sha1::Sha1;
use sha2::Sha256;

use super::{assert_same_bytes, create_bucket};
use crate::common::s3::*;

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
