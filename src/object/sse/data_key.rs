//! An object's data key, and why encryption can fail: what the cipher
//! ([`super::chunks`]) and the master keys ([`super::keys`]) share.

use std::fmt;

/// An object's own 256-bit data key.
#[derive(Clone)]
pub(crate) struct DataKey([u8; 32]);

impl DataKey {
    /// A fresh random key from the system's random source.
    pub(crate) fn random() -> Result<Self, SseError> {
        let mut k = [0u8; 32];
        aws_lc_rs::rand::fill(&mut k).map_err(|_| SseError::Random)?;
        Ok(DataKey(k))
    }

    pub(super) fn from_bytes(bytes: [u8; 32]) -> Self {
        DataKey(bytes)
    }

    pub(super) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(..)")
    }
}

/// Why data could not be encrypted or decrypted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum SseError {
    /// SSE-S3 or SSE-KMS was asked, and no master key is configured.
    #[error("no master key is configured for SSE-S3 or SSE-KMS")]
    NoMasterKey,
    /// The KMS key named is not configured.
    #[error("KMS key {0:?} is not configured")]
    UnknownKey(String),
    /// The object is encrypted with a customer key and none was given.
    #[error("the object is encrypted with a customer key, which was not given")]
    KeyRequired,
    /// A customer key was given that is not the object's.
    #[error("the customer key given is not the one the object was encrypted with")]
    WrongKey,
    /// A customer key was given for data not encrypted with one.
    #[error("a customer key was given for an object not encrypted with one")]
    NotCustomerEncrypted,
    /// The system's random source failed (no key or nonce is made
    /// without it).
    #[error("the system's random source failed")]
    Random,
    /// The master key that sealed an object's data key is not configured
    /// any more (retired before `admin kms rewrap` moved the object).
    #[error("master key {0:?} is not configured")]
    KeyGone(String),
    /// A sealed key or an encrypted chunk is not what was sealed.
    #[error("encrypted data or a sealed key failed authentication")]
    Damaged,
}
