//! Usage counted op by op, quotas refusing what would pass them, and the
//! count taken once from the records of an older store.

use fjall::Readable;

use crate::storage::meta::error::MetaError;
use crate::storage::meta::lock::Versioning;
use crate::storage::meta::ops::{MetaOp, MetaOpError, MetaOutcome, WriteCondition, MIN_PART_SIZE};
use crate::storage::meta::quota::{BucketUsage, Quota};
use crate::storage::meta::records::{MultipartUpload, ObjectRecord, PartRecord};
use crate::storage::meta::state::{MetaState, Space};
use crate::storage::meta::tests::fixtures::{bucket, create_bucket, layout, object, put};
use crate::storage::meta::version::VersionRef;

fn open() -> Result<(tempfile::TempDir, MetaState), MetaError> {
    let dir = tempfile::tempdir()?;
    let state = MetaState::open(dir.path())?;
    Ok((dir, state))
}

fn sized(key: &str, id: u128, size: u64) -> MetaOp {
    MetaOp::PutObject {
        record: ObjectRecord {
            size,
            ..object("b", key, id)
        },
        condition: WriteCondition::Always,
    }
}

fn one(
    s: &MetaState,
    index: u64,
    op: MetaOp,
) -> Result<Result<MetaOutcome, MetaOpError>, MetaError> {
    Ok(s.apply_batch(index, &[op])?.remove(0))
}

/// Usage recounted from the records, to compare with the kept one.
fn recounted(s: &MetaState, bucket: &str) -> Result<(u64, u64), MetaError> {
    let (mut bytes, mut objects) = (0, 0);
    for space in [Space::Objects, Space::Versions] {
        for guard in s.snapshot().iter(s.ks(space)) {
            let (_, v) = guard.into_inner()?;
            let r = ObjectRecord::decode(&v)?;
            if r.bucket == bucket && !r.delete_marker {
                bytes += r.size;
                objects += 1;
            }
        }
    }
    for guard in s.snapshot().iter(s.ks(Space::Parts)) {
        let (_, v) = guard.into_inner()?;
        bytes += PartRecord::decode(&v)?.size;
    }
    Ok((bytes, objects))
}

fn kept(s: &MetaState, bucket: &str) -> Result<(u64, u64), MetaError> {
    let u = s.bucket_usage(bucket)?;
    Ok((u.bytes, u.objects))
}

fn upload(id: &str) -> MetaOp {
    MetaOp::CreateMultipart {
        upload: MultipartUpload {
            bucket: "b".into(),
            key: "big".into(),
            upload_id: id.into(),
            initiated_ms: 5,
            content_type: None,
            user_metadata: vec![],
            headers: vec![],
            layout: layout(),
            tags: vec![],
            owner: "owner".into(),
            acl: crate::storage::meta::acl::Acl::private("owner"),
            checksum: None,
            lock: Default::default(),
            encryption: None,
        },
    }
}

fn part(upload_id: &str, n: u32, size: u64) -> MetaOp {
    MetaOp::PutPart {
        part: PartRecord {
            upload_id: upload_id.into(),
            part_number: n,
            size,
            etag: format!("p{n}"),
            object_id: 1000 + u128::from(n),
            shard_nodes: vec![1; 6],
            last_modified_ms: 7,
            checksums: vec![],
        },
    }
}

#[test]
fn usage_follows_every_kind_of_write_exactly() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    let mut i = 0;
    let mut step = |op: MetaOp| -> Result<(), MetaError> {
        i += 1;
        let r = one(&s, i, op)?;
        assert!(r.is_ok(), "{r:?}");
        assert_eq!(kept(&s, "b")?, recounted(&s, "b")?, "after op {i}");
        Ok(())
    };
    step(create_bucket("b"))?;
    step(sized("a", 1, 100))?;
    step(sized("a", 2, 40))?; // overwrite, unversioned
    step(sized("c", 3, 7))?;
    step(MetaOp::DeleteObject {
        bucket: "b".into(),
        key: "c".into(),
    })?;
    step(upload("u1"))?;
    step(part("u1", 1, MIN_PART_SIZE))?;
    step(part("u1", 1, MIN_PART_SIZE + 5))?; // part replaced
    step(part("u1", 2, 3))?;
    step(upload("u2"))?;
    step(part("u2", 1, 9))?;
    step(MetaOp::AbortMultipart {
        bucket: "b".into(),
        key: "big".into(),
        upload_id: "u2".into(),
    })?;
    step(MetaOp::CompleteMultipart {
        bucket: "b".into(),
        key: "big".into(),
        upload_id: "u1".into(),
        parts: vec![(1, "p1".into())],
        record_template: object("b", "big", 77),
        condition: WriteCondition::Always,
    })?;
    step(MetaOp::PutBucketVersioning {
        bucket: "b".into(),
        state: Versioning::Enabled,
    })?;
    step(sized("a", 4, 11))?; // keeps the null version
    step(MetaOp::DeleteObject {
        bucket: "b".into(),
        key: "a".into(),
    })?; // a marker: no bytes, no object
    step(MetaOp::DeleteVersion {
        bucket: "b".into(),
        key: "a".into(),
        version: VersionRef::Null,
        bypass_governance: false,
    })?;
    step(MetaOp::PutBucketVersioning {
        bucket: "b".into(),
        state: Versioning::Suspended,
    })?;
    step(sized("big", 5, 1))?; // replaces the null version only
    assert_eq!(kept(&s, "b")?, (11 + 1, 2));
    Ok(())
}

