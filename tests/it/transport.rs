//! The cluster transport between real processes: a storage node started
//! as `predastore` (role `storage`) on its own 127.0.0.2x address, and this
//! test as the client through the connection pool (two such nodes for a
//! copy between them).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytes::Bytes;
use futures::StreamExt;

use crate::common::damage::corrupt_segments;
use crate::common::node::{NodeProcess, NodeTls};
use crate::common::serial;
use crate::common::shards::{new_key, random_bytes, rng};
use predastore::metrics;
use predastore::shards::ShardKey;
use predastore::transport::endpoint::{self, QuicSettings};
use predastore::transport::tls::{init_cluster_dir, TlsMaterial};
use predastore::transport::{ErrorKind, NetError, PeerAddr};
use predastore::transport::{PeerClient, Pool, PoolConfig};

/// 127.0.0.`last`; each test's node has its own, in 127.0.0.22–29 (see
/// `common`).
fn ip(last: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, last])
}

/// A cluster CA with node identities in a temp dir.
struct Certs {
    dir: tempfile::TempDir,
}

impl Certs {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        init_cluster_dir(dir.path(), 3, &[]).expect("certs");
        Self { dir }
    }

    fn node(&self, i: usize) -> NodeTls {
        NodeTls::in_dir(self.dir.path(), i)
    }

    fn material(&self, i: usize) -> TlsMaterial {
        let n = self.node(i);
        TlsMaterial::load(&n.ca, &n.cert, &n.key).expect("load tls")
    }
}

/// The client side: its own QUIC runtime, a pool, a peer client.
struct Client {
    rt: endpoint::EndpointRuntime,
    peers: PeerClient,
}

impl Client {
    fn new(tls: &TlsMaterial, rpc_timeout: Duration) -> Self {
        let rt = endpoint::runtime(1).expect("runtime");
        let quic = endpoint::start_client(
            rt.handle(),
            ([127, 0, 0, 1], 0).into(),
            tls,
            &QuicSettings::default(),
        )
        .expect("client");
        let cfg = PoolConfig {
            dial_timeout: Duration::from_secs(2),
            rpc_timeout,
            keep_alive: true,
        };
        let pool = Pool::new(quic, cfg).start();
        Self {
            rt,
            peers: PeerClient::new(pool, rpc_timeout),
        }
    }
}

fn body(data: &[u8]) -> impl futures::Stream<Item = Result<Bytes, NetError>> {
    let data = Bytes::copy_from_slice(data);
    let pieces: Vec<Result<Bytes, NetError>> = (0..data.len())
        .step_by(16 << 10)
        .map(|i| Ok(data.slice(i..(i + (16 << 10)).min(data.len()))))
        .collect();
    futures::stream::iter(pieces)
}

async fn read_all(mut b: predastore::transport::Body) -> Result<Vec<u8>, NetError> {
    let mut out = Vec::new();
    while let Some(chunk) = b.next_chunk().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// The node's open server streams, once they drop to zero (or 10 s pass).
async fn server_streams_open(node: &NodeProcess) -> Option<f64> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let open = node.metric("predastore_quic_streams_open{side=\"server\"}");
        if open == Some(0.0) || Instant::now() >= deadline {
            return open;
        }
        actix_rt::time::sleep(Duration::from_millis(50)).await;
    }
}

fn client_streams_open() -> i64 {
    metrics::QUIC_STREAMS_OPEN
        .with_label_values(&["client"])
        .get()
}

