//! The identity layer's one error type (no IAM codes or HTTP statuses:
//! the API layer maps it).

use crate::object::ObjectError;
use crate::storage::meta::iam::IamError;

/// Why an identity operation failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum IdentityError {
    /// IAM refused it (no such entity, name taken, quota…).
    #[error(transparent)]
    Refused(#[from] IamError),
    /// A policy document IAM would refuse, with its message.
    #[error("malformed policy document: {0}")]
    MalformedPolicy(String),
    /// The metadata could not be read or written.
    #[error(transparent)]
    Store(#[from] ObjectError),
}
