//! Bucket lifecycle through the AWS SDK: configurations read back as put
//! and refused as S3 refuses them; `x-amz-expiration` and
//! `x-amz-abort-date` name the rule and the day; and the walk, on stores
//! whose "day" lasts two seconds (`PREDASTORE_LIFECYCLE_DAY_SECS`, no
//! pacing), expires what the rules select and nothing else: objects of an
//! unversioned bucket, current and noncurrent versions and lone delete
//! markers of a versioned one, by prefix, tag and size, old incomplete
//! uploads (and the bucket's usage with them), never a locked version.
//! One test runs with the real day, as users do: nothing fresh expires.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketVersioningStatus, ExpirationStatus, LifecycleExpiration,
    LifecycleRuleAndOperator, LifecycleRuleFilter, NoncurrentVersionExpiration,
    ObjectLockLegalHoldStatus, ObjectLockMode, Tagging, Transition, TransitionStorageClass,
};

use super::versioning::{delete_version, get_v, put_version, set_versioning};
use super::{create_bucket, create_upload, upload_part};
use crate::common::lifecycle::*;
use crate::common::s3::*;

/// Seconds in a lifecycle day on the stores of the walk tests.
const DAY: u64 = 2;

/// A store with two-second days, an unpaced walk and the admin API.
fn short_day_store() -> StoreProcess {
    StoreProcess::start(&[
        ("PREDASTORE_LIFECYCLE_DAY_SECS", "2"),
        ("PREDASTORE_LIFECYCLE_OBJECTS_PER_SEC", "0"),
        ("PREDASTORE_ADMIN_TOKEN", ADMIN_TOKEN),
    ])
}

