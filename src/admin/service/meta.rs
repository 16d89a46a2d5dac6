//! The metadata group's members: listed, added, removed (openraft's
//! membership change, through the Consensus actor wherever the leader is).

use crate::net::PeerAddr;

use super::error::AdminError;
use super::handle::AdminService;
use crate::actors::core::consensus::{MembershipError, MetaChange, MetaMembers};

impl From<MembershipError> for AdminError {
    fn from(e: MembershipError) -> Self {
        let message = e.to_string();
        match e {
            MembershipError::InvalidId => AdminError::Invalid(message),
            MembershipError::UnknownMember(_) => AdminError::NotFound(message),
            MembershipError::AlreadyMember(..) | MembershipError::LastVoter(_) => {
                AdminError::Refused(message)
            }
            MembershipError::NotReachable(..)
            | MembershipError::Unavailable(_)
            | MembershipError::NotLeader(_) => AdminError::Unavailable(message),
        }
    }
}

impl AdminService {
    /// The group's voters, learners and leader.
    pub(crate) async fn meta_members(&self) -> Result<MetaMembers, AdminError> {
        self.consensus.members().await.map_err(AdminError::from)
    }

    /// Adds node `id` (running, with the meta role, at `addr`) as a voter.
    pub(crate) async fn add_meta(&self, id: u64, addr: &str) -> Result<MetaMembers, AdminError> {
        let addr: PeerAddr = addr.parse().map_err(|_| {
            AdminError::Invalid(format!(
                "{addr:?} is not an address (host:port where the node's PREDASTORE_QUIC_LISTEN is reached: an IP address or a DNS name)"
            ))
        })?;
        self.change_meta(MetaChange::Add { id, addr }).await
    }

    /// Takes node `id` out of the group (refused for the last voter).
    pub(crate) async fn remove_meta(&self, id: u64) -> Result<MetaMembers, AdminError> {
        self.change_meta(MetaChange::Remove { id }).await
    }

    async fn change_meta(&self, change: MetaChange) -> Result<MetaMembers, AdminError> {
        self.consensus
            .change_members(change)
            .await
            .map_err(AdminError::from)
    }
}
