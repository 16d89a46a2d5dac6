//! The admin service: what an operator does to a running cluster — look at
//! it, change its storage layout or metadata membership, manage access keys,
//! inspect buckets. The admin API (`admin::api`) and the `predastore admin`
//! CLI through it are its clients; it holds no HTTP types, so a console can
//! call it too and authorization stays in one place.
//!
//! Every change goes through Raft (a layout op, a key op, or openraft's
//! membership change), so whichever gateway takes the call, every process
//! sees the same result.

mod buckets;
mod cluster;
mod error;
mod handle;
mod keys;
mod kms;
mod meta;

pub(crate) use buckets::BucketLimits;
#[cfg(test)]
pub(crate) use cluster::NodeStatus;
pub(crate) use cluster::{ClusterStatus, NewNode};
pub(crate) use error::AdminError;
pub(crate) use handle::AdminService;
