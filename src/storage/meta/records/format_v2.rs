//! Format version 2, the oldest still read: the first shape of every
//! record. The layout of the cluster, the repair report and the erasure
//! layout have kept this shape and are still today's; the others were
//! changed by later versions and are only read here, then upgraded.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::codec::first_shape;

first_shape!(
    BucketRecord,
    PartInfo,
    ObjectRecord,
    MultipartUpload,
    PartRecord,
    AccessKey,
    ClusterLayout,
    RepairReport,
);

/// How an object's (or part's) bytes are erasure coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureLayout {
    /// Data shards per stripe (k): any k shards of a stripe rebuild it.
    pub data: u8,
    /// Parity shards per stripe (m): how many shards a stripe may lose.
    pub parity: u8,
    /// Bytes of object data per stripe, split over the `data` shards.
    pub stripe_bytes: u32,
}

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

/// Where a storage node stands in the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// Takes new shards and keeps its share.
    Active,
    /// Takes no new shards; rebalance moves every shard it holds to the
    /// active nodes, after which it can be removed.
    Draining,
    /// No longer part of the cluster: shards still recorded on it are
    /// rebuilt elsewhere. Kept in the layout so its id is never reused.
    Removed,
}

/// A storage node shards can be placed on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// The id `shard_nodes` entries name it by (at least 1: 0 is
    /// [`NO_NODE`](super::NO_NODE)), fixed for the node's life.
    pub id: u64,
    /// Address the node's shard service listens on (QUIC, `host:port`).
    pub addr: String,
    /// Failure zone; shards of a stripe are spread across zones.
    pub zone: String,
    /// Relative capacity: a node of weight 2 gets about twice the shards
    /// of a node of weight 1.
    pub weight: u32,
    /// Whether it takes new shards, is being emptied, or is gone.
    pub state: NodeState,
}

/// Which storage nodes make up the cluster. Replaced only by the next
/// version (`version + 1`), so two concurrent changes cannot both apply.
/// The metadata members are openraft's own membership, not kept here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterLayout {
    /// Monotonic version; a layout only replaces the one before it.
    pub version: u64,
    /// Nodes that store shards (removed ones included), by id.
    pub storage_nodes: Vec<NodeInfo>,
}

/// What the repair actor last found, published through Raft by the leader
/// that runs it, so every gateway's admin API can show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairReport {
    /// Objects with a shard missing, corrupt, on a down node or sharing a
    /// node, as repair last verified them.
    pub objects_below_redundancy: u64,
    /// Objects whole but not on their proper nodes (a rebalance's work).
    pub objects_misplaced: u64,
    /// Entries in the durable heal queue.
    pub heal_queue_length: u64,
    /// Shard sets the current rebalance still has to move.
    pub rebalance_objects_left: u64,
    /// Shard bytes moved by rebalance since the reporting leader started.
    pub rebalance_bytes_moved: u64,
    /// Shard bytes rebuilt by repair since the reporting leader started.
    pub heal_bytes: u64,
    /// The layout version the report's verdicts were made against.
    pub layout_version: u64,
    /// The node id of the leader whose repair actor made the report.
    pub reported_by: u64,
    /// When the report was made, ms since the Unix epoch (the reporting
    /// leader's clock).
    pub updated_ms: u64,
}
