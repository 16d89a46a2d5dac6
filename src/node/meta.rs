//! The meta role and the metadata path every role needs: this node's Raft
//! member (on meta nodes), the Consensus actor in front of it (on meta
//! and gateway nodes), and repair, which runs where the leader is.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use actix::Actor;

use super::transport::Transport;
use crate::actors::core::consensus::network::QuicNetwork;
use crate::actors::core::consensus::{
    Consensus, ConsensusClient, ConsensusConfig, LocalRaft, MetaClock, ReadLease,
};
use crate::actors::upkeep::lifecycle::Lifecycle;
use crate::actors::upkeep::repair::{LeaderCheck, Repair};
use crate::config::Config;
use crate::error::Error;
use crate::net::endpoint::EndpointRuntime;
use crate::object::ObjectService;
use crate::storage::raft::group::{export_metrics, start_group};

/// Starts this node's member of the metadata group when it has the meta
/// role (alone in its group when no meta peers are listed).
pub(super) async fn start_member(
    cfg: &Config,
    transport: &Transport,
) -> Result<Option<LocalRaft>, Error> {
    if !cfg.roles().meta {
        return Ok(None);
    }
    let meta_peers = cfg.meta_peers();
    let mut members: BTreeMap<u64, String> = meta_peers
        .iter()
        .map(|(id, addr)| (*id, addr.to_string()))
        .collect();
    if members.is_empty() {
        members.insert(cfg.node_id, cfg.transport.quic_listen.to_string());
    }
    let (dir, node_id, every) = (
        cfg.data_dir.join("meta"),
        cfg.node_id,
        cfg.cluster.raft_snapshot_every,
    );
    let clock = MetaClock::new(cfg.cluster.test_clock_offset_ms);
    if cfg.cluster.test_clock_offset_ms != 0 {
        tracing::warn!(
            offset_ms = cfg.cluster.test_clock_offset_ms,
            "PREDASTORE_TEST_CLOCK_OFFSET_MS set: this member's clock is off on purpose (tests only)"
        );
    }
    let lease = ReadLease::new(Duration::from_millis(cfg.cluster.meta_read_lease_ms));
    let network = QuicNetwork::new(transport.peers.clone(), clock.clone(), lease.clone());
    let quic = transport.quic.handle();
    let (raft, state) = quic
        .spawn(async move { start_group(&dir, node_id, &members, network, every).await })
        .await
        .map_err(|e| Error::Meta(e.to_string()))?
        .map_err(Error::Meta)?;
    lease.group_started();
    quic.spawn(export_metrics(raft.clone(), node_id));
    tracing::info!(
        node = node_id,
        members = meta_peers.len().max(1),
        "metadata group member started"
    );
    Ok(Some(LocalRaft {
        raft,
        state,
        lease,
        clock,
    }))
}

/// Starts the Consensus actor on a meta or gateway node, and on a
/// storage node that knows the meta peers (it reports corrupt shards to
/// the heal queue): in front of `local` on a meta node, forwarding to the
/// meta peers elsewhere.
pub(super) fn start_consensus(
    cfg: &Config,
    local: Option<&LocalRaft>,
    transport: &Transport,
) -> Option<ConsensusClient> {
    let roles = cfg.roles();
    let reports = roles.storage && !cfg.meta_peers().is_empty();
    (roles.meta || roles.gateway || reports).then(|| {
        let limits = ConsensusConfig {
            op_timeout: Duration::from_millis(cfg.cluster.meta_op_timeout_ms),
            ..ConsensusConfig::default()
        };
        let actor = Consensus::new(
            cfg.node_id,
            local.cloned(),
            Some(transport.peers.clone()),
            cfg.meta_peers(),
            limits,
        );
        ConsensusClient::new(actor.start())
    })
}

/// Says whether this node leads the metadata group now.
fn leader_check(cfg: &Config, local: &LocalRaft) -> LeaderCheck {
    let (raft, me) = (local.raft.clone(), cfg.node_id);
    Arc::new(move || raft.metrics().borrow().current_leader == Some(me))
}

/// Starts repair on a meta node that runs the object service; it works
/// only while this node leads the metadata group.
pub(super) fn start_repair(cfg: &Config, objects: &Arc<ObjectService>, local: &LocalRaft) {
    Repair::new(objects.clone(), leader_check(cfg, local), cfg.repair()).start();
}

/// Starts the lifecycle walker beside repair, under the same condition.
pub(super) fn start_lifecycle(cfg: &Config, objects: &Arc<ObjectService>, local: &LocalRaft) {
    Lifecycle::new(
        objects.clone(),
        leader_check(cfg, local),
        cfg.upkeep.lifecycle(),
    )
    .start();
}

/// Shuts this node's Raft member down on the transport's runtime.
pub(super) async fn stop_member(local: Option<LocalRaft>, quic: &EndpointRuntime) {
    if let Some(LocalRaft { raft, .. }) = local {
        let shutdown = quic.handle().spawn(async move { raft.shutdown().await });
        let clean = shutdown.await.is_ok_and(|r| r.is_ok());
        if !clean {
            tracing::warn!("metadata group did not shut down cleanly");
        }
    }
}
