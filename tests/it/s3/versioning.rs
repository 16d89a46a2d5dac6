//! Bucket versioning through the AWS SDK: version ids on writes, reads
//! and deletes by id, delete markers, the `null` version of a suspended
//! bucket, ListObjectVersions and its paging, restoring an old version by
//! copy, DeleteObjects by version; and that an unversioned bucket shows
//! none of it. Object lock, built on it, is in `object_lock`; the helpers
//! here serve both.

use std::collections::HashSet;
use std::fmt::Debug;

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketVersioningStatus, Delete, ObjectIdentifier, VersioningConfiguration,
};
use aws_sdk_s3::Client;
use futures::stream::{self, StreamExt};

use super::create_bucket;
use crate::common::s3::*;

pub(super) const DAY: i64 = 24 * 3600;

pub(super) async fn set_versioning(s3: &Client, bucket: &str, status: BucketVersioningStatus) {
    s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(status.clone())
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PutBucketVersioning {bucket} {status:?}: {}",
                DisplayErrorContext(&e)
            )
        });
}

pub(super) async fn versioning_status(s3: &Client, bucket: &str) -> Option<BucketVersioningStatus> {
    s3.get_bucket_versioning()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GetBucketVersioning {bucket}: {}", DisplayErrorContext(&e)))
        .status()
        .cloned()
}

/// PutObject; returns the version id the store answered with (if any).
pub(super) async fn put_v(s3: &Client, bucket: &str, key: &str, data: &[u8]) -> Option<String> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(data.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {bucket}/{key}: {}", DisplayErrorContext(&e)))
        .version_id()
        .map(str::to_string)
}

/// PutObject on a versioned bucket: the version id, which must be there.
pub(super) async fn put_version(s3: &Client, bucket: &str, key: &str, data: &[u8]) -> String {
    put_v(s3, bucket, key, data)
        .await
        .unwrap_or_else(|| panic!("PutObject {bucket}/{key} without x-amz-version-id"))
}

/// GetObject of `version` (or the current one): (bytes, x-amz-version-id).
pub(super) async fn get_v(
    s3: &Client,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> (Vec<u8>, Option<String>) {
    let out = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "get {bucket}/{key} version {version:?}: {}",
                DisplayErrorContext(&e)
            )
        });
    let id = out.version_id().map(str::to_string);
    let bytes = out
        .body
        .collect()
        .await
        .expect("read body")
        .into_bytes()
        .to_vec();
    (bytes, id)
}

/// One version or delete marker as ListObjectVersions shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Listed {
    key: String,
    version_id: String,
    is_latest: bool,
}

/// ListObjectVersions (one page, up to 1,000): (versions, delete markers).
pub(super) async fn list_versions(
    s3: &Client,
    bucket: &str,
    prefix: &str,
) -> (Vec<Listed>, Vec<Listed>) {
    let out = s3
        .list_object_versions()
        .bucket(bucket)
        .prefix(prefix)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListObjectVersions {bucket}: {}", DisplayErrorContext(&e)));
    assert_ne!(out.is_truncated(), Some(true), "one page expected");
    let versions = out
        .versions()
        .iter()
        .map(|v| Listed {
            key: v.key().expect("Key").to_string(),
            version_id: v.version_id().expect("VersionId").to_string(),
            is_latest: v.is_latest().expect("IsLatest"),
        })
        .collect();
    let markers = out
        .delete_markers()
        .iter()
        .map(|m| Listed {
            key: m.key().expect("Key").to_string(),
            version_id: m.version_id().expect("VersionId").to_string(),
            is_latest: m.is_latest().expect("IsLatest"),
        })
        .collect();
    (versions, markers)
}

pub(super) fn listed(key: &str, version_id: &str, is_latest: bool) -> Listed {
    Listed {
        key: key.to_string(),
        version_id: version_id.to_string(),
        is_latest,
    }
}

/// The error of a request that must have failed with this S3 code and
/// HTTP status.
#[track_caller]
pub(super) fn s3_error<T: Debug, E>(
    result: Result<T, SdkError<E, HttpResponse>>,
    code: &str,
    status: u16,
) -> SdkError<E, HttpResponse>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let err = match result {
        Ok(out) => panic!("expected {code} ({status}), got success: {out:?}"),
        Err(err) => err,
    };
    let context = DisplayErrorContext(&err).to_string();
    assert_eq!(error_status(&err), Some(status), "HTTP status; {context}");
    assert_eq!(error_code(&err).as_deref(), Some(code), "code; {context}");
    err
}

