//! openraft's network over the cluster transport: every Raft RPC is a
//! [`Channel::Raft`] message on the pooled QUIC connection to the target
//! meta node (whose transport address is its `BasicNode::addr`).

// openraft's traits fix the (large) error types returned here.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::time::Duration;

use openraft::error::{
    InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable,
};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use openraft::BasicNode;

use super::wire::{self, RaftCall, RaftReply};
use crate::actors::pool::PeerClient;
use crate::net::{Channel, NetError};
use crate::storage::raft::MetaRaft;

/// Makes a [`RaftPeer`] for each target openraft replicates to.
#[derive(Clone)]
pub struct QuicNetwork {
    peers: PeerClient,
}

impl QuicNetwork {
    /// A network sending through `peers`.
    pub fn new(peers: PeerClient) -> Self {
        Self { peers }
    }
}

impl RaftNetworkFactory<MetaRaft> for QuicNetwork {
    type Network = RaftPeer;

    async fn new_client(&mut self, target: u64, node: &BasicNode) -> RaftPeer {
        RaftPeer {
            peers: self.peers.clone(),
            target,
            addr: node.addr.parse().ok(),
        }
    }
}

/// One target meta node.
pub struct RaftPeer {
    peers: PeerClient,
    target: u64,
    addr: Option<SocketAddr>,
}

type RpcResult<T, E> = Result<T, RPCError<u64, BasicNode, E>>;

fn unreachable<E: std::error::Error>(e: NetError) -> RPCError<u64, BasicNode, E> {
    RPCError::Unreachable(Unreachable::new(&e))
}

impl RaftPeer {
    /// Sends `call` within the RPC's hard deadline; the decoded reply.
    async fn call<E: std::error::Error>(
        &self,
        call: RaftCall,
        option: &RPCOption,
    ) -> RpcResult<RaftReply, E> {
        let addr = self.addr.ok_or_else(|| {
            unreachable(NetError::Endpoint(format!(
                "meta node {} has no transport address",
                self.target
            )))
        })?;
        let body = wire::encode(&call).map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        // openraft's deadline is sized for heartbeats; a message carrying
        // entries gets 20 ms more per MiB, so a follower catching up on
        // large entries is not cut off and re-sent the same forever.
        let ttl = option.hard_ttl() + Duration::from_millis(20 * (body.len() as u64 >> 20));
        let sent = tokio::time::timeout(ttl, self.peers.message(addr, Channel::Raft, body));
        let reply = match sent.await {
            Err(_) => return Err(unreachable(NetError::Timeout(ttl))),
            Ok(Err(failure)) => {
                return Err(match failure.error {
                    e @ (NetError::Connection { .. } | NetError::Timeout(_)) => unreachable(e),
                    e => RPCError::Network(NetworkError::new(&e)),
                })
            }
            Ok(Ok(reply)) => reply,
        };
        wire::decode(&reply).map_err(|e| RPCError::Network(NetworkError::new(&e)))
    }

    fn remote<E: std::error::Error>(
        &self,
        e: RaftError<u64, E>,
    ) -> RPCError<u64, BasicNode, RaftError<u64, E>> {
        RPCError::RemoteError(RemoteError::new(self.target, e))
    }
}

fn mismatch<E: std::error::Error>() -> RPCError<u64, BasicNode, E> {
    let e = std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "reply does not match the call",
    );
    RPCError::Network(NetworkError::new(&e))
}

impl RaftNetwork<MetaRaft> for RaftPeer {
    /// Retry an unreachable member once a second (openraft's default is
    /// 500 ms): openraft logs every failed attempt, and a member that comes
    /// back holds its elections for 2 s (`storage::raft::group`), so it
    /// hears from the leader before it could depose it.
    fn backoff(&self) -> openraft::network::Backoff {
        openraft::network::Backoff::new(std::iter::repeat(std::time::Duration::from_secs(1)))
    }

    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<MetaRaft>,
        option: RPCOption,
    ) -> RpcResult<AppendEntriesResponse<u64>, RaftError<u64>> {
        match self.call(RaftCall::AppendEntries(rpc), &option).await? {
            RaftReply::AppendEntries(r) => r.map_err(|e| self.remote(e)),
            _ => Err(mismatch()),
        }
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<MetaRaft>,
        option: RPCOption,
    ) -> RpcResult<InstallSnapshotResponse<u64>, RaftError<u64, InstallSnapshotError>> {
        match self.call(RaftCall::InstallSnapshot(rpc), &option).await? {
            RaftReply::InstallSnapshot(r) => r.map_err(|e| self.remote(e)),
            _ => Err(mismatch()),
        }
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<u64>,
        option: RPCOption,
    ) -> RpcResult<VoteResponse<u64>, RaftError<u64>> {
        match self.call(RaftCall::Vote(rpc), &option).await? {
            RaftReply::Vote(r) => r.map_err(|e| self.remote(e)),
            _ => Err(mismatch()),
        }
    }
}
