//! The typed client of the Consensus actor: what callers hold instead of
//! its `Addr`. Each call sends one message and flattens the answer, a
//! stopped actor (its mailbox closed) becoming a [`ConsensusError`] or a
//! [`MembershipError`] like any other failure to reach the group.

use actix::{Addr, MailboxError};

use super::actor::Consensus;
use super::error::ConsensusError;
use super::members::{MembershipError, MetaChange, MetaMembers};
use super::messages::{ChangeMeta, GetMetaMembers, Read, Submit, SubmitOnce};
use crate::storage::meta::{MetaOp, MetaRead, MetaReadResult, MetaResult, OpId};

/// Submits metadata ops and reads, and changes the metadata group,
/// through this process's Consensus actor. Cheap to clone.
#[derive(Clone)]
pub(crate) struct ConsensusClient {
    /// The actor every call goes to.
    addr: Addr<Consensus>,
}

/// The actor is gone (stopped at shutdown): the message never reached it,
/// so nothing was applied.
fn stopped(e: MailboxError) -> ConsensusError {
    ConsensusError::Unavailable(e.to_string())
}

impl ConsensusClient {
    /// A client of the actor at `addr`.
    pub(crate) fn new(addr: Addr<Consensus>) -> Self {
        Self { addr }
    }

    /// The actor's address, for the transport service that serves
    /// forwarded traffic from it.
    pub(super) fn addr(&self) -> &Addr<Consensus> {
        &self.addr
    }

    /// Whether the actor still runs: once it stopped, every call fails
    /// with [`ConsensusError::Unavailable`] and waiting will not help.
    pub(crate) fn is_running(&self) -> bool {
        self.addr.connected()
    }

    /// Commits one metadata op under a fresh id; the outer error says it
    /// did not go through Raft, the inner result is the op's own.
    pub(crate) async fn submit(&self, op: MetaOp) -> Result<MetaResult, ConsensusError> {
        self.addr.send(Submit(op)).await.map_err(stopped)?
    }

    /// Commits one op under the caller's `id`, so an unknown outcome can
    /// be settled later with a fence of the same id.
    pub(crate) async fn submit_once(
        &self,
        id: OpId,
        op: MetaOp,
    ) -> Result<MetaResult, ConsensusError> {
        self.addr
            .send(SubmitOnce { id, op })
            .await
            .map_err(stopped)?
    }

    /// A linearizable read at the leader.
    pub(crate) async fn read(&self, read: MetaRead) -> Result<MetaReadResult, ConsensusError> {
        crate::metrics::META_READS
            .with_label_values(&[read.kind()])
            .inc();
        self.addr.send(Read(read)).await.map_err(stopped)?
    }

    /// The metadata group's members (the leader's view if this process is
    /// not a member).
    pub(crate) async fn members(&self) -> Result<MetaMembers, MembershipError> {
        self.addr
            .send(GetMetaMembers)
            .await
            .map_err(|e| MembershipError::Unavailable(e.to_string()))?
    }

    /// Changes the metadata group, wherever its leader is.
    pub(crate) async fn change_members(
        &self,
        change: MetaChange,
    ) -> Result<MetaMembers, MembershipError> {
        self.addr
            .send(ChangeMeta(change))
            .await
            .map_err(|e| MembershipError::Unavailable(e.to_string()))?
    }
}

impl From<Addr<Consensus>> for ConsensusClient {
    fn from(addr: Addr<Consensus>) -> Self {
        Self::new(addr)
    }
}
