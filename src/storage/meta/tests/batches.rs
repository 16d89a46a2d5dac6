//! Batches: refused ops, the last applied index, atomicity, reopening.

use super::fixtures::*;
use super::*;
use crate::storage::meta::keys;
use crate::storage::meta::records::{AccessKey, ClusterLayout, NodeInfo, NodeState};
use crate::storage::meta::state::Space;
use crate::storage::meta::{MetaOpError, OpBatch};

#[test]
fn refused_op_changes_nothing_and_the_batch_goes_on() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    // The failing complete touches nothing; the put after it applies,
    // and the whole batch sees the bucket created earlier in it.
    let r = state.apply_batch(
        1,
        &[
            create_bucket("b"),
            put("b", "k", 1),
            MetaOp::CompleteMultipart {
                bucket: "b".into(),
                key: "k".into(),
                upload_id: "none".into(),
                parts: vec![(1, "x".into())],
                record_template: object("b", "k", 2),
                condition: WriteCondition::Always,
            },
            put("b", "k2", 3),
        ],
    )?;
    assert_eq!(r[2], Err(MetaOpError::NoSuchUpload));
    assert!(r[3].is_ok());
    assert_eq!(state.get_object("b", "k")?, Some(object("b", "k", 1)));
    assert_eq!(state.get_object("b", "k2")?, Some(object("b", "k2", 3)));
    Ok(())
}

#[test]
fn last_applied_advances_with_each_batch() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    assert_eq!(state.last_applied()?, None);
    state.apply_batch(0, &[])?;
    assert_eq!(state.last_applied()?, Some(0));
    state.apply_batch(5, &[create_bucket("b")])?;
    assert_eq!(state.last_applied()?, Some(5));
    let stale = state.apply_batch(5, &[create_bucket("c")]);
    assert!(matches!(
        stale,
        Err(MetaError::StaleLogIndex {
            index: 5,
            last_applied: 5
        })
    ));
    assert_eq!(state.get_bucket("c")?, None);
    // Results are not reads: a refused-only batch still advances.
    state.apply_batch(6, &[create_bucket("b")])?;
    assert_eq!(state.last_applied()?, Some(6));
    Ok(())
}

#[test]
fn batch_is_one_atomic_commit() -> Result<(), MetaError> {
    // A batch that hits a damaged record fails as a whole: nothing of it
    // is written, not even the ops before the damage.
    let (_dir, state) = open()?;
    state.apply_batch(1, &[create_bucket("b")])?;
    state
        .ks(Space::Objects)
        .insert(keys::object_key("b", "bad"), b"\x01\xff".to_vec())?;
    let r = state.apply_batch(2, &[put("b", "good", 1), put("b", "bad", 2)]);
    assert!(matches!(r, Err(MetaError::Corrupt(_))));
    assert_eq!(state.get_object("b", "good")?, None);
    assert_eq!(state.last_applied()?, Some(1));
    Ok(())
}

#[test]
fn reopen_keeps_everything() -> Result<(), MetaError> {
    let dir = tempfile::tempdir()?;
    let layout = ClusterLayout {
        version: 3,
        storage_nodes: vec![NodeInfo {
            id: 1,
            addr: "10.0.0.1:9000".into(),
            zone: "z1".into(),
            weight: 100,
            state: NodeState::Active,
            volumes: Vec::new(),
        }],
    };
    let key = AccessKey {
        access_key_id: "AK".into(),
        secret: "secret".into(),
        created_ms: 9,
        user_id: "AK".into(),
        display_name: "AK".into(),
        email: Some("ak@example.com".into()),
    };
    let before = {
        let state = MetaState::open(dir.path())?;
        state.apply_batch(
            1,
            &[
                create_bucket("b"),
                put("b", "k", 1),
                MetaOp::CreateMultipart {
                    upload: upload("b", "m", "u1"),
                },
                MetaOp::PutPart {
                    part: part("u1", 1, 3),
                },
                MetaOp::PutAccessKey { key: key.clone() },
                MetaOp::SetLayout {
                    layout: layout.clone(),
                },
            ],
        )?;
        let r = state.apply_batch(
            2,
            &[MetaOp::SetLayout {
                layout: ClusterLayout {
                    version: 3,
                    ..layout.clone()
                },
            }],
        )?;
        assert_eq!(r, vec![Err(MetaOpError::StaleLayout)]);
        state.persist(true)?;
        export(&state)?
    };
    let state = MetaState::open(dir.path())?;
    assert_eq!(export(&state)?, before);
    assert_eq!(state.last_applied()?, Some(2));
    assert_eq!(state.get_object("b", "k")?, Some(object("b", "k", 1)));
    assert_eq!(state.get_upload("u1")?, Some(upload("b", "m", "u1")));
    assert_eq!(state.list_parts("u1", 0, 10)?.parts, vec![part("u1", 1, 3)]);
    assert_eq!(state.get_access_key("AK")?, Some(key));
    assert_eq!(state.layout()?, Some(layout));
    assert_eq!(state.list_buckets()?, vec![bucket("b", "AKOWNER")]);
    Ok(())
}

#[test]
fn the_entry_time_never_goes_backwards_across_leaders() -> Result<(), MetaError> {
    use crate::storage::meta::state::{decode_last_applied, encode_last_applied, Applied};
    let (_dir, state) = open()?;
    let entry = |at_ms| OpBatch {
        ops: &[],
        ids: &[],
        at_ms,
    };
    state.apply_entry(1, entry(10_000), None)?;
    // A later leader whose clock is behind: its entry applies at the
    // time already reached.
    state.apply_entry(2, entry(2_000), None)?;
    let applied = state.applied()?.map(|a| (a.index, a.at_ms));
    assert_eq!(applied, Some((2, 10_000)));
    state.apply_entry(3, entry(12_000), None)?;
    assert_eq!(state.applied()?.map(|a| a.at_ms), Some(12_000));

    // The stored form: round trip, the old one-field form, damage.
    let a = Applied {
        index: 7,
        at_ms: 99,
    };
    assert_eq!(decode_last_applied(&encode_last_applied(a))?, a);
    let mut v1 = vec![1u8];
    v1.extend_from_slice(&7u64.to_le_bytes());
    let old = decode_last_applied(&v1)?;
    assert_eq!((old.index, old.at_ms), (7, 0));
    let bytes = encode_last_applied(a);
    assert!(decode_last_applied(&bytes[..bytes.len() - 1]).is_err());
    assert!(decode_last_applied(&[9, 0, 0]).is_err());
    assert!(decode_last_applied(&[]).is_err());
    Ok(())
}
