//! Lifecycle in the state machine: the walk's pages find what is due, and
//! applying re-checks each action, so nothing outside the rules goes.

use super::*;
use crate::storage::meta::lifecycle::{
    Due, Expiration, LifecycleAction, LifecycleConfig, LifecycleRule, LifecycleTally,
    NoncurrentExpiration, RuleFilter, WalkPoint,
};
use crate::storage::meta::lock::{LockMode, ObjectLock, ObjectLockConfig, Retention, Versioning};
use crate::storage::meta::ops::{MetaOpError, MetaOutcome};
use crate::storage::meta::version::VersionRef;
use crate::storage::meta::OpBatch;

const DAY: u64 = 10_000;

fn at(
    s: &MetaState,
    index: u64,
    at_ms: u64,
    ops: &[MetaOp],
) -> Result<Vec<crate::storage::meta::MetaResult>, MetaError> {
    let r = s.apply_entry(
        index,
        OpBatch {
            ops,
            ids: &[],
            at_ms,
        },
        None,
    )?;
    Ok(r)
}

fn rules(rules: Vec<LifecycleRule>) -> MetaOp {
    MetaOp::PutBucketLifecycle {
        bucket: "b".into(),
        config: Some(LifecycleConfig { rules }),
    }
}

fn expire(prefix: &str, days: u32) -> LifecycleRule {
    LifecycleRule {
        id: format!("expire-{prefix}"),
        enabled: true,
        filter: RuleFilter {
            prefix: prefix.into(),
            ..RuleFilter::default()
        },
        expiration: Some(Expiration {
            days: Some(days),
            ..Expiration::default()
        }),
        ..LifecycleRule::default()
    }
}

fn written(key: &str, id: u128, at_ms: u64) -> MetaOp {
    MetaOp::PutObject {
        record: ObjectRecord {
            last_modified_ms: at_ms,
            ..object("b", key, id)
        },
        condition: WriteCondition::Always,
    }
}

/// Bucket `b`, versioning enabled, with `rule` alone (log index 1).
fn versioned_with(s: &MetaState, rule: LifecycleRule) -> Result<(), MetaError> {
    let versioning = MetaOp::PutBucketVersioning {
        bucket: "b".into(),
        state: Versioning::Enabled,
    };
    at(
        s,
        1,
        1,
        &[create_bucket("b"), versioning, rules(vec![rule])],
    )?;
    Ok(())
}

/// Every page of the walk of bucket `b` at `now`.
fn walk(s: &MetaState, now: u64) -> Result<Vec<Due>, MetaError> {
    let mut point = WalkPoint::Current(None);
    let mut due = Vec::new();
    loop {
        let page = s.lifecycle_due("b", &point, 2, now, DAY)?;
        due.extend(page.due);
        match page.next {
            Some(next) => point = next,
            None => return Ok(due),
        }
    }
}

fn apply_due(
    s: &MetaState,
    index: u64,
    now: u64,
    due: Vec<Due>,
) -> Result<LifecycleTally, MetaError> {
    let op = MetaOp::ApplyLifecycle {
        bucket: "b".into(),
        day_ms: DAY,
        due,
    };
    match at(s, index, now, &[op])?.remove(0) {
        Ok(MetaOutcome::LifecycleApplied(t)) => Ok(t),
        other => panic!("{other:?}"),
    }
}

#[test]
fn current_versions_expire_by_prefix_and_overwritten_ones_stay() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    let mut ops = vec![create_bucket("b"), rules(vec![expire("logs/", 1)])];
    for i in 0..5u128 {
        ops.push(written(&format!("logs/{i}"), i, 1));
        ops.push(written(&format!("keep/{i}"), 10 + i, 1));
    }
    at(&s, 1, 1, &ops)?;
    assert!(walk(&s, DAY)?.is_empty(), "not a day yet");
    let due = walk(&s, 2 * DAY)?;
    assert_eq!(due.len(), 5, "{due:?}");
    assert!(due.iter().all(|d| d.key.starts_with("logs/")));
    // logs/0 is written again before the walk's finding applies.
    at(&s, 2, 2 * DAY, &[written("logs/0", 99, 2 * DAY)])?;
    let done = apply_due(&s, 3, 2 * DAY, due)?;
    assert_eq!(done.objects, 4);
    assert_eq!(done.bytes, 40);
    assert!(
        s.get_object("b", "logs/0")?.is_some(),
        "the new write stays"
    );
    assert!(s.get_object("b", "logs/1")?.is_none());
    assert!(s.get_object("b", "keep/1")?.is_some());
    Ok(())
}

#[test]
fn versioned_expiry_adds_markers_then_noncurrent_and_lone_markers_go() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    let rule = LifecycleRule {
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_versions: None,
        }),
        ..expire("", 1)
    };
    versioned_with(&s, rule)?;
    at(&s, 2, 1, &[written("k", 1, 1)])?;
    // Day 2: the current version gets a delete marker.
    let due = walk(&s, 2 * DAY)?;
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].action, LifecycleAction::ExpireCurrent);
    assert_eq!(apply_due(&s, 3, 2 * DAY, due)?.objects, 1);
    assert!(s.get_object("b", "k")?.is_none());
    assert!(s.latest_version("b", "k")?.is_some_and(|v| v.delete_marker));
    // The version became noncurrent on day 2: it goes on day 3, and the
    // marker, then lone and a day old, with it on the next walk.
    assert!(walk(&s, 3 * DAY - 1)?.is_empty());
    let due = walk(&s, 3 * DAY)?;
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].action, LifecycleAction::ExpireNoncurrent);
    apply_due(&s, 4, 3 * DAY, due)?;
    let due = walk(&s, 3 * DAY)?;
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].action, LifecycleAction::RemoveMarker);
    assert_eq!(apply_due(&s, 5, 3 * DAY, due)?.markers, 1);
    assert!(s.latest_version("b", "k")?.is_none());
    Ok(())
}

