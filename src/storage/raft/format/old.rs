//! Log entries as older value versions wrote them: openraft's serde shape
//! (postcard), with ops whose records had an older shape. One generic
//! shape serves every old version ([`OldRecords`] names that version's
//! record shapes and their upgrades), and the step to today's entry
//! upgrades the records by their own chain (`storage::meta::records`).
//! A node upgraded with such entries in its log still starts and applies
//! them.

use openraft::{BasicNode, EntryPayload, LogId, Membership};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::super::types::{MetaRaft, MetaRequest};
use crate::storage::meta::acl::Acl;
use crate::storage::meta::bucket_access::AccessChange;
use crate::storage::meta::cors::CorsRule;
use crate::storage::meta::lifecycle::{Due, LifecycleConfig, LifecycleProgress};
use crate::storage::meta::lock::{ObjectLockConfig, Versioning};
use crate::storage::meta::quota::Quota;
use crate::storage::meta::version::VersionRef;
use crate::storage::meta::{
    AccessKey, BucketRecord, ClusterLayout, DeleteCondition, MetaOp, MultipartUpload, ObjectRecord,
    OpId, PartRecord, RepairReport, ShardOwner, Tags, VersionChange, WriteCondition,
};

/// The record shapes one old value version's ops held, and their steps
/// to today's.
pub(super) trait OldRecords {
    /// Its bucket record.
    type Bucket: DeserializeOwned;
    /// Its object record.
    type Object: DeserializeOwned;
    /// Its multipart upload record.
    type Upload: DeserializeOwned;
    /// Its part record.
    type Part: DeserializeOwned;
    /// Its access key record.
    type Key: DeserializeOwned;
    /// Its cluster layout.
    type Layout: DeserializeOwned;
    /// A bucket record of that shape, today.
    fn bucket(b: Self::Bucket) -> BucketRecord;
    /// An object record of that shape, today.
    fn object(o: Self::Object) -> ObjectRecord;
    /// An upload record of that shape, today.
    fn upload(u: Self::Upload) -> MultipartUpload;
    /// A part record of that shape, today.
    fn part(p: Self::Part) -> PartRecord;
    /// An access key record of that shape, today.
    fn key(k: Self::Key) -> AccessKey;
    /// A layout of that shape, today.
    fn layout(l: Self::Layout) -> ClusterLayout;
}

/// An `openraft::Entry<MetaRaft>` of an old version.
#[derive(Deserialize)]
#[serde(bound = "")]
pub(super) struct Entry<R: OldRecords> {
    log_id: LogId<u64>,
    payload: Payload<R>,
}

/// Its payload: openraft's three kinds, in openraft's order.
#[derive(Deserialize)]
#[serde(bound = "")]
enum Payload<R: OldRecords> {
    Blank,
    Normal(Request<R>),
    Membership(Membership<u64, BasicNode>),
}

/// A [`MetaRequest`] of an old version: its ops in their old shape.
#[derive(Deserialize)]
#[serde(bound = "")]
struct Request<R: OldRecords> {
    ops: Vec<Op<R>>,
    ids: Vec<OpId>,
    at_ms: u64,
}

/// A [`MetaOp`] of an old version: the variants value version 7 had, in
/// the same order (an older version simply never wrote the later ones),
/// the records in that version's shapes. Postcard writes a struct variant
/// as its index and then its fields in order, exactly as a tuple variant,
/// so each variant lists the types of [`MetaOp`]'s fields in their order.
#[derive(Deserialize)]
#[serde(bound = "")]
enum Op<R: OldRecords> {
    CreateBucket(R::Bucket),
    DeleteBucket(String),
    PutObject(R::Object, WriteCondition),
    DeleteObject(String, String),
    CreateMultipart(R::Upload),
    PutPart(R::Part),
    CompleteMultipart(
        String,
        String,
        String,
        Vec<(u32, String)>,
        R::Object,
        WriteCondition,
    ),
    AbortMultipart(String, String, String),
    PutAccessKey(R::Key),
    SetLayout(R::Layout),
    Fence(OpId),
    ForgetDrops(Vec<Vec<u8>>),
    PlaceShards(ShardOwner, u128, u32, Vec<u64>, Option<Vec<u64>>),
    QueueHeal(Vec<(String, String)>),
    ForgetHeal(Vec<(String, String)>),
    DeleteAccessKey(String),
    ReportRepair(RepairReport),
    PutObjectTags(String, String, Tags),
    PutBucketTags(String, Tags),
    PutObjectAcl(String, String, Acl),
    PutBucketAcl(String, Acl),
    PutBucketCors(String, Vec<CorsRule>),
    DeleteObjectIf(String, String, DeleteCondition),
    DeleteVersion(String, String, VersionRef, bool),
    PutBucketVersioning(String, Versioning),
    PutObjectLockConfig(String, ObjectLockConfig),
    UpdateVersion(String, String, Option<VersionRef>, VersionChange),
    PutBucketLifecycle(String, Option<LifecycleConfig>),
    SetBucketQuota(String, Quota),
    ApplyLifecycle(String, u64, Vec<Due>),
    LifecycleProgress(LifecycleProgress),
    PutBucketAccess(String, AccessChange),
}