/// How long after its day something due may still be there: the walk runs
/// every second (a 24th of a day, at least 1 s), and these tests share two
/// cores with many others.
const GRACE: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_lifecycle_configuration_reads_back_as_put_and_bad_ones_are_refused() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "rules").await;
    let get = async || {
        s3.get_bucket_lifecycle_configuration()
            .bucket("rules")
            .send()
            .await
    };
    assert_s3_error(get().await, "NoSuchLifecycleConfiguration", 404);

    let noncurrent = |days, newer: Option<i32>| {
        NoncurrentVersionExpiration::builder()
            .noncurrent_days(days)
            .set_newer_noncurrent_versions(newer)
            .build()
    };
    let filter = LifecycleRuleFilter::builder;
    let rules = built([
        rule("logs", prefix("logs/")).expiration(after_days(30)),
        rule("tagged", filter().tag(tag("class", "scratch")).build())
            .expiration(after_days(2))
            .status(ExpirationStatus::Disabled),
        rule("big", filter().object_size_greater_than(1 << 20).build()).expiration(after_days(90)),
        rule("small", filter().object_size_less_than(100).build())
            .noncurrent_version_expiration(noncurrent(7, Some(2))),
        rule(
            "and",
            filter()
                .and(
                    LifecycleRuleAndOperator::builder()
                        .prefix("tmp/")
                        .tags(tag("a", "1"))
                        .tags(tag("b", "2"))
                        .object_size_greater_than(10)
                        .object_size_less_than(1000)
                        .build(),
                )
                .build(),
        )
        .expiration(after_days(1))
        .noncurrent_version_expiration(noncurrent(3, None)),
        rule("markers", prefix("")).expiration(
            LifecycleExpiration::builder()
                .expired_object_delete_marker(true)
                .build(),
        ),
        rule("uploads", prefix("uploads/")).abort_incomplete_multipart_upload(
            AbortIncompleteMultipartUpload::builder()
                .days_after_initiation(7)
                .build(),
        ),
        // 2030-01-01T00:00:00Z.
        rule("dated", prefix("archive/")).expiration(
            LifecycleExpiration::builder()
                .date(DateTime::from_secs(1_893_456_000))
                .build(),
        ),
    ]);
    put_rules(&s3, "rules", rules.clone()).await;
    let got = get().await.expect("GetBucketLifecycleConfiguration");
    let got = got.rules().to_vec();
    assert_eq!(got.len(), rules.len(), "{got:?}");
    // The rule with an empty prefix is checked last (below), so a
    // difference there does not hide the rest.
    for (got, put) in got
        .iter()
        .zip(&rules)
        .filter(|(_, r)| r.id() != Some("markers"))
    {
        assert_eq!(got, put, "rule {:?} reads back as put", put.id());
    }

    // A new configuration replaces the whole old one.
    let one = built([rule("only", prefix("x/")).expiration(after_days(5))]);
    put_rules(&s3, "rules", one.clone()).await;
    assert_eq!(get().await.expect("GET lifecycle").rules(), &one[..]);

    // Refused configurations leave the one in place as it was.
    let refused = [
        (
            "Days 0",
            built([rule("zero", prefix("a/")).expiration(after_days(0))]),
            "InvalidArgument",
        ),
        (
            "Status Bogus",
            built([rule("bogus", prefix("a/"))
                .expiration(after_days(1))
                .status(ExpirationStatus::from("Bogus"))]),
            "MalformedXML",
        ),
        (
            "a transition",
            built([rule("cold", prefix("a/")).transitions(
                Transition::builder()
                    .days(30)
                    .storage_class(TransitionStorageClass::Glacier)
                    .build(),
            )]),
            "InvalidStorageClass",
        ),
        (
            "two rules with one id",
            built([
                rule("twice", prefix("a/")).expiration(after_days(1)),
                rule("twice", prefix("b/")).expiration(after_days(2)),
            ]),
            "InvalidArgument",
        ),
    ];
    for (what, rules, code) in refused {
        let answer = s3
            .put_bucket_lifecycle_configuration()
            .bucket("rules")
            .lifecycle_configuration(config(rules))
            .send()
            .await;
        let err = answer.expect_err(what);
        assert_eq!(
            (error_status(&err), error_code(&err).as_deref()),
            (Some(400), Some(code)),
            "{what}: {}",
            DisplayErrorContext(&err)
        );
        assert_eq!(
            get().await.expect("GET lifecycle").rules(),
            &one[..],
            "after {what}"
        );
    }

    s3.delete_bucket_lifecycle()
        .bucket("rules")
        .send()
        .await
        .expect("DeleteBucketLifecycle");
    assert_s3_error(get().await, "NoSuchLifecycleConfiguration", 404);
    // Deleting none is no error.
    s3.delete_bucket_lifecycle()
        .bucket("rules")
        .send()
        .await
        .expect("DeleteBucketLifecycle of none");

    assert_s3_error(
        s3.get_bucket_lifecycle_configuration()
            .bucket("nobucket")
            .send()
            .await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.put_bucket_lifecycle_configuration()
            .bucket("nobucket")
            .lifecycle_configuration(config(one.clone()))
            .send()
            .await,
        "NoSuchBucket",
        404,
    );
    assert_s3_error(
        s3.delete_bucket_lifecycle().bucket("nobucket").send().await,
        "NoSuchBucket",
        404,
    );

    // `<Filter><Prefix></Prefix></Filter>` (every object) reads back as
    // given, as S3 answers it.
    let (got, put) = (&got[5], &rules[5]);
    assert_eq!(put.id(), Some("markers"));
    assert_eq!(
        got.filter(),
        put.filter(),
        "the Filter of a rule put with an empty Prefix"
    );
    assert_eq!(got, put, "rule \"markers\" reads back as put");
}

/// With the real day, a rule of one day announces midnight UTC tomorrow
/// or the day after, and the walk (which runs at once for a bucket that
/// just got rules) leaves a fresh object alone.
#[tokio::test]
async fn with_real_days_a_fresh_object_is_announced_for_midnight_and_stays() {
    let store = StoreProcess::start(&[]);
    let s3 = store.client();
    create_bucket(&s3, "realdays").await;
    let body = random_bytes(7, 5000);
    let (none, (before, _)) = put_timed(&s3, "realdays", "fresh", &body, None).await;
    assert_eq!(none, None, "no rule yet, no x-amz-expiration");
    put_rules(
        &s3,
        "realdays",
        built([rule("one-day", prefix("")).expiration(after_days(1))]),
    )
    .await;
    let header = head_expiration(&s3, "realdays", "fresh").await;
    let at = assert_expiration(header.as_deref(), "one-day", 1, 86_400, (before, now_f64()));
    let today = (now_f64() / 86_400.0).floor() as i64;
    assert!(
        [today + 1, today + 2].contains(&(at / 86_400)),
        "expiry {at} is not midnight UTC tomorrow or the day after (today is day {today})"
    );

    wait_walk_finished_after(store.addr(), 1, GRACE).await;
    assert_object(&s3, "realdays", "fresh", &body).await;
    assert_eq!(metric_or_zero(store.addr(), EXPIRED_OBJECTS), 0.0);
}

