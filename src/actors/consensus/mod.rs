//! The Consensus actor: one per process, the way metadata ops reach Raft.
//!
//! Callers submit single ops. While one Raft entry is in flight, every op
//! that arrives is gathered; when the entry commits, the gathered ops go
//! out as the next entry at once — no timer, no idle gap — and each caller
//! gets its own op's result. Entry size is capped. Reads ask Raft for a
//! linearizable point (read index) before reading the local state.
//!
//! This hosts the openraft instance of a meta node. Forwarding from
//! non-meta nodes and the Raft network over QUIC are not built yet, so
//! today it serves the one-node group of the all-in-one role.

mod messages;

use actix::prelude::*;
use openraft::error::{CheckIsLeaderError, ClientWriteError, RaftError};
use openraft::{BasicNode, Raft};
use tokio::sync::oneshot;

use crate::metrics;
use crate::storage::meta::{MetaOp, MetaResult};
use crate::storage::raft::{MetaRaft, MetaRequest};

pub use messages::{Linearize, Submit};

/// Most ops one Raft entry carries.
pub const MAX_OPS_PER_ENTRY: usize = 4096;

/// Why an op or a read could not go through Raft.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConsensusError {
    /// This node is not the leader; the leader's id if known.
    #[error("not the metadata leader (leader: {0:?})")]
    NotLeader(Option<u64>),
    /// Raft failed or is shutting down.
    #[error("metadata consensus failed: {0}")]
    Failed(String),
    /// Too many ops are waiting; the caller should slow down.
    #[error("metadata consensus is overloaded")]
    Busy,
}

type Waiter = oneshot::Sender<Result<MetaResult, ConsensusError>>;

/// The batching front of a Raft group.
pub struct Consensus {
    raft: Raft<MetaRaft>,
    pending: Vec<(MetaOp, Waiter)>,
    in_flight: bool,
    max_pending: usize,
}

impl Consensus {
    /// A front for `raft`; at most `max_pending` ops wait for an entry.
    pub fn new(raft: Raft<MetaRaft>, max_pending: usize) -> Self {
        Self {
            raft,
            pending: Vec::new(),
            in_flight: false,
            max_pending,
        }
    }

    /// Sends what has gathered as one entry, if none is in flight.
    fn flush(&mut self, ctx: &mut Context<Self>) {
        if self.in_flight || self.pending.is_empty() {
            return;
        }
        let take = self.pending.len().min(MAX_OPS_PER_ENTRY);
        let (ops, waiters): (Vec<MetaOp>, Vec<Waiter>) = self.pending.drain(..take).unzip();
        self.in_flight = true;
        let raft = self.raft.clone();
        let write = async move { raft.client_write(MetaRequest { ops }).await };
        ctx.spawn(write.into_actor(self).map(move |result, act, ctx| {
            act.in_flight = false;
            match result {
                Ok(response) => {
                    let results = response.data.results;
                    if results.len() != waiters.len() {
                        let e = ConsensusError::Failed("result count does not match".into());
                        waiters
                            .into_iter()
                            .for_each(|w| drop(w.send(Err(e.clone()))));
                    } else {
                        for (w, r) in waiters.into_iter().zip(results) {
                            let _ = w.send(Ok(r));
                        }
                    }
                }
                Err(e) => {
                    let err = classify(&e);
                    waiters
                        .into_iter()
                        .for_each(|w| drop(w.send(Err(err.clone()))));
                }
            }
            act.flush(ctx);
        }));
    }
}

/// Raft API errors that may tell where the leader is.
trait LeaderHint: std::fmt::Display {
    /// `Some(leader)` when the request must go to the leader instead.
    fn forward_to(&self) -> Option<Option<u64>>;
}

impl LeaderHint for ClientWriteError<u64, BasicNode> {
    fn forward_to(&self) -> Option<Option<u64>> {
        match self {
            ClientWriteError::ForwardToLeader(f) => Some(f.leader_id),
            ClientWriteError::ChangeMembershipError(_) => None,
        }
    }
}

impl LeaderHint for CheckIsLeaderError<u64, BasicNode> {
    fn forward_to(&self) -> Option<Option<u64>> {
        match self {
            CheckIsLeaderError::ForwardToLeader(f) => Some(f.leader_id),
            CheckIsLeaderError::QuorumNotEnough(_) => None,
        }
    }
}

fn classify<E: LeaderHint>(e: &RaftError<u64, E>) -> ConsensusError {
    match e {
        RaftError::APIError(api) => match api.forward_to() {
            Some(leader) => ConsensusError::NotLeader(leader),
            None => ConsensusError::Failed(api.to_string()),
        },
        RaftError::Fatal(f) => ConsensusError::Failed(f.to_string()),
    }
}

impl Actor for Consensus {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.max_pending.max(16));
    }
}

impl Handler<Submit> for Consensus {
    type Result = ResponseFuture<Result<MetaResult, ConsensusError>>;

    fn handle(&mut self, msg: Submit, ctx: &mut Self::Context) -> Self::Result {
        if self.pending.len() >= self.max_pending {
            return Box::pin(async { Err(ConsensusError::Busy) });
        }
        let (tx, rx) = oneshot::channel();
        self.pending.push((msg.0, tx));
        metrics::RAFT_PENDING_OPS.set(self.pending.len() as i64);
        self.flush(ctx);
        Box::pin(async move {
            rx.await
                .unwrap_or_else(|_| Err(ConsensusError::Failed("consensus stopped".into())))
        })
    }
}

impl Handler<Linearize> for Consensus {
    type Result = ResponseFuture<Result<(), ConsensusError>>;

    fn handle(&mut self, _: Linearize, _: &mut Self::Context) -> Self::Result {
        let raft = self.raft.clone();
        Box::pin(async move {
            raft.ensure_linearizable()
                .await
                .map(|_| ())
                .map_err(|e| classify(&e))
        })
    }
}
