//! Buckets as an operator sees them: who owns them, what they hold, the
//! quota an operator set on them and how many lifecycle rules they carry.
//!
//! Usage and quota come from the exact counters the state machine keeps
//! (no walk); the counts of current objects, versions and locked versions
//! come from walking the bucket's listings, since they answer different
//! questions (what a listing shows, what blocks a delete).

use serde::Serialize;

use super::error::AdminError;
use super::handle::AdminService;
use crate::object::ObjectError;
use crate::storage::meta::lock::{may_delete, RetentionPeriod, Versioning};
use crate::storage::meta::quota::{BucketUsage, Quota};
use crate::storage::meta::{
    BucketRecord, ListQuery, MetaOpError, MetaRead, MetaReadResult, VersionsQuery,
};

/// Objects counted per listing page.
const PAGE: usize = 1000;

/// A bucket as listed.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct BucketSummary {
    /// The bucket's name as S3 addresses it.
    pub name: String,
    /// Owner's access key id.
    pub owner: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
}

/// What a bucket holds by the exact counters: what its quota limits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct UsageCounts {
    /// Bytes of every version (noncurrent ones too) and of every part of
    /// its uploads in progress.
    pub bytes: u64,
    /// Versions that are not delete markers, noncurrent ones too.
    pub objects: u64,
}

/// A bucket's usage against its quota, and its lifecycle rules: what the
/// console shows for every bucket and a quota change answers, read
/// without walking the bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct BucketLimits {
    /// What the bucket holds now.
    pub usage: UsageCounts,
    /// The operator's limits (`null` on an axis: no limit).
    pub quota: Quota,
    /// Lifecycle rules the bucket carries (0 when none), enabled or not.
    pub lifecycle_rules: u64,
}

impl BucketLimits {
    fn new(usage: BucketUsage, lifecycle_rules: u64) -> Self {
        Self {
            usage: UsageCounts {
                bytes: usage.bytes,
                objects: usage.objects,
            },
            quota: usage.quota,
            lifecycle_rules,
        }
    }
}

/// A bucket with what it holds.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct BucketInfo {
    /// The bucket's name as S3 addresses it.
    pub name: String,
    /// Owner's access key id.
    pub owner: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// Objects it holds (current versions).
    pub objects: u64,
    /// Those objects' bytes, as clients wrote them (before erasure coding).
    pub bytes: u64,
    /// Multipart uploads in progress (at most the first thousand counted).
    pub uploads_in_progress: u64,
    /// `Unversioned`, `Enabled` or `Suspended`.
    pub versioning: &'static str,
    /// Its object lock default retention (`GOVERNANCE 30 days`), `none`
    /// with lock on but no default, absent without object lock.
    pub object_lock: Option<String>,
    /// Versions and delete markers it holds, current ones included.
    pub versions: u64,
    /// Versions whose legal hold is on or whose retention still runs:
    /// nobody can delete them (nor so the bucket) before that ends.
    pub locked_versions: u64,
    /// Why the bucket cannot be deleted now, if it cannot.
    pub delete_blocked_by: Option<String>,
    /// Its policy: `readable`, or `unreadable` (a stored text that does
    /// not parse: every request but the owner's policy calls is denied);
    /// absent without a policy.
    pub policy: Option<&'static str>,
    /// Usage by the exact counters, quota and lifecycle rules (`usage`,
    /// `quota` and `lifecycle_rules` in the JSON).
    #[serde(flatten)]
    pub limits: BucketLimits,
}

fn summary(b: BucketRecord) -> BucketSummary {
    BucketSummary {
        name: b.name,
        owner: b.owner,
        created_ms: b.created_ms,
    }
}

impl AdminService {
    /// Every bucket, by name.
    pub(crate) async fn buckets(&self) -> Result<Vec<BucketSummary>, AdminError> {
        match self.objects.read(MetaRead::Buckets).await? {
            MetaReadResult::Buckets(b) => Ok(b.into_iter().map(summary).collect()),
            _ => Err(AdminError::Internal(
                "unexpected answer to a bucket listing".into(),
            )),
        }
    }

    /// A bucket's usage, quota and number of lifecycle rules, from the
    /// counters (cheap: no walk); `NotFound` for an unknown bucket.
    pub(crate) async fn bucket_limits(&self, name: &str) -> Result<BucketLimits, AdminError> {
        let usage = self.objects.usage(name).await?;
        let rules = self
            .objects
            .lifecycle(name)
            .await?
            .map_or(0, |c| c.rules.len() as u64);
        Ok(BucketLimits::new(usage, rules))
    }

