//! Bucket quotas: set and cleared through the admin API and CLI; a PUT,
//! CopyObject, UploadPart or CompleteMultipartUpload that would take a
//! bucket past its bytes or objects is refused with `QuotaExceeded` (403)
//! and leaves nothing behind, deletes never are, and each refusal is
//! counted; and a bucket's usage is exactly what its listings add up to
//! (every version that is not a delete marker, every part of its uploads
//! in progress) after a workload of overwrites, deletes, copies, versions,
//! markers and uploads completed, abandoned and aborted.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, Delete, ObjectIdentifier};
use aws_sdk_s3::Client;

use super::versioning::{delete_version, put_version, set_versioning};
use super::{completed, create_bucket, create_upload, upload_part};
use std::time::Duration;

use crate::common::heal::{metric, wait_for};
use crate::common::lifecycle::*;
use crate::common::s3::*;

fn quota_store() -> StoreProcess {
    StoreProcess::start(&[("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN)])
}

/// A PUT of `len` bytes that must be refused with `QuotaExceeded`, and
/// leave no object behind.
async fn refused_put(s3: &Client, bucket: &str, key: &str, len: usize) {
    assert_s3_error(
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(random_bytes(len as u64, len)))
            .send()
            .await,
        "QuotaExceeded",
        403,
    );
    assert_gone(s3, bucket, key).await;
}

#[tokio::test]
async fn a_byte_quota_refuses_the_write_that_would_cross_it_and_keeps_none_of_it() {
    let store = quota_store();
    let addr = store.addr();
    let s3 = store.client();
    create_bucket(&s3, "capped").await;

    let set = admin_cli(
        addr,
        &["bucket", "quota", "set", "capped", "--max-bytes", "10000"],
    );
    assert_eq!(set["quota"]["max_bytes"], 10_000, "{set}");
    assert!(set["quota"]["max_objects"].is_null(), "{set}");

    let a = random_bytes(1, 6000);
    put(&s3, "capped", "a", &a).await;
    refused_put(&s3, "capped", "b", 5000).await;
    assert_eq!(usage(addr, "capped"), (6000, 1));
    // An overwrite adds only the difference; the limit itself is allowed.
    let a = random_bytes(2, 9000);
    put(&s3, "capped", "a", &a).await;
    put(&s3, "capped", "c", &random_bytes(3, 1000)).await;
    assert_eq!(usage(addr, "capped"), (10_000, 2));
    refused_put(&s3, "capped", "d", 1).await;
    // The refused copy leaves no shard behind either: the store holds as
    // many as before it (shards written for it are dropped at once).
    let shards_before = metric(addr, "predastore_shards_stored");
    assert!(shards_before.is_some_and(|n| n > 0.0), "{shards_before:?}");
    assert_s3_error(
        s3.copy_object()
            .bucket("capped")
            .key("a-copy")
            .copy_source("capped/a")
            .send()
            .await,
        "QuotaExceeded",
        403,
    );
    assert_gone(&s3, "capped", "a-copy").await;
    wait_for(
        "the refused copy's shards dropped",
        Duration::from_secs(30),
        |note| {
            let now = metric(addr, "predastore_shards_stored");
            *note = format!("{now:?} shards, {shards_before:?} before the copy");
            (now == shards_before).then_some(())
        },
    )
    .await;

    // Deletes are never refused; parts count as they are uploaded.
    s3.delete_object()
        .bucket("capped")
        .key("c")
        .send()
        .await
        .expect("DELETE under a full quota");
    let id = create_upload(&s3, "capped", "mp").await;
    let part = random_bytes(4, 1000);
    let etag = upload_part(&s3, "capped", "mp", &id, 1, &part).await;
    assert_s3_error(
        s3.upload_part()
            .bucket("capped")
            .key("mp")
            .upload_id(&id)
            .part_number(2)
            .body(ByteStream::from(random_bytes(5, 10)))
            .send()
            .await,
        "QuotaExceeded",
        403,
    );
    assert_eq!(part_sizes(&s3, "capped", "mp", &id).await, [1000]);
    assert_eq!(usage(addr, "capped"), (10_000, 1));
    // Completing moves the part's bytes into an object: nothing added.
    s3.complete_multipart_upload()
        .bucket("capped")
        .key("mp")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &etag)]))
        .send()
        .await
        .expect("CompleteMultipartUpload at the limit");
    assert_object(&s3, "capped", "mp", &part).await;
    assert_eq!(usage(addr, "capped"), (10_000, 2));
    assert_eq!(
        metric_or_zero(addr, QUOTA_REFUSALS),
        4.0,
        "refusals counted"
    );

    // A quota below the usage is taken, and holds the bucket where it is.
    let lower = set_quota(addr, "capped", Some(500), None);
    assert_eq!(lower["usage"]["bytes"], 10_000, "{lower}");
    refused_put(&s3, "capped", "e", 1).await;
    s3.delete_object()
        .bucket("capped")
        .key("a")
        .send()
        .await
        .expect("DELETE over the quota");
    refused_put(&s3, "capped", "e", 1).await;

    let cleared = admin_cli(addr, &["bucket", "quota", "clear", "capped"]);
    assert!(cleared["quota"]["max_bytes"].is_null(), "{cleared}");
    let big = random_bytes(6, 50_000);
    put(&s3, "capped", "big", &big).await;
    assert_object(&s3, "capped", "big", &big).await;
    let info = bucket_info(addr, "capped");
    assert!(info["quota"]["max_bytes"].is_null(), "{info}");
    assert_eq!(info["usage"]["bytes"], 51_000, "{info}");
    assert_eq!(
        metric_or_zero(addr, QUOTA_REFUSALS),
        6.0,
        "refusals counted"
    );
}

