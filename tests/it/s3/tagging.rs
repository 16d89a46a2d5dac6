//! Object and bucket tagging: tags given on PUT, multipart and copy are
//! kept with the object, read back, replaced and removed; invalid tag sets
//! are refused with AWS's codes and nothing is stored; headers asking for
//! features the store lacks are refused, not dropped.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Tag, Tagging, TaggingDirective};
use aws_sdk_s3::Client;

use super::{completed, create_bucket, upload_part};
use crate::common::s3::*;

fn tag_set(pairs: &[(&str, &str)]) -> Tagging {
    Tagging::builder()
        .set_tag_set(Some(
            pairs
                .iter()
                .map(|(k, v)| Tag::builder().key(*k).value(*v).build().unwrap())
                .collect(),
        ))
        .build()
        .unwrap()
}

async fn tags_of(s3: &Client, bucket: &str, key: &str) -> Vec<(String, String)> {
    s3.get_object_tagging()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetObjectTagging {key}: {e:?}"))
        .tag_set()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn tagging_count(s3: &Client, bucket: &str, key: &str) -> Option<i32> {
    s3.head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("HeadObject")
        .tag_count()
}

#[tokio::test]
async fn object_tags_come_with_put_copy_and_multipart_and_can_be_replaced() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "tags").await;

    // PUT with x-amz-tagging (URL-encoded, as the SDK sends it).
    s3.put_object()
        .bucket("tags")
        .key("a.txt")
        .tagging("project=blue%20sky&owner=ops&empty=")
        .body(ByteStream::from_static(b"hello"))
        .send()
        .await
        .expect("PUT with tags");
    // Listed by key, whatever order they were given in (as AWS).
    assert_eq!(
        tags_of(&s3, "tags", "a.txt").await,
        pairs(&[("empty", ""), ("owner", "ops"), ("project", "blue sky")])
    );
    assert_eq!(tagging_count(&s3, "tags", "a.txt").await, Some(3));
    let got = s3
        .get_object()
        .bucket("tags")
        .key("a.txt")
        .send()
        .await
        .expect("GET");
    assert_eq!(got.tag_count(), Some(3));

    // Replace, then delete.
    s3.put_object_tagging()
        .bucket("tags")
        .key("a.txt")
        .tagging(tag_set(&[("stage", "prod"), ("é", "✓")]))
        .send()
        .await
        .expect("PutObjectTagging");
    assert_eq!(
        tags_of(&s3, "tags", "a.txt").await,
        pairs(&[("stage", "prod"), ("é", "✓")])
    );
    // The object itself is untouched.
    assert_eq!(get_bytes(&s3, "tags", "a.txt").await, b"hello");

    // Copy: COPY keeps the source's tags, REPLACE takes the header's.
    s3.copy_object()
        .bucket("tags")
        .key("copy-kept")
        .copy_source("tags/a.txt")
        .send()
        .await
        .expect("copy (COPY)");
    assert_eq!(
        tags_of(&s3, "tags", "copy-kept").await,
        pairs(&[("stage", "prod"), ("é", "✓")])
    );
    s3.copy_object()
        .bucket("tags")
        .key("copy-replaced")
        .copy_source("tags/a.txt")
        .tagging_directive(TaggingDirective::Replace)
        .tagging("x=1")
        .send()
        .await
        .expect("copy (REPLACE)");
    assert_eq!(
        tags_of(&s3, "tags", "copy-replaced").await,
        pairs(&[("x", "1")])
    );

    s3.delete_object_tagging()
        .bucket("tags")
        .key("a.txt")
        .send()
        .await
        .expect("DeleteObjectTagging");
    assert!(tags_of(&s3, "tags", "a.txt").await.is_empty());
    assert_eq!(tagging_count(&s3, "tags", "a.txt").await, None);

    // An overwrite without tags leaves none.
    put(&s3, "tags", "copy-kept", b"new").await;
    assert!(tags_of(&s3, "tags", "copy-kept").await.is_empty());

    // Multipart: tags given at creation land on the completed object.
    let upload_id = s3
        .create_multipart_upload()
        .bucket("tags")
        .key("big")
        .tagging("kind=video")
        .send()
        .await
        .expect("CreateMultipartUpload")
        .upload_id()
        .unwrap()
        .to_string();
    let part = vec![7u8; 5 << 20];
    let e1 = upload_part(&s3, "tags", "big", &upload_id, 1, &part).await;
    let e2 = upload_part(&s3, "tags", "big", &upload_id, 2, b"tail").await;
    s3.complete_multipart_upload()
        .bucket("tags")
        .key("big")
        .upload_id(&upload_id)
        .multipart_upload(completed(&[(1, &e1), (2, &e2)]))
        .send()
        .await
        .expect("complete");
    assert_eq!(
        tags_of(&s3, "tags", "big").await,
        pairs(&[("kind", "video")])
    );

    // Missing keys and buckets.
    assert_s3_error(
        s3.get_object_tagging()
            .bucket("tags")
            .key("nope")
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    assert_s3_error(
        s3.put_object_tagging()
            .bucket("tags")
            .key("nope")
            .tagging(tag_set(&[("a", "1")]))
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    assert_s3_error(
        s3.get_object_tagging()
            .bucket("nobucket")
            .key("a")
            .send()
            .await,
        "NoSuchBucket",
        404,
    );
}

#[tokio::test]
async fn invalid_tags_are_refused_and_nothing_is_stored() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "badtags").await;

    let long_key = format!("{}=v", "k".repeat(129));
    let long_value = format!("k={}", "v".repeat(257));
    let eleven: Vec<String> = (0..11).map(|i| format!("k{i}=v")).collect();
    let eleven = eleven.join("&");
    for (i, header) in [
        "a=1&a=2",
        "a=%zz",
        "a=%E2%28%A1",
        long_key.as_str(),
        long_value.as_str(),
        eleven.as_str(),
        "aws:system=1",
    ]
    .into_iter()
    .enumerate()
    {
        let key = format!("obj{i}");
        assert_s3_error(
            s3.put_object()
                .bucket("badtags")
                .key(&key)
                .tagging(header)
                .body(ByteStream::from_static(b"data"))
                .send()
                .await,
            "InvalidTag",
            400,
        );
        assert_s3_error(
            s3.head_object().bucket("badtags").key(&key).send().await,
            "NotFound",
            404,
        );
    }

    put(&s3, "badtags", "k", b"data").await;
    let eleven: Vec<(String, String)> = (0..11).map(|i| (format!("k{i}"), "v".into())).collect();
    let eleven: Vec<(&str, &str)> = eleven
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let k129 = "k".repeat(129);
    let v257 = "v".repeat(257);
    for set in [
        eleven.clone(),
        vec![(k129.as_str(), "v")],
        vec![("k", v257.as_str())],
        vec![("dup", "1"), ("dup", "2")],
    ] {
        assert_s3_error(
            s3.put_object_tagging()
                .bucket("badtags")
                .key("k")
                .tagging(tag_set(&set))
                .send()
                .await,
            "InvalidTag",
            400,
        );
    }
    // The longest legal key and value, and ten tags, are fine.
    let k128 = "k".repeat(128);
    let v256 = "é".repeat(256);
    s3.put_object_tagging()
        .bucket("badtags")
        .key("k")
        .tagging(tag_set(&[(k128.as_str(), v256.as_str())]))
        .send()
        .await
        .expect("128/256");
    s3.put_object_tagging()
        .bucket("badtags")
        .key("k")
        .tagging(tag_set(&eleven[..10]))
        .send()
        .await
        .expect("ten tags");
    assert_eq!(tags_of(&s3, "badtags", "k").await.len(), 10);

    // Malformed XML bodies, signed, sent raw.
    for body in [
        "<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
        "<Tagging>",
        "not xml",
        "<!DOCTYPE t [<!ENTITY x \"y\">]><Tagging><TagSet/></Tagging>",
    ] {
        let url = presign(store.addr(), "PUT", "/badtags/k?tagging");
        let target = url
            .strip_prefix(&format!("http://{}", store.addr()))
            .unwrap();
        let r = http_request(store.addr(), "PUT", target, &[], body.as_bytes()).unwrap();
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.error_code().as_deref(), Some("MalformedXML"), "{body}");
    }
    // The tags set before are still there.
    assert_eq!(tags_of(&s3, "badtags", "k").await.len(), 10);
}

