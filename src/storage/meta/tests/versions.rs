//! Versions in the state machine: writes keep what they replace on a
//! versioned bucket, markers, deletes by id, suspension, locks, and the
//! ListObjectVersions pages.

use super::*;
use crate::storage::meta::lock::{
    LockMode, ObjectLock, ObjectLockConfig, Retention, Versioning, VersioningExclusions,
};
use crate::storage::meta::ops::{MetaOpError, MetaOutcome, VersionChange};
use crate::storage::meta::version::VersionRef;
use crate::storage::meta::version_reads::VersionsQuery;

/// A store with bucket `b`, versioning `state`.
fn versioned(state: Versioning) -> Result<(tempfile::TempDir, MetaState), MetaError> {
    let (dir, s) = open()?;
    let ops = [
        MetaOp::CreateBucket {
            record: bucket("b", "owner"),
        },
        MetaOp::PutBucketVersioning {
            bucket: "b".into(),
            state,
        },
    ];
    for r in s.apply_batch(1, &ops)? {
        assert!(r.is_ok(), "{r:?}");
    }
    Ok((dir, s))
}

/// Applies one op at `index`, answering its outcome.
fn apply(
    s: &MetaState,
    index: u64,
    op: MetaOp,
) -> Result<Result<MetaOutcome, MetaOpError>, MetaError> {
    Ok(s.apply_batch(index, &[op])?.remove(0))
}

fn stored(outcome: Result<MetaOutcome, MetaOpError>) -> VersionRef {
    match outcome {
        Ok(MetaOutcome::Stored { version }) | Ok(MetaOutcome::MarkerAdded { version }) => version,
        other => panic!("not stored: {other:?}"),
    }
}

fn delete_version(key: &str, version: VersionRef, bypass: bool) -> MetaOp {
    MetaOp::DeleteVersion {
        bucket: "b".into(),
        key: key.into(),
        version,
        bypass_governance: bypass,
    }
}

fn all_versions(s: &MetaState) -> Result<Vec<(String, VersionRef, bool, bool)>, MetaError> {
    let page = s.list_versions(
        "b",
        &VersionsQuery {
            max_keys: 1000,
            ..VersionsQuery::default()
        },
    )?;
    Ok(page
        .entries
        .into_iter()
        .map(|e| (e.key, e.version, e.is_latest, e.delete_marker))
        .collect())
}

#[test]
fn overwrites_keep_versions_and_deletes_by_id_promote_the_next() -> Result<(), MetaError> {
    let (_d, s) = versioned(Versioning::Enabled)?;
    let a1 = stored(apply(&s, 2, put("b", "a", 1))?);
    let a2 = stored(apply(&s, 3, put("b", "a", 2))?);
    let b1 = stored(apply(&s, 4, put("b", "b", 3))?);
    let b2 = stored(apply(&s, 5, put("b", "b", 4))?);
    assert!(a1 != a2 && b1 != b2);
    assert_eq!(
        all_versions(&s)?,
        [
            ("a".into(), a2, true, false),
            ("a".into(), a1, false, false),
            ("b".into(), b2, true, false),
            ("b".into(), b1, false, false),
        ]
    );
    // Both deletes in one batch: a noncurrent one and a current one.
    let r = s.apply_batch(
        6,
        &[
            delete_version("a", a1, false),
            delete_version("b", b2, false),
        ],
    )?;
    assert!(r.iter().all(Result::is_ok), "{r:?}");
    assert_eq!(s.get_object("b", "a")?.map(|o| o.object_id), Some(2));
    assert_eq!(s.get_object("b", "b")?.map(|o| o.object_id), Some(3));
    assert_eq!(s.get_version("b", "a", a1)?, None);
    assert_eq!(
        all_versions(&s)?,
        [("a".into(), a2, true, false), ("b".into(), b1, true, false)]
    );
    Ok(())
}

