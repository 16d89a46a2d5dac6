//! Restart after kill -9, and lost or corrupt volumes under erasure coding 2+1.

use std::collections::BTreeSet;
use std::fs;
use std::time::Duration;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

use super::{assert_same_bytes, completed, create_bucket, create_upload, upload_part};
use crate::common::s3::*;

#[tokio::test]
async fn objects_buckets_and_uploads_survive_kill_9_and_restart() {
    let mut store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "persist").await;
    create_bucket(&s3, "persist-empty").await;
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, size) in [0, 1, MIB + 1, 5 * MIB + 7].into_iter().enumerate() {
        let key = format!("obj-{size}");
        let data = random_bytes(60 + i as u64, size);
        put(&s3, "persist", &key, &data).await;
        objects.push((key, data));
    }
    s3.put_object()
        .bucket("persist")
        .key("with-meta")
        .content_type("text/csv")
        .metadata("keep", "me")
        .body(ByteStream::from_static(b"a,b\n1,2\n"))
        .send()
        .await
        .expect("put with metadata");
    objects.push(("with-meta".into(), b"a,b\n1,2\n".to_vec()));
    put(&s3, "persist", "overwritten", b"old").await;
    let newest = random_bytes(66, MIB + 17);
    put(&s3, "persist", "overwritten", &newest).await;
    objects.push(("overwritten".into(), newest));
    put(&s3, "persist", "deleted", b"gone soon").await;
    s3.delete_object()
        .bucket("persist")
        .key("deleted")
        .send()
        .await
        .expect("delete");

    let mp_parts = [random_bytes(67, 5 * MIB), random_bytes(68, 2 * MIB + 1)];
    let id = create_upload(&s3, "persist", "multipart").await;
    let e1 = upload_part(&s3, "persist", "multipart", &id, 1, &mp_parts[0]).await;
    let e2 = upload_part(&s3, "persist", "multipart", &id, 2, &mp_parts[1]).await;
    s3.complete_multipart_upload()
        .bucket("persist")
        .key("multipart")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1), (2, &e2)]))
        .send()
        .await
        .expect("complete");
    objects.push(("multipart".into(), mp_parts.concat()));

    // An upload in progress across the restart.
    let pending_parts = [random_bytes(69, 5 * MIB), random_bytes(70, 100)];
    let pending = create_upload(&s3, "persist", "pending").await;
    let p1 = upload_part(&s3, "persist", "pending", &pending, 1, &pending_parts[0]).await;

    drop(s3);
    store.restart(); // SIGKILL, then start on the same data
    let s3 = store.client();

    let buckets: BTreeSet<String> = s3
        .list_buckets()
        .send()
        .await
        .expect("list buckets")
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_string))
        .collect();
    assert_eq!(
        buckets,
        BTreeSet::from(["persist".to_string(), "persist-empty".to_string()])
    );
    for (key, data) in &objects {
        assert_object(&s3, "persist", key, data).await;
        let head = s3
            .head_object()
            .bucket("persist")
            .key(key)
            .send()
            .await
            .expect("head");
        if key == "multipart" {
            assert_eq!(head.e_tag(), Some(multipart_etag(&mp_parts).as_str()));
        } else {
            assert_eq!(head.e_tag(), Some(etag_of(data).as_str()), "{key}");
        }
    }
    let head = s3
        .head_object()
        .bucket("persist")
        .key("with-meta")
        .send()
        .await
        .expect("head");
    assert_eq!(head.content_type(), Some("text/csv"));
    assert_eq!(head.metadata(), Some(&metadata(&[("keep", "me")])));
    assert_s3_error(
        s3.get_object()
            .bucket("persist")
            .key("deleted")
            .send()
            .await,
        "NoSuchKey",
        404,
    );
    let keys: BTreeSet<String> = list_all_keys(&s3, "persist").await.into_iter().collect();
    let want: BTreeSet<String> = objects.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(keys, want);

    // The pending upload goes on.
    let uploads = s3
        .list_multipart_uploads()
        .bucket("persist")
        .send()
        .await
        .expect("uploads");
    assert!(uploads
        .uploads()
        .iter()
        .any(|u| u.upload_id() == Some(pending.as_str())));
    let p2 = upload_part(&s3, "persist", "pending", &pending, 2, &pending_parts[1]).await;
    s3.complete_multipart_upload()
        .bucket("persist")
        .key("pending")
        .upload_id(&pending)
        .multipart_upload(completed(&[(1, &p1), (2, &p2)]))
        .send()
        .await
        .expect("complete after restart");
    assert_object(&s3, "persist", "pending", &pending_parts.concat()).await;

    // And the store takes new writes.
    let fresh = random_bytes(71, 3 * MIB);
    put(&s3, "persist", "after-restart", &fresh).await;
    assert_object(&s3, "persist", "after-restart", &fresh).await;
}

