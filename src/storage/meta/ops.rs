//! The vocabulary of the metadata log: the ops a Raft entry carries, what
//! each op did, why one was refused, and the pages the list readers return.
//!
//! These types cross the wire (Raft entries, forwarded batches, read
//! answers) and must not depend on how the store keeps its data; the S3
//! meaning of each refusal is the API layer's business (`api::error`).

use serde::{Deserialize, Serialize};

use super::acl::Acl;
use super::bucket_access::AccessChange;
use super::cors::CorsRule;
use super::encryption::{DefaultEncryption, Encryption};
use super::error::MetaError;
use super::iam::change::IamChange;
use super::iam::error::IamErrorKind;
use super::iam::records::KeyUse;
use super::lifecycle::{Due, LifecycleConfig, LifecycleProgress, LifecycleTally};
use super::lock::{ObjectLockConfig, Retention, Versioning};
use super::quota::Quota;
use super::records::{
    from_current_bytes, to_bytes, AccessKey, BucketRecord, ClusterLayout, MultipartUpload,
    ObjectRecord, PartRecord, RepairReport, Tags,
};
use super::version::{VersionRef, VersionSeq};

/// S3's minimum size of every part of a multipart upload but the last.
pub(crate) const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// S3's highest part number.
pub(super) const MAX_PART_NUMBER: u32 = 10_000;

/// Longest bucket name the store accepts. The API layer applies S3's
/// stricter naming rules; this bound only keeps every key fjall-sized.
pub(crate) const MAX_BUCKET_NAME_BYTES: usize = 255;

/// S3's longest object key.
pub(crate) const MAX_OBJECT_KEY_BYTES: usize = 1024;

/// Longest upload id or access key id the store accepts.
pub(crate) const MAX_ID_BYTES: usize = 1024;

/// Most entries one [`MetaOp::QueueHeal`] or [`MetaOp::ForgetHeal`]
/// carries, so one op stays a small part of a Raft entry.
pub(crate) const MAX_HEAL_ENTRIES: usize = 1000;

