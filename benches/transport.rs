//! Cluster transport benchmark: one storage node process, this process as
//! the client over one pooled QUIC connection on loopback.
//!
//! `cargo bench --bench transport` prints PutShard and GetShard MB/s for
//! 1 MiB shards (GSO on and off) and 4 KiB GetShard round trips per second
//! at 64 concurrent streams, each also as `RESULT <name> <value> <unit>`.
//! `PREDASTORE_BENCH_SECONDS` sets the small-request run (default 5).

// The helpers shared with the integration tests (`tests/common`) are `pub`
// for the test crates that use them and unwrap as test code does; this
// harness is test code too.
#![allow(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

#[path = "../tests/it/common/node.rs"]
#[allow(dead_code)]
mod node;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use actix::prelude::*;
use bytes::Bytes;
use futures::StreamExt;

use node::{NodeProcess, NodeTls};
use predastore::shards::{ObjectId, ShardKey};
use predastore::transport::endpoint::{self, QuicSettings};
use predastore::transport::tls::{init_cluster_dir, TlsMaterial};
use predastore::transport::{NetError, PeerAddr};
use predastore::transport::{PeerClient, Pool, PoolConfig};

const SHARD: usize = 1 << 20;
const SHARDS: u64 = 1024;

fn result(name: &str, value: f64, unit: &str) {
    println!("RESULT {name} {value:.1} {unit}");
}

fn key(n: u64) -> ShardKey {
    ShardKey {
        object: ObjectId(u128::from(n) | 0xbe7c_0000_0000_0000_0000_0000_0000_0000),
        part: 0,
        shard: 0,
    }
}

async fn drain(mut body: predastore::transport::Body) -> Result<u64, NetError> {
    let mut n = 0;
    while let Some(chunk) = body.next_chunk().await {
        n += chunk?.len() as u64;
    }
    Ok(n)
}

struct Figures {
    put_mb_s: f64,
    get_mb_s: f64,
    small_ops: f64,
}

async fn measure(
    peers: &PeerClient,
    peer: PeerAddr,
    small_for: Duration,
) -> Result<Figures, NetError> {
    let payload = Bytes::from(vec![0x42u8; SHARD]);
    let started = Instant::now();
    let puts = futures::stream::iter((0..SHARDS).map(|i| {
        let (peers, payload) = (peers.clone(), payload.clone());
        async move {
            let chunks: Vec<Result<Bytes, NetError>> = (0..SHARD)
                .step_by(64 << 10)
                .map(|o| Ok(payload.slice(o..o + (64 << 10))))
                .collect();
            peers
                .put_shard(peer, key(i), SHARD as u64, futures::stream::iter(chunks))
                .await
        }
    }))
    .buffer_unordered(8)
    .collect::<Vec<_>>()
    .await;
    for r in puts {
        r?;
    }
    let put_mb_s = (SHARDS as f64 * SHARD as f64) / started.elapsed().as_secs_f64() / 1e6;

    let started = Instant::now();
    let gets = futures::stream::iter((0..SHARDS).map(|i| {
        let peers = peers.clone();
        async move { drain(peers.get_shard(peer, key(i), None).await?).await }
    }))
    .buffer_unordered(8)
    .collect::<Vec<_>>()
    .await;
    let mut bytes = 0;
    for r in gets {
        bytes += r?;
    }
    let get_mb_s = bytes as f64 / started.elapsed().as_secs_f64() / 1e6;

    // Small requests: 4 KiB GetShard at 64 concurrent streams.
    let small = Bytes::from(vec![7u8; 4096]);
    for i in 0..64 {
        let body = futures::stream::iter(vec![Ok::<_, NetError>(small.clone())]);
        peers
            .put_shard(peer, key(1_000_000 + i), 4096, body)
            .await?;
    }
    let started = Instant::now();
    let mut done = 0u64;
    while started.elapsed() < small_for {
        let wave =
            futures::stream::iter(
                (0..640u64).map(|i| {
                    let peers = peers.clone();
                    async move {
                        drain(peers.get_shard(peer, key(1_000_000 + i % 64), None).await?).await
                    }
                }),
            )
            .buffer_unordered(64)
            .collect::<Vec<_>>()
            .await;
        for r in wave {
            r?;
            done += 1;
        }
    }
    let small_ops = done as f64 / started.elapsed().as_secs_f64();
    Ok(Figures {
        put_mb_s,
        get_mb_s,
        small_ops,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secs: u64 = std::env::var("PREDASTORE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let certs = tempfile::tempdir()?;
    init_cluster_dir(certs.path(), 2, &[])?;
    let tls = NodeTls {
        ca: certs.path().join("ca.pem"),
        cert: certs.path().join("node0.pem"),
        key: certs.path().join("node0-key.pem"),
    };
    let client_tls = TlsMaterial::load(
        &tls.ca,
        &certs.path().join("node1.pem"),
        &certs.path().join("node1-key.pem"),
    )?;
    std::fs::create_dir_all("target")?;
    for gso in [true, false] {
        let data = tempfile::tempdir_in("target")?;
        let gso_env = if gso { "true" } else { "false" };
        let node = NodeProcess::start(
            IpAddr::from([127, 0, 0, 1]),
            data.path(),
            tls.clone(),
            &[
                ("PREDASTORE_QUIC_GSO", gso_env),
                ("PREDASTORE_SEGMENT_BYTES", "268435456"),
            ],
        );
        let settings = QuicSettings {
            gso,
            ..QuicSettings::default()
        };
        let figures = actix_rt::System::new().block_on({
            let client_tls = client_tls.clone();
            let peer = PeerAddr::from(node.quic);
            async move {
                let rt = endpoint::runtime(1)?;
                let quic = endpoint::start_client(
                    rt.handle(),
                    ([127, 0, 0, 1], 0).into(),
                    &client_tls,
                    &settings,
                )?;
                let cfg = PoolConfig {
                    dial_timeout: Duration::from_secs(2),
                    rpc_timeout: Duration::from_secs(30),
                    keep_alive: true,
                };
                let peers = PeerClient::new(Pool::new(quic, cfg).start(), cfg.rpc_timeout);
                measure(&peers, peer, Duration::from_secs(secs)).await
            }
        })?;
        let tag = if gso { "gso" } else { "no_gso" };
        println!(
            "GSO {gso_env}: PutShard 1 MiB {:.0} MB/s, GetShard 1 MiB {:.0} MB/s, 4 KiB GetShard at 64 streams {:.0} req/s",
            figures.put_mb_s, figures.get_mb_s, figures.small_ops
        );
        result(&format!("quic_put_1m_{tag}_mb_s"), figures.put_mb_s, "MB/s");
        result(&format!("quic_get_1m_{tag}_mb_s"), figures.get_mb_s, "MB/s");
        result(
            &format!("quic_get_4k_64_streams_{tag}_ops"),
            figures.small_ops,
            "req/s",
        );
        drop(node);
    }
    Ok(())
}
