//! Why an admin operation did not happen, in the admin service's terms; the
//! admin API decides the HTTP status of each.

use crate::actors::core::consensus::ConsensusError;
use crate::object::ObjectError;

/// An admin operation that was refused or failed; a refused one changed
/// nothing.
#[derive(Debug, thiserror::Error)]
pub(crate) enum AdminError {
    /// The node, key, bucket or member named does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request itself is malformed (a bad address, a missing field).
    #[error("{0}")]
    Invalid(String),
    /// The change would leave the cluster unsafe or contradicts its state
    /// (draining below k+m nodes, removing the last voter, a node id taken).
    #[error("{0}")]
    Refused(String),
    /// The metadata group or a node could not be reached; try again.
    #[error("{0}")]
    Unavailable(String),
    /// Something broke that should not have.
    #[error("{0}")]
    Internal(String),
}

impl From<ObjectError> for AdminError {
    fn from(e: ObjectError) -> Self {
        match e {
            ObjectError::NoSuchBucket(b) => AdminError::NotFound(format!("no such bucket: {b}")),
            ObjectError::Metadata(e) => e.into(),
            e @ (ObjectError::NoSuchKey { .. }
            | ObjectError::NoSuchVersion { .. }
            | ObjectError::NoSuchUpload
            | ObjectError::TooLarge { .. }
            | ObjectError::IncompleteBody { .. }
            | ObjectError::Refused(_)
            | ObjectError::Data(_)
            | ObjectError::Internal(_)) => AdminError::Internal(e.to_string()),
            ObjectError::Encryption(e) => AdminError::Refused(format!("encryption: {e}")),
        }
    }
}

impl From<ConsensusError> for AdminError {
    fn from(e: ConsensusError) -> Self {
        AdminError::Unavailable(format!("metadata: {e}"))
    }
}
