//! One volume (a directory, normally one disk): its WAL and its writer state.
//!
//! A `Volume` is owned by exactly one thread (the volume's WAL writer actor),
//! so appends are ordered and never interleave. A shard write reserves every
//! record it needs up front, contiguously, writes the headers at once, then
//! fills the payload as chunks arrive: another shard's write can proceed in
//! between, but the bytes of two shards never mix. The volume never calls
//! fsync; it publishes finished appends to the node's [`SyncState`].

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::{self, File};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::durability::SyncState;
use super::record::{max_payload_in, record_disk_size, Padding, RecordHeader, ALIGN, HEADER_LEN};
use super::recovery::Recovery;
use super::segment::{
    create_segment, list_segments, open_segment, scan_segment, segment_path, wal_dir, SegmentFiles,
    SegmentHandle, SEGMENT_HEADER_LEN,
};
use super::shard_write::{Abandoned, PlannedExtent, ShardWrite, WriteId, DIRECT_MIN_BYTES};
use super::space::{self, Region};
use crate::metrics;
use crate::storage::error::StorageError;
use crate::storage::index::{Position, SegmentId, ShardEntry, ShardIndex, VolumeId};
use crate::storage::shard_key::ShardKey;

mod compaction;

/// Sizes and thresholds of a volume's log.
#[derive(Clone, Copy, Debug)]
pub struct VolumeConfig {
    /// Size of every segment file; no segment grows past it. Its blocks
    /// are allocated as shards reserve them.
    pub segment_bytes: u64,
    /// Payload bytes per CRC-checked fragment.
    pub fragment_bytes: u32,
    /// A sealed segment whose live bytes fall below this fraction of its
    /// size is compacted.
    pub compact_below: f64,
    /// Largest shard accepted; a larger declared length is refused before
    /// any space is reserved.
    pub max_shard_bytes: u64,
}

impl VolumeConfig {
    /// The smallest segment that holds a header and one record of a full
    /// fragment.
    pub fn min_segment_bytes(fragment_bytes: u32) -> u64 {
        let frag = u64::from(fragment_bytes);
        SEGMENT_HEADER_LEN + record_disk_size(frag, fragment_bytes, Padding::NONE) + 2 * ALIGN
    }
}

/// A finished append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Node-wide sequence number; durable once the syncer's synced number
    /// reaches it.
    pub seq: u64,
    /// CRC32C of the whole shard (0 for a delete).
    pub crc: u32,
}

struct ActiveSegment {
    id: SegmentId,
    file: Arc<File>,
    direct: Option<Arc<File>>,
    end: u64,
}

/// What one compaction pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompactionReport {
    /// Segments whose live records were copied forward.
    pub segments_compacted: u64,
    /// Shards copied.
    pub shards_moved: u64,
    /// Payload bytes copied.
    pub bytes_moved: u64,
}

/// A compaction copy of `key`: the index moves from `old` to `new` once
/// the copy (append `seq`) is durable, never before.
struct PendingSwap {
    key: ShardKey,
    old: ShardEntry,
    new: ShardEntry,
    seq: u64,
}

/// A segment part-way through compaction.
struct SegmentCompaction {
    seg: SegmentId,
    /// Shards still to copy forward, the next one last.
    keys: Vec<ShardKey>,
    /// Whether every shard so far was copied (none found corrupt).
    copied_all: bool,
}

/// Where a compacted segment is on its way to deletion.
#[derive(Clone, Copy, Debug)]
enum Release {
    /// Its records were copied; the copies are durable once `synced` reaches this.
    Copied(u64),
    /// The index points at the copies; that is durable once `synced` reaches this.
    Swapped(u64),
}

/// A volume's WAL, owned by its writer.
pub struct Volume {
    id: VolumeId,
    dir: PathBuf,
    cfg: VolumeConfig,
    index: ShardIndex,
    files: Arc<SegmentFiles>,
    sync: Arc<SyncState>,
    active: ActiveSegment,
    writes: HashMap<WriteId, OpenWrite>,
    next_write: WriteId,
    open_starts: BTreeMap<Position, usize>,
    segments: BTreeSet<SegmentId>,
    live: HashMap<SegmentId, u64>,
    /// Compaction copies waiting to be durable before the index points at them.
    swaps: Vec<PendingSwap>,
    /// Compacted segments on their way to deletion.
    releasing: Vec<(SegmentId, Release)>,
    /// Segments compaction could not empty (a corrupt shard): left alone.
    uncopyable: HashSet<SegmentId>,
    /// The segment being compacted, when a slice stopped part-way.
    compacting: Option<SegmentCompaction>,
    abandoned: Abandoned,
    /// What this volume last added to `predastore_wal_reclaimable_bytes`.
    reported_reclaimable: i64,
}

