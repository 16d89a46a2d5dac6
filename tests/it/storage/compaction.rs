//! Compaction against crashes, aborted and abandoned writes, and corrupt
//! shards: the cases a review of the storage engine found.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::common::disk::{volume_config, Disk};
use crate::common::shards::*;
use predastore::shards::{list_segments, segment_path, SEGMENT_HEADER_LEN};
use predastore::shards::{ShardKey, StorageError};

const SEG: u64 = 64 << 10;

/// Puts 8 KB shards until the volume has `segments` segment files.
fn fill_segments(
    disk: &mut Disk,
    rng: &mut rand::rngs::StdRng,
    segments: usize,
) -> Result<Vec<ShardKey>, StorageError> {
    let mut keys = Vec::new();
    while disk.volume.segment_count() < segments {
        let k = new_key(1);
        disk.put(k, &random_bytes(rng, 8000), 4096)?;
        keys.push(k);
    }
    Ok(keys)
}

fn open(root: &Path) -> Result<Disk, StorageError> {
    Disk::open(root, volume_config(SEG))
}

/// A compaction copy is not pointed at before it is durable: if the index
/// journal reaches disk and the copy does not (power loss), the shard still
/// reads from its old place. Once settled, the old segment goes and the
/// shard reads from the copy, across a restart too.
#[test]
fn compaction_never_points_the_index_at_an_unsynced_copy() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let mut rng = rng(1);
    let key = new_key(0);
    let data = random_bytes(&mut rng, 5000);
    let setup = |disk: &mut Disk, rng: &mut rand::rngs::StdRng| -> Result<(), StorageError> {
        disk.put(key, &data, 4096)?;
        let fillers = fill_segments(disk, rng, 3)?;
        disk.sync()?; // K acknowledged
        let in1: Vec<ShardKey> = fillers
            .iter()
            .copied()
            .filter(|k| disk.segs(*k).contains(&1))
            .collect();
        for k in in1 {
            disk.volume.delete_shard(k)?;
        }
        disk.sync()?;
        Ok(())
    };
    let mut disk = open(dir.path())?;
    setup(&mut disk, &mut rng)?;
    let before = disk.segs(key);
    let report = disk.volume.compact(1)?;
    assert!(report.shards_moved >= 1, "{report:?}");
    assert_eq!(
        before,
        disk.segs(key),
        "index moved before the copy is durable"
    );
    // The index journal reaches disk, the newest segment's data does not.
    disk.index.persist(true)?;
    let newest = *list_segments(&dir.path().join("vol0"))?
        .last()
        .unwrap_or(&0);
    drop(disk);
    let f = OpenOptions::new()
        .write(true)
        .open(segment_path(&dir.path().join("vol0"), newest))?;
    let len = f.metadata()?.len();
    f.write_all_at(
        &vec![0u8; (len - SEGMENT_HEADER_LEN) as usize],
        SEGMENT_HEADER_LEN,
    )?;
    drop(f);
    let mut disk = open(dir.path())?;
    assert_eq!(
        disk.reader.read_all(key, None)?,
        data,
        "acknowledged shard lost"
    );

    // Now let compaction finish: the shard moves and its old segment goes.
    let report = disk.volume.compact(usize::MAX)?;
    assert!(report.segments_compacted >= 1, "{report:?}");
    disk.settle()?;
    assert!(
        !disk.segs(key).contains(&1),
        "still in segment 1: {:?}",
        disk.segs(key)
    );
    assert!(
        !list_segments(&dir.path().join("vol0"))?.contains(&1),
        "segment 1 not deleted"
    );
    assert_eq!(disk.reader.read_all(key, None)?, data);
    drop(disk);
    let disk = open(dir.path())?;
    assert_eq!(disk.reader.read_all(key, None)?, data, "after restart");
    Ok(())
}

/// An aborted write holds the checkpoint back. Compaction must not delete
/// a segment past the persisted checkpoint: a tombstone in it would be lost
/// and the rescan after a crash would bring the deleted shard back.
#[test]
fn an_aborted_write_never_lets_a_delete_be_undone() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let mut rng = rng(2);
    let mut disk = open(dir.path())?;
    let w = disk.volume.begin_shard(new_key(9), 1000)?;
    let key = new_key(0);
    disk.put(key, &random_bytes(&mut rng, 5000), 4096)?;
    let (mut ys, mut deleted_k) = (Vec::new(), false);
    loop {
        let k = new_key(1);
        disk.put(k, &random_bytes(&mut rng, 3000), 4096)?;
        let s = disk.segs(k);
        if s.iter().all(|&s| s == 1) {
            continue; // dense seg 1 (kept)
        }
        if s.iter().all(|&s| s >= 3) {
            break; // Z: kept, in seg 3
        }
        ys.push(k);
        if !deleted_k {
            disk.volume.delete_shard(key)?; // tombstone in seg 2
            deleted_k = true;
        }
    }
    for k in &ys {
        disk.volume.delete_shard(*k)?;
    }
    disk.sync()?; // delete of K acknowledged
    disk.volume.abort_shard(w.id());
    drop(w);
    disk.volume.compact(1)?;
    disk.volume.release_synced()?;
    assert!(disk.reader.entry(&key).is_err());
    drop(disk); // crash (process crash is enough)
    let disk = open(dir.path())?;
    let got = disk.reader.entry(&key);
    assert!(got.is_err(), "deleted shard resurrected: {got:?}");
    Ok(())
}

