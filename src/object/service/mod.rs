//! The object service: an object's life from its first byte to the drop of
//! its data, with no HTTP in it.
//!
//! A write stores the data first (erasure-coded shards, or inline in the
//! record for small objects), then commits the record through the Consensus
//! actor under an op id. A commit known not to have applied (refused, or
//! never proposed) drops the new data at once; one whose outcome stays
//! unknown leaves it, and a background task fences the op id and drops the
//! data only if the op never applied. Data that a commit replaced or
//! removed is not dropped here: the state machine puts it on its drop list,
//! and the drop task deletes it once the grace period has passed, so a GET
//! that resolved the old version streams it to the last byte. Multipart
//! parts follow the same rules per part.
//!
//! Files: `data` (a version's bytes stored, copied and read, plain or
//! encrypted), `encryption` (data keys, buckets' default encryption),
//! `multipart`, `settle` (fencing unknown commits), `lifecycle`, `quota`,
//! `tags`, `recent` (short-lived copies of bucket settings).

use std::ops::Range;
use std::sync::Mutex;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use md5::{Digest as _, Md5};

use super::coordinator::{ObjectCoordinator, ShardSet, WriteError};
use super::error::ObjectError;
use super::repair_reports::HealReports;
use super::sse::{DataKey, Sse, SseRequest};

mod data;
mod encryption;
mod lifecycle;
mod quota;
mod recent;
use recent::Recent;
mod multipart;
mod settle;
mod tags;
use crate::actors::core::consensus::{ConsensusClient, ConsensusError};
use crate::clock::now_ms;
use crate::storage::meta::acl::Acl;
use crate::storage::meta::encryption::Encryption;
use crate::storage::meta::lifecycle::LifecycleConfig;
use crate::storage::meta::lock::ObjectLock;
use crate::storage::meta::quota::BucketUsage;
use crate::storage::meta::version::{VersionRef, VersionSeq};
use crate::storage::meta::{
    BucketRecord, DeleteCondition, ErasureLayout, MetaOp, MetaOutcome, MetaRead, MetaReadResult,
    ObjectRecord, OpId, Tags, WriteCondition,
};

/// Largest part S3 accepts.
pub(crate) const MAX_PART_BYTES: u64 = 5 << 30;

/// A metadata read answered with another kind of result than asked.
fn unexpected() -> ObjectError {
    ObjectError::Internal("unexpected metadata read answer")
}

/// Size limits of new objects, and how long replaced data is kept.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ObjectLimits {
    /// Largest single PUT (`PREDASTORE_MAX_OBJECT_BYTES`).
    pub max_object_bytes: u64,
    /// Largest object kept inline in its record (`PREDASTORE_INLINE_BYTES`).
    pub inline_bytes: u64,
    /// How long the data of a replaced or deleted version is kept for the
    /// GETs still streaming it (`PREDASTORE_DROP_GRACE_MS`).
    pub drop_grace: Duration,
    /// The length of a lifecycle day (`PREDASTORE_LIFECYCLE_DAY_SECS`), for
    /// the expiry dates answers announce.
    pub lifecycle_day_ms: u64,
}

/// What a writer says about an object besides its bytes.
#[derive(Clone, Debug, Default)]
pub(crate) struct ObjectMeta {
    /// The `Content-Type` to answer reads with (none: the default).
    pub content_type: Option<String>,
    /// `x-amz-meta-*`, without the prefix.
    pub user_metadata: Vec<(String, String)>,
    /// Stored standard headers (Content-Encoding, Cache-Control, …).
    pub headers: Vec<(String, String)>,
    /// The tag set (`x-amz-tagging`), already checked.
    pub tags: Tags,
    /// The id of the user writing it.
    pub owner: String,
    /// Its ACL (`x-amz-acl`, `x-amz-grant-*`; default `private`).
    pub acl: Acl,
    /// Retention and legal hold the new version gets
    /// (`x-amz-object-lock-*`); the bucket's default retention applies
    /// when it names none.
    pub lock: ObjectLock,
    /// The encryption asked for (`x-amz-server-side-encryption*`); the
    /// bucket's default applies when it names none.
    pub sse: SseRequest,
}

impl ObjectMeta {
    /// The metadata an existing object carries (a copy that keeps it),
    /// written by `owner` with `acl` (a copy never keeps the ACL, as in S3).
    pub(crate) fn of(record: &ObjectRecord, owner: String, acl: Acl) -> Self {
        ObjectMeta {
            content_type: record.content_type.clone(),
            user_metadata: record.user_metadata.clone(),
            headers: record.headers.clone(),
            tags: record.tags.clone(),
            owner,
            acl,
            lock: ObjectLock::default(),
            sse: SseRequest::Default,
        }
    }
}