#[tokio::test]
async fn objects_under_a_rule_go_a_day_or_two_after_their_write_and_the_others_stay() {
    let store = short_day_store();
    let s3 = store.client();
    create_bucket(&s3, "expiring").await;
    let started = now_f64();
    put_rules(
        &s3,
        "expiring",
        built([rule("tmp-after-a-day", prefix("tmp/")).expiration(after_days(1))]),
    )
    .await;

    let mut due = Vec::new();
    let mut expired_bytes = 0;
    for (i, len) in [10, 1000, MIB + 5, 3000].into_iter().enumerate() {
        let key = format!("tmp/{i}");
        let body = random_bytes(i as u64, len);
        let (header, window) = put_timed(&s3, "expiring", &key, &body, None).await;
        let at = assert_expiration(header.as_deref(), "tmp-after-a-day", 1, DAY, window);
        assert_eq!(
            head_expiration(&s3, "expiring", &key).await,
            header,
            "HEAD {key} announces what the PUT did"
        );
        assert_eq!(
            get_expiration(&s3, "expiring", &key).await,
            header,
            "GET {key} announces what the PUT did"
        );
        due.push((key, at));
        expired_bytes += len;
    }
    let mut kept = Vec::new();
    for (i, key) in ["keep/0", "keep/1", "tmpx", "a/tmp/0"]
        .into_iter()
        .enumerate()
    {
        let body = random_bytes(100 + i as u64, 2000 + i * 1000);
        let (header, _) = put_timed(&s3, "expiring", key, &body, None).await;
        assert_eq!(header, None, "PUT {key}: no rule selects it");
        assert_eq!(
            head_expiration(&s3, "expiring", key).await,
            None,
            "HEAD {key}"
        );
        kept.push((key, body));
    }

    wait_expired(&s3, "expiring", &due, GRACE).await;
    for (key, _) in &due {
        assert_gone(&s3, "expiring", key).await;
    }
    let listed: BTreeSet<String> = list_all_keys(&s3, "expiring").await.into_iter().collect();
    let want: BTreeSet<String> = kept.iter().map(|(k, _)| k.to_string()).collect();
    assert_eq!(listed, want, "what is listed after the walk");
    for (key, body) in &kept {
        assert_object(&s3, "expiring", key, body).await;
    }
    let kept_bytes: usize = kept.iter().map(|(_, b)| b.len()).sum();
    assert_eq!(
        usage(store.addr(), "expiring"),
        (kept_bytes as u64, kept.len() as u64),
        "usage after the walk"
    );

    let addr = store.addr();
    assert!(metric_or_zero(addr, EXPIRED_OBJECTS) >= due.len() as f64);
    assert!(metric_or_zero(addr, EXPIRED_BYTES) >= expired_bytes as f64);
    let last = metric_or_zero(addr, LAST_COMPLETED);
    assert!(
        last >= started.floor() && last <= now_f64() + 1.0,
        "{LAST_COMPLETED} {last} is not between the test's start {started:.0} and now"
    );
}

