//! The moving parts of a node, as actix actors. Each actor owns its state;
//! they talk by messages, and locking lives inside each actor.

pub mod admin;
pub mod consensus;
pub mod frontend;
pub mod pool;
pub mod repair;
pub mod ring;
pub mod scrub;
pub mod shard_server;
pub mod storage_node;
pub(crate) mod syncer;
pub(crate) mod wal;
