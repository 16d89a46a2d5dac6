//! Lifecycle rules and quotas as the gateway and the admin API see them:
//! reading and setting them, the expiry dates answers announce, and the
//! quota check a write makes before it stores its body (the state machine
//! makes it again, exactly, when the write commits).

use super::ObjectService;
use crate::object::ObjectError;
use crate::storage::meta::lifecycle::LifecycleConfig;
use crate::storage::meta::lock::Versioning;
use crate::storage::meta::usage::{BucketUsage, Quota};
use crate::storage::meta::{MetaOp, MetaOpError, MetaRead, MetaReadResult, ObjectRecord};

fn unexpected() -> ObjectError {
    ObjectError::Internal("unexpected metadata read answer")
}

impl ObjectService {
    /// The bucket's lifecycle rules (`NoSuchBucket` when it is missing).
    pub(crate) async fn lifecycle(
        &self,
        bucket: &str,
    ) -> Result<Option<LifecycleConfig>, ObjectError> {
        self.bucket(bucket).await?;
        match self.read(MetaRead::Lifecycle(bucket.into())).await? {
            MetaReadResult::Lifecycle(config) => Ok(config),
            _ => Err(unexpected()),
        }
    }

    /// The rules as seen within the last second, for expiry headers.
    async fn recent_lifecycle(&self, bucket: &str) -> Option<LifecycleConfig> {
        if let Some(config) = self.recent_lifecycles.get(bucket) {
            return config;
        }
        let config = match self.read(MetaRead::Lifecycle(bucket.into())).await {
            Ok(MetaReadResult::Lifecycle(config)) => config,
            _ => return None,
        };
        self.recent_lifecycles.insert(bucket, config.clone());
        config
    }

    /// Sets (`Some`) or removes the bucket's lifecycle rules.
    pub(crate) async fn put_lifecycle(
        &self,
        bucket: &str,
        config: Option<LifecycleConfig>,
    ) -> Result<(), ObjectError> {
        self.submit(MetaOp::PutBucketLifecycle {
            bucket: bucket.into(),
            config,
        })
        .await?;
        self.recent_lifecycles.forget(bucket);
        Ok(())
    }

    /// The length of a lifecycle day in milliseconds.
    pub(crate) fn lifecycle_day_ms(&self) -> u64 {
        self.limits.lifecycle_day_ms
    }

    /// When the bucket's rules expire this current version, and by which
    /// rule (`x-amz-expiration`); `None` when no rule does.
    pub(crate) async fn expiration_of(&self, record: &ObjectRecord) -> Option<(u64, String)> {
        let config = self.recent_lifecycle(&record.bucket).await?;
        config
            .current_expiry(record, self.lifecycle_day_ms())
            .map(|(at, rule)| (at, rule.to_owned()))
    }

    /// When the bucket's rules abort an upload of `key` started at
    /// `initiated_ms`, and by which rule (`x-amz-abort-date`).
    pub(crate) async fn abort_date_of(
        &self,
        bucket: &str,
        key: &str,
        initiated_ms: u64,
    ) -> Option<(u64, String)> {
        let config = self.recent_lifecycle(bucket).await?;
        config
            .upload_abort(key, initiated_ms, self.lifecycle_day_ms())
            .map(|(at, rule)| (at, rule.to_owned()))
    }

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
            let versioning = self.bucket_precheck(bucket).await?.versioning;
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
