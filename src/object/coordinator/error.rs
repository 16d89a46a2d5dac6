//! What can go wrong moving object data.

use crate::net::NetError;
use crate::object::erasure::ErasureError;
use crate::storage::StorageError;

/// What can go wrong moving object data.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CoordinatorError {
    /// Too few shards could be written or read.
    #[error("not enough shards: {0}")]
    Quorum(String),
    /// The erasure code refused the data.
    #[error("erasure coding: {0}")]
    Erasure(#[from] ErasureError),
    /// A storage node failed.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// Another storage node could not be reached or refused.
    #[error("peer: {0}")]
    Peer(#[from] NetError),
    /// The layout cannot be used.
    #[error("bad layout: {0}")]
    Layout(String),
}
