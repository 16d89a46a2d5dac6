//! The cluster's records: the layout of storage nodes and their disks
//! ([`ClusterLayout`], [`NodeInfo`], [`NodeState`], [`VolumeInfo`]; format
//! 7 added the disks, `format_v6` has the shape before) and what repair
//! last found ([`RepairReport`], as format 2 first wrote it).

use serde::{Deserialize, Serialize};

use super::codec::{first_shape, Shape};
use super::format_v6;
pub(crate) use super::node_state::NodeState;

first_shape!(RepairReport);

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
    /// Its volumes (disks) as the repair leader last found them; empty
    /// until a node has been asked (or for a node of an older release).
    pub volumes: Vec<VolumeInfo>,
}

/// How one volume of a storage node stands, as its node last reported it
/// to the repair leader, which records every change here: the layout is
/// where a failed disk is known cluster-wide, and placement takes a node
/// whose every volume failed as holding nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VolumeCondition {
    /// In service.
    Ok,
    /// Read, but its filesystem takes no new shard.
    Full,
    /// Failed (an I/O error, a missing or foreign disk): its shards are
    /// rebuilt elsewhere until a new disk is taken in.
    Failed,
}

/// One volume (disk) of a storage node in the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeInfo {
    /// The volume's slot on its node (its place in `PREDASTORE_VOLUMES`).
    pub slot: u16,
    /// How it stands.
    pub condition: VolumeCondition,
    /// Size of its filesystem in bytes (0 while it cannot be examined).
    pub capacity_bytes: u64,
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

impl Shape for ClusterLayout {
    const SINCE: u8 = 7;
    type Previous = format_v6::ClusterLayout;
    /// No node's volumes known yet: the repair leader records them at its
    /// next look.
    fn upgrade(v: format_v6::ClusterLayout) -> Self {
        Self {
            version: v.version,
            storage_nodes: v
                .storage_nodes
                .into_iter()
                .map(|n| NodeInfo {
                    id: n.id,
                    addr: n.addr,
                    zone: n.zone,
                    weight: n.weight,
                    state: n.state,
                    volumes: Vec::new(),
                })
                .collect(),
        }
    }
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

impl VolumeCondition {
    /// The lowercase name the admin API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeCondition::Ok => "ok",
            VolumeCondition::Full => "full",
            VolumeCondition::Failed => "failed",
        }
    }
}
