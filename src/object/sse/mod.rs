//! Server-side encryption of object data (SSE-S3, SSE-KMS, SSE-C).
//!
//! Every encrypted object has its own random data key. Its data (shards or
//! inline bytes) is encrypted with it in chunks ([`chunks`]) before it is
//! erasure coded, so storage nodes, their WAL segments, heal, scrub and
//! rebalance only ever see encrypted bytes and never a key. The data key
//! is kept in the object's record sealed: by a master key ([`keys`]) for
//! SSE-S3 and SSE-KMS, by the customer's own key for SSE-C (which is never
//! stored; a salted HMAC of it tells a wrong key from the right one).

pub(crate) mod chunks;
mod data_key;
pub(crate) mod keys;

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::hmac;
use md5::{Digest as _, Md5};

pub(crate) use chunks::ChunkCipher;
pub(crate) use data_key::{DataKey, SseError};
pub(crate) use keys::{KeyProvider, MasterKeys};

use crate::storage::meta::encryption::{DefaultEncryption, Encryption, SseMode};

/// A customer-provided key (SSE-C) as a request gave it.
#[derive(Clone)]
pub(crate) struct CustomerKey {
    key: [u8; 32],
}

impl fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CustomerKey(..)")
    }
}

impl CustomerKey {
    /// The key of 32 bytes.
    pub(crate) fn new(key: [u8; 32]) -> Self {
        CustomerKey { key }
    }

    /// Its MD5, which requests send beside it and answers echo.
    pub(crate) fn md5(&self) -> [u8; 16] {
        Md5::digest(self.key).into()
    }

    fn check(&self, salt: &[u8]) -> [u8; 32] {
        let mac = hmac::Key::new(hmac::HMAC_SHA256, &self.key);
        let tag = hmac::sign(&mac, salt);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }
}

/// The encryption a writer asked for.
#[derive(Clone, Debug, Default)]
pub(crate) enum SseRequest {
    /// None asked: the bucket's default, if it has one.
    #[default]
    Default,
    /// SSE-S3.
    S3,
    /// SSE-KMS under `key_id` (none: the default key), bound to `context`.
    Kms {
        /// The KMS key id named.
        key_id: Option<String>,
        /// `x-amz-server-side-encryption-context` as sent.
        context: Option<String>,
    },
    /// SSE-C with the customer's key.
    Customer(CustomerKey),
}

impl SseRequest {
    /// The customer key of an SSE-C request.
    pub(crate) fn customer(&self) -> Option<&CustomerKey> {
        match self {
            SseRequest::Customer(c) => Some(c),
            _ => None,
        }
    }
}

/// Encryption as the object service uses it: new data keys sealed for
/// writes, data keys opened for reads.
#[derive(Clone)]
pub(crate) struct Sse {
    keys: Arc<dyn KeyProvider>,
}

impl fmt::Debug for Sse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sse")
            .field("keys", &self.keys.key_ids())
            .finish()
    }
}

/// What a sealed data key is bound to besides its master key.
fn context_of(mode: &SseMode, key_id: &str) -> Vec<u8> {
    let mut aad = b"predastore data key v1\0".to_vec();
    match mode {
        SseMode::S3 => aad.extend_from_slice(b"s3\0"),
        SseMode::Kms { context } => {
            aad.extend_from_slice(b"kms\0");
            aad.extend_from_slice(context.as_deref().unwrap_or("").as_bytes());
            aad.push(0);
        }
        SseMode::Customer { .. } => aad.extend_from_slice(b"c\0"),
    }
    aad.extend_from_slice(key_id.as_bytes());
    aad
}

impl Sse {
    /// Encryption with master keys from `keys`.
    pub(crate) fn new(keys: Arc<dyn KeyProvider>) -> Self {
        Sse { keys }
    }

    /// The master keys' provider.
    pub(crate) fn keys(&self) -> &dyn KeyProvider {
        &*self.keys
    }

    /// The encryption of new data a writer asked for with `request` into
    /// a bucket whose default is `default`, with its fresh data key;
    /// `None`: stored as sent.
    pub(crate) fn new_encryption(
        &self,
        request: &SseRequest,
        default: Option<&DefaultEncryption>,
    ) -> Result<Option<(Encryption, DataKey)>, SseError> {
        let (mode, key_id) = match (request, default) {
            (SseRequest::Default, None) => return Ok(None),
            (SseRequest::Default, Some(d)) if d.kms => (
                SseMode::Kms { context: None },
                self.master_key(d.kms_key_id.as_deref())?,
            ),
            (SseRequest::Default, Some(_)) | (SseRequest::S3, _) => {
                (SseMode::S3, self.master_key(None)?)
            }
            (SseRequest::Kms { key_id, context }, _) => (
                SseMode::Kms {
                    context: context.clone(),
                },
                self.master_key(key_id.as_deref())?,
            ),
            (SseRequest::Customer(customer), _) => {
                let data_key = DataKey::random()?;
                let mut salt = [0u8; 16];
                aws_lc_rs::rand::fill(&mut salt).map_err(|_| SseError::Random)?;
                let mode = SseMode::Customer {
                    salt,
                    key_check: customer.check(&salt),
                };
                let sealed = keys::seal_with(&customer.key, &data_key, &context_of(&mode, ""))?;
                let encryption = Encryption {
                    mode,
                    key_id: String::new(),
                    sealed_key: sealed,
                };
                return Ok(Some((encryption, data_key)));
            }
        };
        let data_key = DataKey::random()?;
        let sealed = self
            .keys
            .seal(&key_id, &data_key, &context_of(&mode, &key_id))?;
        let encryption = Encryption {
            mode,
            key_id,
            sealed_key: sealed,
        };
        Ok(Some((encryption, data_key)))
    }

