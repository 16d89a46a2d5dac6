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
//! `apply` (applying ops), `once` (at-most-once ids, the drop list), `repair`
//! (what the repair actor needs: placements, the heal queue, full scans),
//! `snapshot` (export/import), `versions`
//! (how writes and deletes change a key's versions), `version_reads`
//! (reads of versions, ListObjectVersions), [`lock`] (versioning settings and object
//! lock rules), [`version`] (version ids), [`list`] (ListObjects), [`read`] (reads
//! through consensus), [`acl`] and [`cors`] (bucket and object
//! permissions, CORS rules), [`encryption`] (how data is encrypted at rest).

pub(crate) mod acl;
mod apply;
pub(crate) mod bucket_access;
pub(crate) mod cors;
pub(crate) mod encryption;
mod error;
pub(crate) mod iam;
pub(crate) mod keys;
pub(crate) mod lifecycle;
pub(crate) mod list;
pub(crate) mod lock;
mod once;
pub(crate) mod ops;
mod overlay;
pub(crate) mod quota;
pub(crate) mod read;
pub(crate) mod records;
mod repair;
mod snapshot;
pub(crate) mod state;
pub(crate) mod version;
mod version_reads;
mod versions;
pub(crate) use version_reads::VersionsQuery;
#[cfg(test)]
mod tests;
/// Sample records and ops, for other layers' unit tests too.
#[cfg(test)]
pub(crate) use tests::fixtures;

pub(crate) use list::ListPage;
pub use list::ListQuery;
pub(crate) use ops::DeleteCondition;
pub use ops::MetaOp;
pub use ops::MetaOpError;
pub use ops::MetaOutcome;
pub(crate) use ops::MetaResult;
pub(crate) use ops::OpBatch;
pub(crate) use ops::OpId;
pub(crate) use ops::ShardOwner;
pub(crate) use ops::VersionChange;
pub use ops::WriteCondition;
pub use read::MetaRead;
pub use read::MetaReadResult;
pub(crate) use records::AccessKey;
pub use records::BucketRecord;
pub(crate) use records::ClusterLayout;
pub use records::ErasureLayout;
pub(crate) use records::ListedObject;
pub(crate) use records::MultipartUpload;
pub(crate) use records::NodeInfo;
pub(crate) use records::NodeState;
pub use records::ObjectRecord;
pub(crate) use records::PartRecord;
pub(crate) use records::RepairReport;
pub(crate) use records::ShardSet;
pub(crate) use records::Tags;
pub(crate) use records::UploadChecksum;
pub(crate) use records::VolumeCondition;
pub(crate) use records::VolumeInfo;
pub(crate) use records::NO_NODE;
pub(crate) use snapshot::StateView;
pub(crate) use state::MetaState;
