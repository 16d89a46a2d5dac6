//! An object version's record (a version or a delete marker) as written
//! today (format 8: how its data is encrypted), and how it is read from
//! format 7's shape.

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::super::acl::Acl;
use super::super::encryption::{stored_size, Encryption};
use super::super::lock::ObjectLock;
use super::super::version::{VersionRef, VersionSeq};
use super::codec::Shape;
use super::erasure_layout::ErasureLayout;
use super::object_part::PartInfo;
use super::tags::Tags;
use super::{format_v7, ShardSet};

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
    /// How its data (inline or in shards) is encrypted; `None`: stored as sent.
    pub encryption: Option<Encryption>,
}

impl Shape for ObjectRecord {
    const SINCE: u8 = 8;
    type Previous = format_v7::ObjectRecord;
    /// Not encrypted.
    fn upgrade(v: format_v7::ObjectRecord) -> Self {
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
            seq: v.seq,
            versioned: v.versioned,
            delete_marker: v.delete_marker,
            lock: v.lock,
            encryption: None,
        }
    }
}

impl ObjectRecord {
    /// A delete marker for `bucket/key` written at `at_ms`; its id and
    /// place are set when it is applied. Its owner is left empty (the
    /// bucket's owner).
    pub fn delete_marker(bucket: &str, key: &str, at_ms: u64) -> ObjectRecord {
        ObjectRecord {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            object_id: 0,
            size: 0,
            etag: String::new(),
            content_type: None,
            user_metadata: vec![],
            headers: vec![],
            checksums: vec![],
            last_modified_ms: at_ms,
            layout: ErasureLayout {
                data: 1,
                parity: 0,
                stripe_bytes: 0,
            },
            parts: vec![],
            shard_nodes: vec![],
            inline_data: None,
            tags: vec![],
            owner: String::new(),
            acl: Acl::default(),
            seq: VersionSeq::OLDEST,
            versioned: false,
            delete_marker: true,
            lock: ObjectLock::default(),
            encryption: None,
        }
    }

    /// The version as requests name it: `null` or its own id.
    pub fn version_ref(&self) -> VersionRef {
        VersionRef::of(self.versioned, self.seq)
    }

    /// The shards of this version's data: each part's for multipart, none
    /// for an object kept inline.
    pub fn shard_sets(&self) -> Vec<ShardSet> {
        if self.inline_data.is_some() || self.delete_marker {
            return vec![];
        }
        if self.parts.is_empty() {
            return vec![ShardSet {
                object_id: self.object_id,
                part: 0,
                size: stored_size(self.encryption.as_ref(), self.size),
                layout: self.layout,
                nodes: self.shard_nodes.clone(),
            }];
        }
        self.parts
            .iter()
            .map(|p| ShardSet {
                object_id: p.object_id,
                part: p.part_number,
                size: stored_size(self.encryption.as_ref(), p.size),
                layout: self.layout,
                nodes: p.shard_nodes.clone(),
            })
            .collect()
    }
}
