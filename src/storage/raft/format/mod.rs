//! How the Raft log store and state machine store their values: one value
//! version byte, then postcard.
//!
//! Log entries hold metadata ops and so the records in them, whose shapes
//! change: an entry is decoded as the shape its version wrote (one generic
//! old shape, [`old`], with a file per old version naming its records:
//! [`v4`], [`v5`], [`v6`], [`v7`], [`v8`]) and upgraded to today's. The other values
//! (vote, purge point, committed id, applied state, snapshot meta) have
//! kept one shape, and every version still read decodes as it.
//!
//! Version 4: entries carried record format 3 (tags); version 5: record
//! format 4 (part checksums, e-mail addresses, CORS rules); version 6:
//! record format 5 (versions, object lock; lifecycle and quota ops came
//! later as appended variants); version 7: record format 6 (access
//! settings on buckets); version 8: record format 7 (volumes in the
//! cluster layout); version 9: record format 8 (encryption of objects and
//! uploads, buckets' default encryption). Ops added since are appended variants; one that
//! carries no changed record keeps entries written before it readable
//! unchanged.

mod old;
mod v4;
mod v5;
mod v6;
mod v7;
mod v8;

use openraft::Entry;
use serde::{Deserialize, Serialize};

use super::types::MetaRaft;
use crate::storage::versioned;

/// Format version of the values written today.
const VALUE_VERSION: u8 = 9;

/// The oldest version still read (see [`v4`]).
const VERSION_4: u8 = 4;

/// Entries with version-4 records (see [`v5`]).
const VERSION_5: u8 = 5;

/// Entries with version-5 records (see [`v6`]).
const VERSION_6: u8 = 6;

/// Entries with version-6 records (see [`v7`]).
const VERSION_7: u8 = 7;

/// The version before today's (see [`v8`]).
const VERSION_8: u8 = 8;

/// Versioned postcard encoding of a stored value.
pub(super) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, postcard::Error> {
    // Straight after the version byte: an entry is up to a MiB.
    versioned::encode(VALUE_VERSION, value)
}

fn invalid(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e)
}

/// Inverse of [`encode`] for every value but log entries (see
/// [`decode_entry`]); a wrong version or damaged bytes is an error.
pub(super) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, std::io::Error> {
    match bytes.split_first() {
        Some((
            &(VALUE_VERSION | VERSION_8 | VERSION_7 | VERSION_6 | VERSION_5 | VERSION_4),
            rest,
        )) => postcard::from_bytes(rest).map_err(invalid),
        _ => Err(invalid("unknown stored value version")),
    }
}

