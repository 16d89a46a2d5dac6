//! What the repair actor uses: PlaceShards, the heal queue, full scans.

use super::fixtures::*;
use super::*;
use crate::storage::meta::ops::MAX_HEAL_ENTRIES;
use crate::storage::meta::records::{from_bytes, to_bytes, RECORD_VERSION};
use crate::storage::meta::{
    MetaOpError, MetaOutcome, MetaRead, MetaReadResult, MetaResult, OpBatch, ShardOwner, NO_NODE,
};

fn obj_owner(bucket: &str, key: &str) -> ShardOwner {
    ShardOwner::Object {
        bucket: bucket.into(),
        key: key.into(),
    }
}

fn place(owner: ShardOwner, object_id: u128, part: u32, nodes: Vec<u64>) -> MetaOp {
    MetaOp::PlaceShards {
        owner,
        object_id,
        part,
        nodes,
        expected: None,
    }
}

fn placed(applied: bool) -> MetaResult {
    Ok(MetaOutcome::Placed { applied })
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(b, k)| ((*b).to_owned(), (*k).to_owned()))
        .collect()
}

fn queue(p: &[(&str, &str)]) -> MetaOp {
    MetaOp::QueueHeal { objects: pairs(p) }
}

fn forget(p: &[(&str, &str)]) -> MetaOp {
    MetaOp::ForgetHeal { objects: pairs(p) }
}

fn current(state: &MetaState, bucket: &str, key: &str) -> Result<ObjectRecord, MetaError> {
    state
        .get_object(bucket, key)?
        .ok_or(MetaError::Corrupt("object missing"))
}

/// [`with_upload`], with its upload completed using all three parts.
fn with_multipart_object() -> Result<(tempfile::TempDir, MetaState), MetaError> {
    let (dir, state) = with_upload()?;
    let r = state.apply_batch(2, &[complete(&[(1, "p1"), (2, "p2"), (3, "p3")])])?;
    assert!(r.iter().all(Result::is_ok), "{r:?}");
    Ok((dir, state))
}

#[test]
fn place_shards_of_a_single_part_object() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    state.apply_batch(1, &[create_bucket("b"), put("b", "k", 10)])?;
    let before = current(&state, "b", "k")?;
    let nodes = vec![1, 2, 7, 4, NO_NODE, 6];
    let r = state.apply_batch(2, &[place(obj_owner("b", "k"), 10, 0, nodes.clone())])?;
    assert_eq!(r, vec![placed(true)]);
    // Only the placement changed.
    let after = current(&state, "b", "k")?;
    assert_eq!(
        after,
        ObjectRecord {
            shard_nodes: nodes.clone(),
            ..before
        }
    );
    // Another id or a part number does not name this shard set.
    let r = state.apply_batch(
        3,
        &[
            place(obj_owner("b", "k"), 11, 0, vec![9; 6]),
            place(obj_owner("b", "k"), 10, 1, vec![9; 6]),
            place(obj_owner("b", "nothing"), 10, 0, vec![9; 6]),
            place(obj_owner("nobucket", "k"), 10, 0, vec![9; 6]),
        ],
    )?;
    assert_eq!(r, vec![placed(false); 4]);
    assert_eq!(current(&state, "b", "k")?.shard_nodes, nodes);
    // Nothing went on the drop list.
    assert_eq!(state.pending_drops()?, 0);
    Ok(())
}

#[test]
fn place_shards_of_a_part_of_a_multipart_object() -> Result<(), MetaError> {
    let (_dir, state) = with_multipart_object()?;
    let before = current(&state, "b", "big")?;
    let r = state.apply_batch(3, &[place(obj_owner("b", "big"), 1002, 2, vec![8; 6])])?;
    assert_eq!(r, vec![placed(true)]);
    let mut want = before.clone();
    want.parts[1].shard_nodes = vec![8; 6];
    assert_eq!(current(&state, "b", "big")?, want);
    // The object's own id (part 0), or a part under another id: not applied.
    let r = state.apply_batch(
        4,
        &[
            place(obj_owner("b", "big"), 77, 0, vec![9; 6]),
            place(obj_owner("b", "big"), 1002, 3, vec![9; 6]),
            place(obj_owner("b", "big"), 1003, 4, vec![9; 6]),
        ],
    )?;
    assert_eq!(r, vec![placed(false); 3]);
    assert_eq!(current(&state, "b", "big")?, want);
    Ok(())
}

