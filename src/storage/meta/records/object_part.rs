//! One part of a completed multipart object, as written today (format 4:
//! part checksums), and how it is read from format 2's shape.

use serde::{Deserialize, Serialize};

use super::codec::Shape;
use super::format_v2;

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