#[test]
fn deleting_a_history_newest_first_brings_back_each_next_version() -> Result<(), MetaError> {
    let (_d, s) = versioned(Versioning::Enabled)?;
    let del = || MetaOp::DeleteObject {
        bucket: "b".into(),
        key: "k".into(),
    };
    let v1 = stored(apply(&s, 2, put("b", "k", 1))?);
    let v2 = stored(apply(&s, 3, put("b", "k", 2))?);
    let m1 = stored(apply(&s, 4, del())?);
    let v3 = stored(apply(&s, 5, put("b", "k", 3))?);
    let m2 = stored(apply(&s, 6, del())?);
    let latest = |s: &MetaState| -> Result<_, MetaError> {
        let l = s.latest_version("b", "k")?;
        Ok(l.map(|o| (o.version_ref(), o.delete_marker)))
    };
    // An older version under a latest marker: the marker stays latest.
    assert!(apply(&s, 7, delete_version("k", v2, false))?.is_ok());
    assert_eq!(s.get_object("b", "k")?, None);
    assert_eq!(latest(&s)?, Some((m2, true)));
    // In one batch: the latest marker (v3 comes back), then v3 itself
    // (the marker under it is latest again).
    let r = s.apply_batch(
        8,
        &[
            delete_version("k", m2, false),
            delete_version("k", v3, false),
        ],
    )?;
    assert!(r.iter().all(Result::is_ok), "{r:?}");
    assert_eq!(s.get_object("b", "k")?, None);
    assert_eq!(latest(&s)?, Some((m1, true)));
    // The last marker gone: the oldest version is current.
    assert!(apply(&s, 9, delete_version("k", m1, false))?.is_ok());
    assert_eq!(s.get_object("b", "k")?.map(|o| o.object_id), Some(1));
    assert_eq!(all_versions(&s)?, [("k".into(), v1, true, false)]);
    Ok(())
}

#[test]
fn a_delete_adds_a_marker_and_removing_it_brings_the_object_back() -> Result<(), MetaError> {
    let (_d, s) = versioned(Versioning::Enabled)?;
    let v1 = stored(apply(&s, 2, put("b", "k", 1))?);
    let del = MetaOp::DeleteObject {
        bucket: "b".into(),
        key: "k".into(),
    };
    let marker = stored(apply(&s, 3, del)?);
    assert_eq!(s.get_object("b", "k")?, None);
    let latest = s
        .latest_version("b", "k")?
        .map(|o| (o.delete_marker, o.version_ref()));
    assert_eq!(latest, Some((true, marker)));
    assert_eq!(
        all_versions(&s)?,
        [
            ("k".into(), marker, true, true),
            ("k".into(), v1, false, false)
        ]
    );
    assert!(apply(&s, 4, delete_version("k", marker, false))?.is_ok());
    assert_eq!(s.get_object("b", "k")?.map(|o| o.object_id), Some(1));
    // Dropped data: only that of versions deleted by id.
    assert!(apply(&s, 5, delete_version("k", v1, false))?.is_ok());
    assert_eq!(s.get_object("b", "k")?, None);
    assert!(all_versions(&s)?.is_empty());
    Ok(())
}

