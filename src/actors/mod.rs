//! The moving parts of a node, as actix actors. Each actor owns its state;
//! they talk by messages, and locking lives inside each actor.

pub mod consensus;
pub mod pool;
pub mod repair;
pub mod ring;
pub mod scrub;
pub(crate) mod syncer;
pub mod wal;
