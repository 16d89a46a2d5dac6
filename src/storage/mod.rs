//! Plain storage code, no actix: the WAL segment and record formats, the
//! fjall shard index, group-commit bookkeeping, recovery and compaction,
//! and the metadata state machine that Raft replicates.

pub(crate) mod error;
pub(crate) mod index;
pub(crate) mod keyspace;
pub(crate) mod meta;
pub(crate) mod raft;
pub(crate) mod shard_key;
pub(crate) mod versioned;
pub(crate) mod wal;

pub use error::StorageError;
pub(crate) use index::ScrubRecord;
pub use index::ShardEntry;
pub use index::ShardIndex;
pub(crate) use index::ShardState;
pub(crate) use index::VolumeId;
pub(crate) use index::{NodeStats, VolumeState, VolumeStatus};
pub use shard_key::ObjectId;
pub use shard_key::ShardKey;
pub use wal::durability::FsyncMode;
pub use wal::durability::SyncState;
pub(crate) use wal::reader::ShardRead;
pub use wal::reader::ShardReader;
pub(crate) use wal::shard_write::ShardWrite;
pub use wal::volume::Appended;
pub(crate) use wal::volume::CompactionReport;
pub use wal::volume::Volume;
pub use wal::volume::VolumeConfig;
// The fjall set-up, for meta/ and raft/.
pub(crate) use keyspace::fjall_builder;
pub(crate) use keyspace::keyspace_options;
pub(crate) use keyspace::persist_mode;
