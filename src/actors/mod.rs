//! The moving parts of a node, as actix actors. Each actor owns its state;
//! they talk by messages, and locking lives inside each actor.

pub(crate) mod consensus;
pub(crate) mod lifecycle;
pub(crate) mod pool;
pub(crate) mod repair;
pub(crate) mod ring;
pub(crate) mod scrub;
pub(crate) mod syncer;
pub(crate) mod wal;
