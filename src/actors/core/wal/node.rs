//! The storage node's local API: put, read and delete shards.
//!
//! Starts one [`WalWriter`] per volume (each on its own arbiter thread) and
//! the node's [`Syncer`], and drives them: a put streams its body to the
//! volume's writer chunk by chunk and returns once the shard is durable as
//! `PREDASTORE_FSYNC` requires; a read runs on blocking threads and streams
//! pieces back. The QUIC shard server and the in-process gateway path call
//! this; nothing here holds a lock across I/O.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actix::prelude::*;
use arc_swap::ArcSwap;
use bytes::Bytes;
use futures::{Stream, StreamExt};

use super::health::{start_prober, VolumeHealth};
use crate::actors::core::scrub::{ScrubClient, ScrubConfig, ScrubReport};
use crate::actors::core::syncer::{Syncer, SyncerConfig, WaitDurable};
use crate::actors::core::wal::{
    BeginShard, Compact, DeleteShard, FinishShard, ReleaseSynced, WalWriter,
};
use crate::storage::wal::identity::admit_volumes;
use crate::storage::wal::segment::SegmentFiles;
use crate::storage::{
    index::inventory::disk_space, CompactionReport, FsyncMode, NodeStats, ScrubRecord, ShardEntry,
    ShardIndex, ShardKey, ShardRead, ShardReader, ShardState, ShardWrite, StorageError, SyncState,
    Volume, VolumeConfig, VolumeId, VolumeStatus,
};

/// Everything a storage node needs to start.
#[derive(Clone, Debug)]
pub struct StorageConfig {
    /// Where the shard index lives.
    pub index_dir: PathBuf,
    /// One directory per volume, in volume-number order.
    pub volumes: Vec<PathBuf>,
    /// Segment and fragment sizes, compaction threshold.
    pub volume: VolumeConfig,
    /// When puts are acknowledged.
    pub fsync: FsyncMode,
    /// Minimum time between two sync rounds.
    pub sync_interval: Duration,
    /// Pending bytes that trigger a sync even if nobody waits.
    pub sync_pending_bytes: u64,
    /// Bytes per second each volume's compaction copies at most (0: no limit).
    pub compact_bytes_per_sec: u64,
    /// Test hook: every sync round sleeps this long first.
    pub slow_sync: Option<Duration>,
    /// Large payloads read through the page cache, not direct I/O.
    pub page_cache_reads: bool,
}

/// A durable shard write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardAck {
    /// The append's node-wide sequence number.
    pub seq: u64,
    /// CRC32C of the shard.
    pub crc: u32,
}

/// Lookups a delete makes of a shard that keeps moving between volumes
/// (a move back to a replaced disk, a compaction) before it gives up.
const DELETE_TRIES: usize = 3;

/// Handle to a running storage node; cheap to clone.
#[derive(Clone)]
pub struct StorageNode {
    /// Each volume's writer; `None` for a volume not taken in at start.
    /// Swapped whole when a failed volume's disk is replaced.
    writers: Arc<ArcSwap<Vec<Option<Addr<WalWriter>>>>>,
    pub(super) syncer: Addr<Syncer>,
    reader: ShardReader,
    pub(super) state: Arc<SyncState>,
    fsync: FsyncMode,
    /// The threads of the scrubber, the volumes' writers (tagged with
    /// their volume) and the syncer, in the order they stop.
    arbiters: Arc<Mutex<Vec<NodeThread>>>,
    /// What opening a volume takes (a replacement disk is opened while
    /// the node runs).
    pub(super) opener: Arc<VolumeOpener>,
    /// Held while a failed volume's disk is being replaced.
    pub(super) replacing: Arc<tokio::sync::Mutex<()>>,
    scrubber: Arc<OnceLock<ScrubClient>>,
    pub(super) volume_dirs: Arc<Vec<PathBuf>>,
    pub(super) health: Arc<VolumeHealth>,
}

/// One of the node's threads: a volume's writer (tagged with its volume),
/// the scrubber or the syncer.
type NodeThread = (Option<VolumeId>, Arbiter);

