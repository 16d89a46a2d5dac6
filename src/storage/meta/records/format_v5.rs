//! Format version 5: versioning and object lock on buckets, version ids,
//! delete markers and locks on objects, locks on multipart uploads. The
//! shapes it changed, and the steps from version 4; objects and uploads
//! are still written in these shapes, buckets have changed since (`format_v6`).

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::super::acl::Acl;
use super::super::cors::CorsRule;
use super::super::lock::{ObjectLock, ObjectLockConfig, Versioning};
use super::super::version::VersionSeq;
use super::codec::Shape;
use super::format_v2::ErasureLayout;
use super::format_v3::Tags;
use super::format_v4::{self, PartInfo, UploadChecksum};

/// A bucket before its access settings (policy, object ownership, Block
/// Public Access).
#[derive(Deserialize)]
pub(crate) struct BucketRecord {
    pub(crate) name: String,
    pub(crate) owner: String,
    pub(crate) created_ms: u64,
    pub(crate) tags: Tags,
    pub(crate) region: Option<String>,
    pub(crate) acl: Acl,
    pub(crate) cors: Vec<CorsRule>,
    pub(crate) versioning: Versioning,
    pub(crate) object_lock: Option<ObjectLockConfig>,
}

impl Shape for BucketRecord {
    const SINCE: u8 = 5;
    type Previous = format_v4::BucketRecord;
    /// Never versioned, no object lock.
    fn upgrade(v: format_v4::BucketRecord) -> Self {
        Self {
            name: v.name,
            owner: v.owner,
            created_ms: v.created_ms,
            tags: v.tags,
            region: v.region,
            acl: v.acl,
            cors: v.cors,
            versioning: Versioning::Unversioned,
            object_lock: None,
        }
    }
}

/// One version of an object, or a delete marker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRecord {
    /// Name of the bucket holding the object.
    pub bucket: String,
    /// The object's key within its bucket (at most 1024 bytes).
    pub key: String,
    /// Id under which the shards are stored (single-part objects); fresh
    /// for every write, so two versions never share shards.
    pub object_id: u128,
    /// Object size in bytes.
    pub size: u64,
    /// ETag as returned to clients: quoted hex MD5, or `"<md5>-<parts>"`
    /// for a multipart object.
    pub etag: String,
    /// `Content-Type` given at upload, returned on GET and HEAD.
    pub content_type: Option<String>,
    /// `x-amz-meta-*` pairs, in the order given.
    pub user_metadata: Vec<(String, String)>,
    /// Other stored headers (content-encoding, cache-control, …) as sent.
    pub headers: Vec<(String, String)>,
    /// Checksums as (algorithm, base64 value), e.g. `("crc32c", "…")`; a
    /// multipart object's composite checksum ends in `-<part count>`.
    pub checksums: Vec<(String, String)>,
    /// Last-Modified, milliseconds since the Unix epoch.
    pub last_modified_ms: u64,
    /// How the data (every part's, for multipart) is erasure coded.
    pub layout: ErasureLayout,
    /// Parts of a multipart object, in order; empty for a single-part one.
    pub parts: Vec<PartInfo>,
    /// Node holding each shard index (single-part objects;
    /// [`NO_NODE`](super::NO_NODE): none).
    pub shard_nodes: Vec<u64>,
    /// The whole object when it is small enough to live in its record
    /// (`PREDASTORE_INLINE_BYTES`); it then has no shards.
    pub inline_data: Option<Bytes>,
    /// The object's tag set (`x-amz-tagging`, PutObjectTagging).
    pub tags: Tags,
    /// The id of the user who wrote it; empty for objects written before
    /// users existed, which belong to their bucket's owner.
    pub owner: String,
    /// Who may read it and read or replace this ACL.
    pub acl: Acl,
    /// Where it sits among its key's versions, older first: the
    /// [`VersionSeq`] of the op that wrote it (0: written before versions
    /// existed, the oldest).
    pub seq: VersionSeq,
    /// Whether it has a version id of its own (written while versioning
    /// was enabled); else it is the key's `null` version.
    pub versioned: bool,
    /// Whether it is a delete marker: no data, size 0, never listed by
    /// ListObjects, a 404 when it is the latest version.
    pub delete_marker: bool,
    /// Its retention and legal hold.
    pub lock: ObjectLock,
}

impl Shape for ObjectRecord {
    const SINCE: u8 = 5;
    type Previous = format_v4::ObjectRecord;
    /// The key's `null` version, older than every version written since;
    /// no lock.
    fn upgrade(v: format_v4::ObjectRecord) -> Self {
        Self {
            bucket: v.bucket,
            key: v.key,
            object_id: v.object_id,
            size: v.size,
            etag: v.etag,
            content_type: v.content_type,
            user_metadata: v.user_metadata,
            headers: v.headers,
            checksums: v.checksums,
            last_modified_ms: v.last_modified_ms,
            layout: v.layout,
            parts: v.parts,
            shard_nodes: v.shard_nodes,
            inline_data: v.inline_data,
            tags: v.tags,
            owner: v.owner,
            acl: v.acl,
            seq: VersionSeq::OLDEST,
            versioned: false,
            delete_marker: false,
            lock: ObjectLock::default(),
        }
    }
}

/// A multipart upload in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultipartUpload {
    /// Bucket the final object goes into.
    pub bucket: String,
    /// Key the final object gets.
    pub key: String,
    /// Upload id handed to the client (unique, chosen by the gateway).
    pub upload_id: String,
    /// Initiation time, milliseconds since the Unix epoch.
    pub initiated_ms: u64,
    /// `Content-Type` for the final object.
    pub content_type: Option<String>,
    /// `x-amz-meta-*` pairs for the final object.
    pub user_metadata: Vec<(String, String)>,
    /// Other stored headers for the final object.
    pub headers: Vec<(String, String)>,
    /// Erasure coding every part uses.
    pub layout: ErasureLayout,
    /// Tag set for the final object (`x-amz-tagging` at creation).
    pub tags: Tags,
    /// The id of the user who started it (the final object's owner).
    pub owner: String,
    /// ACL of the final object (`x-amz-acl` or grants at creation).
    pub acl: Acl,
    /// The checksum every part carries and the final object gets
    /// (`x-amz-checksum-algorithm` / `-type` at creation), if any.
    pub checksum: Option<UploadChecksum>,
    /// Retention and legal hold the final object gets
    /// (`x-amz-object-lock-*` at creation).
    pub lock: ObjectLock,
}

impl Shape for MultipartUpload {
    const SINCE: u8 = 5;
    type Previous = format_v4::MultipartUpload;
    /// No lock.
    fn upgrade(v: format_v4::MultipartUpload) -> Self {
        Self {
            bucket: v.bucket,
            key: v.key,
            upload_id: v.upload_id,
            initiated_ms: v.initiated_ms,
            content_type: v.content_type,
            user_metadata: v.user_metadata,
            headers: v.headers,
            layout: v.layout,
            tags: v.tags,
            owner: v.owner,
            acl: v.acl,
            checksum: v.checksum,
            lock: ObjectLock::default(),
        }
    }
}
