//! The shard index: where every shard's bytes are, kept in fjall.
//!
//! Five keyspaces:
//! - `shards`: shard key → [`ShardEntry`] (volume, length, CRC, extents);
//! - `extents`: (volume, segment, offset) → shard key and record size, the
//!   reverse map that compaction walks and recovery checks;
//! - `checkpoints`: volume → the log position up to which this index is
//!   known to match the segments;
//! - `corrupt`: shard key → [`CorruptMark`], the shards a read or the
//!   scrubber found damaged (cleared when the key is written or deleted);
//! - `scrub`: the scrubber's last completed pass ([`ScrubRecord`]).
//!
//! The index is written as records are appended but only made durable by
//! the syncer, after the segments it points into were synced.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use fjall::{Database, Keyspace};

use super::entry::{Position, Reader, SegmentId, ShardEntry, VolumeId};
use super::marks::{CorruptMark, ScrubRecord};
use crate::metrics;
use crate::storage::error::StorageError;
use crate::storage::keyspace::{fjall_builder, keyspace_options, persist_mode};
use crate::storage::shard_key::ShardKey;

const CHECKPOINT_VERSION: u8 = 1;

/// An entry of the reverse map: which shard a record belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExtentOwner {
    /// Where the record starts.
    pub at: Position,
    /// The shard it belongs to.
    pub key: ShardKey,
    /// Bytes the record occupies on disk.
    pub disk_size: u64,
}

fn extent_key(volume: VolumeId, at: Position) -> [u8; 18] {
    let mut k = [0u8; 18];
    k[..2].copy_from_slice(&volume.to_be_bytes());
    k[2..10].copy_from_slice(&at.segment.to_be_bytes());
    k[10..18].copy_from_slice(&at.offset.to_be_bytes());
    k
}

fn decode_owner(k: &[u8], v: &[u8]) -> Result<ExtentOwner, StorageError> {
    let damaged = StorageError::IndexDamaged("extent map entry is damaged");
    let (Some(k), true) = (k.get(2..18), v.len() == ShardKey::LEN + 8) else {
        return Err(damaged);
    };
    let (segment, offset) = k.split_at(8);
    let be = |b: &[u8]| b.try_into().map(u64::from_be_bytes);
    let (Ok(segment), Ok(offset)) = (be(segment), be(offset)) else {
        return Err(damaged);
    };
    let key = ShardKey::decode(&v[..ShardKey::LEN]).ok_or(damaged)?;
    let disk_size = Reader(&v[ShardKey::LEN..]).u64()?;
    Ok(ExtentOwner {
        at: Position { segment, offset },
        key,
        disk_size,
    })
}

/// Up to `limit` shard keys of `keyspace` strictly after `after`.
fn list_keys(
    keyspace: &Keyspace,
    after: Option<&ShardKey>,
    limit: usize,
) -> Result<Vec<ShardKey>, StorageError> {
    use std::ops::Bound;
    let start = match after {
        Some(k) => Bound::Excluded(k.encode()),
        None => Bound::Unbounded,
    };
    let mut out = Vec::with_capacity(limit.min(1024));
    if limit == 0 {
        return Ok(out);
    }
    for guard in keyspace.range((start, Bound::Unbounded)) {
        let k = guard.key()?;
        out.push(ShardKey::decode(&k).ok_or(StorageError::IndexDamaged("shard key is damaged"))?);
        if out.len() == limit {
            break;
        }
    }
    Ok(out)
}

/// Handle to the shard index; cheap to clone and safe to share.
#[derive(Clone)]
pub struct ShardIndex {
    db: Database,
    shards: Keyspace,
    extents: Keyspace,
    checkpoints: Keyspace,
    corrupt: Keyspace,
    scrub: Keyspace,
    /// Locks that make a look-then-change of one shard's entry atomic
    /// across the node's volume writers (each runs on its own thread): a
    /// shard moved to another volume against its delete, or against
    /// compaction's swap of it. Striped by key.
    key_locks: Arc<[Mutex<()>; KEY_LOCKS]>,
}

