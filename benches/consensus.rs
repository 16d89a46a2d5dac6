//! Metadata consensus benchmark: committed ops/s at 1, 16 and 64
//! concurrent callers with the Raft log fsynced, with mean ops per Raft
//! entry and ops per log fsync.
//!
//! - `1node`: the Consensus actor in this process over a one-node group.
//! - `3node`: three meta-node processes on 127.0.0.2–4 (Raft over QUIC);
//!   this process is a gateway whose Consensus actor forwards to the
//!   leader. Entry and fsync figures are the leader's, from its /metrics.
//!
//! `cargo bench --bench consensus`; `PREDASTORE_BENCH_SECONDS` per step
//! (default 5). Each figure is also printed as `RESULT <name> <value> <unit>`.

// The helpers shared with the integration tests (`tests/common`) are `pub`
// for the test crates that use them and unwrap as test code does; this
// harness is test code too.
#![allow(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

// The integration tests' process helpers (`meta` uses `super::node`).
#[path = "../tests/it/common/meta.rs"]
#[allow(dead_code)]
mod meta;
#[path = "../tests/it/common/node.rs"]
#[allow(dead_code)]
mod node;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use futures::future::join_all;

use meta::MetaCluster;
use predastore::meta::start_single_node;
use predastore::meta::{BucketRecord, MetaOp};
use predastore::meta::{Consensus, ConsensusConfig, LocalRaft, ReadLease, Submit};
use predastore::metrics;
use predastore::transport::endpoint;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn result(name: &str, value: f64, unit: &str) {
    println!("RESULT {name} {value:.1} {unit}");
}

/// Histogram totals: (entries, ops in them, log syncs, entries in them).
type Totals = (f64, f64, f64, f64);

fn local_totals() -> Totals {
    (
        metrics::RAFT_OPS_PER_ENTRY.get_sample_count() as f64,
        metrics::RAFT_OPS_PER_ENTRY.get_sample_sum(),
        metrics::RAFT_ENTRIES_PER_LOG_SYNC.get_sample_count() as f64,
        metrics::RAFT_ENTRIES_PER_LOG_SYNC.get_sample_sum(),
    )
}

/// Runs `callers` closed-loop callers for `secs`; ops/s.
async fn step(
    consensus: &Addr<Consensus>,
    callers: u64,
    secs: u64,
    counter: &Arc<AtomicU64>,
) -> BenchResult<f64> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks = (0..callers).map(|_| {
        let (consensus, stop, counter) = (consensus.clone(), stop.clone(), counter.clone());
        async move {
            let mut done = 0u64;
            while !stop.load(Ordering::Relaxed) {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let op = MetaOp::CreateBucket {
                    record: BucketRecord {
                        name: format!("bench-{n}"),
                        owner: "bench".into(),
                        created_ms: 1,
                        tags: vec![],
                        region: None,
                        acl: predastore::meta::Acl::default(),
                        cors: vec![],
                        versioning: Default::default(),
                        object_lock: None,
                        access: Default::default(),
                        encryption: None,
                    },
                };
                match consensus.send(Submit(op)).await {
                    Ok(Ok(Ok(_))) => done += 1,
                    other => return Err(format!("op failed: {other:?}")),
                }
                if started.elapsed() >= Duration::from_secs(secs) {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            Ok(done)
        }
    });
    let mut ops = 0;
    for r in join_all(tasks).await {
        ops += r?;
    }
    Ok(ops as f64 / started.elapsed().as_secs_f64())
}

async fn run_steps(
    label: &str,
    consensus: &Addr<Consensus>,
    secs: u64,
    totals: impl Fn() -> BenchResult<Totals>,
) -> BenchResult<()> {
    let counter = Arc::new(AtomicU64::new(0));
    for callers in [1u64, 16, 64] {
        let before = totals()?;
        let rate = step(consensus, callers, secs, &counter).await?;
        let after = totals()?;
        let per_entry = (after.1 - before.1) / (after.0 - before.0).max(1.0);
        let per_sync = (after.3 - before.3) / (after.2 - before.2).max(1.0);
        println!(
            "{label} {callers} callers: {rate:.0} committed ops/s, {per_entry:.1} ops per entry, {per_sync:.2} entries per log fsync, {:.1} ops per fsync",
            per_entry * per_sync
        );
        result(
            &format!("meta_{label}_ops_{callers}_callers"),
            rate,
            "ops/s",
        );
        result(
            &format!("meta_{label}_ops_per_entry_{callers}_callers"),
            per_entry,
            "ops",
        );
        result(
            &format!("meta_{label}_entries_per_fsync_{callers}_callers"),
            per_sync,
            "entries",
        );
        result(
            &format!("meta_{label}_ops_per_fsync_{callers}_callers"),
            per_entry * per_sync,
            "ops",
        );
    }
    Ok(())
}

fn one_node(secs: u64) -> BenchResult<()> {
    std::fs::create_dir_all("target")?;
    let dir = tempfile::tempdir_in("target")?;
    let rt = endpoint::runtime(1)?;
    actix_rt::System::new().block_on(async move {
        let path = dir.path().to_path_buf();
        let (raft, state) = rt
            .handle()
            .spawn(async move { start_single_node(&path, 1).await })
            .await??;
        let local = LocalRaft {
            raft: raft.clone(),
            state,
            lease: ReadLease::default(),
            clock: predastore::meta::MetaClock::default(),
        };
        let consensus =
            Consensus::new(1, Some(local), None, vec![], ConsensusConfig::default()).start();
        run_steps("1node", &consensus, secs, || Ok(local_totals())).await?;
        raft.shutdown().await?;
        Ok(())
    })
}

fn three_nodes(secs: u64) -> BenchResult<()> {
    let cluster = MetaCluster::start(3, &[("PREDASTORE_LOG", "error")]);
    let leader = cluster
        .wait_leader(Duration::from_secs(10))
        .ok_or("no leader elected")?;
    actix_rt::System::new().block_on(async {
        let client = cluster.client(Duration::from_secs(10));
        let node = &cluster.nodes[leader];
        let scrape = |name: &str| {
            node.metric(name)
                .ok_or_else(|| format!("no {name} from the leader"))
        };
        run_steps("3node", &client.consensus, secs, || {
            Ok((
                scrape("predastore_raft_ops_per_entry_count")?,
                scrape("predastore_raft_ops_per_entry_sum")?,
                scrape("predastore_raft_entries_per_log_sync_count")?,
                scrape("predastore_raft_entries_per_log_sync_sum")?,
            ))
        })
        .await?;
        if cluster.leader() != Some(leader) {
            return Err("the leader changed during the run; figures are mixed".into());
        }
        Ok(())
    })
}

fn main() -> BenchResult<()> {
    let secs: u64 = std::env::var("PREDASTORE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    one_node(secs)?;
    three_nodes(secs)
}
