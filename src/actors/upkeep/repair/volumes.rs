//! Failed disks, as repair watches them. Every [`CHECK_EVERY`] the leader
//! asks each storage node that is up how its volumes stand; a volume newly
//! failed (or back in service) starts a scan at once. The scan finds the
//! shards the node now answers missing (a failed volume's shards do) and
//! rebuilds them on the node's other volumes, paced like any heal: a lost
//! disk is rebuilt within seconds of its node noticing, not at the next
//! periodic scan (`PREDASTORE_HEAL_SCAN_EVERY`, an hour by default).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::future::join_all;

use crate::cluster::ring::NodeId;
use crate::metrics;
use crate::object::ObjectCoordinator;
use crate::storage::{VolumeId, VolumeState};

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
    pub(super) async fn changed(&mut self, data: &ObjectCoordinator) -> bool {
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
        for (node, answer) in nodes.into_iter().zip(answers) {
            let Ok(Ok(volumes)) = answer else {
                continue; // Down since, or of a version that does not tell.
            };
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
        changed
    }

    /// Forgets what was seen (another node's repair takes over).
    pub(super) fn forget(&mut self) {
        *self = Self::default();
        metrics::FAILED_VOLUMES.set(0);
    }
}
