//! The shapes of records written by earlier format versions (2 and 3), so
//! a store written before an upgrade still reads: each converts into
//! today's record with the fields added since left empty. Nothing writes
//! these.

use bytes::Bytes;
use serde::Deserialize;

use super::acl::Acl;
use super::records::{
    AccessKey, BucketRecord, ErasureLayout, MultipartUpload, ObjectRecord, PartInfo, PartRecord,
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
            cors: vec![],
        }
    }
}

/// A version-3 [`BucketRecord`]: no CORS rules.
#[derive(Deserialize)]
pub(crate) struct BucketRecordV3 {
    name: String,
    owner: String,
    created_ms: u64,
    tags: Vec<(String, String)>,
    region: Option<String>,
    acl: Acl,
}

impl From<BucketRecordV3> for BucketRecord {
    fn from(v: BucketRecordV3) -> Self {
        BucketRecord {
            name: v.name,
            owner: v.owner,
            created_ms: v.created_ms,
            tags: v.tags,
            region: v.region,
            acl: v.acl,
            cors: vec![],
        }
    }
}

/// A version-2 [`ObjectRecord`]: no tags, no owner (its bucket's), no ACL.
#[derive(Deserialize)]
pub(crate) struct ObjectRecordV2 {
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
    parts: Vec<PartInfoV3>,
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
            parts: v.parts.into_iter().map(PartInfo::from).collect(),
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
pub(crate) struct MultipartUploadV2 {
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
            checksum: None,
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
            email: None,
        }
    }
}

/// A version-2 or -3 [`PartInfo`]: no checksum.
#[derive(Deserialize)]
pub(crate) struct PartInfoV3 {
    part_number: u32,
    size: u64,
    etag: String,
    object_id: u128,
    shard_nodes: Vec<u64>,
}

impl From<PartInfoV3> for PartInfo {
    fn from(v: PartInfoV3) -> Self {
        PartInfo {
            part_number: v.part_number,
            size: v.size,
            etag: v.etag,
            object_id: v.object_id,
            shard_nodes: v.shard_nodes,
            checksums: vec![],
        }
    }
}

/// A version-3 [`ObjectRecord`]: its parts have no checksums. (Postcard
/// writes a nested struct's fields in line, so the version-2 fields come
/// first, as version 3 wrote them.)
#[derive(Deserialize)]
pub(crate) struct ObjectRecordV3 {
    head: ObjectRecordV2,
    tags: Vec<(String, String)>,
    owner: String,
    acl: Acl,
}

impl From<ObjectRecordV3> for ObjectRecord {
    fn from(v: ObjectRecordV3) -> Self {
        ObjectRecord {
            tags: v.tags,
            owner: v.owner,
            acl: v.acl,
            ..ObjectRecord::from(v.head)
        }
    }
}

/// A version-3 [`MultipartUpload`]: no checksum.
#[derive(Deserialize)]
pub(crate) struct MultipartUploadV3 {
    head: MultipartUploadV2,
    tags: Vec<(String, String)>,
    owner: String,
    acl: Acl,
}

impl From<MultipartUploadV3> for MultipartUpload {
    fn from(v: MultipartUploadV3) -> Self {
        MultipartUpload {
            tags: v.tags,
            owner: v.owner,
            acl: v.acl,
            ..MultipartUpload::from(v.head)
        }
    }
}

/// A version-2 or -3 [`PartRecord`]: no checksum.
#[derive(Deserialize)]
pub(crate) struct PartRecordV3 {
    upload_id: String,
    part_number: u32,
    size: u64,
    etag: String,
    object_id: u128,
    shard_nodes: Vec<u64>,
    last_modified_ms: u64,
}

impl From<PartRecordV3> for PartRecord {
    fn from(v: PartRecordV3) -> Self {
        PartRecord {
            upload_id: v.upload_id,
            part_number: v.part_number,
            size: v.size,
            etag: v.etag,
            object_id: v.object_id,
            shard_nodes: v.shard_nodes,
            last_modified_ms: v.last_modified_ms,
            checksums: vec![],
        }
    }
}

/// A version-3 [`AccessKey`]: no e-mail address.
#[derive(Deserialize)]
pub(crate) struct AccessKeyV3 {
    access_key_id: String,
    secret: String,
    created_ms: u64,
    user_id: String,
    display_name: String,
}

