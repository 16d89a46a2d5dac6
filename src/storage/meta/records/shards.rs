//! Where data lives, as the drop list and readers see it: the shard set of
//! an object or part, a drop list entry, and the node id that stands for
//! "no copy".

use serde::{Deserialize, Serialize};

use super::erasure_layout::ErasureLayout;

/// The node id that stands for "no node" in `shard_nodes`: a shard index
/// whose entry is `NO_NODE` has no copy anywhere (its write failed) and
/// must be rebuilt by the repair actor. Real node ids are at least 1 (the
/// configuration refuses 0).
pub(crate) const NO_NODE: u64 = 0;

/// Where the shards of one object (or one multipart part) live: what a
/// reader opens, and what a drop deletes once no version points to it.
/// Stored in drop list entries, in the same shape in every version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSet {
    /// Id the shards are stored under (a part's own id for multipart parts).
    pub object_id: u128,
    /// Part number (0 for a single-part object).
    pub part: u32,
    /// Bytes of object data the shards encode.
    pub size: u64,
    /// How those bytes were split into shards.
    pub layout: ErasureLayout,
    /// The storage node of each shard index ([`NO_NODE`]: none).
    pub nodes: Vec<u64>,
}

/// Data that no version points to any more, kept in the metadata until
/// the grace period has passed (a GET that began before the replace may
/// still be streaming it), then deleted and forgotten.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingDrop {
    /// Its key in the drop list, which `ForgetDrops` names to forget it.
    pub key: Vec<u8>,
    /// When the version was replaced or removed (the leader's clock).
    pub at_ms: u64,
    /// The shard sets (each object's or part's) to delete from their nodes.
    pub sets: Vec<ShardSet>,
}
