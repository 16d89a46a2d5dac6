//! Shard states, key listing and corrupt marks on the index alone.

use super::*;
use crate::storage::index::marks::{CorruptMark, ScrubRecord};
use crate::storage::index::{Extent, Position};
use crate::storage::shard_key::ObjectId;

fn key(object: u128, shard: u16) -> ShardKey {
    ShardKey {
        object: ObjectId(object),
        part: 0,
        shard,
    }
}

fn entry(segment: u64, len: u64) -> ShardEntry {
    ShardEntry {
        volume: 0,
        len,
        crc: 7,
        fragment_bytes: 4096,
        extents: vec![Extent {
            at: Position {
                segment,
                offset: 64,
            },
            shard_offset: 0,
            len,
            disk_size: 128 + len,
        }],
    }
}

fn corrupt() -> StorageError {
    StorageError::Corrupt {
        key: key(0, 0),
        detail: "fragment checksum mismatch",
    }
}

#[test]
fn marks_and_scrub_records_round_trip_and_damage_is_an_error() -> Result<(), StorageError> {
    let mark = CorruptMark {
        found_at: 1_700_000_000,
        entry: entry(3, 100),
    };
    assert_eq!(CorruptMark::decode(&mark.encode())?, mark);
    let record = ScrubRecord {
        started_at: 1,
        finished_at: 2,
        shards: 3,
        bytes: 4,
        corrupt: 5,
    };
    assert_eq!(ScrubRecord::decode(&record.encode())?, record);
    let mark_bytes = mark.encode();
    let mut wrong_version = mark_bytes.clone();
    wrong_version[0] ^= 0xff;
    assert!(CorruptMark::decode(&wrong_version).is_err());
    for cut in 0..mark_bytes.len() {
        assert!(
            CorruptMark::decode(&mark_bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let record_bytes = record.encode();
    let mut wrong_version = record_bytes.clone();
    wrong_version[0] ^= 0xff;
    assert!(ScrubRecord::decode(&wrong_version).is_err());
    for cut in 0..record_bytes.len() {
        assert!(
            ScrubRecord::decode(&record_bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    let mut long = record_bytes.clone();
    long.push(0);
    assert!(ScrubRecord::decode(&long).is_err());
    Ok(())
}

#[test]
fn stat_reports_present_missing_and_corrupt() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let index = ShardIndex::open(dir.path())?;
    let (a, b, c) = (key(1, 0), key(1, 1), key(2, 0));
    index.put(&a, &entry(1, 10), None)?;
    index.put(&b, &entry(1, 20), None)?;
    assert_eq!(
        index.stat(&[a, c, b])?,
        vec![
            ShardState::Present { len: 10 },
            ShardState::Missing,
            ShardState::Present { len: 20 }
        ]
    );

    // An I/O error never marks; a CRC failure does, once.
    let io = StorageError::Io(std::io::Error::other("disk hiccup"));
    assert!(!index.note_read_error(&b, &entry(1, 20), &io));
    assert_eq!(index.stat(&[b])?, vec![ShardState::Present { len: 20 }]);
    assert!(index.note_read_error(&b, &entry(1, 20), &corrupt()));
    assert!(!index.note_read_error(&b, &entry(1, 20), &corrupt()));
    assert_eq!(index.stat(&[a, b])?[1], ShardState::Corrupt);
    assert_eq!(index.corrupt_count()?, 1);
    assert_eq!(index.corrupt_keys(None, 10)?, vec![b]);
    // A mark for a copy that is no longer the shard's is not made.
    assert!(!index.mark_corrupt(&a, &entry(9, 10))?);
    assert!(!index.mark_corrupt(&c, &entry(1, 10))?);

    // Writing the key again clears the mark; so does deleting it.
    index.put(&b, &entry(2, 20), Some(&entry(1, 20)))?;
    assert_eq!(index.stat(&[b])?, vec![ShardState::Present { len: 20 }]);
    assert_eq!(index.corrupt_count()?, 0);
    assert!(index.mark_corrupt(&a, &entry(1, 10))?);
    assert_eq!(index.stat(&[a])?, vec![ShardState::Corrupt]);
    index.remove(&a, &entry(1, 10))?;
    assert_eq!(index.stat(&[a])?, vec![ShardState::Missing]);
    assert_eq!(index.corrupt_count()?, 0);
    assert_eq!(index.corrupt_mark(&a)?, None);
    Ok(())
}

#[test]
fn shards_on_a_failed_volume_answer_missing() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let index = ShardIndex::open(dir.path())?;
    let (a, b) = (key(1, 0), key(1, 1));
    index.put(&a, &entry(1, 10), None)?;
    let on_volume_1 = ShardEntry {
        volume: 1,
        ..entry(1, 20)
    };
    index.put(&b, &on_volume_1, None)?;
    assert_eq!(
        index.stat_without(&[a, b], &|v| v == 1)?,
        vec![ShardState::Present { len: 10 }, ShardState::Missing]
    );
    // The volume back: the shard is there again.
    assert_eq!(
        index.stat_without(&[a, b], &|_| false)?,
        vec![
            ShardState::Present { len: 10 },
            ShardState::Present { len: 20 }
        ]
    );
    Ok(())
}

#[test]
fn a_mark_outlives_a_restart_and_applies_only_to_its_copy() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let k = key(5, 2);
    {
        let index = ShardIndex::open(dir.path())?;
        index.put(&k, &entry(1, 10), None)?;
        assert!(index.mark_corrupt(&k, &entry(1, 10))?);
        index.persist(true)?;
    }
    let index = ShardIndex::open(dir.path())?;
    assert_eq!(index.stat(&[k])?, vec![ShardState::Corrupt]);
    let mark = index.corrupt_mark(&k)?.ok_or(StorageError::NotFound(k))?;
    assert_eq!(mark.entry, entry(1, 10));
    assert!(mark.found_at > 0);
    Ok(())
}

#[test]
fn list_pages_through_every_key_in_order() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let index = ShardIndex::open(dir.path())?;
    let mut keys: Vec<ShardKey> = (0..57u128)
        .map(|i| key(i.wrapping_mul(0x9e37_79b9_7f4a_7c15), (i % 3) as u16))
        .collect();
    for k in &keys {
        index.put(k, &entry(1, 1), None)?;
    }
    keys.sort();
    assert_eq!(index.list(None, 0)?, vec![]);
    assert_eq!(index.list(None, 1000)?, keys);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = index.list(after.as_ref(), 10)?;
        assert!(page.len() <= 10);
        seen.extend_from_slice(&page);
        if page.len() < 10 {
            break;
        }
        after = page.last().copied();
    }
    assert_eq!(seen, keys);
    // Strictly after: a key not in the index works as a cursor too.
    let last = keys[56];
    assert_eq!(index.list(Some(&last), 10)?, vec![]);
    let between = ShardKey {
        shard: keys[3].shard.wrapping_add(1),
        ..keys[3]
    };
    assert_eq!(index.list(Some(&between), 1)?, vec![keys[4]]);
    Ok(())
}

#[test]
fn scrub_record_is_kept() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let index = ShardIndex::open(dir.path())?;
    assert_eq!(index.scrub_record()?, None);
    let record = ScrubRecord {
        started_at: 10,
        finished_at: 20,
        shards: 3,
        bytes: 300,
        corrupt: 1,
    };
    index.set_scrub_record(&record)?;
    assert_eq!(index.scrub_record()?, Some(record));
    Ok(())
}