/// Stripes of [`ShardIndex::lock_key`].
const KEY_LOCKS: usize = 64;

/// Key of the scrubber's record in the `scrub` keyspace.
const SCRUB_RECORD_KEY: &[u8] = b"last-pass";

impl ShardIndex {
    /// Opens (or creates) the index in `dir`. fjall never syncs on its own
    /// here: durability is the syncer's job.
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        let db = fjall_builder(dir).manual_journal_persist(true).open()?;
        let shards = db.keyspace("shards", keyspace_options)?;
        let extents = db.keyspace("extents", keyspace_options)?;
        let checkpoints = db.keyspace("checkpoints", keyspace_options)?;
        let corrupt = db.keyspace("corrupt", keyspace_options)?;
        let scrub = db.keyspace("scrub", keyspace_options)?;
        let index = Self {
            db,
            shards,
            extents,
            checkpoints,
            corrupt,
            scrub,
            key_locks: Arc::new(std::array::from_fn(|_| Mutex::new(()))),
        };
        metrics::SHARDS_MARKED_CORRUPT.set(index.corrupt_count()? as i64);
        index.count_stored()?;
        Ok(index)
    }

    /// Holds `key`'s entry for a look-then-change that another volume's
    /// writer must not come between (held over index calls and at most a
    /// record's CRC tables, never over a shard's payload).
    pub fn lock_key(&self, key: &ShardKey) -> MutexGuard<'_, ()> {
        let stripe = (key.object.0 as usize)
            .wrapping_add(key.part as usize)
            .wrapping_add(usize::from(key.shard))
            % KEY_LOCKS;
        self.key_locks[stripe]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Looks a shard up.
    pub fn get(&self, key: &ShardKey) -> Result<Option<ShardEntry>, StorageError> {
        match self.shards.get(key.encode())? {
            Some(v) => Ok(Some(ShardEntry::decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Records `entry` for `key` atomically, dropping the reverse-map
    /// entries of the extents it replaces.
    pub fn put(
        &self,
        key: &ShardKey,
        entry: &ShardEntry,
        replaced: Option<&ShardEntry>,
    ) -> Result<(), StorageError> {
        let mut batch = self.db.batch();
        if let Some(old) = replaced {
            for e in &old.extents {
                batch.remove(&self.extents, extent_key(old.volume, e.at));
            }
        }
        batch.insert(&self.shards, key.encode(), entry.encode());
        for e in &entry.extents {
            let mut v = Vec::with_capacity(ShardKey::LEN + 8);
            v.extend_from_slice(&key.encode());
            v.extend_from_slice(&e.disk_size.to_le_bytes());
            batch.insert(&self.extents, extent_key(entry.volume, e.at), v);
        }
        let cleared = self.clear_mark(&mut batch, key)?;
        batch.commit()?;
        if cleared {
            metrics::SHARDS_MARKED_CORRUPT.dec();
        }
        match replaced {
            None => {
                metrics::SHARDS_STORED.inc();
                metrics::SHARD_BYTES_STORED.add(gauge_bytes(entry.len));
            }
            Some(old) => {
                metrics::SHARD_BYTES_STORED.add(gauge_bytes(entry.len) - gauge_bytes(old.len))
            }
        }
        Ok(())
    }

    /// Forgets a shard, its extents and any corrupt mark.
    pub fn remove(&self, key: &ShardKey, entry: &ShardEntry) -> Result<(), StorageError> {
        let mut batch = self.db.batch();
        batch.remove(&self.shards, key.encode());
        for e in &entry.extents {
            batch.remove(&self.extents, extent_key(entry.volume, e.at));
        }
        let cleared = self.clear_mark(&mut batch, key)?;
        batch.commit()?;
        if cleared {
            metrics::SHARDS_MARKED_CORRUPT.dec();
        }
        metrics::SHARDS_STORED.dec();
        metrics::SHARD_BYTES_STORED.sub(gauge_bytes(entry.len));
        Ok(())
    }

    /// Sets the stored-shard gauges from the index (once, at open; puts
    /// and removes keep them true from then on).
    fn count_stored(&self) -> Result<(), StorageError> {
        let (mut shards, mut bytes) = (0i64, 0i64);
        for item in self.shards.iter() {
            let value = item.value()?;
            // An entry that does not decode still occupies its key; its
            // bytes are unknown.
            shards += 1;
            bytes += ShardEntry::decode(&value).map_or(0, |e| gauge_bytes(e.len));
        }
        metrics::SHARDS_STORED.set(shards);
        metrics::SHARD_BYTES_STORED.set(bytes);
        Ok(())
    }

    /// Adds the removal of `key`'s corrupt mark to `batch`, if it has one
    /// (a lookup in a keyspace that is almost always empty, rather than a
    /// tombstone on every write).
    fn clear_mark(
        &self,
        batch: &mut fjall::OwnedWriteBatch,
        key: &ShardKey,
    ) -> Result<bool, StorageError> {
        let marked = self.corrupt.contains_key(key.encode())?;
        if marked {
            batch.remove(&self.corrupt, key.encode());
        }
        Ok(marked)
    }

    /// Shard keys in key order strictly after `after` (from the first if
    /// `None`), at most `limit` of them.
    pub fn list(
        &self,
        after: Option<&ShardKey>,
        limit: usize,
    ) -> Result<Vec<ShardKey>, StorageError> {
        list_keys(&self.shards, after, limit)
    }

    /// About how many shards the index holds (for progress gauges).
    pub fn approximate_len(&self) -> usize {
        self.shards.approximate_len()
    }

    /// The corrupt mark of `key`, if it has one.
    pub fn corrupt_mark(&self, key: &ShardKey) -> Result<Option<CorruptMark>, StorageError> {
        match self.corrupt.get(key.encode())? {
            Some(v) => Ok(Some(CorruptMark::decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Marks the copy of `key` that `entry` describes as corrupt; `false`
    /// if it was marked already or `entry` is no longer where the shard is
    /// (it was rewritten or deleted meanwhile: the damage went with it).
    pub fn mark_corrupt(&self, key: &ShardKey, entry: &ShardEntry) -> Result<bool, StorageError> {
        if self.get(key)?.as_ref() != Some(entry) {
            return Ok(false);
        }
        let existing = self.corrupt.get(key.encode())?;
        if let Some(v) = &existing {
            if CorruptMark::decode(v).is_ok_and(|m| m.entry == *entry) {
                return Ok(false);
            }
        }
        self.corrupt
            .insert(key.encode(), CorruptMark::now(entry.clone()).encode())?;
        if existing.is_none() {
            metrics::SHARDS_MARKED_CORRUPT.inc();
        }
        Ok(true)
    }

    /// Keys marked corrupt, in key order strictly after `after`, at most
    /// `limit` (a mark may be stale: [`ShardIndex::stat`] checks it).
    pub fn corrupt_keys(
        &self,
        after: Option<&ShardKey>,
        limit: usize,
    ) -> Result<Vec<ShardKey>, StorageError> {
        list_keys(&self.corrupt, after, limit)
    }

    /// How many shards carry a corrupt mark.
    pub fn corrupt_count(&self) -> Result<usize, StorageError> {
        Ok(self.corrupt.len()?)
    }

    /// The scrubber's last completed pass, if any.
    pub fn scrub_record(&self) -> Result<Option<ScrubRecord>, StorageError> {
        match self.scrub.get(SCRUB_RECORD_KEY)? {
            Some(v) => Ok(Some(ScrubRecord::decode(&v)?)),
            None => Ok(None),
        }
    }

    /// Records a completed scrub pass; durable with the next persist.
    pub fn set_scrub_record(&self, record: &ScrubRecord) -> Result<(), StorageError> {
        self.scrub.insert(SCRUB_RECORD_KEY, record.encode())?;
        Ok(())
    }

    /// Drops one reverse-map entry that no shard owns any more.
    pub fn remove_extent(&self, volume: VolumeId, at: Position) -> Result<(), StorageError> {
        self.extents.remove(extent_key(volume, at))?;
        Ok(())
    }

    /// Every record of `volume` at or after `from`, in log order.
    pub fn extents_from(
        &self,
        volume: VolumeId,
        from: Position,
    ) -> Result<Vec<ExtentOwner>, StorageError> {
        let end = extent_key(
            volume,
            Position {
                segment: u64::MAX,
                offset: u64::MAX,
            },
        );
        self.collect_extents(extent_key(volume, from), end)
    }

    /// Every record of `volume` in one segment, in log order.
    pub fn extents_in(
        &self,
        volume: VolumeId,
        segment: SegmentId,
    ) -> Result<Vec<ExtentOwner>, StorageError> {
        let start = Position { segment, offset: 0 };
        let end = Position {
            segment,
            offset: u64::MAX,
        };
        self.collect_extents(extent_key(volume, start), extent_key(volume, end))
    }

    fn collect_extents(
        &self,
        start: [u8; 18],
        end: [u8; 18],
    ) -> Result<Vec<ExtentOwner>, StorageError> {
        let mut out = Vec::new();
        for guard in self.extents.range(start..=end) {
            let (k, v) = guard.into_inner()?;
            out.push(decode_owner(&k, &v)?);
        }
        Ok(out)
    }

    /// Forgets everything recorded on `volume`: the shards whose entries
    /// name it, its extents and its checkpoint. A new disk takes the slot
    /// of a failed one; what was on the old disk is gone (repair rebuilds
    /// what any object still needs). How many shards it forgot.
    pub fn forget_volume(&self, volume: VolumeId) -> Result<usize, StorageError> {
        let owners = self.extents_from(
            volume,
            Position {
                segment: 0,
                offset: 0,
            },
        )?;
        let mut forgotten = 0;
        for owner in owners {
            match self.get(&owner.key)? {
                // Only while the entry still names the old volume: a
                // shard rebuilt elsewhere meanwhile keeps its new entry
                // (the window between this read and the removal is what
                // is left of that race; repair rebuilds long before an
                // operator swaps the disk).
                Some(entry) if entry.volume == volume => {
                    if self.get(&owner.key)?.as_ref() == Some(&entry) {
                        self.remove(&owner.key, &entry)?;
                        forgotten += 1;
                    }
                }
                // The shard was written again elsewhere: only the
                // extent is left.
                _ => self.remove_extent(volume, owner.at)?,
            }
        }
        self.checkpoints.remove(volume.to_be_bytes())?;
        Ok(forgotten)
    }

    /// The log position up to which the persisted index matches `volume`.
    pub fn checkpoint(&self, volume: VolumeId) -> Result<Option<Position>, StorageError> {
        let Some(v) = self.checkpoints.get(volume.to_be_bytes())? else {
            return Ok(None);
        };
        let mut r = Reader(&v);
        if r.u8()? != CHECKPOINT_VERSION {
            return Err(StorageError::IndexDamaged("unknown checkpoint version"));
        }
        Ok(Some(Position {
            segment: r.u64()?,
            offset: r.u64()?,
        }))
    }

    /// Records checkpoints; they become durable with the next [`ShardIndex::persist`].
    pub fn set_checkpoints(&self, points: &[(VolumeId, Position)]) -> Result<(), StorageError> {
        let mut batch = self.db.batch();
        for (volume, at) in points {
            let mut v = Vec::with_capacity(17);
            v.push(CHECKPOINT_VERSION);
            v.extend_from_slice(&at.segment.to_le_bytes());
            v.extend_from_slice(&at.offset.to_le_bytes());
            batch.insert(&self.checkpoints, volume.to_be_bytes(), v);
        }
        batch.commit()?;
        Ok(())
    }

    /// Makes everything written so far durable (`sync`), or just hands it
    /// to the OS (`!sync`, for `PREDASTORE_FSYNC=off`).
    pub fn persist(&self, sync: bool) -> Result<(), StorageError> {
        self.db.persist(persist_mode(sync))?;
        Ok(())
    }
}

/// A length as a gauge value.
fn gauge_bytes(len: u64) -> i64 {
    i64::try_from(len).unwrap_or(i64::MAX)
}
