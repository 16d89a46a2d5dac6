//! The Pool: one per process, one QUIC connection per peer, reused by every
//! request (each request is a new stream on it).
//!
//! A dial that cannot complete fails within the dial timeout; a request on
//! a connection that fails or times out evicts that connection, so the next
//! request dials again. The pool's failure detector (see [`detector`])
//! remembers peers that are down: a request to one fails at once with
//! [`NetError::PeerDown`] until a background probe finds it up.
//! [`PeerClient`] is what callers use: it picks the connection, bounds each
//! call by the RPC timeout, retries idempotent calls once on a fresh
//! connection, and tells without a round trip whether a peer is up.

pub mod detector;
mod inventory;
mod messages;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::ops::Range;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytes::Bytes;
use futures::Stream;
use s2n_quic::connection::Handle as ConnectionHandle;
use s2n_quic::Client;
use tokio::sync::oneshot;

use crate::metrics;
use crate::net::rpc::{self, Body, Idle};
use crate::net::{endpoint, Channel, NetError};
use crate::storage::ShardKey;

pub use detector::{PeerHealth, ProbeConfig};
pub use messages::{AttachHealth, Evict, GetConnection, MarkDown, PooledConnections, Watch};

type Waiter = oneshot::Sender<Result<ConnectionHandle, String>>;

/// Timeouts of the pool.
#[derive(Clone, Copy, Debug)]
pub struct PoolConfig {
    /// A dial that has not completed by then fails.
    pub dial_timeout: Duration,
    /// A request that has not been answered by then fails (and evicts).
    pub rpc_timeout: Duration,
    /// Keep pooled connections open with keep-alives.
    pub keep_alive: bool,
}

/// The connection pool actor.
pub struct Pool {
    client: Client,
    cfg: PoolConfig,
    probe: ProbeConfig,
    conns: HashMap<SocketAddr, ConnectionHandle>,
    dialing: HashMap<SocketAddr, Vec<Waiter>>,
    peers: HashMap<SocketAddr, detector::PeerEntry>,
    views: detector::Views,
}

impl Pool {
    /// A pool dialing through `client`, its failure detector timed by
    /// [`ProbeConfig::default`].
    pub fn new(client: Client, cfg: PoolConfig) -> Self {
        Self {
            client,
            cfg,
            probe: ProbeConfig::default(),
            conns: HashMap::new(),
            dialing: HashMap::new(),
            peers: HashMap::new(),
            views: Vec::new(),
        }
    }

    /// The same pool with its failure detector timed by `probe`.
    pub fn with_probe(mut self, probe: ProbeConfig) -> Self {
        self.probe = probe;
        self
    }

    /// Drops the pooled connection to `addr` if it is the one with this id
    /// (a newer one is kept); whether it was.
    fn evict(&mut self, addr: SocketAddr, connection_id: u64) -> bool {
        if self.conns.get(&addr).map(|h| h.id()) != Some(connection_id) {
            return false;
        }
        self.conns.remove(&addr);
        metrics::QUIC_CONNECTIONS
            .with_label_values(&["client"])
            .dec();
        tracing::debug!(peer = %addr, "evicted connection");
        true
    }

    fn dial(&mut self, addr: SocketAddr, ctx: &mut Context<Self>) {
        let client = self.client.clone();
        let (timeout, keep_alive) = (self.cfg.dial_timeout, self.cfg.keep_alive);
        let started = Instant::now();
        let dial = async move { endpoint::connect(&client, addr, timeout, keep_alive).await };
        ctx.spawn(dial.into_actor(self).map(move |result, act, _| {
            let result = result.map_err(|e| e.to_string());
            match &result {
                Ok(handle) => {
                    if act.conns.insert(addr, handle.clone()).is_none() {
                        metrics::QUIC_CONNECTIONS
                            .with_label_values(&["client"])
                            .inc();
                    }
                    act.mark_up(addr);
                }
                Err(e) => act.mark_down(addr, format!("dial failed: {e}"), Some(started)),
            }
            for waiter in act.dialing.remove(&addr).unwrap_or_default() {
                let _ = waiter.send(result.clone());
            }
        }));
    }
}

impl Actor for Pool {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(4096);
        ctx.run_interval(self.probe.interval, |act, ctx| act.tick(ctx));
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        metrics::QUIC_CONNECTIONS
            .with_label_values(&["client"])
            .sub(self.conns.len() as i64);
    }
}

impl Handler<GetConnection> for Pool {
    type Result = ResponseFuture<Result<ConnectionHandle, NetError>>;

    fn handle(&mut self, msg: GetConnection, ctx: &mut Self::Context) -> Self::Result {
        let addr = msg.addr;
        if self.is_down(addr) {
            // Refused at once; a request is a reason to look again soon.
            self.probe(addr, ctx);
            return Box::pin(async move { Err(NetError::PeerDown(addr)) });
        }
        if let Some(handle) = self.conns.get(&addr) {
            metrics::POOL_HITS.inc();
            let handle = handle.clone();
            return Box::pin(async move { Ok(handle) });
        }
        metrics::POOL_MISSES.inc();
        let (tx, rx) = oneshot::channel();
        let first = !self.dialing.contains_key(&addr);
        self.dialing.entry(addr).or_default().push(tx);
        if first {
            self.dial(addr, ctx);
        }
        Box::pin(async move {
            match rx.await {
                Ok(Ok(handle)) => Ok(handle),
                Ok(Err(message)) => Err(NetError::Connection { addr, message }),
                Err(_) => Err(NetError::Connection {
                    addr,
                    message: "pool stopped".into(),
                }),
            }
        })
    }
}

