//! Quotas as the gateway and the admin API see them: a bucket's usage,
//! setting its quota, and the check a write makes before it stores its
//! body (the state machine makes it again, exactly, when the write
//! commits: `storage::meta::quota`).

use super::{unexpected, ObjectService};
use crate::object::ObjectError;
use crate::storage::meta::lock::Versioning;
use crate::storage::meta::quota::{BucketUsage, Quota};
use crate::storage::meta::{MetaOp, MetaOpError, MetaRead, MetaReadResult};

impl ObjectService {
    /// The bucket's usage and quota (`NoSuchBucket` when it is missing).
    pub(crate) async fn usage(&self, bucket: &str) -> Result<BucketUsage, ObjectError> {
        self.bucket(bucket).await?;
        self.read_usage(bucket).await
    }

    async fn read_usage(&self, bucket: &str) -> Result<BucketUsage, ObjectError> {
        match self.read(MetaRead::Usage(bucket.into())).await? {
            MetaReadResult::Usage(usage) => {
                self.recent_usage.insert(bucket, usage);
                Ok(usage)
            }
            _ => Err(unexpected()),
        }
    }

    /// Sets the bucket's quota (an empty one removes it).
    pub(crate) async fn set_quota(&self, bucket: &str, quota: Quota) -> Result<(), ObjectError> {
        self.submit(MetaOp::SetBucketQuota {
            bucket: bucket.into(),
            quota,
        })
        .await?;
        self.recent_usage.forget(bucket);
        Ok(())
    }

    /// Refuses, before any byte is stored, a write that would take the
    /// bucket past its quota: `bytes` more, and a new object unless it
    /// replaces `replaces`'s current version on a bucket that keeps no
    /// versions. A bucket without a quota costs no read most of the time.
    pub(crate) async fn quota_precheck(
        &self,
        bucket: &str,
        replaces: Option<&str>,
        bytes: u64,
        objects: u64,
    ) -> Result<(), ObjectError> {
        let usage = match self.recent_usage.get(bucket) {
            Some(u) if !u.quota.is_set() => return Ok(()),
            _ => self.read_usage(bucket).await?,
        };
        if !usage.quota.is_set() {
            return Ok(());
        }
        let (mut bytes, mut objects) = (bytes, objects);
        if let Some(key) = replaces {
            let versioning = self.bucket_precheck(bucket).await?.versioning.for_key(key);
            if versioning != Versioning::Enabled {
                if let Ok(current) = self.object(bucket, key).await {
                    // Unversioned: replaced; suspended: only a null one is.
                    if versioning == Versioning::Unversioned || !current.versioned {
                        bytes = bytes.saturating_sub(current.size);
                        objects = objects.saturating_sub(1);
                    }
                }
            }
        }
        if usage.would_exceed(bytes, objects) {
            crate::metrics::QUOTA_REFUSALS.inc();
            return Err(ObjectError::Refused(MetaOpError::QuotaExceeded));
        }
        Ok(())
    }
}
