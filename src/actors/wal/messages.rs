//! Messages a WalWriter handles.

use actix::Message;
use bytes::Bytes;

use crate::storage::{Appended, CompactionReport, ShardKey, StorageError, WriteId};

/// Reserve room for a shard of `len` bytes.
#[derive(Message)]
#[rtype(result = "Result<WriteId, StorageError>")]
pub struct BeginShard {
    /// The shard.
    pub key: ShardKey,
    /// Its exact length.
    pub len: u64,
}

/// The next piece of a shard's payload.
#[derive(Message)]
#[rtype(result = "Result<(), StorageError>")]
pub struct WriteChunk {
    /// The write it belongs to.
    pub id: WriteId,
    /// The bytes.
    pub data: Bytes,
}

/// All of the payload was sent.
#[derive(Message)]
#[rtype(result = "Result<Appended, StorageError>")]
pub struct FinishShard {
    /// The write to complete.
    pub id: WriteId,
}

/// The sender gave up on a write.
#[derive(Message)]
#[rtype(result = "()")]
pub struct AbortShard {
    /// The write to drop.
    pub id: WriteId,
}

/// Delete a shard (writes a tombstone); `None` if it was not there.
#[derive(Message)]
#[rtype(result = "Result<Option<Appended>, StorageError>")]
pub struct DeleteShard {
    /// The shard.
    pub key: ShardKey,
}

/// Compact up to `max_segments` sparse segments now.
#[derive(Message)]
#[rtype(result = "Result<CompactionReport, StorageError>")]
pub struct Compact {
    /// Upper bound on segments copied in this call.
    pub max_segments: usize,
}

/// Delete compacted segments whose copies are durable; answers how many.
#[derive(Message)]
#[rtype(result = "Result<usize, StorageError>")]
pub struct ReleaseSynced;
