//! Bucket and object metadata: a deterministic state machine kept in fjall.
//!
//! A Raft log feeds [`MetaState::apply_batch`] with batches of [`MetaOp`]s;
//! every node applies the same batches in the same order and reaches the
//! same state, byte for byte ([`MetaState::export`] is the snapshot Raft
//! ships to a lagging node). Apply reads no clock and draws no random
//! numbers: times and ids come in the records.
//!
//! Two kinds of failure are kept apart:
//! - [`MetaOpError`]: an operation was refused for an S3 reason (no such
//!   bucket, precondition failed, …). It is a *result* of that op, changes
//!   nothing, and the rest of the batch still applies.
//! - [`MetaError`]: the store itself failed (fjall error, damaged record).
//!   The batch is not applied at all and the node should stop applying.
//!
//! Files: [`ops`] (ops, outcomes, refusals), [`records`] (stored values),
//! [`keys`] (key encodings), [`state`] (the store and its readers), `apply`
//! (applying batches), `once` (at-most-once ids, the drop list), `heal`
//! (what the repair actor needs: placements, the heal queue, full scans),
//! `snapshot` (export/import), [`list`] (ListObjects), [`read`] (reads
//! through consensus).

pub mod acl;
mod apply;
pub mod cors;
mod heal;
pub(crate) mod keys;
pub(crate) mod legacy;
pub(crate) mod legacy_ops;
pub(crate) mod list;
mod once;
pub(crate) mod ops;
pub(crate) mod read;
pub(crate) mod records;
mod snapshot;
pub(crate) mod state;
#[cfg(test)]
mod tests;

pub use list::{ListPage, ListQuery};
pub use ops::{
    DeleteCondition, MetaOp, MetaOpError, MetaOutcome, MetaResult, OpBatch, OpId, PartsPage,
    ShardOwner, UploadsPage, WriteCondition, MAX_BUCKET_NAME_BYTES, MAX_HEAL_ENTRIES, MAX_ID_BYTES,
    MAX_OBJECT_KEY_BYTES, MIN_PART_SIZE,
};
pub use read::{MetaRead, MetaReadResult};
pub use records::{
    AccessKey, BucketRecord, ClusterLayout, ErasureLayout, MultipartUpload, NodeInfo, NodeState,
    ObjectRecord, PartInfo, PartRecord, PendingDrop, RepairReport, ShardSet, Tags, UploadChecksum,
    NO_NODE,
};
pub use state::MetaState;

/// A failure of the metadata store itself, as opposed to a refused op.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    /// fjall failed.
    #[error("metadata store error: {0}")]
    Store(#[from] fjall::Error),
    /// Reading or writing a snapshot stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A stored key or value does not decode.
    #[error("metadata is damaged: {0}")]
    Corrupt(&'static str),
    /// A record could not be serialized (not expected to happen).
    #[error("cannot encode {0}")]
    Encode(&'static str),
    /// A batch was offered at or below the last applied log index; it was
    /// already applied (or the caller lost track), so nothing was done.
    #[error("log index {index} is not after the last applied index {last_applied}")]
    StaleLogIndex {
        /// Index of the offered batch.
        index: u64,
        /// Index already applied.
        last_applied: u64,
    },
    /// A snapshot stream is malformed.
    #[error("bad metadata snapshot: {0}")]
    BadSnapshot(&'static str),
    /// A snapshot is being imported into a store that already has data.
    #[error("cannot import a snapshot into a non-empty metadata store")]
    NotEmpty,
}
