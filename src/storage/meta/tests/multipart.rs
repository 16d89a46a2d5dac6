//! Multipart uploads: parts, completion, abort and listing.

use super::fixtures::*;
use super::*;
use crate::storage::meta::ops::UploadsPage;
use crate::storage::meta::snapshot::SNAPSHOT_END;
use crate::storage::meta::state::Space;
use crate::storage::meta::{MetaOpError, MetaOutcome};

#[test]
fn multipart_happy_path() -> Result<(), MetaError> {
    let (_dir, state) = with_upload()?;
    assert_eq!(state.get_upload("u1")?, Some(upload("b", "big", "u1")));
    let page = state.list_parts("u1", 0, 2)?;
    assert_eq!(
        page.parts,
        vec![part("u1", 1, MIN_PART_SIZE), part("u1", 2, MIN_PART_SIZE)]
    );
    assert!(page.is_truncated);
    assert_eq!(page.next_part_number_marker, Some(2));
    let page = state.list_parts("u1", 2, 2)?;
    assert_eq!(page.parts, vec![part("u1", 3, 1)]);
    assert!(!page.is_truncated);

    // Replace part 2, then complete with parts 1 and 3 (quoted ETag).
    let mut p2 = part("u1", 2, MIN_PART_SIZE + 1);
    p2.etag = "p2b".into();
    let r = state.apply_batch(
        2,
        &[put("b", "big", 9), MetaOp::PutPart { part: p2.clone() }],
    )?;
    assert_eq!(
        r[1],
        Ok(MetaOutcome::PartReplaced(Some(part(
            "u1",
            2,
            MIN_PART_SIZE
        ))))
    );
    let r = state.apply_batch(3, &[complete(&[(1, "\"p1\""), (3, "p3")])])?;
    assert_eq!(
        r,
        vec![Ok(MetaOutcome::Completed {
            version: None,
            replaced: Some(object("b", "big", 9)),
            unused_parts: vec![p2],
        })]
    );
    let obj = state
        .get_object("b", "big")?
        .ok_or(MetaError::Corrupt("object missing"))?;
    assert_eq!(obj.etag, "abc-2");
    assert_eq!(obj.object_id, 77);
    assert_eq!(obj.bucket, "b");
    assert_eq!(obj.size, MIN_PART_SIZE + 1);
    assert_eq!(obj.content_type.as_deref(), Some("video/mp4"));
    assert_eq!(obj.user_metadata, upload("b", "big", "u1").user_metadata);
    assert_eq!(obj.headers, upload("b", "big", "u1").headers);
    let numbers: Vec<_> = obj
        .parts
        .iter()
        .map(|p| (p.part_number, p.object_id))
        .collect();
    assert_eq!(numbers, vec![(1, 1001), (3, 1003)]);
    assert_eq!(obj.parts[1].shard_nodes, vec![3; 6]);
    assert_eq!(state.get_upload("u1")?, None);
    assert!(state.list_parts("u1", 0, 100)?.parts.is_empty());
    assert!(state
        .list_uploads("b", "", None, None, 100)?
        .uploads
        .is_empty());
    // The upload is gone: completing again is refused.
    let r = state.apply_batch(4, &[complete(&[(1, "p1"), (3, "p3")])])?;
    assert_eq!(r, vec![Err(MetaOpError::NoSuchUpload)]);
    Ok(())
}

#[test]
fn multipart_validation_errors_change_nothing() -> Result<(), MetaError> {
    let (_dir, state) = with_upload()?;
    let before = export(&state)?;
    let wrong_key = MetaOp::CompleteMultipart {
        bucket: "b".into(),
        key: "other".into(),
        upload_id: "u1".into(),
        parts: vec![(1, "p1".into())],
        record_template: object("b", "other", 1),
        condition: WriteCondition::Always,
    };
    let cases = [
        (wrong_key, MetaOpError::NoSuchUpload),
        (complete(&[]), MetaOpError::InvalidRequest),
        (
            complete(&[(2, "p2"), (1, "p1")]),
            MetaOpError::InvalidPartOrder,
        ),
        (
            complete(&[(1, "p1"), (1, "p1")]),
            MetaOpError::InvalidPartOrder,
        ),
        (complete(&[(1, "p1"), (4, "p4")]), MetaOpError::InvalidPart),
        (
            complete(&[(1, "p1"), (2, "wrong")]),
            MetaOpError::InvalidPart,
        ),
        (complete(&[(3, "p3"), (4, "p4")]), MetaOpError::InvalidPart),
        (
            complete(&[(1, "p1"), (3, "p3"), (4, "p4")]),
            MetaOpError::InvalidPart,
        ),
        (
            complete(&[(3, "p3"), (1, "p1")]),
            MetaOpError::InvalidPartOrder,
        ),
        (
            complete(&[(1, "p1"), (3, "p3")]),
            MetaOpError::EntityTooSmall,
        ),
        (
            MetaOp::PutPart {
                part: part("nope", 1, 1),
            },
            MetaOpError::NoSuchUpload,
        ),
        (
            MetaOp::PutPart {
                part: part("u1", 0, 1),
            },
            MetaOpError::InvalidArgument,
        ),
        (
            MetaOp::PutPart {
                part: part("u1", 10_001, 1),
            },
            MetaOpError::InvalidArgument,
        ),
        (
            MetaOp::CreateMultipart {
                upload: upload("b", "x", "u1"),
            },
            MetaOpError::UploadAlreadyExists,
        ),
        (
            MetaOp::CreateMultipart {
                upload: upload("nob", "x", "u2"),
            },
            MetaOpError::NoSuchBucket,
        ),
        (
            MetaOp::AbortMultipart {
                bucket: "b".into(),
                key: "big".into(),
                upload_id: "u9".into(),
            },
            MetaOpError::NoSuchUpload,
        ),
    ];
    // Parts (1, 3) are fine by size as uploaded, so the EntityTooSmall
    // case first shrinks part 1 (and restores it afterwards).
    let mut index = 2;
    for (op, want) in cases {
        let setup = if want == MetaOpError::EntityTooSmall {
            vec![MetaOp::PutPart {
                part: part("u1", 1, MIN_PART_SIZE - 1),
            }]
        } else {
            Vec::new()
        };
        let mut ops = setup.clone();
        ops.push(op.clone());
        let r = state.apply_batch(index, &ops)?;
        index += 1;
        assert_eq!(r.last(), Some(&Err(want)), "{op:?}");
        if setup.is_empty() {
            // Compare everything but the last applied index.
            assert_eq!(strip_meta(&export(&state)?), strip_meta(&before), "{op:?}");
        } else {
            // Restore part 1.
            state.apply_batch(
                index,
                &[MetaOp::PutPart {
                    part: part("u1", 1, MIN_PART_SIZE),
                }],
            )?;
            index += 1;
        }
    }
    assert_eq!(strip_meta(&export(&state)?), strip_meta(&before));
    Ok(())
}