/// Inverse of [`encode`] for a log entry of any version still read: decoded
/// as its version's shape, then upgraded.
pub(super) fn decode_entry(bytes: &[u8]) -> Result<Entry<MetaRaft>, std::io::Error> {
    match bytes.split_first() {
        Some((&VALUE_VERSION, rest)) => postcard::from_bytes(rest).map_err(invalid),
        Some((&VERSION_8, rest)) => postcard::from_bytes::<old::Entry<v8::Records7>>(rest)
            .map(Entry::from)
            .map_err(invalid),
        Some((&VERSION_7, rest)) => postcard::from_bytes::<old::Entry<v7::Records6>>(rest)
            .map(Entry::from)
            .map_err(invalid),
        Some((&VERSION_6, rest)) => postcard::from_bytes::<old::Entry<v6::Records5>>(rest)
            .map(Entry::from)
            .map_err(invalid),
        Some((&VERSION_5, rest)) => postcard::from_bytes::<old::Entry<v5::Records4>>(rest)
            .map(Entry::from)
            .map_err(invalid),
        Some((&VERSION_4, rest)) => postcard::from_bytes::<old::Entry<v4::Records3>>(rest)
            .map(Entry::from)
            .map_err(invalid),
        _ => Err(invalid("unknown stored value version")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::meta::MetaOp;
    use crate::storage::raft::types::MetaRequest;
    use openraft::{CommittedLeaderId, EntryPayload, LogId};

    #[test]
    fn entries_round_trip_and_damage_is_an_error() -> Result<(), Box<dyn std::error::Error>> {
        let entry: Entry<MetaRaft> = Entry {
            log_id: LogId::new(CommittedLeaderId::new(3, 1), 42),
            payload: EntryPayload::Normal(MetaRequest {
                ops: vec![MetaOp::DeleteObject {
                    bucket: "b".into(),
                    key: "k".into(),
                }]
                .into(),
                ids: vec![7],
                at_ms: 1_700_000_000_000,
            }),
        };
        let bytes = encode(&entry)?;
        let back = decode_entry(&bytes)?;
        assert_eq!(back.log_id, entry.log_id);
        assert!(decode_entry(&bytes[..bytes.len() - 1]).is_err());
        let mut wrong = bytes.clone();
        wrong[0] = 10;
        assert!(decode_entry(&wrong).is_err());
        assert!(decode_entry(&[]).is_err());
        Ok(())
    }

    /// A version-4 entry whose op held a version-3 part record (no
    /// checksum), as the previous build wrote it: written here field by
    /// field, since postcard writes an enum as its variant's index and a
    /// struct as its fields in order.
    #[test]
    fn a_version_4_entry_reads_with_its_old_record_shape() -> Result<(), Box<dyn std::error::Error>>
    {
        let log_id = LogId::new(CommittedLeaderId::new(2, 1), 9);
        const NORMAL: u32 = 1;
        const PUT_PART: u32 = 5;
        let part_v3 = ("upload", 3u32, 5u64, "etag", 77u128, vec![1u64, 2], 11u64);
        let written = (
            log_id,
            NORMAL,
            vec![(PUT_PART, part_v3)],
            vec![7u128],
            1_000u64,
        );
        let mut bytes = vec![VERSION_4];
        bytes.extend(postcard::to_stdvec(&written)?);
        let entry = decode_entry(&bytes)?;
        assert_eq!(entry.log_id, log_id);
        let EntryPayload::Normal(request) = entry.payload else {
            panic!("not a normal entry");
        };
        assert_eq!(
            (request.ids.as_slice(), request.at_ms),
            (&[7u128][..], 1_000)
        );
        let [MetaOp::PutPart { part }] = &request.ops[..] else {
            panic!("not one PutPart: {:?}", request.ops);
        };
        assert_eq!((part.part_number, part.object_id), (3, 77));
        assert!(part.checksums.is_empty());
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());

        // Other values of version 4 read as they are.
        let mut vote = vec![VERSION_4];
        vote.extend(postcard::to_stdvec(&log_id)?);
        assert_eq!(decode::<LogId<u64>>(&vote)?, log_id);
        Ok(())
    }

    /// A version-5 entry whose op held a version-4 bucket record (no
    /// versioning, no lock), as the previous build wrote it.
    #[test]
    fn a_version_5_entry_reads_with_its_old_record_shape() -> Result<(), Box<dyn std::error::Error>>
    {
        let log_id = LogId::new(CommittedLeaderId::new(4, 1), 12);
        const NORMAL: u32 = 1;
        const CREATE_BUCKET: u32 = 0;
        let acl = crate::storage::meta::acl::Acl::private("alice");
        let tags: Vec<(String, String)> = vec![];
        let bucket_v4 = (
            "b",
            "alice",
            5u64,
            &tags,
            None::<String>,
            &acl,
            Vec::<u8>::new(),
        );
        let written = (
            log_id,
            NORMAL,
            vec![(CREATE_BUCKET, bucket_v4)],
            vec![9u128],
            2_000u64,
        );
        let mut bytes = vec![VERSION_5];
        bytes.extend(postcard::to_stdvec(&written)?);
        let entry = decode_entry(&bytes)?;
        let EntryPayload::Normal(request) = entry.payload else {
            panic!("not a normal entry");
        };
        let [MetaOp::CreateBucket { record }] = &request.ops[..] else {
            panic!("not one CreateBucket: {:?}", request.ops);
        };
        assert_eq!((record.name.as_str(), record.object_lock), ("b", None));
        assert_eq!(
            record.versioning,
            crate::storage::meta::lock::Versioning::Unversioned
        );
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());
        Ok(())
    }

    /// A version-6 entry whose first op held a version-5 bucket record (no
    /// access settings) and whose second is a later-appended op, as the
    /// previous build wrote it.
    #[test]
    fn a_version_6_entry_reads_with_its_old_record_shape() -> Result<(), Box<dyn std::error::Error>>
    {
        use crate::storage::meta::bucket_access::BucketAccess;
        use crate::storage::meta::lock::{ObjectLockConfig, Versioning};
        use crate::storage::meta::quota::Quota;

        let log_id = LogId::new(CommittedLeaderId::new(5, 1), 21);
        const NORMAL: u32 = 1;
        const CREATE_BUCKET: u32 = 0;
        const SET_BUCKET_QUOTA: u32 = 28;
        let acl = crate::storage::meta::acl::Acl::private("alice");
        let tags: Vec<(String, String)> = vec![];
        let lock = Some(ObjectLockConfig::default());
        let bucket_v5 = (
            ("b", "alice", 5u64, &tags, None::<String>, &acl),
            (Vec::<u8>::new(), Versioning::Enabled, lock),
        );
        let quota = Quota {
            max_bytes: Some(10),
            max_objects: None,
        };
        let written = (
            log_id,
            NORMAL,
            (
                2u32,
                (CREATE_BUCKET, bucket_v5),
                (SET_BUCKET_QUOTA, ("b", quota)),
            ),
            vec![9u128, 10],
            3_000u64,
        );
        let mut bytes = vec![VERSION_6];
        bytes.extend(postcard::to_stdvec(&written)?);
        let entry = decode_entry(&bytes)?;
        assert_eq!(entry.log_id, log_id);
        let EntryPayload::Normal(request) = entry.payload else {
            panic!("not a normal entry");
        };
        assert_eq!(
            (request.ids.as_slice(), request.at_ms),
            (&[9u128, 10][..], 3_000)
        );
        let [MetaOp::CreateBucket { record }, MetaOp::SetBucketQuota { bucket, quota: q }] =
            &request.ops[..]
        else {
            panic!("not CreateBucket, SetBucketQuota: {:?}", request.ops);
        };
        assert_eq!(
            (record.name.as_str(), record.owner.as_str()),
            ("b", "alice")
        );
        assert_eq!(
            (record.versioning.clone(), record.object_lock),
            (Versioning::Enabled, lock)
        );
        assert_eq!(record.access, BucketAccess::default());
        assert_eq!((bucket.as_str(), *q), ("b", quota));
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());

        // Other values of version 6 read as they are.
        let mut vote = vec![VERSION_6];
        vote.extend(postcard::to_stdvec(&log_id)?);
        assert_eq!(decode::<LogId<u64>>(&vote)?, log_id);
        Ok(())
    }

    /// The old op shape lists today's ops in their order, with their
    /// types: an entry of ops that hold no changed record reads the same
    /// under versions 6, 7 and 8 as under today's.
    #[test]
    fn old_ops_without_changed_records_read_as_today() -> Result<(), Box<dyn std::error::Error>> {
        use crate::storage::meta::bucket_access::AccessChange;
        use crate::storage::meta::lifecycle::{Due, LifecycleConfig, LifecycleProgress};
        use crate::storage::meta::lock::{ObjectLockConfig, Versioning};
        use crate::storage::meta::quota::Quota;
        use crate::storage::meta::version::{VersionRef, VersionSeq};
        use crate::storage::meta::{DeleteCondition, VersionChange};

        let ops = vec![
            MetaOp::PutBucketCors {
                bucket: "b".into(),
                rules: vec![],
            },
            MetaOp::DeleteObjectIf {
                bucket: "b".into(),
                key: "k".into(),
                condition: DeleteCondition {
                    size: Some(3),
                    ..DeleteCondition::default()
                },
            },
            MetaOp::DeleteVersion {
                bucket: "b".into(),
                key: "k".into(),
                version: VersionRef::Id(VersionSeq(7)),
                bypass_governance: true,
            },
            MetaOp::PutBucketVersioning {
                bucket: "b".into(),
                state: Versioning::Suspended,
            },
            MetaOp::PutObjectLockConfig {
                bucket: "b".into(),
                config: ObjectLockConfig::default(),
            },
            MetaOp::UpdateVersion {
                bucket: "b".into(),
                key: "k".into(),
                version: Some(VersionRef::Null),
                change: VersionChange::LegalHold {
                    on: true,
                    permitted: true,
                },
            },
            MetaOp::PutBucketLifecycle {
                bucket: "b".into(),
                config: Some(LifecycleConfig::default()),
            },
            MetaOp::SetBucketQuota {
                bucket: "b".into(),
                quota: Quota {
                    max_bytes: None,
                    max_objects: Some(4),
                },
            },
            MetaOp::ApplyLifecycle {
                bucket: "b".into(),
                day_ms: 86_400_000,
                due: vec![Due::abort("k", "u")],
            },
            MetaOp::LifecycleProgress {
                progress: LifecycleProgress {
                    examined: 3,
                    ..LifecycleProgress::default()
                },
            },
        ];
        let entry = |ops: Vec<MetaOp>| -> Entry<MetaRaft> {
            Entry {
                log_id: LogId::new(CommittedLeaderId::new(6, 1), 30),
                payload: EntryPayload::Normal(MetaRequest {
                    ops: ops.into(),
                    ids: vec![],
                    at_ms: 4_000,
                }),
            }
        };
        let mut ops = ops;
        for version in [VERSION_6, VERSION_7, VERSION_8] {
            let mut bytes = encode(&entry(ops.clone()))?;
            bytes[0] = version;
            let EntryPayload::Normal(request) = decode_entry(&bytes)?.payload else {
                panic!("not a normal entry");
            };
            assert_eq!(&request.ops[..], &ops[..], "version {version}");
            // Version 7 added `PutBucketAccess` (appended).
            ops.push(MetaOp::PutBucketAccess {
                bucket: "b".into(),
                change: AccessChange::Policy(None),
            });
        }
        Ok(())
    }

    /// A version-7 entry whose op held a version-6 layout (nodes without
    /// volumes), as the previous build wrote it.
    #[test]
    fn a_version_7_entry_reads_with_its_old_layout_shape() -> Result<(), Box<dyn std::error::Error>>
    {
        use crate::storage::meta::NodeState;

        let log_id = LogId::new(CommittedLeaderId::new(7, 1), 40);
        const NORMAL: u32 = 1;
        const SET_LAYOUT: u32 = 9;
        let layout_v6 = (
            3u64,
            vec![(1u64, "127.0.0.1:9101", "", 1u32, NodeState::Active)],
        );
        let written = (
            log_id,
            NORMAL,
            vec![(SET_LAYOUT, layout_v6)],
            vec![11u128],
            5_000u64,
        );
        let mut bytes = vec![VERSION_7];
        bytes.extend(postcard::to_stdvec(&written)?);
        let EntryPayload::Normal(request) = decode_entry(&bytes)?.payload else {
            panic!("not a normal entry");
        };
        let [MetaOp::SetLayout { layout }] = &request.ops[..] else {
            panic!("not one SetLayout: {:?}", request.ops);
        };
        assert_eq!(layout.version, 3);
        let [node] = layout.storage_nodes.as_slice() else {
            panic!("not one node: {layout:?}");
        };
        assert_eq!(
            (node.id, node.addr.as_str(), node.state),
            (1, "127.0.0.1:9101", NodeState::Active)
        );
        assert!(node.volumes.is_empty());
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());
        Ok(())
    }

    /// A version-8 entry whose op held a version-7 object record (no
    /// encryption), as the previous build wrote it: today's encoding of a
    /// record without encryption less its last byte (`None`), since
    /// postcard writes fields in order.
    #[test]
    fn a_version_8_entry_reads_with_its_old_object_shape() -> Result<(), Box<dyn std::error::Error>>
    {
        use crate::storage::meta::{ObjectRecord, WriteCondition};

        let log_id = LogId::new(CommittedLeaderId::new(8, 1), 50);
        const NORMAL: u32 = 1;
        const PUT_OBJECT: u32 = 2;
        let marker = ObjectRecord::delete_marker("b", "k", 6);
        let today = postcard::to_stdvec(&marker)?;
        assert_eq!(today.last(), Some(&0), "encryption: None is the last byte");
        let mut bytes = vec![VERSION_8];
        bytes.extend(postcard::to_stdvec(&(log_id, NORMAL, 1u32, PUT_OBJECT))?);
        bytes.extend_from_slice(&today[..today.len() - 1]);
        bytes.extend(postcard::to_stdvec(&(
            WriteCondition::IfAbsent,
            vec![12u128],
            6_000u64,
        ))?);
        let EntryPayload::Normal(request) = decode_entry(&bytes)?.payload else {
            panic!("not a normal entry");
        };
        let [MetaOp::PutObject { record, condition }] = &request.ops[..] else {
            panic!("not one PutObject: {:?}", request.ops);
        };
        assert_eq!(record, &marker);
        assert_eq!(*condition, WriteCondition::IfAbsent);
        assert_eq!(
            (request.ids.as_slice(), request.at_ms),
            (&[12u128][..], 6_000)
        );
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());
        Ok(())
    }
}
