//! What a listing shows of an object or a version, read from its stored
//! record without decoding the rest: a 1,000-key page reads a thousand
//! records, and their metadata, checksums, placements and ACLs were most
//! of the cost of a page on the leader and, sent whole, on the gateway.

use serde::{Deserialize, Serialize};

use super::super::acl::Acl;
use super::super::error::MetaError;
use super::super::lock::ObjectLock;
use super::super::version::{VersionRef, VersionSeq};
use super::codec::{Shape, RECORD_VERSION};
use super::erasure_layout::ErasureLayout;
use super::object::ObjectRecord;
use super::object_part::PartInfo;

/// An object as ListObjects shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedObject {
    /// The object's key within its bucket.
    pub key: String,
    /// Object size in bytes.
    pub size: u64,
    /// ETag as returned to clients (quoted).
    pub etag: String,
    /// Last-Modified, milliseconds since the Unix epoch.
    pub last_modified_ms: u64,
}

impl From<ObjectRecord> for ListedObject {
    fn from(r: ObjectRecord) -> Self {
        Self {
            key: r.key,
            size: r.size,
            etag: r.etag,
            last_modified_ms: r.last_modified_ms,
        }
    }
}

/// The leading fields of an [`ObjectRecord`] as today's shape stores them,
/// borrowed, through the last one a listing shows. postcard stores fields
/// (and the fields of a nested struct) in order with nothing between
/// them, so these decode the record's first bytes and the rest is not
/// read. Kept in step with [`ObjectRecord`] by the round-trip tests below.
#[derive(Deserialize)]
struct LeadingFields<'a> {
    bucket: &'a str,
    key: &'a str,
    _object_id: u128,
    size: u64,
    etag: &'a str,
    #[serde(borrow)]
    _content_type: Option<&'a str>,
    #[serde(borrow)]
    _user_metadata: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    _headers: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    _checksums: Vec<(&'a str, &'a str)>,
    last_modified_ms: u64,
}

/// The fields of today's [`ObjectRecord`] through the last one
/// ListObjectVersions shows (its lock), borrowed where they can be: the
/// object's data and its metadata's strings are not copied.
#[derive(Deserialize)]
struct VersionFields<'a> {
    #[serde(borrow)]
    head: LeadingFields<'a>,
    _layout: ErasureLayout,
    _parts: Vec<PartInfo>,
    _shard_nodes: Vec<u64>,
    #[serde(borrow)]
    _inline_data: Option<&'a [u8]>,
    #[serde(borrow)]
    _tags: Vec<(&'a str, &'a str)>,
    owner: &'a str,
    _acl: Acl,
    seq: VersionSeq,
    versioned: bool,
    delete_marker: bool,
    lock: ObjectLock,
}

/// Decodes the first fields of a stored object record as `F` if the
/// record is of today's shape; `None` for an older format (to be decoded
/// whole and upgraded).
fn leading<'a, F: Deserialize<'a>>(b: &'a [u8]) -> Result<Option<F>, MetaError> {
    match b.split_first() {
        Some((&version, body)) if (ObjectRecord::SINCE..=RECORD_VERSION).contains(&version) => {
            postcard::take_from_bytes::<F>(body)
                .map(|(fields, _)| Some(fields))
                .map_err(|_| MetaError::Corrupt("object record"))
        }
        _ => Ok(None),
    }
}

impl ListedObject {
    /// The listed fields of a stored object record. A record of today's
    /// shape is read only up to its last-modified time; one of an older
    /// format is decoded whole and upgraded. Damaged bytes are an error.
    pub fn from_stored(b: &[u8]) -> Result<Self, MetaError> {
        match leading::<LeadingFields<'_>>(b)? {
            Some(f) => Ok(Self {
                key: f.key.to_owned(),
                size: f.size,
                etag: f.etag.to_owned(),
                last_modified_ms: f.last_modified_ms,
            }),
            None => ObjectRecord::decode(b).map(Self::from),
        }
    }
}

/// A version or delete marker as ListObjectVersions shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedVersion {
    /// Its key.
    pub key: String,
    /// Its id.
    pub version: VersionRef,
    /// Whether it is the key's newest version (marker or not).
    pub is_latest: bool,
    /// Whether it is a delete marker.
    pub delete_marker: bool,
    /// Last-Modified, milliseconds since the Unix epoch.
    pub last_modified_ms: u64,
    /// Its ETag as stored (empty for a marker).
    pub etag: String,
    /// Its size in bytes.
    pub size: u64,
    /// The id of the user who wrote it (empty: the bucket's owner).
    pub owner: String,
    /// Its retention and legal hold.
    pub lock: ObjectLock,
}

impl ListedVersion {
    /// The listing's entry for `r`, its key's newest version or not.
    fn of(r: ObjectRecord, is_latest: bool) -> Self {
        Self {
            version: r.version_ref(),
            key: r.key,
            is_latest,
            delete_marker: r.delete_marker,
            last_modified_ms: r.last_modified_ms,
            etag: r.etag,
            size: r.size,
            owner: r.owner,
            lock: r.lock,
        }
    }

    /// The listing's entry for a stored object record: of today's shape
    /// read up to its lock, without copying its data or metadata; of an
    /// older format decoded whole. Damaged bytes are an error.
    pub(crate) fn from_stored(b: &[u8], is_latest: bool) -> Result<Self, MetaError> {
        match leading::<VersionFields<'_>>(b)? {
            Some(f) => Ok(Self {
                key: f.head.key.to_owned(),
                version: VersionRef::of(f.versioned, f.seq),
                is_latest,
                delete_marker: f.delete_marker,
                last_modified_ms: f.head.last_modified_ms,
                etag: f.head.etag.to_owned(),
                size: f.head.size,
                owner: f.owner.to_owned(),
                lock: f.lock,
            }),
            None => ObjectRecord::decode(b).map(|r| Self::of(r, is_latest)),
        }
    }
}