impl From<AccessKeyV3> for AccessKey {
    fn from(v: AccessKeyV3) -> Self {
        AccessKey {
            access_key_id: v.access_key_id,
            secret: v.secret,
            created_ms: v.created_ms,
            user_id: v.user_id,
            display_name: v.display_name,
            email: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::super::records::{OLDEST_VERSION, RECORD_VERSION, VERSION_3};
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
        parts: Vec<(u32, u64, &'a str, u128, Vec<u64>)>,
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
        let bytes = postcard::to_extend(&v2, vec![OLDEST_VERSION]).unwrap();
        let record = ObjectRecord::decode(&bytes).unwrap();
        assert_eq!(record.key, "k");
        assert_eq!(record.inline_data.as_deref(), Some(&b"abc"[..]));
        assert!(record.tags.is_empty());
        // The new encoding is the current version and round-trips.
        let again = record.encode();
        assert_ne!(again[0], OLDEST_VERSION);
        assert_eq!(ObjectRecord::decode(&again).unwrap(), record);
        // A cut version-2 record is an error, not a panic.
        assert!(ObjectRecord::decode(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn a_version_2_bucket_and_upload_read_with_no_tags() {
        let bucket = postcard::to_extend(&("b", "owner", 5u64), vec![OLDEST_VERSION]).unwrap();
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
            vec![OLDEST_VERSION],
        )
        .unwrap();
        let u = MultipartUpload::decode(&upload).unwrap();
        assert_eq!((u.upload_id.as_str(), u.tags.len()), ("u", 0));
    }

    #[test]
    fn version_3_records_read_with_no_checksums_email_or_cors() {
        let layout = ErasureLayout {
            data: 2,
            parity: 1,
            stripe_bytes: 1 << 20,
        };
        let acl = Acl::private("alice");
        let no_pairs: Vec<(String, String)> = vec![];
        let object = WrittenV2 {
            bucket: "b",
            key: "k",
            object_id: 7,
            size: 10,
            etag: "e-1",
            content_type: None,
            user_metadata: vec![],
            headers: vec![],
            checksums: vec![],
            last_modified_ms: 9,
            layout,
            parts: vec![(1, 10, "p1", 70, vec![1, 2, 3])],
            shard_nodes: vec![],
            inline_data: None,
        };
        let tags = vec![("t".to_string(), "v".to_string())];
        let bytes = postcard::to_extend(&(&object, &tags, "alice", &acl), vec![VERSION_3]).unwrap();
        let o = ObjectRecord::decode(&bytes).unwrap();
        assert_eq!((o.owner.as_str(), o.tags.len()), ("alice", 1));
        assert_eq!(o.parts.len(), 1);
        assert_eq!((o.parts[0].object_id, o.parts[0].checksums.len()), (70, 0));
        assert!(ObjectRecord::decode(&bytes[..bytes.len() - 1]).is_err());
        let again = o.encode();
        assert_eq!(again[0], RECORD_VERSION);
        assert_eq!(ObjectRecord::decode(&again).unwrap(), o);

        let upload = (
            ("b", "k", "u", 1u64),
            (None::<String>, &no_pairs, &no_pairs, layout),
            (&tags, "alice", &acl),
        );
        let bytes = postcard::to_extend(&upload, vec![VERSION_3]).unwrap();
        let u = MultipartUpload::decode(&bytes).unwrap();
        assert_eq!((u.owner.as_str(), u.checksum.is_none()), ("alice", true));

        let part = ("u", 3u32, 5u64, "etag", 9u128, vec![1u64], 11u64);
        let bytes = postcard::to_extend(&part, vec![VERSION_3]).unwrap();
        let p = PartRecord::decode(&bytes).unwrap();
        assert_eq!((p.part_number, p.checksums.len()), (3, 0));

        let bucket = ("b", "alice", 5u64, &tags, Some("eu-west-1"), &acl);
        let bytes = postcard::to_extend(&bucket, vec![VERSION_3]).unwrap();
        let b = BucketRecord::decode(&bytes).unwrap();
        assert_eq!((b.region.as_deref(), b.cors.len()), (Some("eu-west-1"), 0));
        assert!(BucketRecord::decode(&bytes[..bytes.len() - 1]).is_err());

        let key = ("AK", "secret", 1u64, "user", "name");
        let bytes = postcard::to_extend(&key, vec![VERSION_3]).unwrap();
        let k = AccessKey::decode(&bytes).unwrap();
        assert_eq!((k.user_id.as_str(), k.email), ("user", None));
        assert!(AccessKey::decode(&bytes[..bytes.len() - 2]).is_err());
    }
}