/// One change to the metadata, as carried in a Raft log entry.
///
/// New variants are only ever appended: postcard encodes the variant's
/// position, so entries written before a variant was added still decode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetaOp {
    /// Creates a bucket (`BucketAlreadyOwnedByYou` / `BucketAlreadyExists`
    /// if the name is taken).
    CreateBucket {
        /// The bucket as it is to be stored (owner, ACL and region from
        /// the request).
        record: BucketRecord,
    },
    /// Deletes a bucket that holds no object (`BucketNotEmpty`); multipart
    /// uploads still in progress are aborted with it, as AWS does, their
    /// parts' data put on the drop list (so no shard is orphaned).
    DeleteBucket {
        /// Name of the bucket to delete.
        name: String,
    },
    /// Stores an object, replacing any previous version; the outcome
    /// returns the replaced record so its shards can be deleted.
    PutObject {
        /// The record of the new version, with its placement.
        record: ObjectRecord,
        /// What must hold of the current version for the write to apply.
        condition: WriteCondition,
    },
    /// Deletes an object; a missing key is not an error (as in S3).
    DeleteObject {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
    },
    /// Starts a multipart upload (the bucket must exist).
    CreateMultipart {
        /// The upload, with its gateway-chosen unique id.
        upload: MultipartUpload,
    },
    /// Records an uploaded part, replacing a part with the same number.
    PutPart {
        /// The part's record, naming its upload and number.
        part: PartRecord,
    },
    /// Completes a multipart upload after checking the listed parts.
    CompleteMultipart {
        /// Bucket the upload was started in.
        bucket: String,
        /// Key the upload was started for.
        key: String,
        /// Id the gateway handed out when the upload was created.
        upload_id: String,
        /// Part numbers and ETags from the request, which must ascend.
        parts: Vec<(u32, String)>,
        /// The final object as the gateway computed it: its `etag` (the
        /// multipart ETag), `object_id`, `checksums`, `last_modified_ms`
        /// and `shard_nodes` are kept; bucket, key, size, parts, content
        /// type, metadata, headers and layout are filled in from the upload
        /// and its parts.
        record_template: ObjectRecord,
        /// What must hold of the current version for the completion to
        /// apply (the upload is kept when it does not).
        condition: WriteCondition,
    },
    /// Abandons a multipart upload; the outcome lists its parts so their
    /// shards can be deleted.
    AbortMultipart {
        /// Bucket the upload was started in.
        bucket: String,
        /// Key the upload was started for.
        key: String,
        /// Id the gateway handed out when the upload was created.
        upload_id: String,
    },
    /// Adds or replaces an access key.
    PutAccessKey {
        /// The key with its secret and the user it acts for.
        key: AccessKey,
    },
    /// Installs a cluster layout if it is the next version of the current
    /// one (`current + 1`; any version when there is none), else refused
    /// with [`MetaOpError::StaleLayout`]: a compare-and-swap on the version.
    SetLayout {
        /// The layout to install; its `version` must be the current one
        /// plus 1.
        layout: ClusterLayout,
    },
    /// Settles the fate of an op whose outcome its caller lost: if op
    /// `op` has applied, answers its result; if not, marks it so it never
    /// will (a late copy is refused with [`MetaOpError::Fenced`]).
    Fence {
        /// The op in question.
        op: OpId,
    },
    /// Forgets entries of the drop list whose data has been deleted.
    ForgetDrops {
        /// Their keys ([`crate::storage::meta::PendingDrop::key`]).
        keys: Vec<Vec<u8>>,
    },
    /// Records where the shards of one shard set now live, after a repair
    /// (or a move) wrote copies to new nodes. Applies only if that shard
    /// set still belongs to a live version (see [`ShardOwner`]); otherwise
    /// nothing changes and the outcome is [`MetaOutcome::Placed`] with
    /// `applied: false`, so the caller knows the copies it wrote are
    /// referenced by nothing and deletes them. Only the placement changes:
    /// last-modified, ETag and every other field stay as they were. The
    /// copies the new placement replaces are not put on the drop list;
    /// they are the caller's to delete.
    ///
    /// Refused with [`MetaOpError::ShardCountMismatch`] if `nodes` does not
    /// have one entry per shard index of the current placement.
    ///
    /// Only an op's success or refusal is remembered under its id, not
    /// `applied`: after a [`MetaOutcome::Duplicate`] (a re-send) or a
    /// fence answering `Some(Ok(()))`, read the shard set back to learn
    /// whether the new copies are referenced (they are if the set is live
    /// and its placement names their nodes).
    PlaceShards {
        /// The object or upload the shard set belongs to.
        owner: ShardOwner,
        /// The shard set's object id (a part's own id for multipart parts).
        object_id: u128,
        /// Part number: 0 for a single-part object, else the S3 part number.
        part: u32,
        /// The node of each shard index ([`super::records::NO_NODE`]: no copy).
        nodes: Vec<u64>,
        /// Apply only if the current placement is exactly this (the one
        /// the caller planned from); `None`: whatever it is.
        expected: Option<Vec<u64>>,
    },
    /// Adds (bucket, key) pairs to the durable heal queue: objects the
    /// repair actor should check and rebuild (a degraded write, a failed
    /// or corrupt read). A pair already queued stays queued once. At most
    /// [`MAX_HEAL_ENTRIES`] pairs (else [`MetaOpError::InvalidArgument`]);
    /// a bucket name or key the store could not hold is refused as by
    /// `PutObject`. The object need not exist.
    QueueHeal {
        /// The objects, as (bucket, key).
        objects: Vec<(String, String)>,
    },
    /// Removes (bucket, key) pairs from the heal queue (pairs not queued
    /// are ignored); bounded and checked as [`MetaOp::QueueHeal`].
    ForgetHeal {
        /// The objects, as (bucket, key).
        objects: Vec<(String, String)>,
    },
    /// Deletes an access key (`NoSuchKey` refusal if there is none): the
    /// next request signed with it is refused.
    DeleteAccessKey {
        /// The public access key id to delete.
        access_key_id: String,
    },
    /// Replaces the published repair report.
    ReportRepair {
        /// The counts repair found, replacing the previous report whole.
        report: RepairReport,
    },
    /// Replaces the tag set of the current version of an object (empty:
    /// removes it); `NoSuchKey` if there is none. Nothing else changes.
    PutObjectTags {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
        /// The new tag set.
        tags: Tags,
    },
    /// Replaces the tag set of a bucket (empty: removes it).
    PutBucketTags {
        /// Name of the bucket whose tags to replace.
        bucket: String,
        /// The new tag set.
        tags: Tags,
    },
    /// Replaces the ACL of the current version of an object; `NoSuchKey`
    /// if there is none.
    PutObjectAcl {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
        /// The new ACL.
        acl: Acl,
    },
    /// Replaces the ACL of a bucket.
    PutBucketAcl {
        /// Name of the bucket whose ACL to replace.
        bucket: String,
        /// The new ACL.
        acl: Acl,
    },
    /// Replaces a bucket's CORS rules (empty: removes them).
    PutBucketCors {
        /// Name of the bucket whose CORS rules to replace.
        bucket: String,
        /// The new rules, in the order preflights try them.
        rules: Vec<CorsRule>,
    },
    /// Deletes an object only if the current version is the one the
    /// caller names (a conditional DeleteObject or DeleteObjects entry);
    /// a missing key is still not an error.
    DeleteObjectIf {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
        /// What must hold of the current version.
        condition: DeleteCondition,
    },
    /// Removes one version or delete marker of a key for good, its data
    /// put on the drop list; a version that does not exist is not an
    /// error (as in S3). Refused with [`MetaOpError::ObjectLocked`] while
    /// its legal hold is on or its retention holds at the entry's time
    /// (governance retention gives way to `bypass_governance`). When the
    /// key's current version goes, the newest remaining one takes its
    /// place.
    DeleteVersion {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
        /// The version to remove.
        version: VersionRef,
        /// The caller asked to bypass governance retention and may.
        bypass_governance: bool,
    },
    /// Turns a bucket's versioning on or suspends it (never back to
    /// unversioned: [`MetaOpError::InvalidArgument`]); a bucket with object
    /// lock cannot be suspended ([`MetaOpError::InvalidBucketState`]).
    PutBucketVersioning {
        /// Name of the bucket.
        bucket: String,
        /// [`Versioning::Enabled`] or [`Versioning::Suspended`].
        state: Versioning,
    },
    /// Replaces the object lock configuration (default retention) of a
    /// bucket with object lock, or turns object lock on for a bucket whose
    /// versioning is enabled; any other bucket is refused with
    /// [`MetaOpError::InvalidBucketState`].
    PutObjectLockConfig {
        /// Name of the bucket.
        bucket: String,
        /// The new configuration.
        config: ObjectLockConfig,
    },
    /// Changes one version of an object in place (tags, ACL, retention,
    /// legal hold); `NoSuchKey` / `NoSuchVersion` if it is not there, and
    /// [`MetaOpError::DeleteMarkerTarget`] for a delete marker.
    UpdateVersion {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
        /// The version to change; `None`: the current one.
        version: Option<VersionRef>,
        /// What to change.
        change: VersionChange,
    },
    /// Sets (`Some`) or removes (`None`) a bucket's lifecycle rules.
    PutBucketLifecycle {
        /// Name of the bucket.
        bucket: String,
        /// The new rules; `None` removes them.
        config: Option<LifecycleConfig>,
    },
    /// Sets a bucket's quota (an empty [`Quota`] removes it). Usage above
    /// a new, lower quota stays; only writes that add to it are refused.
    SetBucketQuota {
        /// Name of the bucket.
        bucket: String,
        /// The new limits.
        quota: Quota,
    },
    /// Carries out lifecycle actions the walk found due, each only if the
    /// bucket's rules still call for it at the entry's time (see
    /// [`LifecycleConfig::due_for_key`]); the others are left alone.
    /// Answers [`MetaOutcome::LifecycleApplied`].
    ApplyLifecycle {
        /// Name of the bucket.
        bucket: String,
        /// The length of a day the walk counted with (a test setting).
        day_ms: u64,
        /// The actions, each for one version or upload.
        due: Vec<Due>,
    },
    /// Records where the lifecycle walk is, so the next leader resumes it.
    LifecycleProgress {
        /// The walk's state.
        progress: LifecycleProgress,
    },
    /// Replaces one access setting of a bucket (policy, object ownership
    /// or Block Public Access), leaving the others as they are;
    /// `NoSuchBucket` if it is missing.
    PutBucketAccess {
        /// Name of the bucket.
        bucket: String,
        /// The setting to replace, with its new value.
        change: AccessChange,
    },
    /// Sets (`Some`) or removes (`None`) a bucket's default encryption;
    /// `NoSuchBucket` if it is missing.
    PutBucketEncryption {
        /// Name of the bucket.
        bucket: String,
        /// The new default; `None` removes it.
        config: Option<DefaultEncryption>,
    },
    /// Changes an account's IAM (users, groups, policies, roles, keys,
    /// sessions); refused with [`MetaOpError::Iam`].
    Iam {
        /// The account (its root's canonical id).
        account: String,
        /// The change.
        change: IamChange,
    },
    /// Records when access keys were last used (a gateway's batch):
    /// uses of keys that are gone, or older than those recorded, are
    /// skipped; more than
    /// [`MAX_KEY_USES`](super::iam::state::MAX_KEY_USES) is `InvalidArgument`.
    KeysUsed {
        /// Access key id and its use.
        uses: Vec<(String, KeyUse)>,
    },
}

