//! Format version 2, the oldest still read: the first shape of every
//! record that later versions changed, only read here, then upgraded.
//! The cluster's records and the erasure layout kept their first shape
//! and are today's (`cluster`, `erasure_layout`).

use bytes::Bytes;
use serde::Deserialize;

use super::codec::first_shape;
use super::erasure_layout::ErasureLayout;

first_shape!(
    BucketRecord,
    PartInfo,
    ObjectRecord,
    MultipartUpload,
    PartRecord,
    AccessKey,
);

/// A bucket before ACLs: the owner alone had access.
#[derive(Deserialize)]
pub(crate) struct BucketRecord {
    pub(crate) name: String,
    pub(crate) owner: String,
    pub(crate) created_ms: u64,
}

/// A part of a completed object before part checksums (versions 2 and 3).
#[derive(Deserialize)]
pub(crate) struct PartInfo {
    pub(crate) part_number: u32,
    pub(crate) size: u64,
    pub(crate) etag: String,
    pub(crate) object_id: u128,
    pub(crate) shard_nodes: Vec<u64>,
}

/// An object before tags, owners and ACLs.
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
}

/// A multipart upload before tags, owners and ACLs.
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
}

/// An uploaded part before part checksums (versions 2 and 3).
#[derive(Deserialize)]
pub(crate) struct PartRecord {
    pub(crate) upload_id: String,
    pub(crate) part_number: u32,
    pub(crate) size: u64,
    pub(crate) etag: String,
    pub(crate) object_id: u128,
    pub(crate) shard_nodes: Vec<u64>,
    pub(crate) last_modified_ms: u64,
}

/// An access key before users: each key was a user of its own.
#[derive(Deserialize)]
pub(crate) struct AccessKey {
    pub(crate) access_key_id: String,
    pub(crate) secret: String,
    pub(crate) created_ms: u64,
}
