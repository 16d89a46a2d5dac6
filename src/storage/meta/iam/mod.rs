//! Identity in the metadata: each account's IAM document (users, groups,
//! managed policies, roles; [`records`]), the changes to it and their
//! refusals ([`change`]), and the access keys of IAM users and temporary
//! credentials, kept apart from the account roots' keys. Every change
//! bumps the account's generation, which the per-request credential
//! read answers, so a gateway's cached copy of the document is checked
//! on every request without reading the document.
//!
//! Keyspaces: `iam` holds `d<account>` (the document), `g<account>`
//! (its generation, u64 big-endian after the version byte) and
//! `x<expiry><key id>` (temporary credentials by expiry, so expired ones
//! are dropped a few at a time as new ones are made) and `u<key id>`
//! (when a key was last used: written in batches by the gateways, never
//! part of the document or its generation); `iam_keys` holds the key
//! records by access key id.

mod apply;
pub(crate) mod change;
pub(crate) mod error;
pub(crate) mod records;
pub(crate) mod state;
#[cfg(test)]
mod tests;

pub(crate) use change::{Holder, IamChange};
pub(crate) use error::{IamError, IamErrorKind};
pub(crate) use records::{
    AccountIam, IamGroup, IamKey, IamRole, IamUser, InlinePolicies, KeyUse, ManagedPolicy,
    OidcProvider, Session,
};
pub(crate) use state::check_entry;
pub(crate) use state::Credential;

use super::error::MetaError;
use super::records::codec::first_shape;
use super::records::{codec, to_bytes};

first_shape!(AccountIam, IamKey, KeyUse);

impl AccountIam {
    /// Versioned binary form, as stored.
    pub(crate) fn try_encode(&self) -> Result<Vec<u8>, MetaError> {
        to_bytes(self)
    }

    /// Inverse of [`AccountIam::try_encode`]; damaged bytes are an error.
    pub fn decode(b: &[u8]) -> Result<Self, MetaError> {
        codec::decode(b, "account IAM document")
    }
}

impl IamKey {
    /// Versioned binary form, as stored.
    pub(crate) fn try_encode(&self) -> Result<Vec<u8>, MetaError> {
        to_bytes(self)
    }

    /// Inverse of [`IamKey::try_encode`]; damaged bytes are an error.
    pub fn decode(b: &[u8]) -> Result<Self, MetaError> {
        codec::decode(b, "IAM access key record")
    }
}

impl KeyUse {
    /// Versioned binary form, as stored.
    pub(crate) fn try_encode(&self) -> Result<Vec<u8>, MetaError> {
        to_bytes(self)
    }

    /// Inverse of [`KeyUse::try_encode`]; damaged bytes are an error.
    pub fn decode(b: &[u8]) -> Result<Self, MetaError> {
        codec::decode(b, "access key use")
    }
}
