//! The shard index: where every shard's bytes are on a storage node, kept
//! in fjall beside the WAL segments it points into.
//!
//! - [`entry`]: a shard's index entry (volume, length, CRC32C, extents) and
//!   the log positions it names;
//! - [`shard_index`]: the fjall keyspaces (shards, reverse extent map,
//!   checkpoints, corrupt marks, scrub record);
//! - [`marks`]: the corrupt marks and the scrubber's record;
//! - [`inventory`]: what the node holds, for repair, orphan collection and
//!   the cluster status.

pub(crate) mod entry;
pub(crate) mod inventory;
pub(crate) mod marks;
pub(crate) mod shard_index;
#[cfg(test)]
mod tests;

pub(crate) use entry::Extent;
pub(crate) use entry::Position;
pub(crate) use entry::SegmentId;
pub use entry::ShardEntry;
pub(crate) use entry::VolumeId;
pub(crate) use inventory::ShardState;
pub(crate) use inventory::{NodeStats, VolumeState, VolumeStatus};
pub(crate) use marks::ScrubRecord;
pub use shard_index::ShardIndex;