#[tokio::test]
async fn on_a_versioned_bucket_current_versions_get_markers_old_noncurrent_ones_and_lone_markers_go(
) {
    let store = short_day_store();
    let s3 = store.client();
    create_bucket(&s3, "vlife").await;
    set_versioning(&s3, "vlife", BucketVersioningStatus::Enabled).await;
    put_rules(
        &s3,
        "vlife",
        built([
            rule("current", prefix("cur/")).expiration(after_days(1)),
            rule("noncurrent", prefix("nc/")).noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(1)
                    .newer_noncurrent_versions(1)
                    .build(),
            ),
            rule("markers", prefix("dm/")).expiration(
                LifecycleExpiration::builder()
                    .expired_object_delete_marker(true)
                    .build(),
            ),
        ]),
    )
    .await;

    let a = random_bytes(1, 4000);
    let (header, window) = put_timed(&s3, "vlife", "cur/a", &a, None).await;
    let cur_due = assert_expiration(header.as_deref(), "current", 1, DAY, window);
    let va = all_versions(&s3, "vlife", "cur/a").await[0]
        .version_id
        .clone();

    let bodies: Vec<Vec<u8>> = (0..3)
        .map(|i| random_bytes(10 + i, 3000 + i as usize))
        .collect();
    let mut nc = Vec::new();
    for body in &bodies {
        nc.push(put_version(&s3, "vlife", "nc/k", body).await);
    }
    let last_write = now_f64();
    let (v1, v2, v3) = (&nc[0], &nc[1], &nc[2]);

    let vx = put_version(&s3, "vlife", "dm/x", b"soon a lone marker").await;
    s3.delete_object()
        .bucket("vlife")
        .key("dm/x")
        .send()
        .await
        .expect("DELETE dm/x (a marker)");
    delete_version(&s3, "vlife", "dm/x", &vx).await;
    let lone = all_versions(&s3, "vlife", "dm/").await;
    assert!(
        lone.len() == 1 && lone[0].marker,
        "dm/x is a lone marker: {lone:?}"
    );

    poll("the rules to act on every key", GRACE, async || {
        let listed = all_versions(&s3, "vlife", "").await;
        let of = |key: &str| {
            listed
                .iter()
                .filter(|v| v.key == key)
                .cloned()
                .collect::<Vec<_>>()
        };
        let nc_versions = of("nc/k");
        let nck: Vec<&str> = nc_versions.iter().map(|v| v.version_id.as_str()).collect();
        // The current and the newest noncurrent version never go.
        assert!(
            nck.contains(&v3.as_str()) && nck.contains(&v2.as_str()),
            "nc/k lost a version it keeps: {nck:?}"
        );
        let cur = of("cur/a");
        assert!(
            cur.iter().any(|v| v.version_id == va && !v.marker),
            "cur/a's version is gone: {cur:?}"
        );
        if cur.iter().any(|v| v.marker) && now_f64() < cur_due as f64 - 0.5 {
            panic!("cur/a got its marker before {cur_due}: {cur:?}");
        }
        let done = cur.iter().any(|v| v.marker && v.latest)
            && !nck.contains(&v1.as_str())
            && of("dm/x").is_empty();
        if done {
            Ok(())
        } else {
            Err(format!("{listed:?}"))
        }
    })
    .await;

    // A walk after the day nc/k's v2 (noncurrent since v3) would have been
    // due without NewerNoncurrentVersions: it still stays.
    wait_walk_finished_after(store.addr(), expiry_of(last_write, 1, DAY) + 2, GRACE).await;
    let listed = all_versions(&s3, "vlife", "").await;
    let cur: Vec<&Version> = listed.iter().filter(|v| v.key == "cur/a").collect();
    assert_eq!(cur.len(), 2, "cur/a: its version and one marker: {cur:?}");
    assert!(cur.iter().any(|v| v.marker && v.latest), "{cur:?}");
    assert_gone(&s3, "vlife", "cur/a").await;
    assert_eq!(get_v(&s3, "vlife", "cur/a", Some(&va)).await.0, a);
    let nck: Vec<(&str, bool)> = listed
        .iter()
        .filter(|v| v.key == "nc/k")
        .map(|v| (v.version_id.as_str(), v.latest))
        .collect();
    assert_eq!(nck, [(v3.as_str(), true), (v2.as_str(), false)], "nc/k");
    assert_eq!(get_v(&s3, "vlife", "nc/k", None).await.0, bodies[2]);
    assert_eq!(get_v(&s3, "vlife", "nc/k", Some(v2)).await.0, bodies[1]);
    assert!(all_versions(&s3, "vlife", "dm/").await.is_empty());

    assert!(metric_or_zero(store.addr(), EXPIRED_OBJECTS) >= 2.0);
    assert!(metric_or_zero(store.addr(), MARKERS_REMOVED) >= 1.0);
    assert_eq!(
        usage(store.addr(), "vlife"),
        listed_usage(&s3, "vlife").await,
        "usage after the walk"
    );
}

