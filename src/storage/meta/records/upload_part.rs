//! One uploaded part of a multipart upload, as written today (format 4:
//! part checksums), the checksum an upload's parts carry, and how a part
//! is read from format 2's shape.

use serde::{Deserialize, Serialize};

use super::codec::Shape;
use super::format_v2;

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
