//! Messages a WalWriter handles.

use actix::Message;

use crate::storage::{Appended, CompactionReport, ShardEntry, ShardKey, ShardWrite, StorageError};

/// Reserve room for a shard of `len` bytes; the sender fills the payload.
#[derive(Message)]
#[rtype(result = "Result<ShardWrite, StorageError>")]
pub(crate) struct BeginShard {
    /// Which shard the record holds: object id, part and shard index.
    pub key: ShardKey,
    /// The payload's exact length in bytes; the room reserved in the
    /// segment is computed from it.
    pub len: u64,
}

/// All of the payload was written.
#[derive(Message)]
#[rtype(result = "Result<Appended, StorageError>")]
pub(crate) struct FinishShard {
    /// The reservation `BeginShard` answered, its payload now written.
    pub write: ShardWrite,
}

/// All of the payload of a shard copied from another volume of the node
/// was written: kept only if the index still names `from` (see
/// `Volume::finish_move`).
#[derive(Message)]
#[rtype(result = "Result<Option<Appended>, StorageError>")]
pub(crate) struct FinishMove {
    /// The reservation `BeginShard` answered, its payload now written.
    pub write: ShardWrite,
    /// The copy the payload was read from.
    pub from: ShardEntry,
}

/// The copy `entry` of `key` on this volume was moved to another volume
/// of the node: its bytes are no longer live here.
#[derive(Message)]
#[rtype(result = "Result<(), StorageError>")]
pub(crate) struct ForgetCopy {
    /// The shard moved.
    pub key: ShardKey,
    /// Its copy on this volume, as the move read it.
    pub entry: ShardEntry,
}

/// Delete a shard (writes a tombstone); `None` if it was not there.
#[derive(Message)]
#[rtype(result = "Result<Option<Appended>, StorageError>")]
pub(crate) struct DeleteShard {
    /// The shard to tombstone: object id, part and shard index.
    pub key: ShardKey,
}

/// Compact up to `max_segments` sparse segments now.
#[derive(Message)]
#[rtype(result = "Result<CompactionReport, StorageError>")]
pub(crate) struct Compact {
    /// Upper bound on segments copied in this call.
    pub max_segments: usize,
}

/// Delete compacted segments whose copies are durable; answers how many.
#[derive(Message)]
#[rtype(result = "Result<usize, StorageError>")]
pub(crate) struct ReleaseSynced;
