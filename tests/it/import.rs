//! `predastore-import`: a source store (another `all`-role process)
//! with three buckets — unversioned with metadata, tags and a multipart
//! object; versioned with delete markers, an anonymous-read policy,
//! lifecycle, CORS and tags; object lock with a default retention,
//! retained and legally held versions — carried into a second store. The
//! import is killed with SIGKILL once half the versions are in and run
//! again: every version then reads byte-identical, in the same order,
//! once, with the same metadata and settings.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    BucketVersioningStatus, CompletedMultipartUpload, CompletedPart, CorsConfiguration, CorsRule,
    DefaultRetention, NoncurrentVersionExpiration, ObjectLockConfiguration, ObjectLockEnabled,
    ObjectLockLegalHold, ObjectLockLegalHoldStatus, ObjectLockMode, ObjectLockRetention,
    ObjectLockRetentionMode, ObjectLockRule, Tag, Tagging, VersioningConfiguration,
};
use aws_sdk_s3::Client;
use serde_json::Value;

use crate::common::digest::{etag_of, random_bytes};
use crate::common::http::http_request;
use crate::common::lifecycle::{built, config, prefix, rule};
use crate::common::store::{binary, StoreProcess, ACCESS_KEY, SECRET_KEY};

const PLAIN: &str = "plain";
const VERSIONED: &str = "versioned";
const LOCKED: &str = "locked";

/// One listed version or delete marker: what must match on both sides.
#[derive(Debug, Clone, PartialEq)]
struct Listed {
    key: String,
    version_id: String,
    marker: bool,
    latest: bool,
    size: i64,
    etag: String,
}

