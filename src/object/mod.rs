//! The S3 front end's object service: everything about an object's life
//! that is not HTTP. Handlers in `api` parse a request, call the
//! [`ObjectService`], and render its answer; repair, rebalance and orphan
//! collection use the same service without HTTP.
//!
//! - [`coordinator`] moves object data: erasure-coded shards written to and
//!   read from the storage nodes the Ring actor places them on.
//! - [`service`] ties data to metadata: writes data, commits the record
//!   through the Consensus actor, and drops the data a commit replaced.
//! - [`sse`] encrypts data at rest (SSE-S3, SSE-KMS, SSE-C) before it is
//!   coded, and decrypts it as it is read.
//!
//! It is a plain value shared by the HTTP workers, not a mailbox: each
//! request's work is its own future, and the actors it drives (Consensus,
//! WAL writers, syncer, Pool) serialize the state.

pub(crate) mod coordinator;
pub(crate) mod erasure;
mod error;
mod repair_reports;
pub(crate) mod service;
pub(crate) mod sse;

pub(crate) use coordinator::CoordinatorError;
pub(crate) use coordinator::ObjectCoordinator;
pub(crate) use coordinator::ShardSet;
pub(crate) use coordinator::WriteError;
pub(crate) use error::ObjectError;
pub(crate) use service::NewObject;
pub(crate) use service::ObjectDigests;
pub(crate) use service::ObjectLimits;
pub(crate) use service::ObjectMeta;
pub(crate) use service::ObjectService;
