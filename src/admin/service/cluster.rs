//! The cluster's state and its storage layout: status, and adding,
//! draining and removing storage nodes. A layout change is one `SetLayout`
//! op, a compare-and-swap on the layout version; the Ring actor of every
//! process installs it within a second and repair moves the shards.

use crate::net::PeerAddr;
use std::time::Duration;

use futures::future::join_all;
use serde::{Deserialize, Serialize};

use super::error::AdminError;
use super::handle::AdminService;
use crate::actors::core::consensus::MetaMembers;
use crate::cluster::ring::NodeId;
use crate::net::{ErrorKind, NetError};
use crate::storage::meta::lifecycle::LifecycleProgress;
use crate::storage::meta::{
    ClusterLayout, MetaOp, MetaOpError, MetaRead, MetaReadResult, NodeInfo, NodeState,
    RepairReport, VolumeInfo,
};
use crate::storage::{NodeStats, VolumeStatus};

/// Tries of a layout change that met a concurrent one.
const LAYOUT_TRIES: usize = 3;

/// A node to add (or whose zone and weight to change).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct NewNode {
    /// Its `PREDASTORE_NODE_ID`.
    pub id: u64,
    /// Its `PREDASTORE_QUIC_LISTEN` address.
    pub addr: String,
    /// Failure zone (default: none).
    pub zone: Option<String>,
    /// Relative capacity (default 1).
    pub weight: Option<u32>,
}

/// One storage node as the status shows it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct NodeStatus {
    /// Node id.
    pub id: u64,
    /// Transport address.
    pub addr: String,
    /// Failure zone.
    pub zone: String,
    /// Relative capacity.
    pub weight: u32,
    /// `active`, `draining` or `removed`.
    pub state: &'static str,
    /// Answering, as this gateway's failure detector sees it.
    pub up: bool,
    /// Shards held (unknown while down).
    pub shards: Option<u64>,
    /// Bytes of those shards.
    pub bytes_stored: Option<u64>,
    /// Size of its volumes' filesystems.
    pub capacity_bytes: Option<u64>,
    /// Space left on them.
    pub free_bytes: Option<u64>,
    /// Its volumes (disks), each with its state and space (unknown while
    /// the node is down, or of a version that does not tell).
    pub volumes: Option<Vec<VolumeStatus>>,
    /// Its volumes as the cluster layout records them (the repair
    /// leader's last look): known while the node is down too.
    pub recorded_volumes: Vec<VolumeInfo>,
}

/// The whole cluster in one answer.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ClusterStatus {
    /// Version of the layout (0: none, the process's own volumes).
    pub layout_version: u64,
    /// Erasure coding of new objects, `k+m`.
    pub erasure: String,
    /// The metadata group (`None` if no member answered).
    pub meta: Option<MetaMembers>,
    /// Storage nodes, by id.
    pub nodes: Vec<NodeStatus>,
    /// What repair last published (none before the first report).
    pub repair: Option<RepairReport>,
    /// The lifecycle walk: the last complete one and the one running.
    pub lifecycle: LifecycleStatus,
}

/// The lifecycle walk as the status shows it: what the last complete walk
/// did (every `last_*` field `null` until one has finished) and where the
/// walk in progress is (`walk_*` `null` between walks).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct LifecycleStatus {
    /// When the last complete walk started, ms since the Unix epoch.
    pub last_started_ms: Option<u64>,
    /// When it finished.
    pub last_finished_ms: Option<u64>,
    /// Object versions it expired (current and noncurrent).
    pub last_expired_objects: Option<u64>,
    /// Their bytes and those of the uploads it aborted.
    pub last_expired_bytes: Option<u64>,
    /// Lone delete markers it removed.
    pub last_markers_removed: Option<u64>,
    /// Incomplete multipart uploads it aborted.
    pub last_uploads_aborted: Option<u64>,
    /// Whether a walk is running now.
    pub walk_in_progress: bool,
    /// When the running walk started.
    pub walk_started_ms: Option<u64>,
    /// The bucket it is in.
    pub walk_bucket: Option<String>,
    /// Records it has looked at so far.
    pub walk_examined: Option<u64>,
}

impl LifecycleStatus {
    /// The status of what the metadata keeps (`None`: no walk ever began).
    fn of(progress: Option<LifecycleProgress>) -> Self {
        let Some(p) = progress else {
            return Self::default();
        };
        let last = p.last_run.map(|run| (run, p.last_tally));
        let walk = p.walk.map(|(started, bucket, _)| (started, bucket));
        Self {
            last_started_ms: last.map(|((started, _), _)| started),
            last_finished_ms: last.map(|((_, finished), _)| finished),
            last_expired_objects: last.map(|(_, t)| t.objects),
            last_expired_bytes: last.map(|(_, t)| t.bytes),
            last_markers_removed: last.map(|(_, t)| t.markers),
            last_uploads_aborted: last.map(|(_, t)| t.uploads),
            walk_in_progress: walk.is_some(),
            walk_started_ms: walk.as_ref().map(|(started, _)| *started),
            walk_examined: walk.as_ref().map(|_| p.examined),
            walk_bucket: walk.map(|(_, bucket)| bucket),
        }
    }
}

