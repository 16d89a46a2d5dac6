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

/// Creates bucket `b` in `state` (at index 1) and puts `objects` objects
/// `key-00000`, `key-00001`, … in it, 100 to an entry from index 2 on.
pub(crate) fn fill_bucket(
    state: &crate::storage::meta::MetaState,
    objects: u128,
) -> Result<(), super::super::error::MetaError> {
    state.apply_batch(1, &[create_bucket("b")])?;
    let ops: Vec<_> = (0..objects)
        .map(|i| put("b", &format!("key-{i:05}"), i + 1))
        .collect();
    for (n, batch) in ops.chunks(100).enumerate() {
        state.apply_batch(2 + n as u64, batch)?;
    }
    Ok(())
}