/// What opening one of the node's volumes takes, kept for a disk that
/// replaces a failed one.
pub(super) struct VolumeOpener {
    /// The node's shard index.
    pub(super) index: ShardIndex,
    /// The open segment files readers share.
    pub(super) files: Arc<SegmentFiles>,
    /// Segment and fragment sizes, compaction threshold.
    pub(super) volume: VolumeConfig,
    /// Pending bytes after which a writer nudges the syncer.
    pub(super) sync_pending_bytes: u64,
    /// Bytes per second the writer's compaction copies at most.
    pub(super) compact_bytes_per_sec: u64,
    /// The store's id, which every volume's identity names.
    pub(super) store: u128,
    /// The actix system the node runs in: a volume opened later (from a
    /// blocking thread) starts its writer's thread in it.
    pub(super) system: actix::System,
}

impl VolumeOpener {
    /// Opens (recovering) volume `id` in `dir` and starts its writer on a
    /// thread of its own.
    pub(super) fn start(
        &self,
        id: VolumeId,
        dir: &std::path::Path,
        state: &Arc<SyncState>,
        syncer: &Addr<Syncer>,
    ) -> Result<(Addr<WalWriter>, Arbiter), StorageError> {
        if actix::System::try_current().is_none() {
            actix::System::set_current(self.system.clone());
        }
        let volume = Volume::open(
            id,
            dir,
            self.volume,
            self.index.clone(),
            self.files.clone(),
            state.clone(),
        )?;
        let arbiter = Arbiter::new();
        let (syncer, nudge) = (syncer.clone(), self.sync_pending_bytes);
        let compact_rate = self.compact_bytes_per_sec;
        let addr = WalWriter::start_in_arbiter(&arbiter.handle(), move |_| {
            WalWriter::new(volume, syncer, nudge, compact_rate)
        });
        Ok((addr, arbiter))
    }
}

pub(super) fn stopped(_: MailboxError) -> StorageError {
    StorageError::Stopped
}

impl StorageNode {
    /// Opens (recovering) every volume and starts the actors. Must run
    /// inside an actix `System`.
    pub fn start(cfg: &StorageConfig) -> Result<Self, StorageError> {
        std::fs::create_dir_all(&cfg.index_dir)?;
        let admitted = admit_volumes(&cfg.index_dir, &cfg.volumes)?;
        let index = ShardIndex::open(&cfg.index_dir)?;
        let files = Arc::new(SegmentFiles::new(cfg.page_cache_reads));
        let state = Arc::new(SyncState::default());
        let syncer_arbiter = Arbiter::new();
        let syncer_cfg = SyncerConfig {
            mode: cfg.fsync,
            interval: cfg.sync_interval,
            slow_sync: cfg.slow_sync,
        };
        let (s, i) = (state.clone(), index.clone());
        let syncer = Syncer::start_in_arbiter(&syncer_arbiter.handle(), move |_| {
            Syncer::new(s, i, syncer_cfg)
        });
        let opener = VolumeOpener {
            index: index.clone(),
            files: files.clone(),
            volume: cfg.volume,
            sync_pending_bytes: cfg.sync_pending_bytes,
            compact_bytes_per_sec: cfg.compact_bytes_per_sec,
            store: admitted.store.store,
            system: actix::System::current(),
        };
        let mut writers = Vec::new();
        let mut arbiters = Vec::new();
        let mut refused = Vec::new();
        for (i, dir) in cfg.volumes.iter().enumerate() {
            let id = VolumeId::try_from(i).map_err(|_| StorageError::NoSuchVolume(u16::MAX))?;
            // A volume that is not this store's, or cannot be opened, is
            // left out: the node serves its other volumes.
            let started = match admitted.refused.get(i) {
                Some(Some(why)) => Err(why.to_string()),
                _ => opener
                    .start(id, dir, &state, &syncer)
                    .map_err(|e| e.to_string()),
            };
            match started {
                Ok((addr, arbiter)) => {
                    writers.push(Some(addr));
                    arbiters.push((Some(id), arbiter));
                }
                Err(why) => {
                    tracing::error!(
                        volume = i,
                        path = %dir.display(),
                        error = %why,
                        "volume not taken in: the node serves its other volumes"
                    );
                    refused.push(i);
                    writers.push(None);
                }
            }
        }
        if refused.len() == cfg.volumes.len() {
            // Still started: the metadata and what is kept inline are
            // served; shard reads and writes fail until a volume is back.
            tracing::error!("no volume could be taken in: no shard can be stored or read");
        }
        // The syncer stops last, after every writer.
        arbiters.push((None, syncer_arbiter));
        let health = VolumeHealth::new(cfg.volumes.clone(), admitted.store.store, &refused);
        start_prober(&health);
        Ok(Self {
            writers: Arc::new(ArcSwap::from_pointee(writers)),
            syncer,
            reader: ShardReader::new(index, files),
            state,
            fsync: cfg.fsync,
            arbiters: Arc::new(Mutex::new(arbiters)),
            opener: Arc::new(opener),
            replacing: Arc::default(),
            scrubber: Arc::new(OnceLock::new()),
            volume_dirs: Arc::new(cfg.volumes.clone()),
            health,
        })
    }

