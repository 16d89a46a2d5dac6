//! Raft storage for the metadata state machine (openraft, on fjall).
//!
//! [`log_store::LogStore`] keeps the Raft log and vote, and acknowledges
//! appended entries only after a sync that covers every append made while
//! it ran (one fsync per batch of appends, not per entry).
//! [`state_machine::MetaStateMachine`] applies committed entries — each a
//! batch of metadata ops — to a
//! [`MetaState`](crate::storage::meta::MetaState) and builds and installs its
//! snapshots. The network and the batching Consensus actor sit on top.

// openraft's traits fix the (large) error type these functions return.
#![allow(clippy::result_large_err)]

mod format;
pub(crate) mod group;
pub(crate) mod log_store;
mod recent_entries;
mod snapshot_data;
mod snapshot_file;
mod snapshot_import;
mod snapshot_stream;
pub(crate) mod state_machine;
mod types;

pub use types::MetaRaft;
pub use types::MetaRequest;
pub use types::SharedMetaState;
