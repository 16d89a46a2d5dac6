//! The records the metadata store keeps, and how their stored form
//! upgrades.
//!
//! A record is stored as a format version byte and its postcard encoding
//! ([`codec`]). Today's shape of each record is in a file named for the
//! record, with the step that reads it from the previous format's shape
//! ([`BucketRecord`] in `bucket`, [`ObjectRecord`] in `object` and its
//! parts in `object_part`, [`MultipartUpload`] in `upload` and its parts
//! in `upload_part`, [`AccessKey`] in `access_key`, the cluster layout and
//! the repair report in `cluster`; the pieces records share: the tag set
//! in `tags`, [`ErasureLayout`] in `erasure_layout`). Each older format's file holds the shapes it
//! wrote that have changed since, with their upgrade steps; a record of an
//! old version is decoded as that version's shape and upgraded step by
//! step to today's:
//!
//! - [`format_v2`] (the oldest still read): the first shapes.
//! - [`format_v3`]: tags and ACLs on buckets, objects and uploads, owners on
//!   objects and uploads, users behind access keys.
//! - [`format_v4`]: checksums on parts and uploads, e-mail addresses on users,
//!   CORS rules on buckets.
//! - [`format_v5`]: versioning and object lock on buckets, version ids, delete
//!   markers and locks on objects and uploads.
//! - [`format_v6`]: access settings on buckets (policy, object ownership,
//!   Block Public Access).
//! - [`format_v7`]: the volumes (disks) of each storage node in the cluster
//!   layout, with their state and capacity.
//! - format 8 (written today): encryption at rest: how each object's and
//!   upload's data is encrypted (its sealed data key), buckets' default
//!   encryption.
//!
//! A new format moves the shapes it changes, as they are, from their
//! record's file into a new `format_vN` file (the previous format's), puts
//! the new shapes in the record's file (each a [`codec::Shape`] whose
//! `Previous` is the shape it replaces), and bumps [`RECORD_VERSION`].

mod access_key;
mod bucket;
mod cluster;
pub(crate) mod codec;
mod erasure_layout;
pub(crate) mod format_v2;
pub(crate) mod format_v3;
pub(crate) mod format_v4;
pub(crate) mod format_v5;
pub(crate) mod format_v6;
pub(crate) mod format_v7;
mod listed;
mod node_state;
mod object;
mod object_part;
mod shards;
mod tags;
mod upload;
mod upload_part;

pub(crate) use access_key::AccessKey;
pub use bucket::BucketRecord;
pub(crate) use cluster::{
    ClusterLayout, NodeInfo, NodeState, RepairReport, VolumeCondition, VolumeInfo,
};
pub(crate) use codec::from_bytes;
pub(crate) use codec::from_current_bytes;
pub(crate) use codec::to_bytes;
pub(crate) use codec::Shape;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use codec::RECORD_VERSION;
pub use erasure_layout::ErasureLayout;
pub(crate) use listed::{usage_fields, ListedObject, ListedVersion};
pub use object::ObjectRecord;
pub(crate) use object_part::PartInfo;
pub(crate) use shards::PendingDrop;
pub(crate) use shards::ShardSet;
pub(crate) use shards::NO_NODE;
pub(crate) use tags::Tags;
pub(crate) use upload::MultipartUpload;
pub(crate) use upload_part::{PartRecord, UploadChecksum};

use super::error::MetaError;

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

#[cfg(test)]
mod old_versions;

#[cfg(test)]
mod tests;
