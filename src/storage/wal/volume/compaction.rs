//! Compaction: the live records of sparse sealed segments are copied
//! forward so the segments can be deleted. The index moves to a copy only
//! once the copy is durable, and a segment is deleted only once that move
//! is durable too, so a crash at any point leaves every shard readable.
//! The writer compacts a slice at a time ([`Volume::compact_bytes`]), so a
//! write waiting on it never waits for a whole segment to be copied.

use std::collections::HashSet;

use super::{CompactionReport, PendingSwap, Release, SegmentCompaction, Volume};
use crate::metrics;
use crate::storage::error::StorageError;
use crate::storage::index::{SegmentId, ShardEntry};
use crate::storage::shard_key::ShardKey;
use crate::storage::wal::reader::read_extent_range;
use crate::storage::wal::shard_write::ShardWrite;

impl Volume {
    /// Copies the live records of sparse sealed segments forward until
    /// `max_segments` segments are done. Only segments before the last
    /// persisted checkpoint qualify (recovery never rescans them). The index
    /// moves to the copies once they are durable, and the segment is deleted
    /// once that move is durable too: see [`Volume::release_synced`].
    pub fn compact(&mut self, max_segments: usize) -> Result<CompactionReport, StorageError> {
        self.compact_within(max_segments, u64::MAX)
    }

    /// Compacts like [`Volume::compact`] but stops once about `max_bytes`
    /// are copied (a shard is never split, so the last one may go over),
    /// and the next call goes on where this one stopped: the writer copies
    /// a slice at a time, so the writes waiting on it never wait for a
    /// whole segment.
    pub fn compact_bytes(&mut self, max_bytes: u64) -> Result<CompactionReport, StorageError> {
        self.compact_within(usize::MAX, max_bytes)
    }

    /// Whether a segment is part-way through compaction.
    pub fn compaction_in_progress(&self) -> bool {
        self.compacting.is_some()
    }

    fn compact_within(
        &mut self,
        max_segments: usize,
        max_bytes: u64,
    ) -> Result<CompactionReport, StorageError> {
        self.reap_abandoned();
        let mut report = CompactionReport::default();
        let mut finished = 0;
        while finished < max_segments && report.bytes_moved < max_bytes {
            let job = match self.compacting.take() {
                Some(job) => job,
                None => match self.next_victim()? {
                    Some(job) => job,
                    None => break,
                },
            };
            let Some(job) = self.compact_some(job, max_bytes, &mut report)? else {
                finished += 1;
                continue;
            };
            self.compacting = Some(job);
        }
        Ok(report)
    }

    /// The oldest sealed segment that qualifies for compaction, with the
    /// shards it holds.
    fn next_victim(&self) -> Result<Option<SegmentCompaction>, StorageError> {
        let Some(durable) = self.sync.persisted_checkpoint(self.id) else {
            return Ok(None);
        };
        let busy: HashSet<SegmentId> = self.releasing.iter().map(|(s, _)| *s).collect();
        let threshold = (self.cfg.segment_bytes as f64 * self.cfg.compact_below) as u64;
        let Some(seg) = self
            .segments
            .iter()
            .copied()
            .filter(|s| *s < durable.segment && *s < self.active.id)
            .filter(|s| !busy.contains(s) && !self.uncopyable.contains(s))
            .find(|s| self.live.get(s).copied().unwrap_or(0) < threshold)
        else {
            return Ok(None);
        };
        let mut keys: Vec<ShardKey> = self
            .index
            .extents_in(self.id, seg)?
            .into_iter()
            .map(|o| o.key)
            .collect();
        keys.dedup();
        // Copied in index order, taken from the back.
        keys.reverse();
        Ok(Some(SegmentCompaction {
            seg,
            keys,
            copied_all: true,
        }))
    }

