//! What each bucket holds, and the quota an operator set on it.
//!
//! Usage is counted where records change, not estimated: every write of
//! an object version, delete marker or upload part through the overlay
//! adds the new record's share and takes away the old one's, in the same
//! batch, so the count can never drift from the records (overwrites,
//! versions, deletes, aborted uploads and lifecycle all go through it).
//! A bucket's bytes are the sizes of all its versions plus the parts of
//! its uploads in progress; its objects are its versions that are not
//! delete markers.
//!
//! An op that leaves a bucket fuller than before and past its quota is
//! refused ([`MetaOpError::QuotaExceeded`]) and rolled back, so nothing of
//! it is stored; an op that frees space is never refused.

use std::collections::BTreeMap;

use fjall::Readable;

use super::{BucketUsage, Quota};
use crate::storage::meta::error::MetaError;
use crate::storage::meta::keys;
use crate::storage::meta::ops::MetaOpError;
use crate::storage::meta::overlay::{Fail, Overlay};
use crate::storage::meta::records::{usage_fields, MultipartUpload, PartRecord};
use crate::storage::meta::state::{MetaState, Space};

/// The key, in the usage keyspace, that says usage has been counted for
/// every bucket (stores written before usage was kept are counted once
/// when opened). No bucket key starts with a zero byte.
const COUNTED_KEY: &[u8] = b"\x00counted";

/// A record's share of its bucket's usage: (bucket, bytes, objects).
type Share = (String, u64, u64);

/// The share of an object version or delete marker.
fn version_share(v: &[u8]) -> Result<Share, MetaError> {
    let (bucket, size, delete_marker) = usage_fields(v)?;
    Ok(if delete_marker {
        (bucket, 0, 0)
    } else {
        (bucket, size, 1)
    })
}

impl Overlay<'_> {
    /// The bucket's usage as the batch so far leaves it.
    pub(in crate::storage::meta) fn usage(&self, bucket: &str) -> Result<BucketUsage, MetaError> {
        Ok(self
            .get_record(Space::Usage, &keys::bucket_key(bucket), BucketUsage::decode)?
            .unwrap_or_default())
    }

    fn set_usage(&mut self, bucket: &str, usage: &BucketUsage) -> Result<(), Fail> {
        let v = usage.encode()?;
        self.put(Space::Usage, keys::bucket_key(bucket), v)
    }

    /// The share of the record stored at `key` of `s` (for parts, found
    /// through their upload), if `s` counts toward usage.
    fn share(&self, s: Space, value: &[u8]) -> Result<Option<Share>, MetaError> {
        match s {
            Space::Objects | Space::Versions => version_share(value).map(Some),
            Space::Parts => {
                let part = PartRecord::decode(value)?;
                Ok(self
                    .upload(&part.upload_id)?
                    .map(|u| (u.bucket, part.size, 0)))
            }
            _ => Ok(None),
        }
    }

    /// Moves the usage of the bucket(s) concerned from the record now at
    /// `key` of `s` to `new` (`None`: removed); called before the write.
    pub(in crate::storage::meta) fn account(
        &mut self,
        s: Space,
        key: &[u8],
        new: Option<&[u8]>,
    ) -> Result<(), Fail> {
        if !matches!(s, Space::Objects | Space::Versions | Space::Parts) {
            return Ok(());
        }
        let old = match self.get(s, key)? {
            Some(v) => self.share(s, &v)?,
            None => None,
        };
        let new = match new {
            Some(v) => self.share(s, v)?,
            None => None,
        };
        if old == new {
            // A record rewritten in place (tags, placement): no change.
            return Ok(());
        }
        if let Some((bucket, bytes, objects)) = old {
            self.change_usage(&bucket, |u| {
                u.bytes = u.bytes.saturating_sub(bytes);
                u.objects = u.objects.saturating_sub(objects);
            })?;
        }
        if let Some((bucket, bytes, objects)) = new {
            self.change_usage(&bucket, |u| {
                u.bytes = u.bytes.saturating_add(bytes);
                u.objects = u.objects.saturating_add(objects);
            })?;
        }
        Ok(())
    }

    fn change_usage(
        &mut self,
        bucket: &str,
        change: impl FnOnce(&mut BucketUsage),
    ) -> Result<(), Fail> {
        let mut usage = self.usage(bucket)?;
        self.usage_before.entry(bucket.to_owned()).or_insert(usage);
        change(&mut usage);
        self.set_usage(bucket, &usage)
    }

    /// Refuses the op just applied if it left a bucket fuller than before
    /// and past its quota.
    pub(in crate::storage::meta) fn check_quotas(&mut self) -> Result<(), Fail> {
        let before = std::mem::take(&mut self.usage_before);
        for (bucket, was) in before {
            if self.usage(&bucket)?.grew_past_quota(&was) {
                return Err(MetaOpError::QuotaExceeded.into());
            }
        }
        Ok(())
    }

    /// Sets a bucket's quota.
    pub(in crate::storage::meta) fn set_quota(
        &mut self,
        bucket: &str,
        quota: Quota,
    ) -> Result<(), Fail> {
        self.require_bucket(bucket)?;
        let mut usage = self.usage(bucket)?;
        usage.quota = quota;
        self.set_usage(bucket, &usage)
    }
}

