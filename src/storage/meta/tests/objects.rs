//! Buckets, objects and the limits on names and ids.

use super::fixtures::*;
use super::*;
use crate::storage::meta::ops::PartsPage;
use crate::storage::meta::ops::UploadsPage;
use crate::storage::meta::ops::MAX_BUCKET_NAME_BYTES;
use crate::storage::meta::ops::MAX_OBJECT_KEY_BYTES;
use crate::storage::meta::records::AccessKey;
use crate::storage::meta::{MetaOpError, MetaOutcome};

#[test]
fn inline_data_survives_reopen_and_stays_out_of_listings() -> Result<(), MetaError> {
    let dir = tempfile::tempdir()?;
    let data = bytes::Bytes::from(vec![7u8; 4096]);
    let record = ObjectRecord {
        size: 4096,
        shard_nodes: vec![],
        inline_data: Some(data.clone()),
        ..object("b", "small", 9)
    };
    {
        let state = MetaState::open(dir.path())?;
        let r = state.apply_batch(
            1,
            &[
                create_bucket("b"),
                MetaOp::PutObject {
                    record: record.clone(),
                    condition: WriteCondition::Always,
                },
            ],
        )?;
        assert!(r.iter().all(|r| r.is_ok()), "{r:?}");
        state.persist(true)?;
    }
    let state = MetaState::open(dir.path())?;
    assert_eq!(state.get_object("b", "small")?, Some(record.clone()));
    let q = crate::storage::meta::ListQuery {
        prefix: String::new(),
        delimiter: None,
        start_after: None,
        max_keys: 10,
    };
    let page = state.list_objects("b", &q)?;
    assert_eq!(page.objects.len(), 1);
    assert_eq!(page.objects[0].size, 4096);
    assert_eq!(page.objects[0].etag, record.etag);
    Ok(())
}

#[test]
fn bucket_create_and_delete() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let r = state.apply_batch(
        1,
        &[
            create_bucket("b"),
            create_bucket("b"),
            MetaOp::CreateBucket {
                record: bucket("b", "AKOTHER"),
            },
            MetaOp::DeleteBucket {
                name: "nope".into(),
            },
        ],
    )?;
    assert_eq!(
        r,
        vec![
            Ok(MetaOutcome::Done),
            Err(MetaOpError::BucketAlreadyOwnedByYou),
            Err(MetaOpError::BucketAlreadyExists),
            Err(MetaOpError::NoSuchBucket),
        ]
    );
    assert_eq!(state.get_bucket("b")?, Some(bucket("b", "AKOWNER")));

    let r = state.apply_batch(
        2,
        &[
            put("b", "k", 1),
            MetaOp::DeleteBucket { name: "b".into() },
            MetaOp::DeleteObject {
                bucket: "b".into(),
                key: "k".into(),
            },
            MetaOp::DeleteBucket { name: "b".into() },
        ],
    )?;
    assert_eq!(r[1], Err(MetaOpError::BucketNotEmpty));
    assert_eq!(r[3], Ok(MetaOutcome::Done));
    assert_eq!(state.get_bucket("b")?, None);
    assert!(state.list_buckets()?.is_empty());
    Ok(())
}

#[test]
fn deleting_a_bucket_aborts_its_uploads_in_progress() -> Result<(), MetaError> {
    let (_dir, state) = with_upload()?;
    let r = state.apply_batch(2, &[MetaOp::DeleteBucket { name: "b".into() }])?;
    assert_eq!(r, vec![Ok(MetaOutcome::Done)]);
    assert_eq!(state.get_bucket("b")?, None);
    assert_eq!(state.get_upload("u1")?, None);
    assert!(state.list_parts("u1", 0, 100)?.parts.is_empty());
    // The three parts' data waits on the drop list.
    let drops = state.due_drops(None, u64::MAX, 100)?;
    assert_eq!(drops.iter().map(|d| d.sets.len()).sum::<usize>(), 3);
    // A bucket of the same name starts with no upload.
    state.apply_batch(3, &[create_bucket("b")])?;
    let r = state.apply_batch(
        4,
        &[MetaOp::AbortMultipart {
            bucket: "b".into(),
            key: "big".into(),
            upload_id: "u1".into(),
        }],
    )?;
    assert_eq!(r, vec![Err(MetaOpError::NoSuchUpload)]);
    Ok(())
}

#[test]
fn neighbouring_bucket_does_not_make_a_bucket_non_empty() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    state.apply_batch(
        1,
        &[create_bucket("b"), create_bucket("bb"), put("bb", "x", 1)],
    )?;
    let r = state.apply_batch(2, &[MetaOp::DeleteBucket { name: "b".into() }])?;
    assert_eq!(r, vec![Ok(MetaOutcome::Done)]);
    Ok(())
}

#[test]
fn put_replaces_and_returns_the_old_version() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let r = state.apply_batch(1, &[put("b", "k", 1), create_bucket("b"), put("b", "k", 1)])?;
    assert_eq!(r[0], Err(MetaOpError::NoSuchBucket));
    assert_eq!(r[2], Ok(MetaOutcome::Replaced(None)));
    let r = state.apply_batch(2, &[put("b", "k", 2)])?;
    assert_eq!(
        r,
        vec![Ok(MetaOutcome::Replaced(Some(object("b", "k", 1))))]
    );
    assert_eq!(state.get_object("b", "k")?, Some(object("b", "k", 2)));
    assert_eq!(state.get_object("b", "other")?, None);
    Ok(())
}