#[test]
fn place_shards_of_a_part_of_an_upload_in_progress() -> Result<(), MetaError> {
    let (_dir, state) = with_upload()?;
    let owner = ShardOwner::Upload {
        bucket: "b".into(),
        key: "big".into(),
        upload_id: "u1".into(),
    };
    let r = state.apply_batch(2, &[place(owner.clone(), 1002, 2, vec![5, 4, 3, 2, 1, 9])])?;
    assert_eq!(r, vec![placed(true)]);
    let parts = state.list_parts("u1", 0, 10)?.parts;
    assert_eq!(
        parts,
        vec![
            part("u1", 1, MIN_PART_SIZE),
            PartRecord {
                shard_nodes: vec![5, 4, 3, 2, 1, 9],
                ..part("u1", 2, MIN_PART_SIZE)
            },
            part("u1", 3, 1),
        ]
    );
    // Wrong id, missing part, or an upload named with another key.
    let wrong_key = ShardOwner::Upload {
        bucket: "b".into(),
        key: "other".into(),
        upload_id: "u1".into(),
    };
    let r = state.apply_batch(
        3,
        &[
            place(owner.clone(), 1003, 2, vec![9; 6]),
            place(owner, 1004, 4, vec![9; 6]),
            place(wrong_key, 1001, 1, vec![9; 6]),
        ],
    )?;
    assert_eq!(r, vec![placed(false); 3]);
    assert_eq!(state.list_parts("u1", 0, 10)?.parts, parts);
    Ok(())
}

#[test]
fn place_shards_of_a_version_that_is_gone_does_not_apply() -> Result<(), MetaError> {
    // Overwritten, then deleted.
    let (_dir, state) = open()?;
    state.apply_batch(1, &[create_bucket("b"), put("b", "k", 10)])?;
    state.apply_batch(2, &[put("b", "k", 11)])?;
    let r = state.apply_batch(3, &[place(obj_owner("b", "k"), 10, 0, vec![9; 6])])?;
    assert_eq!(r, vec![placed(false)]);
    assert_eq!(current(&state, "b", "k")?, object("b", "k", 11));
    let delete = MetaOp::DeleteObject {
        bucket: "b".into(),
        key: "k".into(),
    };
    // Deleted earlier in the same batch.
    let r = state.apply_batch(4, &[delete, place(obj_owner("b", "k"), 11, 0, vec![9; 6])])?;
    assert_eq!(r[1], placed(false));
    assert_eq!(state.get_object("b", "k")?, None);

    // An object kept inline has no shards.
    let inline = ObjectRecord {
        shard_nodes: vec![],
        inline_data: Some(bytes::Bytes::from_static(b"tiny")),
        ..object("b", "small", 12)
    };
    state.apply_batch(
        5,
        &[MetaOp::PutObject {
            record: inline,
            condition: WriteCondition::Always,
        }],
    )?;
    let r = state.apply_batch(6, &[place(obj_owner("b", "small"), 12, 0, vec![])])?;
    assert_eq!(r, vec![placed(false)]);

    // An upload aborted, and one completed.
    let (_dir, state) = with_upload()?;
    let owner = |id: &str| ShardOwner::Upload {
        bucket: "b".into(),
        key: "big".into(),
        upload_id: id.into(),
    };
    let r = state.apply_batch(
        2,
        &[
            MetaOp::AbortMultipart {
                bucket: "b".into(),
                key: "big".into(),
                upload_id: "u1".into(),
            },
            place(owner("u1"), 1001, 1, vec![9; 6]),
        ],
    )?;
    assert_eq!(r[1], placed(false));
    let (_dir, state) = with_multipart_object()?;
    let r = state.apply_batch(3, &[place(owner("u1"), 1001, 1, vec![9; 6])])?;
    assert_eq!(r, vec![placed(false)]);
    Ok(())
}

#[test]
fn place_shards_with_the_wrong_count_is_refused() -> Result<(), MetaError> {
    let (_dir, state) = with_multipart_object()?;
    state.apply_batch(3, &[put("b", "k", 10)])?;
    let before_k = current(&state, "b", "k")?;
    let before_big = current(&state, "b", "big")?;
    let r = state.apply_batch(
        4,
        &[
            place(obj_owner("b", "k"), 10, 0, vec![1; 5]),
            place(obj_owner("b", "k"), 10, 0, vec![1; 7]),
            place(obj_owner("b", "big"), 1001, 1, vec![]),
        ],
    )?;
    assert_eq!(r, vec![Err(MetaOpError::ShardCountMismatch); 3]);
    assert_eq!(current(&state, "b", "k")?, before_k);
    assert_eq!(current(&state, "b", "big")?, before_big);
    Ok(())
}

