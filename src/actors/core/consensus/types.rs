//! The Consensus actor's shared pieces: its limits, this node's Raft
//! member, an op waiting for its entry, where entries go, and how Raft's
//! errors tell where the leader is. Kept apart from the actor so the
//! actor, its handlers and its membership changes import them as siblings.

use crate::net::PeerAddr;
use std::time::{Duration, Instant};

use openraft::error::{CheckIsLeaderError, ClientWriteError, RaftError};
use openraft::{BasicNode, Raft};
use tokio::sync::oneshot;

use super::error::ConsensusError;
use crate::storage::meta::{MetaOp, MetaResult, OpId};
use crate::storage::raft::{MetaRaft, SharedMetaState};

/// Most ops one Raft entry (or one forwarded message) carries.
pub(crate) const MAX_OPS_PER_ENTRY: usize = 4096;

/// Most bytes of ops in one Raft entry (or one forwarded batch), so that
/// small objects kept inline do not make entries, AppendEntries messages
/// or forwarded batches huge: an entry holds at least one op.
pub(crate) const MAX_ENTRY_BYTES: usize = 1 << 20;

/// What an op weighs against [`MAX_ENTRY_BYTES`]: a fixed share for the
/// record, plus the object data it carries inline or the names of a heal
/// list (up to a thousand keys).
pub(super) fn op_bytes(op: &MetaOp) -> usize {
    let extra = match op {
        MetaOp::PutObject { record, .. } => record.inline_data.as_ref().map_or(0, |d| d.len()),
        MetaOp::QueueHeal { objects } | MetaOp::ForgetHeal { objects } => {
            objects.iter().map(|(b, k)| b.len() + k.len() + 4).sum()
        }
        _ => 0,
    };
    512 + extra
}

/// A node id no meta node has: a leader hint "from nobody", which moves a
/// process outside the group on to the next meta node it knows.
pub(super) const NO_PEER: u64 = 0;

/// Pause before trying again when no leader is known or it just changed.
pub(super) const RETRY_DELAY: Duration = Duration::from_millis(20);

/// A node outside the group asks another meta node who leads when the
/// leader it forwards to has not answered for this long (it may be dead;
/// waiting for the RPC timeout would stall every op behind it).
pub(super) const PROBE_AFTER: Duration = Duration::from_millis(300);

/// Limits of the Consensus actor.
#[derive(Clone, Copy, Debug)]
pub struct ConsensusConfig {
    /// Most ops waiting for an entry; more are refused with `Busy`.
    pub max_pending: usize,
    /// Most entries (or forwarded messages) in flight at once.
    pub max_in_flight: usize,
    /// How long an op or read may wait for a leader.
    pub op_timeout: Duration,
}

impl Default for ConsensusConfig {
    fn default() -> Self {
        Self {
            max_pending: 100_000,
            max_in_flight: 1,
            op_timeout: Duration::from_secs(10),
        }
    }
}

/// This node's own Raft group member, when it is a meta node.
#[derive(Clone)]
pub struct LocalRaft {
    /// The openraft instance of this node: writes go through it on the
    /// leader, and its metrics say who leads.
    pub raft: Raft<MetaRaft>,
    /// The metadata state machine it applies committed entries to, read
    /// directly by linearizable reads once leadership is confirmed.
    pub state: SharedMetaState,
    /// Its read lease: taken and used by the read path, and why its Raft
    /// service refuses votes for a while.
    pub lease: super::ReadLease,
    /// Its clock and its peers' reported ones: the time entries carry.
    pub clock: super::MetaClock,
}

pub(super) type Waiter = oneshot::Sender<Result<MetaResult, ConsensusError>>;

pub(super) struct Pending {
    pub(super) id: OpId,
    pub(super) op: MetaOp,
    /// Taken when the op is answered (an op in flight may be answered at
    /// its deadline, before its entry comes back).
    pub(super) waiter: Option<Waiter>,
    pub(super) deadline: Instant,
    /// Sent here by another node: commit locally or refuse, never forward.
    pub(super) forwarded: bool,
    /// Some attempt may have reached a leader: at the deadline its fate
    /// is unknown, not "not applied".
    pub(super) maybe_sent: bool,
}

impl Pending {
    pub(super) fn answer(mut self, r: Result<MetaResult, ConsensusError>) {
        self.answer_now(r);
    }

    pub(super) fn answer_now(&mut self, r: Result<MetaResult, ConsensusError>) {
        if let Some(waiter) = self.waiter.take() {
            let _ = waiter.send(r);
        }
    }
}

/// Where an entry goes now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Route {
    Local,
    Remote(u64, PeerAddr),
    Unknown,
}

pub(super) fn unreachable_route(batch: Vec<Pending>) {
    fail_all(
        batch,
        ConsensusError::Failed("no route to the metadata group".into()),
    );
}

pub(super) fn fail_all(batch: Vec<Pending>, e: ConsensusError) {
    batch.into_iter().for_each(|p| p.answer(Err(e.clone())));
}

pub(super) fn answer_all(batch: Vec<Pending>, results: Vec<MetaResult>) {
    if results.len() != batch.len() {
        return fail_all(
            batch,
            ConsensusError::Failed("result count does not match".into()),
        );
    }
    for (p, r) in batch.into_iter().zip(results) {
        p.answer(Ok(r));
    }
}

/// Raft API errors that may tell where the leader is.
pub(super) trait ForwardHint: std::fmt::Display {
    /// `Some(leader)` when the request must go to the leader instead.
    fn forward_to(&self) -> Option<Option<u64>>;
}

impl ForwardHint for ClientWriteError<u64, BasicNode> {
    fn forward_to(&self) -> Option<Option<u64>> {
        match self {
            ClientWriteError::ForwardToLeader(f) => Some(f.leader_id),
            ClientWriteError::ChangeMembershipError(_) => None,
        }
    }
}

impl ForwardHint for CheckIsLeaderError<u64, BasicNode> {
    fn forward_to(&self) -> Option<Option<u64>> {
        match self {
            CheckIsLeaderError::ForwardToLeader(f) => Some(f.leader_id),
            CheckIsLeaderError::QuorumNotEnough(_) => None,
        }
    }
}

pub(super) fn classify<E: ForwardHint>(e: &RaftError<u64, E>) -> ConsensusError {
    match e {
        RaftError::APIError(api) => match api.forward_to() {
            Some(leader) => ConsensusError::NotLeader(leader),
            None => ConsensusError::Unavailable(api.to_string()),
        },
        RaftError::Fatal(f) => ConsensusError::Failed(f.to_string()),
    }
}