/// An export with the `meta` keyspace (last applied index) cut off.
fn strip_meta(export: &[u8]) -> Vec<u8> {
    let mut out = export[..9].to_vec();
    let mut at = 9;
    while export[at] != SNAPSHOT_END {
        let klen = u32::from_le_bytes(export[at + 1..at + 5].try_into().unwrap_or([0; 4]));
        let vat = at + 5 + klen as usize;
        let vlen = u32::from_le_bytes(export[vat..vat + 4].try_into().unwrap_or([0; 4]));
        let end = vat + 4 + vlen as usize;
        // The bookkeeping keyspaces (last applied index, the drop list a
        // restoring setup op adds to) are not what the cases change.
        if export[at] != Space::Meta.tag() && export[at] != Space::Drops.tag() {
            out.extend_from_slice(&export[at..end]);
        }
        at = end;
    }
    out
}

#[test]
fn abort_returns_the_parts() -> Result<(), MetaError> {
    let (_dir, state) = with_upload()?;
    let abort = |bucket: &str| MetaOp::AbortMultipart {
        bucket: bucket.into(),
        key: "big".into(),
        upload_id: "u1".into(),
    };
    let r = state.apply_batch(2, &[abort("other"), abort("b"), abort("b")])?;
    assert_eq!(
        r,
        vec![
            Err(MetaOpError::NoSuchUpload),
            Ok(MetaOutcome::Aborted {
                parts: vec![
                    part("u1", 1, MIN_PART_SIZE),
                    part("u1", 2, MIN_PART_SIZE),
                    part("u1", 3, 1),
                ]
            }),
            Err(MetaOpError::NoSuchUpload),
        ]
    );
    assert_eq!(state.get_upload("u1")?, None);
    assert!(state.list_parts("u1", 0, 10)?.parts.is_empty());
    Ok(())
}

#[test]
fn list_uploads_pages_in_key_and_id_order() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let mut ops = vec![create_bucket("b"), create_bucket("bb")];
    for (key, id) in [
        ("a/1", "u3"),
        ("a/1", "u1"),
        ("a/2", "u2"),
        ("c", "u4"),
        ("a", "u5"),
    ] {
        ops.push(MetaOp::CreateMultipart {
            upload: upload("b", key, id),
        });
    }
    ops.push(MetaOp::CreateMultipart {
        upload: upload("bb", "a/1", "u6"),
    });
    state.apply_batch(1, &ops)?;
    let ids = |p: &UploadsPage| {
        p.uploads
            .iter()
            .map(|u| u.upload_id.clone())
            .collect::<Vec<_>>()
    };

    let all = state.list_uploads("b", "", None, None, 100)?;
    assert_eq!(ids(&all), ["u5", "u1", "u3", "u2", "u4"]);
    assert!(!all.is_truncated);

    let p = state.list_uploads("b", "a/", None, None, 2)?;
    assert_eq!(ids(&p), ["u1", "u3"]);
    assert!(p.is_truncated);
    assert_eq!(p.next_key_marker.as_deref(), Some("a/1"));
    assert_eq!(p.next_upload_id_marker.as_deref(), Some("u3"));
    let p = state.list_uploads("b", "a/", Some("a/1"), Some("u3"), 2)?;
    assert_eq!(ids(&p), ["u2"]);
    assert!(!p.is_truncated);

    let p = state.list_uploads("b", "", Some("a/1"), Some("u1"), 100)?;
    assert_eq!(ids(&p), ["u3", "u2", "u4"]);
    let p = state.list_uploads("b", "", Some("a/1"), None, 100)?;
    assert_eq!(ids(&p), ["u2", "u4"]);
    let p = state.list_uploads("b", "a/", Some("z"), None, 100)?;
    assert!(p.uploads.is_empty());
    let p = state.list_uploads("b", "", None, None, 0)?;
    assert!(p.uploads.is_empty() && p.is_truncated);
    Ok(())
}