#[test]
fn a_write_past_the_quota_is_refused_and_leaves_nothing() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    one(&s, 1, create_bucket("b"))?.ok();
    let quota = Quota {
        max_bytes: Some(100),
        max_objects: Some(3),
    };
    let set = MetaOp::SetBucketQuota {
        bucket: "b".into(),
        quota,
    };
    assert!(one(&s, 2, set)?.is_ok());
    assert!(one(&s, 3, sized("a", 1, 60))?.is_ok());
    assert_eq!(
        one(&s, 4, sized("b", 2, 41))?,
        Err(MetaOpError::QuotaExceeded)
    );
    assert_eq!(s.get_object("b", "b")?, None, "nothing of it is stored");
    assert_eq!(kept(&s, "b")?, (60, 1));
    // Exactly at the limit is allowed; an overwrite that shrinks too.
    assert!(one(&s, 5, sized("b", 3, 40))?.is_ok());
    assert!(one(&s, 6, sized("a", 4, 10))?.is_ok());
    // Objects count too.
    assert!(one(&s, 7, sized("c", 5, 1))?.is_ok());
    assert_eq!(
        one(&s, 8, sized("d", 6, 1))?,
        Err(MetaOpError::QuotaExceeded)
    );
    // A part that would pass the bytes is refused as well.
    assert!(one(&s, 9, upload("u1"))?.is_ok());
    assert_eq!(
        one(&s, 10, part("u1", 1, 50))?,
        Err(MetaOpError::QuotaExceeded)
    );
    // A lower quota leaves what is there; deletes still work.
    let lower = MetaOp::SetBucketQuota {
        bucket: "b".into(),
        quota: Quota {
            max_bytes: Some(1),
            max_objects: None,
        },
    };
    assert!(one(&s, 11, lower)?.is_ok());
    let delete = MetaOp::DeleteObject {
        bucket: "b".into(),
        key: "a".into(),
    };
    assert!(one(&s, 12, delete)?.is_ok());
    assert_eq!(
        s.bucket_usage("b")?,
        BucketUsage {
            bytes: 41,
            objects: 2,
            quota: Quota {
                max_bytes: Some(1),
                max_objects: None
            }
        }
    );
    Ok(())
}

#[test]
fn a_quota_on_a_missing_bucket_is_refused_and_goes_with_its_bucket() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    let set = |name: &str| MetaOp::SetBucketQuota {
        bucket: name.into(),
        quota: Quota {
            max_bytes: Some(5),
            max_objects: None,
        },
    };
    assert_eq!(one(&s, 1, set("nope"))?, Err(MetaOpError::NoSuchBucket));
    assert!(one(&s, 2, create_bucket("b"))?.is_ok());
    assert!(one(&s, 3, set("b"))?.is_ok());
    let drop = MetaOp::DeleteBucket { name: "b".into() };
    assert!(one(&s, 4, drop)?.is_ok());
    assert!(one(&s, 5, create_bucket("b"))?.is_ok());
    assert_eq!(s.bucket_usage("b")?, BucketUsage::default());
    Ok(())
}

#[test]
fn an_older_store_is_counted_once_when_opened() -> Result<(), MetaError> {
    let dir = tempfile::tempdir()?;
    {
        let s = MetaState::open(dir.path())?;
        let ops = [
            MetaOp::CreateBucket {
                record: bucket("b", "o"),
            },
            put("b", "x", 1),
            put("b", "y", 2),
        ];
        s.apply_batch(1, &ops)?;
        // As a store from before usage was kept: no usage at all.
        let keys: Vec<Vec<u8>> = s
            .snapshot()
            .iter(s.ks(Space::Usage))
            .map(|g| g.key().map(|k| k.to_vec()))
            .collect::<Result<_, _>>()?;
        for k in keys {
            s.ks(Space::Usage).remove(k)?;
        }
        assert_eq!(s.bucket_usage("b")?.objects, 0);
    }
    let s = MetaState::open(dir.path())?;
    assert_eq!(kept(&s, "b")?, (20, 2));
    Ok(())
}

#[test]
fn usage_travels_in_snapshots() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    s.apply_batch(1, &[create_bucket("b"), sized("a", 1, 33)])?;
    let mut out = Vec::new();
    s.export(&mut out)?;
    let dir = tempfile::tempdir()?;
    let copy = MetaState::import(dir.path(), &mut out.as_slice())?;
    assert_eq!(copy.bucket_usage("b")?, s.bucket_usage("b")?);
    assert_eq!(kept(&copy, "b")?, (33, 1));
    Ok(())
}

#[test]
fn a_snapshot_from_before_usage_is_counted_on_import() -> Result<(), MetaError> {
    let (_d, s) = open()?;
    s.apply_batch(
        1,
        &[create_bucket("b"), sized("a", 1, 33), sized("c", 2, 2)],
    )?;
    let mut out = Vec::new();
    s.export(&mut out)?;
    let v4 = crate::storage::meta::tests::as_older_stream(&out, 4);
    let dir = tempfile::tempdir()?;
    let copy = MetaState::import(dir.path(), &mut v4.as_slice())?;
    assert_eq!(kept(&copy, "b")?, (35, 2));
    Ok(())
}