/// A header of a failed request's response.
pub(super) fn error_header<E>(err: &SdkError<E, HttpResponse>, name: &str) -> Option<String> {
    err.raw_response()
        .and_then(|r| r.headers().get(name))
        .map(str::to_string)
}

pub(super) async fn delete_version(
    s3: &Client,
    bucket: &str,
    key: &str,
    version: &str,
) -> aws_sdk_s3::operation::delete_object::DeleteObjectOutput {
    s3.delete_object()
        .bucket(bucket)
        .key(key)
        .version_id(version)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "delete {bucket}/{key} version {version}: {}",
                DisplayErrorContext(&e)
            )
        })
}

#[tokio::test]
async fn versioning_status_is_empty_until_set_then_follows_the_last_put() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "vstatus").await;

    assert_eq!(versioning_status(&s3, "vstatus").await, None);
    set_versioning(&s3, "vstatus", BucketVersioningStatus::Enabled).await;
    assert_eq!(
        versioning_status(&s3, "vstatus").await,
        Some(BucketVersioningStatus::Enabled)
    );
    set_versioning(&s3, "vstatus", BucketVersioningStatus::Suspended).await;
    assert_eq!(
        versioning_status(&s3, "vstatus").await,
        Some(BucketVersioningStatus::Suspended)
    );
    set_versioning(&s3, "vstatus", BucketVersioningStatus::Enabled).await;
    assert_eq!(
        versioning_status(&s3, "vstatus").await,
        Some(BucketVersioningStatus::Enabled)
    );

    assert_s3_error(
        s3.get_bucket_versioning().bucket("nobucket").send().await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.put_bucket_versioning()
            .bucket("nobucket")
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await,
        "NoSuchBucket",
        404,
    );
}

