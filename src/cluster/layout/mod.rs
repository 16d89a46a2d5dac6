//! The cluster layout (storage nodes with zone, weight and state, kept in
//! Raft) and the ring members it stands for. What repair does with a
//! shard set under it (healing, drain and rebalance are one plan with
//! different targets) is the repair actor's `plan`.

use std::net::SocketAddr;

use crate::cluster::ring::{Member, NodeId};
use crate::storage::meta::{ClusterLayout, NodeInfo, NodeState};

/// The ring members a layout stands for: active nodes by weight,
/// draining ones with weight 0, removed ones left out. A node whose
/// address does not parse is left out (the admin API refuses such).
pub(crate) fn layout_members(layout: &ClusterLayout) -> Vec<Member> {
    layout
        .storage_nodes
        .iter()
        .filter(|n| n.state != NodeState::Removed)
        .filter_map(|n| {
            Some(Member {
                id: NodeId(n.id),
                addr: n.addr.parse().ok()?,
                zone: n.zone.clone(),
                weight: if n.state == NodeState::Active {
                    n.weight
                } else {
                    0
                },
            })
        })
        .collect()
}

/// The first layout, from the configured storage nodes.
pub(crate) fn seed_layout(nodes: impl IntoIterator<Item = (u64, SocketAddr)>) -> ClusterLayout {
    ClusterLayout {
        version: 1,
        storage_nodes: nodes
            .into_iter()
            .map(|(id, addr)| NodeInfo {
                id,
                addr: addr.to_string(),
                zone: String::new(),
                weight: 1,
                state: NodeState::Active,
            })
            .collect(),
    }
}