#[actix_rt::test]
async fn ten_thousand_requests_on_one_connection_leak_no_stream() -> Result<(), NetError> {
    // Reads this process's pool and stream metrics.
    let _serial = serial::process_metrics().await;
    let certs = Certs::new();
    let data_dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(ip(22), data_dir.path(), certs.node(0), &[]);
    let client = Client::new(&certs.material(2), Duration::from_secs(10));
    let peer: PeerAddr = node.quic.into();
    let misses_before = metrics::POOL_MISSES.get();

    // 10,000 requests, 64 at a time: puts, gets (whole and ranged),
    // deletes and health checks, all on the one pooled connection.
    let mut rng = rng(1);
    let shards: Vec<_> = (0..500)
        .map(|i| (new_key(i), random_bytes(&mut rng, 4096 + i as usize)))
        .collect();
    let puts = futures::stream::iter(shards.iter().map(|(k, d)| {
        let peers = client.peers.clone();
        async move {
            peers
                .put_shard(peer, *k, d.len() as u64, body(d))
                .await
                .map(|crc| (crc, crc32c::crc32c(d)))
        }
    }))
    .buffer_unordered(64)
    .collect::<Vec<_>>()
    .await;
    for r in puts {
        let (got, want) = r?;
        assert_eq!(got, want);
    }
    let others = futures::stream::iter((0..9_500usize).map(|i| {
        let peers = client.peers.clone();
        let (key, data) = shards[i % shards.len()].clone();
        async move {
            match i % 4 {
                0 => peers.health(peer).await,
                1 => {
                    let got = read_all(peers.get_shard(peer, key, None).await?).await?;
                    assert!(got == data, "whole read of {key}");
                    Ok(())
                }
                2 => {
                    let got = read_all(peers.get_shard(peer, key, Some(10..1000)).await?).await?;
                    assert!(got == data[10..1000], "ranged read of {key}");
                    Ok(())
                }
                _ => {
                    let missing = peers.get_shard(peer, new_key(0), None).await;
                    assert!(matches!(
                        missing,
                        Err(NetError::Remote {
                            kind: ErrorKind::NotFound,
                            ..
                        })
                    ));
                    Ok(())
                }
            }
        }
    }))
    .buffer_unordered(64)
    .collect::<Vec<_>>()
    .await;
    for r in others {
        r?;
    }

    // 1,000 readers that walk away after the first piece of a 4 MiB shard.
    let big = random_bytes(&mut rng, 4 << 20);
    let big_key = new_key(7);
    client
        .peers
        .put_shard(peer, big_key, big.len() as u64, body(&big))
        .await?;
    let dropped = futures::stream::iter((0..1_000).map(|_| {
        let peers = client.peers.clone();
        async move {
            let mut b = peers.get_shard(peer, big_key, None).await?;
            let first = b.next_chunk().await;
            assert!(matches!(first, Some(Ok(ref c)) if !c.is_empty()));
            Ok::<_, NetError>(())
        }
    }))
    .buffer_unordered(64)
    .collect::<Vec<_>>()
    .await;
    for r in dropped {
        r?;
    }
    assert!(client.peers.delete_shard(peer, big_key).await?);
    assert!(!client.peers.delete_shard(peer, big_key).await?);

    assert_eq!(client_streams_open(), 0, "client streams still open");
    assert_eq!(
        server_streams_open(&node).await,
        Some(0.0),
        "server streams still open"
    );
    assert_eq!(client.peers.pooled().await, 1);
    // Only the first wave of 64 found no connection (and waited for the one dial).
    let misses = metrics::POOL_MISSES.get() - misses_before;
    assert!((1..=64).contains(&misses), "{misses} pool misses");
    assert_eq!(
        node.metric("predastore_quic_connections{side=\"server\"}"),
        Some(1.0),
        "everything went over one connection"
    );
    let served = node
        .metric("predastore_quic_streams_total{side=\"server\"}")
        .unwrap_or(0.0);
    assert!(served >= 11_000.0, "server saw {served} streams");
    Ok(())
}

