//! Conditional writes and deletes: `If-None-Match` with an ETag on PUT,
//! `If-Match` on DeleteObject with the size and Last-Modified forms, and
//! the same conditions per key in DeleteObjects.

use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use super::create_bucket;
use crate::common::s3::*;

#[tokio::test]
async fn writes_and_deletes_happen_only_when_their_condition_holds() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "cond").await;
    let etag = put(&s3, "cond", "k", b"one").await;

    // PUT If-None-Match: <etag> refuses to replace that version only.
    let put_unless = |if_none_match: &str| {
        s3.put_object()
            .bucket("cond")
            .key("k")
            .if_none_match(if_none_match)
            .body(ByteStream::from_static(b"two"))
            .send()
    };
    assert_s3_error(put_unless(&etag).await, "PreconditionFailed", 412);
    assert_object(&s3, "cond", "k", b"one").await;
    put_unless("\"0123456789abcdef0123456789abcdef\"")
        .await
        .expect("If-None-Match with another ETag");
    assert_object(&s3, "cond", "k", b"two").await;

    // If-Match on a missing key is NoSuchKey; on the wrong version 412.
    assert_s3_error(
        s3.put_object()
            .bucket("cond")
            .key("missing")
            .if_match("*")
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    assert_s3_error(
        s3.put_object()
            .bucket("cond")
            .key("k")
            .if_match(&etag)
            .body(ByteStream::from_static(b"x"))
            .send()
            .await,
        "PreconditionFailed",
        412,
    );

    // DeleteObject If-Match: a wrong ETag keeps the object; a missing
    // key is still no error.
    let etag = put(&s3, "cond", "d", b"delete me").await;
    assert_s3_error(
        s3.delete_object()
            .bucket("cond")
            .key("d")
            .if_match("\"0123456789abcdef0123456789abcdef\"")
            .send()
            .await,
        "PreconditionFailed",
        412,
    );
    assert_object(&s3, "cond", "d", b"delete me").await;
    s3.delete_object()
        .bucket("cond")
        .key("d")
        .if_match(&etag)
        .send()
        .await
        .expect("delete with the right ETag");
    assert_status(s3.head_object().bucket("cond").key("d").send().await, 404);
    s3.delete_object()
        .bucket("cond")
        .key("d")
        .if_match("*")
        .send()
        .await
        .expect("a conditional delete of a missing key");

    // The size and Last-Modified forms.
    put(&s3, "cond", "s", b"12345").await;
    assert_s3_error(
        s3.delete_object()
            .bucket("cond")
            .key("s")
            .if_match_size(4)
            .send()
            .await,
        "PreconditionFailed",
        412,
    );
    let modified = s3
        .head_object()
        .bucket("cond")
        .key("s")
        .send()
        .await
        .expect("head")
        .last_modified()
        .copied()
        .expect("Last-Modified");
    assert_s3_error(
        s3.delete_object()
            .bucket("cond")
            .key("s")
            .if_match_last_modified_time(DateTime::from_secs(1_420_070_400))
            .send()
            .await,
        "PreconditionFailed",
        412,
    );
    s3.delete_object()
        .bucket("cond")
        .key("s")
        .if_match_size(5)
        .if_match_last_modified_time(modified)
        .send()
        .await
        .expect("delete with the right size and time");
    assert_status(s3.head_object().bucket("cond").key("s").send().await, 404);

    // DeleteObjects: each key's own condition.
    put(&s3, "cond", "a", b"aaa").await;
    put(&s3, "cond", "b", b"bbbb").await;
    let key = |k: &str, size: i64| {
        ObjectIdentifier::builder()
            .key(k)
            .size(size)
            .build()
            .expect("identifier")
    };
    let out = s3
        .delete_objects()
        .bucket("cond")
        .delete(
            Delete::builder()
                .objects(key("a", 3))
                .objects(key("b", 3))
                .build()
                .expect("delete"),
        )
        .send()
        .await
        .expect("DeleteObjects");
    let deleted: Vec<_> = out.deleted().iter().filter_map(|d| d.key()).collect();
    assert_eq!(deleted, ["a"]);
    let errors: Vec<_> = out
        .errors()
        .iter()
        .map(|e| (e.key().unwrap_or_default(), e.code().unwrap_or_default()))
        .collect();
    assert_eq!(errors, [("b", "PreconditionFailed")]);
    assert_object(&s3, "cond", "b", b"bbbb").await;
}
