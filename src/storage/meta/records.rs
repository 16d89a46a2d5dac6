//! The records the metadata store keeps, and their on-disk form.
//!
//! Every record is stored as one version byte ([`RECORD_VERSION`]) followed
//! by its postcard encoding. Decoding checks the version and that the
//! postcard body is consumed exactly, so a truncated value is always an
//! error. Records written by earlier versions (from [`OLDEST_VERSION`]) are
//! still read: the types that changed since decode through their old shapes
//! in [`super::legacy`], the others are read as they are. A flipped byte either fails to decode or decodes to a different
//! record: bit rot on disk is caught by fjall's block checksums, not here.

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::acl::Acl;
use super::cors::CorsRule;
use super::MetaError;

/// The node id that stands for "no node" in `shard_nodes`: a shard index
/// whose entry is `NO_NODE` has no copy anywhere (its write failed) and
/// must be rebuilt by the repair actor. Real node ids are at least 1 (the
/// configuration refuses 0).
pub const NO_NODE: u64 = 0;

/// Version byte that starts every encoded record. Version 3 added tags and
/// ACLs to buckets, objects and multipart uploads, owners to objects and
/// uploads, and users to access keys; version 4 added checksums to parts
/// and uploads, e-mail addresses to users and CORS rules to buckets.
pub(crate) const RECORD_VERSION: u8 = 4;

/// The oldest version still read (see [`super::legacy`]).
pub(crate) const OLDEST_VERSION: u8 = 2;

/// Version 3, still read (see [`super::legacy`]).
pub(crate) const VERSION_3: u8 = 3;

/// A tag set: (key, value) pairs with unique keys, in the order given.
/// The API layer checks S3's limits (count, lengths) before a set is stored.
pub type Tags = Vec<(String, String)>;

/// Writes `value` as version byte + postcard.
pub(super) fn to_bytes<T: Serialize>(value: &T) -> Result<Vec<u8>, MetaError> {
    postcard::to_extend(value, vec![RECORD_VERSION])
        .map_err(|_| MetaError::Encode(std::any::type_name::<T>()))
}

/// Reads a value written by [`to_bytes`], now or by an earlier version
/// (for types whose shape has not changed since); `what` names it in
/// errors.
pub(super) fn from_bytes<T: DeserializeOwned>(
    b: &[u8],
    what: &'static str,
) -> Result<T, MetaError> {
    match b.first() {
        Some(&v) if (OLDEST_VERSION..RECORD_VERSION).contains(&v) => {
            from_bytes_of_version(b, v, what)
        }
        _ => from_bytes_of_version(b, RECORD_VERSION, what),
    }
}

/// Reads a value of the given format `version`.
pub(super) fn from_bytes_of_version<T: DeserializeOwned>(
    b: &[u8],
    version: u8,
    what: &'static str,
) -> Result<T, MetaError> {
    let Some((&found, body)) = b.split_first() else {
        return Err(MetaError::Corrupt(what));
    };
    if found != version {
        return Err(MetaError::Corrupt(what));
    }
    match postcard::take_from_bytes::<T>(body) {
        Ok((value, [])) => Ok(value),
        _ => Err(MetaError::Corrupt(what)),
    }
}

/// Gives a record type its versioned `encode`/`decode` pair; `$v2` and
/// `$v3` are the type's shapes in version-2 and version-3 records (the
/// type itself when it has not changed), converted with `From`.
macro_rules! versioned_record {
    ($ty:ident, $what:literal) => {
        versioned_record!($ty, $what, $ty, $ty);
    };
    ($ty:ident, $what:literal, $v2:ty) => {
        versioned_record!($ty, $what, $v2, $ty);
    };
    ($ty:ident, $what:literal, $v2:ty, $v3:ty) => {
        impl $ty {
            /// Versioned binary form, as stored (version byte + postcard).
            pub fn encode(&self) -> Vec<u8> {
                // Serializing plain structs into a Vec cannot fail; should it
                // ever, the empty result is rejected by `decode`.
                self.try_encode().unwrap_or_default()
            }

            /// Like [`Self::encode`], but reports the (unexpected) failure.
            pub(crate) fn try_encode(&self) -> Result<Vec<u8>, MetaError> {
                to_bytes(self)
            }

            /// Inverse of [`Self::encode`], also reading the earlier
            /// format versions; damaged bytes are an error, never a panic.
            pub fn decode(b: &[u8]) -> Result<Self, MetaError> {
                match b.first() {
                    Some(&OLDEST_VERSION) => {
                        from_bytes_of_version::<$v2>(b, OLDEST_VERSION, $what).map(Self::from)
                    }
                    Some(&VERSION_3) => {
                        from_bytes_of_version::<$v3>(b, VERSION_3, $what).map(Self::from)
                    }
                    _ => from_bytes_of_version(b, RECORD_VERSION, $what),
                }
            }
        }
    };
}

