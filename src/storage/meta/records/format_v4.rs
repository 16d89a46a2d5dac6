//! Format version 4: checksums on parts and uploads, e-mail addresses on
//! users, CORS rules on buckets. The shapes it changed that have changed
//! again since (buckets, objects, uploads), and the steps from version 3;
//! parts, users and upload checksums are still written in this format's
//! shapes (`object_part`, `upload_part`, `access_key`).

use bytes::Bytes;
use serde::Deserialize;

use super::super::acl::Acl;
use super::super::cors::CorsRule;
use super::codec::Shape;
use super::erasure_layout::ErasureLayout;
use super::format_v3;
use super::object_part::PartInfo;
use super::tags::Tags;
use super::upload_part::UploadChecksum;

/// A bucket before versioning and object lock.
#[derive(Deserialize)]
pub(crate) struct BucketRecord {
    pub(crate) name: String,
    pub(crate) owner: String,
    pub(crate) created_ms: u64,
    pub(crate) tags: Tags,
    pub(crate) region: Option<String>,
    pub(crate) acl: Acl,
    pub(crate) cors: Vec<CorsRule>,
}

impl Shape for BucketRecord {
    const SINCE: u8 = 4;
    type Previous = format_v3::BucketRecord;
    /// No CORS rules.
    fn upgrade(v: format_v3::BucketRecord) -> Self {
        Self {
            name: v.name,
            owner: v.owner,
            created_ms: v.created_ms,
            tags: v.tags,
            region: v.region,
            acl: v.acl,
            cors: vec![],
        }
    }
}

/// An object before versions and object lock.
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
}

impl Shape for ObjectRecord {
    const SINCE: u8 = 4;
    type Previous = format_v3::ObjectRecord;
    /// Its parts get their own (empty) checksums.
    fn upgrade(v: format_v3::ObjectRecord) -> Self {
        let h = v.head;
        Self {
            bucket: h.bucket,
            key: h.key,
            object_id: h.object_id,
            size: h.size,
            etag: h.etag,
            content_type: h.content_type,
            user_metadata: h.user_metadata,
            headers: h.headers,
            checksums: h.checksums,
            last_modified_ms: h.last_modified_ms,
            layout: h.layout,
            parts: h.parts.into_iter().map(PartInfo::upgrade).collect(),
            shard_nodes: h.shard_nodes,
            inline_data: h.inline_data,
            tags: v.tags,
            owner: v.owner,
            acl: v.acl,
        }
    }
}

/// A multipart upload before object lock.
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
}

impl Shape for MultipartUpload {
    const SINCE: u8 = 4;
    type Previous = format_v3::MultipartUpload;
    /// No checksum.
    fn upgrade(v: format_v3::MultipartUpload) -> Self {
        let h = v.head;
        Self {
            bucket: h.bucket,
            key: h.key,
            upload_id: h.upload_id,
            initiated_ms: h.initiated_ms,
            content_type: h.content_type,
            user_metadata: h.user_metadata,
            headers: h.headers,
            layout: h.layout,
            tags: v.tags,
            owner: v.owner,
            acl: v.acl,
            checksum: None,
        }
    }
}