#[tokio::test]
async fn an_enabled_bucket_keeps_every_version_behind_a_delete_marker() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "ver").await;
    set_versioning(&s3, "ver", BucketVersioningStatus::Enabled).await;
    // A neighbour key, to see that nothing below touches it.
    let other = put_version(&s3, "ver", "other", b"other").await;

    let bodies: [&[u8]; 3] = [b"first write", b"second, longer write", b"3rd"];
    let mut ids = Vec::new();
    for body in bodies {
        let id = put_version(&s3, "ver", "doc", body).await;
        assert_ne!(
            id, "null",
            "an Enabled bucket gives versions ids of their own"
        );
        ids.push(id);
    }
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), 3, "three distinct version ids: {ids:?}");
    assert!(!ids.contains(&other));

    // Each version reads back as its write; no id reads the newest.
    for (id, body) in ids.iter().zip(bodies) {
        let (got, got_id) = get_v(&s3, "ver", "doc", Some(id)).await;
        assert_eq!(got, body, "bytes of version {id}");
        assert_eq!(got_id.as_deref(), Some(id.as_str()));
        let head = s3
            .head_object()
            .bucket("ver")
            .key("doc")
            .version_id(id)
            .send()
            .await
            .expect("HEAD by version id");
        assert_eq!(head.content_length(), Some(body.len() as i64));
        assert_eq!(head.version_id(), Some(id.as_str()));
    }
    let (got, got_id) = get_v(&s3, "ver", "doc", None).await;
    assert_eq!(got, bodies[2]);
    assert_eq!(got_id.as_deref(), Some(ids[2].as_str()));

    // All three listed, newest first, only the newest latest.
    let (versions, markers) = list_versions(&s3, "ver", "doc").await;
    assert_eq!(
        versions,
        [
            listed("doc", &ids[2], true),
            listed("doc", &ids[1], false),
            listed("doc", &ids[0], false),
        ]
    );
    assert!(markers.is_empty(), "{markers:?}");

    // A delete without id adds a delete marker.
    let del = s3
        .delete_object()
        .bucket("ver")
        .key("doc")
        .send()
        .await
        .expect("DeleteObject");
    assert_eq!(del.delete_marker(), Some(true));
    let marker = del
        .version_id()
        .expect("delete marker's version id")
        .to_string();
    assert!(!ids.contains(&marker), "marker id {marker} is new");

    let err = s3_error(
        s3.get_object().bucket("ver").key("doc").send().await,
        "NoSuchKey",
        404,
    );
    assert_eq!(
        error_header(&err, "x-amz-delete-marker").as_deref(),
        Some("true")
    );
    assert_eq!(
        error_header(&err, "x-amz-version-id").as_deref(),
        Some(marker.as_str())
    );
    assert_status(s3.head_object().bucket("ver").key("doc").send().await, 404);
    // The marker named by id has no data.
    let err = s3_error(
        s3.get_object()
            .bucket("ver")
            .key("doc")
            .version_id(&marker)
            .send()
            .await,
        "MethodNotAllowed",
        405,
    );
    assert_eq!(
        error_header(&err, "x-amz-delete-marker").as_deref(),
        Some("true")
    );
    assert_status(
        s3.head_object()
            .bucket("ver")
            .key("doc")
            .version_id(&marker)
            .send()
            .await,
        405,
    );
    // The versions are still there by id.
    assert_eq!(get_v(&s3, "ver", "doc", Some(&ids[0])).await.0, bodies[0]);

    let (versions, markers) = list_versions(&s3, "ver", "doc").await;
    assert_eq!(
        versions,
        [
            listed("doc", &ids[2], false),
            listed("doc", &ids[1], false),
            listed("doc", &ids[0], false),
        ]
    );
    assert_eq!(markers, [listed("doc", &marker, true)]);
    let keys = list_all_keys(&s3, "ver").await;
    assert_eq!(keys, ["other"], "ListObjectsV2 hides a key behind a marker");

    // Restore the oldest version by copying it onto the key.
    let copied = s3
        .copy_object()
        .bucket("ver")
        .key("doc")
        .copy_source(format!("ver/doc?versionId={}", ids[0]))
        .send()
        .await
        .unwrap_or_else(|e| panic!("restore by copy: {}", DisplayErrorContext(&e)));
    assert_eq!(copied.copy_source_version_id(), Some(ids[0].as_str()));
    let restored = copied
        .version_id()
        .expect("version id of the copy")
        .to_string();
    assert!(
        !ids.contains(&restored) && restored != marker && restored != "null",
        "the copy is a new version: {restored}"
    );
    let (got, got_id) = get_v(&s3, "ver", "doc", None).await;
    assert_eq!(got, bodies[0], "the restored bytes are the oldest");
    assert_eq!(got_id.as_deref(), Some(restored.as_str()));
    let (versions, markers) = list_versions(&s3, "ver", "doc").await;
    assert_eq!(
        versions,
        [
            listed("doc", &restored, true),
            listed("doc", &ids[2], false),
            listed("doc", &ids[1], false),
            listed("doc", &ids[0], false),
        ]
    );
    assert_eq!(markers, [listed("doc", &marker, false)]);
    assert_eq!(list_all_keys(&s3, "ver").await, ["doc", "other"]);

    // Delete every version and the marker by id: each is gone for good.
    let del = delete_version(&s3, "ver", "doc", &restored).await;
    assert_eq!(del.version_id(), Some(restored.as_str()));
    assert_ne!(del.delete_marker(), Some(true));
    // With the restored copy gone, the marker is the current version again.
    assert_status(s3.head_object().bucket("ver").key("doc").send().await, 404);
    let del = delete_version(&s3, "ver", "doc", &marker).await;
    assert_eq!(del.version_id(), Some(marker.as_str()));
    assert_eq!(
        del.delete_marker(),
        Some(true),
        "deleting a marker by id says it was one"
    );
    // Without the marker, the newest remaining version is current.
    assert_eq!(get_v(&s3, "ver", "doc", None).await.0, bodies[2]);
    for id in &ids {
        let del = delete_version(&s3, "ver", "doc", id).await;
        assert_eq!(del.version_id(), Some(id.as_str()));
        assert_ne!(del.delete_marker(), Some(true));
        assert_s3_error(
            s3.get_object()
                .bucket("ver")
                .key("doc")
                .version_id(id)
                .send()
                .await,
            "NoSuchVersion",
            404,
        );
    }
    let (versions, markers) = list_versions(&s3, "ver", "doc").await;
    assert!(versions.is_empty(), "{versions:?}");
    assert!(markers.is_empty(), "{markers:?}");
    let err = s3_error(
        s3.get_object().bucket("ver").key("doc").send().await,
        "NoSuchKey",
        404,
    );
    // No delete marker behind the 404: `false`, as ceph/s3-tests expects of S3.
    assert_eq!(
        error_header(&err, "x-amz-delete-marker").as_deref(),
        Some("false")
    );
    assert_eq!(list_all_keys(&s3, "ver").await, ["other"]);
    // The neighbour never moved.
    assert_eq!(get_v(&s3, "ver", "other", None).await.1, Some(other));

    // A malformed version id is refused.
    assert_s3_error(
        s3.get_object()
            .bucket("ver")
            .key("other")
            .version_id("not-a-version")
            .send()
            .await,
        "InvalidArgument",
        400,
    );
}