/// A shard write in progress: where its records start (the frontier
/// cannot pass it) and the payload blocks allocated for it (given back
/// at once if the write is given up).
struct OpenWrite {
    start: Position,
    payload: Vec<Region>,
}

impl Volume {
    /// Opens a volume directory, recovering its log: records after the
    /// index checkpoint are re-checked and re-indexed, a torn or corrupt
    /// tail is truncated, and appends continue in a fresh segment.
    pub fn open(
        id: VolumeId,
        dir: &Path,
        cfg: VolumeConfig,
        index: ShardIndex,
        files: Arc<SegmentFiles>,
        sync: Arc<SyncState>,
    ) -> Result<Self, StorageError> {
        fs::create_dir_all(wal_dir(dir))?;
        let ids = list_segments(dir)?;
        let checkpoint = index.checkpoint(id)?.unwrap_or(Position {
            segment: 0,
            offset: 0,
        });
        let mut recovery = Recovery::new(id, &index);
        let mut segments = BTreeSet::new();
        for &seg in &ids {
            let file = open_segment(dir, seg)?;
            if seg >= checkpoint.segment {
                let from = if seg == checkpoint.segment {
                    checkpoint.offset
                } else {
                    0
                };
                let scan = scan_segment(&file, seg, from)?;
                for rec in &scan.records {
                    recovery.apply(seg, rec)?;
                }
                if !scan.has_header {
                    if index.extents_in(id, seg)?.is_empty() {
                        // Not even a segment header: a file created just before a crash.
                        drop(file);
                        fs::remove_file(segment_path(dir, seg))?;
                        continue;
                    }
                    // Damaged, but the index points into it: keep every byte;
                    // reads report what is corrupt.
                    tracing::error!(volume = id, segment = seg, "segment header is damaged");
                } else if scan.valid_end < file.metadata()?.len() {
                    tracing::info!(
                        volume = id,
                        segment = seg,
                        at = scan.valid_end,
                        "truncating WAL tail"
                    );
                    file.set_len(scan.valid_end)?;
                    file.sync_all()?;
                }
            }
            files.insert(id, seg, SegmentHandle::new(file));
            segments.insert(seg);
        }
        recovery.drop_unconfirmed(checkpoint)?;

        let next = ids.last().map_or(1, |last| last + 1);
        let handle = SegmentHandle::new(create_segment(dir, next, cfg.segment_bytes)?);
        files.insert(id, next, handle.clone());
        segments.insert(next);
        let start = Position {
            segment: next,
            offset: SEGMENT_HEADER_LEN,
        };
        index.set_checkpoints(&[(id, start)])?;
        index.persist(true)?;
        sync.seed_checkpoint(id, start);

        let mut live: HashMap<SegmentId, u64> = HashMap::new();
        for owner in index.extents_from(
            id,
            Position {
                segment: 0,
                offset: 0,
            },
        )? {
            *live.entry(owner.at.segment).or_default() += owner.disk_size;
        }
        metrics::WAL_SEGMENTS_LIVE.add(segments.len() as i64);
        let mut volume = Self {
            id,
            dir: dir.to_path_buf(),
            cfg,
            index,
            files,
            sync,
            active: ActiveSegment {
                id: next,
                direct: handle.direct(),
                file: handle.file,
                end: SEGMENT_HEADER_LEN,
            },
            writes: HashMap::new(),
            next_write: 1,
            open_starts: BTreeMap::new(),
            segments,
            live,
            swaps: Vec::new(),
            releasing: Vec::new(),
            uncopyable: HashSet::new(),
            compacting: None,
            abandoned: Abandoned::default(),
            reported_reclaimable: 0,
        };
        // Sealed segments without a live record (all deleted or torn) can go
        // now: the checkpoint just persisted is past all of them.
        let empty: Vec<SegmentId> = volume
            .segments
            .iter()
            .copied()
            .filter(|s| *s < next && volume.live.get(s).copied().unwrap_or(0) == 0)
            .collect();
        for seg in empty {
            volume.unlink(seg)?;
        }
        Ok(volume)
    }

