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
//! Files: [`ops`] (ops, outcomes, refusals), `error` ([`MetaError`]),
//! [`records`] (stored values, one file per format version, and the chain
//! that upgrades old ones), [`keys`] (key encodings), [`state`] (the store
//! and its readers), `overlay` (a batch's pending writes and undo log),
//! `apply` (applying ops), `once` (at-most-once ids, the drop list), `heal`
//! (what the repair actor needs: placements, the heal queue, full scans),
//! `snapshot` (export/import), [`list`] (ListObjects), [`read`] (reads
//! through consensus), [`acl`] and [`cors`] (bucket and object
//! permissions, CORS rules).

pub mod acl;
mod apply;
pub mod cors;
mod error;
mod heal;
pub(crate) mod keys;
pub(crate) mod list;
mod once;
pub(crate) mod ops;
mod overlay;
pub(crate) mod read;
pub(crate) mod records;
mod snapshot;
pub(crate) mod state;
#[cfg(test)]
mod tests;

pub use error::MetaError;
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