/// The digests of a body that passed its checks.
#[derive(Clone, Debug)]
pub(crate) struct ObjectDigests {
    /// MD5 of the bytes (the single-part ETag).
    pub md5: [u8; 16],
    /// Extra checksums as stored: (lower-case algorithm, value).
    pub checksums: Vec<(String, String)>,
}

/// A single-part object about to be written.
/// A version just written, and its id as the client is told it (`None`
/// on a bucket never versioned, which sends no `x-amz-version-id`).
#[derive(Clone, Debug)]
pub(crate) struct Written {
    /// The record as the gateway committed it (its id and place are the
    /// state machine's: see `version`).
    pub record: ObjectRecord,
    /// The version's id, when the bucket has versioning.
    pub version: Option<VersionRef>,
}

#[derive(Clone, Debug)]
pub(crate) struct NewObject {
    /// The bucket it is written into (checked to exist).
    pub bucket: String,
    /// The key it is written under (a valid S3 key).
    pub key: String,
    /// Bytes the body declares.
    pub size: u64,
    /// Content-Type, user metadata, stored headers.
    pub meta: ObjectMeta,
    /// What must hold of the version it replaces (`If-None-Match: *`,
    /// `If-Match`).
    pub condition: WriteCondition,
}

/// A failed write of the service: the body's own error, or the service's.
pub(crate) type ServiceWriteError<E> = WriteError<E, ObjectError>;

/// Objects and multipart uploads: data through the coordinator, records
/// through the Consensus actor.
pub(crate) struct ObjectService {
    consensus: ConsensusClient,
    data: ObjectCoordinator,
    limits: ObjectLimits,
    recent_buckets: Recent<BucketRecord>,
    /// Lifecycle rules seen lately, for expiry headers.
    recent_lifecycles: Recent<Option<LifecycleConfig>>,
    /// Usage and quotas seen lately, for the quota precheck.
    recent_usage: Recent<BucketUsage>,
    /// Where the drop task goes on next (entries that cannot be dropped
    /// yet must not hold back the ones behind them).
    drop_cursor: Mutex<Option<Vec<u8>>>,
    /// Where objects found below full redundancy are reported.
    heal: HealReports,
    /// Encryption of data at rest, with the master keys.
    sse: Sse,
}

/// A new version's encryption and its data key (`None`: not encrypted).
pub(crate) type NewKey = Option<(Encryption, DataKey)>;

/// The record a commit makes point to new data: what to check before
/// deleting that data when the commit's fate was unknown.
#[derive(Clone, Debug)]
enum DataOwner {
    /// The object `bucket/key`.
    Object { bucket: String, key: String },
    /// Part `part` of upload `upload_id` (of `bucket/key` once completed).
    Part {
        bucket: String,
        key: String,
        upload_id: String,
        part: u32,
    },
}

/// Where a commit leaves the data it was about.
enum CommitFailure {
    /// The op did not apply and never will: the new data is unreferenced.
    NotApplied(ObjectError),
    /// Nobody knows yet: the data stays until a fence settles it.
    Unknown(ObjectError),
}

impl ObjectService {
    /// A service committing through `consensus` and storing data with
    /// `data`. Must run inside an actix System (it starts the task that
    /// sends heal reports).
    pub(crate) fn new(
        consensus: ConsensusClient,
        data: ObjectCoordinator,
        limits: ObjectLimits,
        sse: Sse,
    ) -> Self {
        ObjectService {
            sse,
            heal: HealReports::start(consensus.clone()),
            consensus,
            data,
            limits,
            recent_buckets: Recent::default(),
            recent_lifecycles: Recent::default(),
            recent_usage: Recent::default(),
            drop_cursor: Mutex::new(None),
        }
    }

    /// The erasure layout new objects get.
    pub(crate) fn layout(&self) -> ErasureLayout {
        self.data.layout()
    }

    /// The data mover under this service (repair drives it directly).
    pub(crate) fn coordinator(&self) -> &ObjectCoordinator {
        &self.data
    }

    /// Commits one metadata op; a refused op is [`ObjectError::Refused`].
    pub(crate) async fn submit(&self, op: MetaOp) -> Result<MetaOutcome, ObjectError> {
        Ok(self.consensus.submit(op).await??)
    }

