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
mod keys;
mod meta;

use std::sync::Arc;

use crate::actors::consensus::ConsensusClient;
use crate::actors::pool::PeerClient;
use crate::object::ObjectService;

pub use buckets::{BucketInfo, BucketSummary};
pub use cluster::{ClusterStatus, NewNode, NodeStatus};
pub use error::AdminError;
pub use keys::{KeyInfo, NewKey};

/// The admin operations of one gateway.
pub struct AdminService {
    /// Objects and metadata (reads and ops go through its consensus).
    pub(crate) objects: Arc<ObjectService>,
    /// The Consensus actor, for metadata membership.
    pub(crate) consensus: ConsensusClient,
    /// The cluster transport, to ask storage nodes for their state.
    pub(crate) peers: PeerClient,
    /// The access key id of `PREDASTORE_ACCESS_KEY`.
    pub(crate) config_key: String,
}

impl AdminService {
    /// An admin service over this gateway's object service;
    /// `config_key` is the access key id of `PREDASTORE_ACCESS_KEY`.
    pub fn new(
        objects: Arc<ObjectService>,
        consensus: ConsensusClient,
        peers: PeerClient,
        config_key: String,
    ) -> Self {
        Self {
            objects,
            consensus,
            peers,
            config_key,
        }
    }
}
