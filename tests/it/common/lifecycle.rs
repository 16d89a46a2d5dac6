//! What the lifecycle and quota tests share: lifecycle rules built with
//! the SDK's types, the `x-amz-expiration` header read back, the day
//! boundaries a rule's days round up to, every version and upload part a
//! bucket holds (what its usage must add up to), the admin API's bucket
//! usage and quota (and the CLI that sets it), the lifecycle metrics, and
//! polling with a deadline for checks that are themselves async.

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::{ByteStream, DateTime, DateTimeFormat};
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, ExpirationStatus, LifecycleExpiration, LifecycleRule,
    LifecycleRuleFilter, Tag,
};
use aws_sdk_s3::Client;
use serde_json::Value;

use super::admin::admin;
use super::heal::metric;
use super::sdk::{error_code, error_status};
use super::store::binary;

/// The admin token of the stores these tests start.
pub const ADMIN_TOKEN: &str = "lifecycle-quota-admin-token";

// ---------------------------------------------------------------------------
// Metrics (every process with the meta role serves them; the walk's only
// move on the Raft leader).

/// Object versions expired (counter).
pub const EXPIRED_OBJECTS: &str = "predastore_lifecycle_expired_objects_total";
/// Bytes of expired versions and aborted parts (counter).
pub const EXPIRED_BYTES: &str = "predastore_lifecycle_expired_bytes_total";
/// Lone delete markers removed (counter).
pub const MARKERS_REMOVED: &str = "predastore_lifecycle_delete_markers_removed_total";
/// Incomplete uploads aborted (counter).
pub const UPLOADS_ABORTED: &str = "predastore_lifecycle_uploads_aborted_total";
/// When the last complete walk finished, Unix seconds (gauge).
pub const LAST_COMPLETED: &str = "predastore_lifecycle_last_completed_timestamp_seconds";
/// Writes refused with `QuotaExceeded` (counter, gateway).
pub const QUOTA_REFUSALS: &str = "predastore_quota_refusals_total";

/// A metric of the process at `http`, 0 when absent.
pub fn metric_or_zero(http: SocketAddr, name: &str) -> f64 {
    metric(http, name).unwrap_or(0.0)
}

// ---------------------------------------------------------------------------
// Time

/// Now, in seconds since the Unix epoch (with the fraction).
pub fn now_f64() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
}

/// When a rule of `days` days lets go of something created at `t` (Unix
/// seconds) with days of `day` seconds: `days` later, rounded up to the
/// next day boundary ("midnight UTC").
pub fn expiry_of(t: f64, days: u32, day: u64) -> i64 {
    let day = day as f64;
    (((t + f64::from(days) * day) / day).ceil() * day) as i64
}

/// `(expiry date in Unix seconds, rule id)` of an `x-amz-expiration`
/// value (`expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="…"`).
pub fn parse_expiration(value: &str) -> (i64, String) {
    let field = |name: &str| -> String {
        let start = value
            .find(&format!("{name}=\""))
            .unwrap_or_else(|| panic!("no {name} in x-amz-expiration {value:?}"))
            + name.len()
            + 2;
        let len = value[start..]
            .find('"')
            .unwrap_or_else(|| panic!("{name} unterminated in {value:?}"));
        value[start..start + len].to_string()
    };
    let date = field("expiry-date");
    let secs = DateTime::from_str(&date, DateTimeFormat::HttpDate)
        .unwrap_or_else(|e| panic!("expiry-date {date:?} is not an HTTP date: {e}"))
        .secs();
    (secs, field("rule-id"))
}

