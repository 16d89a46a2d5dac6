//! A bucket's record as written today (format 8: its default encryption
//! joined what format 7 kept), and how it is read from the format before.

use serde::{Deserialize, Serialize};

use super::super::acl::Acl;
use super::super::bucket_access::BucketAccess;
use super::super::cors::CorsRule;
use super::super::encryption::DefaultEncryption;
use super::super::lock::{ObjectLockConfig, Versioning};
use super::codec::Shape;
use super::format_v7;
use super::tags::Tags;

/// A bucket and who owns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketRecord {
    /// The bucket's name, its key in the store (S3's naming rules are
    /// checked by the API layer).
    pub name: String,
    /// The id of the user who created it, who always has full control.
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
    /// Whether writes keep the versions they replace.
    pub versioning: Versioning,
    /// Its object lock configuration; `Some` exactly when it was created
    /// with object lock enabled (which also enabled versioning for good).
    pub object_lock: Option<ObjectLockConfig>,
    /// Its policy, Object Ownership and Block Public Access switches.
    pub access: BucketAccess,
    /// Its default encryption (PutBucketEncryption); `None`: objects are stored as sent.
    pub encryption: Option<DefaultEncryption>,
}

impl Shape for BucketRecord {
    const SINCE: u8 = 8;
    type Previous = format_v7::BucketRecord;
    /// No default encryption.
    fn upgrade(v: format_v7::BucketRecord) -> Self {
        Self {
            name: v.name,
            owner: v.owner,
            created_ms: v.created_ms,
            tags: v.tags,
            region: v.region,
            acl: v.acl,
            cors: v.cors,
            versioning: v.versioning,
            object_lock: v.object_lock,
            access: v.access,
            encryption: None,
        }
    }
}