/// A bucket and who owns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketRecord {
    /// Bucket name (S3 rules are checked by the API layer).
    pub name: String,
    /// The owning user's id.
    pub owner: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// The bucket's tag set (PutBucketTagging); empty: none.
    pub tags: Tags,
    /// The `LocationConstraint` it was created with (`None`: none given,
    /// which GetBucketLocation answers as the store's region).
    pub region: Option<String>,
    /// Who may list it, write into it, and read or replace this ACL.
    pub acl: Acl,
    /// Its CORS rules (`PutBucketCors`); empty: none.
    pub cors: Vec<CorsRule>,
}
versioned_record!(
    BucketRecord,
    "bucket record",
    super::legacy::BucketRecordV2,
    super::legacy::BucketRecordV3
);

/// How an object's (or part's) bytes are erasure coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureLayout {
    /// Data shards per stripe.
    pub data: u8,
    /// Parity shards per stripe.
    pub parity: u8,
    /// Bytes of object data per stripe.
    pub stripe_bytes: u32,
}

/// One part of a completed multipart object, as the reader needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartInfo {
    /// S3 part number (1..=10000).
    pub part_number: u32,
    /// Bytes in the part.
    pub size: u64,
    /// The part's ETag (hex MD5, quoted as the API layer chooses).
    pub etag: String,
    /// Object id under which the part's shards are stored.
    pub object_id: u128,
    /// Node holding each shard index of the part ([`NO_NODE`]: none);
    /// parts are placed independently, so each carries its own placement.
    pub shard_nodes: Vec<u64>,
    /// The part's checksum as uploaded (see [`ObjectRecord::checksums`]).
    pub checksums: Vec<(String, String)>,
}

/// The current version of one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRecord {
    /// Bucket holding the object.
    pub bucket: String,
    /// Object key.
    pub key: String,
    /// Id under which the shards are stored (single-part objects).
    pub object_id: u128,
    /// Object size in bytes.
    pub size: u64,
    /// ETag as returned to clients.
    pub etag: String,
    /// `Content-Type` given at upload.
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
    /// Erasure coding of the data.
    pub layout: ErasureLayout,
    /// Parts of a multipart object, in order; empty for a single-part one.
    pub parts: Vec<PartInfo>,
    /// Node holding each shard index (single-part objects; [`NO_NODE`]:
    /// none).
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
}
versioned_record!(
    ObjectRecord,
    "object record",
    super::legacy::ObjectRecordV2,
    super::legacy::ObjectRecordV3
);

/// A multipart upload in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MultipartUpload {
    /// Target bucket.
    pub bucket: String,
    /// Target key.
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
}
versioned_record!(
    MultipartUpload,
    "multipart upload record",
    super::legacy::MultipartUploadV2,
    super::legacy::MultipartUploadV3
);

/// The checksum of a multipart upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadChecksum {
    /// The algorithm, lower case as in [`ObjectRecord::checksums`].
    pub algorithm: String,
    /// Whether the object's checksum is of its whole data (a CRC combined
    /// from the parts', `FULL_OBJECT`) rather than of the parts'
    /// checksums (`COMPOSITE`).
    pub full_object: bool,
}

/// One uploaded part of a multipart upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartRecord {
    /// Upload the part belongs to.
    pub upload_id: String,
    /// S3 part number.
    pub part_number: u32,
    /// Bytes in the part.
    pub size: u64,
    /// The part's ETag.
    pub etag: String,
    /// Object id under which the part's shards are stored.
    pub object_id: u128,
    /// Node holding each shard index of the part ([`NO_NODE`]: none).
    pub shard_nodes: Vec<u64>,
    /// Upload time, milliseconds since the Unix epoch.
    pub last_modified_ms: u64,
    /// The part's checksum (see [`ObjectRecord::checksums`]).
    pub checksums: Vec<(String, String)>,
}
versioned_record!(
    PartRecord,
    "part record",
    super::legacy::PartRecordV3,
    super::legacy::PartRecordV3
);

/// Where the shards of one object (or one multipart part) live: what a
/// reader opens, and what a drop deletes once no version points to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardSet {
    /// Object id (a part's own id for multipart parts).
    pub object_id: u128,
    /// Part number (0 for a single-part object).
    pub part: u32,
    /// Bytes of object data.
    pub size: u64,
    /// The erasure layout.
    pub layout: ErasureLayout,
    /// The storage node of each shard index ([`NO_NODE`]: none).
    pub nodes: Vec<u64>,
}