    /// This volume's number.
    pub fn id(&self) -> VolumeId {
        self.id
    }

    /// Segment files currently on disk.
    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Reserves the records for a shard of `len` bytes and writes their
    /// headers. The caller writes the payload into the returned
    /// [`ShardWrite`] and hands it back to [`Volume::finish_shard`].
    pub fn begin_shard(&mut self, key: ShardKey, len: u64) -> Result<ShardWrite, StorageError> {
        self.reap_abandoned();
        if self.sync.has_failed() {
            return Err(StorageError::SyncFailed);
        }
        if len > self.cfg.max_shard_bytes {
            return Err(StorageError::TooLarge {
                len,
                max: self.cfg.max_shard_bytes,
            });
        }
        let frag = self.cfg.fragment_bytes;
        let aligned = len >= DIRECT_MIN_BYTES;
        let mut extents = Vec::new();
        let mut offset = 0u64;
        let mut fresh_segment = false;
        loop {
            let left = len - offset;
            let start = self.active.end;
            let space = self.cfg.segment_bytes - start;
            let layout = |take: u64| {
                let h = RecordHeader::extent(key, len, offset, take, frag);
                if aligned {
                    h.aligned_at(start)
                } else {
                    h
                }
            };
            let fit = max_payload_in(space, frag, aligned);
            let header = if layout(left).disk_size() <= space {
                layout(left)
            } else if fit >= u64::from(frag) || (fresh_segment && fit > 0) {
                layout(fit.min(left))
            } else if !fresh_segment {
                self.roll_over()?;
                fresh_segment = true;
                continue;
            } else {
                return Err(std::io::Error::other("segment too small for one fragment").into());
            };
            fresh_segment = false;
            let at = self.reserve(&header)?;
            let direct = self.active.direct.clone().filter(|_| aligned);
            extents.push(PlannedExtent::new(
                at,
                header,
                self.active.file.clone(),
                direct,
            ));
            offset += header.extent_len;
            if offset == len {
                break;
            }
        }
        let payload: Vec<Region> = extents
            .iter()
            .map(|e| Region {
                file: e.file.clone(),
                offset: e.extent.at.offset + e.header.payload_offset(),
                len: e.extent.disk_size - e.header.payload_offset(),
            })
            .collect();
        let start = extents[0].extent.at;
        // The shard's blocks now, so a full disk fails it before its body
        // is streamed; the records reserved stay behind as dead space.
        if let Err(e) = payload.iter().try_for_each(space::allocate) {
            self.discard(OpenWrite { start, payload });
            return Err(e.into());
        }
        *self.open_starts.entry(start).or_default() += 1;
        let id = self.next_write;
        self.next_write += 1;
        self.writes.insert(id, OpenWrite { start, payload });
        Ok(ShardWrite::new(
            id,
            key,
            len,
            frag,
            extents,
            self.abandoned.clone(),
        ))
    }

    /// Completes a shard write: CRC tables, index entry, publication.
    pub fn finish_shard(&mut self, w: ShardWrite) -> Result<Appended, StorageError> {
        let entry = self.complete(w)?;
        let key = entry.0;
        self.index_put(&key, &entry.1)?;
        self.publish(&entry.1, entry.2)
    }

    /// Completes a shard copied here from another of the node's volumes,
    /// if the index still names the copy it was read from (`from`);
    /// `None`, the write dropped, if the shard was deleted or written
    /// again meanwhile (a move never brings back what a delete removed).
    pub fn finish_move(
        &mut self,
        w: ShardWrite,
        from: &ShardEntry,
    ) -> Result<Option<Appended>, StorageError> {
        let index = self.index.clone();
        let held = index.lock_key(&w.key);
        if self.index.get(&w.key)?.as_ref() != Some(from) {
            drop(held);
            drop(w);
            self.reap_abandoned();
            return Ok(None);
        }
        let (key, entry, files) = self.complete(w)?;
        self.index_put(&key, &entry)?;
        drop(held);
        self.publish(&entry, files).map(Some)
    }

    /// Gives back the live bytes of `entry`, the copy of `key` this volume
    /// held before the node moved it to another volume, once the index no
    /// longer names it: compaction can then take its segment.
    pub fn forget_copy(&mut self, key: &ShardKey, entry: &ShardEntry) -> Result<(), StorageError> {
        if entry.volume == self.id && self.index.get(key)?.as_ref() != Some(entry) {
            self.forget_live(entry);
        }
        Ok(())
    }

