//! Entry encoding and the index's maps.
use super::entry::{Extent, Position, ShardEntry};
use super::shard_index::{ExtentOwner, ShardIndex};
use crate::storage::error::StorageError;
use crate::storage::shard_key::ObjectId;
use crate::storage::shard_key::ShardKey;
use proptest::prelude::*;

fn entry() -> impl Strategy<Value = ShardEntry> {
    (
        any::<u16>(),
        any::<u32>(),
        1u32..1 << 20,
        proptest::collection::vec(
            (any::<u64>(), any::<u64>(), 0u64..1 << 30, any::<u64>()),
            0..5,
        ),
    )
        .prop_map(|(volume, crc, fragment_bytes, parts)| {
            let mut covered = 0;
            let extents = parts
                .into_iter()
                .map(|(segment, offset, len, disk_size)| {
                    let e = Extent {
                        at: Position { segment, offset },
                        shard_offset: covered,
                        len,
                        disk_size,
                    };
                    covered += len;
                    e
                })
                .collect();
            ShardEntry {
                volume,
                len: covered,
                crc,
                fragment_bytes,
                extents,
            }
        })
}

proptest! {
    #[test]
    fn entry_round_trip(e in entry()) {
        prop_assert_eq!(ShardEntry::decode(&e.encode()).ok(), Some(e));
    }

    #[test]
    fn damaged_entry_is_an_error_not_a_panic(e in entry(), cut in 0usize..200, flip in 0usize..200) {
        let mut b = e.encode();
        let flip = flip % b.len();
        b[flip] ^= 0xff;
        let _ = ShardEntry::decode(&b);
        b.truncate(cut.min(b.len().saturating_sub(1)));
        prop_assert!(ShardEntry::decode(&b).is_err());
    }
}

#[test]
fn put_get_remove_and_reverse_map() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let index = ShardIndex::open(dir.path())?;
    let key = ShardKey {
        object: ObjectId(42),
        part: 1,
        shard: 2,
    };
    let at = Position {
        segment: 3,
        offset: 32,
    };
    let entry = ShardEntry {
        volume: 1,
        len: 10,
        crc: 7,
        fragment_bytes: 4,
        extents: vec![Extent {
            at,
            shard_offset: 0,
            len: 10,
            disk_size: 86,
        }],
    };
    index.put(&key, &entry, None)?;
    assert_eq!(index.get(&key)?, Some(entry.clone()));
    let owners = index.extents_in(1, 3)?;
    assert_eq!(
        owners,
        vec![ExtentOwner {
            at,
            key,
            disk_size: 86
        }]
    );
    assert!(index.extents_in(0, 3)?.is_empty());
    assert_eq!(
        index.extents_from(
            1,
            Position {
                segment: 3,
                offset: 33
            }
        )?,
        vec![]
    );
    index.remove(&key, &entry)?;
    assert_eq!(index.get(&key)?, None);
    assert!(index.extents_in(1, 3)?.is_empty());

    index.set_checkpoints(&[(1, at)])?;
    assert_eq!(index.checkpoint(1)?, Some(at));
    assert_eq!(index.checkpoint(2)?, None);
    Ok(())
}

#[test]
fn a_replaced_volume_is_forgotten_and_the_others_kept() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let index = ShardIndex::open(dir.path())?;
    let at = |segment, offset| Position { segment, offset };
    let entry = |volume, at| ShardEntry {
        volume,
        len: 10,
        crc: 7,
        fragment_bytes: 4,
        extents: vec![Extent {
            at,
            shard_offset: 0,
            len: 10,
            disk_size: 86,
        }],
    };
    let key = |shard| ShardKey {
        object: ObjectId(9),
        part: 0,
        shard,
    };
    // Shards 0 and 1 on the failed volume 2, shard 2 on volume 0; shard 1
    // was rebuilt on volume 0 since (its old extent is all that is left).
    index.put(&key(0), &entry(2, at(1, 32)), None)?;
    index.put(&key(2), &entry(0, at(1, 32)), None)?;
    index.put(&key(1), &entry(2, at(1, 200)), None)?;
    let rebuilt = entry(0, at(1, 400));
    index.put(&key(1), &rebuilt, None)?;
    index.set_checkpoints(&[(2, at(1, 300)), (0, at(1, 500))])?;

    assert_eq!(index.forget_volume(2)?, 1);
    assert_eq!(index.get(&key(0))?, None);
    assert_eq!(index.get(&key(1))?, Some(rebuilt));
    assert_eq!(index.get(&key(2))?, Some(entry(0, at(1, 32))));
    assert!(index.extents_from(2, at(0, 0))?.is_empty());
    assert_eq!(index.checkpoint(2)?, None);
    assert_eq!(index.checkpoint(0)?, Some(at(1, 500)));
    // Nothing left to forget.
    assert_eq!(index.forget_volume(2)?, 0);
    Ok(())
}