impl ObjectRecord {
    /// The shards of this version's data: each part's for multipart, none
    /// for an object kept inline.
    pub fn shard_sets(&self) -> Vec<ShardSet> {
        if self.inline_data.is_some() {
            return vec![];
        }
        if self.parts.is_empty() {
            return vec![ShardSet {
                object_id: self.object_id,
                part: 0,
                size: self.size,
                layout: self.layout,
                nodes: self.shard_nodes.clone(),
            }];
        }
        self.parts
            .iter()
            .map(|p| ShardSet {
                object_id: p.object_id,
                part: p.part_number,
                size: p.size,
                layout: self.layout,
                nodes: p.shard_nodes.clone(),
            })
            .collect()
    }
}

impl PartRecord {
    /// The shards of this part, coded with its upload's `layout`.
    pub fn shard_set(&self, layout: ErasureLayout) -> ShardSet {
        ShardSet {
            object_id: self.object_id,
            part: self.part_number,
            size: self.size,
            layout,
            nodes: self.shard_nodes.clone(),
        }
    }
}

/// Data that no version points to any more, kept in the metadata until
/// the grace period has passed (a GET that began before the replace may
/// still be streaming it), then deleted and forgotten.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingDrop {
    /// Its key in the drop list (for forgetting it).
    pub key: Vec<u8>,
    /// When the version was replaced or removed (the leader's clock).
    pub at_ms: u64,
    /// The shards to delete.
    pub sets: Vec<ShardSet>,
}

/// An S3 access key, its secret, and the user it acts for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// The public access key id.
    pub access_key_id: String,
    /// The signing secret.
    pub secret: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// The id of the user the key belongs to (owner of what it creates).
    pub user_id: String,
    /// That user's display name (`DisplayName` in `Owner` elements).
    pub display_name: String,
    /// That user's e-mail address (for grants by `emailAddress`), if known.
    pub email: Option<String>,
}
versioned_record!(
    AccessKey,
    "access key record",
    super::legacy::AccessKeyV2,
    super::legacy::AccessKeyV3
);

/// Where a storage node stands in the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    /// Takes new shards and keeps its share.
    Active,
    /// Takes no new shards; rebalance moves every shard it holds to the
    /// active nodes, after which it can be removed.
    Draining,
    /// No longer part of the cluster: shards still recorded on it are
    /// rebuilt elsewhere. Kept in the layout so its id is never reused.
    Removed,
}

impl NodeState {
    /// The lowercase name the admin API shows.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Active => "active",
            NodeState::Draining => "draining",
            NodeState::Removed => "removed",
        }
    }
}

/// A storage node shards can be placed on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    /// Node id, as used in `shard_nodes`.
    pub id: u64,
    /// Address the node's shard service listens on (QUIC, `host:port`).
    pub addr: String,
    /// Failure zone; shards of a stripe are spread across zones.
    pub zone: String,
    /// Relative capacity for placement.
    pub weight: u32,
    /// Active, draining or removed.
    pub state: NodeState,
}

/// Which storage nodes make up the cluster. Replaced only by the next
/// version (`version + 1`), so two concurrent changes cannot both apply.
/// The metadata members are openraft's own membership, not kept here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterLayout {
    /// Monotonic version; a layout only replaces the one before it.
    pub version: u64,
    /// Nodes that store shards (removed ones included), by id.
    pub storage_nodes: Vec<NodeInfo>,
}
versioned_record!(ClusterLayout, "cluster layout record");

/// What the repair actor last found, published through Raft by the leader
/// that runs it, so every gateway's admin API can show it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairReport {
    /// Objects with a shard missing, corrupt, on a down node or sharing a
    /// node, as repair last verified them.
    pub objects_below_redundancy: u64,
    /// Objects whole but not on their proper nodes (a rebalance's work).
    pub objects_misplaced: u64,
    /// Entries in the durable heal queue.
    pub heal_queue_length: u64,
    /// Shard sets the current rebalance still has to move.
    pub rebalance_objects_left: u64,
    /// Shard bytes moved by rebalance since the reporting leader started.
    pub rebalance_bytes_moved: u64,
    /// Shard bytes rebuilt by repair since the reporting leader started.
    pub heal_bytes: u64,
    /// The layout version the report's verdicts were made against.
    pub layout_version: u64,
    /// The node that made the report.
    pub reported_by: u64,
    /// When, ms since the Unix epoch.
    pub updated_ms: u64,
}
versioned_record!(RepairReport, "repair report record");

#[cfg(test)]
mod tests;
