//! What a storage node holds: the state of each shard for the repair scan,
//! the key listing for orphan collection, the corrupt marks reads and the
//! scrubber leave, and the scrubber's persisted record.
//!
//! A corrupt mark names the copy it was found on (the whole index entry),
//! so a mark can never condemn a rewritten copy: writing or deleting the
//! key clears it, and a mark whose entry is no longer the shard's is
//! ignored.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::index::{Reader, ShardEntry, ShardIndex};
use super::shard_key::ShardKey;
use super::StorageError;

/// What a storage node holds under one shard key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShardState {
    /// Stored, and not known to be damaged.
    Present {
        /// Shard length in bytes.
        len: u64,
    },
    /// Nothing is stored under the key.
    Missing,
    /// Stored, but a read or the scrubber found it damaged (or its index
    /// entry does not decode): it must be rebuilt from other shards.
    Corrupt,
}

/// A storage node's totals, for the cluster status: the live shards of its
/// index, and the space of the filesystems its volumes are on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeStats {
    /// Shards held.
    pub shards: u64,
    /// Bytes of those shards.
    pub shard_bytes: u64,
    /// Size of the volumes' filesystems (each counted once).
    pub capacity_bytes: u64,
    /// Space on them still available to this process.
    pub free_bytes: u64,
}

/// Total and available bytes of the filesystems holding `dirs`, each
/// filesystem counted once however many volumes share it; a directory
/// that cannot be examined counts nothing.
pub(crate) fn disk_space(dirs: &[std::path::PathBuf]) -> (u64, u64) {
    let mut seen = Vec::new();
    let (mut total, mut free) = (0u64, 0u64);
    for dir in dirs {
        let Ok(st) = rustix::fs::statvfs(dir) else {
            continue;
        };
        if seen.contains(&st.f_fsid) {
            continue;
        }
        seen.push(st.f_fsid);
        total = total.saturating_add(st.f_blocks.saturating_mul(st.f_frsize));
        free = free.saturating_add(st.f_bavail.saturating_mul(st.f_frsize));
    }
    (total, free)
}

const MARK_VERSION: u8 = 1;
const SCRUB_RECORD_VERSION: u8 = 1;

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A shard found damaged: when, and which copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorruptMark {
    /// Seconds since the Unix epoch when it was found.
    pub found_at: u64,
    /// The index entry of the damaged copy.
    pub entry: ShardEntry,
}

impl CorruptMark {
    /// A mark for `entry`, found now.
    pub fn now(entry: ShardEntry) -> Self {
        Self {
            found_at: unix_now(),
            entry,
        }
    }

    /// Versioned binary form: version, time found, the entry's own encoding.
    pub fn encode(&self) -> Vec<u8> {
        let entry = self.entry.encode();
        let mut b = Vec::with_capacity(9 + entry.len());
        b.push(MARK_VERSION);
        b.extend_from_slice(&self.found_at.to_le_bytes());
        b.extend_from_slice(&entry);
        b
    }

    /// Inverse of [`CorruptMark::encode`].
    pub fn decode(b: &[u8]) -> Result<Self, StorageError> {
        let mut r = Reader(b);
        if r.u8()? != MARK_VERSION {
            return Err(StorageError::IndexDamaged("unknown corrupt mark version"));
        }
        let found_at = r.u64()?;
        Ok(Self {
            found_at,
            entry: ShardEntry::decode(r.0)?,
        })
    }
}

/// The scrubber's last completed pass, kept so a restart does not start
/// the schedule over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScrubRecord {
    /// When the pass started (seconds since the Unix epoch).
    pub started_at: u64,
    /// When it ended.
    pub finished_at: u64,
    /// Shards read.
    pub shards: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Corrupt shards found.
    pub corrupt: u64,
}

impl ScrubRecord {
    /// Versioned binary form.
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(41);
        b.push(SCRUB_RECORD_VERSION);
        for v in [
            self.started_at,
            self.finished_at,
            self.shards,
            self.bytes,
            self.corrupt,
        ] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b
    }

    /// Inverse of [`ScrubRecord::encode`].
    pub fn decode(b: &[u8]) -> Result<Self, StorageError> {
        let mut r = Reader(b);
        if r.u8()? != SCRUB_RECORD_VERSION {
            return Err(StorageError::IndexDamaged("unknown scrub record version"));
        }
        let record = Self {
            started_at: r.u64()?,
            finished_at: r.u64()?,
            shards: r.u64()?,
            bytes: r.u64()?,
            corrupt: r.u64()?,
        };
        if !r.0.is_empty() {
            return Err(StorageError::IndexDamaged(
                "scrub record has the wrong length",
            ));
        }
        Ok(record)
    }
}

impl ShardIndex {
    /// The state of each of `keys`, in order.
    pub fn stat(&self, keys: &[ShardKey]) -> Result<Vec<ShardState>, StorageError> {
        keys.iter().map(|key| self.stat_one(key)).collect()
    }

    fn stat_one(&self, key: &ShardKey) -> Result<ShardState, StorageError> {
        let entry = match self.get(key) {
            Ok(Some(entry)) => entry,
            Ok(None) => return Ok(ShardState::Missing),
            // The entry itself is damaged: the shard cannot be read.
            Err(StorageError::IndexDamaged(_)) => return Ok(ShardState::Corrupt),
            Err(e) => return Err(e),
        };
        let marked = match self.corrupt_mark(key) {
            Ok(mark) => mark.is_some_and(|m| m.entry == entry),
            // A damaged mark still says something was wrong.
            Err(StorageError::IndexDamaged(_)) => true,
            Err(e) => return Err(e),
        };
        Ok(if marked {
            ShardState::Corrupt
        } else {
            ShardState::Present { len: entry.len }
        })
    }

    /// Marks the copy `entry` of `key` corrupt if `error` says its bytes
    /// failed their checks (never for an I/O error, which may pass);
    /// `true` if this is a new mark.
    pub fn note_read_error(
        &self,
        key: &ShardKey,
        entry: &ShardEntry,
        error: &StorageError,
    ) -> bool {
        if !matches!(error, StorageError::Corrupt { .. }) {
            return false;
        }
        match self.mark_corrupt(key, entry) {
            Ok(marked) => {
                if marked {
                    tracing::warn!(shard = %key, error = %error, "shard marked corrupt");
                }
                marked
            }
            Err(e) => {
                tracing::warn!(shard = %key, error = %e, "could not mark a corrupt shard");
                false
            }
        }
    }
}

#[cfg(test)]
mod tests;
