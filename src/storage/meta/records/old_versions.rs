//! Records written by earlier format versions, byte for byte as those
//! builds wrote them, read through the upgrade chain.

use bytes::Bytes;
use serde::Serialize;

use super::super::acl::Acl;
use super::codec::{OLDEST_VERSION, RECORD_VERSION};
use super::{AccessKey, BucketRecord, ErasureLayout, MultipartUpload, ObjectRecord, PartRecord};

/// The first byte of a version-3 record.
const VERSION_3: u8 = 3;

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

/// The first byte of a version-4 record.
const VERSION_4: u8 = 4;

#[test]
fn version_4_records_read_as_the_null_version_with_no_lock() {
    let layout = ErasureLayout {
        data: 2,
        parity: 1,
        stripe_bytes: 1 << 20,
    };
    let acl = Acl::private("alice");
    let no_pairs: Vec<(String, String)> = vec![];
    let no_tags: Vec<(String, String)> = vec![];
    // An object as the previous build wrote it: version 3's fields, parts
    // with their checksums.
    let part = (1u32, 10u64, "p1", 70u128, vec![1u64, 2, 3], &no_pairs);
    let object = (
        ("b", "k", 7u128, 10u64, "e-1"),
        (
            None::<String>,
            &no_pairs,
            &no_pairs,
            &no_pairs,
            9u64,
            layout,
        ),
        (vec![part], Vec::<u64>::new(), None::<Bytes>),
        (&no_tags, "alice", &acl),
    );
    let bytes = postcard::to_extend(&object, vec![VERSION_4]).unwrap();
    let o = ObjectRecord::decode(&bytes).unwrap();
    assert_eq!((o.object_id, o.parts[0].object_id), (7, 70));
    assert!(!o.versioned && !o.delete_marker && !o.lock.is_set());
    assert_eq!(o.version_ref(), super::super::version::VersionRef::Null);
    assert!(ObjectRecord::decode(&bytes[..bytes.len() - 1]).is_err());
    let again = o.encode();
    assert_eq!(again[0], RECORD_VERSION);
    assert_eq!(ObjectRecord::decode(&again).unwrap(), o);

    let bucket = (
        "b",
        "alice",
        5u64,
        &no_tags,
        None::<String>,
        &acl,
        Vec::<u8>::new(),
    );
    let bytes = postcard::to_extend(&bucket, vec![VERSION_4]).unwrap();
    let b = BucketRecord::decode(&bytes).unwrap();
    assert_eq!(
        (b.versioning, b.object_lock),
        (super::super::lock::Versioning::Unversioned, None)
    );

    let upload = (
        ("b", "k", "u", 1u64),
        (None::<String>, &no_pairs, &no_pairs, layout),
        (&no_tags, "alice", &acl, None::<(String, bool)>),
    );
    let bytes = postcard::to_extend(&upload, vec![VERSION_4]).unwrap();
    let u = MultipartUpload::decode(&bytes).unwrap();
    assert!(!u.lock.is_set());
    assert!(MultipartUpload::decode(&bytes[..bytes.len() - 1]).is_err());
}

/// The first byte of a version-5 record.
const VERSION_5: u8 = 5;

#[test]
fn a_version_5_bucket_reads_with_no_access_settings() {
    use super::super::bucket_access::{BucketAccess, ObjectOwnership};
    use super::super::lock::{ObjectLockConfig, Versioning};

    let acl = Acl::private("alice");
    let tags = vec![("t".to_string(), "v".to_string())];
    let lock = Some(ObjectLockConfig {
        default_retention: None,
    });
    // A bucket as the previous build wrote it: version 4's fields, then
    // versioning and object lock.
    let bucket = (
        ("b", "alice", 5u64, &tags, Some("eu-west-1"), &acl),
        (Vec::<u8>::new(), Versioning::Enabled, lock),
    );
    let bytes = postcard::to_extend(&bucket, vec![VERSION_5]).unwrap();
    let b = BucketRecord::decode(&bytes).unwrap();
    assert_eq!(
        (b.name.as_str(), b.owner.as_str(), b.region.as_deref()),
        ("b", "alice", Some("eu-west-1"))
    );
    assert_eq!(
        (b.versioning.clone(), b.object_lock),
        (Versioning::Enabled, lock)
    );
    assert_eq!((&b.tags, &b.acl), (&tags, &acl));
    assert_eq!(b.access, BucketAccess::default());
    assert_eq!(b.access.ownership_in_force(), ObjectOwnership::ObjectWriter);
    assert!(!b.access.acls_disabled());
    assert!(BucketRecord::decode(&bytes[..bytes.len() - 1]).is_err());
    // Re-encoded, it is a current record that reads back the same.
    let again = b.encode();
    assert_eq!(again[0], RECORD_VERSION);
    assert_eq!(BucketRecord::decode(&again).unwrap(), b);

    // A version-5 body under today's version byte lacks the access
    // settings, and today's body under version 5's byte has bytes left
    // over: both are damaged records, not misread ones.
    let mut relabelled = bytes.clone();
    relabelled[0] = RECORD_VERSION;
    assert!(BucketRecord::decode(&relabelled).is_err());
    let mut relabelled = again.clone();
    relabelled[0] = VERSION_5;
    assert!(BucketRecord::decode(&relabelled).is_err());
}

