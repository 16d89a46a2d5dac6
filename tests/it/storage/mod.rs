//! The storage engine in process: the storage node's shard API, recovery
//! of damaged volumes, compaction.

mod compaction;
mod node;
mod recovery;
