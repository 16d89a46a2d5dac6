//! The parser's one error type: AWS's `MalformedPolicy` message.

use std::fmt;

/// Why a policy was refused: the message AWS gives with `MalformedPolicy`
/// (the API layer maps it; no S3 code here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PolicyError {
    /// AWS's wording, shown to the client as the error's message.
    pub(crate) message: String,
}

impl PolicyError {
    /// An error with `message`.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        PolicyError {
            message: message.into(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

// AWS's messages (as S3 answers them with MalformedPolicy).
/// The text is not JSON, or an element has the wrong JSON type.
pub(crate) const INVALID_JSON: &str = "This policy contains invalid Json";
/// The text does not start with '{' (after white space).
pub(crate) const FIRST_BYTE: &str = "Policies must be valid JSON and the first byte must be '{'";
/// `Statement` is an empty array.
pub(crate) const EMPTY_STATEMENT: &str = "Could not parse the policy: Statement is empty!";
/// `Version` is neither 2012-10-17 nor 2008-10-17.
pub(crate) const INVALID_VERSION: &str = "The policy must contain a valid version string";
/// A principal this store cannot have, or a malformed `Principal`.
pub(crate) const INVALID_PRINCIPAL: &str = "Invalid principal in policy";
/// A resource that is not this bucket or its objects.
pub(crate) const INVALID_RESOURCE: &str = "Policy has invalid resource";
/// An action that is not an S3 action.
pub(crate) const INVALID_ACTION: &str = "Policy has invalid action";
/// An action with no resource of its kind (object action on the bucket...).
pub(crate) const ACTION_RESOURCE_MISMATCH: &str =
    "Action does not apply to any resource(s) in statement";
/// A condition key AWS does not know.
pub(crate) const INVALID_CONDITION_KEY: &str = "Policy has an invalid condition key";
/// A condition key that does not apply to the statement's actions.
pub(crate) const CONDITION_ACTION_MISMATCH: &str =
    "Conditions do not apply to combination of actions and resources in statement";
/// An `aws:SourceIp` value that is not an IP address or CIDR.
pub(crate) const INVALID_IP: &str = "Invalid IP address in Conditions";
/// A resource of an identity or trust policy that is neither an ARN nor `*`.
pub(crate) const RESOURCE_NOT_ARN: &str = "Resource must be in ARN format or \"*\".";