#[tokio::test]
async fn tag_and_size_filters_select_exactly_their_objects() {
    let store = short_day_store();
    let s3 = store.client();
    create_bucket(&s3, "filters").await;
    let filter = LifecycleRuleFilter::builder;
    put_rules(
        &s3,
        "filters",
        built([
            rule("temp", filter().tag(tag("class", "temp")).build()).expiration(after_days(1)),
            rule(
                "mid-size",
                filter()
                    .and(
                        LifecycleRuleAndOperator::builder()
                            .prefix("size/")
                            .object_size_greater_than(1000)
                            .object_size_less_than(5000)
                            .build(),
                    )
                    .build(),
            )
            .expiration(after_days(1)),
            rule("tiny", filter().object_size_less_than(100).build()).expiration(after_days(1)),
            rule("huge", filter().object_size_greater_than(20_000).build())
                .expiration(after_days(1)),
        ]),
    )
    .await;

    // (key, size, tags, the rule that expires it)
    let objects: [(&str, usize, Option<&str>, Option<&str>); 16] = [
        ("t/temp", 200, Some("class=temp"), Some("temp")),
        (
            "t/temp-and-more",
            200,
            Some("owner=ops&class=temp"),
            Some("temp"),
        ),
        ("t/other", 200, Some("class=keep"), None),
        ("t/none", 200, None, None),
        ("t/retagged", 200, None, Some("temp")),
        ("size/500", 500, None, None),
        ("size/1000", 1000, None, None),
        ("size/1001", 1001, None, Some("mid-size")),
        ("size/4999", 4999, None, Some("mid-size")),
        ("size/5000", 5000, None, None),
        ("other/3000", 3000, None, None),
        ("lt/99", 99, None, Some("tiny")),
        ("lt/100", 100, None, None),
        ("gt/20000", 20_000, None, None),
        ("gt/20001", 20_001, None, Some("huge")),
        ("gt/mib", MIB, Some("class=keep"), Some("huge")),
    ];
    let mut due = Vec::new();
    let mut kept = Vec::new();
    for (i, (key, len, tags, rule_id)) in objects.iter().enumerate() {
        let body = random_bytes(i as u64, *len);
        let (header, window) = put_timed(&s3, "filters", key, &body, *tags).await;
        match rule_id {
            Some(id) if *key != "t/retagged" => {
                let at = assert_expiration(header.as_deref(), id, 1, DAY, window);
                due.push((key.to_string(), at));
            }
            Some(_) => {
                assert_eq!(header, None, "PUT {key} before its tag");
                s3.put_object_tagging()
                    .bucket("filters")
                    .key(*key)
                    .tagging(
                        Tagging::builder()
                            .tag_set(tag("class", "temp"))
                            .build()
                            .expect("tagging"),
                    )
                    .send()
                    .await
                    .expect("PutObjectTagging");
                let header = head_expiration(&s3, "filters", key).await;
                let at = assert_expiration(header.as_deref(), "temp", 1, DAY, window);
                due.push((key.to_string(), at));
            }
            None => {
                assert_eq!(header, None, "PUT {key}: no rule selects it");
                kept.push((key.to_string(), body));
            }
        }
    }
    let last_write = now_f64();

    wait_expired(&s3, "filters", &due, GRACE).await;
    // A walk after the day every object would have been due by: still
    // none of the others goes.
    wait_walk_finished_after(store.addr(), expiry_of(last_write, 1, DAY) + 2, GRACE).await;
    let listed: BTreeSet<String> = list_all_keys(&s3, "filters").await.into_iter().collect();
    let want: BTreeSet<String> = kept.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(listed, want, "the objects no rule selects, and only they");
    for (key, body) in &kept {
        assert_object(&s3, "filters", key, body).await;
    }
}