#[test]
fn corrupt_segments_changes_every_window_that_holds_data_and_nothing_else() {
    use std::os::unix::fs::FileExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let wal = dir.path().join("wal");
    fs::create_dir_all(&wal).expect("wal dir");
    let path = wal.join("00000001.seg");
    let file = fs::File::create(&path).expect("segment");
    file.set_len(4 * MIB as u64).expect("preallocate");
    // Data in windows 0..=3 (200 KiB) and at the start of the window at 1 MiB.
    file.write_all_at(&random_bytes(1, 200 * 1024), 0)
        .expect("write");
    file.write_all_at(b"0123456789", MIB as u64).expect("write");
    drop(file);
    fs::write(wal.join("notes.txt"), b"not a segment").expect("write");
    let before = fs::read(&path).expect("read");

    assert_eq!(corrupt_segments(dir.path()), 5);

    let after = fs::read(&path).expect("read");
    assert_eq!(after.len(), before.len());
    let changed: Vec<usize> = (0..after.len())
        .filter(|&i| after[i] != before[i])
        .collect();
    let window_starts = [0, 64 << 10, 128 << 10, 192 << 10, MIB];
    let expected: Vec<usize> = window_starts
        .iter()
        .flat_map(|w| (w + (37 << 10))..(w + (37 << 10) + 64))
        .collect();
    assert_eq!(changed, expected);
    assert_eq!(
        fs::read(wal.join("notes.txt")).expect("read"),
        b"not a segment"
    );
}

/// GET of a whole object: its bytes, or a description of the failure
/// (asserting a failure that got an HTTP answer got a 5xx).
async fn try_get(s3: &Client, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
    let fetch = async {
        let out = match s3.get_object().bucket(bucket).key(key).send().await {
            Ok(out) => out,
            Err(err) => {
                let context = DisplayErrorContext(&err).to_string();
                if let Some(status) = err.raw_response().map(|r| r.status().as_u16()) {
                    assert!(
                        status >= 500,
                        "GET {key} failed with {status}, not 5xx: {context}"
                    );
                }
                return Err(context);
            }
        };
        out.body
            .collect()
            .await
            .map(|b| b.into_bytes().to_vec())
            .map_err(|e| format!("body broke off: {e:?}"))
    };
    tokio::time::timeout(Duration::from_secs(90), fetch)
        .await
        .unwrap_or_else(|_| panic!("GET {key} hung for 90 s instead of failing"))
}

