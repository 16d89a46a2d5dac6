//! Messages the Ring actor handles.

use actix::Message;

use crate::cluster::ring::{Member, RingError};

/// Replace the membership.
#[derive(Message)]
#[rtype(result = "Result<(), RingError>")]
pub(crate) struct SetMembers(pub Vec<Member>);
