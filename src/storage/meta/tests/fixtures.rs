//! Record builders shared by the tests of `meta` and of `list`.

use super::super::ops::{MetaOp, WriteCondition};
use super::super::records::{BucketRecord, ErasureLayout, ObjectRecord};
use crate::storage::meta::acl::Acl;

pub(crate) fn layout() -> ErasureLayout {
    ErasureLayout {
        data: 4,
        parity: 2,
        stripe_bytes: 1 << 20,
    }
}

pub(crate) fn bucket(name: &str, owner: &str) -> BucketRecord {
    BucketRecord {
        name: name.into(),
        owner: owner.into(),
        created_ms: 1_000,
        tags: Vec::new(),
        region: None,
        acl: Acl::private(owner),
        cors: Vec::new(),
        versioning: Default::default(),
        object_lock: None,
        access: Default::default(),
        encryption: None,
    }
}

pub(crate) fn object(bucket: &str, key: &str, id: u128) -> ObjectRecord {
    ObjectRecord {
        bucket: bucket.into(),
        key: key.into(),
        object_id: id,
        size: 10,
        etag: format!("etag-{id}"),
        content_type: None,
        user_metadata: Vec::new(),
        headers: Vec::new(),
        checksums: Vec::new(),
        last_modified_ms: 2_000,
        layout: layout(),
        parts: Vec::new(),
        shard_nodes: vec![1, 2, 3, 4, 5, 6],
        inline_data: None,
        tags: Vec::new(),
        owner: "owner".into(),
        acl: Acl::private("owner"),
        seq: Default::default(),
        versioned: false,
        delete_marker: false,
        lock: Default::default(),
        encryption: None,
    }
}

pub(crate) fn put(bucket: &str, key: &str, id: u128) -> MetaOp {
    MetaOp::PutObject {
        record: object(bucket, key, id),
        condition: WriteCondition::Always,
    }
}

pub(crate) fn create_bucket(name: &str) -> MetaOp {
    MetaOp::CreateBucket {
        record: bucket(name, "AKOWNER"),
    }
}
