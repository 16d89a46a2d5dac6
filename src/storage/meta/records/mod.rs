//! The records the metadata store keeps, and how their stored form
//! upgrades.
//!
//! A record is stored as a format version byte and its postcard encoding
//! ([`codec`]). Each version's file holds the shapes that version
//! introduced and, next to each, the step that upgrades the previous
//! version's shape to it; a record of an old version is decoded as that
//! version's shape and upgraded step by step to today's:
//!
//! - [`format_v2`] (the oldest still read): the first shapes; the cluster layout,
//!   the repair report and the erasure layout are still these.
//! - [`format_v3`]: tags and ACLs on buckets, objects and uploads, owners on
//!   objects and uploads, users behind access keys.
//! - [`format_v4`]: checksums on parts and uploads, e-mail addresses on users,
//!   CORS rules on buckets.
//! - [`format_v5`]: versioning and object lock on buckets, version ids, delete
//!   markers and locks on objects and uploads.
//! - [`format_v6`] (written today): access settings on buckets (policy, object
//!   ownership, Block Public Access).
//!
//! A new version is one new file with the shapes it changes (each a
//! [`codec::Shape`] whose `Previous` is the shape it replaces), a bump of
//! [`RECORD_VERSION`], and the re-exports below pointed at it.

mod codec;
pub(crate) mod format_v2;
pub(crate) mod format_v3;
pub(crate) mod format_v4;
pub(crate) mod format_v5;
mod format_v6;
mod shards;

pub(crate) use codec::from_bytes;
pub(crate) use codec::from_current_bytes;
pub(crate) use codec::to_bytes;
pub(crate) use codec::Shape;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use codec::RECORD_VERSION;
pub(crate) use format_v2::ClusterLayout;
pub use format_v2::ErasureLayout;
pub(crate) use format_v2::NodeInfo;
pub(crate) use format_v2::NodeState;
pub(crate) use format_v2::RepairReport;
pub(crate) use format_v3::Tags;
pub(crate) use format_v4::AccessKey;
pub(crate) use format_v4::PartInfo;
pub(crate) use format_v4::PartRecord;
pub(crate) use format_v4::UploadChecksum;
pub(crate) use format_v5::MultipartUpload;
pub use format_v5::ObjectRecord;
pub use format_v6::BucketRecord;
pub(crate) use shards::PendingDrop;
pub(crate) use shards::ShardSet;
pub(crate) use shards::NO_NODE;

use super::error::MetaError;
use super::lock::ObjectLock;
use super::version::{VersionRef, VersionSeq};

/// Gives today's shape of a record its `encode`/`decode` pair; `$what`
/// names it in errors.
macro_rules! stored_record {
    ($($ty:ident: $what:literal),+ $(,)?) => {$(
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

            /// Inverse of [`Self::encode`], also reading every earlier format
            /// version still read; damaged bytes are an error, never a panic.
            pub fn decode(b: &[u8]) -> Result<Self, MetaError> {
                codec::decode(b, $what)
            }
        }
    )+};
}

stored_record!(
    BucketRecord: "bucket record",
    ObjectRecord: "object record",
    MultipartUpload: "multipart upload record",
    PartRecord: "part record",
    AccessKey: "access key record",
    ClusterLayout: "cluster layout record",
    RepairReport: "repair report record",
);

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
            acl: super::acl::Acl::default(),
            seq: VersionSeq::OLDEST,
            versioned: false,
            delete_marker: true,
            lock: ObjectLock::default(),
        }
    }

    /// The version as requests name it: `null` or its own id.
    pub fn version_ref(&self) -> VersionRef {
        if self.versioned {
            VersionRef::Id(self.seq)
        } else {
            VersionRef::Null
        }
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

#[cfg(test)]
mod old_versions;
#[cfg(test)]
mod tests;