/// An in-place change of one version ([`MetaOp::UpdateVersion`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VersionChange {
    /// Replaces its tag set (empty: removes it).
    Tags(Tags),
    /// Replaces its ACL.
    Acl(Acl),
    /// Sets or removes its retention, within the rules of
    /// [`crate::storage::meta::lock::may_change_retention`]; needs a
    /// bucket with object lock.
    Retention {
        /// The new retention; `None` removes it.
        retention: Option<Retention>,
        /// The caller asked to bypass governance retention and may.
        bypass_governance: bool,
    },
    /// Turns its legal hold on or off as an entry written before the
    /// caller's permission was recorded asked (applied as asked; never
    /// written today, see [`VersionChange::LegalHold`]).
    LegalHoldUnrecorded(bool),
    /// Turns its legal hold on or off; needs a bucket with object lock.
    /// Lifting a hold needs `permitted`: the caller holds
    /// `s3:PutObjectLegalHold` (decided at the gateway, recorded here so
    /// the state machine refuses a lift nobody was allowed).
    LegalHold {
        /// On or off.
        on: bool,
        /// The caller holds the permission to change the hold.
        permitted: bool,
    },
    /// Replaces the sealed data key of its data (a re-wrap onto another
    /// master key: the data is not touched); refused with
    /// `PreconditionFailed` unless the version still holds the data
    /// `object_id` sealed as `sealed_key` (a rewrite meanwhile wins).
    Rekey {
        /// The data the new sealing is for.
        object_id: u128,
        /// The sealed key the re-wrap started from.
        sealed_key: Vec<u8>,
        /// The encryption with the data key sealed anew.
        encryption: Encryption,
    },
}

