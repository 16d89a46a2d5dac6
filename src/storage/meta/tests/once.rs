//! At-most-once ops, fences, the drop list and how ids expire.

use super::*;
use crate::storage::meta::{MetaOpError, MetaOutcome, OpBatch};

const T0: u64 = 1_700_000_000_000;

fn entry(
    state: &MetaState,
    index: u64,
    ops: &[MetaOp],
    ids: &[u128],
    at_ms: u64,
) -> Result<Vec<crate::storage::meta::MetaResult>, MetaError> {
    state.apply_entry(index, OpBatch { ops, ids, at_ms }, None)
}

#[test]
fn an_op_sent_again_with_its_id_applies_once() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    entry(&state, 1, &[create_bucket("b")], &[1], T0)?;
    let first = entry(&state, 2, &[put("b", "k", 10)], &[42], T0)?;
    assert_eq!(first, vec![Ok(MetaOutcome::Replaced(None))]);
    // The reply was lost; the caller sends the same op again, now in the
    // same entry as a newer write of the key by someone else.
    let again = entry(
        &state,
        3,
        &[put("b", "k", 11), put("b", "k", 10)],
        &[43, 42],
        T0 + 5,
    )?;
    assert_eq!(again[1], Ok(MetaOutcome::Duplicate));
    // The repeat did not put version 10 back over version 11.
    assert_eq!(state.get_object("b", "k")?.map(|o| o.object_id), Some(11));
    // A refusal is remembered too.
    let if_absent = MetaOp::PutObject {
        record: fixtures::object("b", "k", 12),
        condition: WriteCondition::IfAbsent,
    };
    let refused = entry(&state, 4, std::slice::from_ref(&if_absent), &[44], T0 + 6)?;
    assert_eq!(refused, vec![Err(MetaOpError::PreconditionFailed)]);
    entry(
        &state,
        5,
        &[MetaOp::DeleteObject {
            bucket: "b".into(),
            key: "k".into(),
        }],
        &[45],
        T0 + 7,
    )?;
    let replay = entry(&state, 6, &[if_absent], &[44], T0 + 8)?;
    assert_eq!(replay, vec![Err(MetaOpError::PreconditionFailed)]);
    assert!(
        state.get_object("b", "k")?.is_none(),
        "the refused op did not apply later"
    );
    Ok(())
}

#[test]
fn a_fence_settles_an_op_either_way() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    entry(&state, 1, &[create_bucket("b")], &[1], T0)?;
    entry(&state, 2, &[put("b", "applied", 10)], &[50], T0)?;
    let fences = [MetaOp::Fence { op: 50 }, MetaOp::Fence { op: 51 }];
    let settled = entry(&state, 3, &fences, &[60, 61], T0 + 1)?;
    assert_eq!(
        settled,
        vec![
            Ok(MetaOutcome::Fenced {
                applied: Some(Ok(()))
            }),
            Ok(MetaOutcome::Fenced { applied: None }),
        ]
    );
    // Op 51 arrives late (it was stuck on a dead leader): it never applies.
    let late = entry(&state, 4, &[put("b", "late", 11)], &[51], T0 + 2)?;
    assert_eq!(late, vec![Err(MetaOpError::Fenced)]);
    assert!(state.get_object("b", "late")?.is_none());
    Ok(())
}

