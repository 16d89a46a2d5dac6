//! The marks a storage node keeps beside its shard index: a shard found
//! damaged (which copy, when) and the scrubber's last completed pass.
//! Versioned binary values.

use super::entry::{Reader, ShardEntry};
use crate::storage::error::StorageError;

const MARK_VERSION: u8 = 1;
const SCRUB_RECORD_VERSION: u8 = 1;

use crate::clock::now_secs;

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
            found_at: now_secs(),
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
