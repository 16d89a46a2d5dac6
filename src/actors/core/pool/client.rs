//! [`PeerClient`]: what callers use to reach peers through the pool. It
//! picks the connection, bounds each call by the RPC timeout, retries
//! idempotent calls once on a fresh connection, and reads peer health
//! without a round trip.

use crate::net::PeerAddr;
use std::ops::Range;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytes::Bytes;
use futures::Stream;
use s2n_quic::connection::Handle as ConnectionHandle;

use super::actor::Pool;
use super::health::PeerHealth;
use super::messages::{
    AttachHealth, DialNow, Evict, GetConnection, MarkDown, PooledConnections, Watch,
};
use crate::net::rpc::{self, Body, Idle};
use crate::net::shard;
use crate::net::{Channel, NetError};
use crate::storage::ShardKey;

/// The slowest a peer may copy a shard from another node before the
/// caller gives up on its answer: 1 MiB/s, far below any working link.
pub(crate) const COPY_BYTES_PER_SEC_AT_LEAST: u64 = 1 << 20;

/// A connection error names its peer (one a stream reports does not).
fn with_peer(addr: PeerAddr, e: NetError) -> NetError {
    match e {
        NetError::Connection { addr: a, message }
            if a.as_socket().is_some_and(|s| s.ip().is_unspecified()) =>
        {
            NetError::Connection { addr, message }
        }
        e => e,
    }
}

/// A message that failed.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct MessageFailure {
    /// The transport error the call ended with (a timeout, a lost
    /// connection, the peer's own refusal).
    pub error: NetError,
    /// Whether the peer may have received and acted on the message
    /// (`false`: it certainly did not, so sending it again is safe).
    pub maybe_delivered: bool,
}

/// Shard RPCs to peers through the pool; cheap to clone.
#[derive(Clone)]
pub struct PeerClient {
    pub(super) pool: Addr<Pool>,
    pub(super) rpc_timeout: Duration,
    pub(super) health: PeerHealth,
}

impl PeerClient {
    /// A client over a running pool.
    pub fn new(pool: Addr<Pool>, rpc_timeout: Duration) -> Self {
        let health = PeerHealth::default();
        pool.do_send(AttachHealth(health.clone()));
        Self {
            pool,
            rpc_timeout,
            health,
        }
    }

    /// False only when the pool's failure detector holds `addr` down (a
    /// call to it would fail at once with [`NetError::PeerDown`]). No
    /// round trip: it reads shared state.
    pub fn is_up(&self, addr: PeerAddr) -> bool {
        self.health.is_up(addr)
    }

    /// When `addr` was marked down; `None` when it is up or unknown.
    pub fn down_since(&self, addr: PeerAddr) -> Option<Instant> {
        self.health.down_since(addr)
    }

    /// Whether `addr` is up, dialing it now (within `timeout`) if the
    /// pool holds it down: for a caller that cannot do without the peer
    /// and should not fail at once with [`NetError::PeerDown`] when the
    /// peer may have come back since the detector last looked. A dial
    /// that completes marks the peer up for every caller.
    pub async fn dial_now(&self, addr: PeerAddr, timeout: Duration) -> bool {
        if self.is_up(addr) {
            return true;
        }
        self.pool
            .send(DialNow { addr, timeout })
            .await
            .unwrap_or(false)
    }

    /// Watches `peers` from now on: each is probed in the background even
    /// without traffic (a dead one is marked down within about two
    /// heartbeats), and has a `predastore_peer_up{node}` value at once (1
    /// until proven down). Watching a peer again changes nothing.
    pub fn watch(&self, peers: Vec<PeerAddr>) {
        self.pool.do_send(Watch { peers });
    }

