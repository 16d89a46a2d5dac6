//! Why a metadata op or read did not go through: the Consensus actor's
//! answer, also carried over the wire to a forwarding node.

use serde::{Deserialize, Serialize};

/// Why an op or a read could not go through Raft.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ConsensusError {
    /// This node is not the leader; the leader's id if known. The op was
    /// not proposed.
    #[error("not the metadata leader (leader: {0:?})")]
    NotLeader(Option<u64>),
    /// No leader could take the op before its deadline; it was not applied.
    #[error("no metadata leader available: {0}")]
    Unavailable(String),
    /// The connection to the leader was lost after the op was sent: it may
    /// or may not have been applied.
    #[error("metadata op outcome unknown: {0}")]
    Indeterminate(String),
    /// Raft failed or is shutting down.
    #[error("metadata consensus failed: {0}")]
    Failed(String),
    /// Too many ops are waiting; the caller should slow down.
    #[error("metadata consensus is overloaded")]
    Busy,
}