    /// Refuses a bucket default encryption naming a master key that is
    /// not configured (or any, when none is).
    pub(crate) fn check_default(&self, default: &DefaultEncryption) -> Result<(), SseError> {
        let named = default.kms_key_id.as_deref().filter(|_| default.kms);
        self.master_key(named).map(drop)
    }

    /// The id of master key `named`, or the default one; it must exist.
    fn master_key(&self, named: Option<&str>) -> Result<String, SseError> {
        let id = match named {
            Some(id) => id,
            None => self.keys.default_key().ok_or(SseError::NoMasterKey)?,
        };
        if self.keys.holds(id) {
            Ok(id.to_string())
        } else if self.keys.default_key().is_none() {
            Err(SseError::NoMasterKey)
        } else {
            Err(SseError::UnknownKey(id.to_string()))
        }
    }

    /// The data key of data encrypted as `encryption` (`None`: not
    /// encrypted), with the customer's key when the request gave one. A
    /// customer key is required exactly for SSE-C data.
    pub(crate) fn open(
        &self,
        encryption: Option<&Encryption>,
        customer: Option<&CustomerKey>,
    ) -> Result<Option<DataKey>, SseError> {
        let Some(e) = encryption else {
            return match customer {
                Some(_) => Err(SseError::NotCustomerEncrypted),
                None => Ok(None),
            };
        };
        let context = context_of(&e.mode, &e.key_id);
        match (&e.mode, customer) {
            (SseMode::Customer { salt, key_check }, Some(c)) => {
                verify_slices_are_equal(&c.check(salt), key_check)
                    .map_err(|_| SseError::WrongKey)?;
                keys::open_with(&c.key, &e.sealed_key, &context).map(Some)
            }
            (SseMode::Customer { .. }, None) => Err(SseError::KeyRequired),
            (_, Some(_)) => Err(SseError::NotCustomerEncrypted),
            (_, None) => match self.keys.open(&e.key_id, &e.sealed_key, &context) {
                Ok(key) => Ok(Some(key)),
                // A client named no key here: the store lost one.
                Err(SseError::UnknownKey(id)) => Err(SseError::KeyGone(id)),
                Err(e) => Err(e),
            },
        }
    }

    /// `encryption` with its data key sealed anew under master key `to`
    /// (SSE-S3 and SSE-KMS only; SSE-C data is left as it is: `None`).
    pub(crate) fn rewrap(
        &self,
        encryption: &Encryption,
        to: &str,
    ) -> Result<Option<Encryption>, SseError> {
        if matches!(encryption.mode, SseMode::Customer { .. }) {
            return Ok(None);
        }
        let data_key = self
            .open(Some(encryption), None)?
            .ok_or(SseError::Damaged)?;
        let to = self.master_key(Some(to))?;
        let sealed = self
            .keys
            .seal(&to, &data_key, &context_of(&encryption.mode, &to))?;
        Ok(Some(Encryption {
            mode: encryption.mode.clone(),
            key_id: to,
            sealed_key: sealed,
        }))
    }
}

/// The ETag of data whose MD5 is `md5`, encrypted as `key` says (its
/// encryption and data key): the MD5 itself unless SSE-KMS or SSE-C, whose ETags are not
/// the MD5 of the data as in S3 (an SSE-C object's MD5 would tell
/// something about the data to whoever reads the listing).
pub(crate) fn etag_of(md5: &[u8; 16], key: Option<&(Encryption, DataKey)>) -> String {
    match key {
        Some((e, k)) if matches!(e.mode, SseMode::Kms { .. } | SseMode::Customer { .. }) => {
            let mac = hmac::Key::new(hmac::HMAC_SHA256, k.bytes());
            let mut input = b"predastore etag\0".to_vec();
            input.extend_from_slice(md5);
            hex::encode(&hmac::sign(&mac, &input).as_ref()[..16])
        }
        _ => hex::encode(md5),
    }
}

#[cfg(test)]
mod tests;