#[test]
fn place_shards_applies_once_per_id() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    state.apply_batch(1, &[create_bucket("b"), put("b", "k", 10)])?;
    let ops = [place(obj_owner("b", "k"), 10, 0, vec![9; 6])];
    let batch = OpBatch {
        ops: &ops,
        ids: &[5],
        at_ms: 1,
    };
    let first = state.apply_entry(2, batch, None)?;
    assert_eq!(first, vec![placed(true)]);
    let again = state.apply_entry(3, batch, None)?;
    assert_eq!(again, vec![Ok(MetaOutcome::Duplicate)]);
    Ok(())
}

#[test]
fn heal_queue_round_trip_and_dedupe() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let r = state.apply_batch(
        1,
        &[
            queue(&[("b", "k2"), ("a", "k1"), ("b", "k2")]),
            queue(&[("bb", "a"), ("b", "k2"), ("b", "k\u{0}")]),
        ],
    )?;
    assert_eq!(r, vec![Ok(MetaOutcome::Done); 2]);
    let all = pairs(&[("a", "k1"), ("b", "k\u{0}"), ("b", "k2"), ("bb", "a")]);
    assert_eq!(state.heal_queue(None, 100)?, all);
    assert_eq!(state.queued_heals()?, 4);
    assert_eq!(
        state.read(&MetaRead::HealQueue {
            after: None,
            limit: 2
        })?,
        MetaReadResult::HealQueue(all[..2].to_vec())
    );
    assert_eq!(state.heal_queue(Some(("b", "k\u{0}")), 100)?, all[2..]);
    assert_eq!(
        state.read(&MetaRead::HealQueue {
            after: Some(("b".into(), "k\u{0}".into())),
            limit: 1
        })?,
        MetaReadResult::HealQueue(all[2..3].to_vec())
    );
    // Forgetting what is not queued is fine.
    let r = state.apply_batch(2, &[forget(&[("a", "k1"), ("x", "y"), ("b", "k2")])])?;
    assert_eq!(r, vec![Ok(MetaOutcome::Done)]);
    assert_eq!(
        state.heal_queue(None, 100)?,
        pairs(&[("b", "k\u{0}"), ("bb", "a")])
    );
    Ok(())
}

#[test]
fn heal_lists_are_bounded_and_checked() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let many: Vec<(String, String)> = (0..=MAX_HEAL_ENTRIES)
        .map(|i| ("b".to_owned(), format!("k{i}")))
        .collect();
    let long_bucket = "b".repeat(256);
    let long_key = "k".repeat(1025);
    let r = state.apply_batch(
        1,
        &[
            MetaOp::QueueHeal {
                objects: many.clone(),
            },
            MetaOp::ForgetHeal { objects: many },
            queue(&[("b", "ok"), ("", "k")]),
            queue(&[(long_bucket.as_str(), "k")]),
            queue(&[("b", "")]),
            forget(&[("b", long_key.as_str())]),
        ],
    )?;
    assert_eq!(
        r,
        vec![
            Err(MetaOpError::InvalidArgument),
            Err(MetaOpError::InvalidArgument),
            Err(MetaOpError::InvalidBucketName),
            Err(MetaOpError::InvalidBucketName),
            Err(MetaOpError::InvalidArgument),
            Err(MetaOpError::KeyTooLongError),
        ]
    );
    // A refused list queues none of its pairs.
    assert!(state.heal_queue(None, 10)?.is_empty());
    let exactly: Vec<(String, String)> = (0..MAX_HEAL_ENTRIES)
        .map(|i| ("b".to_owned(), format!("k{i:04}")))
        .collect();
    let r = state.apply_batch(2, &[MetaOp::QueueHeal { objects: exactly }])?;
    assert_eq!(r, vec![Ok(MetaOutcome::Done)]);
    assert_eq!(state.queued_heals()?, MAX_HEAL_ENTRIES);
    Ok(())
}

