//! Buckets: create, list, locate, delete, with S3's errors.

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

use super::{create_bucket, now_secs};
use crate::common::s3::*;

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

    // Re-creating one's own bucket: 200 in us-east-1 (AWS's legacy
    // answer), BucketAlreadyOwnedByYou in any other region.
    s3.create_bucket()
        .bucket("alpha")
        .send()
        .await
        .expect("re-creating a us-east-1 bucket");
    let in_eu = CreateBucketConfiguration::builder()
        .location_constraint(BucketLocationConstraint::EuWest1)
        .build();
    s3.create_bucket()
        .bucket("alpha-eu")
        .create_bucket_configuration(in_eu.clone())
        .send()
        .await
        .expect("create in eu-west-1");
    assert_s3_error(
        s3.create_bucket()
            .bucket("alpha-eu")
            .create_bucket_configuration(in_eu)
            .send()
            .await,
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
        "dot.-dash",
        "dash-.dot",
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

#[tokio::test]
async fn a_bucket_with_only_leftover_uploads_is_deleted_with_them() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "leftover").await;
    let upload = s3
        .create_multipart_upload()
        .bucket("leftover")
        .key("never-completed")
        .send()
        .await
        .expect("create upload");
    let upload_id = upload.upload_id().expect("upload id").to_string();
    s3.upload_part()
        .bucket("leftover")
        .key("never-completed")
        .upload_id(&upload_id)
        .part_number(1)
        .body(random_bytes(77, 300_000).into())
        .send()
        .await
        .expect("upload a part");
    // As a cleanup harness does: list objects (none), delete the bucket.
    let listed = s3
        .list_objects_v2()
        .bucket("leftover")
        .send()
        .await
        .expect("list");
    assert_eq!(listed.key_count(), Some(0));
    s3.delete_bucket()
        .bucket("leftover")
        .send()
        .await
        .expect("a bucket with only uploads in progress is deleted");
    assert_s3_error(
        s3.head_bucket().bucket("leftover").send().await,
        "NotFound",
        404,
    );
    // A bucket of the same name starts clean: the upload went with the old one.
    create_bucket(&s3, "leftover").await;
    let uploads = s3
        .list_multipart_uploads()
        .bucket("leftover")
        .send()
        .await
        .expect("list uploads");
    assert!(uploads.uploads().is_empty(), "{uploads:?}");
    assert_s3_error(
        s3.list_parts()
            .bucket("leftover")
            .key("never-completed")
            .upload_id(&upload_id)
            .send()
            .await,
        "NoSuchUpload",
        404,
    );
}

#[tokio::test]
async fn list_buckets_pages_and_filters_as_aws_does() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    for name in ["logs-a", "logs-b", "logs-c", "photos", "zeta"] {
        create_bucket(&s3, name).await;
    }
    // Pages of two, each naming where the next starts.
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let out = s3
            .list_buckets()
            .max_buckets(2)
            .set_continuation_token(token.clone())
            .send()
            .await
            .expect("list a page");
        pages += 1;
        assert!(out.buckets().len() <= 2);
        for b in out.buckets() {
            names.push(b.name().unwrap_or_default().to_string());
            assert_eq!(b.bucket_region(), Some("us-east-1"));
        }
        match out.continuation_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(names, ["logs-a", "logs-b", "logs-c", "photos", "zeta"]);
    assert_eq!(pages, 3);

    let logs = s3
        .list_buckets()
        .prefix("logs-")
        .send()
        .await
        .expect("prefix");
    let logs: Vec<_> = logs.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(logs, ["logs-a", "logs-b", "logs-c"]);
    let elsewhere = s3
        .list_buckets()
        .bucket_region("eu-west-1")
        .send()
        .await
        .expect("region filter");
    assert!(elsewhere.buckets().is_empty());
    assert_s3_error(
        s3.list_buckets().max_buckets(0).send().await,
        "InvalidArgument",
        400,
    );
    assert_s3_error(
        s3.list_buckets().continuation_token("%%%").send().await,
        "InvalidArgument",
        400,
    );
}
