//! How an object's data is encrypted at rest, as its record keeps it: the
//! mode the writer asked for and the object's own data key, sealed. The
//! cipher itself lives with the object service (`crate::object::sse`);
//! what is here is what the metadata needs: the record shapes, a bucket's
//! default, and the size the encrypted data takes, since the shards hold
//! encrypted bytes.
//!
//! Data is encrypted in chunks of [`CHUNK_BYTES`] of plain text, each
//! stored with its [`TAG_BYTES`] authentication tag, so a ranged read
//! decrypts only the chunks it touches.

use serde::{Deserialize, Serialize};

/// Plain bytes per encrypted chunk.
pub(crate) const CHUNK_BYTES: u64 = 64 << 10;

/// Bytes each chunk grows by when stored (its AES-GCM tag).
pub(crate) const TAG_BYTES: u64 = 16;

/// The bytes `plain` bytes of data take when stored with `encryption`.
pub(crate) fn stored_size(encryption: Option<&Encryption>, plain: u64) -> u64 {
    match encryption {
        Some(_) => plain + plain.div_ceil(CHUNK_BYTES) * TAG_BYTES,
        None => plain,
    }
}

/// The server-side encryption mode of an object, as S3 names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SseMode {
    /// SSE-S3 (`AES256`): the data key is sealed by a master key the
    /// store holds.
    S3,
    /// SSE-KMS (`aws:kms`): sealed by the KMS key the writer named (or
    /// the default one), bound to the encryption context it gave.
    Kms {
        /// The encryption context as sent (base64 of a JSON object).
        context: Option<String>,
    },
    /// SSE-C: sealed by the customer's own key, which is never stored;
    /// `key_check` (HMAC-SHA256 of `salt` under that key) tells a wrong
    /// key from a right one.
    Customer {
        /// Random bytes the key check is computed over.
        salt: [u8; 16],
        /// HMAC-SHA256(customer key, salt).
        key_check: [u8; 32],
    },
}

/// The encryption of one object's (or upload's) data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    /// How the data key is sealed.
    pub mode: SseMode,
    /// The master (KMS) key that sealed the data key; empty for SSE-C.
    pub key_id: String,
    /// The object's data key, sealed (see `crate::object::sse`).
    pub sealed_key: Vec<u8>,
}

impl Encryption {
    /// The value of `x-amz-server-side-encryption` for it (none for SSE-C,
    /// which answers with the customer-algorithm header instead).
    pub fn algorithm(&self) -> Option<&'static str> {
        match self.mode {
            SseMode::S3 => Some(SSE_S3),
            SseMode::Kms { .. } => Some(SSE_KMS),
            SseMode::Customer { .. } => None,
        }
    }
}

/// `x-amz-server-side-encryption` of SSE-S3.
pub(crate) const SSE_S3: &str = "AES256";

/// `x-amz-server-side-encryption` of SSE-KMS.
pub(crate) const SSE_KMS: &str = "aws:kms";

/// A bucket's default encryption (PutBucketEncryption): applied to every
/// object written without encryption headers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultEncryption {
    /// SSE-KMS rather than SSE-S3.
    pub kms: bool,
    /// The KMS key of SSE-KMS (none: the default key).
    pub kms_key_id: Option<String>,
    /// `BucketKeyEnabled` as set (echoed; every object has its own key).
    pub bucket_key: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_size_adds_one_tag_per_chunk() {
        let e = Encryption {
            mode: SseMode::S3,
            key_id: "k".into(),
            sealed_key: vec![],
        };
        assert_eq!(stored_size(None, 100), 100);
        assert_eq!(stored_size(Some(&e), 0), 0);
        assert_eq!(stored_size(Some(&e), 1), 17);
        assert_eq!(stored_size(Some(&e), CHUNK_BYTES), CHUNK_BYTES + 16);
        assert_eq!(stored_size(Some(&e), CHUNK_BYTES + 1), CHUNK_BYTES + 33);
    }
}
