//! Quotas and usage in the state machine, in one room: a bucket's quota
//! and usage as stored and as they cross the wire (here), and the counting
//! and the quota check as records change ([`usage`]).

pub(crate) mod usage;

use serde::{Deserialize, Serialize};

use crate::storage::meta::error::MetaError;
use crate::storage::meta::records::{from_bytes, to_bytes};

/// An operator's limits on one bucket; `None`: no limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    /// Most bytes the bucket may hold.
    pub max_bytes: Option<u64>,
    /// Most objects (versions, delete markers aside) it may hold.
    pub max_objects: Option<u64>,
}

impl Quota {
    /// Whether any limit is set.
    pub fn is_set(&self) -> bool {
        self.max_bytes.is_some() || self.max_objects.is_some()
    }
}

/// What a bucket holds, and its quota.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketUsage {
    /// Bytes of every version and of every part of uploads in progress.
    pub bytes: u64,
    /// Versions that are not delete markers.
    pub objects: u64,
    /// The bucket's quota.
    pub quota: Quota,
}

impl BucketUsage {
    /// Whether adding `bytes` and `objects` would take the bucket past its
    /// quota (what the gateway checks before it stores a body).
    pub fn would_exceed(&self, bytes: u64, objects: u64) -> bool {
        let over = |used: u64, add: u64, max: Option<u64>| {
            add > 0 && max.is_some_and(|m| used.saturating_add(add) > m)
        };
        over(self.bytes, bytes, self.quota.max_bytes)
            || over(self.objects, objects, self.quota.max_objects)
    }

    /// Whether `self`, reached from `before`, grew past the quota.
    pub(in crate::storage::meta) fn grew_past_quota(&self, before: &BucketUsage) -> bool {
        let past = |now: u64, was: u64, max: Option<u64>| now > was && max.is_some_and(|m| now > m);
        past(self.bytes, before.bytes, self.quota.max_bytes)
            || past(self.objects, before.objects, self.quota.max_objects)
    }

    /// The stored form (version byte + postcard).
    pub(in crate::storage::meta) fn encode(&self) -> Result<Vec<u8>, MetaError> {
        to_bytes(self)
    }

    /// Inverse of [`BucketUsage::encode`].
    pub(in crate::storage::meta) fn decode(b: &[u8]) -> Result<BucketUsage, MetaError> {
        from_bytes(b, "bucket usage")
    }
}