impl MetaState {
    /// A bucket's usage and quota (zero for an unknown bucket).
    pub fn bucket_usage(&self, bucket: &str) -> Result<BucketUsage, MetaError> {
        Ok(self
            .ks(Space::Usage)
            .get(keys::bucket_key(bucket))?
            .map(|v| BucketUsage::decode(&v))
            .transpose()?
            .unwrap_or_default())
    }

    /// Counts every bucket's usage from its records, once, for a store
    /// written before usage was kept (opened or imported): the count then
    /// goes on op by op.
    pub(in crate::storage::meta) fn count_usage_once(&self) -> Result<(), MetaError> {
        if self.ks(Space::Usage).get(COUNTED_KEY)?.is_some() {
            return Ok(());
        }
        let _guard = self
            .apply_lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut usage: BTreeMap<String, BucketUsage> = BTreeMap::new();
        let snap = self.snapshot();
        for s in [Space::Objects, Space::Versions] {
            for guard in snap.iter(self.ks(s)) {
                let (_, v) = guard.into_inner()?;
                let (bucket, bytes, objects) = version_share(&v)?;
                let u = usage.entry(bucket).or_default();
                u.bytes += bytes;
                u.objects += objects;
            }
        }
        let mut uploads: BTreeMap<String, String> = BTreeMap::new();
        for guard in snap.iter(self.ks(Space::Uploads)) {
            let (_, v) = guard.into_inner()?;
            let u = MultipartUpload::decode(&v)?;
            uploads.insert(u.upload_id, u.bucket);
        }
        for guard in snap.iter(self.ks(Space::Parts)) {
            let (_, v) = guard.into_inner()?;
            let part = PartRecord::decode(&v)?;
            if let Some(bucket) = uploads.get(&part.upload_id) {
                usage.entry(bucket.clone()).or_default().bytes += part.size;
            }
        }
        let mut batch = self.db.batch();
        let ks = self.ks(Space::Usage);
        for (bucket, mut u) in usage {
            let key = keys::bucket_key(&bucket);
            if let Some(stored) = ks.get(&key)? {
                u.quota = BucketUsage::decode(&stored)?.quota;
            }
            batch.insert(ks, key, u.encode()?);
        }
        batch.insert(ks, COUNTED_KEY, [1u8]);
        batch.commit()?;
        Ok(())
    }
}

impl MetaState {
    /// Forgets that usage was counted (a fresh store about to import a
    /// snapshot, which says whether it was).
    pub(in crate::storage::meta) fn forget_counted(&self) -> Result<(), MetaError> {
        Ok(self.ks(Space::Usage).remove(COUNTED_KEY)?)
    }
}

/// Checks an imported snapshot entry of the usage keyspace.
pub(in crate::storage::meta) fn check_entry(key: &[u8], value: &[u8]) -> bool {
    key == COUNTED_KEY || BucketUsage::decode(value).is_ok()
}

#[cfg(test)]
mod tests;
