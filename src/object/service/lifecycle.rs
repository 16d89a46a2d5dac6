//! Lifecycle rules as the gateway and the admin API see them: reading and
//! setting them, and the expiry and abort dates answers announce (the
//! rules themselves are `storage::meta::lifecycle`'s, the walk the
//! lifecycle actor's).

use super::{unexpected, ObjectService};
use crate::object::ObjectError;
use crate::storage::meta::lifecycle::LifecycleConfig;
use crate::storage::meta::{MetaOp, MetaRead, MetaReadResult, ObjectRecord};

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
}
