//! The failure detector against real in-process QUIC endpoints on
//! loopback: a client pool here, a server started (and killed) on a
//! runtime of its own.

use std::net::UdpSocket;

use crate::net::PeerAddr;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytes::Bytes;

use super::*;
use crate::actors::core::pool::health::ProbeConfig;
use crate::actors::core::pool::messages::MarkDown;
use crate::metrics;
use crate::net::endpoint::{self, EndpointRuntime, QuicSettings};
use crate::net::rpc::Idle;
use crate::net::server::{self, Services};
use crate::net::tls::ClusterCa;
use crate::net::{Channel, NetError};
use crate::storage::ShardKey;

const DIAL_TIMEOUT: Duration = Duration::from_millis(400);
/// Long, so that a call which waited it out stands apart from one the
/// detector cut short even on a loaded machine.
const RPC_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a test waits for the detector to notice a change before it
/// fails (it takes well under a second; CI machines can stall).
const PATIENCE: Duration = Duration::from_secs(10);

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A cluster CA, a client pool with a fast detector, and its runtime.
struct Harness {
    ca: ClusterCa,
    peers: PeerClient,
    _rt: EndpointRuntime,
}

impl Harness {
    fn new() -> Result<Self, NetError> {
        Self::with_probe(ProbeConfig {
            interval: Duration::from_millis(100),
            heartbeat_timeout: Duration::from_millis(300),
            misses: 2,
            dial_timeout: Duration::from_millis(300),
            forget_unwatched_after: Duration::from_secs(1),
        })
    }

    /// The same with the failure detector timed by `probe`.
    fn with_probe(probe: ProbeConfig) -> Result<Self, NetError> {
        let ca = ClusterCa::generate()?;
        let rt = endpoint::runtime(1)?;
        let client = endpoint::start_client(
            rt.handle(),
            ([127, 0, 0, 1], 0).into(),
            &ca.node_material()?,
            &QuicSettings::default(),
        )?;
        let cfg = PoolConfig {
            dial_timeout: DIAL_TIMEOUT,
            rpc_timeout: RPC_TIMEOUT,
            keep_alive: true,
        };
        let pool = Pool::new(client, cfg).with_probe(probe).start();
        Ok(Self {
            ca,
            peers: PeerClient::new(pool, RPC_TIMEOUT),
            _rt: rt,
        })
    }

    /// A node answering `health` on `addr`, on a runtime of its own:
    /// dropping the runtime kills it as SIGKILL would (no goodbye).
    fn serve(&self, addr: PeerAddr) -> Result<EndpointRuntime, NetError> {
        self.serve_with(addr, Services::default())
    }

    /// [`serve`](Self::serve) with `services` besides `health`.
    fn serve_with(&self, addr: PeerAddr, services: Services) -> Result<EndpointRuntime, NetError> {
        let rt = endpoint::runtime(1)?;
        let bind = addr
            .as_socket()
            .ok_or_else(|| NetError::Endpoint(format!("{addr} is no IP address")))?;
        let server = endpoint::start_server(
            rt.handle(),
            bind,
            &self.ca.node_material()?,
            &QuicSettings::default(),
            rand::random(),
        )?;
        server::serve(server, services, rt.handle(), Idle(Duration::from_secs(1)));
        Ok(rt)
    }

