//! Multipart uploads: list, complete, refuse bad parts, abort, UploadPartCopy, a 100 MiB upload.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use md5::{Digest, Md5};
use sha2::Sha256;

use super::{assert_same_bytes, completed, create_bucket, create_upload, upload_part};
use crate::common::s3::*;

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