impl Handler<Evict> for Pool {
    type Result = ();

    fn handle(&mut self, msg: Evict, ctx: &mut Self::Context) {
        // A broken connection is not proof the peer is down (a restarted
        // peer resets its predecessor's): find out by dialing.
        if self.evict(msg.addr, msg.connection_id) {
            self.probe(msg.addr, ctx);
        }
    }
}

impl Handler<PooledConnections> for Pool {
    type Result = usize;

    fn handle(&mut self, _: PooledConnections, _: &mut Self::Context) -> usize {
        self.conns.len()
    }
}

/// A connection error names its peer (one a stream reports does not).
fn with_peer(addr: SocketAddr, e: NetError) -> NetError {
    match e {
        NetError::Connection { addr: a, message } if a.ip().is_unspecified() => {
            NetError::Connection { addr, message }
        }
        e => e,
    }
}

/// A message that failed.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct MessageFailure {
    /// What went wrong.
    pub error: NetError,
    /// Whether the peer may have received and acted on the message
    /// (`false`: it certainly did not, so sending it again is safe).
    pub maybe_delivered: bool,
}

/// Shard RPCs to peers through the pool; cheap to clone.
#[derive(Clone)]
pub struct PeerClient {
    pool: Addr<Pool>,
    rpc_timeout: Duration,
    health: PeerHealth,
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
    pub fn is_up(&self, addr: SocketAddr) -> bool {
        self.health.is_up(addr)
    }

    /// When `addr` was marked down; `None` when it is up or unknown.
    pub fn down_since(&self, addr: SocketAddr) -> Option<Instant> {
        self.health.down_since(addr)
    }

    /// Watches `peers` from now on: each is probed in the background even
    /// without traffic (a dead one is marked down within about two
    /// heartbeats), and has a `predastore_peer_up{node}` value at once (1
    /// until proven down). Watching a peer again changes nothing.
    pub fn watch(&self, peers: Vec<SocketAddr>) {
        self.pool.do_send(Watch { peers });
    }

    /// Tells the pool a call on connection `connection_id` to `addr`,
    /// begun at `started`, failed with `e`: a timeout marks the peer down
    /// (closing the connection) unless it answered since; a connection that
    /// failed or timed out is evicted.
    fn report(&self, addr: SocketAddr, connection_id: u64, started: Instant, e: &NetError) {
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

    async fn connection(&self, addr: SocketAddr) -> Result<ConnectionHandle, NetError> {
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
    async fn run<T, F, Fut>(
        &self,
        addr: SocketAddr,
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
    async fn open(&self, addr: SocketAddr) -> Result<(rpc::OpenStream, u64, Instant), NetError> {
        let idle = self.idle();
        let started = Instant::now();
        self.run(addr, true, |mut conn| async move {
            let id = conn.id();
            rpc::open(&mut conn, idle).await.map(|s| (s, id, started))
        })
        .await
    }

    /// Reports the failure of a call on an opened stream to the pool.
    fn report_result<T>(
        &self,
        addr: SocketAddr,
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
        addr: SocketAddr,
        key: ShardKey,
        len: u64,
        body: S,
    ) -> Result<u32, NetError>
    where
        S: Stream<Item = Result<Bytes, NetError>>,
    {
        let (stream, id, started) = self.open(addr).await?;
        let result = rpc::put_shard(stream, key, len, body)
            .await
            .map_err(|e| with_peer(addr, e));
        self.report_result(addr, id, started, &result);
        result
    }

    /// Sends a message to `addr`'s `channel` service; its reply. The
    /// failure says whether the peer may have acted on the message.
    pub async fn message(
        &self,
        addr: SocketAddr,
        channel: Channel,
        body: Bytes,
    ) -> Result<Bytes, MessageFailure> {
        let (stream, id, started) = self.open(addr).await.map_err(|error| MessageFailure {
            error,
            maybe_delivered: false,
        })?;
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

    fn idle(&self) -> Idle {
        Idle(self.rpc_timeout)
    }

    /// Starts reading a shard (or a range of it) from `addr`. Each later
    /// chunk must arrive within the RPC timeout.
    pub async fn get_shard(
        &self,
        addr: SocketAddr,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> Result<Body, NetError> {
        let idle = self.idle();
        self.run(addr, true, |mut conn| {
            let range = range.clone();
            async move { rpc::get_shard(&mut conn, key, range, idle).await }
        })
        .await
    }

    /// Deletes a shard on `addr`; whether it existed.
    pub async fn delete_shard(&self, addr: SocketAddr, key: ShardKey) -> Result<bool, NetError> {
        let idle = self.idle();
        self.run(addr, true, |mut conn| async move {
            rpc::delete_shard(&mut conn, key, idle).await
        })
        .await
    }

    /// Whether `addr` answers.
    pub async fn health(&self, addr: SocketAddr) -> Result<(), NetError> {
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
