//! openraft's network over the cluster transport: every Raft RPC is a
//! [`Channel::Raft`] message on the pooled QUIC connection to the target
//! meta node (whose transport address is its `BasicNode::addr`).
//!
//! A member that cannot be reached is a normal state, not an error on every
//! retry: openraft's own per-retry lines (target `openraft::replication`)
//! are off in the default log filter, and this layer logs each target's
//! changes instead: once (WARN) when it becomes unreachable or starts
//! failing, once (INFO) when it answers again. Every target is watched by
//! the pool's failure detector, so calls to a member known down fail at
//! once (as `Unreachable`, which makes openraft back off, see
//! `backoff` below).
//!
//! A call that is only slow (no answer within openraft's deadline, one
//! heartbeat interval) is a network error, not `Unreachable`: openraft
//! sends again at the next heartbeat instead of backing off for a second.
//! On a busy machine a follower may miss that deadline once; backing off
//! then cost a second without commits whenever it was the leader's only
//! live follower (right after a failover) or both followers missed it.

// openraft's traits fix the (large) error types returned here.
#![allow(clippy::result_large_err)]

use crate::net::PeerAddr;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::error::{
    Fatal, InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, ReplicationClosed,
    StreamingError, Unreachable,
};
use openraft::network::snapshot_transport::{Chunked, SnapshotTransport};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    SnapshotResponse, VoteRequest, VoteResponse,
};
use openraft::{BasicNode, OptionalSend, Snapshot, Vote};

use super::clock::MetaClock;
use super::lease::ReadLease;
use super::wire::{self, RaftCall, RaftReply};
use crate::actors::core::pool::PeerClient;
use crate::net::{Channel, NetError};
use crate::storage::raft::MetaRaft;

/// How the last RPCs to one target went, as far as the log is concerned.
#[derive(Clone, Copy, Debug)]
enum Reach {
    /// No RPC to it has come back yet (members start in any order).
    Unknown,
    /// It answers.
    Ok,
    /// The transport cannot reach it (since then).
    Unreachable(Instant),
    /// RPCs to it fail otherwise (bad replies, errors of its own).
    Failing,
}

/// Each target's [`Reach`], shared by every [`RaftPeer`] (openraft makes a
/// new one per replication session and per election).
type Reachability = Arc<Mutex<HashMap<u64, Reach>>>;

/// Makes a [`RaftPeer`] for each target openraft replicates to.
#[derive(Clone)]
pub(crate) struct QuicNetwork {
    peers: PeerClient,
    reach: Reachability,
    clock: MetaClock,
    lease: ReadLease,
}

impl QuicNetwork {
    /// A network sending through `peers`; members' clocks in answers to
    /// appends go to `clock`, the appends they accepted to `lease`.
    pub(crate) fn new(peers: PeerClient, clock: MetaClock, lease: ReadLease) -> Self {
        Self {
            peers,
            reach: Reachability::default(),
            clock,
            lease,
        }
    }
}

impl RaftNetworkFactory<MetaRaft> for QuicNetwork {
    type Network = RaftPeer;

    async fn new_client(&mut self, target: u64, node: &BasicNode) -> RaftPeer {
        let addr = node.addr.parse().ok();
        if let Some(addr) = addr {
            // Probed in the background from now on, so a dead member is
            // known down within a couple of heartbeats (openraft's own
            // deadline cuts calls short before the pool's would fire).
            self.peers.watch(vec![addr]);
        }
        RaftPeer {
            peers: self.peers.clone(),
            target,
            addr,
            reach: self.reach.clone(),
            clock: self.clock.clone(),
            lease: self.lease.clone(),
        }
    }
}

/// One target meta node.
pub(crate) struct RaftPeer {
    peers: PeerClient,
    target: u64,
    addr: Option<PeerAddr>,
    reach: Reachability,
    clock: MetaClock,
    lease: ReadLease,
}

type RpcResult<T, E> = Result<T, RPCError<u64, BasicNode, E>>;

fn unreachable<E: std::error::Error>(e: NetError) -> RPCError<u64, BasicNode, E> {
    RPCError::Unreachable(Unreachable::new(&e))
}

/// The RPC error for a transport failure: the peer cannot be reached when
/// the pool holds it down or the connection failed (openraft then backs
/// off); anything else, a call that timed out included, is a network
/// error (sent again at the next heartbeat: a slow answer says little
/// about the member, and the pool marks a dead one down within seconds).
fn transport_error<E: std::error::Error>(e: NetError) -> RPCError<u64, BasicNode, E> {
    match e {
        e @ (NetError::PeerDown(_) | NetError::Connection { .. }) => unreachable(e),
        e => RPCError::Network(NetworkError::new(&e)),
    }
}

