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

use std::ops::Range;
use std::sync::Mutex;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use md5::{Digest as _, Md5};

use super::coordinator::{ObjectCoordinator, ShardSet, WriteError};
use super::error::ObjectError;
use super::repair_reports::HealReports;
use super::sse::chunks::{encrypt_all, stored_range, Decrypting, Encrypting};
use super::sse::{etag_of, ChunkCipher, CustomerKey, DataKey, Sse, SseRequest};

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
use crate::storage::meta::encryption::{stored_size, Encryption};
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

/// Reads a small body whole; fails unless it has exactly `size` bytes.
async fn collect_exact<S, E>(body: &mut S, size: u64) -> Result<Bytes, ServiceWriteError<E>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut data = BytesMut::with_capacity(usize::try_from(size).unwrap_or(0));
    while let Some(chunk) = body.next().await {
        data.extend_from_slice(&chunk.map_err(WriteError::Body)?);
        if data.len() as u64 > size {
            break;
        }
    }
    if data.len() as u64 != size {
        return Err(WriteError::Store(ObjectError::IncompleteBody {
            received: data.len() as u64,
            declared: size,
        }));
    }
    Ok(data.freeze())
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

/// Data just stored for a new single-part version.
struct StoredData {
    /// Its shards (none written when it is kept inline).
    set: ShardSet,
    /// The stored bytes, when kept in the record.
    inline_data: Option<Bytes>,
    /// Its plain size.
    size: u64,
    /// How it is encrypted.
    encryption: Option<Encryption>,
}

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

    /// Stores a single-part object from `body` and commits its record;
    /// `digests` is asked once the body has ended cleanly.
    pub(crate) async fn put<S, E>(
        &self,
        new: NewObject,
        body: &mut S,
        digests: impl FnOnce() -> Option<ObjectDigests>,
    ) -> Result<Written, ServiceWriteError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let bucket = self
            .bucket_precheck(&new.bucket)
            .await
            .map_err(WriteError::Store)?;
        let max = self.limits.max_object_bytes;
        if new.size > max {
            return Err(WriteError::Store(ObjectError::TooLarge {
                size: new.size,
                max,
            }));
        }
        self.quota_precheck(&new.bucket, Some(&new.key), new.size, 1)
            .await
            .map_err(WriteError::Store)?;
        let key = self
            .new_key(&new.meta.sse, &bucket)
            .map_err(WriteError::Store)?;
        let place = (new.bucket.as_str(), new.key.as_str());
        let data = self
            .store(place, 0, new.size, self.layout(), key.as_ref(), body)
            .await?;
        let Some(digests) = digests() else {
            self.drop_now(shard_sets_of(&data));
            return Err(WriteError::Store(ObjectError::Internal(
                "body ended without its digests",
            )));
        };
        let etag = etag_of(
            &digests.md5,
            key.as_ref().map(|k| &k.0),
            key.as_ref().map(|k| &k.1),
        );
        let record = single_part_record(
            &new.bucket,
            &new.key,
            data,
            etag,
            new.meta,
            digests.checksums,
        );
        self.commit(record, new.condition)
            .await
            .map_err(WriteError::Store)
    }

    /// Copies the whole of `source` (whose data key is `source_key`) to
    /// `bucket/key` with `meta` and `checksums`; the new record.
    pub(crate) async fn copy(
        &self,
        (source, source_key): (&ObjectRecord, Option<DataKey>),
        (bucket, key): (&str, &str),
        meta: ObjectMeta,
        checksums: Vec<(String, String)>,
    ) -> Result<Written, ObjectError> {
        let target = self.bucket_precheck(bucket).await?;
        self.quota_precheck(bucket, Some(key), source.size, 1)
            .await?;
        let new_key = self.new_key(&meta.sse, &target)?;
        let (data, md5) = self
            .store_copy(
                (source, source_key.as_ref()),
                0..source.size,
                ((bucket, key), 0, self.layout()),
                new_key.as_ref(),
            )
            .await?;
        let etag = etag_of(
            &md5,
            new_key.as_ref().map(|k| &k.0),
            new_key.as_ref().map(|k| &k.1),
        );
        let record = single_part_record(bucket, key, data, etag, meta, checksums);
        self.commit(record, WriteCondition::Always).await
    }

    /// The encryption and fresh data key of a new version written with
    /// `request` into `bucket` (its default encryption applies when the
    /// request names none).
    pub(crate) fn new_key(
        &self,
        request: &SseRequest,
        bucket: &BucketRecord,
    ) -> Result<NewKey, ObjectError> {
        Ok(self
            .sse
            .new_encryption(request, bucket.encryption.as_ref())?)
    }

    /// The data key of data encrypted as `encryption`, opened with the
    /// customer's key when one was given (required for SSE-C data, refused
    /// for any other); `None` for data not encrypted.
    pub(crate) fn open_key(
        &self,
        encryption: Option<&Encryption>,
        customer: Option<&CustomerKey>,
    ) -> Result<Option<DataKey>, ObjectError> {
        Ok(self.sse.open(encryption, customer)?)
    }

    /// The master keys' provider (listing and re-wrapping keys).
    pub(crate) fn sse(&self) -> &Sse {
        &self.sse
    }

    /// Stores `size` plain bytes of `body` as a new blob of part `part` of
    /// `place` (inline when small enough for a single-part object),
    /// encrypted with `key` when given.
    async fn store<S, E>(
        &self,
        place: (&str, &str),
        part: u32,
        size: u64,
        layout: ErasureLayout,
        key: Option<&(Encryption, DataKey)>,
        body: &mut S,
    ) -> Result<StoredData, ServiceWriteError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let object_id: u128 = rand::random();
        let encryption = key.map(|k| k.0.clone());
        let stored = stored_size(encryption.as_ref(), size);
        let mut set = self
            .data
            .new_shard_set(place, object_id, part, stored, layout);
        let cipher = key.map(|k| ChunkCipher::new(&k.1, object_id));
        let inline_data = if part == 0 && size <= self.limits.inline_bytes {
            let plain = collect_exact(body, size).await.map_err(store_error)?;
            Some(match &cipher {
                Some(c) => encrypt_all(c, &plain),
                None => plain,
            })
        } else {
            match cipher {
                Some(c) => {
                    let mut encrypted = Encrypting::new(&mut *body, c, size);
                    self.data.write(&mut set, &mut encrypted).await
                }
                None => self.data.write(&mut set, body).await,
            }
            .map_err(store_error)?;
            None
        };
        Ok(StoredData {
            set,
            inline_data,
            size,
            encryption,
        })
    }

    /// The bytes of `range` of the version `record` names, part after
    /// part, decrypted with `key` (its data key, when it is encrypted).
    pub(crate) fn read_data(
        &self,
        record: &ObjectRecord,
        range: Range<u64>,
        key: Option<&DataKey>,
    ) -> futures::stream::BoxStream<'static, Result<Bytes, ObjectError>> {
        let range = range.start.min(record.size)..range.end.min(record.size);
        let key = match (&record.encryption, key) {
            (Some(_), None) => {
                let e = ObjectError::Internal("encrypted data read without its key");
                return futures::stream::once(async move { Err(e) }).boxed();
            }
            (None, _) => None,
            (Some(_), Some(k)) => Some(k.clone()),
        };
        if let Some(data) = &record.inline_data {
            let Some(k) = key else {
                let piece = (range.start < range.end)
                    .then(|| Ok(data.slice(range.start as usize..range.end as usize)));
                return futures::stream::iter(piece).boxed();
            };
            let (stored, _) = stored_range(record.size, range.clone());
            let end = (stored.end as usize).min(data.len());
            let start = (stored.start as usize).min(end);
            let piece = futures::stream::iter([Ok::<_, ObjectError>(data.slice(start..end))]);
            let cipher = ChunkCipher::new(&k, record.object_id);
            return Decrypting::new(piece, cipher, record.size, range).boxed();
        }
        let data = self.data.clone();
        let reports = self.heal.clone();
        let (bucket, key_name) = (record.bucket.clone(), record.key.clone());
        let plain_sizes: Vec<u64> = if record.parts.is_empty() {
            vec![record.size]
        } else {
            record.parts.iter().map(|p| p.size).collect()
        };
        let mut offset = 0u64;
        let mut pieces = Vec::new();
        for (set, plain) in record.shard_sets().into_iter().zip(plain_sizes) {
            let part = offset..offset + plain;
            offset += plain;
            let start = range.start.max(part.start);
            let end = range.end.min(part.end);
            if start < end {
                pieces.push((set, plain, (start - part.start)..(end - part.start)));
            }
        }
        futures::stream::iter(pieces)
            .flat_map(move |(set, plain, sub)| {
                let hook = reports.on_degraded_read(&bucket, &key_name);
                let Some(k) = &key else {
                    return data
                        .read_reporting(set, sub, Some(hook))
                        .map(|piece| piece.map_err(ObjectError::from))
                        .boxed();
                };
                let cipher = ChunkCipher::new(k, set.object_id);
                let (stored, _) = stored_range(plain, sub.clone());
                let encrypted = data
                    .read_reporting(set, stored, Some(hook))
                    .map(|piece| piece.map_err(ObjectError::from));
                Decrypting::new(encrypted, cipher, plain, sub).boxed()
            })
            .boxed()
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

    /// Copies `range` of `source` (decrypted with its data key) as part
    /// `part` of `place` coded with `layout` (inline when small enough for
    /// a single-part object), encrypted with `key` when given; the data
    /// stored and the MD5 of its plain bytes.
    async fn store_copy(
        &self,
        (source, source_key): (&ObjectRecord, Option<&DataKey>),
        range: Range<u64>,
        (place, part, layout): ((&str, &str), u32, ErasureLayout),
        key: Option<&(Encryption, DataKey)>,
    ) -> Result<(StoredData, [u8; 16]), ObjectError> {
        let hasher = std::sync::Arc::new(Mutex::new(Md5::new()));
        let h = hasher.clone();
        let size = range.end - range.start;
        let mut body = self.read_data(source, range, source_key).map(move |chunk| {
            if let (Ok(c), Ok(mut h)) = (&chunk, h.lock()) {
                h.update(c);
            }
            chunk
        });
        let data = self
            .store(place, part, size, layout, key, &mut body)
            .await
            .map_err(flatten)?;
        let md5 = hasher
            .lock()
            .map(|mut h| std::mem::take(&mut *h).finalize().into())
            .map_err(|_| ObjectError::Internal("copy hasher poisoned"))?;
        Ok((data, md5))
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

/// The record of a single-part object just written as `data`.
fn single_part_record(
    bucket: &str,
    key: &str,
    data: StoredData,
    etag: String,
    meta: ObjectMeta,
    checksums: Vec<(String, String)>,
) -> ObjectRecord {
    let StoredData {
        set,
        inline_data,
        size,
        encryption,
    } = data;
    ObjectRecord {
        bucket: bucket.into(),
        key: key.into(),
        object_id: set.object_id,
        size,
        etag,
        content_type: meta.content_type,
        user_metadata: meta.user_metadata,
        headers: meta.headers,
        checksums,
        last_modified_ms: now_ms(),
        layout: set.layout,
        parts: vec![],
        shard_nodes: match inline_data {
            Some(_) => vec![],
            None => set.nodes,
        },
        inline_data,
        tags: meta.tags,
        owner: meta.owner,
        acl: meta.acl,
        // Set when the record is applied.
        seq: VersionSeq::OLDEST,
        versioned: false,
        delete_marker: false,
        lock: meta.lock,
        encryption,
    }
}

/// The shards just-stored data occupies (none when kept inline).
fn shard_sets_of(data: &StoredData) -> Vec<ShardSet> {
    match data.inline_data {
        Some(_) => vec![],
        None => vec![data.set.clone()],
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
