//! Messages the Pool handles.

use std::net::SocketAddr;

use actix::Message;
use s2n_quic::connection::Handle as ConnectionHandle;

use crate::net::NetError;

/// A connection to `addr`: the pooled one, or a new one.
#[derive(Message)]
#[rtype(result = "Result<ConnectionHandle, NetError>")]
pub struct GetConnection {
    /// The peer.
    pub addr: SocketAddr,
}

/// The connection with this id to `addr` failed: drop it from the pool.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Evict {
    /// The peer.
    pub addr: SocketAddr,
    /// s2n-quic's id of the failed connection (a newer one is kept).
    pub connection_id: u64,
}

/// How many connections the pool holds.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct PooledConnections;
