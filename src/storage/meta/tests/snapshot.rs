//! Determinism, snapshot export/import, and the Raft log encoding.

use super::fixtures::*;
use super::*;
use crate::storage::meta::state::{Space, SPACES, SPACE_COUNT};

#[test]
fn same_batches_give_identical_exports() -> Result<(), MetaError> {
    let (_d1, a) = open()?;
    let (_d2, b) = open()?;
    let mut results_a = Vec::new();
    let mut results_b = Vec::new();
    for (i, ops) in scripted_batches().iter().enumerate() {
        results_a.push(a.apply_batch(i as u64 + 1, ops)?);
        // Same entries, split differently across fjall's memtables.
        if i % 2 == 0 {
            b.ks(Space::Objects).rotate_memtable_and_wait()?;
        }
        results_b.push(b.apply_batch(i as u64 + 1, ops)?);
    }
    assert_eq!(results_a, results_b);
    let export_a = export(&a)?;
    assert_eq!(export_a, export(&b)?);
    // The script does reach some state worth comparing: the lock, the
    // quota and versioning refuse some of its ops, and not all of them.
    assert!(results_a.iter().flatten().any(Result::is_err));
    let refused: Vec<_> = results_a
        .iter()
        .flatten()
        .filter_map(|r| r.as_ref().err())
        .collect();
    for want in [
        crate::storage::meta::MetaOpError::ObjectLocked,
        crate::storage::meta::MetaOpError::QuotaExceeded,
        crate::storage::meta::MetaOpError::InvalidBucketState,
    ] {
        assert!(refused.contains(&&want), "the script never meets {want:?}");
    }
    assert!(a.get_object("v", "k0")?.is_some() || a.get_object("v", "k1")?.is_some());
    assert!(a.list_buckets()?.len() >= 2);
    Ok(())
}

#[test]
fn export_import_round_trip() -> Result<(), MetaError> {
    let (_d1, a) = open()?;
    for (i, ops) in scripted_batches().iter().enumerate() {
        a.apply_batch(i as u64 + 1, ops)?;
    }
    let bytes = export(&a)?;
    let dir = tempfile::tempdir()?;
    let b = MetaState::import(dir.path(), &mut bytes.as_slice())?;
    assert_eq!(export(&b)?, bytes);
    assert_eq!(b.last_applied()?, a.last_applied()?);
    assert_eq!(b.list_buckets()?, a.list_buckets()?);
    drop(b);
    let b = MetaState::open(dir.path())?;
    assert_eq!(export(&b)?, bytes);

    // The imported state goes on applying like the original.
    let next = [put("b0", "after", 1)];
    assert_eq!(a.apply_batch(100, &next)?, b.apply_batch(100, &next)?);
    assert_eq!(export(&a)?, export(&b)?);

    // Into a non-empty store: refused.
    drop(b);
    let again = MetaState::import(dir.path(), &mut bytes.as_slice());
    assert!(matches!(again, Err(MetaError::NotEmpty)));
    Ok(())
}

#[test]
fn damaged_snapshots_are_rejected() -> Result<(), MetaError> {
    let (_d, a) = open()?;
    a.apply_batch(1, &[create_bucket("b"), put("b", "k", 1)])?;
    let bytes = export(&a)?;
    let n = bytes.len();
    let mut cases: Vec<Vec<u8>> = vec![
        bytes[..n - 1].to_vec(),
        bytes[..n - 9].to_vec(),
        bytes[..20].to_vec(),
        Vec::new(),
    ];
    let mut wrong_count = bytes.clone();
    wrong_count[n - 8] ^= 1;
    cases.push(wrong_count);
    let mut trailing = bytes.clone();
    trailing.push(0);
    cases.push(trailing);
    let mut bad_tag = bytes.clone();
    bad_tag[9] = 42;
    cases.push(bad_tag);
    let mut bad_magic = bytes.clone();
    bad_magic[0] ^= 1;
    cases.push(bad_magic);
    // Break the bucket record's version byte: the first entry is the
    // bucket "b" (tag, 4-byte len, "b", 4-byte len, value…).
    let mut bad_value = bytes.clone();
    bad_value[9 + 1 + 4 + 1 + 4] ^= 0xff;
    cases.push(bad_value);
    for case in cases {
        let dir = tempfile::tempdir()?;
        let r = MetaState::import(dir.path(), &mut case.as_slice());
        assert!(
            matches!(r, Err(MetaError::BadSnapshot(_) | MetaError::Corrupt(_))),
            "{:?}",
            r.err()
        );
    }
    Ok(())
}

#[test]
fn ops_round_trip_for_the_raft_log() -> Result<(), MetaError> {
    for ops in scripted_batches() {
        for op in ops {
            assert_eq!(MetaOp::decode(&op.encode())?, op);
        }
    }
    let op = complete(&[(1, "p1")]);
    assert_eq!(MetaOp::decode(&op.encode())?, op);
    assert!(MetaOp::decode(&op.encode()[..5]).is_err());
    Ok(())
}

#[test]
fn keyspaces_are_indexed_by_space() -> Result<(), MetaError> {
    let (_dir, state) = open()?;
    for (i, s) in SPACES.into_iter().enumerate() {
        assert_eq!(s.index(), i);
        assert_eq!(&**state.ks(s).name(), s.name());
        assert_eq!(Space::from_tag(s.tag()), Some(s));
    }
    assert_eq!(Space::from_tag(0), None);
    assert_eq!(Space::from_tag(SPACE_COUNT as u8 + 1), None);
    Ok(())
}

#[test]
fn a_view_measures_the_length_it_exports() -> Result<(), MetaError> {
    let (_d, state) = open()?;
    let state = std::sync::Arc::new(state);
    for (i, ops) in scripted_batches().iter().enumerate() {
        state.apply_batch(i as u64 + 1, ops)?;
    }
    // Objects kept inline, large enough that fjall keeps their records
    // in blob files: measured without reading them, they still count.
    let inline = |key: &str, bytes: usize| MetaOp::PutObject {
        record: ObjectRecord {
            size: bytes as u64,
            shard_nodes: vec![],
            inline_data: Some(bytes::Bytes::from(vec![3u8; bytes])),
            ..object("b", key, 77)
        },
        condition: WriteCondition::Always,
    };
    let ops = [
        create_bucket("b"),
        inline("small", 100),
        inline("large", 6_000),
        inline("larger", 60_000),
    ];
    let r = state.apply_batch(1_000, &ops)?;
    assert!(r.iter().all(Result::is_ok), "{r:?}");
    state.ks(Space::Objects).rotate_memtable_and_wait()?;
    state.apply_batch(1_001, &[inline("after a flush", 5_000)])?;

    let view = state.clone().view();
    let mut exported = Vec::new();
    view.export(&mut exported)?;
    assert_eq!(view.exported_len()?, exported.len() as u64);
    assert!(exported.len() > 70_000, "the inline objects are in it");
    Ok(())
}