#[tokio::test]
async fn bucket_tags_are_kept_replaced_and_removed() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "btags").await;

    assert_s3_error(
        s3.get_bucket_tagging().bucket("btags").send().await,
        "NoSuchTagSet",
        404,
    );
    s3.put_bucket_tagging()
        .bucket("btags")
        .tagging(tag_set(&[("team", "storage"), ("cost-center", "42")]))
        .send()
        .await
        .expect("PutBucketTagging");
    let got = s3
        .get_bucket_tagging()
        .bucket("btags")
        .send()
        .await
        .expect("GetBucketTagging");
    let got: Vec<(String, String)> = got
        .tag_set()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    assert_eq!(got, pairs(&[("cost-center", "42"), ("team", "storage")]));

    // Fifty is the limit for buckets.
    let fifty_one: Vec<(String, String)> = (0..51).map(|i| (format!("k{i}"), "v".into())).collect();
    let fifty_one: Vec<(&str, &str)> = fifty_one
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_s3_error(
        s3.put_bucket_tagging()
            .bucket("btags")
            .tagging(tag_set(&fifty_one))
            .send()
            .await,
        "InvalidTag",
        400,
    );
    s3.put_bucket_tagging()
        .bucket("btags")
        .tagging(tag_set(&fifty_one[..50]))
        .send()
        .await
        .expect("fifty bucket tags");

    s3.delete_bucket_tagging()
        .bucket("btags")
        .send()
        .await
        .expect("DeleteBucketTagging");
    assert_s3_error(
        s3.get_bucket_tagging().bucket("btags").send().await,
        "NoSuchTagSet",
        404,
    );
    assert_s3_error(
        s3.get_bucket_tagging().bucket("nobucket").send().await,
        "NoSuchBucket",
        404,
    );
}

