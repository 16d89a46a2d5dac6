//! Group commit bookkeeping shared by the WAL writers and the syncer.
//!
//! Every finished append gets a node-wide sequence number. A sync takes the
//! set of segments written since the previous sync, fdatasyncs them, writes
//! the checkpoints and persists the shard index; afterwards every sequence
//! number up to the one it started from is durable. The lock here only
//! guards the bookkeeping maps and is never held across I/O.

use std::collections::HashMap;
use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::metrics;
use crate::storage::error::StorageError;
use crate::storage::index::{Position, SegmentId, ShardIndex, VolumeId};

/// When an append is acknowledged relative to its fsync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FsyncMode {
    /// Ack after the data and index are fsynced; fsyncs are shared by every
    /// append that arrived meanwhile (group commit). The default.
    Group,
    /// Ack at once and fsync every sync interval: a crash may lose the
    /// writes of the last interval.
    Interval,
    /// One fsync per acknowledged write, nothing shared: only a baseline for
    /// benchmarks.
    Serial,
    /// Never fsync. For benchmarks only; a crash may lose anything.
    Off,
}

impl FsyncMode {
    /// Whether an append waits for a sync before it is acknowledged.
    pub fn ack_waits_for_sync(self) -> bool {
        matches!(self, FsyncMode::Group | FsyncMode::Serial)
    }
}

#[derive(Default)]
struct Pending {
    dirty: HashMap<(VolumeId, SegmentId), Arc<File>>,
    frontiers: HashMap<VolumeId, Position>,
    /// The checkpoints the last completed sync persisted.
    persisted: HashMap<VolumeId, Position>,
    bytes: u64,
}

/// Shared state of one node's group commit.
#[derive(Default)]
pub struct SyncState {
    appended: AtomicU64,
    synced: AtomicU64,
    failed: AtomicBool,
    rounds: AtomicU64,
    pending: Mutex<Pending>,
}

/// What one sync will make durable.
pub struct SyncBatch {
    /// Every append with a sequence number up to this one is covered.
    pub target: u64,
    dirty: Vec<Arc<File>>,
    frontiers: Vec<(VolumeId, Position)>,
    /// Bytes appended since the previous batch.
    pub bytes: u64,
}

impl SyncBatch {
    /// Whether there is nothing to sync.
    pub fn is_empty(&self) -> bool {
        self.dirty.is_empty() && self.frontiers.is_empty()
    }
}

impl SyncState {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        // The maps stay consistent even if a holder panicked: every update
        // is a single insert.
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes that `file` holds unsynced bytes (called before any append is
    /// published, so the next sync covers it).
    pub fn mark_dirty(&self, volume: VolumeId, segment: SegmentId, file: &Arc<File>) {
        self.lock()
            .dirty
            .entry((volume, segment))
            .or_insert_with(|| file.clone());
    }

    /// Publishes a finished append: `frontier` is the volume position before
    /// which every record is complete. Returns the append's sequence number.
    pub fn publish(
        &self,
        volume: VolumeId,
        segment: SegmentId,
        file: &Arc<File>,
        frontier: Position,
        bytes: u64,
    ) -> Result<u64, StorageError> {
        if self.failed.load(Ordering::Acquire) {
            return Err(StorageError::SyncFailed);
        }
        let mut p = self.lock();
        p.dirty
            .entry((volume, segment))
            .or_insert_with(|| file.clone());
        p.frontiers.insert(volume, frontier);
        p.bytes += bytes;
        // Incremented under the lock so that `take` sees exactly the appends
        // with a sequence number up to the one it reads.
        Ok(self.appended.fetch_add(1, Ordering::AcqRel) + 1)
    }

    /// Records a volume's frontier when it moved without an append (an
    /// aborted write no longer holds it back).
    pub fn update_frontier(&self, volume: VolumeId, frontier: Position) {
        self.lock().frontiers.insert(volume, frontier);
    }

    /// Records the checkpoint a volume persisted itself (when it opened).
    pub fn seed_checkpoint(&self, volume: VolumeId, at: Position) {
        let mut p = self.lock();
        p.frontiers.insert(volume, at);
        p.persisted.insert(volume, at);
    }

    /// The checkpoint of `volume` the last completed sync persisted: data
    /// before it is never rescanned by recovery.
    pub fn persisted_checkpoint(&self, volume: VolumeId) -> Option<Position> {
        self.lock().persisted.get(&volume).copied()
    }

    /// Marks the node as unable to sync (writes are refused from now on).
    pub fn mark_failed(&self) {
        self.failed.store(true, Ordering::Release);
    }

    /// Takes what the next sync must cover. `keep_dirty` leaves the files
    /// marked so the next sync fsyncs them again (the `serial` baseline).
    pub fn take(&self, keep_dirty: bool) -> SyncBatch {
        let mut p = self.lock();
        let target = self.appended.load(Ordering::Acquire);
        let dirty = if keep_dirty {
            p.dirty.values().cloned().collect()
        } else {
            p.dirty.drain().map(|(_, f)| f).collect()
        };
        SyncBatch {
            target,
            dirty,
            frontiers: p.frontiers.iter().map(|(v, f)| (*v, *f)).collect(),
            bytes: std::mem::take(&mut p.bytes),
        }
    }

    /// The last sequence number handed out.
    pub fn appended(&self) -> u64 {
        self.appended.load(Ordering::Acquire)
    }

    /// Every append up to this sequence number is durable.
    pub fn synced(&self) -> u64 {
        self.synced.load(Ordering::Acquire)
    }

    /// Bytes appended and not yet taken by a sync.
    pub fn pending_bytes(&self) -> u64 {
        self.lock().bytes
    }

    /// Sync rounds completed so far.
    pub fn rounds(&self) -> u64 {
        self.rounds.load(Ordering::Acquire)
    }

    /// Whether a sync failed (writes are then refused).
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// Runs one sync on the calling (blocking) thread: fdatasync the dirty
    /// segments, record checkpoints, persist the index, then advance the
    /// durable sequence number. `delay` slows the sync down in tests.
    pub fn sync(
        &self,
        index: &ShardIndex,
        mode: FsyncMode,
        delay: Option<Duration>,
    ) -> Result<u64, StorageError> {
        let batch = self.take(mode == FsyncMode::Serial);
        if batch.target <= self.synced() && batch.is_empty() {
            return Ok(self.synced());
        }
        let started = Instant::now();
        let fsync = mode != FsyncMode::Off;
        let result = (|| {
            if let Some(delay) = delay {
                std::thread::sleep(delay);
            }
            if fsync {
                for file in &batch.dirty {
                    file.sync_data()?;
                }
            }
            index.set_checkpoints(&batch.frontiers)?;
            index.persist(fsync)
        })();
        if let Err(e) = result {
            self.mark_failed();
            tracing::error!(error = %e, "sync failed; refusing further writes");
            return Err(e);
        }
        self.lock()
            .persisted
            .extend(batch.frontiers.iter().copied());
        let records = batch.target.saturating_sub(self.synced());
        self.synced.fetch_max(batch.target, Ordering::AcqRel);
        self.rounds.fetch_add(1, Ordering::AcqRel);
        if fsync {
            metrics::WAL_FSYNCS.inc();
            metrics::WAL_FSYNC_SECONDS.observe(started.elapsed().as_secs_f64());
            metrics::WAL_RECORDS_PER_FSYNC.observe(records as f64);
        }
        Ok(batch.target)
    }
}
