//! Why an IAM change was refused: IAM's kinds of refusal (its error
//! codes, mapped by the API layer) and messages.

use serde::{Deserialize, Serialize};

/// Why an IAM change was refused, in IAM's terms (the kind is its error
/// code; the API layer maps it), with IAM's message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub(crate) struct IamError {
    /// What kind of refusal.
    pub kind: IamErrorKind,
    /// IAM's wording.
    pub message: String,
}

/// The kinds of IAM refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IamErrorKind {
    /// The user, group, policy, role or key does not exist.
    NoSuchEntity,
    /// The name is taken.
    EntityAlreadyExists,
    /// It still holds or is held by something.
    DeleteConflict,
    /// A quota would be exceeded.
    LimitExceeded,
    /// The change does not make sense.
    InvalidInput,
}

#[allow(non_snake_case)]
impl IamError {
    fn of(kind: IamErrorKind, message: String) -> Self {
        IamError { kind, message }
    }
    /// `NoSuchEntity` with `message`.
    pub(crate) fn NoSuchEntity(message: String) -> Self {
        Self::of(IamErrorKind::NoSuchEntity, message)
    }
    /// `EntityAlreadyExists` with `message`.
    pub(crate) fn EntityAlreadyExists(message: String) -> Self {
        Self::of(IamErrorKind::EntityAlreadyExists, message)
    }
    /// `DeleteConflict` with `message`.
    pub(crate) fn DeleteConflict(message: String) -> Self {
        Self::of(IamErrorKind::DeleteConflict, message)
    }
    /// `LimitExceeded` with `message`.
    pub(crate) fn LimitExceeded(message: String) -> Self {
        Self::of(IamErrorKind::LimitExceeded, message)
    }
    /// `InvalidInput` with `message`.
    pub(crate) fn InvalidInput(message: String) -> Self {
        Self::of(IamErrorKind::InvalidInput, message)
    }
}
