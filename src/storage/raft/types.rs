//! What the metadata Raft group replicates and answers: the entry payload
//! ([`MetaRequest`]), the results ([`MetaResponse`]), openraft's type
//! bundle ([`MetaRaft`]), and the handle readers share.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::storage::meta::{MetaOp, MetaResult, MetaState, OpId};

/// What one Raft entry carries: every metadata op gathered while the
/// previous entry was in flight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaRequest {
    /// The ops, applied in order; a refused one does not stop the rest.
    /// Shared: the log keeps each new entry decoded, and the reads that
    /// replicate and apply it take a copy (stored and sent exactly as a
    /// list).
    pub ops: Arc<[MetaOp]>,
    /// Each op's id (at most once), parallel to `ops`; empty for none.
    pub ids: Vec<OpId>,
    /// The group's time, ms since the Unix epoch: the latest time a
    /// majority of the meta members' clocks had reached when the leader
    /// proposed it (`actors::core::consensus::clock`), never behind the last
    /// entry's. Every node applies with this time, never its own.
    pub at_ms: u64,
}

/// The results of one entry's ops, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaResponse {
    /// One result per op of the entry, in the same order.
    pub results: Vec<MetaResult>,
}

openraft::declare_raft_types!(
    /// The Raft types of the metadata group.
    pub MetaRaft:
        D = MetaRequest,
        R = MetaResponse,
        NodeId = u64,
        Node = openraft::BasicNode,
        Entry = openraft::Entry<MetaRaft>,
        SnapshotData = super::snapshot_data::SnapshotData,
        AsyncRuntime = openraft::TokioRuntime,
);

/// The storage error openraft expects.
pub(crate) type RaftStorageError = openraft::StorageError<u64>;

/// Makes `MetaState` available to readers (gateways) next to Raft.
pub type SharedMetaState = std::sync::Arc<arc_swap::ArcSwap<MetaState>>;