    /// Checks a write is whole and writes its CRC tables; the entry that
    /// will point at it and the files it touched.
    fn complete(
        &mut self,
        mut w: ShardWrite,
    ) -> Result<(ShardKey, ShardEntry, Vec<Arc<File>>), StorageError> {
        w.settled = true;
        let Some(open) = self.take_write(w.id) else {
            return Err(StorageError::UnknownWrite(w.id));
        };
        if w.written != w.len {
            self.discard(open);
            return Err(StorageError::LengthMismatch {
                expected: w.len,
                got: w.written,
            });
        }
        self.sync.update_frontier(self.id, self.frontier());
        for e in &w.extents {
            let table: Vec<u8> = e.crcs.iter().flat_map(|c| c.to_le_bytes()).collect();
            e.file
                .write_all_at(&table, e.extent.at.offset + HEADER_LEN)?;
        }
        let entry = ShardEntry {
            volume: self.id,
            len: w.len,
            crc: w.crc,
            fragment_bytes: self.cfg.fragment_bytes,
            extents: w.extents.iter().map(|e| e.extent).collect(),
        };
        let files = w.extents.iter().map(|e| e.file.clone()).collect();
        Ok((w.key, entry, files))
    }

    /// Publishes a completed shard's records to the syncer.
    fn publish(
        &mut self,
        entry: &ShardEntry,
        files: Vec<Arc<File>>,
    ) -> Result<Appended, StorageError> {
        let n = entry.extents.len();
        for (e, f) in entry.extents.iter().zip(&files).take(n - 1) {
            self.sync.mark_dirty(self.id, e.at.segment, f);
        }
        let seq = self.sync.publish(
            self.id,
            entry.extents[n - 1].at.segment,
            &files[n - 1],
            self.frontier(),
            entry.len,
        )?;
        metrics::WAL_APPENDED_BYTES.inc_by(entry.len);
        metrics::WAL_RECORDS.inc_by(n as u64);
        Ok(Appended {
            seq,
            crc: entry.crc,
        })
    }

    /// Gives up a shard write: the blocks of its payload go back to the
    /// filesystem at once; its reserved records stay behind (headers
    /// intact, payload zeros) as dead space that recovery skips and
    /// compaction deletes with their segment.
    pub fn abort_shard(&mut self, id: WriteId) {
        if let Some(open) = self.take_write(id) {
            self.discard(open);
        }
    }

    /// Frees the payload blocks of a write that will never complete, and
    /// has the frontier it held back persisted: otherwise, with no append
    /// after it, the persisted checkpoint would stay behind the segments
    /// the write filled and compaction would never qualify them.
    fn discard(&mut self, open: OpenWrite) {
        for region in &open.payload {
            space::release(region);
        }
        // An append-less publication: the syncer's next round persists the
        // frontier now past the write.
        let marker = self.sync.publish(
            self.id,
            self.active.id,
            &self.active.file,
            self.frontier(),
            0,
        );
        if marker.is_err() {
            self.sync.update_frontier(self.id, self.frontier());
        }
    }

    /// Aborts the writes whose callers dropped them.
    fn reap_abandoned(&mut self) {
        for id in self.abandoned.take() {
            self.abort_shard(id);
        }
    }

    /// Writes a tombstone for `key` and forgets its extents. `None` if the
    /// shard was not stored on this volume.
    pub fn delete_shard(&mut self, key: ShardKey) -> Result<Option<Appended>, StorageError> {
        self.reap_abandoned();
        if self.sync.has_failed() {
            return Err(StorageError::SyncFailed);
        }
        let index = self.index.clone();
        let _held = index.lock_key(&key);
        let Some(entry) = self.index.get(&key)?.filter(|e| e.volume == self.id) else {
            return Ok(None);
        };
        let header = RecordHeader::tombstone(key, self.cfg.fragment_bytes);
        if header.disk_size() > self.cfg.segment_bytes - self.active.end {
            self.roll_over()?;
        }
        self.reserve(&header)?;
        self.index.remove(&key, &entry)?;
        self.forget_live(&entry);
        let seq = self.sync.publish(
            self.id,
            self.active.id,
            &self.active.file,
            self.frontier(),
            0,
        )?;
        metrics::WAL_RECORDS.inc();
        Ok(Some(Appended { seq, crc: 0 }))
    }

