//! The storage engine in process: the storage node's shard API, recovery
//! of damaged volumes, compaction; and a store's disk space as `du` sees it.

mod compaction;
mod node;
mod recovery;
mod space;
mod volumes;
