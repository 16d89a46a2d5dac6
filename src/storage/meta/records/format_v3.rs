//! Format version 3: tags and ACLs on buckets, objects and multipart
//! uploads, owners on objects and uploads, users behind access keys. The
//! shapes it changed, as it wrote them, and the steps from version 2.
//! Parts kept their version-2 shape; the tag set is today's (`tags`).

use serde::Deserialize;

use super::super::acl::Acl;
use super::codec::Shape;
use super::format_v2;
use super::tags::Tags;

/// A bucket before CORS rules.
#[derive(Deserialize)]
pub(crate) struct BucketRecord {
    pub(crate) name: String,
    pub(crate) owner: String,
    pub(crate) created_ms: u64,
    pub(crate) tags: Tags,
    pub(crate) region: Option<String>,
    pub(crate) acl: Acl,
}

impl Shape for BucketRecord {
    const SINCE: u8 = 3;
    type Previous = format_v2::BucketRecord;
    /// A bucket had no ACL: its owner alone had access.
    fn upgrade(v: format_v2::BucketRecord) -> Self {
        Self {
            acl: Acl::private(&v.owner),
            name: v.name,
            owner: v.owner,
            created_ms: v.created_ms,
            tags: vec![],
            region: None,
        }
    }
}

/// What version 3 added to objects and multipart uploads alike, after
/// version 2's fields (`head`; postcard writes a nested struct's fields in
/// line, so this reads the flat record version 3 wrote).
#[derive(Deserialize)]
pub(crate) struct Owned<H> {
    pub(crate) head: H,
    pub(crate) tags: Tags,
    pub(crate) owner: String,
    pub(crate) acl: Acl,
}

impl<H: Shape> Shape for Owned<H> {
    const SINCE: u8 = 3;
    type Previous = H;
    /// No tags; no owner (an empty owner is its bucket's); no grants.
    fn upgrade(head: H) -> Self {
        Self {
            head,
            tags: vec![],
            owner: String::new(),
            acl: Acl::default(),
        }
    }
}

/// An object whose parts have no checksums.
pub(crate) type ObjectRecord = Owned<format_v2::ObjectRecord>;

/// A multipart upload before checksums.
pub(crate) type MultipartUpload = Owned<format_v2::MultipartUpload>;

/// An access key before e-mail addresses.
#[derive(Deserialize)]
pub(crate) struct AccessKey {
    pub(crate) access_key_id: String,
    pub(crate) secret: String,
    pub(crate) created_ms: u64,
    pub(crate) user_id: String,
    pub(crate) display_name: String,
}

impl Shape for AccessKey {
    const SINCE: u8 = 3;
    type Previous = format_v2::AccessKey;
    /// Each key was a user of its own, named by the key id (which owns the
    /// buckets it created).
    fn upgrade(v: format_v2::AccessKey) -> Self {
        Self {
            user_id: v.access_key_id.clone(),
            display_name: v.access_key_id.clone(),
            access_key_id: v.access_key_id,
            secret: v.secret,
            created_ms: v.created_ms,
        }
    }
}