    /// Bytes appended on this node and not yet taken by a sync.
    pub fn pending_sync_bytes(&self) -> u64 {
        self.sync.pending_bytes()
    }

    /// Bytes the segment files take on disk that no shard needs: records
    /// of deleted, replaced or abandoned shards that compaction has not
    /// given back yet (writes in progress are not counted).
    pub fn reclaimable_bytes(&self) -> u64 {
        let allocated: u64 = self
            .segments
            .iter()
            .filter_map(|&seg| self.files.get(self.id, seg))
            .map(|handle| space::allocated_bytes(&handle.file))
            .sum();
        let live: u64 = self.live.values().sum();
        let open: u64 = self
            .writes
            .values()
            .flat_map(|w| w.payload.iter().map(|r| r.len))
            .sum();
        allocated.saturating_sub(live + open)
    }

    /// Publishes [`Volume::reclaimable_bytes`] in the node's
    /// `predastore_wal_reclaimable_bytes` (the sum over its volumes).
    pub fn report_reclaimable(&mut self) {
        let now = i64::try_from(self.reclaimable_bytes()).unwrap_or(i64::MAX);
        metrics::WAL_RECLAIMABLE_BYTES.add(now - self.reported_reclaimable);
        self.reported_reclaimable = now;
    }

    fn index_put(&mut self, key: &ShardKey, entry: &ShardEntry) -> Result<(), StorageError> {
        let replaced = self.index.get(key)?;
        self.index.put(key, entry, replaced.as_ref())?;
        if let Some(old) = replaced.filter(|o| o.volume == self.id) {
            self.forget_live(&old);
        }
        for e in &entry.extents {
            *self.live.entry(e.at.segment).or_default() += e.disk_size;
        }
        Ok(())
    }

    fn forget_live(&mut self, entry: &ShardEntry) {
        for e in &entry.extents {
            if let Some(live) = self.live.get_mut(&e.at.segment) {
                *live = live.saturating_sub(e.disk_size);
            }
        }
    }

    /// Forgets a write in progress; `None` if there was none.
    fn take_write(&mut self, id: WriteId) -> Option<OpenWrite> {
        let open = self.writes.remove(&id)?;
        if let Some(n) = self.open_starts.get_mut(&open.start) {
            *n -= 1;
            if *n == 0 {
                self.open_starts.remove(&open.start);
            }
        }
        Some(open)
    }

    /// The position before which every record is complete.
    fn frontier(&self) -> Position {
        self.open_starts.keys().next().copied().unwrap_or(Position {
            segment: self.active.id,
            offset: self.active.end,
        })
    }

    /// Writes a record header at the end of the active segment.
    fn reserve(&mut self, header: &RecordHeader) -> Result<Position, StorageError> {
        let at = Position {
            segment: self.active.id,
            offset: self.active.end,
        };
        self.active.file.write_all_at(&header.encode(), at.offset)?;
        self.active.end += header.disk_size();
        // The header must be durable before any later record is acknowledged,
        // or recovery could not step over this record.
        self.sync.mark_dirty(self.id, at.segment, &self.active.file);
        Ok(at)
    }

    fn roll_over(&mut self) -> Result<(), StorageError> {
        let next = self.active.id + 1;
        let file = create_segment(&self.dir, next, self.cfg.segment_bytes)?;
        let handle = SegmentHandle::new(file);
        self.files.insert(self.id, next, handle.clone());
        self.segments.insert(next);
        metrics::WAL_SEGMENTS_LIVE.inc();
        self.active = ActiveSegment {
            id: next,
            direct: handle.direct(),
            file: handle.file,
            end: SEGMENT_HEADER_LEN,
        };
        Ok(())
    }

    fn unlink(&mut self, seg: SegmentId) -> Result<(), StorageError> {
        self.files.remove(self.id, seg);
        for owner in self.index.extents_in(self.id, seg)? {
            // Stale reverse-map entries only: live ones were copied forward.
            self.index.remove_extent(self.id, owner.at)?;
        }
        fs::remove_file(segment_path(&self.dir, seg))?;
        self.segments.remove(&seg);
        self.live.remove(&seg);
        metrics::WAL_SEGMENTS_LIVE.dec();
        Ok(())
    }
}