/// A segment holding a corrupt shard is left alone, not retried on every
/// tick (each retry would reserve dead space and starve other segments).
#[test]
fn a_corrupt_shard_neither_stalls_compaction_nor_leaks() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let mut rng = rng(3);
    let mut disk = open(dir.path())?;
    let key = new_key(0);
    disk.put(key, &random_bytes(&mut rng, 20_000), 4096)?;
    let fillers = fill_segments(&mut disk, &mut rng, 5)?;
    for k in &fillers {
        disk.volume.delete_shard(*k)?;
    }
    disk.sync()?;
    let e = disk.reader.entry(&key)?.extents[0];
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(segment_path(&dir.path().join("vol0"), e.at.segment))?;
    f.write_all_at(&[0xAA], e.at.offset + 64 + 20 * 4 + 3)?;
    let start = disk.volume.segment_count();
    for _ in 0..20 {
        disk.volume.release_synced()?;
        disk.volume.compact(1)?;
        disk.sync()?;
    }
    let end = disk.volume.segment_count();
    assert!(end <= start, "segments grew from {start} to {end}");
    assert!(
        disk.reader.read_all(key, None).is_err(),
        "the corrupt shard stays corrupt, never wrong"
    );
    Ok(())
}

/// A write dropped without finish or abort must not hold the log back.
#[test]
fn a_dropped_write_does_not_pin_the_log() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let mut rng = rng(4);
    let mut disk = open(dir.path())?;
    drop(disk.volume.begin_shard(new_key(9), 100)?);
    let fillers = fill_segments(&mut disk, &mut rng, 6)?;
    for k in &fillers {
        disk.volume.delete_shard(*k)?;
    }
    disk.sync()?;
    let r = disk.volume.compact(usize::MAX)?;
    disk.settle()?;
    assert!(
        r.segments_compacted > 0,
        "nothing compactable: frontier pinned"
    );
    assert!(
        disk.volume.segment_count() < 6,
        "segments {:?}",
        list_segments(&dir.path().join("vol0"))?
    );
    Ok(())
}

#[test]
fn a_shard_over_the_size_limit_is_refused_before_any_space_is_reserved() -> Result<(), StorageError>
{
    let dir = tempfile::tempdir()?;
    let mut disk = open(dir.path())?;
    let before = disk.volume.segment_count();
    let r = disk.volume.begin_shard(new_key(0), (1 << 30) + 1);
    assert!(
        matches!(r, Err(StorageError::TooLarge { .. })),
        "{:?}",
        r.map(|w| w.id())
    );
    assert_eq!(disk.volume.segment_count(), before);
    Ok(())
}

/// Compaction a slice at a time (how the writer runs it): each slice copies
/// about its byte budget, never a whole segment at once; every shard kept
/// reads back whole between slices and across a restart part-way; and the
/// slices together give back the same segments as one whole pass.
#[test]
fn compaction_in_slices_copies_a_budget_at_a_time_and_loses_nothing() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let mut rng = rng(5);
    let mut disk = open(dir.path())?;
    let mut kept = Vec::new();
    let mut dropped = Vec::new();
    while disk.volume.segment_count() < 6 {
        let k = new_key(1);
        let data = random_bytes(&mut rng, 8000);
        disk.put(k, &data, 4096)?;
        // Three of every four go: every sealed segment is sparse.
        if dropped.len() < 3 * (kept.len() + 1) {
            dropped.push(k);
        } else {
            kept.push((k, data));
        }
    }
    for k in &dropped {
        disk.volume.delete_shard(*k)?;
    }
    disk.sync()?;
    let first_sealed: Vec<u64> = list_segments(&dir.path().join("vol0"))?;
    let budget = 8000;
    let (mut slices, mut moved, mut segments) = (0, 0, 0);
    let mut restarted = false;
    loop {
        let report = disk.volume.compact_bytes(budget)?;
        assert!(
            report.bytes_moved < budget + 8000,
            "a slice of {budget} bytes copied {}",
            report.bytes_moved
        );
        slices += 1;
        moved += report.bytes_moved;
        segments += report.segments_compacted;
        for (k, data) in &kept {
            assert_eq!(&disk.read(*k)?, data, "after slice {slices}");
        }
        if report.bytes_moved == 0 && !disk.volume.compaction_in_progress() {
            break;
        }
        disk.sync()?;
        disk.volume.release_synced()?;
        if !restarted && disk.volume.compaction_in_progress() {
            // A crash part-way through a segment: the copies made so far
            // are durable but the index may not point at them yet.
            drop(disk);
            disk = open(dir.path())?;
            restarted = true;
        }
        assert!(slices < 1000, "compaction never ends");
    }
    assert!(restarted, "no slice stopped part-way through a segment");
    assert!(
        segments >= 3,
        "{segments} segments compacted in {slices} slices"
    );
    assert!(slices > segments, "slices: {slices}, segments: {segments}");
    assert!(moved > 0);
    disk.settle()?;
    let now = list_segments(&dir.path().join("vol0"))?;
    let gone = first_sealed.iter().filter(|s| !now.contains(s)).count();
    assert!(gone >= 3, "segments then {first_sealed:?}, now {now:?}");
    drop(disk);
    let disk = open(dir.path())?;
    for (k, data) in &kept {
        assert_eq!(&disk.read(*k)?, data, "after restart");
    }
    Ok(())
}
