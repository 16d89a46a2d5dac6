//! Failed disks, as repair watches them. Every [`CHECK_EVERY`] the leader
//! asks each storage node that is up how its volumes stand; a volume newly
//! failed (or back in service) starts a scan at once. The scan finds the
//! shards the node now answers missing (a failed volume's shards do) and
//! rebuilds them on the node's other volumes, paced like any heal: a lost
//! disk is rebuilt within seconds of its node noticing, not at the next
//! periodic scan (`PREDASTORE_HEAL_SCAN_EVERY`, an hour by default).
//!
//! What the nodes answer is also recorded in the cluster layout in Raft
//! (each node's volumes with their condition and capacity), one new
//! layout version per change: every gateway and `admin status` knows a
//! failed disk, a down node's disks stay known as last seen, and placement
//! takes a node whose every volume failed as holding nothing.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::future::join_all;

use crate::cluster::ring::NodeId;
use crate::metrics;
use crate::object::{ObjectCoordinator, ObjectService};
use crate::storage::meta::{MetaOp, VolumeCondition, VolumeInfo};
use crate::storage::{VolumeId, VolumeState, VolumeStatus};

/// How often the nodes' volumes are looked at: as often as a node probes
/// them.
const CHECK_EVERY: Duration = Duration::from_secs(5);
/// Longest wait for a node's answer (a `statvfs` of each of its disks).
const ASK_TIMEOUT: Duration = Duration::from_secs(2);

/// The failed volumes of each storage node, as last seen.
#[derive(Default)]
pub(super) struct FailedVolumes {
    /// Failed volume slots by node (nodes that did not answer keep what
    /// they last said).
    known: BTreeMap<u64, Vec<VolumeId>>,
    checked: Option<Instant>,
}

impl FailedVolumes {
    /// Whether some node's failed volumes changed since the last look
    /// (looked at every [`CHECK_EVERY`]; `false` in between).
    pub(super) async fn changed(
        &mut self,
        data: &ObjectCoordinator,
        objects: &ObjectService,
    ) -> bool {
        if self.checked.is_some_and(|at| at.elapsed() < CHECK_EVERY) {
            return false;
        }
        self.checked = Some(Instant::now());
        // A node no longer in the layout has no disks to rebuild.
        let members = data.storage_nodes();
        self.known.retain(|n, _| members.contains(n));
        let nodes: Vec<u64> = members
            .into_iter()
            .filter(|&n| data.node_is_up(NodeId(n)))
            .collect();
        // A node whose disk hangs does not hold repair up.
        let ask = |n| tokio::time::timeout(ASK_TIMEOUT, data.volumes_on(n));
        let answers = join_all(nodes.iter().map(|&n| ask(n))).await;
        let mut changed = false;
        let mut seen = BTreeMap::new();
        for (node, answer) in nodes.into_iter().zip(answers) {
            let Ok(Ok(volumes)) = answer else {
                continue; // Down since, or of a version that does not tell.
            };
            seen.insert(node, volumes.iter().map(layout_volume).collect());
            let failed: Vec<VolumeId> = volumes
                .iter()
                .filter(|v| v.state == VolumeState::Failed)
                .map(|v| v.slot)
                .collect();
            let before = self.known.insert(node, failed.clone()).unwrap_or_default();
            for v in volumes.iter().filter(|v| v.state == VolumeState::Failed) {
                if !before.contains(&v.slot) {
                    tracing::warn!(node, volume = v.slot, path = %v.path,
                        "a volume failed: rebuilding its shards on the node's other volumes");
                }
            }
            changed |= before != failed;
        }
        let failed: usize = self.known.values().map(Vec::len).sum();
        metrics::FAILED_VOLUMES.set(i64::try_from(failed).unwrap_or(i64::MAX));
        record(data, objects, &seen).await;
        changed
    }

    /// Forgets what was seen (another node's repair takes over).
    pub(super) fn forget(&mut self) {
        *self = Self::default();
        metrics::FAILED_VOLUMES.set(0);
    }
}

/// A volume as the layout records it.
fn layout_volume(v: &VolumeStatus) -> VolumeInfo {
    VolumeInfo {
        slot: v.slot,
        condition: match v.state {
            VolumeState::Ok => VolumeCondition::Ok,
            VolumeState::Full => VolumeCondition::Full,
            VolumeState::Failed => VolumeCondition::Failed,
        },
        capacity_bytes: v.capacity_bytes,
    }
}

/// Whether `seen` says something `recorded` does not: a volume added,
/// gone or in another condition, or a capacity off by more than 5 %
/// (a filesystem whose size drifts a little is not a change of disk).
fn differs(recorded: &[VolumeInfo], seen: &[VolumeInfo]) -> bool {
    recorded.len() != seen.len()
        || recorded.iter().zip(seen).any(|(r, s)| {
            r.slot != s.slot
                || r.condition != s.condition
                || r.capacity_bytes.abs_diff(s.capacity_bytes) > r.capacity_bytes / 20
        })
}

/// Commits the next layout with the volumes `seen` where they differ from
/// what it records. A concurrent layout change makes this one stale: the
/// next look tries again.
async fn record(
    data: &ObjectCoordinator,
    objects: &ObjectService,
    seen: &BTreeMap<u64, Vec<VolumeInfo>>,
) {
    let Some(layout) = data.cluster_layout() else {
        return;
    };
    let mut next = (*layout).clone();
    let mut changes = Vec::new();
    for node in &mut next.storage_nodes {
        let Some(volumes) = seen.get(&node.id).filter(|v| differs(&node.volumes, v)) else {
            continue;
        };
        changes.push((node.id, node.volumes.clone(), volumes.clone()));
        node.volumes.clone_from(volumes);
    }
    if changes.is_empty() {
        return;
    }
    next.version += 1;
    let version = next.version;
    if objects
        .submit(MetaOp::SetLayout { layout: next })
        .await
        .is_err()
    {
        return; // Stale, or no quorum: the next look tries again.
    }
    for (node, was, now) in changes {
        if was.is_empty() {
            let failed = now.iter().filter(|v| v.condition != VolumeCondition::Ok);
            tracing::info!(
                node,
                volumes = now.len(),
                not_ok = failed.count(),
                version,
                "a storage node's volumes recorded in the cluster layout"
            );
            continue;
        }
        for v in now {
            let before = was.iter().find(|r| r.slot == v.slot).map(|r| r.condition);
            if before != Some(v.condition) {
                tracing::info!(
                    node,
                    volume = v.slot,
                    condition = v.condition.as_str(),
                    version,
                    "a volume's condition recorded in the cluster layout"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn volume(slot: u16, condition: VolumeCondition, capacity_bytes: u64) -> VolumeInfo {
        VolumeInfo {
            slot,
            condition,
            capacity_bytes,
        }
    }

    #[test]
    fn a_change_of_condition_or_disk_is_recorded_a_wobble_of_capacity_is_not() {
        use VolumeCondition::{Failed, Ok};
        let recorded = [volume(0, Ok, 1000), volume(1, Ok, 1000)];
        assert!(!differs(&recorded, &recorded));
        assert!(!differs(
            &recorded,
            &[volume(0, Ok, 1000), volume(1, Ok, 1040)]
        ));
        assert!(differs(
            &recorded,
            &[volume(0, Ok, 1000), volume(1, Ok, 2000)]
        ));
        assert!(differs(
            &recorded,
            &[volume(0, Ok, 1000), volume(1, Failed, 1000)]
        ));
        assert!(differs(&recorded, &[volume(0, Ok, 1000)]));
        assert!(differs(&[], &recorded), "a node's volumes first seen");
    }
}
