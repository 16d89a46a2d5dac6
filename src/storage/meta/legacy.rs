//! The shapes of records written by the previous format version
//! ([`LEGACY_VERSION`](super::records::LEGACY_VERSION)), so a store written
//! before an upgrade still reads: each converts into today's record with
//! the fields added since left empty. Nothing writes these.

use bytes::Bytes;
use serde::Deserialize;

use super::acl::Acl;
use super::records::{
    AccessKey, BucketRecord, ErasureLayout, MultipartUpload, ObjectRecord, PartInfo,
};

/// A version-2 [`BucketRecord`]: no tags, no region, no ACL (the owner
/// alone had access).
#[derive(Deserialize)]
pub(super) struct BucketRecordV2 {
    name: String,
    owner: String,
    created_ms: u64,
}

impl From<BucketRecordV2> for BucketRecord {
    fn from(v: BucketRecordV2) -> Self {
        BucketRecord {
            name: v.name,
            acl: Acl::private(&v.owner),
            owner: v.owner,
            created_ms: v.created_ms,
            tags: vec![],
            region: None,
        }
    }
}

/// A version-2 [`ObjectRecord`]: no tags, no owner (its bucket's), no ACL.
#[derive(Deserialize)]
pub(super) struct ObjectRecordV2 {
    bucket: String,
    key: String,
    object_id: u128,
    size: u64,
    etag: String,
    content_type: Option<String>,
    user_metadata: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    checksums: Vec<(String, String)>,
    last_modified_ms: u64,
    layout: ErasureLayout,
    parts: Vec<PartInfo>,
    shard_nodes: Vec<u64>,
    inline_data: Option<Bytes>,
}

impl From<ObjectRecordV2> for ObjectRecord {
    fn from(v: ObjectRecordV2) -> Self {
        ObjectRecord {
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
            tags: vec![],
            owner: String::new(),
            acl: Acl::default(),
        }
    }
}

/// A version-2 [`MultipartUpload`]: no tags, no owner, no ACL.
#[derive(Deserialize)]
pub(super) struct MultipartUploadV2 {
    bucket: String,
    key: String,
    upload_id: String,
    initiated_ms: u64,
    content_type: Option<String>,
    user_metadata: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    layout: ErasureLayout,
}

impl From<MultipartUploadV2> for MultipartUpload {
    fn from(v: MultipartUploadV2) -> Self {
        MultipartUpload {
            bucket: v.bucket,
            key: v.key,
            upload_id: v.upload_id,
            initiated_ms: v.initiated_ms,
            content_type: v.content_type,
            user_metadata: v.user_metadata,
            headers: v.headers,
            layout: v.layout,
            tags: vec![],
            owner: String::new(),
            acl: Acl::default(),
        }
    }
}

/// A version-2 [`AccessKey`]: no user; each key was a user of its own,
/// named by the key id (which owned the buckets it created).
#[derive(Deserialize)]
pub(super) struct AccessKeyV2 {
    access_key_id: String,
    secret: String,
    created_ms: u64,
}

impl From<AccessKeyV2> for AccessKey {
    fn from(v: AccessKeyV2) -> Self {
        AccessKey {
            user_id: v.access_key_id.clone(),
            display_name: v.access_key_id.clone(),
            access_key_id: v.access_key_id,
            secret: v.secret,
            created_ms: v.created_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::super::records::LEGACY_VERSION;
    use super::*;

    /// The version-2 object shape, as the previous build wrote it.
    #[derive(Serialize)]
    struct WrittenV2<'a> {
        bucket: &'a str,
        key: &'a str,
        object_id: u128,
        size: u64,
        etag: &'a str,
        content_type: Option<&'a str>,
        user_metadata: Vec<(&'a str, &'a str)>,
        headers: Vec<(&'a str, &'a str)>,
        checksums: Vec<(&'a str, &'a str)>,
        last_modified_ms: u64,
        layout: ErasureLayout,
        parts: Vec<PartInfo>,
        shard_nodes: Vec<u64>,
        inline_data: Option<Bytes>,
    }

    #[test]
    fn a_version_2_object_reads_with_no_tags() {
        let v2 = WrittenV2 {
            bucket: "b",
            key: "k",
            object_id: 7,
            size: 3,
            etag: "e",
            content_type: Some("text/plain"),
            user_metadata: vec![("a", "1")],
            headers: vec![],
            checksums: vec![],
            last_modified_ms: 9,
            layout: ErasureLayout {
                data: 2,
                parity: 1,
                stripe_bytes: 1 << 20,
            },
            parts: vec![],
            shard_nodes: vec![1, 2, 3],
            inline_data: Some(Bytes::from_static(b"abc")),
        };
        let bytes = postcard::to_extend(&v2, vec![LEGACY_VERSION]).unwrap();
        let record = ObjectRecord::decode(&bytes).unwrap();
        assert_eq!(record.key, "k");
        assert_eq!(record.inline_data.as_deref(), Some(&b"abc"[..]));
        assert!(record.tags.is_empty());
        // The new encoding is version 3 and round-trips.
        let again = record.encode();
        assert_ne!(again[0], LEGACY_VERSION);
        assert_eq!(ObjectRecord::decode(&again).unwrap(), record);
        // A cut version-2 record is an error, not a panic.
        assert!(ObjectRecord::decode(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn a_version_2_bucket_and_upload_read_with_no_tags() {
        let bucket = postcard::to_extend(&("b", "owner", 5u64), vec![LEGACY_VERSION]).unwrap();
        let b = BucketRecord::decode(&bucket).unwrap();
        assert_eq!(
            (b.name.as_str(), b.owner.as_str(), b.tags.len()),
            ("b", "owner", 0)
        );
        let layout = ErasureLayout {
            data: 1,
            parity: 0,
            stripe_bytes: 4,
        };
        let upload = postcard::to_extend(
            &(
                "b",
                "k",
                "u",
                1u64,
                None::<String>,
                Vec::<(String, String)>::new(),
                Vec::<(String, String)>::new(),
                layout,
            ),
            vec![LEGACY_VERSION],
        )
        .unwrap();
        let u = MultipartUpload::decode(&upload).unwrap();
        assert_eq!((u.upload_id.as_str(), u.tags.len()), ("u", 0));
    }
}