/// A stored object version's bucket, its size and whether it is a delete
/// marker: what it counts for in the bucket's usage, which every replica
/// reads of the record an op writes and of the one it replaces. Read as
/// [`ListedVersion::from_stored`] reads; damaged bytes are an error.
pub(crate) fn usage_fields(b: &[u8]) -> Result<(String, u64, bool), MetaError> {
    match leading::<VersionFields<'_>>(b)? {
        Some(f) => Ok((f.head.bucket.to_owned(), f.head.size, f.delete_marker)),
        None => ObjectRecord::decode(b).map(|r| (r.bucket, r.size, r.delete_marker)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record with every field before and around the listed ones set.
    fn full_record() -> ObjectRecord {
        let mut r = ObjectRecord::delete_marker("bucket", "photos/2026/a.jpg", 1_795_000_000_123);
        r.delete_marker = false;
        r.object_id = u128::MAX - 7;
        r.size = 123_456_789;
        r.etag = "\"0123456789abcdef0123456789abcdef\"".into();
        r.content_type = Some("image/jpeg".into());
        r.user_metadata = vec![("camera".into(), "x100".into()), ("é".into(), "ü".into())];
        r.headers = vec![("cache-control".into(), "no-cache".into())];
        r.checksums = vec![("crc32c".into(), "AAAAAA==".into())];
        r.shard_nodes = vec![1, 2, 3];
        r.owner = "alice".into();
        r.inline_data = Some(bytes::Bytes::from_static(b"data"));
        r.parts = vec![PartInfo {
            part_number: 1,
            size: 5 << 20,
            etag: "\"p1\"".into(),
            object_id: 9,
            shard_nodes: vec![4, 5],
            checksums: vec![("crc32".into(), "AAAA".into())],
        }];
        r.tags = vec![("project".into(), "x".into())];
        r.acl = Acl::private("alice");
        r.acl.grants.push(crate::storage::meta::acl::Grant {
            grantee: crate::storage::meta::acl::Grantee::AllUsers,
            permission: crate::storage::meta::acl::Permission::Read,
        });
        r.seq = VersionSeq(77);
        r.versioned = true;
        r.lock = ObjectLock {
            retention: Some(crate::storage::meta::lock::Retention {
                mode: crate::storage::meta::lock::LockMode::Governance,
                until_ms: 1_900_000_000_000,
            }),
            legal_hold: true,
        };
        r
    }

    #[test]
    fn a_stored_record_lists_as_its_whole_decoding_does() -> Result<(), MetaError> {
        for r in [full_record(), ObjectRecord::delete_marker("b", "", 0)] {
            let stored = r.encode();
            assert_eq!(
                ListedObject::from_stored(&stored)?,
                ListedObject::from(ObjectRecord::decode(&stored)?)
            );
            assert_eq!(
                ListedVersion::from_stored(&stored, true)?,
                ListedVersion::of(ObjectRecord::decode(&stored)?, true)
            );
            let whole = ObjectRecord::decode(&stored)?;
            assert_eq!(
                usage_fields(&stored)?,
                (whole.bucket, whole.size, whole.delete_marker)
            );
        }
        Ok(())
    }

    #[test]
    fn an_older_format_is_read_whole() -> Result<(), MetaError> {
        // Format 7 wrote today's shape without its last field (`encryption`,
        // whose `None` is one 0 byte at the end).
        let today = full_record().encode();
        let mut old = today[..today.len() - 1].to_vec();
        old[0] = 7;
        let listed = ListedObject::from_stored(&old)?;
        assert_eq!(listed, ListedObject::from(ObjectRecord::decode(&old)?));
        assert_eq!(
            ListedVersion::from_stored(&old, false)?,
            ListedVersion::of(ObjectRecord::decode(&old)?, false)
        );
        assert_eq!(
            usage_fields(&old)?,
            ("bucket".to_owned(), 123_456_789, false)
        );
        assert_eq!(
            (listed.key.as_str(), listed.size),
            ("photos/2026/a.jpg", 123_456_789)
        );
        Ok(())
    }

    #[test]
    fn damaged_bytes_are_an_error_never_a_panic() {
        let stored = full_record().encode();
        // Cut anywhere before the end of the listed fields (the last
        // byte is `encryption`'s), or an unknown version.
        for cut in 0..40.min(stored.len()) {
            assert!(
                ListedObject::from_stored(&stored[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        for cut in 0..stored.len() - 1 {
            assert!(
                ListedVersion::from_stored(&stored[..cut], true).is_err(),
                "cut at {cut}"
            );
            assert!(usage_fields(&stored[..cut]).is_err(), "cut at {cut}");
        }
        let mut unknown = stored.clone();
        unknown[0] = RECORD_VERSION + 1;
        assert!(ListedObject::from_stored(&unknown).is_err());
        assert!(ListedVersion::from_stored(&unknown, true).is_err());
        assert!(usage_fields(&unknown).is_err());
        // A key that is not UTF-8.
        let mut bad = stored;
        bad[1 + 1 + "bucket".len() + 1] = 0xff;
        assert!(ListedObject::from_stored(&bad).is_err());
    }
}