    /// Tells the pool a call on connection `connection_id` to `addr`,
    /// begun at `started`, failed with `e`: a timeout marks the peer down
    /// (closing the connection) unless it answered since; a connection that
    /// failed or timed out is evicted.
    pub(super) fn report(
        &self,
        addr: PeerAddr,
        connection_id: u64,
        started: Instant,
        e: &NetError,
    ) {
        if let NetError::Timeout(_) = e {
            self.pool.do_send(MarkDown {
                addr,
                reason: format!("request {e}"),
                since: started,
            });
        }
        if e.breaks_connection() {
            self.pool.do_send(Evict {
                addr,
                connection_id,
            });
        }
    }

    pub(super) async fn connection(&self, addr: PeerAddr) -> Result<ConnectionHandle, NetError> {
        self.pool
            .send(GetConnection { addr })
            .await
            .map_err(|_| NetError::Connection {
                addr,
                message: "pool stopped".into(),
            })?
    }

    /// Runs `call` on the pooled connection within the RPC timeout; a
    /// failed connection is evicted, and with `retry` the call runs once
    /// more on a fresh one.
    pub(super) async fn run<T, F, Fut>(
        &self,
        addr: PeerAddr,
        retry: bool,
        mut call: F,
    ) -> Result<T, NetError>
    where
        F: FnMut(ConnectionHandle) -> Fut,
        Fut: std::future::Future<Output = Result<T, NetError>>,
    {
        let mut attempts = if retry { 2 } else { 1 };
        loop {
            attempts -= 1;
            let started = Instant::now();
            let conn = self.connection(addr).await?;
            let id = conn.id();
            let result = match tokio::time::timeout(self.rpc_timeout, call(conn)).await {
                Ok(result) => result,
                Err(_) => Err(NetError::Timeout(self.rpc_timeout)),
            };
            match result.map_err(|e| with_peer(addr, e)) {
                Err(e) if e.breaks_connection() => {
                    self.report(addr, id, started, &e);
                    if attempts == 0 || matches!(e, NetError::Timeout(_)) {
                        return Err(e);
                    }
                    tracing::debug!(peer = %addr, error = %e, "retrying on a new connection");
                }
                other => return other,
            }
        }
    }

    /// Opens a stream to `addr`, retried once on a fresh connection (nothing
    /// has been sent yet); the stream, its connection's id and when the
    /// call began.
    pub(super) async fn open(
        &self,
        addr: PeerAddr,
    ) -> Result<(rpc::OpenStream, u64, Instant), NetError> {
        let idle = self.idle();
        let started = Instant::now();
        self.run(addr, true, |mut conn| async move {
            let id = conn.id();
            rpc::open(&mut conn, idle).await.map(|s| (s, id, started))
        })
        .await
    }

    /// Reports the failure of a call on an opened stream to the pool.
    pub(super) fn report_result<T>(
        &self,
        addr: PeerAddr,
        connection_id: u64,
        started: Instant,
        r: &Result<T, NetError>,
    ) {
        if let Err(e) = r {
            self.report(addr, connection_id, started, e);
        }
    }

    /// Stores a shard on `addr`; its CRC32C. Not retried once the body
    /// flows (the body is consumed). Each wait on the peer is bounded by
    /// the RPC timeout, the whole transfer is not: a large shard may take
    /// longer.
    pub async fn put_shard<S>(
        &self,
        addr: PeerAddr,
        key: ShardKey,
        len: u64,
        body: S,
    ) -> Result<u32, NetError>
    where
        S: Stream<Item = Result<Bytes, NetError>>,
    {
        let (stream, id, started) = self.open(addr).await?;
        let result = shard::put_shard(stream, key, len, body)
            .await
            .map_err(|e| with_peer(addr, e));
        self.report_result(addr, id, started, &result);
        result
    }