#[test]
fn replaced_and_removed_data_waits_on_the_drop_list() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    entry(&state, 1, &[create_bucket("b")], &[], T0)?;
    entry(&state, 2, &[put("b", "k", 10)], &[], T0)?;
    assert!(
        state.due_drops(None, u64::MAX, 10)?.is_empty(),
        "a first write replaces nothing"
    );
    entry(&state, 3, &[put("b", "k", 11)], &[], T0 + 100)?;
    entry(
        &state,
        4,
        &[MetaOp::DeleteObject {
            bucket: "b".into(),
            key: "k".into(),
        }],
        &[],
        T0 + 200,
    )?;
    // Not due before its time.
    assert!(state.due_drops(None, T0 + 100, 10)?.is_empty());
    let due = state.due_drops(None, T0 + 1_000, 10)?;
    let dropped: Vec<(u64, Vec<u128>)> = due
        .iter()
        .map(|d| (d.at_ms, d.sets.iter().map(|s| s.object_id).collect()))
        .collect();
    assert_eq!(dropped, vec![(T0 + 100, vec![10]), (T0 + 200, vec![11])]);
    assert_eq!(due[0].sets[0].nodes, vec![1, 2, 3, 4, 5, 6]);
    // A refused op queues nothing.
    entry(&state, 5, &[put("missing", "k", 12)], &[], T0 + 300)?;
    assert_eq!(state.pending_drops()?, 2);
    let keys = due.into_iter().map(|d| d.key).collect();
    entry(&state, 6, &[MetaOp::ForgetDrops { keys }], &[], T0 + 400)?;
    assert_eq!(state.pending_drops()?, 0);
    Ok(())
}

#[test]
fn multipart_leftovers_go_on_the_drop_list() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    entry(&state, 1, &[create_bucket("b")], &[], T0)?;
    entry(
        &state,
        2,
        &[
            MetaOp::CreateMultipart {
                upload: upload("b", "big", "u1"),
            },
            MetaOp::PutPart {
                part: part("u1", 1, MIN_PART_SIZE),
            },
            MetaOp::PutPart {
                part: part("u1", 2, 10),
            },
            MetaOp::PutPart {
                part: part("u1", 3, 10),
            },
        ],
        &[],
        T0,
    )?;
    // Part 3 uploaded again: the first copy is dropped.
    let mut again = part("u1", 3, 10);
    again.object_id = 5003;
    entry(&state, 3, &[MetaOp::PutPart { part: again }], &[], T0 + 1)?;
    // Completed with parts 1 and 2: the second part 3 is dropped.
    entry(&state, 4, &[complete(&[(1, "p1"), (2, "p2")])], &[], T0 + 2)?;
    let ids: Vec<Vec<u128>> = state
        .due_drops(None, u64::MAX, 10)?
        .iter()
        .map(|d| d.sets.iter().map(|s| s.object_id).collect())
        .collect();
    assert_eq!(ids, vec![vec![1003], vec![5003]]);
    // An aborted upload drops every part.
    entry(
        &state,
        5,
        &[
            MetaOp::CreateMultipart {
                upload: upload("b", "big", "u2"),
            },
            MetaOp::PutPart {
                part: part("u2", 1, 10),
            },
            MetaOp::AbortMultipart {
                bucket: "b".into(),
                key: "big".into(),
                upload_id: "u2".into(),
            },
        ],
        &[],
        T0 + 3,
    )?;
    assert_eq!(state.pending_drops()?, 3);
    Ok(())
}

#[test]
fn remembered_ids_expire_and_survive_a_snapshot() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    entry(&state, 1, &[create_bucket("b")], &[1], T0)?;
    entry(&state, 2, &[put("b", "k", 10)], &[42], T0)?;
    // A snapshot carries the remembered ids: a node that installs it
    // still answers a repeat as a duplicate.
    let dir2 = tempfile::tempdir()?;
    let copy = MetaState::import(dir2.path(), &mut export(&state)?.as_slice())?;
    let repeat = entry(&copy, 3, &[put("b", "k", 10)], &[42], T0 + 1)?;
    assert_eq!(repeat, vec![Ok(MetaOutcome::Duplicate)]);
    // Long after, the id is forgotten: the same id applies as new.
    let later = T0 + super::super::once::RETAIN_MS + 1_000;
    entry(&state, 3, &[MetaOp::Fence { op: 999 }], &[7], later)?;
    let fresh = entry(&state, 4, &[put("b", "k", 10)], &[42], later)?;
    assert_eq!(fresh.len(), 1);
    assert_ne!(fresh[0], Ok(MetaOutcome::Duplicate));
    Ok(())
}