#[test]
fn a_locked_version_survives_its_rule() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    let mut locked_bucket = bucket("b", "owner");
    locked_bucket.versioning = Versioning::Enabled;
    locked_bucket.object_lock = Some(ObjectLockConfig {
        default_retention: None,
    });
    let rule = LifecycleRule {
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_versions: None,
        }),
        ..expire("", 1)
    };
    at(
        &s,
        1,
        1,
        &[
            MetaOp::CreateBucket {
                record: locked_bucket,
            },
            rules(vec![rule]),
        ],
    )?;
    let held = MetaOp::PutObject {
        record: ObjectRecord {
            last_modified_ms: 1,
            lock: ObjectLock {
                retention: Some(Retention {
                    mode: LockMode::Compliance,
                    until_ms: 100 * DAY,
                }),
                legal_hold: false,
            },
            ..object("b", "k", 1)
        },
        condition: WriteCondition::Always,
    };
    let r = at(&s, 2, 1, &[held, written("k", 2, 1)])?;
    assert!(r.iter().all(Result::is_ok), "{r:?}");
    let due = walk(&s, 10 * DAY)?;
    assert!(due
        .iter()
        .any(|d| d.action == LifecycleAction::ExpireNoncurrent));
    let done = apply_due(&s, 3, 10 * DAY, due)?;
    assert_eq!(done.objects, 1, "only the current one got its marker");
    let older = s.key_versions("b", "k", None, 10)?;
    assert!(
        older.iter().any(|v| v.lock.retention.is_some()),
        "the locked version is still there: {older:?}"
    );
    Ok(())
}

#[test]
fn old_uploads_are_aborted_and_their_parts_freed() -> Result<(), MetaError> {
    let (_d, s) = with_upload()?;
    let rule = LifecycleRule {
        id: "abort".into(),
        enabled: true,
        abort_after_days: Some(1),
        ..LifecycleRule::default()
    };
    at(&s, 2, 1, &[rules(vec![rule])])?;
    assert!(s.bucket_usage("b")?.bytes > 0);
    let due = walk(&s, 2 * DAY)?;
    assert_eq!(due, vec![Due::abort("big", "u1")]);
    let done = apply_due(&s, 3, 2 * DAY, due)?;
    assert_eq!(done.uploads, 1);
    assert_eq!(done.bytes, 2 * MIN_PART_SIZE + 1);
    assert_eq!(s.get_upload("u1")?, None);
    assert_eq!(s.bucket_usage("b")?.bytes, 0);
    Ok(())
}

#[test]
fn a_forged_or_stale_action_does_nothing() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    at(
        &s,
        1,
        1,
        &[
            create_bucket("b"),
            rules(vec![expire("old/", 1)]),
            written("new/k", 1, 1),
        ],
    )?;
    let forged = vec![Due {
        key: "new/k".into(),
        version: VersionRef::Null,
        action: LifecycleAction::ExpireCurrent,
        upload_id: String::new(),
    }];
    let done = apply_due(&s, 2, 50 * DAY, forged)?;
    assert_eq!(done, LifecycleTally::default());
    assert!(s.get_object("b", "new/k")?.is_some());
    let gone_rules = MetaOp::PutBucketLifecycle {
        bucket: "b".into(),
        config: None,
    };
    at(&s, 3, 1, &[gone_rules])?;
    assert_eq!(s.lifecycle("b")?, None);
    assert!(s.lifecycle_buckets()?.is_empty());
    let missing = MetaOp::PutBucketLifecycle {
        bucket: "nope".into(),
        config: None,
    };
    assert_eq!(
        at(&s, 4, 1, &[missing])?.remove(0),
        Err(MetaOpError::NoSuchBucket)
    );
    Ok(())
}

#[test]
fn a_deep_history_expires_in_one_op_down_to_the_versions_kept() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    let rule = LifecycleRule {
        id: "noncurrent".into(),
        enabled: true,
        noncurrent: Some(NoncurrentExpiration {
            days: 1,
            newer_versions: Some(3),
        }),
        ..LifecycleRule::default()
    };
    versioned_with(&s, rule)?;
    let mut versions = Vec::new();
    for i in 0..12u128 {
        match at(&s, 2 + i as u64, 1, &[written("k", i, 1)])?.remove(0) {
            Ok(MetaOutcome::Stored { version }) => versions.push(version),
            other => panic!("{other:?}"),
        }
    }
    // Eleven noncurrent versions, the three newest kept: eight are due.
    let mut due = walk(&s, 3 * DAY)?;
    assert_eq!(due.len(), 8, "{due:?}");
    // An action found twice is carried out once.
    due.push(due[0].clone());
    let done = apply_due(&s, 20, 3 * DAY, due)?;
    assert_eq!((done.objects, done.bytes), (8, 80));
    for (i, v) in versions.iter().enumerate() {
        let kept = s.get_version("b", "k", *v)?.is_some();
        assert_eq!(kept, i >= 8, "version {i}");
    }
    assert_eq!(s.get_object("b", "k")?.map(|o| o.object_id), Some(11));
    assert!(walk(&s, 3 * DAY)?.is_empty());
    Ok(())
}