impl AdminService {
    /// The layout in Raft (`NotFound` when the store keeps shards on its
    /// own volumes, with no cluster layout).
    pub(crate) async fn layout(&self) -> Result<ClusterLayout, AdminError> {
        match self.objects.read(MetaRead::Layout).await? {
            MetaReadResult::Layout(Some(layout)) => Ok(layout),
            MetaReadResult::Layout(None) => Err(AdminError::NotFound(
                "no cluster layout: this store keeps its shards on its own volumes (start it with PREDASTORE_STORAGE_NODES for a cluster)".into(),
            )),
            _ => Err(AdminError::Internal("unexpected answer to a layout read".into())),
        }
    }

    /// Everything an operator looks at first.
    pub(crate) async fn status(&self) -> Result<ClusterStatus, AdminError> {
        let layout = match self.layout().await {
            Ok(layout) => Some(layout),
            Err(AdminError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let repair = match self.objects.read(MetaRead::RepairReport).await? {
            MetaReadResult::RepairReport(report) => report,
            _ => None,
        };
        let lifecycle = match self.objects.read(MetaRead::LifecycleProgress).await? {
            MetaReadResult::LifecycleProgress(progress) => LifecycleStatus::of(progress),
            _ => LifecycleStatus::default(),
        };
        let data = self.objects.coordinator();
        let nodes = layout.iter().flat_map(|l| l.storage_nodes.iter());
        let nodes = join_all(nodes.map(|n| async move {
            let up = n.state != NodeState::Removed && data.node_is_up(NodeId(n.id));
            let (stats, volumes) = match n.addr.parse::<PeerAddr>() {
                Ok(addr) if up => {
                    let (stats, volumes) =
                        futures::join!(self.peers.node_stats(addr), self.peers.volumes(addr));
                    (stats.ok(), volumes.ok())
                }
                _ => (None, None),
            };
            NodeStatus {
                volumes,
                ..node_status(n, up, stats)
            }
        }))
        .await;
        let erasure = self.objects.layout();
        Ok(ClusterStatus {
            layout_version: layout.as_ref().map_or(0, |l| l.version),
            erasure: format!("{}+{}", erasure.data, erasure.parity),
            meta: self.meta_members().await.ok(),
            nodes,
            repair,
            lifecycle,
        })
    }

    /// Adds a storage node (or changes the zone and weight of one); a
    /// draining node added again becomes active.
    pub(crate) async fn add_node(&self, node: NewNode) -> Result<ClusterLayout, AdminError> {
        if node.id == 0 {
            return Err(AdminError::Invalid("node ids start at 1".into()));
        }
        let addr: PeerAddr = node.addr.parse().map_err(|_| {
            AdminError::Invalid(format!(
                "{:?} is not an address (host:port where the node's PREDASTORE_QUIC_LISTEN is reached: an IP address or a DNS name)",
                node.addr
            ))
        })?;
        if node.weight == Some(0) {
            return Err(AdminError::Invalid(
                "weight 0 takes no shards: drain the node instead".into(),
            ));
        }
        self.change_layout(|layout| {
            let taken = layout.storage_nodes.iter().find(|n| {
                n.id != node.id && n.state != NodeState::Removed && n.addr.parse() == Ok(addr)
            });
            if let Some(other) = taken {
                return Err(AdminError::Refused(format!(
                    "{addr} is node {}'s address",
                    other.id
                )));
            }
            match layout.storage_nodes.iter_mut().find(|n| n.id == node.id) {
                Some(n) if n.state == NodeState::Removed => Err(AdminError::Refused(format!(
                    "node {} was removed; a removed node's id is not reused",
                    node.id
                ))),
                Some(n) if n.addr.parse() != Ok(addr) => Err(AdminError::Refused(format!(
                    "node {} is already in the layout at {}",
                    node.id, n.addr
                ))),
                Some(n) => {
                    n.zone = node.zone.clone().unwrap_or_else(|| n.zone.clone());
                    n.weight = node.weight.unwrap_or(n.weight);
                    n.state = NodeState::Active;
                    Ok(())
                }
                None => {
                    layout.storage_nodes.push(NodeInfo {
                        id: node.id,
                        addr: addr.to_string(),
                        zone: node.zone.clone().unwrap_or_default(),
                        weight: node.weight.unwrap_or(1),
                        state: NodeState::Active,
                        volumes: Vec::new(),
                    });
                    layout.storage_nodes.sort_by_key(|n| n.id);
                    Ok(())
                }
            }
        })
        .await
    }

    /// Has storage node `id` take the new, empty disk mounted where its
    /// failed volume `slot` was in; the node's volumes afterwards. Its
    /// refusals (a volume in service, a directory that is not empty) are
    /// the caller's to fix.
    pub(crate) async fn replace_disk(
        &self,
        id: u64,
        slot: u16,
    ) -> Result<Vec<VolumeStatus>, AdminError> {
        let layout = self.layout().await?;
        let node = layout
            .storage_nodes
            .iter()
            .find(|n| n.id == id && n.state != NodeState::Removed)
            .ok_or_else(|| AdminError::NotFound(format!("no storage node {id}")))?;
        let addr: PeerAddr = node
            .addr
            .parse()
            .map_err(|_| AdminError::Internal(format!("node {id}'s address {:?}", node.addr)))?;
        // A node just restarted (its disk swapped) may not be seen up
        // yet: reach it now rather than refuse.
        if !self.peers.is_up(addr) && !self.peers.dial_now(addr, Duration::from_secs(2)).await {
            return Err(AdminError::Unavailable(format!(
                "node {id} does not answer"
            )));
        }
        match self.peers.replace_volume(addr, slot).await {
            Ok(volumes) => Ok(volumes),
            Err(NetError::Remote {
                kind: ErrorKind::BadRequest,
                message,
            }) => Err(AdminError::Refused(message)),
            Err(e) => Err(AdminError::Unavailable(format!("node {id}: {e}"))),
        }
    }

    /// Starts moving every shard off node `id`; it takes no new ones.
    pub(crate) async fn drain_node(&self, id: u64) -> Result<ClusterLayout, AdminError> {
        let needed = self.shards_per_set();
        self.change_layout(|layout| {
            let node = find_node(layout, id)?;
            if node.state == NodeState::Draining {
                return Ok(());
            }
            node.state = NodeState::Draining;
            check_enough(layout, needed, &format!("draining node {id}"))
        })
        .await
    }

    /// Takes node `id` out of the cluster. Unless `force`, only a drained
    /// node (draining, holding no shard) may go; forced, its shards are
    /// rebuilt from the others.
    pub(crate) async fn remove_node(
        &self,
        id: u64,
        force: bool,
    ) -> Result<ClusterLayout, AdminError> {
        let needed = self.shards_per_set();
        if !force {
            let layout = self.layout().await?;
            let node = layout
                .storage_nodes
                .iter()
                .find(|n| n.id == id && n.state != NodeState::Removed)
                .ok_or_else(|| unknown_node(id))?;
            if node.state == NodeState::Active {
                return Err(AdminError::Refused(format!(
                    "node {id} is active: drain it first (admin node drain {id}), or remove it with --force (its shards are then rebuilt from parity)"
                )));
            }
            let addr: PeerAddr = node
                .addr
                .parse()
                .map_err(|_| AdminError::Internal(format!("node {id} has a bad address")))?;
            match self.peers.node_stats(addr).await {
                Ok(stats) if stats.shards == 0 => {}
                Ok(stats) => {
                    return Err(AdminError::Refused(format!(
                        "node {id} still holds {} shards: wait until the drain has moved them, or use --force",
                        stats.shards
                    )))
                }
                Err(e) => {
                    return Err(AdminError::Refused(format!(
                        "node {id} does not answer ({e}), so its shards cannot be counted: use --force"
                    )))
                }
            }
        }
        self.change_layout(|layout| {
            let node = find_node(layout, id)?;
            node.state = NodeState::Removed;
            check_enough(layout, needed, &format!("removing node {id}"))
        })
        .await
    }

    /// k+m of new objects.
    fn shards_per_set(&self) -> usize {
        let e = self.objects.layout();
        usize::from(e.data) + usize::from(e.parity)
    }

    /// Reads the layout, applies `change`, commits it as the next
    /// version; a concurrent change makes it start over (a few times).
    async fn change_layout(
        &self,
        change: impl Fn(&mut ClusterLayout) -> Result<(), AdminError>,
    ) -> Result<ClusterLayout, AdminError> {
        for _ in 0..LAYOUT_TRIES {
            let current = self.layout().await?;
            let mut next = current.clone();
            change(&mut next)?;
            if next == current {
                return Ok(current);
            }
            next.version = current.version + 1;
            let op = MetaOp::SetLayout {
                layout: next.clone(),
            };
            match self.objects.submit(op).await {
                Ok(_) => {
                    tracing::info!(
                        version = next.version,
                        "cluster layout changed by the admin API"
                    );
                    return Ok(next);
                }
                Err(crate::object::ObjectError::Refused(MetaOpError::StaleLayout)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(AdminError::Unavailable(
            "the layout kept changing under this request; try again".into(),
        ))
    }
}

fn unknown_node(id: u64) -> AdminError {
    AdminError::NotFound(format!("no storage node {id} in the layout"))
}

/// The live (not removed) node `id` of `layout`.
fn find_node(layout: &mut ClusterLayout, id: u64) -> Result<&mut NodeInfo, AdminError> {
    layout
        .storage_nodes
        .iter_mut()
        .find(|n| n.id == id && n.state != NodeState::Removed)
        .ok_or_else(|| unknown_node(id))
}

/// Refuses a layout with fewer active nodes than an object has shards.
fn check_enough(layout: &ClusterLayout, needed: usize, what: &str) -> Result<(), AdminError> {
    let active = layout
        .storage_nodes
        .iter()
        .filter(|n| n.state == NodeState::Active)
        .count();
    if active < needed {
        return Err(AdminError::Refused(format!(
            "{what} would leave {active} active storage nodes; each object needs {needed} (PREDASTORE_EC): add a node first"
        )));
    }
    Ok(())
}

fn node_status(n: &NodeInfo, up: bool, stats: Option<NodeStats>) -> NodeStatus {
    NodeStatus {
        id: n.id,
        addr: n.addr.clone(),
        zone: n.zone.clone(),
        weight: n.weight,
        state: n.state.as_str(),
        up,
        shards: stats.map(|s| s.shards),
        bytes_stored: stats.map(|s| s.shard_bytes),
        capacity_bytes: stats.map(|s| s.capacity_bytes),
        free_bytes: stats.map(|s| s.free_bytes),
        volumes: None,
        recorded_volumes: n.volumes.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(states: &[NodeState]) -> ClusterLayout {
        ClusterLayout {
            version: 1,
            storage_nodes: states
                .iter()
                .enumerate()
                .map(|(i, &state)| NodeInfo {
                    id: i as u64 + 1,
                    addr: format!("127.0.0.1:{}", 9100 + i),
                    zone: String::new(),
                    weight: 1,
                    state,
                    volumes: Vec::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn fewer_active_nodes_than_shards_is_refused() {
        use NodeState::*;
        assert!(check_enough(&layout(&[Active, Active, Active]), 3, "x").is_ok());
        let e = check_enough(&layout(&[Active, Active, Draining]), 3, "draining node 3");
        assert!(
            matches!(&e, Err(AdminError::Refused(m)) if m.contains("2 active") && m.contains("needs 3")),
            "{e:?}"
        );
        assert!(check_enough(&layout(&[Active, Active, Active, Removed]), 3, "x").is_ok());
    }

    #[test]
    fn lifecycle_status_is_null_until_a_walk_ran() {
        use crate::storage::meta::lifecycle::{LifecycleTally, WalkPoint};
        assert_eq!(LifecycleStatus::of(None), LifecycleStatus::default());
        let json = serde_json::to_value(LifecycleStatus::of(None)).expect("serializes");
        assert_eq!(json["walk_in_progress"], false);
        assert!(json["last_finished_ms"].is_null() && json["walk_bucket"].is_null());

        let running = LifecycleProgress {
            walk: Some((5_000, "logs".into(), WalkPoint::Current(None))),
            tally: LifecycleTally::default(),
            examined: 42,
            last_run: Some((1_000, 4_000)),
            last_tally: LifecycleTally {
                objects: 120,
                bytes: 1 << 20,
                markers: 4,
                uploads: 2,
            },
        };
        let s = LifecycleStatus::of(Some(running));
        assert_eq!(
            (s.last_started_ms, s.last_finished_ms),
            (Some(1_000), Some(4_000))
        );
        assert_eq!(
            (
                s.last_expired_objects,
                s.last_expired_bytes,
                s.last_markers_removed,
                s.last_uploads_aborted
            ),
            (Some(120), Some(1 << 20), Some(4), Some(2))
        );
        assert!(s.walk_in_progress);
        assert_eq!(s.walk_bucket.as_deref(), Some("logs"));
        assert_eq!(
            (s.walk_started_ms, s.walk_examined),
            (Some(5_000), Some(42))
        );

        let first_walk = LifecycleProgress {
            walk: Some((5_000, "logs".into(), WalkPoint::Uploads(None))),
            examined: 7,
            ..LifecycleProgress::default()
        };
        let s = LifecycleStatus::of(Some(first_walk));
        assert!(
            s.walk_in_progress && s.last_finished_ms.is_none() && s.last_expired_objects.is_none()
        );
    }

    #[test]
    fn removed_nodes_are_not_found() {
        let mut l = layout(&[NodeState::Active, NodeState::Removed]);
        assert!(find_node(&mut l, 1).is_ok());
        assert!(matches!(find_node(&mut l, 2), Err(AdminError::NotFound(_))));
        assert!(matches!(find_node(&mut l, 9), Err(AdminError::NotFound(_))));
    }
}