#[test]
fn a_version_6_layout_reads_with_no_volumes_known() {
    use super::{ClusterLayout, NodeState, VolumeCondition, VolumeInfo};

    const VERSION_6: u8 = 6;
    // A layout as the previous build wrote it: nodes without volumes.
    let layout = (
        4u64,
        vec![
            (1u64, "127.0.0.1:9101", "a", 1u32, NodeState::Active),
            (2u64, "127.0.0.1:9102", "", 2u32, NodeState::Draining),
        ],
    );
    let bytes = postcard::to_extend(&layout, vec![VERSION_6]).unwrap();
    let l = ClusterLayout::decode(&bytes).unwrap();
    assert_eq!(l.version, 4);
    let nodes: Vec<_> = l
        .storage_nodes
        .iter()
        .map(|n| (n.id, n.addr.as_str(), n.zone.as_str(), n.weight, n.state))
        .collect();
    assert_eq!(
        nodes,
        vec![
            (1, "127.0.0.1:9101", "a", 1, NodeState::Active),
            (2, "127.0.0.1:9102", "", 2, NodeState::Draining),
        ]
    );
    assert!(l.storage_nodes.iter().all(|n| n.volumes.is_empty()));
    assert!(ClusterLayout::decode(&bytes[..bytes.len() - 1]).is_err());

    // Today's layout, volumes and all, reads back the same; under
    // version 6's byte it has bytes left over (a damaged record).
    let mut today = l.clone();
    today.storage_nodes[0].volumes = vec![VolumeInfo {
        slot: 2,
        condition: VolumeCondition::Failed,
        capacity_bytes: 1 << 40,
    }];
    let again = today.try_encode().unwrap();
    assert_eq!(again[0], RECORD_VERSION);
    assert_eq!(ClusterLayout::decode(&again).unwrap(), today);
    let mut relabelled = again.clone();
    relabelled[0] = VERSION_6;
    assert!(ClusterLayout::decode(&relabelled).is_err());
}

#[test]
fn version_7_buckets_objects_and_uploads_read_as_not_encrypted() {
    use super::super::encryption::{DefaultEncryption, Encryption, SseMode};
    use super::super::tests::fixtures;

    const VERSION_7: u8 = 7;
    // Format 7's shapes are today's without the last field (`encryption`,
    // whose `None` postcard writes as one 0 byte): drop that byte and
    // label the rest version 7, as the previous build wrote it.
    fn as_version_7(today: Vec<u8>) -> Vec<u8> {
        assert_eq!((today[0], today.last()), (RECORD_VERSION, Some(&0)));
        let mut old = today[..today.len() - 1].to_vec();
        old[0] = VERSION_7;
        old
    }
    let bucket = fixtures::bucket("b", "alice");
    let old = as_version_7(bucket.try_encode().unwrap());
    assert_eq!(BucketRecord::decode(&old).unwrap(), bucket);
    let object = fixtures::object("b", "k", 7);
    let old = as_version_7(object.try_encode().unwrap());
    assert_eq!(ObjectRecord::decode(&old).unwrap(), object);
    assert!(ObjectRecord::decode(&old[..old.len() - 1]).is_err());

    // Today's records with encryption read back the same, and under
    // version 7's byte they are damaged.
    let mut encrypted = object.clone();
    encrypted.encryption = Some(Encryption {
        mode: SseMode::Customer {
            salt: [1; 16],
            key_check: [2; 32],
        },
        key_id: String::new(),
        sealed_key: vec![3; 61],
    });
    let today = encrypted.try_encode().unwrap();
    assert_eq!(ObjectRecord::decode(&today).unwrap(), encrypted);
    let mut relabelled = today.clone();
    relabelled[0] = VERSION_7;
    assert!(ObjectRecord::decode(&relabelled).is_err());
    let mut with_default = bucket.clone();
    with_default.encryption = Some(DefaultEncryption {
        kms: true,
        kms_key_id: Some("k".into()),
        bucket_key: false,
    });
    assert_eq!(
        BucketRecord::decode(&with_default.try_encode().unwrap()).unwrap(),
        with_default
    );
}
