//! The Pool actor: the pooled connections, one per peer, and the dials
//! under way. Its failure detector's half is in `detector`.

use crate::net::PeerAddr;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix::prelude::*;
use s2n_quic::connection::Handle as ConnectionHandle;
use s2n_quic::Client;
use tokio::sync::oneshot;

use super::health::{PeerEntry, ProbeConfig, Views};
use super::messages::{Evict, GetConnection, PooledConnections};
use crate::metrics;
use crate::net::{endpoint, NetError};

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
    /// The QUIC client endpoint every dial goes through.
    pub(super) client: Client,
    /// Dial and RPC timeouts, keep-alive.
    pub(super) cfg: PoolConfig,
    /// The failure detector's timing.
    pub(super) probe: ProbeConfig,
    /// The one live connection per peer, reused by every request.
    pub(super) conns: HashMap<PeerAddr, ConnectionHandle>,
    /// Dials under way, with the requests waiting on each (one dial per
    /// peer however many ask).
    pub(super) dialing: HashMap<PeerAddr, Vec<Waiter>>,
    /// What the failure detector knows of each peer it has met.
    pub(super) peers: HashMap<PeerAddr, PeerEntry>,
    /// The [`PeerHealth`](super::PeerHealth) views it publishes the down
    /// peers to.
    pub(super) views: Views,
    /// Dials of down peers a caller asked for now (see `DialNow`), with
    /// the callers waiting on each (one dial per peer however many ask).
    pub(super) dialing_now: HashMap<PeerAddr, Vec<oneshot::Sender<bool>>>,
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
            dialing_now: HashMap::new(),
        }
    }

    /// The same pool with its failure detector timed by `probe`.
    pub fn with_probe(mut self, probe: ProbeConfig) -> Self {
        self.probe = probe;
        self
    }

    /// Drops the pooled connection to `addr` if it is the one with this id
    /// (a newer one is kept); whether it was.
    pub(super) fn evict(&mut self, addr: PeerAddr, connection_id: u64) -> bool {
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

    pub(super) fn dial(&mut self, addr: PeerAddr, ctx: &mut Context<Self>) {
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