    /// Sets a bucket's quota (`Quota::default()` removes it); the bucket's
    /// limits as they now are. A quota below what the bucket holds is
    /// accepted: writes that add to it are refused until it is back under.
    pub(crate) async fn set_quota(
        &self,
        name: &str,
        quota: Quota,
    ) -> Result<BucketLimits, AdminError> {
        self.objects.bucket(name).await?;
        match self.objects.set_quota(name, quota).await {
            Ok(()) => {}
            // Deleted between the check and the op.
            Err(ObjectError::Refused(MetaOpError::NoSuchBucket)) => {
                return Err(ObjectError::NoSuchBucket(name.to_owned()).into())
            }
            Err(e) => return Err(e.into()),
        }
        tracing::info!(
            bucket = name,
            max_bytes = ?quota.max_bytes,
            max_objects = ?quota.max_objects,
            "bucket quota set by the admin API"
        );
        self.bucket_limits(name).await
    }

    /// One bucket, with its objects counted (a walk of its listing).
    pub(crate) async fn bucket_info(&self, name: &str) -> Result<BucketInfo, AdminError> {
        let record = self.objects.bucket(name).await?;
        let limits = self.bucket_limits(name).await?;
        let bucket = summary(record.clone());
        let (mut objects, mut bytes) = (0u64, 0u64);
        let mut start_after = None;
        loop {
            let query = ListQuery {
                start_after: start_after.take(),
                max_keys: PAGE,
                ..ListQuery::default()
            };
            let read = MetaRead::Objects {
                bucket: name.to_string(),
                query,
            };
            let MetaReadResult::Objects(page) = self.objects.read(read).await? else {
                return Err(AdminError::Internal(
                    "unexpected answer to a listing".into(),
                ));
            };
            objects += page.objects.len() as u64;
            bytes += page.objects.iter().map(|o| o.size).sum::<u64>();
            match page.next_marker {
                Some(next) if page.is_truncated => start_after = Some(next),
                _ => break,
            }
        }
        let read = MetaRead::Uploads {
            bucket: name.to_string(),
            prefix: String::new(),
            key_marker: None,
            upload_id_marker: None,
            max_uploads: PAGE,
        };
        let uploads = match self.objects.read(read).await? {
            MetaReadResult::Uploads(page) => page.uploads.len() as u64,
            _ => 0,
        };
        let (versions, locked_versions) = self.count_versions(name).await?;
        let delete_blocked_by = if locked_versions > 0 {
            Some(format!(
                "{locked_versions} versions are under object lock (legal hold or retention): they, and so the bucket, cannot be deleted by anyone until it ends"
            ))
        } else if versions > 0 {
            Some(format!(
                "it holds {versions} versions or delete markers: delete each by version id first"
            ))
        } else {
            None
        };
        Ok(BucketInfo {
            name: bucket.name,
            owner: bucket.owner,
            created_ms: bucket.created_ms,
            objects,
            bytes,
            uploads_in_progress: uploads,
            versioning: match record.versioning {
                Versioning::Unversioned => "Unversioned",
                Versioning::Enabled | Versioning::EnabledExcept(_) => "Enabled",
                Versioning::Suspended => "Suspended",
            },
            object_lock: record.object_lock.map(|l| match l.default_retention {
                None => "none".to_owned(),
                Some(d) => {
                    let period = match d.period {
                        RetentionPeriod::Days(n) => format!("{n} days"),
                        RetentionPeriod::Years(n) => format!("{n} years"),
                    };
                    format!("{} {period}", d.mode.as_str())
                }
            }),
            versions,
            locked_versions,
            delete_blocked_by,
            policy: record
                .access
                .policy
                .as_deref()
                .map(|text| match crate::policy::Policy::parse(text, name) {
                    Ok(_) => "readable",
                    Err(_) => "unreadable",
                }),
            limits,
        })
    }

    /// Every version and marker of `name`, and how many of them are
    /// locked now.
    async fn count_versions(&self, name: &str) -> Result<(u64, u64), AdminError> {
        let now = crate::clock::now_ms();
        let (mut versions, mut locked) = (0u64, 0u64);
        let mut query = VersionsQuery {
            max_keys: PAGE,
            ..VersionsQuery::default()
        };
        loop {
            let read = MetaRead::Versions {
                bucket: name.to_string(),
                query: query.clone(),
            };
            let MetaReadResult::Versions(page) = self.objects.read(read).await? else {
                return Err(AdminError::Internal(
                    "unexpected answer to a version listing".into(),
                ));
            };
            versions += page.entries.len() as u64;
            locked += page
                .entries
                .iter()
                .filter(|e| may_delete(&e.lock, now, false).is_err())
                .count() as u64;
            if !page.is_truncated {
                return Ok((versions, locked));
            }
            query.key_marker = page.next_key_marker;
            query.version_marker = page.next_version_marker;
        }
    }
}