    /// Copies `job`'s shards forward until `report` reaches `max_bytes`;
    /// the job back if shards are left, `None` once its segment is done
    /// (on its way to deletion, or left alone for a corrupt shard).
    fn compact_some(
        &mut self,
        mut job: SegmentCompaction,
        max_bytes: u64,
        report: &mut CompactionReport,
    ) -> Result<Option<SegmentCompaction>, StorageError> {
        while report.bytes_moved < max_bytes {
            let Some(key) = job.keys.pop() else {
                if job.copied_all {
                    self.releasing
                        .push((job.seg, Release::Copied(self.sync.appended())));
                    report.segments_compacted += 1;
                } else {
                    self.uncopyable.insert(job.seg);
                }
                return Ok(None);
            };
            match self.copy_forward(key, job.seg) {
                Ok(moved) => {
                    report.shards_moved += u64::from(moved > 0);
                    report.bytes_moved += moved;
                }
                Err(e @ StorageError::Corrupt { .. }) => {
                    // Keep the segment: the damaged shard is repaired
                    // from its other shards, not by losing it here.
                    tracing::warn!(volume = self.id, segment = job.seg, error = %e, "compaction found corrupt shard");
                    job.copied_all = false;
                }
                Err(e) => {
                    // Tried again next time, after the shards already copied.
                    job.keys.push(key);
                    self.compacting = Some(job);
                    return Err(e);
                }
            }
        }
        Ok(Some(job))
    }

    /// Moves the index to compaction copies that are now durable, and
    /// deletes compacted segments once that move is durable. Answers how
    /// many segments are still on their way.
    pub fn release_synced(&mut self) -> Result<usize, StorageError> {
        self.reap_abandoned();
        let synced = self.sync.synced();
        let (ready, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.swaps)
            .into_iter()
            .partition(|swap| swap.seq <= synced);
        self.swaps = waiting;
        for swap in ready {
            // Unless the shard was deleted, replaced or moved to another
            // volume meanwhile.
            let index = self.index.clone();
            let _held = index.lock_key(&swap.key);
            if self.index.get(&swap.key)?.as_ref() == Some(&swap.old) {
                self.index_put(&swap.key, &swap.new)?;
            }
        }
        let mut marker = None;
        let mut still = Vec::new();
        for (seg, stage) in std::mem::take(&mut self.releasing) {
            match stage {
                Release::Copied(seq) if seq <= synced => {
                    if self.live.get(&seg).copied().unwrap_or(0) > 0 {
                        // Something could not move; compaction may try again.
                        continue;
                    }
                    let marker = match marker {
                        Some(m) => m,
                        None => {
                            // An append-less publication whose sync also
                            // persists the index moves made above.
                            let m = self.sync.publish(
                                self.id,
                                self.active.id,
                                &self.active.file,
                                self.frontier(),
                                0,
                            )?;
                            marker = Some(m);
                            m
                        }
                    };
                    still.push((seg, Release::Swapped(marker)));
                }
                Release::Swapped(seq) if seq <= synced => {
                    self.unlink(seg)?;
                    metrics::WAL_SEGMENTS_RECLAIMED.inc();
                }
                other => still.push((seg, other)),
            }
        }
        self.releasing = still;
        Ok(self.releasing.len())
    }

    /// Segments compacted and waiting for a sync before deletion.
    pub fn segments_awaiting_release(&self) -> usize {
        self.releasing.len()
    }

    fn copy_forward(&mut self, key: ShardKey, seg: SegmentId) -> Result<u64, StorageError> {
        let Some(entry) = self.index.get(&key)?.filter(|e| e.volume == self.id) else {
            return Ok(0);
        };
        if !entry.extents.iter().any(|e| e.at.segment == seg) {
            return Ok(0);
        }
        let mut write = self.begin_shard(key, entry.len)?;
        if let Err(e) = self.copy_payload(&mut write, key, &entry) {
            self.abort_shard(write.id());
            self.index.note_read_error(&key, &entry, &e);
            return Err(e);
        }
        let (_, new, files) = self.complete(write)?;
        let seq = self.publish(&new, files)?.seq;
        self.swaps.push(PendingSwap {
            key,
            old: entry.clone(),
            new,
            seq,
        });
        Ok(entry.len)
    }

    fn copy_payload(
        &self,
        write: &mut ShardWrite,
        key: ShardKey,
        entry: &ShardEntry,
    ) -> Result<(), StorageError> {
        let step = u64::from(self.cfg.fragment_bytes) * 16;
        for e in &entry.extents {
            let segment = self
                .files
                .get(self.id, e.at.segment)
                .ok_or(StorageError::NotFound(key))?;
            let mut pos = 0;
            while pos < e.len {
                let end = (pos + step).min(e.len);
                let piece = read_extent_range(&segment, &key, e, entry.fragment_bytes, pos..end)?;
                write.write(&piece)?;
                pos = end;
            }
        }
        Ok(())
    }
}
