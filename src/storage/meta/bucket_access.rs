//! How access to a bucket is decided beyond its ACL, as S3 keeps it per
//! bucket: its policy (`PutBucketPolicy`), who owns what is written into it
//! and whether ACLs count at all (Object Ownership), and its Block Public
//! Access switches. Kept in the bucket record, so it replicates through
//! Raft; the policy language itself lives in `crate::policy`, which parses
//! the text kept here.

use serde::{Deserialize, Serialize};

/// S3's Object Ownership setting of a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectOwnership {
    /// ACLs are off: the bucket's owner owns every object, ACLs grant
    /// nothing and requests that set one (beyond the owner's full
    /// control) are refused. AWS's default for new buckets since 2023.
    BucketOwnerEnforced,
    /// An object written with the `bucket-owner-full-control` canned ACL
    /// belongs to the bucket's owner; any other to its writer.
    BucketOwnerPreferred,
    /// Every object belongs to its writer; ACLs count (S3 before 2023).
    ObjectWriter,
}

impl ObjectOwnership {
    /// Its name in S3's XML and headers.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }

    /// The setting named `s` (as [`Self::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "BucketOwnerEnforced" => Some(ObjectOwnership::BucketOwnerEnforced),
            "BucketOwnerPreferred" => Some(ObjectOwnership::BucketOwnerPreferred),
            "ObjectWriter" => Some(ObjectOwnership::ObjectWriter),
            _ => None,
        }
    }
}

/// S3's four Block Public Access switches of one bucket.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    /// Requests that set a public ACL are refused.
    pub block_public_acls: bool,
    /// Public grants in ACLs grant nothing.
    pub ignore_public_acls: bool,
    /// A policy that makes the bucket public is refused.
    pub block_public_policy: bool,
    /// While the bucket's policy is public, only its owner is let in by it.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four switches on (AWS's default for new buckets).
    pub const ALL: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
}

/// The access settings of one bucket beyond its ACL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketAccess {
    /// Its policy document, exactly as given (`GetBucketPolicy` answers
    /// it so); `None`: no policy.
    pub policy: Option<String>,
    /// Its Object Ownership; `None`: never set (it then behaves as
    /// [`ObjectOwnership::ObjectWriter`], as buckets made before this
    /// setting existed always did).
    pub ownership: Option<ObjectOwnership>,
    /// Its Block Public Access switches; `None`: never set (all off).
    pub public_access_block: Option<PublicAccessBlock>,
}

impl BucketAccess {
    /// The ownership in force ([`ObjectOwnership::ObjectWriter`] when
    /// never set).
    pub fn ownership_in_force(&self) -> ObjectOwnership {
        self.ownership.unwrap_or(ObjectOwnership::ObjectWriter)
    }

    /// The switches in force (all off when never set).
    pub fn block_in_force(&self) -> PublicAccessBlock {
        self.public_access_block.unwrap_or_default()
    }

    /// Whether ACLs are off (`BucketOwnerEnforced`).
    pub fn acls_disabled(&self) -> bool {
        self.ownership_in_force() == ObjectOwnership::BucketOwnerEnforced
    }
}

/// One change to a bucket's [`BucketAccess`] (`MetaOp::PutBucketAccess`):
/// each replaces one setting, so two clients changing different settings
/// at once never undo each other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessChange {
    /// Replaces the policy (`None`: deletes it).
    Policy(Option<String>),
    /// Replaces the ownership setting (`None`: deletes it).
    Ownership(Option<ObjectOwnership>),
    /// Replaces the Block Public Access switches (`None`: deletes them).
    PublicAccessBlock(Option<PublicAccessBlock>),
}

impl AccessChange {
    /// Applies the change to `access`.
    pub fn apply_to(&self, access: &mut BucketAccess) {
        match self {
            AccessChange::Policy(p) => access.policy.clone_from(p),
            AccessChange::Ownership(o) => access.ownership = *o,
            AccessChange::PublicAccessBlock(b) => access.public_access_block = *b,
        }
    }
}