/// What a conditional delete requires of the current version: every
/// field given must match (`PreconditionFailed` otherwise).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteCondition {
    /// Its ETag (`If-Match`; `*` matches any).
    pub etag: Option<String>,
    /// Its Last-Modified time in whole seconds since the epoch
    /// (`x-amz-if-match-last-modified-time`).
    pub last_modified_s: Option<u64>,
    /// Its size in bytes (`x-amz-if-match-size`).
    pub size: Option<u64>,
}

impl DeleteCondition {
    /// Whether no field is given (a plain delete).
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified_s.is_none() && self.size.is_none()
    }
}

/// A conditional write's condition on the version it would replace
/// (`If-None-Match` or `If-Match` on PutObject and
/// CompleteMultipartUpload), checked when the op applies so two writers
/// cannot both win.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WriteCondition {
    /// Unconditional: replaces whatever version is there, or none.
    #[default]
    Always,
    /// Only if the key does not exist (else `PreconditionFailed`).
    IfAbsent,
    /// Only if the current version's ETag is this one (else
    /// `PreconditionFailed`; `NoSuchKey` if there is none).
    IfMatch(String),
    /// Only if there is no current version or its ETag is not this one
    /// (`If-None-Match: <etag>`; else `PreconditionFailed`).
    IfNoneMatch(String),
}