#[test]
fn if_absent_refuses_an_existing_key() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let if_absent = |id| MetaOp::PutObject {
        record: object("b", "k", id),
        condition: WriteCondition::IfAbsent,
    };
    let r = state.apply_batch(1, &[create_bucket("b"), if_absent(1), if_absent(2)])?;
    assert_eq!(
        r[1..],
        [
            Ok(MetaOutcome::Replaced(None)),
            Err(MetaOpError::PreconditionFailed)
        ]
    );
    assert_eq!(state.get_object("b", "k")?, Some(object("b", "k", 1)));
    Ok(())
}

#[test]
fn deleting_a_missing_key_is_fine() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let del = |b: &str| MetaOp::DeleteObject {
        bucket: b.into(),
        key: "k".into(),
    };
    let r = state.apply_batch(
        1,
        &[
            create_bucket("b"),
            del("b"),
            put("b", "k", 1),
            del("b"),
            del("x"),
        ],
    )?;
    assert_eq!(
        r[1..],
        [
            Ok(MetaOutcome::Removed(None)),
            Ok(MetaOutcome::Replaced(None)),
            Ok(MetaOutcome::Removed(Some(object("b", "k", 1)))),
            Err(MetaOpError::NoSuchBucket),
        ]
    );
    assert_eq!(state.get_object("b", "k")?, None);
    Ok(())
}

#[test]
fn empty_and_oversized_names_are_refused_not_panics() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let huge = "k".repeat(70_000);
    let long_key = "k".repeat(MAX_OBJECT_KEY_BYTES + 1);
    let access_key = |id: &str| MetaOp::PutAccessKey {
        key: AccessKey {
            access_key_id: id.into(),
            secret: "s".into(),
            created_ms: 1,
            user_id: id.into(),
            display_name: id.into(),
            email: None,
        },
    };
    let ops = vec![
        create_bucket(""),
        create_bucket(&"b".repeat(MAX_BUCKET_NAME_BYTES + 1)),
        create_bucket(&huge),
        create_bucket("b"),
        put("b", "", 1),
        put("b", &long_key, 1),
        put("b", &huge, 1),
        MetaOp::DeleteObject {
            bucket: "b".into(),
            key: huge.clone(),
        },
        MetaOp::DeleteObject {
            bucket: huge.clone(),
            key: "k".into(),
        },
        MetaOp::DeleteBucket { name: "".into() },
        MetaOp::DeleteBucket { name: huge.clone() },
        MetaOp::CreateMultipart {
            upload: upload("b", "k", ""),
        },
        MetaOp::CreateMultipart {
            upload: upload("b", "k", &huge),
        },
        MetaOp::CreateMultipart {
            upload: upload("b", &huge, "u"),
        },
        MetaOp::PutPart {
            part: part("", 1, 1),
        },
        MetaOp::PutPart {
            part: part(&huge, 1, 1),
        },
        MetaOp::AbortMultipart {
            bucket: "b".into(),
            key: huge.clone(),
            upload_id: huge.clone(),
        },
        MetaOp::CompleteMultipart {
            bucket: huge.clone(),
            key: huge.clone(),
            upload_id: huge.clone(),
            parts: vec![(1, "p1".into())],
            record_template: object("b", "k", 1),
            condition: WriteCondition::Always,
        },
        access_key(""),
        access_key(&huge),
    ];
    use MetaOpError::*;
    let want = [
        Err(InvalidBucketName),
        Err(InvalidBucketName),
        Err(InvalidBucketName),
        Ok(MetaOutcome::Done),
        Err(InvalidArgument),
        Err(KeyTooLongError),
        Err(KeyTooLongError),
        Err(KeyTooLongError),
        Err(NoSuchBucket),
        Err(NoSuchBucket),
        Err(NoSuchBucket),
        Err(InvalidArgument),
        Err(InvalidArgument),
        Err(KeyTooLongError),
        Err(NoSuchUpload),
        Err(NoSuchUpload),
        Err(NoSuchUpload),
        Err(NoSuchUpload),
        Err(InvalidArgument),
        Err(InvalidArgument),
    ];
    assert_eq!(state.apply_batch(1, &ops)?, want);

    assert_eq!(state.get_bucket("")?, None);
    assert_eq!(state.get_bucket(&huge)?, None);
    assert_eq!(state.get_object("b", &huge)?, None);
    assert_eq!(state.get_object(&huge, "k")?, None);
    assert_eq!(state.get_object("b", "")?, None);
    assert_eq!(state.get_upload("")?, None);
    assert_eq!(state.get_upload(&huge)?, None);
    assert_eq!(state.get_access_key("")?, None);
    assert_eq!(state.get_access_key(&huge)?, None);
    assert_eq!(state.list_parts(&huge, 0, 10)?, PartsPage::default());
    assert_eq!(
        state.list_uploads(&huge, &huge, Some(&huge), Some(&huge), 10)?,
        UploadsPage::default()
    );
    assert_eq!(
        state.list_uploads("b", "", Some(&huge), None, 10)?,
        UploadsPage::default()
    );
    Ok(())
}
