//! What a meta node answers on the cluster transport: Raft's RPCs from
//! its peers, and metadata ops and reads forwarded by gateways and
//! followers.

use actix::Addr;
use bytes::Bytes;
use futures::future::BoxFuture;
use openraft::raft::VoteResponse;
use openraft::Raft;

use super::actor::Consensus;
use super::client::ConsensusClient;
use super::clock::MetaClock;
use super::error::ConsensusError;
use super::lease::ReadLease;
use super::members::MembershipError;
use super::messages::{MembershipForwarded, ReadForwarded, SubmitForwarded, WhoLeads};
use super::types::LocalRaft;
use super::wire::{self, MetaCall, MetaReply, RaftCall, RaftReply};
use crate::net::server::MessageService;
use crate::net::service::ServiceError;
use crate::net::ErrorKind;
use crate::storage::raft::MetaRaft;

fn bad_request(e: impl std::fmt::Display) -> ServiceError {
    ServiceError {
        kind: ErrorKind::BadRequest,
        message: e.to_string(),
    }
}

fn encode_reply<T: serde::Serialize>(reply: &T) -> Result<Bytes, ServiceError> {
    wire::encode(reply).map_err(|e| ServiceError {
        kind: ErrorKind::Internal,
        message: e.to_string(),
    })
}

/// Hands Raft RPCs from peers to the local Raft.
pub(crate) struct RaftService {
    raft: Raft<MetaRaft>,
    /// While it runs (and just after start) vote requests are refused.
    lease: ReadLease,
    /// This member's clock, sent with every answer to an append.
    clock: MetaClock,
}

impl RaftService {
    /// Serves `local`'s Raft member.
    pub(crate) fn new(local: &LocalRaft) -> Self {
        Self {
            raft: local.raft.clone(),
            lease: local.lease.clone(),
            clock: local.clock.clone(),
        }
    }
}

impl MessageService for RaftService {
    fn call(&self, body: Bytes) -> BoxFuture<'static, Result<Bytes, ServiceError>> {
        let raft = self.raft.clone();
        let lease = self.lease.clone();
        let clock = self.clock.clone();
        Box::pin(async move {
            let reply = match wire::decode(&body).map_err(bad_request)? {
                // Refused as openraft refuses a vote inside its own leader
                // lease: with this node's vote, and no log id (so the
                // candidate takes nothing from it but "not granted").
                RaftCall::Vote(r) => {
                    match lease.deciding_vote(r.vote.leader_id().term, std::time::Instant::now()) {
                        None => {
                            let vote = raft.metrics().borrow().vote;
                            RaftReply::Vote(Ok(VoteResponse::new(vote, None, false)))
                        }
                        Some(decision) => {
                            let answer = raft.vote(r).await;
                            decision.decided(answer.as_ref().is_ok_and(|v| v.vote_granted));
                            RaftReply::Vote(answer)
                        }
                    }
                }
                RaftCall::AppendEntries(r) => {
                    let answer = raft.append_entries(r).await;
                    RaftReply::AppendEntriesAt(answer, clock.now_ms())
                }
                RaftCall::InstallSnapshot(r) => {
                    RaftReply::InstallSnapshot(raft.install_snapshot(r).await)
                }
            };
            encode_reply(&reply)
        })
    }
}

/// Hands forwarded metadata ops and reads to the local Consensus actor.
pub(crate) struct MetaService {
    /// The local actor forwarded calls are handed to.
    consensus: Addr<Consensus>,
}

impl MetaService {
    /// Serves through the actor `consensus` talks to.
    pub(crate) fn new(consensus: &ConsensusClient) -> Self {
        Self {
            consensus: consensus.addr().clone(),
        }
    }
}

fn stopped<T>(_: T) -> ConsensusError {
    ConsensusError::Failed("consensus stopped".into())
}

impl MessageService for MetaService {
    fn call(&self, body: Bytes) -> BoxFuture<'static, Result<Bytes, ServiceError>> {
        let consensus = self.consensus.clone();
        Box::pin(async move {
            let reply = match wire::decode(&body).map_err(bad_request)? {
                MetaCall::Submit(ops) => {
                    let n = ops.len();
                    let results = consensus
                        .send(SubmitForwarded(ops))
                        .await
                        .unwrap_or_else(|e| vec![Err(stopped(e)); n]);
                    MetaReply::Submitted(results)
                }
                MetaCall::Membership(change) => MetaReply::Membership(
                    consensus
                        .send(MembershipForwarded(change))
                        .await
                        .unwrap_or_else(|e| Err(MembershipError::Unavailable(e.to_string()))),
                ),
                MetaCall::WhoLeads => {
                    MetaReply::Leader(consensus.send(WhoLeads).await.unwrap_or(None))
                }
                MetaCall::Read(read) => MetaReply::Read(Box::new({
                    // A gateway serving a client: repair gives way.
                    if read.made_for_a_client() {
                        crate::activity::CLIENTS.seen();
                    }
                    consensus
                        .send(ReadForwarded(read))
                        .await
                        .unwrap_or_else(|e| Err(stopped(e)))
                })),
            };
            encode_reply(&reply)
        })
    }
}
