//! A storage node's settings: its volumes, the WAL segments on them, and
//! when appended shards are made durable.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::values::Volumes;
use crate::actors::core::wal::node::StorageConfig;
use crate::storage::{FsyncMode, VolumeConfig};

/// Where shards are written and how often they are synced.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct WalSettings {
    /// `PREDASTORE_VOLUMES`: a number of volumes under the data directory
    /// (`vol0`, `vol1`, …), or a comma list of volume directories (one per
    /// disk); each volume has its own WAL writer. Default 3.
    pub volumes: Volumes,
    /// `PREDASTORE_SEGMENT_BYTES`: bytes of each WAL segment file (sparse:
    /// blocks are allocated as shards reserve them); at least what one
    /// fragment and its headers take. Default 268435456 (256 MiB).
    pub segment_bytes: u64,
    /// `PREDASTORE_FRAGMENT_BYTES`: payload bytes per CRC-checked fragment
    /// of a shard, 512 to 67108864. Default 65536 (64 KiB).
    pub fragment_bytes: u32,
    /// `PREDASTORE_FSYNC`: when a shard write is acknowledged: `group` (after
    /// the fsync it shares with concurrent writes), `interval` (at once,
    /// fsync every interval), `serial` (one fsync per write) or `off`
    /// (never synced: benchmarks only). Default `group`.
    pub fsync: FsyncMode,
    /// `PREDASTORE_SYNC_INTERVAL_MS`: milliseconds at least between two
    /// sync rounds of the syncer; at least 1. Default 2.
    pub sync_interval_ms: u64,
    /// `PREDASTORE_SYNC_PENDING_BYTES`: unsynced bytes that start a sync
    /// round before the interval is over. Default 67108864 (64 MiB).
    pub sync_pending_bytes: u64,
    /// `PREDASTORE_COMPACT_BELOW_PERCENT`: a sealed segment whose live bytes
    /// fall below this percentage of its size is compacted, 0 to 100.
    /// Default 50.
    pub compact_below_percent: u8,
    /// `PREDASTORE_COMPACT_MB_S`: MiB per second compaction copies at most
    /// on each volume, a slice every 100 ms, so the writes waiting on the
    /// volume's writer never wait for a whole segment; 0: no limit (whole
    /// segments at once). At most 1048576. Default 64.
    pub compact_mb_s: u64,
    /// `PREDASTORE_MAX_SHARD_BYTES`: bytes of the largest shard a storage
    /// node accepts. Default 5368709120 (5 GiB).
    pub max_shard_bytes: u64,
    /// `PREDASTORE_PAGE_CACHE_READS`: read shard payloads of 64 KiB or
    /// more through the page cache (`true`) instead of direct I/O. The
    /// page cache serves a working set that fits in memory again without
    /// the disk, at the cost of the kernel's copy and its page allocations
    /// for every read that misses. Default `false`.
    pub page_cache_reads: bool,
}

impl Default for WalSettings {
    fn default() -> Self {
        Self {
            volumes: Volumes::Count(3),
            segment_bytes: 256 << 20,
            fragment_bytes: 64 << 10,
            fsync: FsyncMode::Group,
            sync_interval_ms: 2,
            sync_pending_bytes: 64 << 20,
            compact_below_percent: 50,
            compact_mb_s: 64,
            max_shard_bytes: 5 << 30,
            page_cache_reads: false,
        }
    }
}

impl WalSettings {
    /// The volume directories `PREDASTORE_VOLUMES` names, counted ones
    /// under `data_dir`.
    pub fn volume_dirs(&self, data_dir: &Path) -> Vec<PathBuf> {
        match &self.volumes {
            Volumes::Count(n) => (0..*n).map(|i| data_dir.join(format!("vol{i}"))).collect(),
            Volumes::Dirs(dirs) => dirs.clone(),
        }
    }

    /// The storage node's settings, its shard index under `data_dir`.
    pub fn storage(&self, data_dir: &Path) -> StorageConfig {
        StorageConfig {
            index_dir: data_dir.join("shard-index"),
            volumes: self.volume_dirs(data_dir),
            volume: VolumeConfig {
                segment_bytes: self.segment_bytes,
                fragment_bytes: self.fragment_bytes,
                compact_below: f64::from(self.compact_below_percent) / 100.0,
                max_shard_bytes: self.max_shard_bytes,
            },
            fsync: self.fsync,
            sync_interval: Duration::from_millis(self.sync_interval_ms),
            sync_pending_bytes: self.sync_pending_bytes,
            compact_bytes_per_sec: self.compact_mb_s << 20,
            slow_sync: None,
            page_cache_reads: self.page_cache_reads,
        }
    }
}
