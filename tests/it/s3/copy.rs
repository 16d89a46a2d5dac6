//! CopyObject: metadata kept or replaced, across buckets.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::MetadataDirective;

use super::create_bucket;
use crate::common::s3::*;

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
