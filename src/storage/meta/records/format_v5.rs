//! Format version 5: versioning and object lock on buckets, version ids,
//! delete markers and locks on objects, locks on multipart uploads. The
//! bucket's shape, which format 6 changed again, and its step from
//! version 4; objects and uploads are still written in this format's
//! shapes (`object`, `upload`).

use serde::Deserialize;

use super::super::acl::Acl;
use super::super::cors::CorsRule;
use super::super::lock::{ObjectLockConfig, Versioning};
use super::codec::Shape;
use super::format_v4;
use super::tags::Tags;

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