/// Whose shard set a placement change is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardOwner {
    /// The current version of an object: its own shards (single-part,
    /// part 0) or one of its parts (multipart).
    Object {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
    },
    /// A part of a multipart upload in progress.
    Upload {
        /// Bucket the upload was started in.
        bucket: String,
        /// Key the upload was started for.
        key: String,
        /// Id the gateway handed out when the upload was created.
        upload_id: String,
    },
    /// A noncurrent version of an object (its own shards or one of its
    /// parts), named by its place among the key's versions.
    Version {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
        /// The version's place ([`ObjectRecord::seq`]).
        seq: VersionSeq,
    },
}

/// The id that makes an op apply at most once: a caller that lost the
/// answer sends the op again with the same id and gets the first result.
pub(crate) type OpId = u128;

/// The ops of one Raft entry as the state machine applies them.
#[derive(Clone, Copy, Debug)]
pub struct OpBatch<'a> {
    /// The ops, in order.
    pub ops: &'a [MetaOp],
    /// The id of each op (empty when the ops carry none).
    pub ids: &'a [OpId],
    /// The proposing leader's clock (ms since the Unix epoch): when
    /// replaced data was dropped, and how old a remembered id is.
    pub at_ms: u64,
}

impl MetaOp {
    /// Versioned binary form, for Raft log entries.
    pub fn encode(&self) -> Vec<u8> {
        to_bytes(self).unwrap_or_default()
    }

    /// Inverse of [`MetaOp::encode`].
    pub fn decode(b: &[u8]) -> Result<Self, MetaError> {
        // Ops hold records, whose shape changed with the version; the log
        // keeps older ops in its own versioned entries (`raft::format`).
        from_current_bytes(b, "metadata op")
    }
}

/// What a successful op did, with whatever the caller must clean up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetaOutcome {
    /// Done; nothing to report.
    Done,
    /// `PutObject`: the version that was replaced, whose shards are now garbage.
    Replaced(Option<ObjectRecord>),
    /// `DeleteObject`: the removed version, if the key existed.
    Removed(Option<ObjectRecord>),
    /// `PutPart`: the part with the same number that was replaced.
    PartReplaced(Option<PartRecord>),
    /// `CompleteMultipart`: the object version replaced, and the uploaded
    /// parts the completion did not use (their shards are garbage).
    Completed {
        /// The new version's id; `None` on a bucket never versioned.
        version: Option<VersionRef>,
        /// The previous version of the key, when the write replaced it
        /// (not when versioning kept it).
        replaced: Option<ObjectRecord>,
        /// Parts uploaded but not listed, in part-number order.
        unused_parts: Vec<PartRecord>,
    },
    /// `AbortMultipart`: every part of the upload, in part-number order.
    Aborted {
        /// The parts whose shards must be deleted.
        parts: Vec<PartRecord>,
    },
    /// The op had already applied under the same id (a re-sent op): it
    /// did what it did the first time, and nothing more now.
    Duplicate,
    /// The answer to [`MetaOp::Fence`]: the fenced op's result if it had
    /// applied, `None` if it had not (and now never will).
    Fenced {
        /// The fenced op's result, if it applied.
        applied: Option<Result<(), MetaOpError>>,
    },
    /// `PutObject` on a bucket with versioning (enabled or suspended): the
    /// new version's id (`null` when suspended). Nothing was dropped but
    /// a `null` version it replaced.
    Stored {
        /// The id of the version written.
        version: VersionRef,
    },
    /// `DeleteObject` on a bucket with versioning: the delete marker's id.
    MarkerAdded {
        /// The id of the marker written.
        version: VersionRef,
    },
    /// `DeleteVersion`: what was removed, if the version existed.
    VersionRemoved {
        /// Whether it was a delete marker; `None`: there was no such
        /// version.
        marker: Option<bool>,
    },
    /// The answer to [`MetaOp::PlaceShards`].
    Placed {
        /// Whether the placement was recorded; `false` when the shard set's
        /// version is gone (overwritten, deleted, completed or aborted), so
        /// the shard copies written for it are referenced by nothing.
        applied: bool,
    },
    /// `ApplyLifecycle`: what it did.
    LifecycleApplied(LifecycleTally),
}

