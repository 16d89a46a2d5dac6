//! Small objects kept whole in their metadata record
//! (`PREDASTORE_INLINE_BYTES`, 8 KiB by default), seen through the S3 API
//! of a real store: they round-trip with ranges, copies and overwrites in
//! both directions, survive `kill -9`, and do not depend on the volumes,
//! while the first size above the limit does.

use std::fs;

use aws_sdk_s3::Client;

use crate::common::s3::*;

/// The default `PREDASTORE_INLINE_BYTES`.
const INLINE: usize = 8 << 10;

async fn create_bucket(s3: &Client, bucket: &str) {
    s3.create_bucket()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("create bucket {bucket}: {e:?}"));
}

/// Kills the store, removes every volume directory, and starts it again.
fn lose_all_volumes(store: &mut StoreProcess) {
    store.kill();
    for v in 0..3 {
        let dir = store.data_dir().join(format!("vol{v}"));
        fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("remove {}: {e}", dir.display()));
    }
    store.restart();
}

#[tokio::test]
async fn objects_up_to_the_inline_limit_live_in_metadata_and_larger_ones_on_volumes() {
    let mut store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "small").await;
    let mut inline: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, size) in [0, 1, 4096, INLINE].into_iter().enumerate() {
        let key = format!("obj-{size}");
        let data = random_bytes(200 + i as u64, size);
        let etag = put(&s3, "small", &key, &data).await;
        assert_eq!(etag, etag_of(&data), "{key}");
        inline.push((key, data));
    }
    let above = random_bytes(210, INLINE + 1);
    put(&s3, "small", "above-limit", &above).await;
    for (key, data) in &inline {
        assert_object(&s3, "small", key, data).await;
    }
    assert_object(&s3, "small", "above-limit", &above).await;

    // A range of an inline object, and one past its end.
    let (_, data) = &inline[2];
    let (bytes, content_range) = get_range(&s3, "small", "obj-4096", "bytes=100-199").await;
    assert_eq!(bytes, &data[100..200]);
    assert_eq!(content_range, "bytes 100-199/4096");
    let (bytes, _) = get_range(&s3, "small", "obj-4096", "bytes=-10").await;
    assert_eq!(bytes, &data[4086..]);
    assert_s3_error(
        s3.get_object()
            .bucket("small")
            .key("obj-4096")
            .range("bytes=5000-6000")
            .send()
            .await,
        "InvalidRange",
        416,
    );

    // Overwrites both ways: inline → shards → inline.
    let grown = random_bytes(211, 3 << 20);
    put(&s3, "small", "changes", b"tiny at first").await;
    put(&s3, "small", "changes", &grown).await;
    assert_object(&s3, "small", "changes", &grown).await;
    let shrunk = random_bytes(212, 100);
    put(&s3, "small", "changes", &shrunk).await;
    assert_object(&s3, "small", "changes", &shrunk).await;

    // A copy of an inline object outlives its source.
    let src = random_bytes(213, 3000);
    put(&s3, "small", "copy-src", &src).await;
    s3.copy_object()
        .bucket("small")
        .key("copy-dst")
        .copy_source("small/copy-src")
        .send()
        .await
        .expect("copy");
    s3.delete_object()
        .bucket("small")
        .key("copy-src")
        .send()
        .await
        .expect("delete source");
    assert_object(&s3, "small", "copy-dst", &src).await;
    inline.push(("copy-dst".into(), src));
    inline.push(("changes".into(), shrunk));

    // kill -9: inline objects are as durable as their records.
    drop(s3);
    store.restart();
    let s3 = store.client();
    for (key, data) in &inline {
        assert_object(&s3, "small", key, data).await;
    }

    // Without any volume, what is inline still reads back exactly; the
    // first size above the limit is on the volumes and fails, never with
    // wrong bytes.
    drop(s3);
    lose_all_volumes(&mut store);
    let s3 = store.client_unverified();
    for (key, data) in &inline {
        assert_object(&s3, "small", key, data).await;
    }
    // Its shards are gone with the volumes: 503 before any body byte,
    // as a read with too few shards promises.
    let lost = s3
        .get_object()
        .bucket("small")
        .key("above-limit")
        .send()
        .await;
    match lost {
        Err(e) => assert_eq!(
            (error_status(&e), error_code(&e).as_deref()),
            (Some(503), Some("ServiceUnavailable")),
            "GET above-limit without volumes: {}",
            aws_sdk_s3::error::DisplayErrorContext(&e)
        ),
        Ok(out) => panic!(
            "GET above-limit without volumes answered 200 ({:?} bytes)",
            out.content_length()
        ),
    }
}

#[tokio::test]
async fn inline_limit_zero_keeps_every_object_on_the_volumes() {
    let mut store = StoreProcess::start(&[("PREDASTORE_INLINE_BYTES", "0")]);
    let s3 = store.client();
    create_bucket(&s3, "shards").await;
    let data = random_bytes(220, 10);
    put(&s3, "shards", "ten", &data).await;
    assert_object(&s3, "shards", "ten", &data).await;
    // An empty object has no bytes to lose.
    put(&s3, "shards", "empty", b"").await;
    drop(s3);
    lose_all_volumes(&mut store);
    let s3 = store.client_unverified();
    assert_object(&s3, "shards", "empty", b"").await;
    let got = s3
        .get_object()
        .bucket("shards")
        .key("ten")
        .send()
        .await
        .map(|out| out.body);
    let bytes = match got {
        Ok(body) => body.collect().await.ok().map(|b| b.into_bytes()),
        Err(_) => None,
    };
    assert!(
        bytes.is_none(),
        "a 10-byte object on shards read back without volumes: {bytes:?}"
    );
}

#[tokio::test]
async fn the_object_size_limit_holds_below_the_inline_limit() {
    let store = StoreProcess::start(&[("PREDASTORE_MAX_OBJECT_BYTES", "100")]);
    let s3 = store.client();
    create_bucket(&s3, "limited").await;
    put(&s3, "limited", "fits", &random_bytes(230, 100)).await;
    assert_s3_error(
        s3.put_object()
            .bucket("limited")
            .key("too-big")
            .body(random_bytes(231, 101).into())
            .send()
            .await,
        "EntityTooLarge",
        400,
    );
}