    /// Has `addr` store the shard `key` (`len` bytes) it reads from the
    /// storage node at `from` itself: the bytes cross the network once,
    /// not through this node. Its CRC32C once durable on `addr`. The
    /// answer comes after the whole copy: it may take the RPC timeout plus
    /// a second per [`COPY_BYTES_PER_SEC_AT_LEAST`] bytes (the peer bounds
    /// each wait of its own on `from`).
    pub async fn copy_shard(
        &self,
        addr: PeerAddr,
        key: ShardKey,
        len: u64,
        from: PeerAddr,
    ) -> Result<u32, NetError> {
        // The copy names its source by IP: a name is looked up here, as
        // the target (a node listening on IPv4, as this one) reaches it.
        let lookup = from.resolve(std::net::SocketAddr::from(([0, 0, 0, 0], 0)));
        let source = tokio::time::timeout(self.rpc_timeout, lookup)
            .await
            .map_err(|_| NetError::Timeout(self.rpc_timeout))?
            .map_err(|e| NetError::Connection {
                addr: from,
                message: e.to_string(),
            })?;
        let (stream, id, started) = self.open(addr).await?;
        let copying = Duration::from_secs(len / COPY_BYTES_PER_SEC_AT_LEAST);
        let stream = stream.answer_within(Idle(self.rpc_timeout + copying));
        let result = shard::copy_shard(stream, key, len, source)
            .await
            .map_err(|e| with_peer(addr, e));
        self.report_result(addr, id, started, &result);
        result
    }

    /// Sends a message to `addr`'s `channel` service; its reply. The
    /// failure says whether the peer may have acted on the message.
    pub async fn message(
        &self,
        addr: PeerAddr,
        channel: Channel,
        body: Bytes,
    ) -> Result<Bytes, MessageFailure> {
        self.message_waiting(addr, channel, body, self.rpc_timeout)
            .await
    }

    /// [`message`](Self::message) for a call whose answer may take longer
    /// than the RPC timeout (a snapshot's import, a new member catching
    /// up): the reply may take up to `wait`. Never less than the RPC
    /// timeout: a peer slower than that is marked down and its connection
    /// closed, with every call on it, so a caller with a shorter deadline
    /// of its own (a Raft heartbeat's) drops the call instead.
    pub async fn message_waiting(
        &self,
        addr: PeerAddr,
        channel: Channel,
        body: Bytes,
        wait: Duration,
    ) -> Result<Bytes, MessageFailure> {
        let (stream, id, started) = self.open(addr).await.map_err(|error| MessageFailure {
            error,
            maybe_delivered: false,
        })?;
        let stream = stream.answer_within(Idle(wait.max(self.rpc_timeout)));
        let result = rpc::message(stream, channel, body)
            .await
            .map_err(|e| with_peer(addr, e));
        self.report_result(addr, id, started, &result);
        result.map_err(|error| MessageFailure {
            // A peer that answers with an error refused it unread.
            maybe_delivered: !matches!(error, NetError::Remote { .. }),
            error,
        })
    }

    pub(super) fn idle(&self) -> Idle {
        Idle(self.rpc_timeout)
    }

    /// Starts reading a shard (or a range of it) from `addr`. Each later
    /// chunk must arrive within the RPC timeout.
    pub async fn get_shard(
        &self,
        addr: PeerAddr,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> Result<Body, NetError> {
        let idle = self.idle();
        self.run(addr, true, |mut conn| {
            let range = range.clone();
            async move { shard::get_shard(&mut conn, key, range, idle).await }
        })
        .await
    }

    /// Deletes a shard on `addr`; whether it existed.
    pub async fn delete_shard(&self, addr: PeerAddr, key: ShardKey) -> Result<bool, NetError> {
        let idle = self.idle();
        self.run(addr, true, |mut conn| async move {
            shard::delete_shard(&mut conn, key, idle).await
        })
        .await
    }

    /// Whether `addr` answers.
    pub async fn health(&self, addr: PeerAddr) -> Result<(), NetError> {
        let idle = self.idle();
        self.run(addr, true, |mut conn| async move {
            rpc::health(&mut conn, idle).await
        })
        .await
    }

    /// Connections currently pooled.
    pub async fn pooled(&self) -> usize {
        self.pool.send(PooledConnections).await.unwrap_or(0)
    }
}
