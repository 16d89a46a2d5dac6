//! The write-ahead log's on-disk side: segment files of CRC32C-checked
//! records, one volume per directory, appends, reads, recovery of a torn
//! tail and compaction. The WAL writer actor (`actors/core/wal/`) drives it;
//! nothing here uses actix.

pub(crate) mod aligned;
pub(crate) mod durability;
pub(crate) mod identity;
pub(crate) mod probe;
pub(crate) mod reader;
pub(crate) mod record;
mod recovery;
pub(crate) mod segment;
pub(crate) mod shard_write;
mod space;
pub(crate) mod volume;
