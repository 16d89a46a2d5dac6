//! Reads of the metadata, as values: a gateway that is not the leader (or
//! not a meta node at all) sends a [`MetaRead`] to the leader and gets a
//! [`MetaReadResult`] back; a meta node answers the same value locally.

use super::lifecycle::{DuePage, LifecycleConfig, LifecycleProgress, WalkPoint};
use super::quota::BucketUsage;
use serde::{Deserialize, Serialize};

use super::error::MetaError;
use super::iam::records::{AccountIam, IamKey, KeyUse};
use super::iam::state::Credential;
use super::list::{ListPage, ListQuery};
use super::ops::{PartsPage, UploadsPage};
use super::records::{
    AccessKey, BucketRecord, ClusterLayout, MultipartUpload, ObjectRecord, PartRecord, PendingDrop,
    RepairReport,
};
use super::state::MetaState;
use super::version::{VersionRef, VersionSeq};
use super::version_reads::{VersionsPage, VersionsQuery};

/// One read of the metadata.
///
/// New variants are only ever appended (postcard encodes the position).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetaRead {
    /// A bucket by name.
    Bucket(String),
    /// Every bucket, by name.
    Buckets,
    /// The current version of an object.
    Object {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
    },
    /// A multipart upload in progress.
    Upload(String),
    /// An access key by id.
    AccessKey(String),
    /// The current cluster layout (none before the first is set).
    Layout,
    /// A page of ListObjects.
    Objects {
        /// Name of the bucket to list.
        bucket: String,
        /// Prefix, delimiter, continuation point and page size.
        query: ListQuery,
    },
    /// A page of ListParts.
    Parts {
        /// Id of the upload whose parts to list.
        upload_id: String,
        /// Parts numbered above this.
        part_number_marker: u32,
        /// Page size: at most this many parts.
        max_parts: usize,
    },
    /// Entries of the drop list queued before `before_ms`, oldest first.
    DueDrops {
        /// Only entries after this key (the last one of the previous page).
        after: Option<Vec<u8>>,
        /// Only entries older than this (ms since the Unix epoch).
        before_ms: u64,
        /// At most this many.
        limit: usize,
    },
    /// A page of ListMultipartUploads.
    Uploads {
        /// Name of the bucket whose uploads to list.
        bucket: String,
        /// Only keys starting with this.
        prefix: String,
        /// S3's key-marker: list uploads of keys after this one.
        key_marker: Option<String>,
        /// S3's upload-id-marker: with the key-marker, uploads of that key
        /// after this id.
        upload_id_marker: Option<String>,
        /// Page size: at most this many uploads.
        max_uploads: usize,
    },
    /// Entries of the heal queue, in (bucket, key) order.
    HealQueue {
        /// Only entries after this one (the last of the previous page).
        after: Option<(String, String)>,
        /// At most this many.
        limit: usize,
    },
    /// Object records of every bucket, in (bucket, key) order: the
    /// periodic scan pages through all of them. Records come whole, with
    /// any inline data (unlike a listing), so that
    /// [`ObjectRecord::shard_sets`] stays right.
    ScanObjects {
        /// Only records after this (bucket, key): the last one of the
        /// previous page.
        after: Option<(String, String)>,
        /// At most this many.
        limit: usize,
    },
    /// Every part of every upload in progress, in (upload id, part
    /// number) order, each with its upload.
    ScanUploadParts {
        /// Only parts after this (upload id, part number): the last one
        /// of the previous page.
        after: Option<(String, u32)>,
        /// At most this many.
        limit: usize,
    },
    /// Every access key, by id.
    AccessKeys,
    /// The published repair report.
    RepairReport,
    /// One version of an object (current, noncurrent or a marker).
    Version {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
        /// The version asked for.
        version: VersionRef,
    },
    /// The newest version of an object, a delete marker included.
    Latest {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
    },
    /// A page of ListObjectVersions.
    Versions {
        /// Name of the bucket to list.
        bucket: String,
        /// Prefix, delimiter, markers and page size.
        query: VersionsQuery,
    },
    /// Noncurrent versions and markers of one key, newest first (repair
    /// heals every version of a key it looks at).
    KeyVersions {
        /// Name of the bucket holding the object.
        bucket: String,
        /// The object's key within that bucket.
        key: String,
        /// Only versions older than this one.
        after: Option<VersionSeq>,
        /// At most this many.
        limit: usize,
    },
    /// Noncurrent versions and markers of every bucket, in (bucket, key,
    /// newest first) order: the periodic scan and the orphan collector
    /// page through them, whole (with inline data).
    ScanVersions {
        /// Only versions after this (bucket, key, place).
        after: Option<(String, String, VersionSeq)>,
        /// At most this many.
        limit: usize,
    },
    /// A bucket's lifecycle rules.
    Lifecycle(String),
    /// The names of the buckets with lifecycle rules.
    LifecycleBuckets,
    /// One page of the lifecycle walk of a bucket: what is due.
    LifecycleDue {
        /// Name of the bucket.
        bucket: String,
        /// Where the page starts.
        from: WalkPoint,
        /// Records to look at, about.
        limit: usize,
        /// The walk's clock (ms since the Unix epoch).
        now_ms: u64,
        /// The length of a day (a test setting).
        day_ms: u64,
    },
    /// The lifecycle walk's progress.
    LifecycleProgress,
    /// A bucket's usage and quota.
    Usage(String),
    /// An access key and the bucket a request signed with it addresses,
    /// in one read: what authenticating and authorizing a request needs.
    AccessKeyAndBucket {
        /// The access key id.
        access_key: String,
        /// The addressed bucket's name.
        bucket: String,
    },
    /// The credential an access key id names (a root's key, or an IAM
    /// key with its account's generation), and the bucket the request
    /// addresses if any: what authenticating and authorizing a request
    /// needs, in one read.
    Credential {
        /// The access key id.
        access_key: String,
        /// The addressed bucket's name, if any.
        bucket: Option<String>,
    },
    /// An account's IAM document and its generation.
    AccountIam(String),
    /// IAM key records by access key id (those that exist).
    IamKeys(Vec<String>),
    /// When an access key was last used.
    KeyUse(String),
}

