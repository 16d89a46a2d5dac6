//! Format version 4: checksums on parts and uploads, e-mail addresses on
//! users, CORS rules on buckets. The shapes it changed, and the steps from
//! version 3; parts, users and upload checksums are still written in
//! these shapes, buckets, objects and uploads have changed since (`format_v5`).

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::super::acl::Acl;
use super::super::cors::CorsRule;
use super::codec::Shape;
use super::format_v2::{self, ErasureLayout};
use super::format_v3::{self, Tags};

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

/// One part of a completed multipart object, as the reader needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    /// S3 part number (1..=10000); the parts of an object ascend.
    pub part_number: u32,
    /// Bytes of object data in the part.
    pub size: u64,
    /// The part's ETag (hex MD5, quoted as the API layer chooses).
    pub etag: String,
    /// Object id under which the part's shards are stored.
    pub object_id: u128,
    /// Node holding each shard index of the part
    /// ([`NO_NODE`](super::NO_NODE): none); parts are placed
    /// independently, so each carries its own placement.
    pub shard_nodes: Vec<u64>,
    /// The part's checksum as uploaded (see [`ObjectRecord::checksums`](super::ObjectRecord::checksums)).
    pub checksums: Vec<(String, String)>,
}

impl Shape for PartInfo {
    const SINCE: u8 = 4;
    type Previous = format_v2::PartInfo;
    /// No checksum.
    fn upgrade(v: format_v2::PartInfo) -> Self {
        Self {
            part_number: v.part_number,
            size: v.size,
            etag: v.etag,
            object_id: v.object_id,
            shard_nodes: v.shard_nodes,
            checksums: vec![],
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

/// The checksum of a multipart upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadChecksum {
    /// The algorithm, lower case as in [`ObjectRecord::checksums`](super::ObjectRecord::checksums).
    pub algorithm: String,
    /// Whether the object's checksum is of its whole data (a CRC combined
    /// from the parts', `FULL_OBJECT`) rather than of the parts'
    /// checksums (`COMPOSITE`).
    pub full_object: bool,
}

/// One uploaded part of a multipart upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartRecord {
    /// The upload it belongs to ([`MultipartUpload::upload_id`]).
    pub upload_id: String,
    /// S3 part number (1..=10000); a new upload of a number replaces it.
    pub part_number: u32,
    /// Bytes of object data in the part.
    pub size: u64,
    /// The part's ETag (quoted hex MD5), which CompleteMultipartUpload
    /// must list.
    pub etag: String,
    /// Object id under which the part's shards are stored.
    pub object_id: u128,
    /// Node holding each shard index of the part
    /// ([`NO_NODE`](super::NO_NODE): none).
    pub shard_nodes: Vec<u64>,
    /// Upload time, milliseconds since the Unix epoch.
    pub last_modified_ms: u64,
    /// The part's checksum (see [`ObjectRecord::checksums`](super::ObjectRecord::checksums)).
    pub checksums: Vec<(String, String)>,
}

impl Shape for PartRecord {
    const SINCE: u8 = 4;
    type Previous = format_v2::PartRecord;
    /// No checksum.
    fn upgrade(v: format_v2::PartRecord) -> Self {
        Self {
            upload_id: v.upload_id,
            part_number: v.part_number,
            size: v.size,
            etag: v.etag,
            object_id: v.object_id,
            shard_nodes: v.shard_nodes,
            last_modified_ms: v.last_modified_ms,
            checksums: vec![],
        }
    }
}

/// An S3 access key, its secret, and the user it acts for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// The public access key id, as it appears in signed requests.
    pub access_key_id: String,
    /// The secret that signs its requests (the HMAC key of SigV4 and
    /// SigV2), as issued.
    pub secret: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// The id of the user the key belongs to (owner of what it creates).
    pub user_id: String,
    /// That user's display name (`DisplayName` in `Owner` elements).
    pub display_name: String,
    /// That user's e-mail address (for grants by `emailAddress`), if known.
    pub email: Option<String>,
}

impl Shape for AccessKey {
    const SINCE: u8 = 4;
    type Previous = format_v3::AccessKey;
    /// No e-mail address.
    fn upgrade(v: format_v3::AccessKey) -> Self {
        Self {
            access_key_id: v.access_key_id,
            secret: v.secret,
            created_ms: v.created_ms,
            user_id: v.user_id,
            display_name: v.display_name,
            email: None,
        }
    }
}