/// A bucket's versions (in the Versions list's order) and delete markers
/// (in theirs).
async fn listed(s3: &Client, bucket: &str) -> (Vec<Listed>, Vec<Listed>) {
    let (mut versions, mut markers) = (Vec::new(), Vec::new());
    let (mut key_marker, mut version_marker) = (None, None);
    loop {
        let page = s3
            .list_object_versions()
            .bucket(bucket)
            .set_key_marker(key_marker.take())
            .set_version_id_marker(version_marker.take())
            .send()
            .await
            .expect("ListObjectVersions");
        for v in page.versions() {
            versions.push(Listed {
                key: v.key().unwrap_or_default().into(),
                version_id: v.version_id().unwrap_or("null").into(),
                marker: false,
                latest: v.is_latest() == Some(true),
                size: v.size().unwrap_or_default(),
                etag: v.e_tag().unwrap_or_default().into(),
            });
        }
        for m in page.delete_markers() {
            markers.push(Listed {
                key: m.key().unwrap_or_default().into(),
                version_id: m.version_id().unwrap_or("null").into(),
                marker: true,
                latest: m.is_latest() == Some(true),
                size: 0,
                etag: String::new(),
            });
        }
        if page.is_truncated() != Some(true) {
            return (versions, markers);
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
    }
}

/// Versions and delete markers of a bucket here, 0 if it is not there yet.
async fn count_here(s3: &Client, bucket: &str) -> usize {
    match s3.list_object_versions().bucket(bucket).send().await {
        Ok(page) => page.versions().len() + page.delete_markers().len(),
        Err(_) => 0,
    }
}

/// Fills the source: returns how many versions and delete markers it holds.
async fn fill_source(s3: &Client) -> usize {
    let mut count = 0;
    // Unversioned: metadata, tags, an overwritten key, a multipart object.
    s3.create_bucket()
        .bucket(PLAIN)
        .send()
        .await
        .expect("create plain");
    for i in 0..16u64 {
        let key = format!("obj-{i:02}");
        s3.put_object()
            .bucket(PLAIN)
            .key(&key)
            .content_type(if i % 2 == 0 {
                "text/plain"
            } else {
                "image/png"
            })
            .cache_control("max-age=60")
            .metadata("origin", format!("camera-{i}"))
            .set_tagging((i % 4 == 0).then(|| format!("team=blue&n={i}")))
            .body(ByteStream::from(random_bytes(i, 16 << 10)))
            .send()
            .await
            .expect("put");
        count += 1;
    }
    // Overwritten: only the second remains.
    for seed in [100, 101] {
        s3.put_object()
            .bucket(PLAIN)
            .key("obj-00")
            .content_type("text/plain")
            .metadata("origin", "camera-0")
            .tagging("team=blue&n=0")
            .cache_control("max-age=60")
            .body(ByteStream::from(random_bytes(seed, 20 << 10)))
            .send()
            .await
            .expect("overwrite");
    }
    let upload = s3
        .create_multipart_upload()
        .bucket(PLAIN)
        .key("multipart")
        .content_type("application/x-tar")
        .send()
        .await
        .expect("create upload");
    let id = upload.upload_id().expect("upload id");
    let part = s3
        .upload_part()
        .bucket(PLAIN)
        .key("multipart")
        .upload_id(id)
        .part_number(1)
        .body(ByteStream::from(random_bytes(7, 40 << 10)))
        .send()
        .await
        .expect("upload part");
    s3.complete_multipart_upload()
        .bucket(PLAIN)
        .key("multipart")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .set_e_tag(part.e_tag().map(str::to_string))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("complete");
    count += 1;

    // Versioned: versions and delete markers interleaved, settings.
    s3.create_bucket()
        .bucket(VERSIONED)
        .send()
        .await
        .expect("create versioned");
    s3.put_bucket_versioning()
        .bucket(VERSIONED)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning");
    for i in 0..14u64 {
        let key = format!("doc-{i:02}");
        for round in 0..3u64 {
            s3.put_object()
                .bucket(VERSIONED)
                .key(&key)
                .body(ByteStream::from(random_bytes(
                    1000 + i * 10 + round,
                    12 << 10,
                )))
                .send()
                .await
                .expect("put a version");
            count += 1;
            if (i + round) % 3 == 0 {
                s3.delete_object()
                    .bucket(VERSIONED)
                    .key(&key)
                    .send()
                    .await
                    .expect("delete marker");
                count += 1;
            }
        }
    }
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"AnonymousRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{VERSIONED}/*"}}]}}"#
    );
    s3.put_bucket_policy()
        .bucket(VERSIONED)
        .policy(&policy)
        .send()
        .await
        .expect("policy");
    let lifecycle = built([
        rule("old-versions", prefix("doc-")).noncurrent_version_expiration(
            NoncurrentVersionExpiration::builder()
                .noncurrent_days(30)
                .build(),
        ),
    ]);
    s3.put_bucket_lifecycle_configuration()
        .bucket(VERSIONED)
        .lifecycle_configuration(config(lifecycle))
        .send()
        .await
        .expect("lifecycle");
    s3.put_bucket_cors()
        .bucket(VERSIONED)
        .cors_configuration(
            CorsConfiguration::builder()
                .cors_rules(
                    CorsRule::builder()
                        .allowed_methods("GET")
                        .allowed_origins("https://app.example")
                        .max_age_seconds(600)
                        .build()
                        .expect("a CORS rule"),
                )
                .build()
                .expect("CORS"),
        )
        .send()
        .await
        .expect("put CORS");
    s3.put_bucket_tagging()
        .bucket(VERSIONED)
        .tagging(
            Tagging::builder()
                .tag_set(
                    Tag::builder()
                        .key("cost-center")
                        .value("42")
                        .build()
                        .expect("a tag"),
                )
                .build()
                .expect("tags"),
        )
        .send()
        .await
        .expect("bucket tags");

    // Object lock: retained and held versions, then a default retention.
    s3.create_bucket()
        .bucket(LOCKED)
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .expect("create locked");
    let until = DateTime::from_secs(DateTime::from(std::time::SystemTime::now()).secs() + 86_400);
    for i in 0..6u64 {
        let mut put = s3
            .put_object()
            .bucket(LOCKED)
            .key(format!("record-{}", i % 3))
            .body(ByteStream::from(random_bytes(2000 + i, 24 << 10)));
        if i % 2 == 0 {
            put = put
                .object_lock_mode(ObjectLockMode::Governance)
                .object_lock_retain_until_date(until);
        }
        if i == 5 {
            put = put.object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On);
        }
        put.send().await.expect("put a locked version");
        count += 1;
    }
    s3.put_object_lock_configuration()
        .bucket(LOCKED)
        .object_lock_configuration(
            ObjectLockConfiguration::builder()
                .object_lock_enabled(ObjectLockEnabled::Enabled)
                .rule(
                    ObjectLockRule::builder()
                        .default_retention(
                            DefaultRetention::builder()
                                .mode(ObjectLockRetentionMode::Governance)
                                .days(3)
                                .build(),
                        )
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("default retention");
    count
}

/// `predastore-import`, built beside `predastore` by `cargo test
/// --workspace` (its package, tools/import, is a workspace member).
fn import_binary() -> std::path::PathBuf {
    let path = binary().with_file_name("predastore-import");
    assert!(
        path.exists(),
        "{} is not built: run the tests with --workspace",
        path.display()
    );
    path
}

/// `predastore-import` from `source` into `here`, with `extra` options.
fn import(
    source: &StoreProcess,
    here: &StoreProcess,
    state: &std::path::Path,
    extra: &[&str],
) -> Command {
    let mut cmd = Command::new(import_binary());
    cmd.args(["--json", "--url", &here.endpoint()])
        .args(["--source-url", &source.endpoint()])
        .arg("--state")
        .arg(state)
        .args(extra)
        .env("PREDASTORE_IMPORT_SOURCE_ACCESS_KEY", ACCESS_KEY)
        .env("PREDASTORE_IMPORT_SOURCE_SECRET_KEY", SECRET_KEY)
        .env("PREDASTORE_ACCESS_KEY", ACCESS_KEY)
        .env("PREDASTORE_SECRET_KEY", SECRET_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// The bytes and head of one version.
async fn version_of(
    s3: &Client,
    bucket: &str,
    key: &str,
    version: &str,
) -> (Vec<u8>, HashMap<String, String>) {
    let got = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .version_id(version)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {bucket}/{key}@{version}: {e:?}"));
    let mut head = HashMap::new();
    head.insert(
        "content-type".to_string(),
        got.content_type().unwrap_or_default().to_string(),
    );
    head.insert(
        "cache-control".to_string(),
        got.cache_control().unwrap_or_default().to_string(),
    );
    head.insert(
        "tag-count".to_string(),
        got.tag_count().unwrap_or_default().to_string(),
    );
    head.insert(
        "lock-mode".to_string(),
        format!("{:?}", got.object_lock_mode()),
    );
    head.insert(
        "retain-until".to_string(),
        format!(
            "{:?}",
            got.object_lock_retain_until_date().map(|d| d.secs())
        ),
    );
    head.insert(
        "legal-hold".to_string(),
        format!("{:?}", got.object_lock_legal_hold_status()),
    );
    for (k, v) in got.metadata().cloned().unwrap_or_default() {
        head.insert(format!("meta-{k}"), v);
    }
    let tags = s3
        .get_object_tagging()
        .bucket(bucket)
        .key(key)
        .version_id(version)
        .send()
        .await
        .expect("tags");
    let mut tags: Vec<String> = tags
        .tag_set()
        .iter()
        .map(|t| format!("{}={}", t.key(), t.value()))
        .collect();
    tags.sort();
    head.insert("tags".to_string(), tags.join("&"));
    let bytes = got
        .body
        .collect()
        .await
        .expect("body")
        .into_bytes()
        .to_vec();
    (bytes, head)
}

/// Waits for the import; its JSON summary (it must succeed).
fn finished(child: Child) -> Value {
    let out = child.wait_with_output().expect("wait for the import");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the import failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("no JSON summary ({e}): {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_halfway_finishes_on_rerun_with_every_version_once_in_order() {
    let source = StoreProcess::start(&[]);
    let here = StoreProcess::start(&[]);
    let (src, dst) = (source.client(), here.client());
    let total = fill_source(&src).await;
    let state = tempfile::tempdir().expect("state dir");
    let state = state.path().join("import.json");

    // Slowed to about 5 s (970 KiB) so that it can be caught halfway.
    let mut child = import(
        &source,
        &here,
        &state,
        &["--bwlimit", "200K", "--parallel", "2"],
    )
    .spawn()
    .expect("start the import");
    let deadline = Instant::now() + Duration::from_secs(120);
    let at_kill = loop {
        let mut n = 0;
        for bucket in [LOCKED, PLAIN, VERSIONED] {
            n += count_here(&dst, bucket).await;
        }
        if n * 2 >= total {
            break n;
        }
        assert!(
            child.try_wait().expect("poll the import").is_none(),
            "the import ended at {n} of {total}"
        );
        assert!(
            Instant::now() < deadline,
            "the import made no progress: {n} of {total}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(
        child.try_wait().expect("poll the import").is_none(),
        "the import finished before it could be killed"
    );
    child.kill().expect("SIGKILL the import");
    let _ = child.wait();
    assert!(at_kill < total, "killed at {at_kill} of {total}");

    let summary = finished(import(&source, &here, &state, &[]).spawn().expect("rerun"));
    assert_eq!(summary["failed"], serde_json::json!([]), "{summary}");
    let carried = summary["versions"].as_u64().unwrap_or_default()
        + summary["delete_markers"].as_u64().unwrap_or_default();
    let found: u64 = summary["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| b["already_here"].as_u64().unwrap_or_default())
        .sum();
    assert!(
        found > 0 || carried < total as u64,
        "the rerun started over: {summary}"
    );

    // Every version once, in the same order, byte-identical, same head.
    for bucket in [PLAIN, VERSIONED, LOCKED] {
        let (src_versions, src_markers) = listed(&src, bucket).await;
        let (dst_versions, dst_markers) = listed(&dst, bucket).await;
        let shape = |l: &[Listed]| -> Vec<(String, bool, bool, i64, String)> {
            l.iter()
                .map(|v| (v.key.clone(), v.marker, v.latest, v.size, v.etag.clone()))
                .collect()
        };
        assert_eq!(
            shape(&dst_versions),
            shape(&src_versions),
            "versions of {bucket}"
        );
        assert_eq!(
            shape(&dst_markers),
            shape(&src_markers),
            "delete markers of {bucket}"
        );
        for (s, d) in src_versions.iter().zip(&dst_versions) {
            let (src_bytes, src_head) = version_of(&src, bucket, &s.key, &s.version_id).await;
            let (dst_bytes, dst_head) = version_of(&dst, bucket, &d.key, &d.version_id).await;
            assert!(src_bytes == dst_bytes, "{bucket}/{} differs", s.key);
            if !d.etag.contains('-') {
                assert_eq!(etag_of(&dst_bytes), d.etag, "{bucket}/{}", s.key);
            }
            assert_eq!(dst_head, src_head, "{bucket}/{}", s.key);
        }
    }
    assert!(
        listed(&dst, PLAIN)
            .await
            .0
            .iter()
            .any(|v| v.key == "multipart" && v.etag.ends_with("-1\"")),
        "the multipart object keeps its multipart ETag"
    );

    // Settings.
    for (bucket, status) in [
        (VERSIONED, Some(BucketVersioningStatus::Enabled)),
        (PLAIN, None),
        (LOCKED, Some(BucketVersioningStatus::Enabled)),
    ] {
        let got = dst
            .get_bucket_versioning()
            .bucket(bucket)
            .send()
            .await
            .expect("versioning");
        assert_eq!(got.status().cloned(), status, "versioning of {bucket}");
    }
    let policy_of = async |s3: &Client| -> Value {
        let p = s3
            .get_bucket_policy()
            .bucket(VERSIONED)
            .send()
            .await
            .expect("policy");
        serde_json::from_str(p.policy().unwrap_or_default()).expect("policy JSON")
    };
    assert_eq!(policy_of(&dst).await, policy_of(&src).await);
    // doc-00's latest is a version (doc-01's a delete marker).
    for store in [&source, &here] {
        let target = format!("/{VERSIONED}/doc-00");
        let anonymous =
            http_request(store.addr(), "GET", &target, &[], b"").expect("anonymous GET");
        assert_eq!(
            anonymous.status,
            200,
            "anonymous read through the policy: {}",
            String::from_utf8_lossy(&anonymous.body)
        );
    }
    let rules = dst
        .get_bucket_lifecycle_configuration()
        .bucket(VERSIONED)
        .send()
        .await
        .expect("lifecycle");
    assert_eq!(rules.rules().len(), 1);
    assert_eq!(rules.rules()[0].id(), Some("old-versions"));
    let cors = dst
        .get_bucket_cors()
        .bucket(VERSIONED)
        .send()
        .await
        .expect("CORS");
    assert_eq!(
        cors.cors_rules()[0].allowed_origins(),
        ["https://app.example"]
    );
    let tags = dst
        .get_bucket_tagging()
        .bucket(VERSIONED)
        .send()
        .await
        .expect("bucket tags");
    assert_eq!(tags.tag_set()[0].value(), "42");
    let lock = dst
        .get_object_lock_configuration()
        .bucket(LOCKED)
        .send()
        .await
        .expect("lock");
    let days = lock
        .object_lock_configuration()
        .and_then(|c| c.rule())
        .and_then(|r| r.default_retention())
        .and_then(|d| d.days());
    assert_eq!(days, Some(3));
    let held = dst
        .get_object_legal_hold()
        .bucket(LOCKED)
        .key("record-2")
        .send()
        .await
        .expect("legal hold of the latest record-2");
    assert_eq!(
        held.legal_hold().and_then(ObjectLockLegalHold::status),
        Some(&ObjectLockLegalHoldStatus::On)
    );
    let retained = dst
        .get_object_retention()
        .bucket(LOCKED)
        .key("record-0")
        .version_id(
            &listed(&dst, LOCKED)
                .await
                .0
                .iter()
                .find(|v| v.key == "record-0" && !v.latest)
                .expect("an older record-0")
                .version_id,
        )
        .send()
        .await
        .expect("retention");
    assert_eq!(
        retained.retention().and_then(ObjectLockRetention::mode),
        Some(&ObjectLockRetentionMode::Governance)
    );

    // A third run finds everything done and writes nothing.
    let again = finished(
        import(&source, &here, &state, &[])
            .spawn()
            .expect("third run"),
    );
    assert_eq!(again["versions"], 0, "{again}");
    assert_eq!(again["delete_markers"], 0, "{again}");
    assert!(
        again["buckets"]
            .as_array()
            .expect("buckets")
            .iter()
            .all(|b| b["already_done"] == true),
        "{again}"
    );
}