#[tokio::test]
async fn one_lost_or_corrupt_volume_loses_nothing_and_two_never_return_wrong_bytes() {
    let mut store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "durable").await;
    let sizes = [
        0,
        1,
        1000,
        MIB - 1,
        MIB + 1,
        2 * MIB + 3,
        7 * MIB + 13,
        24 * MIB,
    ];
    let mut objects: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, size) in sizes.into_iter().enumerate() {
        let key = format!("obj-{size}");
        let data = random_bytes(80 + i as u64, size);
        put(&s3, "durable", &key, &data).await;
        objects.push((key, data));
    }
    let mp_parts = [random_bytes(90, 5 * MIB), random_bytes(91, 3 * MIB + 1)];
    let id = create_upload(&s3, "durable", "multipart").await;
    let e1 = upload_part(&s3, "durable", "multipart", &id, 1, &mp_parts[0]).await;
    let e2 = upload_part(&s3, "durable", "multipart", &id, 2, &mp_parts[1]).await;
    s3.complete_multipart_upload()
        .bucket("durable")
        .key("multipart")
        .upload_id(&id)
        .multipart_upload(completed(&[(1, &e1), (2, &e2)]))
        .send()
        .await
        .expect("complete");
    objects.push(("multipart".into(), mp_parts.concat()));
    // Objects of more than two stripes must fail once two volumes are bad.
    let large = |data: &[u8]| data.len() > 2 * STRIPE;
    drop(s3);

    let vol1 = store.data_dir().join("vol1");
    let vol2 = store.data_dir().join("vol2");

    async fn verify_all(store: &StoreProcess, objects: &[(String, Vec<u8>)], when: &str) {
        let s3 = store.client_unverified();
        for (key, data) in objects {
            let got = try_get(&s3, "durable", key)
                .await
                .unwrap_or_else(|e| panic!("{when}: GET {key} failed: {e}"));
            assert_same_bytes(&got, data, &format!("{when}: {key}"));
        }
        // A ranged read across a stripe boundary needs reconstruction too.
        let key = format!("obj-{}", 7 * MIB + 13);
        let big = &objects
            .iter()
            .find(|(k, _)| *k == key)
            .expect("7 MiB object")
            .1;
        let range = format!("bytes={}-{}", 3 * MIB - 7, 3 * MIB + 6);
        let (bytes, _) = get_range(&s3, "durable", &key, &range).await;
        assert_same_bytes(
            &bytes,
            &big[3 * MIB - 7..=3 * MIB + 6],
            &format!("{when}: range"),
        );
    }

    // 1. Garbage in the middle of every data region of vol1's segments.
    store.kill();
    assert!(
        !segment_files(&vol1).is_empty(),
        "no segment files under {}",
        vol1.display()
    );
    let damaged = corrupt_segments(&vol1);
    assert!(damaged >= 10, "only {damaged} windows of vol1 damaged");
    store.restart();
    verify_all(&store, &objects, "vol1 corrupted").await;

    // 2. vol1 gone altogether.
    store.kill();
    fs::remove_dir_all(&vol1).expect("remove vol1");
    store.restart();
    verify_all(&store, &objects, "vol1 deleted").await;
    // It still takes writes.
    let s3 = store.client();
    let fresh = random_bytes(92, 2 * MIB + 3);
    put(&s3, "durable", "written-degraded", &fresh).await;
    assert_object(&s3, "durable", "written-degraded", &fresh).await;
    drop(s3);

    // 3. vol1 gone and vol2 corrupted: one good shard of two needed.
    store.kill();
    let _ = fs::remove_dir_all(&vol1);
    let damaged = corrupt_segments(&vol2);
    assert!(damaged >= 10, "only {damaged} windows of vol2 damaged");
    store.restart();
    let s3 = store.client_unverified();
    let mut failed = Vec::new();
    let mut all = objects.clone();
    all.push(("written-degraded".to_string(), fresh));
    for (key, data) in &all {
        match try_get(&s3, "durable", key).await {
            Ok(bytes) => {
                assert_same_bytes(&bytes, data, &format!("two volumes bad: {key} returned"));
                assert!(
                    !large(data) || key == "written-degraded",
                    "{key} ({} bytes) read back with two of three volumes bad",
                    data.len()
                );
            }
            Err(_) => failed.push(key.clone()),
        }
    }
    for (key, data) in &objects {
        if large(data) {
            assert!(failed.contains(key), "{key} did not fail");
        }
    }
}
