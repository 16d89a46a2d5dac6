//! The pool's failure detector: which peers are down, and the background
//! probe that finds out when they are up again.
//!
//! A peer is marked down when a dial to it fails, when a request to it
//! times out (unless the peer answered after that request began), or when
//! a watched peer misses [`ProbeConfig::misses`] heartbeats in a row; its pooled connection is closed then, so requests
//! in flight on it fail at once. While it is down every request to it
//! fails at once with [`NetError::PeerDown`]. Every
//! [`ProbeConfig::interval`] the pool dials each down peer and asks it for
//! `health`; an answer marks it up. Watched peers that are up get a
//! heartbeat (a `health` call on the pooled connection) at the same pace.
//! A connection that breaks (the peer restarted and reset it, say) is not
//! by itself proof that the peer is down: it is dropped and the peer is
//! probed at once, and only a failed dial marks it down.
//!
//! A caller that cannot do without a down peer (a read short of shards)
//! may ask for a dial now, bounded by a short timeout of its own
//! ([`DialNow`]), rather than fail at once or wait for the next probe: a
//! peer restarted a moment ago answers such a dial well before the
//! detector's own dial (begun while it was still dead) gives up. A dial
//! that completes marks the peer up; one that fails changes nothing.
//!
//! State changes are logged once (WARN down, INFO up; INFO for a peer not
//! reached yet since this process started, as members start in any order)
//! and exported as `predastore_peer_up{node}`; nothing is logged per probe.

use crate::net::PeerAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use s2n_quic::connection::Handle as ConnectionHandle;
use tokio::sync::oneshot;

use super::actor::Pool;
use super::health::{DownMap, PeerHealth};
use super::messages::{AttachHealth, DialNow, MarkDown, Watch};
use crate::metrics;
use crate::net::rpc::{self, Idle};
use crate::net::{endpoint, NetError};

/// Application error code a connection is closed with when its peer is
/// marked down.
const CLOSE_PEER_DOWN: u32 = 2;

/// The outcome of one probe.
enum Probe {
    /// It answered; a connection the probe dialed, to pool.
    Alive(Option<ConnectionHandle>),
    /// The pooled connection broke: drop it and dial.
    Broken { connection_id: u64, reason: String },
    /// The dial, begun then, failed.
    Unreachable(Instant, String),
    /// No (good) answer to `health` in time.
    Missed(String),
}

fn peer_up_gauge(addr: PeerAddr) -> prometheus::IntGauge {
    metrics::PEER_UP.with_label_values(&[&addr.to_string()])
}

impl Pool {
    /// Whether the pool holds `addr` down.
    pub(super) fn is_down(&self, addr: PeerAddr) -> bool {
        self.peers.get(&addr).is_some_and(|p| p.down.is_some())
    }

    /// One probe round: every down peer and every watched one. A peer
    /// nobody watches that stayed down for the probe config's
    /// `forget_unwatched_after` is forgotten instead of probed for ever.
    pub(super) fn tick(&mut self, ctx: &mut Context<Self>) {
        let gone: Vec<PeerAddr> = self
            .peers
            .iter()
            .filter(|(_, p)| !p.watched && !p.probing)
            .filter(|(_, p)| {
                p.down
                    .is_some_and(|d| d.elapsed() >= self.probe.forget_unwatched_after)
            })
            .map(|(addr, _)| *addr)
            .collect();
        for addr in &gone {
            self.peers.remove(addr);
            let _ = metrics::PEER_UP.remove_label_values(&[&addr.to_string()]);
            tracing::info!(peer = %addr, "a peer nobody watches stayed down: forgotten");
        }
        if !gone.is_empty() {
            self.publish();
        }
        let due: Vec<PeerAddr> = self
            .peers
            .iter()
            .filter(|(_, p)| !p.probing && (p.down.is_some() || p.watched))
            .map(|(addr, _)| *addr)
            .collect();
        for addr in due {
            self.probe(addr, ctx);
        }
    }

