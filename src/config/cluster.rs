//! The cluster's members as configured: the metadata (Raft) group, the
//! storage nodes that seed the first layout, and the metadata path's
//! timing.

use crate::net::PeerAddr;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::values::NodeList;

/// Who is in the cluster at first start, and how metadata ops are paced.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterSettings {
    /// `PREDASTORE_META_PEERS`: the metadata (Raft) nodes as a comma list of
    /// `id@host:port` (their QUIC addresses). Default empty: this node
    /// alone, when it is a meta node. On first start the lowest id creates
    /// the group.
    pub meta_peers: NodeList,
    /// `PREDASTORE_STORAGE_NODES`: `id@host:port,…`, the transport address
    /// of every storage node shards are placed on; only seeds the first
    /// layout (the layout in Raft decides after). Default empty: this
    /// process's own volumes only.
    pub storage_nodes: NodeList,
    /// `PREDASTORE_RAFT_SNAPSHOT_EVERY`: log entries between two metadata
    /// snapshots; the log is purged behind each, keeping as many entries
    /// again for members that fall behind. At least 1. Default 10000.
    pub raft_snapshot_every: u64,
    /// `PREDASTORE_META_OP_TIMEOUT_MS`: milliseconds a metadata op or read
    /// may wait for a leader before it fails, 100 to 50000. Default 10000.
    pub meta_op_timeout_ms: u64,
    /// `PREDASTORE_META_READ_LEASE_MS`: milliseconds after a successful
    /// leadership round during which the metadata leader answers reads
    /// without another, 0 (off: a round for every batch of reads) to 300
    /// (half of Raft's 600 ms election timeout). Default 300.
    pub meta_read_lease_ms: u64,
    /// `PREDASTORE_TEST_CLOCK_OFFSET_MS`: **tests only**, milliseconds added
    /// to this meta member's wall clock (negative: behind), to show that one
    /// member's clock cannot move the group's time, and to this gateway's
    /// clock for temporary credentials' expiry (to show a session stops at
    /// its end without waiting for it). Default 0; production never sets
    /// it.
    pub test_clock_offset_ms: i64,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            meta_peers: NodeList::default(),
            storage_nodes: NodeList::default(),
            raft_snapshot_every: 10_000,
            meta_op_timeout_ms: 10_000,
            meta_read_lease_ms: 300,
            test_clock_offset_ms: 0,
        }
    }
}

impl ClusterSettings {
    /// The meta nodes `PREDASTORE_META_PEERS` names, as (id, address); with
    /// none named, a meta node is alone in its group.
    pub fn meta_peers(&self) -> Vec<(u64, PeerAddr)> {
        self.meta_peers.0.clone()
    }

    /// `PREDASTORE_STORAGE_NODES` as (node id, transport address) pairs.
    pub fn storage_nodes(&self) -> BTreeMap<u64, PeerAddr> {
        self.storage_nodes.0.iter().copied().collect()
    }
}