/// Why an op was refused; the op changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum MetaOpError {
    /// The bucket does not exist.
    #[error("the specified bucket does not exist")]
    NoSuchBucket,
    /// The caller already owns a bucket with this name.
    #[error("the bucket is already owned by you")]
    BucketAlreadyOwnedByYou,
    /// Someone else owns a bucket with this name.
    #[error("the bucket name is not available")]
    BucketAlreadyExists,
    /// The bucket still has objects or multipart uploads.
    #[error("the bucket is not empty")]
    BucketNotEmpty,
    /// The key does not exist.
    #[error("the specified key does not exist")]
    NoSuchKey,
    /// A conditional write found the key present.
    #[error("a precondition failed")]
    PreconditionFailed,
    /// The upload does not exist (or belongs to another bucket or key).
    #[error("the specified multipart upload does not exist")]
    NoSuchUpload,
    /// A listed part was not uploaded, or its ETag does not match.
    #[error("a listed part was not found or its ETag does not match")]
    InvalidPart,
    /// The listed parts are not in strictly ascending order.
    #[error("the list of parts is not in ascending order")]
    InvalidPartOrder,
    /// A part other than the last is smaller than 5 MiB.
    #[error("a part is smaller than the minimum allowed size")]
    EntityTooSmall,
    /// A bucket name that is empty or too long.
    #[error("the specified bucket name is not valid")]
    InvalidBucketName,
    /// An object key longer than S3 allows.
    #[error("the object key is too long")]
    KeyTooLongError,
    /// An empty object key or id, or a part number outside 1..=10000.
    #[error("invalid argument")]
    InvalidArgument,
    /// A completion that lists no parts.
    #[error("the request lists no parts")]
    InvalidRequest,
    /// The gateway reused an upload id (internal error: ids must be unique).
    #[error("the upload id is already in use")]
    UploadAlreadyExists,
    /// A cluster layout not newer than the current one.
    #[error("the cluster layout is not newer than the current one")]
    StaleLayout,
    /// The op was fenced off (its caller gave up on it) before it applied.
    #[error("the op was cancelled before it applied")]
    Fenced,
    /// A [`MetaOp::PlaceShards`] whose node list is not as long as the
    /// shard set's current placement (internal error: repair's bug).
    #[error("the new placement does not have one node per shard")]
    ShardCountMismatch,
    /// The version named does not exist.
    #[error("the specified version does not exist")]
    NoSuchVersion,
    /// The version is under legal hold or retention.
    #[error("the object is protected by object lock")]
    ObjectLocked,
    /// The bucket's state does not allow the change (suspending a bucket
    /// with object lock, lock settings on a bucket without it).
    #[error("the bucket is not in a state that allows this")]
    InvalidBucketState,
    /// Lock settings on a version of a bucket without object lock.
    #[error("the bucket has no object lock configuration")]
    NoObjectLockConfig,
    /// The op names a delete marker where it needs a version with data.
    #[error("the version is a delete marker")]
    DeleteMarkerTarget,
    /// The write would take the bucket past its quota.
    #[error("the bucket quota would be exceeded")]
    QuotaExceeded,
    /// An IAM change refused, as IAM answers it.
    #[error("IAM refused the change: {0:?}")]
    Iam(IamErrorKind),
}

/// The outcome of one op: what it did, or why it was refused.
pub(crate) type MetaResult = Result<MetaOutcome, MetaOpError>;

/// A page of `ListParts`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartsPage {
    /// Parts in part-number order.
    pub parts: Vec<PartRecord>,
    /// Whether more parts follow this page.
    pub is_truncated: bool,
    /// Part number to pass as the marker for the next page (when truncated).
    pub next_part_number_marker: Option<u32>,
}

/// A page of `ListMultipartUploads`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadsPage {
    /// Uploads in (key, upload id) order.
    pub uploads: Vec<MultipartUpload>,
    /// Whether more uploads follow this page.
    pub is_truncated: bool,
    /// Key marker for the next page (when truncated).
    pub next_key_marker: Option<String>,
    /// Upload id marker for the next page (when truncated).
    pub next_upload_id_marker: Option<String>,
}
