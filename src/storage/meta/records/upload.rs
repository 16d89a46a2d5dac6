//! A multipart upload in progress, as written today (format 5), and how it
//! is read from format 4's shape.

use serde::{Deserialize, Serialize};

use super::super::acl::Acl;
use super::super::lock::ObjectLock;
use super::codec::Shape;
use super::erasure_layout::ErasureLayout;
use super::format_v4;
use super::tags::Tags;
use super::upload_part::UploadChecksum;

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