impl MetaRead {
    /// The read's kind, as the `read` label of
    /// `predastore_meta_reads_total`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Bucket { .. } => "bucket",
            Self::Buckets { .. } => "buckets",
            Self::Object { .. } => "object",
            Self::Upload { .. } => "upload",
            Self::AccessKey { .. } => "access_key",
            Self::Layout { .. } => "layout",
            Self::Objects { .. } => "objects",
            Self::Parts { .. } => "parts",
            Self::DueDrops { .. } => "due_drops",
            Self::Uploads { .. } => "uploads",
            Self::HealQueue { .. } => "heal_queue",
            Self::ScanObjects { .. } => "scan_objects",
            Self::ScanUploadParts { .. } => "scan_upload_parts",
            Self::AccessKeys { .. } => "access_keys",
            Self::RepairReport { .. } => "repair_report",
            Self::Version { .. } => "version",
            Self::Latest { .. } => "latest",
            Self::Versions { .. } => "versions",
            Self::KeyVersions { .. } => "key_versions",
            Self::ScanVersions { .. } => "scan_versions",
            Self::Lifecycle { .. } => "lifecycle",
            Self::LifecycleBuckets { .. } => "lifecycle_buckets",
            Self::LifecycleDue { .. } => "lifecycle_due",
            Self::LifecycleProgress { .. } => "lifecycle_progress",
            Self::Usage { .. } => "usage",
            Self::AccessKeyAndBucket { .. } => "access_key_and_bucket",
            Self::Credential { .. } => "credential",
            Self::AccountIam { .. } => "account_iam",
            Self::IamKeys { .. } => "iam_keys",
            Self::KeyUse { .. } => "key_use",
        }
    }

    /// Whether the S3 API makes this read for a client's request (its
    /// access key, its bucket, its object): such a read at the leader
    /// means clients are using the store. Background work (rings, scans,
    /// repair, lifecycle, the admin API) reads other things.
    pub(crate) fn made_for_a_client(&self) -> bool {
        matches!(
            self,
            MetaRead::AccessKey(_)
                | MetaRead::AccessKeyAndBucket { .. }
                | MetaRead::Credential { .. }
                | MetaRead::Bucket(_)
                | MetaRead::Object { .. }
                | MetaRead::Latest { .. }
                | MetaRead::Version { .. }
        )
    }
}