    /// Shards held and the space of the volumes' filesystems (`statvfs`
    /// on a blocking thread). The shard totals are this process's
    /// `predastore_shards_stored` gauges: one storage node per process.
    pub async fn stats(&self) -> NodeStats {
        let dirs = self.volume_dirs.clone();
        let (capacity_bytes, free_bytes) = tokio::task::spawn_blocking(move || disk_space(&dirs))
            .await
            .unwrap_or_default();
        NodeStats {
            shards: u64::try_from(crate::metrics::SHARDS_STORED.get()).unwrap_or(0),
            shard_bytes: u64::try_from(crate::metrics::SHARD_BYTES_STORED.get()).unwrap_or(0),
            capacity_bytes,
            free_bytes,
        }
    }

    /// How each volume stands, in slot order (`statvfs` of each on a
    /// blocking thread).
    pub async fn volumes(&self) -> Vec<VolumeStatus> {
        let health = self.health.clone();
        tokio::task::spawn_blocking(move || health.statuses())
            .await
            .unwrap_or_default()
    }

    /// Number of volumes.
    pub fn volume_count(&self) -> usize {
        self.writers.load().len()
    }

    /// The volume a shard goes to when the caller does not choose: shards of
    /// one object land on different volumes while there are enough.
    pub fn volume_for(&self, key: &ShardKey) -> VolumeId {
        let n = self.writers.load().len().max(1) as u128;
        ((key.object.0 + u128::from(key.part) + u128::from(key.shard)) % n) as VolumeId
    }

    pub(super) fn writer(&self, volume: VolumeId) -> Result<Addr<WalWriter>, StorageError> {
        self.writers
            .load()
            .get(usize::from(volume))
            .and_then(Option::clone)
            .ok_or(StorageError::NoSuchVolume(volume))
    }

    /// The node's group-commit counters (appended and synced sequence numbers).
    pub fn sync_state(&self) -> &Arc<SyncState> {
        &self.state
    }

    /// Stores a shard of exactly `len` bytes streamed from `body` and
    /// answers once it is durable (per `PREDASTORE_FSYNC`). If the body
    /// fails, is shorter or longer than `len`, or the caller drops the
    /// future, nothing is stored. Refused when no volume takes new shards.
    pub async fn put_shard<S>(
        &self,
        volume: Option<VolumeId>,
        key: ShardKey,
        len: u64,
        mut body: S,
    ) -> Result<ShardAck, StorageError>
    where
        S: Stream<Item = Result<Bytes, StorageError>> + Unpin,
    {
        let volume = self
            .health
            .pick(volume.unwrap_or_else(|| self.volume_for(&key)));
        if !self.health.takes_shards(volume) {
            return Err(StorageError::NoVolumeTakesShards);
        }
        let writer = self.writer(volume)?;
        let write = self.fill(&writer, volume, key, len, &mut body).await?;
        let appended = writer
            .send(FinishShard { write })
            .await
            .map_err(stopped)?
            .map_err(|e| self.disk(volume, e))?;
        self.wait_durable(appended.seq).await?;
        Ok(ShardAck {
            seq: appended.seq,
            crc: appended.crc,
        })
    }