#[tokio::test]
async fn headers_for_missing_features_are_refused_not_dropped() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "strict").await;

    let refused = [
        s3.put_object()
            .bucket("strict")
            .key("sse")
            .server_side_encryption(aws_sdk_s3::types::ServerSideEncryption::AwsKms)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .map(|_| ()),
        s3.put_object()
            .bucket("strict")
            .key("glacier")
            .storage_class(aws_sdk_s3::types::StorageClass::Glacier)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .map(|_| ()),
        s3.put_object()
            .bucket("strict")
            .key("redirect")
            .website_redirect_location("/elsewhere")
            .body(ByteStream::from_static(b"x"))
            .send()
            .await
            .map(|_| ()),
    ];
    for result in refused {
        assert_s3_error(result, "NotImplemented", 501);
    }
    for key in ["sse", "glacier", "redirect"] {
        assert_s3_error(
            s3.head_object().bucket("strict").key(key).send().await,
            "NotFound",
            404,
        );
    }
    assert_s3_error(
        s3.put_object()
            .bucket("strict")
            .key("bogus")
            .storage_class(aws_sdk_s3::types::StorageClass::from("BOGUS"))
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "InvalidStorageClass",
        400,
    );
    // What the store gives anyway is accepted.
    s3.put_object()
        .bucket("strict")
        .key("standard")
        .storage_class(aws_sdk_s3::types::StorageClass::Standard)
        .acl(aws_sdk_s3::types::ObjectCannedAcl::Private)
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .expect("STANDARD, private");
}