/// The step to today's entry: the records in its ops upgraded,
/// everything else as it was.
impl<R: OldRecords> From<Entry<R>> for openraft::Entry<MetaRaft> {
    fn from(e: Entry<R>) -> Self {
        let payload = match e.payload {
            Payload::Blank => EntryPayload::Blank,
            Payload::Normal(r) => EntryPayload::Normal(MetaRequest {
                ops: r.ops.into_iter().map(Op::upgrade).collect(),
                ids: r.ids,
                at_ms: r.at_ms,
            }),
            Payload::Membership(m) => EntryPayload::Membership(m),
        };
        openraft::Entry {
            log_id: e.log_id,
            payload,
        }
    }
}

impl<R: OldRecords> Op<R> {
    /// Today's op.
    fn upgrade(self) -> MetaOp {
        match self {
            Op::CreateBucket(record) => MetaOp::CreateBucket {
                record: R::bucket(record),
            },
            Op::DeleteBucket(name) => MetaOp::DeleteBucket { name },
            Op::PutObject(record, condition) => MetaOp::PutObject {
                record: R::object(record),
                condition,
            },
            Op::DeleteObject(bucket, key) => MetaOp::DeleteObject { bucket, key },
            Op::CreateMultipart(upload) => MetaOp::CreateMultipart {
                upload: R::upload(upload),
            },
            Op::PutPart(part) => MetaOp::PutPart {
                part: R::part(part),
            },
            Op::CompleteMultipart(bucket, key, upload_id, parts, template, condition) => {
                MetaOp::CompleteMultipart {
                    bucket,
                    key,
                    upload_id,
                    parts,
                    record_template: R::object(template),
                    condition,
                }
            }
            Op::AbortMultipart(bucket, key, upload_id) => MetaOp::AbortMultipart {
                bucket,
                key,
                upload_id,
            },
            Op::PutAccessKey(key) => MetaOp::PutAccessKey { key: R::key(key) },
            Op::SetLayout(layout) => MetaOp::SetLayout {
                layout: R::layout(layout),
            },
            Op::Fence(op) => MetaOp::Fence { op },
            Op::ForgetDrops(keys) => MetaOp::ForgetDrops { keys },
            Op::PlaceShards(owner, object_id, part, nodes, expected) => MetaOp::PlaceShards {
                owner,
                object_id,
                part,
                nodes,
                expected,
            },
            Op::QueueHeal(objects) => MetaOp::QueueHeal { objects },
            Op::ForgetHeal(objects) => MetaOp::ForgetHeal { objects },
            Op::DeleteAccessKey(access_key_id) => MetaOp::DeleteAccessKey { access_key_id },
            Op::ReportRepair(report) => MetaOp::ReportRepair { report },
            Op::PutObjectTags(bucket, key, tags) => MetaOp::PutObjectTags { bucket, key, tags },
            Op::PutBucketTags(bucket, tags) => MetaOp::PutBucketTags { bucket, tags },
            Op::PutObjectAcl(bucket, key, acl) => MetaOp::PutObjectAcl { bucket, key, acl },
            Op::PutBucketAcl(bucket, acl) => MetaOp::PutBucketAcl { bucket, acl },
            Op::PutBucketCors(bucket, rules) => MetaOp::PutBucketCors { bucket, rules },
            Op::DeleteObjectIf(bucket, key, condition) => MetaOp::DeleteObjectIf {
                bucket,
                key,
                condition,
            },
            Op::DeleteVersion(bucket, key, version, bypass_governance) => MetaOp::DeleteVersion {
                bucket,
                key,
                version,
                bypass_governance,
            },
            Op::PutBucketVersioning(bucket, state) => MetaOp::PutBucketVersioning { bucket, state },
            Op::PutObjectLockConfig(bucket, config) => {
                MetaOp::PutObjectLockConfig { bucket, config }
            }
            Op::UpdateVersion(bucket, key, version, change) => MetaOp::UpdateVersion {
                bucket,
                key,
                version,
                change,
            },
            Op::PutBucketLifecycle(bucket, config) => MetaOp::PutBucketLifecycle { bucket, config },
            Op::SetBucketQuota(bucket, quota) => MetaOp::SetBucketQuota { bucket, quota },
            Op::ApplyLifecycle(bucket, day_ms, due) => MetaOp::ApplyLifecycle {
                bucket,
                day_ms,
                due,
            },
            Op::LifecycleProgress(progress) => MetaOp::LifecycleProgress { progress },
            Op::PutBucketAccess(bucket, change) => MetaOp::PutBucketAccess { bucket, change },
        }
    }
}