/// Asserts an `x-amz-expiration` value names `rule` and the day boundary
/// a `days`-day rule gives an object written between `before` and
/// `after` (Unix seconds); returns the expiry date.
#[track_caller]
pub fn assert_expiration(
    value: Option<&str>,
    rule: &str,
    days: u32,
    day: u64,
    (before, after): (f64, f64),
) -> i64 {
    let value = value.unwrap_or_else(|| panic!("no x-amz-expiration (rule {rule})"));
    let (at, id) = parse_expiration(value);
    assert_eq!(id, rule, "rule-id of {value:?}");
    let (earliest, latest) = (expiry_of(before, days, day), expiry_of(after, days, day));
    assert!(
        (earliest..=latest).contains(&at),
        "expiry-date {at} of {value:?} is not in [{earliest}, {latest}] (written in [{before:.3}, {after:.3}], {days} days of {day} s)"
    );
    assert_eq!(at % day as i64, 0, "{value:?} is not on a day boundary");
    at
}

// ---------------------------------------------------------------------------
// Rules

/// A filter on a key prefix.
pub fn prefix(p: &str) -> LifecycleRuleFilter {
    LifecycleRuleFilter::builder().prefix(p).build()
}

/// An enabled rule `id` with `filter`; the caller adds its actions and
/// builds it.
pub fn rule(
    id: &str,
    filter: LifecycleRuleFilter,
) -> aws_sdk_s3::types::builders::LifecycleRuleBuilder {
    LifecycleRule::builder()
        .id(id)
        .filter(filter)
        .status(ExpirationStatus::Enabled)
}

/// Current versions expire `days` after creation.
pub fn after_days(days: i32) -> LifecycleExpiration {
    LifecycleExpiration::builder().days(days).build()
}

/// A configuration of `rules`.
pub fn config(rules: Vec<LifecycleRule>) -> BucketLifecycleConfiguration {
    BucketLifecycleConfiguration::builder()
        .set_rules(Some(rules))
        .build()
        .expect("a configuration")
}

/// Built rules (panics on a rule without its required fields).
pub fn built(
    rules: impl IntoIterator<Item = aws_sdk_s3::types::builders::LifecycleRuleBuilder>,
) -> Vec<LifecycleRule> {
    rules
        .into_iter()
        .map(|r| r.build().expect("a rule"))
        .collect()
}

/// PutBucketLifecycleConfiguration; panics unless it succeeds.
pub async fn put_rules(s3: &Client, bucket: &str, rules: Vec<LifecycleRule>) {
    s3.put_bucket_lifecycle_configuration()
        .bucket(bucket)
        .lifecycle_configuration(config(rules))
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "PutBucketLifecycleConfiguration {bucket}: {}",
                DisplayErrorContext(&e)
            )
        });
}

// ---------------------------------------------------------------------------
// Objects and their expiry

pub fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().expect("a tag")
}

/// PutObject: (the `x-amz-expiration` it answered, when it was sent, when
/// it was answered).
pub async fn put_timed(
    s3: &Client,
    bucket: &str,
    key: &str,
    body: &[u8],
    tagging: Option<&str>,
) -> (Option<String>, (f64, f64)) {
    let before = now_f64();
    let out = s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .set_tagging(tagging.map(str::to_string))
        .body(ByteStream::from(body.to_vec()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {bucket}/{key}: {}", DisplayErrorContext(&e)));
    (out.expiration().map(str::to_string), (before, now_f64()))
}

/// `x-amz-expiration` of a GetObject.
pub async fn get_expiration(s3: &Client, bucket: &str, key: &str) -> Option<String> {
    s3.get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {bucket}/{key}: {}", DisplayErrorContext(&e)))
        .expiration()
        .map(str::to_string)
}

/// `x-amz-expiration` of a HeadObject.
pub async fn head_expiration(s3: &Client, bucket: &str, key: &str) -> Option<String> {
    s3.head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("HEAD {bucket}/{key}: {}", DisplayErrorContext(&e)))
        .expiration()
        .map(str::to_string)
}

/// Waits until none of `due` (key, Unix second of its day) exists, failing
/// if one is seen gone before its day (half a second of slack: the store
/// and the test read one clock).
pub async fn wait_expired(s3: &Client, bucket: &str, due: &[(String, i64)], timeout: Duration) {
    poll("objects to expire", timeout, async || {
        let mut left = Vec::new();
        for (key, at) in due {
            if exists(s3, bucket, key).await {
                left.push(key.as_str());
            } else {
                let seen = now_f64();
                assert!(
                    seen >= *at as f64 - 0.5,
                    "{key} was gone at {seen:.3}, before its day {at}"
                );
            }
        }
        if left.is_empty() {
            Ok(())
        } else {
            Err(format!("still there: {left:?}"))
        }
    })
    .await;
}

// ---------------------------------------------------------------------------
// What a bucket holds

/// One version or delete marker as ListObjectVersions shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub key: String,
    pub version_id: String,
    pub latest: bool,
    pub marker: bool,
    /// 0 for a marker.
    pub size: u64,
}