#[tokio::test]
async fn an_object_quota_counts_versions_but_not_delete_markers() {
    let store = quota_store();
    let addr = store.addr();
    let s3 = store.client();

    // Unversioned: an overwrite is no new object.
    create_bucket(&s3, "flat").await;
    set_quota(addr, "flat", None, Some(2));
    put(&s3, "flat", "a", b"one").await;
    put(&s3, "flat", "b", b"two").await;
    put(&s3, "flat", "a", b"one again").await;
    refused_put(&s3, "flat", "c", 3).await;
    assert_eq!(usage(addr, "flat"), (12, 2));

    // Versioned: every version counts, a delete marker does not.
    create_bucket(&s3, "counted").await;
    set_versioning(&s3, "counted", BucketVersioningStatus::Enabled).await;
    set_quota(addr, "counted", None, Some(3));
    let k1 = put_version(&s3, "counted", "k", b"k1").await;
    put_version(&s3, "counted", "k", b"k2").await;
    put_version(&s3, "counted", "j", b"j1").await;
    assert_s3_error(
        s3.put_object()
            .bucket("counted")
            .key("k")
            .body(ByteStream::from_static(b"k3"))
            .send()
            .await,
        "QuotaExceeded",
        403,
    );
    assert_object(&s3, "counted", "k", b"k2").await;
    s3.delete_object()
        .bucket("counted")
        .key("k")
        .send()
        .await
        .expect("DELETE (a marker) at the limit");
    assert_eq!(usage(addr, "counted"), (6, 3));
    refused_put(&s3, "counted", "x", 1).await;

    // Parts add no object; completing the upload would.
    let id = create_upload(&s3, "counted", "mp").await;
    let part = random_bytes(7, 2000);
    let etag = upload_part(&s3, "counted", "mp", &id, 1, &part).await;
    assert_s3_error(
        s3.complete_multipart_upload()
            .bucket("counted")
            .key("mp")
            .upload_id(&id)
            .multipart_upload(completed(&[(1, &etag)]))
            .send()
            .await,
        "QuotaExceeded",
        403,
    );
    assert_eq!(
        uploads(&s3, "counted").await,
        [("mp".to_string(), id.clone())],
        "the refused completion leaves the upload"
    );
    assert_gone(&s3, "counted", "mp").await;

    delete_version(&s3, "counted", "k", &k1).await;
    s3.complete_multipart_upload()
        .bucket("counted")
        .key("mp")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &etag)]))
        .send()
        .await
        .expect("CompleteMultipartUpload after a version was deleted");
    assert_object(&s3, "counted", "mp", &part).await;
    refused_put(&s3, "counted", "x", 1).await;

    let (status, answer) = crate::common::admin::admin(
        addr,
        "DELETE",
        "/buckets/counted/quota",
        Some(ADMIN_TOKEN),
        "",
    );
    assert_eq!(status, 200, "{answer}");
    put_version(&s3, "counted", "x", b"x").await;
    assert_eq!(usage(addr, "counted"), (2 + 2 + 2000 + 1, 4));
    assert_eq!(usage(addr, "counted"), listed_usage(&s3, "counted").await);
}

