//! The storage layer's error type.

use std::io;

use super::shard_key::ShardKey;

/// Everything that can go wrong keeping shards on disk.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The operating system refused a file operation.
    #[error("I/O error: {0}")]
    Io(#[from] io::Error),
    /// The fjall shard index failed.
    #[error("shard index error: {0}")]
    Index(#[from] fjall::Error),
    /// A value in the shard index does not decode.
    #[error("shard index entry is damaged: {0}")]
    IndexDamaged(&'static str),
    /// No shard is stored under this key.
    #[error("shard {0} not found")]
    NotFound(ShardKey),
    /// Stored bytes failed their checksum; they are never returned.
    #[error("shard {key} is corrupt: {detail}")]
    Corrupt {
        /// The shard that was read.
        key: ShardKey,
        /// What did not match.
        detail: &'static str,
    },
    /// The body ended before, or ran past, the length declared up front.
    #[error("shard body is {got} bytes, {expected} were declared")]
    LengthMismatch {
        /// Declared length.
        expected: u64,
        /// Bytes received (so far).
        got: u64,
    },
    /// A shard larger than this node accepts.
    #[error("a shard of {len} bytes is larger than the {max} allowed")]
    TooLarge {
        /// Declared length.
        len: u64,
        /// The largest shard allowed, in bytes.
        max: u64,
    },
    /// The body stream failed before its end (the sender went away).
    #[error("shard body failed: {0}")]
    BodyFailed(String),
    /// A byte range outside the shard.
    #[error("range {start}..{end} is outside a shard of {len} bytes")]
    InvalidRange {
        /// First byte asked for.
        start: u64,
        /// One past the last byte asked for.
        end: u64,
        /// Shard length.
        len: u64,
    },
    /// A chunk or finish for a shard write the volume does not know.
    #[error("no shard write {0} in progress")]
    UnknownWrite(u64),
    /// The volume number is not configured on this node.
    #[error("volume {0} does not exist")]
    NoSuchVolume(u16),
    /// A volume cannot be replaced: it is in service, or the directory in
    /// its place is not an empty disk.
    #[error("volume {volume} not replaced: {why}")]
    NotReplaced {
        /// The volume's slot.
        volume: u16,
        /// Why.
        why: String,
    },
    /// A sync failed: what is in the page cache can no longer be trusted, so
    /// the node refuses writes until it restarts and recovers from disk.
    #[error("an fsync failed; writes are refused until restart")]
    SyncFailed,
    /// Every volume of the node failed or is full: a shard stored in one
    /// would answer missing, so none is taken (the writer places it on
    /// another node).
    #[error("no volume of this node takes new shards (each failed or is full)")]
    NoVolumeTakesShards,
    /// A writer's mailbox is full; the caller should slow down.
    #[error("storage is busy")]
    Busy,
    /// The actor that owns the volume or the syncer is gone.
    #[error("storage actor stopped")]
    Stopped,
}

impl StorageError {
    /// Whether the same request may succeed if tried again later.
    pub fn is_retriable(&self) -> bool {
        matches!(self, StorageError::Busy | StorageError::Stopped)
    }
}