/// A snapshot send that failed reading the snapshot, as the member being
/// unreachable for now (logged once here); other failures as they are.
fn snapshot_read_not_fatal(
    target: u64,
    e: StreamingError<MetaRaft, Fatal<u64>>,
) -> StreamingError<MetaRaft, Fatal<u64>> {
    match e {
        StreamingError::StorageError(e) => {
            tracing::warn!(member = target, error = %e, "a metadata snapshot could not be read to send; the member is tried again later");
            StreamingError::Unreachable(Unreachable::new(&e))
        }
        e => e,
    }
}

impl RaftPeer {
    /// Sends `call` within the RPC's hard deadline; the decoded reply.
    async fn call<E: std::error::Error>(
        &self,
        call: RaftCall,
        option: &RPCOption,
    ) -> RpcResult<RaftReply, E> {
        let addr = self.addr.ok_or_else(|| {
            let e = NetError::Endpoint(format!(
                "meta node {} has no transport address",
                self.target
            ));
            self.note(Reach::Failing, &e);
            unreachable(e)
        })?;
        let body = wire::encode(&call).map_err(|e| {
            self.note(Reach::Failing, &e);
            RPCError::Network(NetworkError::new(&e))
        })?;
        // openraft's deadline is sized for heartbeats; a message carrying
        // entries gets 20 ms more per MiB, so a follower catching up on
        // large entries is not cut off and re-sent the same forever.
        let ttl = option.hard_ttl() + Duration::from_millis(20 * (body.len() as u64 >> 20));
        // The last chunk of a snapshot is answered once the member has
        // imported it: that answer may take longer than the RPC timeout.
        // A shorter deadline (a heartbeat's) is only this call's: the
        // call is dropped, the member is not marked down.
        let sent = tokio::time::timeout(
            ttl,
            self.peers.message_waiting(addr, Channel::Raft, body, ttl),
        );
        let reply = match sent.await {
            // A slow answer alone says little about the member: logged
            // only if the pool finds it down.
            Err(_) => return Err(transport_error(NetError::Timeout(ttl))),
            Ok(Err(failure)) => {
                let e = failure.error;
                match &e {
                    NetError::PeerDown(_) | NetError::Connection { .. } => {
                        self.note(Reach::Unreachable(Instant::now()), &e)
                    }
                    NetError::Timeout(_) => {}
                    other => self.note(Reach::Failing, other),
                }
                return Err(transport_error(e));
            }
            Ok(Ok(reply)) => reply,
        };
        wire::decode(&reply).map_err(|e| {
            self.note(Reach::Failing, &e);
            RPCError::Network(NetworkError::new(&e))
        })
    }

    /// The member's answer: a success notes it reachable, an error of its
    /// own is returned as a remote error.
    fn answered<T, E: std::error::Error>(
        &self,
        r: Result<T, RaftError<u64, E>>,
    ) -> RpcResult<T, RaftError<u64, E>> {
        match r {
            Ok(v) => {
                self.note(Reach::Ok, &"answered");
                Ok(v)
            }
            Err(e) => Err(self.remote(e)),
        }
    }

    /// A reply of the wrong kind.
    fn mismatch<E: std::error::Error>(&self) -> RPCError<u64, BasicNode, E> {
        let e = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "reply does not match the call",
        );
        self.note(Reach::Failing, &e);
        RPCError::Network(NetworkError::new(&e))
    }

    /// Records how an RPC to the target went; logs only a change.
    fn note(&self, now: Reach, why: &dyn std::fmt::Display) {
        let before = {
            let mut reach = self.reach.lock().unwrap_or_else(|p| p.into_inner());
            let before = reach.get(&self.target).copied().unwrap_or(Reach::Unknown);
            if std::mem::discriminant(&before) == std::mem::discriminant(&now) {
                return;
            }
            reach.insert(self.target, now);
            before
        };
        let (target, addr) = (self.target, self.addr);
        let why = match addr {
            // A call the pool cut short when it marked the member down.
            Some(a) if !self.peers.is_up(a) => NetError::PeerDown(a).to_string(),
            _ => why.to_string(),
        };
        let addr = addr.map(|a| a.to_string()).unwrap_or_default();
        match (before, now) {
            (_, Reach::Unknown) | (Reach::Unknown, Reach::Ok) => {}
            (Reach::Unknown, Reach::Unreachable(_)) => tracing::info!(
                node = target, %addr, reason = %why,
                "meta member not reachable yet; retrying quietly"
            ),
            (Reach::Unreachable(since), Reach::Ok) => tracing::info!(
                node = target, %addr, down_for = ?since.elapsed(),
                "meta member reachable again"
            ),
            (_, Reach::Ok) => tracing::info!(node = target, %addr, "meta member answers again"),
            (_, Reach::Unreachable(_)) => tracing::warn!(
                node = target, %addr, reason = %why,
                "meta member unreachable; retrying quietly"
            ),
            (_, Reach::Failing) => tracing::warn!(
                node = target, %addr, error = %why,
                "Raft RPCs to meta member fail; further failures not logged until it answers"
            ),
        }
    }

    fn remote<E: std::error::Error>(
        &self,
        e: RaftError<u64, E>,
    ) -> RPCError<u64, BasicNode, RaftError<u64, E>> {
        // The member answered with an error of its own: openraft's line
        // for it is off with the rest of `openraft::replication`.
        self.note(Reach::Failing, &e);
        RPCError::RemoteError(RemoteError::new(self.target, e))
    }
}