/// Every version and delete marker under `prefix`, walking
/// ListObjectVersions in pages.
pub async fn all_versions(s3: &Client, bucket: &str, prefix: &str) -> Vec<Version> {
    let mut all = Vec::new();
    let (mut key_marker, mut version_marker) = (None, None);
    for page_no in 1.. {
        assert!(page_no <= 1000, "the listing of {bucket} does not end");
        let page = s3
            .list_object_versions()
            .bucket(bucket)
            .prefix(prefix)
            .set_key_marker(key_marker.take())
            .set_version_id_marker(version_marker.take())
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListObjectVersions {bucket}: {}", DisplayErrorContext(&e)));
        for v in page.versions() {
            all.push(Version {
                key: v.key().expect("Key").to_string(),
                version_id: v.version_id().unwrap_or("null").to_string(),
                latest: v.is_latest() == Some(true),
                marker: false,
                size: u64::try_from(v.size().expect("Size")).expect("a size"),
            });
        }
        for m in page.delete_markers() {
            all.push(Version {
                key: m.key().expect("Key").to_string(),
                version_id: m.version_id().unwrap_or("null").to_string(),
                latest: m.is_latest() == Some(true),
                marker: true,
                size: 0,
            });
        }
        if page.is_truncated() != Some(true) {
            return all;
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
    }
    unreachable!()
}

/// Every upload in progress: (key, upload id).
pub async fn uploads(s3: &Client, bucket: &str) -> Vec<(String, String)> {
    let out = s3
        .list_multipart_uploads()
        .bucket(bucket)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListMultipartUploads {bucket}: {}", DisplayErrorContext(&e)));
    assert_ne!(
        out.is_truncated(),
        Some(true),
        "one page of uploads expected"
    );
    out.uploads()
        .iter()
        .map(|u| {
            (
                u.key().expect("Key").to_string(),
                u.upload_id().expect("UploadId").to_string(),
            )
        })
        .collect()
}

/// The sizes of an upload's parts, as ListParts shows them.
pub async fn part_sizes(s3: &Client, bucket: &str, key: &str, upload_id: &str) -> Vec<u64> {
    let out = s3
        .list_parts()
        .bucket(bucket)
        .key(key)
        .upload_id(upload_id)
        .send()
        .await
        .unwrap_or_else(|e| panic!("ListParts {key}: {}", DisplayErrorContext(&e)));
    assert_ne!(out.is_truncated(), Some(true), "one page of parts expected");
    out.parts()
        .iter()
        .map(|p| u64::try_from(p.size().expect("Size")).expect("a size"))
        .collect()
}

/// What a bucket's usage must be by its listings: (bytes of every version
/// that is not a marker plus every part of its uploads in progress, the
/// number of those versions).
pub async fn listed_usage(s3: &Client, bucket: &str) -> (u64, u64) {
    let versions = all_versions(s3, bucket, "").await;
    let stored = versions.iter().filter(|v| !v.marker);
    let mut bytes: u64 = stored.clone().map(|v| v.size).sum();
    let objects = stored.count() as u64;
    for (key, id) in uploads(s3, bucket).await {
        bytes += part_sizes(s3, bucket, &key, &id).await.iter().sum::<u64>();
    }
    (bytes, objects)
}

/// Whether `key` exists (HeadObject: 200, or 404); panics on anything else.
pub async fn exists(s3: &Client, bucket: &str, key: &str) -> bool {
    match s3.head_object().bucket(bucket).key(key).send().await {
        Ok(_) => true,
        Err(e) if error_status(&e) == Some(404) => false,
        Err(e) => panic!("HEAD {bucket}/{key}: {}", DisplayErrorContext(&e)),
    }
}

/// Asserts GET of `key` answers 404 `NoSuchKey`.
pub async fn assert_gone(s3: &Client, bucket: &str, key: &str) {
    match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(_) => panic!("GET {bucket}/{key} still answers"),
        Err(e) => {
            assert_eq!(
                error_status(&e),
                Some(404),
                "GET {key}: {}",
                DisplayErrorContext(&e)
            );
            assert_eq!(error_code(&e).as_deref(), Some("NoSuchKey"), "GET {key}");
        }
    }
}