    /// Commits an op that makes `new` data reachable. If it is known not
    /// to have applied, `new` is dropped now; if its outcome is unknown,
    /// `new` stays until a fence settles the op (in the background).
    async fn commit_data(
        &self,
        op: MetaOp,
        owner: DataOwner,
        new: Vec<ShardSet>,
    ) -> Result<MetaOutcome, ObjectError> {
        let id: OpId = rand::random();
        // A stopped actor answers `Unavailable`: the op never reached it.
        let failure = match self.consensus.submit_once(id, op).await {
            Ok(Ok(outcome)) => return Ok(outcome),
            Ok(Err(refused)) => {
                if refused == crate::storage::meta::MetaOpError::QuotaExceeded {
                    crate::metrics::QUOTA_REFUSALS.inc();
                }
                CommitFailure::NotApplied(refused.into())
            }
            Err(
                e @ (ConsensusError::NotLeader(_)
                | ConsensusError::Unavailable(_)
                | ConsensusError::Busy),
            ) => CommitFailure::NotApplied(e.into()),
            Err(e @ (ConsensusError::Indeterminate(_) | ConsensusError::Failed(_))) => {
                CommitFailure::Unknown(e.into())
            }
        };
        match failure {
            CommitFailure::NotApplied(e) => {
                self.drop_now(new);
                Err(e)
            }
            CommitFailure::Unknown(e) => {
                tracing::warn!(op = %format!("{id:032x}"), error = %e, "metadata commit outcome unknown; fencing it in the background");
                self.settle_later(id, owner, new);
                Err(e)
            }
        }
    }

    /// A linearizable metadata read.
    pub(crate) async fn read(&self, read: MetaRead) -> Result<MetaReadResult, ObjectError> {
        Ok(self.consensus.read(read).await?)
    }

    /// The bucket, or [`ObjectError::NoSuchBucket`].
    pub(crate) async fn bucket(&self, name: &str) -> Result<BucketRecord, ObjectError> {
        match self.read(MetaRead::Bucket(name.into())).await? {
            MetaReadResult::Bucket(Some(b)) => Ok(b),
            _ => Err(ObjectError::NoSuchBucket(name.into())),
        }
    }

    /// The bucket's record as it was within the last second, or
    /// `NoSuchBucket`: the early check of a request (existence, owner,
    /// ACL), which a write's commit repeats authoritatively for existence.
    pub(crate) async fn bucket_precheck(&self, name: &str) -> Result<BucketRecord, ObjectError> {
        if let Some(record) = self.recent_buckets.get(name) {
            return Ok(record);
        }
        let record = self.bucket(name).await?;
        self.recent_buckets.insert(name, record.clone());
        Ok(record)
    }

    /// Forgets this gateway's recent copy of a bucket's record after a
    /// change to it (versioning, object lock), so its next request sees
    /// the change.
    pub(crate) fn forget_bucket(&self, name: &str) {
        self.recent_buckets.forget(name);
    }

    /// Deletes a bucket holding no object; its uploads in progress are
    /// aborted with it.
    pub(crate) async fn delete_bucket(&self, name: &str) -> Result<(), ObjectError> {
        self.submit(MetaOp::DeleteBucket { name: name.into() })
            .await?;
        self.recent_buckets.forget(name);
        Ok(())
    }