#[tokio::test]
async fn a_suspended_bucket_overwrites_its_null_version() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "susp").await;
    set_versioning(&s3, "susp", BucketVersioningStatus::Enabled).await;
    let v1 = put_version(&s3, "susp", "k", b"v1").await;
    let v2 = put_version(&s3, "susp", "k", b"v2").await;

    set_versioning(&s3, "susp", BucketVersioningStatus::Suspended).await;
    assert_eq!(
        put_v(&s3, "susp", "k", b"null one").await.as_deref(),
        None,
        "a write on a suspended bucket announces no version id (as S3; ceph/s3-tests checks it)"
    );
    assert_eq!(put_v(&s3, "susp", "k", b"null two").await.as_deref(), None);
    let (got, id) = get_v(&s3, "susp", "k", None).await;
    assert_eq!(got, b"null two");
    assert_eq!(id.as_deref(), Some("null"));
    assert_eq!(get_v(&s3, "susp", "k", Some("null")).await.0, b"null two");
    assert_eq!(get_v(&s3, "susp", "k", Some(&v1)).await.0, b"v1");
    assert_eq!(get_v(&s3, "susp", "k", Some(&v2)).await.0, b"v2");

    let (versions, markers) = list_versions(&s3, "susp", "k").await;
    assert_eq!(
        versions,
        [
            listed("k", "null", true),
            listed("k", &v2, false),
            listed("k", &v1, false),
        ],
        "one null version, replaced in place"
    );
    assert!(markers.is_empty());

    // A delete without id puts a null delete marker in the null
    // version's place.
    let del = s3
        .delete_object()
        .bucket("susp")
        .key("k")
        .send()
        .await
        .expect("DeleteObject");
    assert_eq!(del.delete_marker(), Some(true));
    assert_eq!(del.version_id(), Some("null"));
    assert_s3_error(
        s3.get_object().bucket("susp").key("k").send().await,
        "NoSuchKey",
        404,
    );
    let (versions, markers) = list_versions(&s3, "susp", "k").await;
    assert_eq!(versions, [listed("k", &v2, false), listed("k", &v1, false)]);
    assert_eq!(markers, [listed("k", "null", true)]);
    assert_eq!(get_v(&s3, "susp", "k", Some(&v2)).await.0, b"v2");
}

