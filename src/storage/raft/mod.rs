//! Raft storage for the metadata state machine (openraft, on fjall).
//!
//! [`log_store::LogStore`] keeps the Raft log and vote, and acknowledges
//! appended entries only after a sync that covers every append made while
//! it ran (one fsync per batch of appends, not per entry).
//! [`state_machine::MetaStateMachine`] applies committed entries — each a
//! batch of metadata ops — to a [`MetaState`] and builds and installs its
//! snapshots. The network and the batching Consensus actor sit on top.

// openraft's traits fix the (large) error type these functions return.
#![allow(clippy::result_large_err)]

pub mod group;
pub mod log_store;
pub mod state_machine;

use std::io::Cursor;

use serde::{Deserialize, Serialize};

use super::meta::{MetaOp, MetaResult, MetaState, OpId};

/// What one Raft entry carries: every metadata op gathered while the
/// previous entry was in flight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaRequest {
    /// The ops, applied in order.
    pub ops: Vec<MetaOp>,
    /// Each op's id (at most once), parallel to `ops`; empty for none.
    pub ids: Vec<OpId>,
    /// The proposing leader's clock, ms since the Unix epoch.
    pub at_ms: u64,
}

/// The results of one entry's ops, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaResponse {
    /// One result per op.
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
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

/// The storage error openraft expects.
pub type RaftStorageError = openraft::StorageError<u64>;

/// Format version of values this module stores (entries, vote, state).
/// Version 4: entries carry record format 3 (tags); version 5: record
/// format 4 (part checksums, e-mail addresses).
const VALUE_VERSION: u8 = 5;

/// Versioned postcard encoding of a stored value.
fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, postcard::Error> {
    let mut out = vec![VALUE_VERSION];
    out.extend_from_slice(&postcard::to_stdvec(value)?);
    Ok(out)
}

/// Inverse of [`encode`]; a wrong version or damaged bytes is an error.
fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, std::io::Error> {
    match bytes.split_first() {
        Some((&VALUE_VERSION, rest)) => postcard::from_bytes(rest)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
        _ => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "unknown stored value version",
        )),
    }
}

/// Makes `MetaState` available to readers (gateways) next to Raft.
pub type SharedMetaState = std::sync::Arc<arc_swap::ArcSwap<MetaState>>;

#[cfg(test)]
mod tests {
    use super::*;
    use openraft::{CommittedLeaderId, Entry, EntryPayload, LogId};

    #[test]
    fn entries_round_trip_and_damage_is_an_error() -> Result<(), Box<dyn std::error::Error>> {
        let entry: Entry<MetaRaft> = Entry {
            log_id: LogId::new(CommittedLeaderId::new(3, 1), 42),
            payload: EntryPayload::Normal(MetaRequest {
                ops: vec![MetaOp::DeleteObject {
                    bucket: "b".into(),
                    key: "k".into(),
                }],
                ids: vec![7],
                at_ms: 1_700_000_000_000,
            }),
        };
        let bytes = encode(&entry)?;
        let back: Entry<MetaRaft> = decode(&bytes)?;
        assert_eq!(back.log_id, entry.log_id);
        assert!(decode::<Entry<MetaRaft>>(&bytes[..bytes.len() - 1]).is_err());
        let mut wrong = bytes.clone();
        wrong[0] = 9;
        assert!(decode::<Entry<MetaRaft>>(&wrong).is_err());
        assert!(decode::<Entry<MetaRaft>>(&[]).is_err());
        Ok(())
    }
}
