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
mod legacy;
pub mod log_store;
pub mod state_machine;

use std::io::Cursor;

use openraft::Entry;
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

/// The previous version, still read: its entries through [`legacy`], its
/// other values (vote, purge point, state) as they are, unchanged since.
const PREVIOUS_VALUE_VERSION: u8 = 4;

/// Versioned postcard encoding of a stored value.
fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, postcard::Error> {
    let mut out = vec![VALUE_VERSION];
    out.extend_from_slice(&postcard::to_stdvec(value)?);
    Ok(out)
}

fn invalid(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e)
}

/// Inverse of [`encode`] for every value but log entries (see
/// [`decode_entry`]); a wrong version or damaged bytes is an error.
fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, std::io::Error> {
    match bytes.split_first() {
        Some((&(VALUE_VERSION | PREVIOUS_VALUE_VERSION), rest)) => {
            postcard::from_bytes(rest).map_err(invalid)
        }
        _ => Err(invalid("unknown stored value version")),
    }
}

/// Inverse of [`encode`] for a log entry, of this version or the
/// previous one.
fn decode_entry(bytes: &[u8]) -> Result<Entry<MetaRaft>, std::io::Error> {
    match bytes.split_first() {
        Some((&VALUE_VERSION, rest)) => postcard::from_bytes(rest).map_err(invalid),
        Some((&PREVIOUS_VALUE_VERSION, rest)) => postcard::from_bytes::<legacy::EntryV4>(rest)
            .map(Entry::from)
            .map_err(invalid),
        _ => Err(invalid("unknown stored value version")),
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
        let back = decode_entry(&bytes)?;
        assert_eq!(back.log_id, entry.log_id);
        assert!(decode_entry(&bytes[..bytes.len() - 1]).is_err());
        let mut wrong = bytes.clone();
        wrong[0] = 9;
        assert!(decode_entry(&wrong).is_err());
        assert!(decode_entry(&[]).is_err());
        Ok(())
    }

    /// A version-4 entry whose op held a version-3 part record (no
    /// checksum), as the previous build wrote it: written here field by
    /// field, since postcard writes an enum as its variant's index and a
    /// struct as its fields in order.
    #[test]
    fn a_version_4_entry_reads_with_its_old_record_shape() -> Result<(), Box<dyn std::error::Error>>
    {
        let log_id = LogId::new(CommittedLeaderId::new(2, 1), 9);
        const NORMAL: u32 = 1;
        const PUT_PART: u32 = 5;
        let part_v3 = ("upload", 3u32, 5u64, "etag", 77u128, vec![1u64, 2], 11u64);
        let written = (
            log_id,
            NORMAL,
            vec![(PUT_PART, part_v3)],
            vec![7u128],
            1_000u64,
        );
        let mut bytes = vec![PREVIOUS_VALUE_VERSION];
        bytes.extend(postcard::to_stdvec(&written)?);
        let entry = decode_entry(&bytes)?;
        assert_eq!(entry.log_id, log_id);
        let EntryPayload::Normal(request) = entry.payload else {
            panic!("not a normal entry");
        };
        assert_eq!(
            (request.ids.as_slice(), request.at_ms),
            (&[7u128][..], 1_000)
        );
        let [MetaOp::PutPart { part }] = request.ops.as_slice() else {
            panic!("not one PutPart: {:?}", request.ops);
        };
        assert_eq!((part.part_number, part.object_id), (3, 77));
        assert!(part.checksums.is_empty());
        assert!(decode_entry(&bytes[..bytes.len() - 2]).is_err());

        // Other values of version 4 read as they are.
        let mut vote = vec![PREVIOUS_VALUE_VERSION];
        vote.extend(postcard::to_stdvec(&log_id)?);
        assert_eq!(decode::<LogId<u64>>(&vote)?, log_id);
        Ok(())
    }
}
