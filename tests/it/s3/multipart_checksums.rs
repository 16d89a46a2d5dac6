//! Multipart uploads with a checksum algorithm (AWS's composite and
//! full-object checksums), CompleteMultipartUpload sent twice, and a part
//! listed twice. Expected values are computed here, independently of the
//! server's code.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumAlgorithm, ChecksumMode, ChecksumType, CompletedMultipartUpload, CompletedPart,
    ObjectAttributes,
};
use aws_sdk_s3::Client;
use sha2::{Digest, Sha256};

use super::{completed, create_bucket, upload_part};
use crate::common::s3::*;

const PART: usize = 5 << 20;

async fn create(
    s3: &Client,
    key: &str,
    algorithm: ChecksumAlgorithm,
    kind: Option<ChecksumType>,
) -> String {
    let out = s3
        .create_multipart_upload()
        .bucket("mpck")
        .key(key)
        .checksum_algorithm(algorithm.clone())
        .set_checksum_type(kind)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create {key}: {}", DisplayErrorContext(&e)));
    assert_eq!(out.checksum_algorithm(), Some(&algorithm));
    out.upload_id().expect("UploadId").to_string()
}

/// Uploads a part with the SDK computing `algorithm`; its ETag and checksum.
async fn part(
    s3: &Client,
    (key, id): (&str, &str),
    number: i32,
    algorithm: ChecksumAlgorithm,
    data: &[u8],
) -> (String, Option<String>) {
    let out = s3
        .upload_part()
        .bucket("mpck")
        .key(key)
        .upload_id(id)
        .part_number(number)
        .checksum_algorithm(algorithm)
        .body(ByteStream::from(data.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("part {number}: {}", DisplayErrorContext(&e)));
    let checksum = out
        .checksum_sha256()
        .or(out.checksum_crc32())
        .map(str::to_string);
    (out.e_tag().unwrap_or_default().to_string(), checksum)
}

#[tokio::test]
async fn composite_and_full_object_checksums_as_aws_computes_them() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "mpck").await;
    let (one, two) = (random_bytes(61, PART), random_bytes(62, 3000));

    // SHA-256, composite: the SHA-256 of the parts' SHA-256s, "-2".
    let id = create(&s3, "sha", ChecksumAlgorithm::Sha256, None).await;
    let sha = |d: &[u8]| Sha256::digest(d).to_vec();
    let (e1, c1) = part(&s3, ("sha", &id), 1, ChecksumAlgorithm::Sha256, &one).await;
    let (e2, c2) = part(&s3, ("sha", &id), 2, ChecksumAlgorithm::Sha256, &two).await;
    assert_eq!(c1.as_deref(), Some(b64(&sha(&one)).as_str()));
    let composite = format!("{}-2", b64(&sha(&[sha(&one), sha(&two)].concat())));
    let listed = CompletedMultipartUpload::builder()
        .parts(
            CompletedPart::builder()
                .part_number(1)
                .e_tag(&e1)
                .checksum_sha256(c1.clone().unwrap_or_default())
                .build(),
        )
        .parts(
            CompletedPart::builder()
                .part_number(2)
                .e_tag(&e2)
                .checksum_sha256(c2.unwrap_or_default())
                .build(),
        )
        .build();
    let complete = || {
        s3.complete_multipart_upload()
            .bucket("mpck")
            .key("sha")
            .upload_id(&id)
            .multipart_upload(listed.clone())
    };
    assert_s3_error(
        complete().checksum_sha256(b64(&sha(b"other"))).send().await,
        "BadDigest",
        400,
    );
    let done = complete().send().await.expect("complete");
    assert_eq!(done.checksum_sha256(), Some(composite.as_str()));
    assert_eq!(done.checksum_type(), Some(&ChecksumType::Composite));
    // Sent again (a lost answer): the same result.
    let again = complete().send().await.expect("complete again");
    assert_eq!(
        (again.e_tag(), again.checksum_sha256()),
        (done.e_tag(), done.checksum_sha256())
    );

    let head = s3
        .head_object()
        .bucket("mpck")
        .key("sha")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("head");
    assert_eq!(head.checksum_sha256(), Some(composite.as_str()));
    assert_eq!(head.checksum_type(), Some(&ChecksumType::Composite));
    let first = s3
        .get_object()
        .bucket("mpck")
        .key("sha")
        .part_number(1)
        .send()
        .await
        .expect("GET part 1");
    assert_eq!(first.checksum_sha256(), c1.as_deref());
    assert_s3_error(
        s3.get_object()
            .bucket("mpck")
            .key("sha")
            .part_number(3)
            .send()
            .await,
        "InvalidPart",
        400,
    );
    let attributes = s3
        .get_object_attributes()
        .bucket("mpck")
        .key("sha")
        .object_attributes(ObjectAttributes::ObjectParts)
        .object_attributes(ObjectAttributes::Checksum)
        .send()
        .await
        .expect("attributes");
    let parts = attributes
        .object_parts()
        .map(|p| p.parts())
        .unwrap_or_default();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].checksum_sha256(), c1.as_deref());
    assert_eq!(
        attributes.checksum().and_then(|c| c.checksum_sha256()),
        Some(composite.as_str())
    );

    // CRC32, full object: the CRC32 of all the data.
    let id = create(
        &s3,
        "crc",
        ChecksumAlgorithm::Crc32,
        Some(ChecksumType::FullObject),
    )
    .await;
    let (e1, _) = part(&s3, ("crc", &id), 1, ChecksumAlgorithm::Crc32, &one).await;
    let (e2, _) = part(&s3, ("crc", &id), 2, ChecksumAlgorithm::Crc32, &two).await;
    let done = s3
        .complete_multipart_upload()
        .bucket("mpck")
        .key("crc")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1), (2, &e2)]))
        .send()
        .await
        .expect("complete");
    let whole = [one.as_slice(), two.as_slice()].concat();
    assert_eq!(
        done.checksum_crc32(),
        Some(b64(&crc32(&whole).to_be_bytes()).as_str())
    );
    assert_eq!(done.checksum_type(), Some(&ChecksumType::FullObject));
    assert_object(&s3, "mpck", "crc", &whole).await;

    // A part must carry the upload's algorithm.
    let id = create(&s3, "mixed", ChecksumAlgorithm::Sha256, None).await;
    assert_s3_error(
        s3.upload_part()
            .bucket("mpck")
            .key("mixed")
            .upload_id(&id)
            .part_number(1)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from_static(b"data"))
            .send()
            .await,
        "InvalidRequest",
        400,
    );
}

#[tokio::test]
async fn a_part_listed_twice_counts_once_by_its_last_entry() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "mpck").await;
    let id = s3
        .create_multipart_upload()
        .bucket("mpck")
        .key("twice")
        .send()
        .await
        .expect("create")
        .upload_id()
        .unwrap_or_default()
        .to_string();
    let (old, new) = (random_bytes(71, 2000), random_bytes(72, 2000));
    let first = upload_part(&s3, "mpck", "twice", &id, 1, &old).await;
    let second = upload_part(&s3, "mpck", "twice", &id, 1, &new).await;
    s3.complete_multipart_upload()
        .bucket("mpck")
        .key("twice")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &first), (1, &second)]))
        .send()
        .await
        .expect("complete with part 1 listed twice");
    assert_object(&s3, "mpck", "twice", &new).await;
}
