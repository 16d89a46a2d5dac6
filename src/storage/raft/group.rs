//! Starting a metadata Raft group on this node's storage.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use openraft::error::{InstallSnapshotError, RPCError, RaftError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use openraft::{BasicNode, ChangeMembers, Config, Raft, SnapshotPolicy};

use super::log_store::LogStore;
use super::state_machine::MetaStateMachine;
use super::types::{MetaRaft, SharedMetaState};

/// The network of a group that never has a second member (tests and
/// benches without a transport): every call reports the peer unreachable.
/// Processes use the QUIC network of the Consensus actor.
#[derive(Clone, Default)]
pub(crate) struct SingleNode;

fn no_peer() -> Unreachable {
    Unreachable::new(&std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "a one-node metadata group has no peers",
    ))
}

impl RaftNetworkFactory<MetaRaft> for SingleNode {
    type Network = SingleNode;

    async fn new_client(&mut self, _target: u64, _node: &BasicNode) -> Self::Network {
        SingleNode
    }
}

impl RaftNetwork<MetaRaft> for SingleNode {
    async fn append_entries(
        &mut self,
        _rpc: AppendEntriesRequest<MetaRaft>,
        _option: RPCOption,
    ) -> Result<AppendEntriesResponse<u64>, RPCError<u64, BasicNode, RaftError<u64>>> {
        Err(RPCError::Unreachable(no_peer()))
    }

