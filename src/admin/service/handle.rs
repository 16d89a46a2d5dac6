//! The admin service's handle: what every admin operation works through
//! (the object service, the Consensus actor, the cluster transport).

use std::sync::Arc;

use crate::actors::core::consensus::ConsensusClient;
use crate::actors::core::pool::PeerClient;
use crate::object::ObjectService;

/// The admin operations of one gateway.
pub(crate) struct AdminService {
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
    pub(crate) fn new(
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