    /// Reserves room for shard `key` on `volume` and writes `body` (exactly
    /// `len` bytes) into it; the write, to be finished by the caller.
    pub(super) async fn fill<S>(
        &self,
        writer: &Addr<WalWriter>,
        volume: VolumeId,
        key: ShardKey,
        len: u64,
        body: &mut S,
    ) -> Result<ShardWrite, StorageError>
    where
        S: Stream<Item = Result<Bytes, StorageError>> + Unpin,
    {
        let mut write = writer
            .send(BeginShard { key, len })
            .await
            .map_err(stopped)?
            .map_err(|e| self.disk(volume, e))?;
        // From here, a dropped `write` (this future cancelled, a body
        // error) is aborted by the volume: see `ShardWrite`'s Drop.
        while let Some(chunk) = body.next().await {
            let data = chunk?;
            if data.is_empty() {
                continue;
            }
            // The payload goes straight into the reserved records, on a
            // blocking thread, in parallel with other shards.
            write = actix_web::rt::task::spawn_blocking(move || write.write(&data).map(|_| write))
                .await
                .map_err(|_| StorageError::Stopped)?
                .map_err(|e| self.disk(volume, e))?;
        }
        Ok(write)
    }

    /// `e`, which `volume`'s disk answered, noted: an I/O error fails the
    /// volume (a body that fails says nothing of the disk, and is not
    /// passed here).
    pub(super) fn disk(&self, volume: VolumeId, e: StorageError) -> StorageError {
        self.health.saw(volume, &e);
        e
    }

