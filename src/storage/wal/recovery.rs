//! Recovery of a volume's log when it opens: the records after the
//! index checkpoint are re-checked in log order and re-indexed, and index
//! entries no intact record backs are dropped.

use std::collections::{HashMap, HashSet};

use super::record::RecordKind;
use super::segment::ScannedRecord;
use crate::storage::error::StorageError;
use crate::storage::index::{Extent, Position, SegmentId, ShardEntry, ShardIndex, VolumeId};
use crate::storage::shard_key::ShardKey;

/// Re-indexes the records found after the checkpoint, in log order.
pub(super) struct Recovery<'a> {
    id: VolumeId,
    index: &'a ShardIndex,
    assembling: HashMap<ShardKey, ShardEntry>,
    confirmed: HashSet<Position>,
}

impl<'a> Recovery<'a> {
    /// Recovery of volume `id` into `index`.
    pub(super) fn new(id: VolumeId, index: &'a ShardIndex) -> Self {
        Self {
            id,
            index,
            assembling: HashMap::new(),
            confirmed: HashSet::new(),
        }
    }

    /// Takes the next record of the log (segment `seg`) into account.
    pub(super) fn apply(
        &mut self,
        seg: SegmentId,
        rec: &ScannedRecord,
    ) -> Result<(), StorageError> {
        let key = rec.header.key;
        let at = Position {
            segment: seg,
            offset: rec.offset,
        };
        match (rec.header.kind, rec.intact) {
            (RecordKind::Tombstone, _) => {
                self.assembling.remove(&key);
                if let Some(entry) = self.index.get(&key)?.filter(|e| e.volume == self.id) {
                    self.index.remove(&key, &entry)?;
                }
            }
            (RecordKind::Extent, false) => {
                self.assembling.remove(&key);
            }
            (RecordKind::Extent, true) => {
                let extent = Extent {
                    at,
                    shard_offset: rec.header.extent_offset,
                    len: rec.header.extent_len,
                    disk_size: rec.header.disk_size(),
                };
                if rec.header.extent_offset == 0 {
                    let entry = ShardEntry {
                        volume: self.id,
                        len: rec.header.shard_len,
                        crc: rec.payload_crc,
                        fragment_bytes: rec.header.fragment_bytes,
                        extents: vec![extent],
                    };
                    self.assembling.insert(key, entry);
                } else {
                    let fits = self.assembling.get(&key).is_some_and(|e| {
                        e.extents.last().map(|l| l.shard_offset + l.len)
                            == Some(extent.shard_offset)
                            && e.len == rec.header.shard_len
                    });
                    let Some(entry) = self.assembling.get_mut(&key).filter(|_| fits) else {
                        self.assembling.remove(&key);
                        return Ok(());
                    };
                    entry.crc =
                        crc32c::crc32c_combine(entry.crc, rec.payload_crc, extent.len as usize);
                    entry.extents.push(extent);
                }
                let complete = self.assembling.get(&key).is_some_and(|e| {
                    e.extents.last().map(|l| l.shard_offset + l.len) == Some(e.len)
                });
                if complete {
                    if let Some(entry) = self.assembling.remove(&key) {
                        let replaced = self.index.get(&key)?;
                        if replaced.as_ref() != Some(&entry) {
                            self.index.put(&key, &entry, replaced.as_ref())?;
                        }
                        self.confirmed.extend(entry.extents.iter().map(|e| e.at));
                    }
                }
            }
        }
        Ok(())
    }

    /// Index entries past the checkpoint that no intact record backs were
    /// written ahead of a sync that never happened: drop them.
    pub(super) fn drop_unconfirmed(&self, checkpoint: Position) -> Result<(), StorageError> {
        for owner in self.index.extents_from(self.id, checkpoint)? {
            if self.confirmed.contains(&owner.at) {
                continue;
            }
            match self.index.get(&owner.key)? {
                Some(entry)
                    if entry.volume == self.id
                        && entry.extents.iter().any(|e| e.at == owner.at) =>
                {
                    self.index.remove(&owner.key, &entry)?
                }
                _ => self.index.remove_extent(self.id, owner.at)?,
            }
        }
        Ok(())
    }
}
