//! The admin service: what an operator does to a running cluster — look at
//! it, change its storage layout or metadata membership, manage access keys,
//! inspect buckets. The admin API (`api::admin`) and the `predastore admin`
//! CLI through it are its clients; it holds no HTTP types, so a console can
//! call it too and authorization stays in one place.
//!
//! Every change goes through Raft (a layout op, a key op, or openraft's
//! membership change), so whichever gateway takes the call, every process
//! sees the same result.

mod error;

use std::sync::Arc;

use actix::Addr;

use crate::actors::consensus::Consensus;
use crate::actors::frontend::ObjectService;
use crate::actors::pool::PeerClient;

pub use error::AdminError;

/// The admin operations of one gateway.
pub struct AdminService {
    /// Objects and metadata (reads and ops go through its consensus).
    pub(crate) objects: Arc<ObjectService>,
    /// The Consensus actor, for metadata membership.
    pub(crate) consensus: Addr<Consensus>,
    /// The cluster transport, to ask storage nodes for their state.
    pub(crate) peers: PeerClient,
}

impl AdminService {
    /// An admin service over this gateway's object service.
    pub fn new(objects: Arc<ObjectService>, consensus: Addr<Consensus>, peers: PeerClient) -> Self {
        Self {
            objects,
            consensus,
            peers,
        }
    }
}
