//! Format version 7: buckets without a default encryption, objects and
//! multipart uploads without encryption. Their shapes as format 7 (and,
//! unchanged, formats 5 and 6) wrote them, with their steps from the
//! formats before.

use bytes::Bytes;
use serde::Deserialize;

use super::super::acl::Acl;
use super::super::bucket_access::BucketAccess;
use super::super::cors::CorsRule;
use super::super::lock::{ObjectLock, ObjectLockConfig, Versioning};
use super::super::version::VersionSeq;
use super::codec::Shape;
use super::erasure_layout::ErasureLayout;
use super::object_part::PartInfo;
use super::tags::Tags;
use super::upload_part::UploadChecksum;
use super::{format_v4, format_v5};

/// A bucket without a default encryption.
#[derive(Deserialize)]
pub(crate) struct BucketRecord {
    pub(crate) name: String,
    pub(crate) owner: String,
    pub(crate) created_ms: u64,
    pub(crate) tags: Tags,
    pub(crate) region: Option<String>,
    pub(crate) acl: Acl,
    pub(crate) cors: Vec<CorsRule>,
    pub(crate) versioning: Versioning,
    pub(crate) object_lock: Option<ObjectLockConfig>,
    pub(crate) access: BucketAccess,
}

impl Shape for BucketRecord {
    const SINCE: u8 = 6;
    type Previous = format_v5::BucketRecord;
    /// No policy, ownership never set (it behaves as `ObjectWriter`, as
    /// it always did), no Block Public Access: access is decided as before.
    fn upgrade(v: format_v5::BucketRecord) -> Self {
        Self {
            name: v.name,
            owner: v.owner,
            created_ms: v.created_ms,
            tags: v.tags,
            region: v.region,
            acl: v.acl,
            cors: v.cors,
            versioning: v.versioning,
            object_lock: v.object_lock,
            access: BucketAccess::default(),
        }
    }
}

/// An object version without encryption.
#[derive(Deserialize)]
pub(crate) struct ObjectRecord {
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) object_id: u128,
    pub(crate) size: u64,
    pub(crate) etag: String,
    pub(crate) content_type: Option<String>,
    pub(crate) user_metadata: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) checksums: Vec<(String, String)>,
    pub(crate) last_modified_ms: u64,
    pub(crate) layout: ErasureLayout,
    pub(crate) parts: Vec<PartInfo>,
    pub(crate) shard_nodes: Vec<u64>,
    pub(crate) inline_data: Option<Bytes>,
    pub(crate) tags: Tags,
    pub(crate) owner: String,
    pub(crate) acl: Acl,
    pub(crate) seq: VersionSeq,
    pub(crate) versioned: bool,
    pub(crate) delete_marker: bool,
    pub(crate) lock: ObjectLock,
}

impl Shape for ObjectRecord {
    const SINCE: u8 = 5;
    type Previous = format_v4::ObjectRecord;
    /// The key's `null` version, older than every version written since;
    /// no lock.
    fn upgrade(v: format_v4::ObjectRecord) -> Self {
        Self {
            bucket: v.bucket,
            key: v.key,
            object_id: v.object_id,
            size: v.size,
            etag: v.etag,
            content_type: v.content_type,
            user_metadata: v.user_metadata,
            headers: v.headers,
            checksums: v.checksums,
            last_modified_ms: v.last_modified_ms,
            layout: v.layout,
            parts: v.parts,
            shard_nodes: v.shard_nodes,
            inline_data: v.inline_data,
            tags: v.tags,
            owner: v.owner,
            acl: v.acl,
            seq: VersionSeq::OLDEST,
            versioned: false,
            delete_marker: false,
            lock: ObjectLock::default(),
        }
    }
}

/// A multipart upload without encryption.
#[derive(Deserialize)]
pub(crate) struct MultipartUpload {
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) upload_id: String,
    pub(crate) initiated_ms: u64,
    pub(crate) content_type: Option<String>,
    pub(crate) user_metadata: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) layout: ErasureLayout,
    pub(crate) tags: Tags,
    pub(crate) owner: String,
    pub(crate) acl: Acl,
    pub(crate) checksum: Option<UploadChecksum>,
    pub(crate) lock: ObjectLock,
}

impl Shape for MultipartUpload {
    const SINCE: u8 = 5;
    type Previous = format_v4::MultipartUpload;
    /// No lock.
    fn upgrade(v: format_v4::MultipartUpload) -> Self {
        Self {
            bucket: v.bucket,
            key: v.key,
            upload_id: v.upload_id,
            initiated_ms: v.initiated_ms,
            content_type: v.content_type,
            user_metadata: v.user_metadata,
            headers: v.headers,
            layout: v.layout,
            tags: v.tags,
            owner: v.owner,
            acl: v.acl,
            checksum: v.checksum,
            lock: ObjectLock::default(),
        }
    }
}