    /// Deletes a shard; `false` if it was not stored here.
    pub async fn delete_shard(&self, key: ShardKey) -> Result<bool, StorageError> {
        // A shard moved to another volume between the lookup and the
        // delete is deleted there.
        for _ in 0..DELETE_TRIES {
            let entry = match self.reader.entry(&key) {
                Ok(entry) => entry,
                Err(StorageError::NotFound(_)) => return Ok(false),
                Err(e) => return Err(e),
            };
            let writer = self.writer(entry.volume)?;
            if let Some(appended) = writer.send(DeleteShard { key }).await.map_err(stopped)?? {
                self.wait_durable(appended.seq).await?;
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub(super) async fn wait_durable(&self, seq: u64) -> Result<(), StorageError> {
        if self.fsync.ack_waits_for_sync() {
            self.syncer
                .send(WaitDurable { seq })
                .await
                .map_err(stopped)??;
        }
        Ok(())
    }

    /// Where a shard is (length, CRC), or `NotFound`.
    pub async fn shard_entry(&self, key: ShardKey) -> Result<ShardEntry, StorageError> {
        let reader = self.reader.clone();
        actix_web::rt::task::spawn_blocking(move || reader.entry(&key))
            .await
            .map_err(|_| StorageError::Stopped)?
    }

    /// Streams `range` of a shard (all of it if `None`), checking every
    /// fragment; corrupt bytes end the stream with `Corrupt`. Answers the
    /// number of bytes the stream will carry, and the stream.
    pub async fn read_shard(
        &self,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> Result<
        (
            u64,
            impl Stream<Item = Result<Bytes, StorageError>> + Send + 'static,
        ),
        StorageError,
    > {
        let reader = self.reader.clone();
        // The lookup and the first piece in one blocking call: a shard
        // chunk of a GET (up to a piece, 1 MiB) costs one thread hop.
        let started = actix_web::rt::task::spawn_blocking(move || start_read(&reader, key, range))
            .await
            .map_err(|_| StorageError::Stopped)??;
        Ok(read_on(started))
    }

    /// What this node holds under `key` (`Err` if its index cannot say)
    /// and a read of `range` of it as [`StorageNode::read_shard`] starts
    /// one, both in one blocking call: a GET opening a shard on its own
    /// node pays one thread hop, not one for each. No read is started for
    /// a shard the index knows missing or corrupt.
    pub async fn stat_and_read_shard(
        &self,
        key: ShardKey,
        range: Range<u64>,
    ) -> (
        Result<ShardState, StorageError>,
        Result<
            (
                u64,
                impl Stream<Item = Result<Bytes, StorageError>> + Send + 'static,
            ),
            StorageError,
        >,
    ) {
        let (reader, health) = (self.reader.clone(), self.health.clone());
        let opened = actix_web::rt::task::spawn_blocking(move || {
            let failed = |v| health.is_failed(v);
            let state = reader
                .index()
                .stat_without(&[key], &failed)
                .and_then(|states| {
                    states
                        .first()
                        .copied()
                        .ok_or(StorageError::IndexDamaged("no state answered for a shard"))
                });
            let started = match state {
                Ok(ShardState::Missing) => Err(StorageError::NotFound(key)),
                Ok(ShardState::Corrupt) => Err(StorageError::Corrupt {
                    key,
                    detail: "marked corrupt",
                }),
                Ok(ShardState::Present { .. }) | Err(_) => start_read(&reader, key, Some(range)),
            };
            (state, started)
        })
        .await;
        match opened {
            Ok((state, started)) => (state, started.map(read_on)),
            Err(_) => (Err(StorageError::Stopped), Err(StorageError::Stopped)),
        }
    }

    /// Reads a whole range into memory (small shards, tests).
    pub async fn read_shard_to_vec(
        &self,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> Result<Vec<u8>, StorageError> {
        let mut stream = Box::pin(self.read_shard(key, range).await?.1);
        let mut out = Vec::new();
        while let Some(piece) = stream.next().await {
            out.extend_from_slice(&piece?);
        }
        Ok(out)
    }

    /// Waits until everything appended so far is durable.
    pub async fn sync_now(&self) -> Result<u64, StorageError> {
        let seq = self.state.appended();
        self.syncer
            .send(WaitDurable { seq })
            .await
            .map_err(stopped)??;
        Ok(seq)
    }

    /// Compacts every sparse sealed segment of every volume now, and drives
    /// the syncs that make the copies and the index moves durable, until the
    /// emptied segments are deleted.
    pub async fn compact_all(&self) -> Result<CompactionReport, StorageError> {
        // Compaction only touches what the persisted checkpoint has passed.
        self.sync_now().await?;
        let mut total = CompactionReport::default();
        let writers = self.writers.load_full();
        for w in writers.iter().flatten() {
            let r = w
                .send(Compact {
                    max_segments: usize::MAX,
                })
                .await
                .map_err(stopped)??;
            total.segments_compacted += r.segments_compacted;
            total.shards_moved += r.shards_moved;
            total.bytes_moved += r.bytes_moved;
        }
        // Copies durable → index moved → that durable → segments deleted.
        for _ in 0..4 {
            self.sync_now().await?;
            let mut waiting = 0;
            for w in writers.iter().flatten() {
                waiting += w.send(ReleaseSynced).await.map_err(stopped)??;
            }
            if waiting == 0 {
                break;
            }
        }
        Ok(total)
    }
}

/// A read begun on a blocking thread: its length, its first piece, and the
/// rest of it.
type StartedRead = (u64, Option<Result<Bytes, StorageError>>, ShardRead);

/// Looks a shard up and reads its first piece (blocking).
fn start_read(
    reader: &ShardReader,
    key: ShardKey,
    range: Option<Range<u64>>,
) -> Result<StartedRead, StorageError> {
    let mut read = reader.read(key, range)?;
    let len = read.remaining();
    let first = read.next();
    Ok((len, first, read))
}

/// The stream of a read begun by [`start_read`]: its first piece, then the
/// rest, which one blocking task reads ahead while the caller sends what
/// it has (at most one piece waits in the channel; a caller that goes away
/// ends the read).
fn read_on(
    (len, first, rest): StartedRead,
) -> (
    u64,
    impl Stream<Item = Result<Bytes, StorageError>> + Send + 'static,
) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    if rest.remaining() > 0 {
        actix_web::rt::task::spawn_blocking(move || {
            for piece in rest {
                if tx.blocking_send(piece).is_err() {
                    break;
                }
            }
        });
    }
    let rest = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    (len, futures::stream::iter(first).chain(rest))
}

/// Runs `f` on a blocking thread (fjall reads stay off the async threads).
pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    actix_web::rt::task::spawn_blocking(f)
        .await
        .map_err(|_| StorageError::Stopped)?
}

/// A volume's writer, swapped for a replacement disk's.
impl StorageNode {
    /// Stops the writer of `volume`, if it has one, and waits for its
    /// thread: nothing of the old volume runs on once this returns.
    pub(super) async fn stop_writer(&self, volume: VolumeId) {
        let mut writers = (*self.writers.load_full()).clone();
        if let Some(slot) = writers.get_mut(usize::from(volume)) {
            *slot = None;
        }
        self.writers.store(Arc::new(writers));
        let arbiter = {
            let mut arbiters = self.arbiters.lock().unwrap_or_else(|e| e.into_inner());
            let at = arbiters.iter().position(|(v, _)| *v == Some(volume));
            at.map(|at| arbiters.remove(at).1)
        };
        if let Some(arbiter) = arbiter {
            arbiter.stop();
            let _ = actix_web::rt::task::spawn_blocking(move || arbiter.join()).await;
        }
    }

    /// Serves `volume` with `writer`, whose thread is `arbiter` (stopped
    /// before the syncer's at shutdown).
    pub(super) fn install_writer(
        &self,
        volume: VolumeId,
        writer: Addr<WalWriter>,
        arbiter: Arbiter,
    ) {
        let mut writers = (*self.writers.load_full()).clone();
        if let Some(slot) = writers.get_mut(usize::from(volume)) {
            *slot = Some(writer);
        }
        self.writers.store(Arc::new(writers));
        let mut arbiters = self.arbiters.lock().unwrap_or_else(|e| e.into_inner());
        // The syncer's thread is last: it stops after every writer.
        let before_syncer = arbiters.len().saturating_sub(1);
        arbiters.insert(before_syncer, (Some(volume), arbiter));
    }
}

/// Shard inventory and scrub.
impl StorageNode {
    /// What this node holds under each of `keys`, in their order.
    pub async fn stat_shards(&self, keys: Vec<ShardKey>) -> Result<Vec<ShardState>, StorageError> {
        let (index, health) = (self.reader.index().clone(), self.health.clone());
        blocking(move || index.stat_without(&keys, &|v| health.is_failed(v))).await
    }

    /// This node's shard keys in key order strictly after `after` (from
    /// the first if `None`), at most `limit`; fewer means the end.
    pub async fn list_shards(
        &self,
        after: Option<ShardKey>,
        limit: usize,
    ) -> Result<Vec<ShardKey>, StorageError> {
        let index = self.reader.index().clone();
        blocking(move || index.list(after.as_ref(), limit)).await
    }

    /// Shards marked corrupt, in key order strictly after `after`, at
    /// most `limit` (for repair; [`StorageNode::stat_shards`] says whether
    /// a mark still applies).
    pub async fn corrupt_shards(
        &self,
        after: Option<ShardKey>,
        limit: usize,
    ) -> Result<Vec<ShardKey>, StorageError> {
        let index = self.reader.index().clone();
        blocking(move || index.corrupt_keys(after.as_ref(), limit)).await
    }

    /// The scrubber's last completed pass, if any (kept across restarts).
    pub async fn last_scrub(&self) -> Result<Option<ScrubRecord>, StorageError> {
        let index = self.reader.index().clone();
        blocking(move || index.scrub_record()).await
    }

    /// Starts this node's scrubber on a thread of its own (stopped first
    /// by [`StorageNode::shutdown`]); `false` if one already runs. Must
    /// run inside an actix `System`.
    pub fn start_scrubber(&self, cfg: ScrubConfig) -> bool {
        let mut started = false;
        self.scrubber.get_or_init(|| {
            started = true;
            let arbiter = Arbiter::new();
            let reader = self.reader.clone();
            let client = ScrubClient::start(&arbiter.handle(), reader, cfg);
            self.arbiters
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(0, (None, arbiter));
            client
        });
        started
    }

    /// Runs a full scrub pass (after the one in progress, if any) and
    /// answers what it found. Without a scrubber, starts one that only
    /// runs passes asked for, unthrottled.
    pub async fn scrub_now(&self) -> Result<ScrubReport, StorageError> {
        self.start_scrubber(ScrubConfig::MANUAL);
        let scrubber = self.scrubber.get().ok_or(StorageError::Stopped)?;
        scrubber.scrub_now().await
    }
}

impl StorageNode {
    /// Syncs, stops the writers and then the syncer, and waits for their threads,
    /// so the data directory can be opened again (by a restart or a test).
    pub async fn shutdown(self) -> Result<(), StorageError> {
        let synced = self.sync_now().await;
        let arbiters =
            std::mem::take(&mut *self.arbiters.lock().unwrap_or_else(|e| e.into_inner()));
        drop(self);
        actix_web::rt::task::spawn_blocking(move || {
            for (_, arbiter) in arbiters {
                arbiter.stop();
                let _ = arbiter.join();
            }
        })
        .await
        .map_err(|_| StorageError::Stopped)?;
        synced.map(|_| ())
    }
}