#[tokio::test]
async fn usage_is_what_the_listings_add_up_to_after_a_mixed_workload() {
    let store = quota_store();
    let addr = store.addr();
    let s3 = store.client();

    // Unversioned, under a quota it never reaches (so writes take the
    // quota's path).
    create_bucket(&s3, "mix").await;
    set_quota(addr, "mix", Some(1 << 40), Some(1 << 20));
    put(&s3, "mix", "a", &random_bytes(1, 1000)).await;
    put(&s3, "mix", "b", &random_bytes(2, 2000)).await;
    put(&s3, "mix", "c", &random_bytes(3, 3000)).await;
    put(&s3, "mix", "a", &random_bytes(4, 1500)).await;
    s3.delete_object()
        .bucket("mix")
        .key("b")
        .send()
        .await
        .expect("DELETE b");
    s3.delete_object()
        .bucket("mix")
        .key("nope")
        .send()
        .await
        .expect("DELETE of nothing");
    s3.copy_object()
        .bucket("mix")
        .key("c2")
        .copy_source("mix/c")
        .send()
        .await
        .expect("CopyObject");
    s3.copy_object()
        .bucket("mix")
        .key("c2")
        .copy_source("mix/a")
        .send()
        .await
        .expect("CopyObject over c2");
    // Completed with parts 1 and 3: part 2 was uploaded for nothing.
    let id = create_upload(&s3, "mix", "mp").await;
    let p1 = random_bytes(5, 5 * MIB);
    let e1 = upload_part(&s3, "mix", "mp", &id, 1, &p1).await;
    upload_part(&s3, "mix", "mp", &id, 2, &random_bytes(6, 1000)).await;
    let e3 = upload_part(&s3, "mix", "mp", &id, 3, &random_bytes(7, 3000)).await;
    s3.complete_multipart_upload()
        .bucket("mix")
        .key("mp")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1), (3, &e3)]))
        .send()
        .await
        .expect("CompleteMultipartUpload");
    // In progress, a part uploaded twice.
    let open = create_upload(&s3, "mix", "open").await;
    upload_part(&s3, "mix", "open", &open, 1, &random_bytes(8, 4000)).await;
    upload_part(&s3, "mix", "open", &open, 2, &random_bytes(9, 5000)).await;
    upload_part(&s3, "mix", "open", &open, 2, &random_bytes(10, 6000)).await;
    // Aborted.
    let gone = create_upload(&s3, "mix", "gone").await;
    upload_part(&s3, "mix", "gone", &gone, 1, &random_bytes(11, 7000)).await;
    s3.abort_multipart_upload()
        .bucket("mix")
        .key("gone")
        .upload_id(&gone)
        .send()
        .await
        .expect("AbortMultipartUpload");
    put(&s3, "mix", "d", &random_bytes(12, 800)).await;
    let objects = |keys: &[&str]| {
        Delete::builder()
            .set_objects(Some(
                keys.iter()
                    .map(|k| ObjectIdentifier::builder().key(*k).build().expect("id"))
                    .collect(),
            ))
            .build()
            .expect("Delete")
    };
    s3.delete_objects()
        .bucket("mix")
        .delete(objects(&["d", "missing"]))
        .send()
        .await
        .expect("DeleteObjects");
    let mix = usage(addr, "mix");
    assert_eq!(
        mix,
        (
            (1500 + 3000 + 1500 + 5 * MIB + 3000 + 4000 + 6000) as u64,
            4
        ),
        "a, c, c2, mp and the open upload's parts"
    );
    assert_eq!(mix, listed_usage(&s3, "mix").await);

    // Versioned: versions, markers, versions deleted by id, a lone
    // marker, an old version restored by copy, an upload in progress.
    create_bucket(&s3, "mixv").await;
    set_versioning(&s3, "mixv", BucketVersioningStatus::Enabled).await;
    let k1 = put_version(&s3, "mixv", "k", &random_bytes(20, 100)).await;
    put_version(&s3, "mixv", "k", &random_bytes(21, 200)).await;
    let k3 = put_version(&s3, "mixv", "k", &random_bytes(22, 300)).await;
    s3.delete_object()
        .bucket("mixv")
        .key("k")
        .send()
        .await
        .expect("marker on k");
    let j1 = put_version(&s3, "mixv", "j", &random_bytes(23, 400)).await;
    delete_version(&s3, "mixv", "j", &j1).await;
    s3.delete_object()
        .bucket("mixv")
        .key("j")
        .send()
        .await
        .expect("a lone marker");
    delete_version(&s3, "mixv", "k", &k3).await;
    s3.copy_object()
        .bucket("mixv")
        .key("k")
        .copy_source(format!("mixv/k?versionId={k1}"))
        .send()
        .await
        .expect("restore k1 by copy");
    let vopen = create_upload(&s3, "mixv", "upl").await;
    upload_part(&s3, "mixv", "upl", &vopen, 1, &random_bytes(24, 900)).await;
    let mixv = usage(addr, "mixv");
    assert_eq!(
        mixv,
        (100 + 200 + 100 + 900, 3),
        "k1, k2, k1's copy, a part"
    );
    assert_eq!(mixv, listed_usage(&s3, "mixv").await);

    // Everything gone: nothing counted.
    for key in ["a", "c", "c2", "mp"] {
        s3.delete_object()
            .bucket("mix")
            .key(key)
            .send()
            .await
            .expect("DELETE");
    }
    s3.abort_multipart_upload()
        .bucket("mix")
        .key("open")
        .upload_id(&open)
        .send()
        .await
        .expect("AbortMultipartUpload");
    assert_eq!(usage(addr, "mix"), (0, 0));
}
