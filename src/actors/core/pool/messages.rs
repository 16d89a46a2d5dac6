//! Messages the Pool handles.

use crate::net::PeerAddr;
use std::time::Duration;

use actix::Message;
use s2n_quic::connection::Handle as ConnectionHandle;

use super::health::PeerHealth;
use crate::net::NetError;

/// A connection to `addr`: the pooled one, or a new one.
#[derive(Message)]
#[rtype(result = "Result<ConnectionHandle, NetError>")]
pub struct GetConnection {
    /// The peer's transport address, the pool's key for its connection.
    pub addr: PeerAddr,
}

/// The connection with this id to `addr` failed: drop it from the pool.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Evict {
    /// The transport address whose pooled connection failed.
    pub addr: PeerAddr,
    /// s2n-quic's id of the failed connection (a newer one is kept).
    pub connection_id: u64,
}

/// How many connections the pool holds.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct PooledConnections;

/// Watch these peers: probe them in the background even without traffic.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Watch {
    /// The peers' transport addresses.
    pub peers: Vec<PeerAddr>,
}

/// A request to `addr` got no answer in time: mark the peer down, unless
/// it answered something (a dial, a heartbeat) after the request began.
#[derive(Message)]
#[rtype(result = "()")]
pub struct MarkDown {
    /// The transport address of the peer that did not answer.
    pub addr: PeerAddr,
    /// What happened, for the log.
    pub reason: String,
    /// When the failed request began.
    pub since: std::time::Instant,
}

/// Keep this view of peer health up to date (a [`super::PeerClient`]
/// reads it without a round trip to the pool).
#[derive(Message)]
#[rtype(result = "()")]
pub struct AttachHealth(pub PeerHealth);

/// Dial `addr` now even if it is held down, within `timeout`, and answer
/// whether it is up: for a caller that cannot do without this peer (a read
/// short of shards) and should not wait for the next probe. A completed
/// dial marks the peer up at once.
#[derive(Message)]
#[rtype(result = "bool")]
pub struct DialNow {
    /// The peer's transport address.
    pub addr: PeerAddr,
    /// Longest the dial may take (the pool's dial timeout, if shorter,
    /// wins).
    pub timeout: Duration,
}