#[test]
fn a_key_keeps_one_null_version_through_suspended_writes_and_deletes() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    assert!(apply(
        &s,
        1,
        MetaOp::CreateBucket {
            record: bucket("b", "owner")
        }
    )?
    .is_ok());
    let state = |state| MetaOp::PutBucketVersioning {
        bucket: "b".into(),
        state,
    };
    // A version from before versioning, then two versioned ones.
    assert!(apply(&s, 2, put("b", "k", 1))?.is_ok());
    assert!(apply(&s, 3, state(Versioning::Enabled))?.is_ok());
    let v2 = stored(apply(&s, 4, put("b", "k", 2))?);
    let v3 = stored(apply(&s, 5, put("b", "k", 3))?);
    assert!(apply(&s, 6, state(Versioning::Suspended))?.is_ok());
    // A delete adds a null marker; the oldest null version goes.
    let del = MetaOp::DeleteObject {
        bucket: "b".into(),
        key: "k".into(),
    };
    assert_eq!(stored(apply(&s, 7, del)?), VersionRef::Null);
    let marker_then = |null_marker| {
        vec![
            ("k".to_owned(), VersionRef::Null, true, null_marker),
            ("k".to_owned(), v3, false, false),
            ("k".to_owned(), v2, false, false),
        ]
    };
    assert_eq!(all_versions(&s)?, marker_then(true));
    // A write replaces the null marker, and then its own null version.
    for (index, id) in [(8, 4), (9, 5)] {
        assert_eq!(
            stored(apply(&s, index, put("b", "k", id))?),
            VersionRef::Null
        );
        assert_eq!(all_versions(&s)?, marker_then(false));
        let null = s.get_version("b", "k", VersionRef::Null)?;
        assert_eq!(null.map(|o| o.object_id), Some(id));
    }
    Ok(())
}

#[test]
fn suspension_replaces_only_the_null_version() -> Result<(), MetaError> {
    let (_d, s) = versioned(Versioning::Enabled)?;
    let v1 = stored(apply(&s, 2, put("b", "k", 1))?);
    let suspend = MetaOp::PutBucketVersioning {
        bucket: "b".into(),
        state: Versioning::Suspended,
    };
    assert!(apply(&s, 3, suspend)?.is_ok());
    assert_eq!(stored(apply(&s, 4, put("b", "k", 2))?), VersionRef::Null);
    assert_eq!(stored(apply(&s, 5, put("b", "k", 3))?), VersionRef::Null);
    assert_eq!(
        all_versions(&s)?,
        [
            ("k".into(), VersionRef::Null, true, false),
            ("k".into(), v1, false, false),
        ]
    );
    assert_eq!(
        s.get_version("b", "k", VersionRef::Null)?
            .map(|o| o.object_id),
        Some(3)
    );
    let back = MetaOp::PutBucketVersioning {
        bucket: "b".into(),
        state: Versioning::Unversioned,
    };
    assert_eq!(apply(&s, 6, back)?, Err(MetaOpError::InvalidArgument));
    Ok(())
}

#[test]
fn keys_minio_excludes_keep_one_null_version_others_every_version() -> Result<(), MetaError> {
    let exclusions = VersioningExclusions {
        prefixes: vec!["jobs/*/_temporary/".into()],
        folders: true,
    };
    let (_d, s) = versioned(Versioning::EnabledExcept(Box::new(exclusions)))?;
    let mut index = 2;
    let mut write = |key: &str, id: u128| -> Result<VersionRef, MetaError> {
        index += 1;
        Ok(stored(apply(&s, index, put("b", key, id))?))
    };
    for key in ["jobs/7/_temporary/part-0", "photos/"] {
        assert_eq!(write(key, 1)?, VersionRef::Null, "{key}");
        assert_eq!(write(key, 2)?, VersionRef::Null, "{key}");
        assert_eq!(s.get_object("b", key)?.map(|o| o.object_id), Some(2));
    }
    let v1 = write("jobs/7/result", 3)?;
    let v2 = write("jobs/7/result", 4)?;
    assert!(v1 != VersionRef::Null && v1 != v2);
    assert_eq!(
        all_versions(&s)?,
        [
            (
                "jobs/7/_temporary/part-0".into(),
                VersionRef::Null,
                true,
                false
            ),
            ("jobs/7/result".into(), v2, true, false),
            ("jobs/7/result".into(), v1, false, false),
            ("photos/".into(), VersionRef::Null, true, false),
        ]
    );
    Ok(())
}

