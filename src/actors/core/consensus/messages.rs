//! Messages the Consensus actor handles.

use std::time::Instant;

use actix::Message;

use super::error::ConsensusError;
use super::members::{MembershipError, MetaChange, MetaMembers};
use crate::storage::meta::{MetaOp, MetaRead, MetaReadResult, MetaResult, OpId};

/// Commit one metadata op; answers its own result once committed and
/// applied (forwarded to the leader when this node does not lead).
#[derive(Message)]
#[rtype(result = "Result<MetaResult, ConsensusError>")]
pub struct Submit(pub MetaOp);

/// [`Submit`] with the caller's own op id, so that the caller can settle
/// an unknown outcome later ([`MetaOp::Fence`] with the same id).
#[derive(Message)]
#[rtype(result = "Result<MetaResult, ConsensusError>")]
pub struct SubmitOnce {
    /// The op's id: it applies at most once under it.
    pub id: OpId,
    /// The metadata change to commit under `id`.
    pub op: MetaOp,
}

/// The leader may have changed (Raft's metrics moved).
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct LeaderMaybeChanged;

/// A linearizable read (at the leader, wherever it is).
#[derive(Message)]
#[rtype(result = "Result<MetaReadResult, ConsensusError>")]
pub struct Read(pub MetaRead);

/// Ops another node forwarded to this one because it leads: committed
/// here or refused with `NotLeader`, never forwarded again.
#[derive(Message)]
#[rtype(result = "Vec<Result<MetaResult, ConsensusError>>")]
pub struct SubmitForwarded(pub Vec<(OpId, MetaOp)>);

/// A read another node forwarded: answered here or refused with
/// `NotLeader`.
#[derive(Message)]
#[rtype(result = "Result<MetaReadResult, ConsensusError>")]
pub struct ReadForwarded(pub MetaRead);

/// The leader as this node's Raft sees it (`None` on a non-meta node).
#[derive(Message)]
#[rtype(result = "Option<u64>")]
pub struct WhoLeads;

/// One more try of a [`Read`] that met a leader change.
#[derive(Message)]
#[rtype(result = "Result<MetaReadResult, ConsensusError>")]
pub(super) struct ReadAttempt {
    pub read: MetaRead,
    pub deadline: Instant,
}

/// What another node said about who leads.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct LeaderHint {
    /// The node id of the meta node that was asked (its answer moves the
    /// probe on to the next one when it knew nothing).
    pub asked: u64,
    /// Its idea of the leader; `None` if it did not know or did not answer.
    pub leader: Option<u64>,
}

/// Changes the metadata group (wherever the leader is).
#[derive(Message)]
#[rtype(result = "Result<MetaMembers, MembershipError>")]
pub struct ChangeMeta(pub MetaChange);

/// The metadata group's members (the leader's view if this process is
/// not a member).
#[derive(Message)]
#[rtype(result = "Result<MetaMembers, MembershipError>")]
pub struct GetMetaMembers;

/// A membership request another node sent here: `None` asks for the
/// members (answered from this node's view), `Some` a change (made here
/// if this node leads, else refused with `NotLeader`).
#[derive(Message)]
#[rtype(result = "Result<MetaMembers, MembershipError>")]
pub(super) struct MembershipForwarded(pub Option<MetaChange>);