    /// Probes `addr` unless a probe of it (or a request's dial, which
    /// decides as well) is under way: a heartbeat on the pooled
    /// connection, or a dial and a heartbeat.
    pub(super) fn probe(&mut self, addr: PeerAddr, ctx: &mut Context<Self>) {
        let down = self.is_down(addr);
        let pooled = if down {
            None
        } else {
            self.conns.get(&addr).cloned()
        };
        if pooled.is_none() && self.dialing.contains_key(&addr) {
            return;
        }
        let entry = self.peers.entry(addr).or_default();
        if entry.probing {
            return;
        }
        entry.probing = true;
        let client = self.client.clone();
        let keep_alive = self.cfg.keep_alive;
        let dial_timeout = self.probe.dial_timeout.min(self.cfg.dial_timeout);
        let hb = self.probe.heartbeat_timeout;
        let started = Instant::now();
        let probe = async move {
            let (mut conn, fresh) = match pooled {
                Some(conn) => (conn, false),
                None => match endpoint::connect(&client, addr, dial_timeout, keep_alive).await {
                    Ok(conn) => (conn, true),
                    Err(e) => return Probe::Unreachable(started, format!("dial failed: {e}")),
                },
            };
            let connection_id = conn.id();
            match tokio::time::timeout(hb, rpc::health(&mut conn, Idle(hb))).await {
                // An error answer is an answer: the peer is there.
                Ok(Ok(())) | Ok(Err(NetError::Remote { .. })) => {
                    Probe::Alive(fresh.then_some(conn))
                }
                Ok(Err(e @ NetError::Connection { .. })) if !fresh => Probe::Broken {
                    connection_id,
                    reason: e.to_string(),
                },
                Ok(Err(e)) => Probe::Missed(e.to_string()),
                Err(_) => Probe::Missed(format!("no answer to a health check within {hb:?}")),
            }
        };
        ctx.spawn(
            probe
                .into_actor(self)
                .map(move |outcome, act, ctx| act.probed(addr, outcome, ctx)),
        );
    }

    fn probed(&mut self, addr: PeerAddr, outcome: Probe, ctx: &mut Context<Self>) {
        let Some(entry) = self.peers.get_mut(&addr) else {
            return;
        };
        entry.probing = false;
        match outcome {
            Probe::Alive(conn) => {
                entry.misses = 0;
                if let Some(conn) = conn {
                    self.pool_connection(addr, conn);
                }
                self.mark_up(addr);
            }
            Probe::Broken {
                connection_id,
                reason,
            } => {
                tracing::debug!(peer = %addr, %reason, "pooled connection broke; probing anew");
                self.evict(addr, connection_id);
                self.probe(addr, ctx);
            }
            Probe::Unreachable(started, reason) => self.mark_down(addr, reason, Some(started)),
            Probe::Missed(reason) => {
                if entry.down.is_some() {
                    return;
                }
                entry.misses += 1;
                if entry.misses >= self.probe.misses {
                    let reason = format!("{} heartbeats missed ({reason})", entry.misses);
                    self.mark_down(addr, reason, None);
                } else {
                    // Ask again at once: a dead peer is found within
                    // `misses` heartbeat timeouts, not probe intervals.
                    self.probe(addr, ctx);
                }
            }
        }
    }

    /// Keeps a connection a probe dialed, unless one is pooled already.
    fn pool_connection(&mut self, addr: PeerAddr, conn: ConnectionHandle) {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.conns.entry(addr) {
            slot.insert(conn);
            metrics::QUIC_CONNECTIONS
                .with_label_values(&["client"])
                .inc();
        }
    }

    /// Marks `addr` down: logged once, its connection closed (requests in
    /// flight on it fail now), every request refused until a probe marks
    /// it up. Evidence from a dial or request that began (`since`) before
    /// the peer last answered is stale and ignored: a dial that raced a
    /// restart, or one slow request to a peer that answers heartbeats.
    pub(super) fn mark_down(&mut self, addr: PeerAddr, reason: String, since: Option<Instant>) {
        let entry = self.peers.entry(addr).or_default();
        if entry.down.is_some() {
            return;
        }
        if let (Some(since), Some(alive)) = (since, entry.alive_at) {
            if alive > since {
                tracing::debug!(peer = %addr, %reason, "ignoring a failure older than the peer's last answer");
                return;
            }
        }
        entry.down = Some(Instant::now());
        entry.misses = 0;
        if let Some(conn) = self.conns.remove(&addr) {
            conn.close(CLOSE_PEER_DOWN.into());
            metrics::QUIC_CONNECTIONS
                .with_label_values(&["client"])
                .dec();
        }
        peer_up_gauge(addr).set(0);
        if entry.alive_at.is_some() {
            tracing::warn!(peer = %addr, %reason, "peer down");
        } else {
            // Members start in any order: one not up yet is no alarm.
            tracing::info!(peer = %addr, %reason, "peer not reachable yet");
        }
        self.publish();
    }