#[tokio::test]
async fn an_incomplete_upload_is_aborted_after_its_days_and_its_parts_leave_the_usage() {
    let store = short_day_store();
    let s3 = store.client();
    create_bucket(&s3, "uploads").await;
    put_rules(
        &s3,
        "uploads",
        built([
            rule("abort-uploads", prefix("mp/")).abort_incomplete_multipart_upload(
                AbortIncompleteMultipartUpload::builder()
                    .days_after_initiation(1)
                    .build(),
            ),
        ]),
    )
    .await;
    let kept = random_bytes(1, 3000);
    put(&s3, "uploads", "mp/kept", &kept).await;
    let other = create_upload(&s3, "uploads", "other/upload").await;
    upload_part(
        &s3,
        "uploads",
        "other/upload",
        &other,
        1,
        &random_bytes(4, 7000),
    )
    .await;

    let before = now_f64();
    let created = s3
        .create_multipart_upload()
        .bucket("uploads")
        .key("mp/big")
        .send()
        .await
        .expect("CreateMultipartUpload");
    let window = (before, now_f64());
    let id = created.upload_id().expect("UploadId").to_string();
    assert_eq!(created.abort_rule_id(), Some("abort-uploads"));
    let abort_at = created.abort_date().expect("x-amz-abort-date").secs();
    let (earliest, latest) = (expiry_of(window.0, 1, DAY), expiry_of(window.1, 1, DAY));
    assert!(
        (earliest..=latest).contains(&abort_at),
        "abort date {abort_at} not in [{earliest}, {latest}]"
    );
    upload_part(&s3, "uploads", "mp/big", &id, 1, &random_bytes(2, 100_000)).await;
    upload_part(&s3, "uploads", "mp/big", &id, 2, &random_bytes(3, 50_000)).await;
    let parts = s3
        .list_parts()
        .bucket("uploads")
        .key("mp/big")
        .upload_id(&id)
        .send()
        .await
        .expect("ListParts");
    assert_eq!(parts.abort_rule_id(), Some("abort-uploads"));
    assert_eq!(parts.abort_date().map(DateTime::secs), Some(abort_at));
    assert_eq!(usage(store.addr(), "uploads"), (3000 + 7000 + 150_000, 1));

    poll("the upload to be aborted", GRACE, async || {
        let open = uploads(&s3, "uploads").await;
        let seen = now_f64();
        if open.iter().any(|(_, u)| *u == id) {
            return Err(format!("{open:?}"));
        }
        assert!(
            seen >= abort_at as f64 - 0.5,
            "aborted at {seen:.3}, before {abort_at}"
        );
        Ok(())
    })
    .await;
    assert_eq!(
        uploads(&s3, "uploads").await,
        [("other/upload".to_string(), other.clone())],
        "the upload no rule selects stays"
    );
    assert_s3_error(
        s3.upload_part()
            .bucket("uploads")
            .key("mp/big")
            .upload_id(&id)
            .part_number(3)
            .body(ByteStream::from_static(b"late"))
            .send()
            .await,
        "NoSuchUpload",
        404,
    );
    assert_eq!(
        usage(store.addr(), "uploads"),
        (3000 + 7000, 1),
        "usage without the aborted upload's parts"
    );
    assert_object(&s3, "uploads", "mp/kept", &kept).await;
    assert!(metric_or_zero(store.addr(), UPLOADS_ABORTED) >= 1.0);
    assert!(metric_or_zero(store.addr(), EXPIRED_BYTES) >= 150_000.0);
}

#[tokio::test]
async fn a_locked_version_outlives_every_rule() {
    let store = short_day_store();
    let s3 = store.client();
    s3.create_bucket()
        .bucket("locked")
        .object_lock_enabled_for_bucket(true)
        .send()
        .await
        .expect("create a lock bucket");
    put_rules(
        &s3,
        "locked",
        built([rule("everything", prefix(""))
            .expiration(after_days(1))
            .noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(1)
                    .build(),
            )]),
    )
    .await;
    let year_ahead = DateTime::from_secs(now_f64() as i64 + 365 * 86_400);
    let bodies: Vec<Vec<u8>> = (0..3).map(|i| random_bytes(i, 2500)).collect();
    let put_with = |key: &'static str, body: &[u8]| {
        s3.put_object()
            .bucket("locked")
            .key(key)
            .body(ByteStream::from(body.to_vec()))
    };
    let compliance = put_with("c", &bodies[0])
        .object_lock_mode(ObjectLockMode::Compliance)
        .object_lock_retain_until_date(year_ahead)
        .send()
        .await
        .expect("PUT under compliance retention");
    let held = put_with("h", &bodies[1])
        .object_lock_legal_hold_status(ObjectLockLegalHoldStatus::On)
        .send()
        .await
        .expect("PUT under legal hold");
    put_version(&s3, "locked", "u", &bodies[2]).await;
    let vc = compliance.version_id().expect("version id").to_string();
    let vh = held.version_id().expect("version id").to_string();

    // The unlocked object's version and then its lone marker go: the walk
    // got to every key.
    poll("the unlocked object to go entirely", GRACE, async || {
        let u = all_versions(&s3, "locked", "u").await;
        if u.is_empty() {
            Ok(())
        } else {
            Err(format!("{u:?}"))
        }
    })
    .await;
    wait_walk_finished_after(store.addr(), now_f64() as i64 + 1, GRACE).await;
    for (key, version, body) in [("c", &vc, &bodies[0]), ("h", &vh, &bodies[1])] {
        let listed = all_versions(&s3, "locked", key).await;
        assert!(
            listed.iter().any(|v| &v.version_id == version && !v.marker),
            "{key}'s locked version {version} is gone: {listed:?}"
        );
        assert_eq!(
            &get_v(&s3, "locked", key, Some(version)).await.0,
            body,
            "{key}"
        );
    }
    assert_eq!(bucket_info(store.addr(), "locked")["locked_versions"], 2);
}
