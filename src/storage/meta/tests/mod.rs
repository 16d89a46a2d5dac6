//! Unit tests of the metadata state machine, by theme; the shared setup
//! (a fresh store, sample uploads and parts, a scripted workload) is here.

mod access;
mod batches;
pub(crate) mod fixtures;
mod lifecycle;
mod multipart;
mod objects;
mod once;
mod repair;
mod snapshot;
mod versions;

use fixtures::*;

use super::error::MetaError;
use super::ops::{MetaOp, WriteCondition, MIN_PART_SIZE};
use super::records::{MultipartUpload, ObjectRecord, PartRecord};
use super::state::MetaState;

fn open() -> Result<(tempfile::TempDir, MetaState), MetaError> {
    let dir = tempfile::tempdir()?;
    let state = MetaState::open(dir.path())?;
    Ok((dir, state))
}

fn export(state: &MetaState) -> Result<Vec<u8>, MetaError> {
    let mut out = Vec::new();
    state.export(&mut out)?;
    Ok(out)
}

/// `stream` as a snapshot of format `version` (before 5) would hold it:
/// relabelled, without the usage, lifecycle and IAM keyspaces it did not
/// have.
pub(super) fn as_older_stream(stream: &[u8], version: u8) -> Vec<u8> {
    use super::state::Space;
    let newer = [Space::Usage, Space::Lifecycle, Space::Iam, Space::IamKeys].map(|s| s.tag());
    let mut out = stream[..9].to_vec();
    out[8] = version;
    let (mut at, mut count) = (9, 0u64);
    while stream[at] != super::snapshot::SNAPSHOT_END {
        let start = at;
        at += 1;
        for _ in 0..2 {
            let len =
                u32::from_le_bytes([stream[at], stream[at + 1], stream[at + 2], stream[at + 3]]);
            at += 4 + len as usize;
        }
        if !newer.contains(&stream[start]) {
            out.extend_from_slice(&stream[start..at]);
            count += 1;
        }
    }
    out.push(super::snapshot::SNAPSHOT_END);
    out.extend_from_slice(&count.to_le_bytes());
    out
}

fn upload(bucket: &str, key: &str, id: &str) -> MultipartUpload {
    MultipartUpload {
        bucket: bucket.into(),
        key: key.into(),
        upload_id: id.into(),
        initiated_ms: 5,
        content_type: Some("video/mp4".into()),
        user_metadata: vec![("color".into(), "blue".into())],
        headers: vec![("cache-control".into(), "no-cache".into())],
        layout: layout(),
        tags: Vec::new(),
        owner: "owner".into(),
        acl: crate::storage::meta::acl::Acl::private("owner"),
        checksum: None,
        lock: Default::default(),
        encryption: None,
    }
}

fn part(upload_id: &str, n: u32, size: u64) -> PartRecord {
    PartRecord {
        upload_id: upload_id.into(),
        part_number: n,
        size,
        etag: format!("p{n}"),
        object_id: 1000 + u128::from(n),
        shard_nodes: vec![u64::from(n); 6],
        last_modified_ms: 7,
        checksums: vec![("sha256".into(), format!("c{n}"))],
    }
}

fn complete(parts: &[(u32, &str)]) -> MetaOp {
    MetaOp::CompleteMultipart {
        bucket: "b".into(),
        key: "big".into(),
        upload_id: "u1".into(),
        parts: parts.iter().map(|(n, e)| (*n, (*e).to_owned())).collect(),
        record_template: ObjectRecord {
            etag: "abc-2".into(),
            object_id: 77,
            ..object("ignored", "ignored", 77)
        },
        condition: WriteCondition::Always,
    }
}

/// A bucket "b" with upload "u1" for key "big" and parts 1..=3
/// (5 MiB, 5 MiB, 1 byte).
fn with_upload() -> Result<(tempfile::TempDir, MetaState), MetaError> {
    let (dir, state) = open()?;
    let r = state.apply_batch(
        1,
        &[
            create_bucket("b"),
            MetaOp::CreateMultipart {
                upload: upload("b", "big", "u1"),
            },
            MetaOp::PutPart {
                part: part("u1", 1, MIN_PART_SIZE),
            },
            MetaOp::PutPart {
                part: part("u1", 2, MIN_PART_SIZE),
            },
            MetaOp::PutPart {
                part: part("u1", 3, 1),
            },
        ],
    )?;
    assert!(r.iter().all(Result::is_ok), "{r:?}");
    Ok((dir, state))
}

