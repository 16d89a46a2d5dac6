//! Messages the Syncer handles.

use actix::Message;

use crate::storage::StorageError;

/// Resolves once every append up to `seq` is durable.
#[derive(Message)]
#[rtype(result = "Result<(), StorageError>")]
pub(crate) struct WaitDurable {
    /// The append's sequence number.
    pub seq: u64,
}

/// Many bytes are pending: sync soon even if nobody waits.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct Nudge;