#[tokio::test]
async fn delete_objects_removes_named_versions_and_adds_markers_otherwise() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "multi").await;
    set_versioning(&s3, "multi", BucketVersioningStatus::Enabled).await;
    let a1 = put_version(&s3, "multi", "a", b"a1").await;
    let a2 = put_version(&s3, "multi", "a", b"a2").await;
    let b1 = put_version(&s3, "multi", "b", b"b1").await;
    let b2 = put_version(&s3, "multi", "b", b"b2").await;

    let ident = |key: &str, version: Option<&str>| {
        ObjectIdentifier::builder()
            .key(key)
            .set_version_id(version.map(str::to_string))
            .build()
            .expect("identifier")
    };
    let delete = |objects: Vec<ObjectIdentifier>| {
        Delete::builder()
            .set_objects(Some(objects))
            .build()
            .expect("delete")
    };

    // Two named versions in one request: the older of a, the newer of b.
    let out = s3
        .delete_objects()
        .bucket("multi")
        .delete(delete(vec![ident("a", Some(&a1)), ident("b", Some(&b2))]))
        .send()
        .await
        .expect("DeleteObjects by version");
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    let mut deleted: Vec<(&str, Option<&str>, Option<bool>)> = out
        .deleted()
        .iter()
        .map(|d| {
            (
                d.key().unwrap_or_default(),
                d.version_id(),
                d.delete_marker(),
            )
        })
        .collect();
    deleted.sort();
    assert_eq!(deleted.len(), 2, "{deleted:?}");
    assert_eq!((deleted[0].0, deleted[0].1), ("a", Some(a1.as_str())));
    assert_eq!((deleted[1].0, deleted[1].1), ("b", Some(b2.as_str())));
    assert!(deleted.iter().all(|d| d.2 != Some(true)), "{deleted:?}");

    assert_eq!(get_v(&s3, "multi", "a", None).await.0, b"a2");
    assert_eq!(
        get_v(&s3, "multi", "b", None).await.0,
        b"b1",
        "b1 is current again"
    );
    assert_s3_error(
        s3.get_object()
            .bucket("multi")
            .key("a")
            .version_id(&a1)
            .send()
            .await,
        "NoSuchVersion",
        404,
    );
    let (versions, markers) = list_versions(&s3, "multi", "").await;
    assert_eq!(versions, [listed("a", &a2, true), listed("b", &b1, true)]);
    assert!(markers.is_empty());

    // Without version ids: a delete marker for each key.
    let out = s3
        .delete_objects()
        .bucket("multi")
        .delete(delete(vec![ident("a", None), ident("b", None)]))
        .send()
        .await
        .expect("DeleteObjects without versions");
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    let mut made: Vec<(String, String)> = Vec::new();
    for d in out.deleted() {
        assert_eq!(d.delete_marker(), Some(true), "{d:?}");
        let id = d
            .delete_marker_version_id()
            .unwrap_or_else(|| panic!("DeleteMarkerVersionId: {d:?}"));
        assert!(!id.is_empty() && id != "null", "{d:?}");
        made.push((d.key().unwrap_or_default().to_string(), id.to_string()));
    }
    made.sort();
    assert_eq!(
        made.iter().map(|m| m.0.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    for key in ["a", "b"] {
        assert_s3_error(
            s3.get_object().bucket("multi").key(key).send().await,
            "NoSuchKey",
            404,
        );
    }
    let (versions, markers) = list_versions(&s3, "multi", "").await;
    assert_eq!(versions, [listed("a", &a2, false), listed("b", &b1, false)]);
    assert_eq!(
        markers,
        [listed("a", &made[0].1, true), listed("b", &made[1].1, true)]
    );
    assert!(list_all_keys(&s3, "multi").await.is_empty());

    // Deleting a's marker by id brings a back.
    let out = s3
        .delete_objects()
        .bucket("multi")
        .delete(delete(vec![ident("a", Some(&made[0].1))]))
        .send()
        .await
        .expect("DeleteObjects of a marker");
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    assert_eq!(out.deleted().len(), 1);
    let d = &out.deleted()[0];
    assert_eq!(d.version_id(), Some(made[0].1.as_str()));
    assert_eq!(d.delete_marker(), Some(true));
    assert_eq!(d.delete_marker_version_id(), Some(made[0].1.as_str()));
    assert_eq!(get_v(&s3, "multi", "a", None).await.0, b"a2");
    assert_eq!(list_all_keys(&s3, "multi").await, ["a"]);
}

#[tokio::test]
async fn list_object_versions_pages_through_a_thousand_versions() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "pages").await;
    set_versioning(&s3, "pages", BucketVersioningStatus::Enabled).await;

    // Keys on both sides of the big one, so pages cross keys.
    let a = put_version(&s3, "pages", "a", b"a").await;
    let z1 = put_version(&s3, "pages", "z", b"z1").await;
    let z2 = put_version(&s3, "pages", "z", b"z2").await;

    // 1,000 versions of "k": the first ten and the last one written in
    // order (so their places in the listing are known), the rest at once.
    const N: usize = 1000;
    let body = |i: usize| format!("body-{i:05}").into_bytes();
    let mut first = Vec::new();
    for i in 0..10 {
        first.push(put_version(&s3, "pages", "k", &body(i)).await);
    }
    let middle: Vec<String> = stream::iter(10..N - 1)
        .map(|i| {
            let s3 = s3.clone();
            async move { put_version(&s3, "pages", "k", &body(i)).await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    let last = put_version(&s3, "pages", "k", &body(N - 1)).await;
    let mut written: Vec<String> = first.clone();
    written.extend(middle);
    written.push(last.clone());
    let unique: HashSet<&String> = written.iter().collect();
    assert_eq!(unique.len(), N, "every PUT got its own version id");

    // Walk the listing 100 at a time.
    let mut all: Vec<(String, String, bool, i64)> = Vec::new();
    let mut key_marker: Option<String> = None;
    let mut version_marker: Option<String> = None;
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 20, "the listing does not end");
        let page = s3
            .list_object_versions()
            .bucket("pages")
            .max_keys(100)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(version_marker.clone())
            .send()
            .await
            .unwrap_or_else(|e| panic!("page {pages}: {}", DisplayErrorContext(&e)));
        assert!(page.delete_markers().is_empty());
        let n = page.versions().len();
        assert!(n <= 100, "page {pages} has {n} entries");
        for v in page.versions() {
            all.push((
                v.key().expect("Key").to_string(),
                v.version_id().expect("VersionId").to_string(),
                v.is_latest().expect("IsLatest"),
                v.last_modified()
                    .expect("LastModified")
                    .to_millis()
                    .unwrap(),
            ));
        }
        if page.is_truncated() != Some(true) {
            break;
        }
        assert_eq!(n, 100, "a truncated page is full");
        key_marker = Some(page.next_key_marker().expect("NextKeyMarker").to_string());
        version_marker = Some(
            page.next_version_id_marker()
                .expect("NextVersionIdMarker")
                .to_string(),
        );
    }
    assert_eq!(all.len(), N + 3, "every version once");
    assert_eq!(pages, 11);

    assert_eq!(
        (all[0].0.as_str(), all[0].1.as_str(), all[0].2),
        ("a", a.as_str(), true)
    );
    let tail: Vec<_> = all[N + 1..]
        .iter()
        .map(|e| (e.0.as_str(), e.1.as_str(), e.2))
        .collect();
    assert_eq!(tail, [("z", z2.as_str(), true), ("z", z1.as_str(), false)]);

    let k = &all[1..N + 1];
    assert!(k.iter().all(|e| e.0 == "k"));
    let listed_ids: Vec<&String> = k.iter().map(|e| &e.1).collect();
    let listed_set: HashSet<&String> = listed_ids.iter().copied().collect();
    assert_eq!(listed_set.len(), N, "no version listed twice");
    assert_eq!(listed_set, unique, "the versions listed are those written");
    // Newest first: the last write leads, the first ten close in reverse.
    assert_eq!(*listed_ids[0], last);
    assert!(k[0].2, "the newest is latest");
    assert!(k[1..].iter().all(|e| !e.2), "only the newest is latest");
    let closing: Vec<&String> = listed_ids[N - 10..].to_vec();
    let expected: Vec<&String> = first.iter().rev().collect();
    assert_eq!(closing, expected);
    // (LastModified is only ordered where the writes were: the concurrent
    // ones may commit in another order than their clocks read.)
    assert!(
        k[1..].iter().all(|e| e.3 <= k[0].3),
        "the newest version has the latest LastModified"
    );
}