    async fn install_snapshot(
        &mut self,
        _rpc: InstallSnapshotRequest<MetaRaft>,
        _option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<u64>,
        RPCError<u64, BasicNode, RaftError<u64, InstallSnapshotError>>,
    > {
        Err(RPCError::Unreachable(no_peer()))
    }

    async fn vote(
        &mut self,
        _rpc: VoteRequest<u64>,
        _option: RPCOption,
    ) -> Result<VoteResponse<u64>, RPCError<u64, BasicNode, RaftError<u64>>> {
        Err(RPCError::Unreachable(no_peer()))
    }
}

/// How long one snapshot chunk's answer may take: a chunk waits while the
/// member's import is behind, and the last one's answer waits for the
/// import's tail.
const INSTALL_SNAPSHOT_TIMEOUT_MS: u64 = 10 * 60 * 1000;

/// Raft timing and log compaction for the metadata group: a snapshot every
/// `snapshot_every` entries, the log purged behind it.
pub(crate) fn raft_config(snapshot_every: u64) -> Result<Arc<Config>, String> {
    Config {
        cluster_name: "predastore-meta".into(),
        heartbeat_interval: 100,
        election_timeout_min: 300,
        election_timeout_max: 600,
        snapshot_policy: SnapshotPolicy::LogsSinceLast(snapshot_every),
        // A snapshot writes nothing (the state is its own snapshot), so
        // they come often and the log stays short; as many entries are
        // kept behind one, so a member down for a while catches up from
        // the log rather than with a whole snapshot.
        max_in_snapshot_log_to_keep: snapshot_every,
        // Entries are at most about 1 MiB (MAX_ENTRY_BYTES): an
        // AppendEntries stays far below the transport's message limit.
        max_payload_entries: 32,
        // A snapshot goes in chunks of 3 MiB, each answered within this
        // time; the member imports them as they come, so a chunk waits
        // while the import is behind, and the last one's answer waits for
        // the import's tail: a shorter limit makes the leader send the
        // snapshot again from the start, and a large store's new member
        // might never join.
        install_snapshot_timeout: INSTALL_SNAPSHOT_TIMEOUT_MS,
        ..Config::default()
    }
    .validate()
    .map(Arc::new)
    .map_err(|e| e.to_string())
}

/// Starts this node's member of the metadata group stored under `dir`.
/// On first start the member with the lowest id in `members` (id →
/// transport address) creates the group; the others wait to be contacted.
/// Must be called from the tokio runtime Raft should run on.
pub(crate) async fn start_group<N: RaftNetworkFactory<MetaRaft>>(
    dir: &Path,
    node_id: u64,
    members: &BTreeMap<u64, String>,
    network: N,
    snapshot_every: u64,
) -> Result<(Raft<MetaRaft>, SharedMetaState), String> {
    let mut log = LogStore::open(&dir.join("raft-log")).map_err(|e| e.to_string())?;
    let mut sm = MetaStateMachine::open(&dir.join("meta")).map_err(|e| e.to_string())?;
    // The log is purged no further than the state holds on disk.
    log.gate_purges(sm.durable_index());
    sm.report_durable_to(log.clone());
    let state = sm.shared_state();
    let raft = Raft::new(node_id, raft_config(snapshot_every)?, network, log, sm)
        .await
        .map_err(|e| e.to_string())?;
    let first = members.keys().next().copied();
    let initialized = raft.is_initialized().await.map_err(|e| e.to_string())?;
    if first == Some(node_id) && !initialized {
        let nodes = members
            .iter()
            .map(|(id, addr)| (*id, BasicNode::new(addr)))
            .collect::<BTreeMap<_, _>>();
        raft.initialize(nodes).await.map_err(|e| e.to_string())?;
    }
    if initialized {
        hold_elections_after_restart(&raft);
        if let Some(addr) = members.get(&node_id) {
            keep_own_address(&raft, node_id, addr.clone());
        }
    }
    Ok((raft, state))
}

/// A group of one (a single store) restarted with another transport
/// address records it, once it leads, so that members added later reach
/// it. A group of several changes an address by removing and adding the
/// member: openraft warns that setting a node's address in place is only
/// safe when no other member could be using the old one.
fn keep_own_address(raft: &Raft<MetaRaft>, node_id: u64, addr: String) {
    let alone = move |m: &openraft::RaftMetrics<u64, BasicNode>| {
        let members = m.membership_config.membership();
        members.voter_ids().eq([node_id]) && members.learner_ids().next().is_none()
    };
    let recorded = move |m: &openraft::RaftMetrics<u64, BasicNode>| {
        let members = m.membership_config.membership();
        members.get_node(&node_id).map(|n| n.addr.clone())
    };
    {
        let m = raft.metrics();
        let m = m.borrow();
        if !alone(&m) || recorded(&m).as_deref() == Some(addr.as_str()) {
            return;
        }
    }
    let raft = raft.clone();
    tokio::spawn(async move {
        let leads = raft
            .wait(Some(Duration::from_secs(60)))
            .metrics(|m| m.current_leader == Some(node_id), "this member leads")
            .await;
        let from = leads.ok().and_then(|m| recorded(&m));
        let change = ChangeMembers::SetNodes(BTreeMap::from([(node_id, BasicNode::new(&addr))]));
        match raft.change_membership(change, false).await {
            Ok(_) => {
                tracing::info!(from = ?from, to = %addr, "this metadata member's address changed")
            }
            Err(e) => {
                tracing::warn!(to = %addr, error = %e, "could not record this metadata member's new address")
            }
        }
    });
}

/// How long a restarted member of a group calls no election.
const RESTART_ELECTION_HOLD: Duration = Duration::from_secs(2);

/// A member coming back must not depose a healthy leader: its election
/// timer would run out before the leader's next heartbeat reaches it (the
/// leader retries an unreachable member only every backoff), and its
/// higher term would then end the leader's term for nothing (openraft 0.9
/// has no pre-vote). So it calls no election for [`RESTART_ELECTION_HOLD`]
/// (a fixed time: the vote read back from disk names the old leader at
/// once, so "until a leader is known" would end the hold at once). A live
/// leader's heartbeats reach it long before; if the whole group restarted,
/// the first election comes that much later. A group of one elects itself
/// at once.
fn hold_elections_after_restart(raft: &Raft<MetaRaft>) {
    let voters = raft
        .metrics()
        .borrow()
        .membership_config
        .membership()
        .voter_ids()
        .count();
    if voters < 2 {
        return;
    }
    raft.runtime_config().elect(false);
    let raft = raft.clone();
    tokio::spawn(async move {
        tokio::time::sleep(RESTART_ELECTION_HOLD).await;
        tracing::info!("elections enabled after restart");
        raft.runtime_config().elect(true);
    });
}

/// Starts this node as the only member of a metadata group stored under
/// `dir`, and waits until it leads (tests and benches; no transport).
pub async fn start_single_node(
    dir: &Path,
    node_id: u64,
) -> Result<(Raft<MetaRaft>, SharedMetaState), String> {
    let members = BTreeMap::from([(node_id, String::new())]);
    let (raft, state) = start_group(dir, node_id, &members, SingleNode, 50_000).await?;
    raft.wait(Some(Duration::from_secs(10)))
        .current_leader(node_id, "this node leads its one-node group")
        .await
        .map_err(|e| e.to_string())?;
    Ok((raft, state))
}

/// Keeps the Raft gauges (term, applied index, leadership, leader
/// changes) current; runs until the group shuts down.
pub(crate) async fn export_metrics(raft: Raft<MetaRaft>, node_id: u64) {
    let mut rx = raft.metrics();
    let mut leader = None;
    loop {
        let m = rx.borrow_and_update().clone();
        crate::metrics::RAFT_TERM.set(i64::try_from(m.current_term).unwrap_or(i64::MAX));
        let applied = m.last_applied.map_or(0, |l| l.index);
        crate::metrics::RAFT_APPLIED_INDEX.set(i64::try_from(applied).unwrap_or(i64::MAX));
        crate::metrics::RAFT_IS_LEADER.set(i64::from(m.current_leader == Some(node_id)));
        if m.current_leader != leader {
            if m.current_leader.is_some() {
                crate::metrics::RAFT_LEADER_CHANGES.inc();
            }
            leader = m.current_leader;
        }
        if rx.changed().await.is_err() {
            return;
        }
    }
}