impl RaftNetwork<MetaRaft> for RaftPeer {
    /// Retry an unreachable member once a second (openraft's default is
    /// 500 ms): a member that comes back holds its elections for 2 s
    /// (`storage::raft::group`), so it hears from the leader before it
    /// could depose it. Calls to a member the pool holds down fail at once
    /// as `Unreachable`, so this pause is what keeps them from spinning.
    fn backoff(&self) -> openraft::network::Backoff {
        openraft::network::Backoff::new(std::iter::repeat(std::time::Duration::from_secs(1)))
    }

    /// openraft's chunked send, except that failing to read this node's
    /// own snapshot does not stop its Raft member (openraft takes a
    /// storage error while sending as fatal): the member is tried again
    /// after the back-off, with a fresh snapshot.
    async fn full_snapshot(
        &mut self,
        vote: Vote<u64>,
        snapshot: Snapshot<MetaRaft>,
        cancel: impl Future<Output = ReplicationClosed> + OptionalSend + 'static,
        option: RPCOption,
    ) -> Result<SnapshotResponse<u64>, StreamingError<MetaRaft, Fatal<u64>>> {
        let sent = Chunked::send_snapshot(self, vote, snapshot, cancel, option).await;
        sent.map_err(|e| snapshot_read_not_fatal(self.target, e))
    }

    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<MetaRaft>,
        option: RPCOption,
    ) -> RpcResult<AppendEntriesResponse<u64>, RaftError<u64>> {
        let (vote, sent) = (rpc.vote, Instant::now());
        let answer = match self.call(RaftCall::AppendEntries(rpc), &option).await? {
            RaftReply::AppendEntriesAt(r, clock_ms) => {
                self.clock.record(self.target, clock_ms);
                r
            }
            RaftReply::AppendEntries(r) => r,
            _ => return Err(self.mismatch()),
        };
        if let Ok(AppendEntriesResponse::Success | AppendEntriesResponse::PartialSuccess(_)) =
            &answer
        {
            self.lease.acked(self.target, vote, sent);
        }
        self.answered(answer)
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<MetaRaft>,
        option: RPCOption,
    ) -> RpcResult<InstallSnapshotResponse<u64>, RaftError<u64, InstallSnapshotError>> {
        match self.call(RaftCall::InstallSnapshot(rpc), &option).await? {
            RaftReply::InstallSnapshot(r) => self.answered(r),
            _ => Err(self.mismatch()),
        }
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<u64>,
        option: RPCOption,
    ) -> RpcResult<VoteResponse<u64>, RaftError<u64>> {
        match self.call(RaftCall::Vote(rpc), &option).await? {
            RaftReply::Vote(r) => self.answered(r),
            _ => Err(self.mismatch()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_the_pool_holds_down_is_unreachable_but_a_slow_one_is_not() {
        let addr: PeerAddr = ([127, 0, 0, 1], 9100).into();
        let down = transport_error::<std::io::Error>(NetError::PeerDown(addr));
        assert!(matches!(down, RPCError::Unreachable(_)), "{down:?}");
        // A slow answer is tried again at the next heartbeat, without the
        // second of backoff.
        let timeout = transport_error::<std::io::Error>(NetError::Timeout(Duration::ZERO));
        assert!(matches!(timeout, RPCError::Network(_)), "{timeout:?}");
        let garbled = transport_error::<std::io::Error>(NetError::Body("short".into()));
        assert!(matches!(garbled, RPCError::Network(_)));
    }

    #[test]
    fn a_snapshot_that_cannot_be_read_to_send_is_not_fatal_but_other_failures_stay() {
        let read = openraft::StorageIOError::read_snapshot(
            None,
            &std::io::Error::other("the export wrote fewer bytes than measured"),
        );
        let e = snapshot_read_not_fatal(2, StreamingError::StorageError(read.into()));
        // openraft backs off from an unreachable member and sends again;
        // a storage error would have ended this node's member.
        assert!(matches!(e, StreamingError::Unreachable(_)), "{e:?}");
        let closed = snapshot_read_not_fatal(2, ReplicationClosed::new("leader changed").into());
        assert!(matches!(closed, StreamingError::Closed(_)), "{closed:?}");
    }
}
