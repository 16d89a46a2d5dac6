//! The cluster layout (storage nodes with zone, weight and state, kept in
//! Raft) and the ring members it stands for. What repair does with a
//! shard set under it (healing, drain and rebalance are one plan with
//! different targets) is the repair actor's `plan`.

use crate::net::PeerAddr;

use crate::cluster::ring::{Member, NodeId};
use crate::storage::meta::{ClusterLayout, NodeInfo, NodeState, VolumeCondition};

/// The ring members a layout stands for: active nodes by weight,
/// draining ones and ones whose every volume failed with weight 0 (they
/// take no new shard, and what they held is rebuilt elsewhere, unless no
/// other node could take it), removed ones left out. A node whose
/// address does not parse is left out (the admin API refuses such).
pub(crate) fn layout_members(layout: &ClusterLayout) -> Vec<Member> {
    // A node whose disks all failed still takes shards when no other can.
    let serving = |n: &NodeInfo| n.state == NodeState::Active && !all_volumes_failed(n);
    let others_serve = |n: &NodeInfo| {
        layout
            .storage_nodes
            .iter()
            .any(|o| o.id != n.id && serving(o))
    };
    layout
        .storage_nodes
        .iter()
        .filter(|n| n.state != NodeState::Removed)
        .filter_map(|n| {
            Some(Member {
                id: NodeId(n.id),
                addr: n.addr.parse().ok()?,
                zone: n.zone.clone(),
                weight: if serving(n) || (n.state == NodeState::Active && !others_serve(n)) {
                    n.weight
                } else {
                    0
                },
            })
        })
        .collect()
}

/// Whether every volume of `node` the layout knows of failed (`false`
/// while none is known).
fn all_volumes_failed(node: &NodeInfo) -> bool {
    !node.volumes.is_empty()
        && node
            .volumes
            .iter()
            .all(|v| v.condition == VolumeCondition::Failed)
}

/// The first layout, from the configured storage nodes.
pub(crate) fn seed_layout(nodes: impl IntoIterator<Item = (u64, PeerAddr)>) -> ClusterLayout {
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
                volumes: Vec::new(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::meta::VolumeInfo;

    fn node(id: u64, conditions: &[VolumeCondition]) -> NodeInfo {
        NodeInfo {
            id,
            addr: format!("127.0.0.1:{}", 9100 + id),
            zone: String::new(),
            weight: 2,
            state: NodeState::Active,
            volumes: conditions
                .iter()
                .enumerate()
                .map(|(slot, &condition)| VolumeInfo {
                    slot: slot as u16,
                    condition,
                    capacity_bytes: 1 << 30,
                })
                .collect(),
        }
    }

    fn weights(nodes: Vec<NodeInfo>) -> Vec<(u64, u32)> {
        let layout = ClusterLayout {
            version: 1,
            storage_nodes: nodes,
        };
        layout_members(&layout)
            .iter()
            .map(|m| (m.id.0, m.weight))
            .collect()
    }

    #[test]
    fn a_node_whose_every_disk_failed_takes_no_shard_while_others_can() {
        use VolumeCondition::{Failed, Full, Ok};
        let w = weights(vec![
            node(1, &[Ok, Failed]),
            node(2, &[Failed, Failed]),
            node(3, &[]),
            node(4, &[Full, Failed]),
        ]);
        // One failed disk of two, no disk known yet, a full disk: as their
        // weight says; every disk failed: nothing.
        assert_eq!(w, vec![(1, 2), (2, 0), (3, 2), (4, 2)]);
        // Alone (a single store, or every node so), it keeps its weight:
        // there is nowhere else to go.
        assert_eq!(weights(vec![node(1, &[Failed, Failed])]), vec![(1, 2)]);
        assert_eq!(
            weights(vec![node(1, &[Failed]), node(2, &[Failed])]),
            vec![(1, 2), (2, 2)]
        );
    }
}