// ---------------------------------------------------------------------------
// Admin API and CLI

/// `GET /admin/v1/buckets/{bucket}` of the store at `http`.
pub fn bucket_info(http: SocketAddr, bucket: &str) -> Value {
    let (status, info) = admin(
        http,
        "GET",
        &format!("/buckets/{bucket}"),
        Some(ADMIN_TOKEN),
        "",
    );
    assert_eq!(status, 200, "admin GET /buckets/{bucket}: {info}");
    info
}

/// `(usage.bytes, usage.objects)` the admin API reports for `bucket`.
pub fn usage(http: SocketAddr, bucket: &str) -> (u64, u64) {
    let info = bucket_info(http, bucket);
    let field = |f: &str| {
        info["usage"][f]
            .as_u64()
            .unwrap_or_else(|| panic!("usage.{f} in {info}"))
    };
    (field("bytes"), field("objects"))
}

/// `PUT /admin/v1/buckets/{bucket}/quota`; the answer (the bucket's
/// limits as they now are).
pub fn set_quota(
    http: SocketAddr,
    bucket: &str,
    max_bytes: Option<u64>,
    max_objects: Option<u64>,
) -> Value {
    let body = serde_json::json!({ "max_bytes": max_bytes, "max_objects": max_objects });
    let (status, answer) = admin(
        http,
        "PUT",
        &format!("/buckets/{bucket}/quota"),
        Some(ADMIN_TOKEN),
        &body.to_string(),
    );
    assert_eq!(status, 200, "set the quota of {bucket}: {answer}");
    answer
}

/// `predastore admin --json …` against the gateway at `http` with the
/// admin token: its JSON answer (panics unless it succeeds).
pub fn admin_cli(http: SocketAddr, args: &[&str]) -> Value {
    let out = Command::new(binary())
        .arg("admin")
        .arg("--json")
        .args(args)
        .env("PREDASTORE_ADMIN_URL", format!("http://{http}"))
        .env("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN)
        .output()
        .expect("run predastore admin");
    assert!(
        out.status.success(),
        "predastore admin {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "predastore admin {args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

// ---------------------------------------------------------------------------
// Waiting

/// Runs `check` every 200 ms until it gives a value, and returns it;
/// panics with `what` and the last reason `check` gave after `timeout`.
pub async fn poll<T>(
    what: &str,
    timeout: Duration,
    mut check: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        let last = match check().await {
            Ok(v) => return v,
            Err(why) => why,
        };
        assert!(
            Instant::now() < deadline,
            "{what}: not within {timeout:?} (last seen: {last})"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until the process at `http` reports a complete lifecycle walk
/// that finished at `secs` (Unix seconds) or later.
pub async fn wait_walk_finished_after(http: SocketAddr, secs: i64, timeout: Duration) {
    poll("a lifecycle walk to finish", timeout, async || {
        let last = metric_or_zero(http, LAST_COMPLETED);
        if last >= secs as f64 {
            Ok(())
        } else {
            Err(format!("{LAST_COMPLETED} {last}, want >= {secs}"))
        }
    })
    .await;
}
