//! Plain storage code, no actix: the WAL segment and record formats, the
//! fjall shard index, group-commit bookkeeping, recovery and compaction,
//! and the metadata state machine that Raft replicates.

pub(crate) mod error;
pub(crate) mod index;
pub(crate) mod keyspace;
pub mod meta;
pub mod raft;
pub(crate) mod shard_key;
pub mod wal;

pub use error::StorageError;
pub use index::{
    CorruptMark, NodeStats, Position, ScrubRecord, ShardEntry, ShardIndex, ShardState, VolumeId,
};
pub use shard_key::{ObjectId, ShardKey};
pub use wal::durability::{FsyncMode, SyncState};
pub use wal::reader::{ShardRead, ShardReader};
pub use wal::shard_write::{ShardWrite, WriteId};
pub use wal::volume::{Appended, CompactionReport, Volume, VolumeConfig};
// The fjall set-up, for meta/ and raft/.
pub(crate) use keyspace::{fjall_builder, keyspace_options, persist_mode};
