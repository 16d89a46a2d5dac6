//! Log value version 4: entries whose ops held version-3 records (no part
//! checksums, e-mail addresses or CORS rules), as that build wrote them
//! (openraft's serde shape, postcard), and the step to today's entry. A
//! node upgraded with such entries in its log still starts and applies
//! them. The vote and the other values kept their shape.

use openraft::{BasicNode, EntryPayload, LogId, Membership};
use serde::Deserialize;

use super::super::types::{MetaRaft, MetaRequest};
use crate::storage::meta::acl::Acl;
use crate::storage::meta::records::{self, v2, v3, Shape};
use crate::storage::meta::WriteCondition;
use crate::storage::meta::{ClusterLayout, MetaOp, OpId, RepairReport, ShardOwner, Tags};

/// An `openraft::Entry<MetaRaft>` of version 4.
#[derive(Deserialize)]
pub(super) struct Entry {
    log_id: LogId<u64>,
    payload: Payload,
}

/// Its payload: openraft's three kinds, in openraft's order.
#[derive(Deserialize)]
enum Payload {
    Blank,
    Normal(Request),
    Membership(Membership<u64, BasicNode>),
}

/// A [`MetaRequest`] of version 4: its ops in their old shape.
#[derive(Deserialize)]
struct Request {
    ops: Vec<Op>,
    ids: Vec<OpId>,
    at_ms: u64,
}

/// A [`MetaOp`] of version 4: the variants it had, in the same order (the
/// ones appended since could not occur), the records in their version-3
/// shapes. Postcard writes a struct variant as its index and then its
/// fields in order, exactly as a tuple variant, so each variant lists the
/// types of [`MetaOp`]'s fields in their order.
#[derive(Deserialize)]
enum Op {
    CreateBucket(v3::BucketRecord),
    DeleteBucket(String),
    PutObject(v3::ObjectRecord, WriteCondition),
    DeleteObject(String, String),
    CreateMultipart(v3::MultipartUpload),
    PutPart(v2::PartRecord),
    CompleteMultipart(
        String,
        String,
        String,
        Vec<(u32, String)>,
        v3::ObjectRecord,
        WriteCondition,
    ),
    AbortMultipart(String, String, String),
    PutAccessKey(v3::AccessKey),
    SetLayout(ClusterLayout),
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
}

/// The step to today's entry: the records in its ops upgraded by their
/// own chain (`storage::meta::records`), everything else as it was.
impl From<Entry> for openraft::Entry<MetaRaft> {
    fn from(e: Entry) -> Self {
        let payload = match e.payload {
            Payload::Blank => EntryPayload::Blank,
            Payload::Normal(r) => EntryPayload::Normal(MetaRequest {
                ops: r.ops.into_iter().map(MetaOp::from).collect(),
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

impl From<Op> for MetaOp {
    fn from(op: Op) -> Self {
        use records::{AccessKey, BucketRecord, MultipartUpload, ObjectRecord, PartRecord};
        match op {
            Op::CreateBucket(record) => MetaOp::CreateBucket {
                record: BucketRecord::upgrade(record),
            },
            Op::DeleteBucket(name) => MetaOp::DeleteBucket { name },
            Op::PutObject(record, condition) => MetaOp::PutObject {
                record: ObjectRecord::upgrade(record),
                condition,
            },
            Op::DeleteObject(bucket, key) => MetaOp::DeleteObject { bucket, key },
            Op::CreateMultipart(upload) => MetaOp::CreateMultipart {
                upload: MultipartUpload::upgrade(upload),
            },
            Op::PutPart(part) => MetaOp::PutPart {
                part: PartRecord::upgrade(part),
            },
            Op::CompleteMultipart(bucket, key, upload_id, parts, template, condition) => {
                MetaOp::CompleteMultipart {
                    bucket,
                    key,
                    upload_id,
                    parts,
                    record_template: ObjectRecord::upgrade(template),
                    condition,
                }
            }
            Op::AbortMultipart(bucket, key, upload_id) => MetaOp::AbortMultipart {
                bucket,
                key,
                upload_id,
            },
            Op::PutAccessKey(key) => MetaOp::PutAccessKey {
                key: AccessKey::upgrade(key),
            },
            Op::SetLayout(layout) => MetaOp::SetLayout { layout },
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
        }
    }
}
