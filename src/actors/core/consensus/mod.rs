//! The Consensus actor: one per process, the way metadata ops and reads
//! reach Raft.
//!
//! Callers submit single ops. While entries are in flight, every op that
//! arrives is gathered; as soon as an entry slot frees up the gathered ops
//! go out as the next entry — no timer, no idle gap — and each caller gets
//! its own op's result. Entry size is capped.
//!
//! Where an entry goes depends on who leads: on the leader it is a Raft
//! write; anywhere else (a follower, or a gateway that is not a meta node)
//! the gathered ops are forwarded to the leader over the cluster transport
//! as one message, and join the leader's own next entry.
//!
//! Every op carries an id and the state machine applies an id at most
//! once, so an op may be sent again whenever its fate is unclear: refused
//! with "not the leader", its connection lost, or its leader replaced
//! while it was in flight. When the leader changes (Raft's metrics on a
//! meta node, a probe elsewhere) the ops waiting and in flight go to the
//! new leader at once, so a failover costs an election, not a timeout.
//! Only an op that may have been delivered and is still unsettled at its
//! deadline fails with [`ConsensusError::Indeterminate`].
//!
//! Reads are linearizable: the leader confirms its leadership (read index)
//! before reading its state, one confirmation for the reads that arrived
//! before it began (`read_index`), and no round at all for a while after
//! one succeeded (the leader's read lease, `lease`); other nodes forward
//! the read to it. A read
//! forwarded to a leader that has gone quiet makes the probe ask who leads
//! as a stalled entry does, and goes again to the new leader as soon as
//! one is known (see `reads`).
//!
//! The actor's state and routing are in `actor`, its handlers in
//! `handlers`, membership changes in `membership`; callers use
//! [`ConsensusClient`], which turns a stopped actor into a
//! [`ConsensusError`] like any other failure.

mod actor;
mod client;
mod clock;
mod error;
mod handlers;
mod lease;
mod members;
mod membership;
mod messages;
pub(crate) mod network;
mod read_index;
mod reads;
pub(crate) mod service;
mod types;
pub(crate) mod wire;

pub use actor::Consensus;
pub(crate) use client::ConsensusClient;
pub use clock::MetaClock;
pub use error::ConsensusError;
pub use lease::ReadLease;
pub(crate) use lease::READ_LEASE;
pub(crate) use members::MembershipError;
pub(crate) use members::MetaChange;
pub(crate) use members::MetaMembers;
pub use messages::Read;
pub use messages::Submit;
pub use messages::SubmitOnce;
pub use types::ConsensusConfig;
pub use types::LocalRaft;
