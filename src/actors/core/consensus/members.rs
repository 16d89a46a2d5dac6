//! The metadata group's members as data: who votes, who learns, a change
//! asked for, and why a change was refused. Plain types, shared by the
//! membership handlers, the wire format and the admin service.

use std::net::SocketAddr;

use crate::net::addr::BadPeerAddr;
use crate::net::PeerAddr;

use serde::{Deserialize, Serialize};

/// One member of the metadata group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaMember {
    /// The member's `PREDASTORE_NODE_ID`, unique in the group.
    pub id: u64,
    /// Where its cluster transport listens (`host:port`, as Raft records
    /// it), which forwarded ops and Raft messages are sent to.
    pub addr: String,
}

/// The metadata group as one member sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaMembers {
    /// The leader, if one is known.
    pub leader: Option<u64>,
    /// Members that vote, by id.
    pub voters: Vec<MetaMember>,
    /// Members that only receive the log, by id.
    pub learners: Vec<MetaMember>,
}

/// A change of the metadata group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChangeOnWire", into = "ChangeOnWire")]
pub enum MetaChange {
    /// Adds node `id` at `addr` as a voter (a learner until caught up).
    Add {
        /// The new node's `PREDASTORE_NODE_ID` (at least 1, not taken by
        /// a member at another address).
        id: u64,
        /// The new node's `PREDASTORE_QUIC_LISTEN`, where the leader sends
        /// it the log.
        addr: PeerAddr,
    },
    /// Takes node `id` out of the group.
    Remove {
        /// The node id of the member to take out (refused for the last
        /// voter).
        id: u64,
    },
}

/// [`MetaChange`] as it crosses the network. An IP address keeps the
/// shape it had before names were taken (`Add`, a socket address), so
/// nodes of both releases understand each other during a rolling upgrade;
/// a DNS name travels as text in a variant of its own.
#[derive(Serialize, Deserialize)]
enum ChangeOnWire {
    Add { id: u64, addr: SocketAddr },
    Remove { id: u64 },
    AddNamed { id: u64, addr: String },
}

impl From<MetaChange> for ChangeOnWire {
    fn from(change: MetaChange) -> Self {
        match change {
            MetaChange::Add { id, addr } => match addr.as_socket() {
                Some(addr) => ChangeOnWire::Add { id, addr },
                None => ChangeOnWire::AddNamed {
                    id,
                    addr: addr.to_string(),
                },
            },
            MetaChange::Remove { id } => ChangeOnWire::Remove { id },
        }
    }
}

impl TryFrom<ChangeOnWire> for MetaChange {
    type Error = BadPeerAddr;

    fn try_from(change: ChangeOnWire) -> Result<Self, BadPeerAddr> {
        Ok(match change {
            ChangeOnWire::Add { id, addr } => MetaChange::Add {
                id,
                addr: addr.into(),
            },
            ChangeOnWire::AddNamed { id, addr } => MetaChange::Add {
                id,
                addr: PeerAddr::parse(&addr)?,
            },
            ChangeOnWire::Remove { id } => MetaChange::Remove { id },
        })
    }
}

/// Why a membership change or read did not happen; a refused change
/// changed nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum MembershipError {
    /// Node id 0 stands for "no node".
    #[error("node ids start at 1")]
    InvalidId,
    /// The node is not a member.
    #[error("node {0} is not a member of the metadata group")]
    UnknownMember(u64),
    /// The id is taken by a member at another address.
    #[error("node {0} is already a member at another address ({1})")]
    AlreadyMember(u64, String),
    /// Removing it would leave no voter.
    #[error("node {0} is the last voter of the metadata group; add another first")]
    LastVoter(u64),
    /// The new node did not catch up in time (not running, wrong address,
    /// another cluster's certificate); it was taken out again.
    #[error("node {0} did not catch up with the metadata log in time: is it running at that address? ({1})")]
    NotReachable(u64, String),
    /// No leader could be reached, or Raft failed.
    #[error("metadata group unavailable: {0}")]
    Unavailable(String),
    /// Not the leader (internal: the caller follows the hint).
    #[error("not the leader")]
    NotLeader(Option<u64>),
}