    /// The object's current version, or `NoSuchKey` (`NoSuchBucket` when
    /// the bucket is missing).
    pub(crate) async fn object(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<ObjectRecord, ObjectError> {
        let read = MetaRead::Object {
            bucket: bucket.into(),
            key: key.into(),
        };
        match self.read(read).await? {
            MetaReadResult::Object(Some(o)) => Ok(o),
            _ => {
                self.bucket(bucket).await?;
                Err(ObjectError::NoSuchKey {
                    bucket: bucket.into(),
                    key: key.into(),
                })
            }
        }
    }

    /// Deletes `bucket/key` if its current version meets `condition` (a
    /// missing key is not an error): its data goes on the drop list, or,
    /// on a bucket with versioning, a delete marker is added (its id
    /// returned).
    pub(crate) async fn delete(
        &self,
        bucket: &str,
        key: &str,
        condition: DeleteCondition,
    ) -> Result<Option<VersionRef>, ObjectError> {
        let (bucket, key) = (bucket.to_string(), key.to_string());
        let op = if condition.is_empty() {
            MetaOp::DeleteObject { bucket, key }
        } else {
            MetaOp::DeleteObjectIf {
                bucket,
                key,
                condition,
            }
        };
        let place = match &op {
            MetaOp::DeleteObject { bucket, key } | MetaOp::DeleteObjectIf { bucket, key, .. } => {
                (bucket.clone(), key.clone())
            }
            _ => return Err(ObjectError::Internal("not a delete")),
        };
        Ok(match self.submit(op).await? {
            MetaOutcome::MarkerAdded { version } => Some(version),
            // A re-sent delete that had applied: its marker is the latest
            // version, unless something came after it.
            MetaOutcome::Duplicate => self
                .latest_marker(&place.0, &place.1)
                .await
                .map(|m| m.version_ref()),
            _ => None,
        })
    }

    /// The id to announce for a write that committed the data of
    /// `object_id` to `place`: from its outcome, or, for a re-sent op that
    /// had already applied (whose outcome only says so), read back from
    /// the version holding that data. `None` for a `null` version (S3
    /// announces none for a write while versioning is suspended or off).
    pub(super) async fn written_version(
        &self,
        outcome: MetaOutcome,
        (bucket, key): (&str, &str),
        object_id: u128,
    ) -> Option<VersionRef> {
        let version = match outcome {
            MetaOutcome::Stored { version } => Some(version),
            MetaOutcome::Completed { version, .. } => version,
            MetaOutcome::Duplicate => self.version_holding(bucket, key, object_id).await,
            _ => None,
        };
        version.filter(|v| *v != VersionRef::Null)
    }

    /// The version of `bucket/key` whose data is `object_id`, if any.
    async fn version_holding(
        &self,
        bucket: &str,
        key: &str,
        object_id: u128,
    ) -> Option<VersionRef> {
        let holds = |r: &ObjectRecord| r.object_id == object_id && !r.delete_marker;
        settle::version_where(&self.consensus, (bucket, key), holds)
            .await
            .flatten()
            .map(|r| r.version_ref())
    }

    /// Removes one version or delete marker for good (its data goes on
    /// the drop list); whether it was a marker, `None` if there was no
    /// such version.
    pub(crate) async fn delete_version(
        &self,
        bucket: &str,
        key: &str,
        version: VersionRef,
        bypass_governance: bool,
    ) -> Result<Option<bool>, ObjectError> {
        let op = MetaOp::DeleteVersion {
            bucket: bucket.into(),
            key: key.into(),
            version,
            bypass_governance,
        };
        Ok(match self.submit(op).await? {
            MetaOutcome::VersionRemoved { marker } => marker,
            _ => None,
        })
    }

    /// The version `version` of `bucket/key` (a delete marker included),
    /// or `NoSuchVersion` (`NoSuchBucket` when the bucket is missing).
    pub(crate) async fn object_version(
        &self,
        bucket: &str,
        key: &str,
        version: VersionRef,
    ) -> Result<ObjectRecord, ObjectError> {
        let read = MetaRead::Version {
            bucket: bucket.into(),
            key: key.into(),
            version,
        };
        match self.read(read).await? {
            MetaReadResult::Version(Some(o)) => Ok(o),
            _ => {
                self.bucket(bucket).await?;
                Err(ObjectError::NoSuchVersion {
                    bucket: bucket.into(),
                    key: key.into(),
                })
            }
        }
    }

    /// The version `version` of `bucket/key`, or its current one.
    pub(crate) async fn object_at(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionRef>,
    ) -> Result<ObjectRecord, ObjectError> {
        match version {
            Some(v) => self.object_version(bucket, key, v).await,
            None => self.object(bucket, key).await,
        }
    }

    /// The newest version of `bucket/key` if it is a delete marker: what
    /// a GET that found no current version answers with.
    pub(crate) async fn latest_marker(&self, bucket: &str, key: &str) -> Option<ObjectRecord> {
        let read = MetaRead::Latest {
            bucket: bucket.into(),
            key: key.into(),
        };
        match self.read(read).await.ok()? {
            MetaReadResult::Version(Some(o)) if o.delete_marker => Some(o),
            _ => None,
        }
    }

    /// Commits `record` (the version it replaced goes on the drop list,
    /// unless versioning keeps it).
    async fn commit(
        &self,
        record: ObjectRecord,
        condition: WriteCondition,
    ) -> Result<Written, ObjectError> {
        let new = record.shard_sets();
        let degraded = new
            .iter()
            .any(|set| self.data.needs_repair((&record.bucket, &record.key), set));
        let owner = DataOwner::Object {
            bucket: record.bucket.clone(),
            key: record.key.clone(),
        };
        let op = MetaOp::PutObject {
            record: record.clone(),
            condition,
        };
        let outcome = self.commit_data(op, owner, new).await?;
        if degraded {
            self.heal.report(&record.bucket, &record.key);
        }
        let version = self
            .written_version(outcome, (&record.bucket, &record.key), record.object_id)
            .await;
        Ok(Written { record, version })
    }

    /// Deletes data no record points to, in the background.
    fn drop_now(&self, sets: Vec<ShardSet>) {
        if sets.is_empty() {
            return;
        }
        let data = self.data.clone();
        actix::spawn(async move {
            for set in sets {
                data.delete(&set).await;
            }
        });
    }
}

/// A coordinator write error as the service's.
fn store_error<E>(e: WriteError<E, impl Into<ObjectError>>) -> ServiceWriteError<E> {
    match e {
        WriteError::Body(e) => WriteError::Body(e),
        WriteError::Store(e) => WriteError::Store(e.into()),
    }
}

/// A write whose body was the service's own stream: both sides are the
/// service's errors.
fn flatten(e: ServiceWriteError<ObjectError>) -> ObjectError {
    match e {
        WriteError::Body(e) | WriteError::Store(e) => e,
    }
}