#[test]
fn scan_objects_pages_across_buckets() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    let mut ops = Vec::new();
    let mut want = Vec::new();
    for (i, b) in ["a", "b", "bb", "c"].into_iter().enumerate() {
        ops.push(create_bucket(b));
        for k in ["x", "b/y", "z"] {
            ops.push(put(b, k, i as u128));
        }
    }
    ops.push(create_bucket("empty"));
    state.apply_batch(1, &ops)?;
    for b in ["a", "b", "bb", "c"] {
        for k in ["b/y", "x", "z"] {
            want.push((b.to_owned(), k.to_owned()));
        }
    }
    let mut seen = Vec::new();
    let mut after: Option<(String, String)> = None;
    loop {
        let read = MetaRead::ScanObjects {
            after: after.clone(),
            limit: 5,
        };
        let MetaReadResult::ScanObjects(page) = state.read(&read)? else {
            return Err(MetaError::Corrupt("wrong answer"));
        };
        assert!(page.len() <= 5);
        seen.extend(page.iter().map(|o| (o.bucket.clone(), o.key.clone())));
        match page.last() {
            Some(last) if page.len() == 5 => {
                after = Some((last.bucket.clone(), last.key.clone()));
            }
            _ => break,
        }
    }
    assert_eq!(seen, want);
    // Whole records, strictly after the cursor, even one not stored.
    let page = state.scan_objects(Some(("b", "c")), 2)?;
    assert_eq!(page, vec![object("b", "x", 1), object("b", "z", 1)]);
    assert!(state.scan_objects(Some(("c", "z")), 10)?.is_empty());
    assert!(state.scan_objects(None, 0)?.is_empty());
    Ok(())
}

#[test]
fn scan_upload_parts_pages_through_every_upload() -> Result<(), MetaError> {
    let (_dir, state) = with_upload()?;
    state.apply_batch(
        2,
        &[
            create_bucket("c"),
            MetaOp::CreateMultipart {
                upload: upload("c", "other", "u0"),
            },
            MetaOp::PutPart {
                part: part("u0", 2, 10),
            },
            MetaOp::PutPart {
                part: part("u0", 10, 10),
            },
            // An upload with no parts yet contributes nothing.
            MetaOp::CreateMultipart {
                upload: upload("c", "none", "u2"),
            },
        ],
    )?;
    let mut seen = Vec::new();
    let mut after: Option<(String, u32)> = None;
    loop {
        let read = MetaRead::ScanUploadParts {
            after: after.clone(),
            limit: 2,
        };
        let MetaReadResult::ScanUploadParts(page) = state.read(&read)? else {
            return Err(MetaError::Corrupt("wrong answer"));
        };
        for (u, p) in &page {
            assert_eq!(u.upload_id, p.upload_id);
            seen.push((
                u.bucket.clone(),
                u.key.clone(),
                p.upload_id.clone(),
                p.part_number,
            ));
        }
        match page.last() {
            Some((_, p)) if page.len() == 2 => after = Some((p.upload_id.clone(), p.part_number)),
            _ => break,
        }
    }
    let want: Vec<(String, String, String, u32)> = [
        ("c", "other", "u0", 2),
        ("c", "other", "u0", 10),
        ("b", "big", "u1", 1),
        ("b", "big", "u1", 2),
        ("b", "big", "u1", 3),
    ]
    .into_iter()
    .map(|(b, k, u, n)| (b.into(), k.into(), u.into(), n))
    .collect();
    assert_eq!(seen, want);
    let page = state.scan_upload_parts(Some(("u0", 3)), 1)?;
    assert_eq!(page, vec![(upload("c", "other", "u0"), part("u0", 10, 10))]);
    Ok(())
}

#[test]
fn snapshots_keep_the_heal_queue() -> Result<(), MetaError> {
    let (_d1, a) = open()?;
    a.apply_batch(1, &[create_bucket("b"), put("b", "k", 1)])?;
    let without_heal = export(&a)?;
    a.apply_batch(2, &[queue(&[("b", "k"), ("gone", "x")])])?;
    let bytes = export(&a)?;
    let dir = tempfile::tempdir()?;
    let b = MetaState::import(dir.path(), &mut bytes.as_slice())?;
    assert_eq!(b.heal_queue(None, 10)?, a.heal_queue(None, 10)?);
    assert_eq!(export(&b)?, bytes);

    // A version-2 stream (before the heal queue) still imports; one that
    // claims version 2 but holds heal entries, or a future version, not.
    let v2 = as_older_stream(&without_heal, 2);
    let dir = tempfile::tempdir()?;
    let c = MetaState::import(dir.path(), &mut v2.as_slice())?;
    assert_eq!(c.get_object("b", "k")?, Some(object("b", "k", 1)));
    for (version, stream) in [(2, &as_older_stream(&bytes, 2)), (7, &without_heal)] {
        let mut bad = stream.clone();
        bad[8] = version;
        let dir = tempfile::tempdir()?;
        let r = MetaState::import(dir.path(), &mut bad.as_slice());
        assert!(matches!(r, Err(MetaError::BadSnapshot(_))), "{:?}", r.err());
    }
    Ok(())
}