/// The answer to a [`MetaRead`], variant for variant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetaReadResult {
    /// For [`MetaRead::Bucket`].
    Bucket(Option<BucketRecord>),
    /// For [`MetaRead::Buckets`].
    Buckets(Vec<BucketRecord>),
    /// For [`MetaRead::Object`].
    Object(Option<ObjectRecord>),
    /// For [`MetaRead::Upload`].
    Upload(Option<MultipartUpload>),
    /// For [`MetaRead::AccessKey`].
    AccessKey(Option<AccessKey>),
    /// For [`MetaRead::Layout`].
    Layout(Option<ClusterLayout>),
    /// For [`MetaRead::Objects`].
    Objects(ListPage),
    /// For [`MetaRead::Parts`].
    Parts(PartsPage),
    /// For [`MetaRead::Uploads`].
    Uploads(UploadsPage),
    /// Due entries of the drop list.
    Drops(Vec<PendingDrop>),
    /// For [`MetaRead::HealQueue`]: (bucket, key) pairs in order.
    HealQueue(Vec<(String, String)>),
    /// For [`MetaRead::ScanObjects`]: records in (bucket, key) order.
    ScanObjects(Vec<ObjectRecord>),
    /// For [`MetaRead::ScanUploadParts`]: each part with its upload (for
    /// its bucket, key and erasure layout), in (upload id, part number)
    /// order; a page holds one copy of an upload per part of it.
    ScanUploadParts(Vec<(MultipartUpload, PartRecord)>),
    /// For [`MetaRead::AccessKeys`].
    AccessKeys(Vec<AccessKey>),
    /// For [`MetaRead::RepairReport`].
    RepairReport(Option<RepairReport>),
    /// For [`MetaRead::Version`] and [`MetaRead::Latest`].
    Version(Option<ObjectRecord>),
    /// For [`MetaRead::Versions`].
    Versions(VersionsPage),
    /// For [`MetaRead::KeyVersions`] and [`MetaRead::ScanVersions`].
    VersionRecords(Vec<ObjectRecord>),
    /// For [`MetaRead::Lifecycle`].
    Lifecycle(Option<LifecycleConfig>),
    /// For [`MetaRead::LifecycleBuckets`].
    LifecycleBuckets(Vec<String>),
    /// For [`MetaRead::LifecycleDue`].
    LifecycleDue(DuePage),
    /// For [`MetaRead::LifecycleProgress`].
    LifecycleProgress(Option<LifecycleProgress>),
    /// For [`MetaRead::Usage`].
    Usage(BucketUsage),
    /// For [`MetaRead::AccessKeyAndBucket`]: the key, and the bucket.
    AccessKeyAndBucket(Option<AccessKey>, Option<BucketRecord>),
    /// For [`MetaRead::Credential`]: the credential, and the bucket.
    Credential(Option<Credential>, Option<BucketRecord>),
    /// For [`MetaRead::AccountIam`]: the generation and the document.
    AccountIam(u64, AccountIam),
    /// For [`MetaRead::IamKeys`].
    IamKeys(Vec<IamKey>),
    /// For [`MetaRead::KeyUse`].
    KeyUse(Option<KeyUse>),
}

