//! Metadata consensus benchmark: committed ops/s through the Consensus
//! actor into a one-node Raft group with its log fsynced, at 1, 16 and 64
//! concurrent callers; mean ops per Raft entry and entries per log sync.
//! (The three-node figures need the Raft network over QUIC, not built yet.)
//!
//! `cargo bench --bench consensus`; `PREDASTORE_BENCH_SECONDS` per step
//! (default 5). Each figure is also printed as `RESULT <name> <value> <unit>`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use futures::future::join_all;

use predastore::actors::consensus::{Consensus, Submit};
use predastore::metrics;
use predastore::net::endpoint;
use predastore::storage::meta::{BucketRecord, MetaOp};
use predastore::storage::raft::group::start_single_node;

fn result(name: &str, value: f64, unit: &str) {
    println!("RESULT {name} {value:.1} {unit}");
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secs: u64 = std::env::var("PREDASTORE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    std::fs::create_dir_all("target")?;
    let dir = tempfile::tempdir_in("target")?;
    let rt = endpoint::runtime(1)?;
    actix_rt::System::new().block_on(async move {
        let path = dir.path().to_path_buf();
        let (raft, _state) = rt
            .handle()
            .spawn(async move { start_single_node(&path, 1).await })
            .await??;
        let consensus = Consensus::new(raft.clone(), 100_000).start();
        let counter = Arc::new(AtomicU64::new(0));
        for callers in [1u64, 16, 64] {
            let (entries0, ops0) = (
                metrics::RAFT_OPS_PER_ENTRY.get_sample_count(),
                metrics::RAFT_OPS_PER_ENTRY.get_sample_sum(),
            );
            let (syncs0, synced0) = (
                metrics::RAFT_ENTRIES_PER_LOG_SYNC.get_sample_count(),
                metrics::RAFT_ENTRIES_PER_LOG_SYNC.get_sample_sum(),
            );
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
            let rate = ops as f64 / started.elapsed().as_secs_f64();
            let entries = metrics::RAFT_OPS_PER_ENTRY.get_sample_count() - entries0;
            let per_entry = (metrics::RAFT_OPS_PER_ENTRY.get_sample_sum() - ops0) / entries.max(1) as f64;
            let syncs = metrics::RAFT_ENTRIES_PER_LOG_SYNC.get_sample_count() - syncs0;
            let per_sync = (metrics::RAFT_ENTRIES_PER_LOG_SYNC.get_sample_sum() - synced0) / syncs.max(1) as f64;
            println!(
                "{callers} callers: {rate:.0} committed ops/s, {per_entry:.1} ops per entry, {per_sync:.2} entries per log fsync, {:.1} ops per fsync",
                per_entry * per_sync
            );
            result(&format!("meta_1node_ops_{callers}_callers"), rate, "ops/s");
            result(&format!("meta_1node_ops_per_entry_{callers}_callers"), per_entry, "ops");
            result(&format!("meta_1node_ops_per_fsync_{callers}_callers"), per_entry * per_sync, "ops");
        }
        raft.shutdown().await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}
