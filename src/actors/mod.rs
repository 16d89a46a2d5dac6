//! The moving parts of a node, as actix actors. Each actor owns its state;
//! they talk by messages, and locking lives inside each actor.
//!
//! Two floors, with the object service between them: `upkeep` actors use
//! the object service (repair, lifecycle); the `core` actors are what the
//! object service calls (consensus, WAL writers, syncer, pool, ring,
//! scrub). Nothing on the lower floor names the upper one.

pub(crate) mod core;
pub(crate) mod upkeep;
