//! Plain storage code, no actix: the WAL segment and record formats, the
//! fjall shard index, group-commit bookkeeping, recovery and compaction,
//! and the metadata state machine that Raft replicates.

pub mod aligned;
pub mod durability;
pub mod erasure;
pub mod error;
pub mod index;
pub mod meta;
pub mod raft;
pub mod reader;
pub mod record;
pub mod segment;
pub mod shard_key;
pub mod shard_write;
pub mod volume;

pub use durability::{FsyncMode, SyncState};
pub use error::StorageError;
pub use index::{Position, ShardEntry, ShardIndex, VolumeId};
pub use reader::{ShardRead, ShardReader};
pub use shard_key::{ObjectId, ShardKey};
pub use shard_write::{ShardWrite, WriteId};
pub use volume::{Appended, CompactionReport, Volume, VolumeConfig};

/// fjall's persist mode for "make it durable" (`sync`) or "hand it to the
/// OS" (`!sync`), shared by every fjall store of the node.
pub(crate) fn persist_mode(sync: bool) -> fjall::PersistMode {
    if sync {
        fjall::PersistMode::SyncData
    } else {
        fjall::PersistMode::Buffer
    }
}