/// A fixed mix of ops, some refused, in several batches.
fn scripted_batches() -> Vec<Vec<MetaOp>> {
    let mut batches = Vec::new();
    for round in 0..6u32 {
        let mut ops = vec![create_bucket(&format!("b{}", round % 3))];
        for i in 0..20u32 {
            let b = format!("b{}", (round + i) % 4);
            let k = format!("k{}", (i * 7 + round) % 13);
            ops.push(match (i + round) % 5 {
                0 => MetaOp::DeleteObject { bucket: b, key: k },
                1 => MetaOp::PutObject {
                    record: object(&b, &k, u128::from(round * 100 + i)),
                    condition: WriteCondition::IfAbsent,
                },
                2 => MetaOp::DeleteBucket { name: b },
                _ => put(&b, &k, u128::from(round * 100 + i)),
            });
        }
        ops.push(MetaOp::CreateMultipart {
            upload: upload("b0", "m", &format!("u{round}")),
        });
        ops.push(MetaOp::PutPart {
            part: part(&format!("u{round}"), 1, MIN_PART_SIZE),
        });
        ops.extend(versioned_round(round));
        batches.push(ops);
    }
    batches
}

/// One round of the script on a versioned bucket with object lock, a
/// lifecycle rule and a quota: versions, retention and legal hold changes
/// (some refused by the lock), version deletes, lifecycle actions, a
/// quota that refuses writes.
fn versioned_round(round: u32) -> Vec<MetaOp> {
    use super::lifecycle::{Due, Expiration, LifecycleAction, LifecycleConfig, LifecycleRule};
    use super::lock::{LockMode, ObjectLockConfig, Retention, Versioning};
    use super::ops::VersionChange;
    use super::quota::Quota;
    use super::version::{VersionRef, VersionSeq};

    let v = "v".to_string();
    let key = |n: u32| format!("k{}", n % 3);
    // The version of `key(round)` the round before wrote (its second put,
    // op 28 of its entry), which that round gave a retention.
    let earlier = VersionRef::Id(VersionSeq::at(u64::from(round), 28));
    let mode = if round.is_multiple_of(2) {
        LockMode::Governance
    } else {
        LockMode::Compliance
    };
    let rule = LifecycleRule {
        id: "old".into(),
        enabled: true,
        expiration: Some(Expiration {
            days: Some(1 + round),
            ..Expiration::default()
        }),
        ..LifecycleRule::default()
    };
    vec![
        create_bucket(&v),
        MetaOp::PutBucketVersioning {
            bucket: v.clone(),
            state: Versioning::Enabled,
        },
        MetaOp::PutObjectLockConfig {
            bucket: v.clone(),
            config: ObjectLockConfig::default(),
        },
        // Room for this round's four writes but the last.
        MetaOp::SetBucketQuota {
            bucket: v.clone(),
            quota: Quota {
                max_bytes: None,
                max_objects: Some(u64::from(4 * round + 3)),
            },
        },
        put(&v, &key(round), u128::from(1000 + round)),
        put(&v, &key(round + 1), u128::from(2000 + round)),
        MetaOp::UpdateVersion {
            bucket: v.clone(),
            key: key(round),
            version: None,
            change: VersionChange::LegalHold {
                on: round.is_multiple_of(2),
                permitted: round.is_multiple_of(3),
            },
        },
        MetaOp::UpdateVersion {
            bucket: v.clone(),
            key: key(round + 1),
            version: None,
            change: VersionChange::Retention {
                retention: Some(Retention {
                    mode,
                    until_ms: u64::from(round) * 1000,
                }),
                bypass_governance: !round.is_multiple_of(2),
            },
        },
        // The earlier round's retained version of this key.
        MetaOp::DeleteVersion {
            bucket: v.clone(),
            key: key(round),
            version: earlier,
            bypass_governance: round.is_multiple_of(4),
        },
        MetaOp::DeleteVersion {
            bucket: v.clone(),
            key: key(round),
            version: VersionRef::Null,
            bypass_governance: false,
        },
        // Refused: a lock bucket's versioning cannot be suspended.
        MetaOp::PutBucketVersioning {
            bucket: v.clone(),
            state: Versioning::Suspended,
        },
        MetaOp::PutBucketLifecycle {
            bucket: v.clone(),
            config: Some(LifecycleConfig { rules: vec![rule] }),
        },
        MetaOp::ApplyLifecycle {
            bucket: v.clone(),
            day_ms: 1,
            due: vec![Due {
                key: key(round + 1),
                version: earlier,
                action: LifecycleAction::ExpireCurrent,
                upload_id: String::new(),
            }],
        },
        put(&v, &format!("over-{round}"), u128::from(3000 + round)),
        put(&v, &format!("more-{round}"), u128::from(4000 + round)),
    ]
}
