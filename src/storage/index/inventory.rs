//! What a storage node holds: the state of each shard for the repair scan,
//! the key listing for orphan collection, the corrupt marks reads and the
//! scrubber leave, and the scrubber's persisted record.
//!
//! A corrupt mark names the copy it was found on (the whole index entry),
//! so a mark can never condemn a rewritten copy: writing or deleting the
//! key clears it, and a mark whose entry is no longer the shard's is
//! ignored.

use serde::{Deserialize, Serialize};

use super::entry::{ShardEntry, VolumeId};
use super::shard_index::ShardIndex;
use crate::storage::error::StorageError;
use crate::storage::shard_key::ShardKey;

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

/// How one of a storage node's volumes stands: what `admin status` shows
/// per disk, and what repair watches (a volume newly failed has its
/// shards rebuilt at once).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumeStatus {
    /// Its slot in `PREDASTORE_VOLUMES` (the `volume` label of metrics).
    pub slot: VolumeId,
    /// Its directory.
    pub path: String,
    /// In service, full, or failed.
    pub state: VolumeState,
    /// Size of its filesystem (0 while it cannot be examined).
    pub capacity_bytes: u64,
    /// Space left on it for this process.
    pub free_bytes: u64,
    /// I/O errors its writes and probes met since the node started.
    pub io_errors: u64,
}

/// Where a volume stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VolumeState {
    /// Read and written.
    Ok,
    /// No space left: read, but takes no new shard.
    Full,
    /// Its disk failed or is missing: neither read nor written.
    Failed,
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

impl ShardIndex {
    /// The state of each of `keys`, in order.
    pub fn stat(&self, keys: &[ShardKey]) -> Result<Vec<ShardState>, StorageError> {
        self.stat_without(keys, &|_| false)
    }

    /// [`ShardIndex::stat`], a shard on a volume that `failed` says has
    /// failed answered missing: its bytes cannot be counted on, so a
    /// reader goes to parity and repair writes it again elsewhere.
    pub fn stat_without(
        &self,
        keys: &[ShardKey],
        failed: &dyn Fn(VolumeId) -> bool,
    ) -> Result<Vec<ShardState>, StorageError> {
        keys.iter().map(|key| self.stat_one(key, failed)).collect()
    }

    fn stat_one(
        &self,
        key: &ShardKey,
        failed: &dyn Fn(VolumeId) -> bool,
    ) -> Result<ShardState, StorageError> {
        let entry = match self.get(key) {
            Ok(Some(entry)) => entry,
            Ok(None) => return Ok(ShardState::Missing),
            // The entry itself is damaged: the shard cannot be read.
            Err(StorageError::IndexDamaged(_)) => return Ok(ShardState::Corrupt),
            Err(e) => return Err(e),
        };
        if failed(entry.volume) {
            return Ok(ShardState::Missing);
        }
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