impl MetaState {
    /// Answers `read` from this node's state (the caller makes it
    /// linearizable first).
    pub fn read(&self, read: &MetaRead) -> Result<MetaReadResult, MetaError> {
        Ok(match read {
            MetaRead::Bucket(name) => MetaReadResult::Bucket(self.get_bucket(name)?),
            MetaRead::Buckets => MetaReadResult::Buckets(self.list_buckets()?),
            MetaRead::Object { bucket, key } => {
                MetaReadResult::Object(self.get_object(bucket, key)?)
            }
            MetaRead::Upload(id) => MetaReadResult::Upload(self.get_upload(id)?),
            MetaRead::AccessKey(id) => MetaReadResult::AccessKey(self.get_access_key(id)?),
            MetaRead::Layout => MetaReadResult::Layout(self.layout()?),
            MetaRead::AccessKeys => MetaReadResult::AccessKeys(self.access_keys()?),
            MetaRead::RepairReport => MetaReadResult::RepairReport(self.repair_report()?),
            MetaRead::DueDrops {
                after,
                before_ms,
                limit,
            } => MetaReadResult::Drops(self.due_drops(after.as_deref(), *before_ms, *limit)?),
            MetaRead::Objects { bucket, query } => {
                MetaReadResult::Objects(self.list_objects(bucket, query)?)
            }
            MetaRead::Parts {
                upload_id,
                part_number_marker,
                max_parts,
            } => MetaReadResult::Parts(self.list_parts(
                upload_id,
                *part_number_marker,
                *max_parts,
            )?),
            MetaRead::Uploads {
                bucket,
                prefix,
                key_marker,
                upload_id_marker,
                max_uploads,
            } => MetaReadResult::Uploads(self.list_uploads(
                bucket,
                prefix,
                key_marker.as_deref(),
                upload_id_marker.as_deref(),
                *max_uploads,
            )?),
            MetaRead::HealQueue { after, limit } => {
                let after = after.as_ref().map(|(b, k)| (b.as_str(), k.as_str()));
                MetaReadResult::HealQueue(self.heal_queue(after, *limit)?)
            }
            MetaRead::ScanObjects { after, limit } => {
                MetaReadResult::ScanObjects(self.scan_objects(
                    after.as_ref().map(|(b, k)| (b.as_str(), k.as_str())),
                    *limit,
                )?)
            }
            MetaRead::Version {
                bucket,
                key,
                version,
            } => MetaReadResult::Version(self.get_version(bucket, key, *version)?),
            MetaRead::Latest { bucket, key } => {
                MetaReadResult::Version(self.latest_version(bucket, key)?)
            }
            MetaRead::Versions { bucket, query } => {
                MetaReadResult::Versions(self.list_versions(bucket, query)?)
            }
            MetaRead::KeyVersions {
                bucket,
                key,
                after,
                limit,
            } => MetaReadResult::VersionRecords(self.key_versions(bucket, key, *after, *limit)?),
            MetaRead::ScanVersions { after, limit } => {
                let after = after.as_ref().map(|(b, k, s)| (b.as_str(), k.as_str(), *s));
                MetaReadResult::VersionRecords(self.scan_versions(after, *limit)?)
            }
            MetaRead::ScanUploadParts { after, limit } => MetaReadResult::ScanUploadParts(
                self.scan_upload_parts(after.as_ref().map(|(id, n)| (id.as_str(), *n)), *limit)?,
            ),
            MetaRead::Lifecycle(bucket) => MetaReadResult::Lifecycle(self.lifecycle(bucket)?),
            MetaRead::LifecycleBuckets => {
                MetaReadResult::LifecycleBuckets(self.lifecycle_buckets()?)
            }
            MetaRead::LifecycleDue {
                bucket,
                from,
                limit,
                now_ms,
                day_ms,
            } => MetaReadResult::LifecycleDue(
                self.lifecycle_due(bucket, from, *limit, *now_ms, *day_ms)?,
            ),
            MetaRead::LifecycleProgress => {
                MetaReadResult::LifecycleProgress(self.lifecycle_progress()?)
            }
            MetaRead::Usage(bucket) => MetaReadResult::Usage(self.bucket_usage(bucket)?),
            MetaRead::Credential { access_key, bucket } => MetaReadResult::Credential(
                self.get_credential(access_key)?,
                match bucket {
                    Some(b) => self.get_bucket(b)?,
                    None => None,
                },
            ),
            MetaRead::AccountIam(account) => {
                let (generation, doc) = self.account_iam(account)?;
                MetaReadResult::AccountIam(generation, doc)
            }
            MetaRead::IamKeys(ids) => MetaReadResult::IamKeys(
                ids.iter()
                    .filter_map(|id| self.get_iam_key(id).transpose())
                    .collect::<Result<_, _>>()?,
            ),
            MetaRead::KeyUse(id) => MetaReadResult::KeyUse(self.get_key_use(id)?),
            MetaRead::AccessKeyAndBucket { access_key, bucket } => {
                MetaReadResult::AccessKeyAndBucket(
                    self.get_access_key(access_key)?,
                    self.get_bucket(bucket)?,
                )
            }
        })
    }
}