    /// Marks `addr` up (it answered); logged if it was down.
    pub(super) fn mark_up(&mut self, addr: PeerAddr) {
        let entry = self.peers.entry(addr).or_default();
        entry.misses = 0;
        entry.alive_at = Some(Instant::now());
        peer_up_gauge(addr).set(1);
        if let Some(since) = entry.down.take() {
            tracing::info!(peer = %addr, down_for = ?since.elapsed(), "peer up again");
            self.publish();
        }
    }

    /// Writes the set of down peers into every live [`PeerHealth`] view.
    fn publish(&mut self) {
        let down: DownMap = self
            .peers
            .iter()
            .filter_map(|(addr, p)| p.down.map(|since| (*addr, since)))
            .collect();
        self.views.retain(|view| match view.upgrade() {
            Some(lock) => {
                PeerHealth::set(&lock, down.clone());
                true
            }
            None => false,
        });
    }

    /// Dials down peer `addr` now within `timeout` (joining such a dial
    /// under way); `tx` hears whether it answered.
    fn dial_now(
        &mut self,
        addr: PeerAddr,
        timeout: Duration,
        tx: oneshot::Sender<bool>,
        ctx: &mut Context<Self>,
    ) {
        let waiters = self.dialing_now.entry(addr).or_default();
        waiters.push(tx);
        if waiters.len() > 1 {
            return;
        }
        let client = self.client.clone();
        let keep_alive = self.cfg.keep_alive;
        let timeout = timeout.min(self.cfg.dial_timeout);
        let dial = async move { endpoint::connect(&client, addr, timeout, keep_alive).await };
        ctx.spawn(dial.into_actor(self).map(move |result, act, _| {
            let up = match result {
                Ok(conn) => {
                    act.pool_connection(addr, conn);
                    act.mark_up(addr);
                    true
                }
                // Still down, as the detector holds: nothing to change.
                Err(e) => {
                    tracing::debug!(peer = %addr, error = %e, "dial of a down peer failed");
                    false
                }
            };
            for waiter in act.dialing_now.remove(&addr).unwrap_or_default() {
                let _ = waiter.send(up);
            }
        }));
    }

    pub(super) fn attach(&mut self, health: &PeerHealth) {
        self.views.push(Arc::downgrade(&health.down));
        self.publish();
    }
}

impl Handler<Watch> for Pool {
    type Result = ();

    fn handle(&mut self, msg: Watch, ctx: &mut Self::Context) {
        for addr in msg.peers {
            let entry = self.peers.entry(addr).or_default();
            entry.watched = true;
            if entry.down.is_none() {
                peer_up_gauge(addr).set(1);
            }
            self.probe(addr, ctx);
        }
    }
}

impl Handler<DialNow> for Pool {
    type Result = ResponseFuture<bool>;

    fn handle(&mut self, msg: DialNow, ctx: &mut Self::Context) -> Self::Result {
        if !self.is_down(msg.addr) {
            return Box::pin(async { true });
        }
        let (tx, rx) = oneshot::channel();
        self.dial_now(msg.addr, msg.timeout, tx, ctx);
        Box::pin(async move { rx.await.unwrap_or(false) })
    }
}

impl Handler<MarkDown> for Pool {
    type Result = ();

    fn handle(&mut self, msg: MarkDown, _: &mut Self::Context) {
        self.mark_down(msg.addr, msg.reason, Some(msg.since));
    }
}

impl Handler<AttachHealth> for Pool {
    type Result = ();

    fn handle(&mut self, msg: AttachHealth, _: &mut Self::Context) {
        self.attach(&msg.0);
    }
}
