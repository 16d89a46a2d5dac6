//! A multipart upload in progress, as written today (format 8: how its
//! parts are encrypted), and how it is read from format 7's shape.

use serde::{Deserialize, Serialize};

use super::super::acl::Acl;
use super::super::encryption::{stored_size, Encryption};
use super::super::lock::ObjectLock;
use super::codec::Shape;
use super::erasure_layout::ErasureLayout;
use super::format_v7;
use super::tags::Tags;
use super::upload_part::{PartRecord, UploadChecksum};
use super::ShardSet;

/// A multipart upload in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultipartUpload {
    /// Bucket the final object goes into.
    pub bucket: String,
    /// Key the final object gets.
    pub key: String,
    /// Upload id handed to the client (unique, chosen by the gateway).
    pub upload_id: String,
    /// Initiation time, milliseconds since the Unix epoch.
    pub initiated_ms: u64,
    /// `Content-Type` for the final object.
    pub content_type: Option<String>,
    /// `x-amz-meta-*` pairs for the final object.
    pub user_metadata: Vec<(String, String)>,
    /// Other stored headers for the final object.
    pub headers: Vec<(String, String)>,
    /// Erasure coding every part uses.
    pub layout: ErasureLayout,
    /// Tag set for the final object (`x-amz-tagging` at creation).
    pub tags: Tags,
    /// The id of the user who started it (the final object's owner).
    pub owner: String,
    /// ACL of the final object (`x-amz-acl` or grants at creation).
    pub acl: Acl,
    /// The checksum every part carries and the final object gets
    /// (`x-amz-checksum-algorithm` / `-type` at creation), if any.
    pub checksum: Option<UploadChecksum>,
    /// Retention and legal hold the final object gets
    /// (`x-amz-object-lock-*` at creation).
    pub lock: ObjectLock,
    /// How its parts are encrypted (each part's data under the upload's data key); `None`: not encrypted.
    pub encryption: Option<Encryption>,
}

impl Shape for MultipartUpload {
    const SINCE: u8 = 8;
    type Previous = format_v7::MultipartUpload;
    /// Not encrypted.
    fn upgrade(v: format_v7::MultipartUpload) -> Self {
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
            lock: v.lock,
            encryption: None,
        }
    }
}

impl MultipartUpload {
    /// The shards of its part `part`, coded with its layout (and holding
    /// encrypted bytes when it is encrypted).
    pub fn part_shards(&self, part: &PartRecord) -> ShardSet {
        ShardSet {
            object_id: part.object_id,
            part: part.part_number,
            size: stored_size(self.encryption.as_ref(), part.size),
            layout: self.layout,
            nodes: part.shard_nodes.clone(),
        }
    }
}
