//! The typed client of the Ring actor: what a caller holding the actor
//! uses instead of its `Addr`, a stopped actor becoming a
//! [`RingCallError`] beside the ring's own refusals.

use actix::Addr;

use super::actor::Ring;
use super::messages::SetMembers;
use crate::cluster::ring::{Member, RingError};

/// Why a call to the Ring actor did not change the ring.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RingCallError {
    /// The actor is gone (stopped at shutdown); the message never reached
    /// it.
    #[error("ring actor stopped: {0}")]
    Stopped(String),
    /// The ring refused the membership; the previous ring stays.
    #[error(transparent)]
    Refused(#[from] RingError),
}

/// Changes the membership of a running Ring actor. Cheap to clone; reads
/// go through its [`RingView`](super::RingView), never through here.
#[derive(Clone)]
pub(crate) struct RingClient {
    /// The actor every call goes to.
    addr: Addr<Ring>,
}

impl RingClient {
    /// A client of the actor at `addr`.
    pub(crate) fn new(addr: Addr<Ring>) -> Self {
        Self { addr }
    }

    /// Replaces the ring's membership; readers see the new snapshot once
    /// this returns.
    pub(crate) async fn set_members(&self, members: Vec<Member>) -> Result<(), RingCallError> {
        self.addr
            .send(SetMembers(members))
            .await
            .map_err(|e| RingCallError::Stopped(e.to_string()))??;
        Ok(())
    }
}
