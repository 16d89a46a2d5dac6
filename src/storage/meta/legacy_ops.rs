//! The shape of [`MetaOp`] in Raft log entries written before record
//! format 4 (log value version 4), when ops held version-3 records: a node
//! upgraded with such entries in its log still reads and applies them.
//! Nothing writes these.

use serde::Deserialize;

use super::acl::Acl;
use super::legacy::{AccessKeyV3, BucketRecordV3, MultipartUploadV3, ObjectRecordV3, PartRecordV3};
use super::ops::{MetaOp, OpId, ShardOwner, WriteCondition};
use super::records::{ClusterLayout, RepairReport, Tags};

/// A [`MetaOp`] as version-4 log entries hold it (variants in the same
/// order; the ones holding records that changed read their old shape).
#[derive(Deserialize)]
pub(crate) enum MetaOpV4 {
    CreateBucket {
        record: BucketRecordV3,
    },
    DeleteBucket {
        name: String,
    },
    PutObject {
        record: ObjectRecordV3,
        condition: WriteCondition,
    },
    DeleteObject {
        bucket: String,
        key: String,
    },
    CreateMultipart {
        upload: MultipartUploadV3,
    },
    PutPart {
        part: PartRecordV3,
    },
    CompleteMultipart {
        bucket: String,
        key: String,
        upload_id: String,
        parts: Vec<(u32, String)>,
        record_template: ObjectRecordV3,
        condition: WriteCondition,
    },
    AbortMultipart {
        bucket: String,
        key: String,
        upload_id: String,
    },
    PutAccessKey {
        key: AccessKeyV3,
    },
    SetLayout {
        layout: ClusterLayout,
    },
    Fence {
        op: OpId,
    },
    ForgetDrops {
        keys: Vec<Vec<u8>>,
    },
    PlaceShards {
        owner: ShardOwner,
        object_id: u128,
        part: u32,
        nodes: Vec<u64>,
        expected: Option<Vec<u64>>,
    },
    QueueHeal {
        objects: Vec<(String, String)>,
    },
    ForgetHeal {
        objects: Vec<(String, String)>,
    },
    DeleteAccessKey {
        access_key_id: String,
    },
    ReportRepair {
        report: RepairReport,
    },
    PutObjectTags {
        bucket: String,
        key: String,
        tags: Tags,
    },
    PutBucketTags {
        bucket: String,
        tags: Tags,
    },
    PutObjectAcl {
        bucket: String,
        key: String,
        acl: Acl,
    },
    PutBucketAcl {
        bucket: String,
        acl: Acl,
    },
}

impl From<MetaOpV4> for MetaOp {
    fn from(op: MetaOpV4) -> Self {
        match op {
            MetaOpV4::CreateBucket { record } => MetaOp::CreateBucket {
                record: record.into(),
            },
            MetaOpV4::DeleteBucket { name } => MetaOp::DeleteBucket { name },
            MetaOpV4::PutObject { record, condition } => MetaOp::PutObject {
                record: record.into(),
                condition,
            },
            MetaOpV4::DeleteObject { bucket, key } => MetaOp::DeleteObject { bucket, key },
            MetaOpV4::CreateMultipart { upload } => MetaOp::CreateMultipart {
                upload: upload.into(),
            },
            MetaOpV4::PutPart { part } => MetaOp::PutPart { part: part.into() },
            MetaOpV4::CompleteMultipart {
                bucket,
                key,
                upload_id,
                parts,
                record_template,
                condition,
            } => MetaOp::CompleteMultipart {
                bucket,
                key,
                upload_id,
                parts,
                record_template: record_template.into(),
                condition,
            },
            MetaOpV4::AbortMultipart {
                bucket,
                key,
                upload_id,
            } => MetaOp::AbortMultipart {
                bucket,
                key,
                upload_id,
            },
            MetaOpV4::PutAccessKey { key } => MetaOp::PutAccessKey { key: key.into() },
            MetaOpV4::SetLayout { layout } => MetaOp::SetLayout { layout },
            MetaOpV4::Fence { op } => MetaOp::Fence { op },
            MetaOpV4::ForgetDrops { keys } => MetaOp::ForgetDrops { keys },
            MetaOpV4::PlaceShards {
                owner,
                object_id,
                part,
                nodes,
                expected,
            } => MetaOp::PlaceShards {
                owner,
                object_id,
                part,
                nodes,
                expected,
            },
            MetaOpV4::QueueHeal { objects } => MetaOp::QueueHeal { objects },
            MetaOpV4::ForgetHeal { objects } => MetaOp::ForgetHeal { objects },
            MetaOpV4::DeleteAccessKey { access_key_id } => {
                MetaOp::DeleteAccessKey { access_key_id }
            }
            MetaOpV4::ReportRepair { report } => MetaOp::ReportRepair { report },
            MetaOpV4::PutObjectTags { bucket, key, tags } => {
                MetaOp::PutObjectTags { bucket, key, tags }
            }
            MetaOpV4::PutBucketTags { bucket, tags } => MetaOp::PutBucketTags { bucket, tags },
            MetaOpV4::PutObjectAcl { bucket, key, acl } => {
                MetaOp::PutObjectAcl { bucket, key, acl }
            }
            MetaOpV4::PutBucketAcl { bucket, acl } => MetaOp::PutBucketAcl { bucket, acl },
        }
    }
}