    /// Waits until `addr` is up (`true`) or down (`false`) in the
    /// client's view; whether it got there in time.
    async fn until_up(&self, addr: PeerAddr, up: bool) -> bool {
        let deadline = Instant::now() + PATIENCE;
        while self.peers.is_up(addr) != up {
            if Instant::now() >= deadline {
                return false;
            }
            actix_rt::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}

/// A loopback address nothing listens on (yet).
fn free_addr() -> Result<PeerAddr, std::io::Error> {
    Ok(UdpSocket::bind("127.0.0.1:0")?.local_addr()?.into())
}

fn peer_up(addr: PeerAddr) -> i64 {
    metrics::PEER_UP
        .with_label_values(&[&addr.to_string()])
        .get()
}

fn key() -> ShardKey {
    ShardKey {
        object: crate::storage::ObjectId(7),
        part: 0,
        shard: 0,
    }
}

#[actix_rt::test]
async fn a_peer_not_listening_is_marked_down_and_then_refused_at_once() -> TestResult {
    let h = Harness::new()?;
    let addr = free_addr()?;
    assert!(h.peers.is_up(addr), "an unknown peer counts as up");
    assert_eq!(h.peers.down_since(addr), None);

    // The first call dials and fails within the dial timeout.
    let first = h.peers.health(addr).await;
    assert!(
        matches!(first, Err(NetError::Connection { .. })),
        "{first:?}"
    );
    assert!(!h.peers.is_up(addr), "a failed dial marks the peer down");
    let since = h.peers.down_since(addr).ok_or("no down_since")?;
    assert!(since.elapsed() < PATIENCE);
    assert_eq!(peer_up(addr), 0);

    // Every later call fails at once, without a dial.
    let misses = metrics::POOL_MISSES.get();
    let second = h.peers.health(addr).await;
    assert!(
        matches!(second, Err(NetError::PeerDown(a)) if a == addr),
        "{second:?}"
    );
    let got = h.peers.get_shard(addr, key(), None).await;
    assert!(matches!(got, Err(NetError::PeerDown(_))));
    let deleted = h.peers.delete_shard(addr, key()).await;
    assert!(matches!(deleted, Err(NetError::PeerDown(_))));
    let sent = h.peers.message(addr, Channel::Raft, Bytes::new()).await;
    assert!(
        matches!(&sent, Err(f) if matches!(f.error, NetError::PeerDown(_)) && !f.maybe_delivered),
        "{sent:?}"
    );
    assert_eq!(metrics::POOL_MISSES.get(), misses, "a down peer was dialed");
    assert_eq!(
        h.peers.down_since(addr),
        Some(since),
        "down since the first failure"
    );
    Ok(())
}

#[actix_rt::test]
async fn a_watched_peer_that_starts_listening_later_is_marked_up_by_the_probe() -> TestResult {
    let h = Harness::new()?;
    let addr = free_addr()?;
    h.peers.watch(vec![addr]);
    // A round trip through the pool: the watch has been handled.
    h.peers.pooled().await;
    assert_eq!(peer_up(addr), 1, "a watched peer is up until proven down");

    // Nothing listens: the probe's dial fails, with no traffic at all.
    assert!(h.until_up(addr, false).await, "an absent peer stays up");
    assert_eq!(peer_up(addr), 0);

    let _node = h.serve(addr)?;
    assert!(
        h.until_up(addr, true).await,
        "the probe did not find the peer"
    );
    assert_eq!(peer_up(addr), 1);
    assert_eq!(h.peers.down_since(addr), None);
    h.peers.health(addr).await?;
    Ok(())
}

#[actix_rt::test]
async fn a_killed_peer_is_found_by_heartbeats_and_calls_on_its_connection_fail_at_once(
) -> TestResult {
    let h = Harness::new()?;
    let addr = free_addr()?;
    let node = h.serve(addr)?;
    h.peers.watch(vec![addr]);
    h.peers.health(addr).await?;
    assert_eq!(h.peers.pooled().await, 1);

    // Killed: no answer, no goodbye. A call already on its way would wait
    // out the RPC timeout; the heartbeats mark the peer down first and
    // close the connection under the call. (Dropping the runtime alone
    // lets its thread answer one more call on a busy machine.)
    std::thread::spawn(move || node.stop_now())
        .join()
        .map_err(|_| "stopping the node panicked")?;
    let started = Instant::now();
    let r = h.peers.health(addr).await;
    let took = started.elapsed();
    assert!(r.is_err(), "a killed peer answered");
    // Cut short by the heartbeats, not by its own RPC timeout.
    assert!(
        !matches!(r, Err(NetError::Timeout(_))),
        "the call waited {took:?}: {r:?}"
    );
    assert!(
        h.until_up(addr, false).await,
        "the call failed ({r:?}) but the peer is not held down"
    );
    assert_eq!(peer_up(addr), 0);
    assert_eq!(
        h.peers.pooled().await,
        0,
        "the dead connection is still pooled"
    );

    // Back on the same address: found again, and calls go through.
    let _node = h.serve(addr)?;
    assert!(
        h.until_up(addr, true).await,
        "the restarted peer stays down"
    );
    assert_eq!(peer_up(addr), 1);
    h.peers.health(addr).await?;
    Ok(())
}

/// Answers every message after a pause, as a busy member does.
struct SlowAnswer(Duration);

impl crate::net::server::MessageService for SlowAnswer {
    fn call(
        &self,
        body: Bytes,
    ) -> futures::future::BoxFuture<'static, Result<Bytes, crate::net::service::ServiceError>> {
        let pause = self.0;
        Box::pin(async move {
            tokio::time::sleep(pause).await;
            Ok(body)
        })
    }
}

#[actix_rt::test]
async fn a_callers_short_wait_does_not_mark_a_slow_peer_down() -> TestResult {
    let h = Harness::new()?;
    let addr = free_addr()?;
    let _node = h.serve_with(
        addr,
        Services {
            raft: Some(std::sync::Arc::new(SlowAnswer(Duration::from_millis(300)))),
            ..Services::default()
        },
    )?;
    h.peers.health(addr).await?;

    // A Raft heartbeat waits 50 ms; the member answers in 300. The call
    // is the caller's to drop: it goes on, and the peer stays up, with
    // its connection (a shard transfer on it would have failed).
    let body = Bytes::from_static(b"append");
    let reply = h
        .peers
        .message_waiting(addr, Channel::Raft, body.clone(), Duration::from_millis(50))
        .await
        .map_err(|f| f.error)?;
    assert_eq!(reply, body);
    h.peers.pooled().await;
    assert!(h.peers.is_up(addr), "a slow answer marked the peer down");
    assert_eq!(h.peers.pooled().await, 1, "the connection was closed");
    Ok(())
}

#[actix_rt::test]
async fn a_timeout_older_than_the_peers_last_answer_does_not_mark_it_down() -> TestResult {
    let h = Harness::new()?;
    let addr = free_addr()?;
    let before = Instant::now();
    assert!(h.peers.health(addr).await.is_err());
    assert!(!h.peers.is_up(addr));
    let _node = h.serve(addr)?;
    assert!(
        h.until_up(addr, true).await,
        "the probe did not find the peer"
    );

    // A request that began while it was down reports its timeout late.
    h.peers.pool.do_send(MarkDown {
        addr,
        reason: "stale".into(),
        since: before,
    });
    h.peers.pooled().await;
    assert!(h.peers.is_up(addr), "stale evidence marked the peer down");

    // A fresh one counts: down at once, and found again by the probe.
    h.peers.pool.do_send(MarkDown {
        addr,
        reason: "request timed out".into(),
        since: Instant::now(),
    });
    h.peers.pooled().await;
    assert!(!h.peers.is_up(addr));
    assert!(
        h.until_up(addr, true).await,
        "the probe did not find the peer"
    );
    Ok(())
}

#[actix_rt::test]
async fn a_down_peer_dialed_now_is_up_before_the_next_probe() -> TestResult {
    // Probes far apart: only the dial asked for can find the peer.
    let h = Harness::with_probe(ProbeConfig {
        interval: Duration::from_secs(3600),
        ..ProbeConfig::default()
    })?;
    let addr = free_addr()?;
    assert!(h.peers.health(addr).await.is_err());
    assert!(!h.peers.is_up(addr));

    // Nothing there yet: the dial fails, the peer stays down.
    assert!(!h.peers.dial_now(addr, Duration::from_millis(200)).await);
    assert!(!h.peers.is_up(addr), "a failed dial marked the peer up");

    // Back: the dial finds it at once, and calls go through.
    let _node = h.serve(addr)?;
    assert!(
        h.peers.dial_now(addr, DIAL_TIMEOUT).await,
        "a listening peer did not answer a dial"
    );
    assert!(h.peers.is_up(addr), "an answered dial left the peer down");
    assert_eq!(peer_up(addr), 1);
    assert_eq!(
        h.peers.pooled().await,
        1,
        "the dialed connection is not pooled"
    );
    h.peers.health(addr).await?;
    // Up already: nothing to dial.
    assert!(h.peers.dial_now(addr, Duration::from_millis(1)).await);
    Ok(())
}

#[actix_rt::test]
async fn a_peer_nobody_watches_is_forgotten_once_down_a_while_a_watched_one_is_not() -> TestResult {
    let h = Harness::new()?;
    let (lost, kept) = (free_addr()?, free_addr()?);
    h.peers.watch(vec![kept]);
    assert!(h.peers.health(lost).await.is_err());
    let deadline = Instant::now() + PATIENCE;
    while h.peers.down_since(kept).is_none() {
        assert!(
            Instant::now() < deadline,
            "the watched peer never went down"
        );
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        h.peers.down_since(lost).is_some(),
        "a failed call left the peer up"
    );
    while h.peers.down_since(lost).is_some() {
        assert!(
            Instant::now() < deadline,
            "the unwatched peer was never forgotten"
        );
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        h.peers.down_since(kept).is_some(),
        "the watched peer was forgotten"
    );
    let exported = metrics::render();
    assert!(
        !exported.contains(&format!("\"{lost}\"")),
        "{lost}'s gauge is still exported"
    );
    assert!(
        exported.contains(&format!("\"{kept}\"")),
        "{kept}'s gauge is gone"
    );
    Ok(())
}