#[test]
fn heal_ops_round_trip_for_the_raft_log() -> Result<(), MetaError> {
    let ops = [
        place(obj_owner("b", "k"), u128::MAX, 0, vec![1, NO_NODE, 3]),
        place(
            ShardOwner::Upload {
                bucket: "b".into(),
                key: "k".into(),
                upload_id: "u".into(),
            },
            7,
            10_000,
            vec![],
        ),
        queue(&[("b", "k"), ("b", "k\u{0}é")]),
        forget(&[]),
    ];
    for op in &ops {
        let b = op.encode();
        assert_eq!(&MetaOp::decode(&b)?, op);
        for cut in 0..b.len() {
            assert!(MetaOp::decode(&b[..cut]).is_err(), "{op:?} cut at {cut}");
        }
        let mut longer = b.clone();
        longer.push(0);
        assert!(MetaOp::decode(&longer).is_err());
    }
    // Variants are appended, never reordered: entries written before the
    // heal ops existed decode as they did.
    assert_eq!(
        MetaOp::DeleteBucket { name: "b".into() }.encode(),
        vec![RECORD_VERSION, 1, 1, b'b']
    );
    assert_eq!(
        MetaOp::ForgetDrops { keys: vec![] }.encode(),
        vec![RECORD_VERSION, 11, 0]
    );
    assert_eq!(forget(&[]).encode(), vec![RECORD_VERSION, 14, 0]);

    // The answers cross the wire too.
    let outcome: MetaResult = placed(false);
    let back: MetaResult = from_bytes(&to_bytes(&outcome)?, "outcome")?;
    assert_eq!(back, outcome);
    let refused: MetaResult = Err(MetaOpError::ShardCountMismatch);
    let back: MetaResult = from_bytes(&to_bytes(&refused)?, "outcome")?;
    assert_eq!(back, refused);
    for read in [
        MetaRead::HealQueue {
            after: Some(("a".into(), "b".into())),
            limit: 3,
        },
        MetaRead::ScanObjects {
            after: Some(("b".into(), "k".into())),
            limit: 3,
        },
        MetaRead::ScanUploadParts {
            after: Some(("u".into(), 4)),
            limit: 3,
        },
    ] {
        let back: MetaRead = from_bytes(&to_bytes(&read)?, "read")?;
        assert_eq!(back, read);
    }
    let answer = MetaReadResult::ScanUploadParts(vec![(upload("b", "k", "u"), part("u", 1, 5))]);
    let back: MetaReadResult = from_bytes(&to_bytes(&answer)?, "answer")?;
    assert_eq!(back, answer);
    Ok(())
}

#[test]
fn place_shards_applies_only_over_the_placement_it_expects() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    state.apply_batch(1, &[create_bucket("b"), put("b", "k", 10)])?;
    let before = current(&state, "b", "k")?.shard_nodes;
    let moved = vec![9; before.len()];
    let stale = MetaOp::PlaceShards {
        owner: obj_owner("b", "k"),
        object_id: 10,
        part: 0,
        nodes: moved.clone(),
        expected: Some(vec![8; before.len()]),
    };
    assert_eq!(state.apply_batch(2, &[stale])?, vec![placed(false)]);
    assert_eq!(current(&state, "b", "k")?.shard_nodes, before);
    let planned = MetaOp::PlaceShards {
        owner: obj_owner("b", "k"),
        object_id: 10,
        part: 0,
        nodes: moved.clone(),
        expected: Some(before),
    };
    assert_eq!(state.apply_batch(3, &[planned])?, vec![placed(true)]);
    assert_eq!(current(&state, "b", "k")?.shard_nodes, moved);
    Ok(())
}
