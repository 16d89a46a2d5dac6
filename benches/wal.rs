//! WAL benchmark: group commit vs one fsync per write, large-append
//! throughput against `dd oflag=direct`, and records per fsync.
//!
//! `cargo bench --bench wal`. Set `PREDASTORE_BENCH_DIR` to measure another
//! disk (default: `target/bench-wal`), `PREDASTORE_BENCH_SECONDS` for the
//! length of each small-write run (default 5). Each figure is also printed
//! as `RESULT <name> <value> <unit>`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::future::join_all;
use predastore::shards::{FsyncMode, ObjectId, ShardKey, StorageError, VolumeConfig};
use predastore::shards::{StorageConfig, StorageNode};

fn config(dir: &Path, fsync: FsyncMode) -> StorageConfig {
    StorageConfig {
        index_dir: dir.join("index"),
        volumes: vec![dir.join("vol0")],
        volume: VolumeConfig {
            segment_bytes: 256 << 20,
            fragment_bytes: 64 << 10,
            compact_below: 0.5,
            max_shard_bytes: 1 << 32,
        },
        fsync,
        sync_interval: Duration::from_millis(2),
        sync_pending_bytes: 64 << 20,
        // The store's default.
        compact_bytes_per_sec: 64 << 20,
        slow_sync: None,
        page_cache_reads: false,
    }
}

fn key(n: u64) -> ShardKey {
    ShardKey {
        object: ObjectId(u128::from(n) << 64 | u128::from(rand::random::<u64>())),
        part: 0,
        shard: 0,
    }
}

fn result(name: &str, value: f64, unit: &str) {
    println!("RESULT {name} {value:.1} {unit}");
}

/// `writers` tasks put shards of `size` bytes (in 1 MiB chunks) until
/// `duration` passes or `total` shards were put; returns (shards, seconds).
async fn run(
    node: &StorageNode,
    writers: u64,
    size: usize,
    duration: Duration,
    total: u64,
) -> Result<(u64, f64), StorageError> {
    // Block-aligned, as the erasure coder hands out shards: large payloads
    // then go to disk without a copy.
    let align = 4096;
    let raw = Bytes::from(vec![0x5au8; size + align]);
    let offset = raw.as_ptr().align_offset(align);
    let payload = raw.slice(offset..offset + size);
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let tasks = (0..writers).map(|w| {
        let (node, payload, done, stop) =
            (node.clone(), payload.clone(), done.clone(), stop.clone());
        async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                if done.fetch_add(1, Ordering::Relaxed) >= total {
                    break;
                }
                let chunks: Vec<Result<Bytes, StorageError>> = (0..payload.len())
                    .step_by(1 << 20)
                    .map(|i| Ok(payload.slice(i..(i + (1 << 20)).min(payload.len()))))
                    .collect();
                node.put_shard(
                    None,
                    key(w << 32 | n),
                    payload.len() as u64,
                    futures::stream::iter(chunks),
                )
                .await?;
                n += 1;
                if start.elapsed() >= duration {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            Ok::<u64, StorageError>(n)
        }
    });
    let mut shards = 0;
    for r in join_all(tasks).await {
        shards += r?;
    }
    node.sync_now().await?;
    Ok((shards, start.elapsed().as_secs_f64()))
}

fn dd_direct_mb_s(dir: &Path) -> Option<f64> {
    let file = dir.join("dd.bin");
    let out = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", file.display()))
        .args(["bs=1M", "count=1024", "oflag=direct"])
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&file);
    // "1073741824 bytes (1.1 GB, 1.0 GiB) copied, 1.23 s, 873 MB/s"
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text.lines().find(|l| l.contains("copied"))?;
    let secs: f64 = line
        .split(", ")
        .nth(2)?
        .trim_end_matches(" s")
        .parse()
        .ok()?;
    Some(1024.0 * 1024.0 * 1024.0 / secs / 1e6)
}

fn fresh(dir: &Path, name: &str) -> PathBuf {
    let d = dir.join(name);
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::var("PREDASTORE_BENCH_DIR").unwrap_or_else(|_| "target/bench-wal".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let secs: u64 = std::env::var("PREDASTORE_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let run_for = Duration::from_secs(secs);
    actix_rt::System::new().block_on(async move {
        // 4 KiB appends, 64 writers: group commit.
        let node = StorageNode::start(&config(&fresh(&dir, "group"), FsyncMode::Group))?;
        let (ops, t) = run(&node, 64, 4096, run_for, u64::MAX).await?;
        let per_fsync = ops as f64 / node.sync_state().rounds().max(1) as f64;
        node.shutdown().await?;
        let group = ops as f64 / t;
        println!("4 KiB appends, 64 writers, group commit: {group:.0} ops/s ({ops} in {t:.1} s), {per_fsync:.1} records per fsync");

        // Same load with one fsync per acknowledged write.
        let node = StorageNode::start(&config(&fresh(&dir, "serial"), FsyncMode::Serial))?;
        let (ops, t) = run(&node, 64, 4096, run_for, u64::MAX).await?;
        node.shutdown().await?;
        let serial = ops as f64 / t;
        println!("4 KiB appends, 64 writers, one fsync per write: {serial:.0} ops/s ({ops} in {t:.1} s)");
        println!("group commit speed-up: {:.1}x", group / serial.max(1e-9));
        result("wal_4k_group_ops", group, "ops/s");
        result("wal_4k_fsync_per_write_ops", serial, "ops/s");
        result("wal_4k_group_speedup", group / serial.max(1e-9), "x");
        result("wal_records_per_fsync_64_writers", per_fsync, "records");

        // 1 GiB of 1 MiB shards, 64 writers, group commit, versus dd on the
        // same disk. The disk of a shared VM is noisy: alternate the two
        // three times and compare medians.
        let (mut wal, mut dd) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            let node = StorageNode::start(&config(&fresh(&dir, "large"), FsyncMode::Group))?;
            let (shards, t) = run(&node, 64, 1 << 20, Duration::from_secs(3600), 1024).await?;
            node.shutdown().await?;
            let mb_s = shards as f64 * 1048576.0 / t / 1e6;
            println!("1 MiB appends, 64 writers: {mb_s:.0} MB/s ({shards} MiB in {t:.2} s)");
            wal.push(mb_s);
            if let Some(d) = dd_direct_mb_s(&dir) {
                println!("dd bs=1M count=1024 oflag=direct: {d:.0} MB/s");
                dd.push(d);
            }
        }
        let wal = median(&mut wal);
        result("wal_1m_append_mb_s", wal, "MB/s");
        if !dd.is_empty() {
            let dd = median(&mut dd);
            println!("median: WAL {wal:.0} MB/s, dd {dd:.0} MB/s: {:.0}%", 100.0 * wal / dd);
            result("dd_direct_mb_s", dd, "MB/s");
            result("wal_1m_vs_dd_percent", 100.0 * wal / dd, "%");
        }
        for name in ["group", "serial", "large"] {
            let _ = std::fs::remove_dir_all(dir.join(name));
        }
        Ok::<(), Box<dyn std::error::Error>>(())
    })
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}