#[actix_rt::test]
async fn a_restarted_peer_is_reconnected_without_hanging() -> Result<(), NetError> {
    let _serial = serial::process_metrics().await;
    let certs = Certs::new();
    let data_dir = tempfile::tempdir().expect("tempdir");
    let mut node = NodeProcess::start(ip(23), data_dir.path(), certs.node(0), &[]);
    let client = Client::new(&certs.material(2), Duration::from_secs(10));
    let key = new_key(1);
    let data = random_bytes(&mut rng(2), 10_000);
    client
        .peers
        .put_shard(node.quic.into(), key, data.len() as u64, body(&data))
        .await?;
    let misses = metrics::POOL_MISSES.get();

    node.restart();
    let started = Instant::now();
    let got = read_all(client.peers.get_shard(node.quic.into(), key, None).await?).await?;
    assert!(got == data, "the acknowledged shard survives the restart");
    println!(
        "RESULT read_after_peer_restart_ms {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    assert!(metrics::POOL_MISSES.get() > misses, "the pool dialed anew");
    client.peers.health(node.quic.into()).await?;
    Ok(())
}

#[actix_rt::test]
async fn a_stopped_peer_fails_within_the_timeout_and_is_evicted() -> Result<(), NetError> {
    let _serial = serial::process_metrics().await;
    let certs = Certs::new();
    let data_dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(ip(24), data_dir.path(), certs.node(0), &[]);
    let timeout = Duration::from_millis(800);
    let client = Client::new(&certs.material(2), timeout);
    client.peers.health(node.quic.into()).await?;
    assert_eq!(client.peers.pooled().await, 1);

    node.signal("STOP");
    let started = Instant::now();
    let r = client.peers.health(node.quic.into()).await;
    let took = started.elapsed();
    assert!(matches!(r, Err(NetError::Timeout(_))), "{r:?}");
    // Ended by the pool's own timeout (the error says so), not by the
    // peer, which never answers; how long that took is a figure.
    println!(
        "RESULT stopped_peer_call_failed_after_ms {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    // Marked down and its connection closed: the next call fails at once,
    // without a dial.
    actix_rt::time::sleep(Duration::from_millis(50)).await;
    assert!(!client.peers.is_up(node.quic.into()));
    assert_eq!(
        client.peers.pooled().await,
        0,
        "the dead connection is still pooled"
    );
    let misses = metrics::POOL_MISSES.get();
    let r = client.peers.health(node.quic.into()).await;
    assert!(matches!(r, Err(NetError::PeerDown(_))), "{r:?}");
    assert_eq!(metrics::POOL_MISSES.get(), misses, "a down peer was dialed");

    // Running again, it is found by the failure detector's probe.
    node.signal("CONT");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !client.peers.is_up(node.quic.into()) {
        assert!(Instant::now() < deadline, "the probe did not find the peer");
        actix_rt::time::sleep(Duration::from_millis(20)).await;
    }
    client.peers.health(node.quic.into()).await?;
    Ok(())
}

#[actix_rt::test]
async fn a_peer_with_a_certificate_from_another_ca_is_refused() -> Result<(), NetError> {
    let _serial = serial::process_metrics().await;
    let certs = Certs::new();
    let strangers = Certs::new();
    let data_dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(ip(25), data_dir.path(), certs.node(0), &[]);

    // A client whose certificate another CA signed (it trusts ours).
    let mut mixed = strangers.material(1);
    mixed.ca_pem = certs.material(1).ca_pem;
    let outsider = Client::new(&mixed, Duration::from_secs(3));
    let r = outsider.peers.health(node.quic.into()).await;
    assert!(r.is_err(), "a foreign client certificate was accepted");

    // A client of the other cluster does not trust our node either.
    let foreign = Client::new(&strangers.material(1), Duration::from_secs(3));
    assert!(
        foreign.peers.health(node.quic.into()).await.is_err(),
        "a foreign server was trusted"
    );

    // A member of the cluster gets in.
    let member = Client::new(&certs.material(1), Duration::from_secs(3));
    member.peers.health(node.quic.into()).await?;
    Ok(())
}

#[actix_rt::test]
async fn garbage_on_a_stream_gets_an_error_and_the_node_goes_on() -> Result<(), NetError> {
    let _serial = serial::process_metrics().await;
    let certs = Certs::new();
    let data_dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(ip(26), data_dir.path(), certs.node(0), &[]);
    let client = Client::new(&certs.material(2), Duration::from_secs(5));
    let rt = client.rt.handle().clone();
    let quic = endpoint::start_client(
        &rt,
        ([127, 0, 0, 1], 0).into(),
        &certs.material(2),
        &QuicSettings::default(),
    )?;
    let mut conn =
        endpoint::connect(&quic, node.quic.into(), Duration::from_secs(2), false).await?;
    let mut rng = rng(3);
    for i in 0..200usize {
        let stream = conn
            .open_bidirectional_stream()
            .await
            .map_err(|e| NetError::Stream(e.to_string()))?;
        let (mut rx, mut tx) = stream.split();
        let mut junk = random_bytes(&mut rng, i % 100);
        if i % 3 == 0 && !junk.is_empty() {
            junk[0] = 1; // a valid version byte, then nonsense
        }
        let _ = tx.send(Bytes::from(junk)).await;
        let _ = tx.finish();
        // An error frame or a closed stream, within a bounded time.
        let answer = tokio::time::timeout(Duration::from_secs(5), async {
            let mut got = Vec::new();
            while let Ok(Some(chunk)) = rx.receive().await {
                got.extend_from_slice(&chunk);
            }
            got
        })
        .await;
        assert!(answer.is_ok(), "request {i}: no answer");
    }
    // Every one of those streams was closed on the node too.
    drop(conn);
    assert_eq!(
        server_streams_open(&node).await,
        Some(0.0),
        "server streams still open after garbage"
    );
    // The node still serves well-formed requests.
    client.peers.health(node.quic.into()).await?;
    let key = new_key(0);
    client
        .peers
        .put_shard(node.quic.into(), key, 3, body(b"abc"))
        .await?;
    assert_eq!(
        read_all(client.peers.get_shard(node.quic.into(), key, None).await?).await?,
        b"abc"
    );
    Ok(())
}

#[actix_rt::test]
async fn abandoned_and_failed_requests_leak_no_stream_and_store_nothing() -> Result<(), NetError> {
    let _serial = serial::process_metrics().await;
    let certs = Certs::new();
    let data_dir = tempfile::tempdir().expect("tempdir");
    let node = NodeProcess::start(ip(27), data_dir.path(), certs.node(0), &[]);
    let client = Client::new(&certs.material(2), Duration::from_secs(5));
    let peer: PeerAddr = node.quic.into();
    let mut rng = rng(4);
    let big = random_bytes(&mut rng, 4 << 20);
    let big_key = new_key(0);
    client
        .peers
        .put_shard(peer, big_key, big.len() as u64, body(&big))
        .await?;
    let chunk = Bytes::from(random_bytes(&mut rng, 16 << 10));

    // PUTs whose caller gives up mid-body, and PUTs whose body fails.
    let mut abandoned = Vec::new();
    for i in 0..600u32 {
        let key = new_key(1);
        abandoned.push(key);
        let first = futures::stream::iter(vec![Ok::<_, NetError>(chunk.clone())]);
        if i % 2 == 0 {
            let stalls = first.chain(futures::stream::pending());
            let put = client.peers.put_shard(peer, key, 1 << 20, stalls);
            assert!(tokio::time::timeout(Duration::from_millis(20), put)
                .await
                .is_err());
        } else {
            let fails = first.chain(futures::stream::iter(vec![Err(NetError::Body(
                "client went away".into(),
            ))]));
            assert!(client
                .peers
                .put_shard(peer, key, 1 << 20, fails)
                .await
                .is_err());
        }
    }
    // GETs dropped before their first chunk.
    for _ in 0..300 {
        drop(client.peers.get_shard(peer, big_key, None).await?);
    }

    assert_eq!(client_streams_open(), 0, "client streams still open");
    assert_eq!(
        server_streams_open(&node).await,
        Some(0.0),
        "server streams still open"
    );
    for key in abandoned {
        let r = client.peers.get_shard(peer, key, None).await;
        assert!(
            matches!(
                r,
                Err(NetError::Remote {
                    kind: ErrorKind::NotFound,
                    ..
                })
            ),
            "cut-short put stored: {:?}",
            r.map(|b| b.len())
        );
    }
    // The connection still carries normal traffic.
    assert_eq!(
        read_all(client.peers.get_shard(peer, big_key, None).await?).await?,
        big
    );
    assert_eq!(client.peers.pooled().await, 1);
    Ok(())
}

/// The node's answer for a shard it must not hold.
async fn assert_not_stored(client: &Client, node: &NodeProcess, key: ShardKey, why: &str) {
    let r = client.peers.get_shard(node.quic.into(), key, None).await;
    assert!(
        matches!(
            r,
            Err(NetError::Remote {
                kind: ErrorKind::NotFound,
                ..
            })
        ),
        "{why}: stored anyway ({:?})",
        r.map(|b| b.len())
    );
}

/// Repair moving a shard between two other nodes has the target read the
/// source itself (`CopyShard`): the target then holds the same bytes under
/// the same CRC. A source that lacks the shard, holds it damaged or is
/// down fails the copy with its reason, and the target stores nothing.
#[actix_rt::test]
async fn a_shard_copied_between_two_nodes_is_whole_or_not_stored() -> Result<(), NetError> {
    let certs = Certs::new();
    let dir_a = tempfile::tempdir().expect("tempdir");
    let dir_b = tempfile::tempdir().expect("tempdir");
    let mut source = NodeProcess::start(ip(28), dir_a.path(), certs.node(0), &[]);
    let target = NodeProcess::start(ip(29), dir_b.path(), certs.node(1), &[]);
    let client = Client::new(&certs.material(2), Duration::from_secs(5));
    let mut rng = rng(5);
    let (key, data) = (new_key(0), random_bytes(&mut rng, 3 << 20));
    let len = data.len() as u64;
    let crc = client
        .peers
        .put_shard(source.quic.into(), key, len, body(&data))
        .await?;
    let copied = client
        .peers
        .copy_shard(target.quic.into(), key, len, source.quic.into())
        .await?;
    assert_eq!(copied, crc, "the copy's CRC32C");
    let back = read_all(
        client
            .peers
            .get_shard(target.quic.into(), key, None)
            .await?,
    )
    .await?;
    assert!(back == data, "the copy reads back other bytes");

    let missing = new_key(1);
    let r = client
        .peers
        .copy_shard(target.quic.into(), missing, 1000, source.quic.into())
        .await;
    assert!(
        matches!(
            r,
            Err(NetError::Remote {
                kind: ErrorKind::NotFound,
                ..
            })
        ),
        "a copy of a shard the source lacks: {r:?}"
    );
    assert_not_stored(&client, &target, missing, "a shard the source lacks").await;

    let (damaged, bytes) = (new_key(2), random_bytes(&mut rng, 2 << 20));
    client
        .peers
        .put_shard(
            source.quic.into(),
            damaged,
            bytes.len() as u64,
            body(&bytes),
        )
        .await?;
    assert!(corrupt_segments(dir_a.path()) > 0, "nothing damaged");
    let r = client
        .peers
        .copy_shard(
            target.quic.into(),
            damaged,
            bytes.len() as u64,
            source.quic.into(),
        )
        .await;
    assert!(r.is_err(), "a damaged shard was copied: {r:?}");
    assert_not_stored(&client, &target, damaged, "a damaged source").await;

    source.kill();
    let r = client
        .peers
        .copy_shard(
            target.quic.into(),
            damaged,
            bytes.len() as u64,
            source.quic.into(),
        )
        .await;
    assert!(
        matches!(
            r,
            Err(NetError::Remote {
                kind: ErrorKind::Unavailable,
                ..
            })
        ),
        "a copy from a node that is down: {r:?}"
    );
    assert_not_stored(&client, &target, damaged, "a source that is down").await;
    // The first copy is still whole, and no stream was left open.
    let back = read_all(
        client
            .peers
            .get_shard(target.quic.into(), key, None)
            .await?,
    )
    .await?;
    assert!(back == data, "the copy changed");
    assert_eq!(
        server_streams_open(&target).await,
        Some(0.0),
        "server streams still open on the target"
    );
    Ok(())
}