#[tokio::test]
async fn an_unversioned_bucket_shows_no_version_ids() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "plainv").await;

    assert_eq!(put_v(&s3, "plainv", "k", b"one").await, None);
    assert_eq!(put_v(&s3, "plainv", "k", b"two").await, None);
    let (got, id) = get_v(&s3, "plainv", "k", None).await;
    assert_eq!(got, b"two");
    assert_eq!(id, None);
    let head = s3
        .head_object()
        .bucket("plainv")
        .key("k")
        .send()
        .await
        .expect("HEAD");
    assert_eq!(head.version_id(), None);
    // ListObjectVersions shows the one object as the null version.
    let (versions, markers) = list_versions(&s3, "plainv", "").await;
    assert_eq!(versions, [listed("k", "null", true)]);
    assert!(markers.is_empty());

    let del = s3
        .delete_object()
        .bucket("plainv")
        .key("k")
        .send()
        .await
        .expect("DELETE");
    assert_eq!(del.version_id(), None);
    assert_eq!(del.delete_marker(), None);
    let err = s3_error(
        s3.get_object().bucket("plainv").key("k").send().await,
        "NoSuchKey",
        404,
    );
    // No delete marker behind the 404: `false`, as ceph/s3-tests expects of S3.
    assert_eq!(
        error_header(&err, "x-amz-delete-marker").as_deref(),
        Some("false")
    );
    let (versions, markers) = list_versions(&s3, "plainv", "").await;
    assert!(versions.is_empty() && markers.is_empty());
}