#[test]
fn a_locked_bucket_takes_no_exclusions() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    let mut lock_bucket = bucket("b", "owner");
    lock_bucket.object_lock = Some(ObjectLockConfig::default());
    lock_bucket.versioning = Versioning::Enabled;
    let create = MetaOp::CreateBucket {
        record: lock_bucket,
    };
    assert!(apply(&s, 1, create)?.is_ok());
    let exclude = MetaOp::PutBucketVersioning {
        bucket: "b".into(),
        state: Versioning::EnabledExcept(Box::new(VersioningExclusions {
            prefixes: vec!["tmp/".into()],
            folders: false,
        })),
    };
    assert_eq!(apply(&s, 2, exclude)?, Err(MetaOpError::InvalidBucketState));
    Ok(())
}

#[test]
fn locked_versions_resist_deletes_until_their_time() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    let mut lock_bucket = bucket("b", "owner");
    lock_bucket.object_lock = Some(ObjectLockConfig::default());
    assert!(apply(
        &s,
        1,
        MetaOp::CreateBucket {
            record: lock_bucket
        }
    )?
    .is_ok());
    let mut record = object("b", "k", 1);
    record.lock = ObjectLock {
        retention: Some(Retention {
            mode: LockMode::Governance,
            until_ms: 10_000,
        }),
        legal_hold: false,
    };
    let put_locked = MetaOp::PutObject {
        record,
        condition: WriteCondition::Always,
    };
    let v = stored(apply(&s, 2, put_locked)?);
    // Entries applied with a leader time before the retention's end.
    let at = |index: u64, op: MetaOp, at_ms: u64| -> Result<_, MetaError> {
        let batch = crate::storage::meta::OpBatch {
            ops: &[op],
            ids: &[],
            at_ms,
        };
        Ok(s.apply_entry(index, batch, None)?.remove(0))
    };
    assert_eq!(
        at(3, delete_version("k", v, false), 5_000)?,
        Err(MetaOpError::ObjectLocked)
    );
    let to_compliance = |bypass_governance| MetaOp::UpdateVersion {
        bucket: "b".into(),
        key: "k".into(),
        version: Some(v),
        change: VersionChange::Retention {
            retention: Some(Retention {
                mode: LockMode::Compliance,
                until_ms: 20_000,
            }),
            bypass_governance,
        },
    };
    assert_eq!(
        at(4, to_compliance(false), 5_000)?,
        Err(MetaOpError::ObjectLocked),
        "a mode change needs the bypass"
    );
    assert!(
        at(5, to_compliance(true), 5_000)?.is_ok(),
        "governance may become compliance with the bypass"
    );
    assert_eq!(
        at(6, delete_version("k", v, true), 5_000)?,
        Err(MetaOpError::ObjectLocked)
    );
    assert_eq!(
        at(
            7,
            MetaOp::PutBucketVersioning {
                bucket: "b".into(),
                state: Versioning::Suspended
            },
            5_000
        )?,
        Err(MetaOpError::InvalidBucketState)
    );
    assert!(at(8, delete_version("k", v, false), 20_001)?.is_ok());
    assert_eq!(s.get_object("b", "k")?, None);
    Ok(())
}

#[test]
fn version_pages_resume_inside_a_key() -> Result<(), MetaError> {
    let (_d, s) = versioned(Versioning::Enabled)?;
    let mut written = Vec::new();
    for i in 0..25u64 {
        written.push(stored(apply(&s, 2 + i, put("b", "k", u128::from(i) + 1))?));
    }
    let mut seen = Vec::new();
    let mut query = VersionsQuery {
        max_keys: 7,
        ..VersionsQuery::default()
    };
    loop {
        let page = s.list_versions("b", &query)?;
        seen.extend(page.entries.iter().map(|e| (e.version, e.is_latest)));
        if !page.is_truncated {
            break;
        }
        query.key_marker = page.next_key_marker;
        query.version_marker = page.next_version_marker;
    }
    written.reverse();
    let expected: Vec<_> = written
        .iter()
        .enumerate()
        .map(|(i, v)| (*v, i == 0))
        .collect();
    assert_eq!(seen, expected);
    Ok(())
}
