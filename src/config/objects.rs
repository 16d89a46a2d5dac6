//! How new objects are stored: erasure coding, stripe size, the size
//! limits, inlining of small objects, and how long replaced data is kept.

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use super::values::ErasureSpec;
use crate::storage::meta::ErasureLayout;

/// Largest `PREDASTORE_INLINE_BYTES`: a Raft entry of many small PUTs
/// stays small.
pub(crate) const MAX_INLINE_BYTES: u64 = 64 << 10;

/// The object service's layout and limits.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct ObjectSettings {
    /// `PREDASTORE_EC`: erasure coding of new objects, `data+parity` shards
    /// per stripe; checked against the codec with the stripe size. Default
    /// `2+1`.
    pub ec: ErasureSpec,
    /// `PREDASTORE_STRIPE_BYTES`: object bytes per erasure-coded stripe.
    /// Default 1048576 (1 MiB).
    pub stripe_bytes: u32,
    /// `PREDASTORE_MAX_OBJECT_BYTES`: bytes of the largest single PUT.
    /// Default 5368709120 (5 GiB, as S3).
    pub max_object_bytes: u64,
    /// `PREDASTORE_INLINE_BYTES`: single-part objects up to this many bytes
    /// are kept whole in their metadata record (replicated by Raft) instead
    /// of in erasure-coded shards; 0 turns this off, at most
    /// [`MAX_INLINE_BYTES`]. Default 8192.
    pub inline_bytes: u64,
    /// `PREDASTORE_DROP_GRACE_MS`: milliseconds the data of a replaced or
    /// deleted version is kept, so that a GET that began before the change
    /// streams the old version to its last byte. Default 3600000 (an hour).
    pub drop_grace_ms: u64,
}

impl Default for ObjectSettings {
    fn default() -> Self {
        Self {
            ec: ErasureSpec { data: 2, parity: 1 },
            stripe_bytes: 1 << 20,
            max_object_bytes: 5 << 30,
            inline_bytes: 8 << 10,
            drop_grace_ms: 3_600_000,
        }
    }
}

impl ObjectSettings {
    /// `PREDASTORE_INLINE_BYTES`, checked: at most [`MAX_INLINE_BYTES`], so
    /// a Raft entry of many small PUTs stays small.
    pub fn inline_bytes(&self) -> Result<u64, ConfigError> {
        if self.inline_bytes > MAX_INLINE_BYTES {
            return Err(ConfigError(format!(
                "PREDASTORE_INLINE_BYTES: {} is over the limit of {MAX_INLINE_BYTES}",
                self.inline_bytes
            )));
        }
        Ok(self.inline_bytes)
    }

    /// The erasure layout `PREDASTORE_EC` and `PREDASTORE_STRIPE_BYTES` name.
    pub fn erasure(&self) -> ErasureLayout {
        ErasureLayout {
            data: self.ec.data,
            parity: self.ec.parity,
            stripe_bytes: self.stripe_bytes,
        }
    }
}
