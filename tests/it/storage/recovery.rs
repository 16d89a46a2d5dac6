//! The WAL on disk without actors: torn tails, garbage, flipped bytes,
//! segment boundaries, index rebuild.

use std::fs::{self, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

use rand::{Rng, RngCore};

use crate::common::disk::{volume_config, Disk, FRAGMENT};
use crate::common::shards::*;
use predastore::shards::{list_segments, segment_path, SEGMENT_HEADER_LEN};
use predastore::shards::{record_disk_size, Padding};
use predastore::shards::{ShardEntry, ShardKey, StorageError, VolumeConfig};

fn cfg(segment_bytes: u64) -> VolumeConfig {
    volume_config(segment_bytes)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

struct Stored {
    key: ShardKey,
    data: Vec<u8>,
    entry: ShardEntry,
}

impl Stored {
    /// Where the shard's last record ends: (segment, offset).
    fn end(&self) -> (u64, u64) {
        let last = self.entry.extents[self.entry.extents.len() - 1];
        (last.at.segment, last.at.offset + last.disk_size)
    }
}

#[test]
fn torn_and_garbage_tails_recover_everything_before_the_damage() -> Result<(), StorageError> {
    let base = tempfile::tempdir()?;
    let pristine = base.path().join("pristine");
    let mut rng = rng(42);
    let mut stored = Vec::new();
    {
        let mut disk = Disk::open(&pristine, cfg(128 << 10))?;
        // A synced first half (index checkpointed), then a second half that
        // only reached the page cache: the process "crashed" before its sync.
        for round in 0..2 {
            for i in 0..40 {
                let len = rng.random_range(0..12_000);
                let data = random_bytes(&mut rng, len);
                let key = new_key(i);
                disk.put(key, &data, rng.random_range(1..5000))?;
                let entry = disk.reader.entry(&key)?;
                stored.push(Stored { key, data, entry });
            }
            if round == 0 {
                disk.sync()?;
            }
        }
    }
    let last_segment = stored.iter().map(|s| s.end().0).max().unwrap_or(1);
    let used_end = stored
        .iter()
        .filter(|s| s.end().0 == last_segment)
        .map(|s| s.end().1)
        .max()
        .unwrap_or(0);
    assert!(
        list_segments(&pristine.join("vol0"))?.len() >= 3,
        "data should span segments"
    );

    for case in 0..400 {
        let work = base.path().join(format!("case{case}"));
        copy_dir(&pristine, &work)?;
        let seg = segment_path(&work.join("vol0"), last_segment);
        let file = OpenOptions::new().write(true).open(&seg)?;
        let truncate = case < 200;
        let damage_start = if truncate {
            let at = rng.random_range(SEGMENT_HEADER_LEN..=used_end);
            file.set_len(at)?;
            at
        } else {
            // Half pure appends after the last record, half overwrites.
            let at = if case % 2 == 0 {
                used_end
            } else {
                rng.random_range(SEGMENT_HEADER_LEN..used_end)
            };
            let glen = rng.random_range(1..3000);
            let garbage = random_bytes(&mut rng, glen);
            file.write_all_at(&garbage, at)?;
            at
        };
        drop(file);
        if case % 4 == 3 {
            // The index is lost too: everything is rebuilt from the WAL.
            fs::remove_dir_all(work.join("index"))?;
        }
        let mut disk = Disk::open(&work, cfg(128 << 10))?;
        for s in &stored {
            let (segment, end) = s.end();
            let before_damage = segment < last_segment || end <= damage_start;
            match disk.read(s.key) {
                Ok(data) => assert!(data == s.data, "case {case}: wrong bytes for {}", s.key),
                Err(e @ (StorageError::NotFound(_) | StorageError::Corrupt { .. })) => {
                    assert!(
                        !before_damage,
                        "case {case}: lost {} ending at {end} < damage at {damage_start}: {e}",
                        s.key
                    );
                }
                Err(e) => panic!("case {case}: {e}"),
            }
        }
        // The recovered volume takes new writes and survives another restart.
        let key = new_key(9);
        let data = random_bytes(&mut rng, 5000);
        disk.put(key, &data, 777)?;
        disk.sync()?;
        drop(disk);
        let disk = Disk::open(&work, cfg(128 << 10))?;
        assert_eq!(disk.read(key)?, data, "case {case}");
        drop(disk);
        fs::remove_dir_all(&work)?;
    }
    Ok(())
}

#[test]
fn a_flipped_byte_is_reported_as_corrupt() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let mut disk = Disk::open(dir.path(), cfg(1 << 20))?;
    let data = random_bytes(&mut rng(3), 3 * FRAGMENT as usize);
    let key = new_key(0);
    disk.put(key, &data, 1000)?;
    disk.sync()?;
    let entry = disk.reader.entry(&key)?;
    let at = entry.extents[0].at;
    let seg = segment_path(&dir.path().join("vol0"), at.segment);
    let payload = at.offset + 64 + 3 * 4;
    let flip = |pos: u64| -> std::io::Result<()> {
        let f = OpenOptions::new().read(true).write(true).open(&seg)?;
        let mut b = [0u8; 1];
        f.read_exact_at(&mut b, pos)?;
        f.write_all_at(&[b[0] ^ 0x10], pos)
    };
    let frag = u64::from(FRAGMENT);

    // A byte of the middle fragment.
    flip(payload + frag + 17)?;
    let whole = disk.read(key);
    assert!(
        matches!(whole, Err(StorageError::Corrupt { .. })),
        "{whole:?}"
    );
    let middle = disk.reader.read_all(key, Some(frag + 10..frag + 20));
    assert!(
        matches!(middle, Err(StorageError::Corrupt { .. })),
        "{middle:?}"
    );
    // Ranges that do not touch it still read, and correctly.
    assert_eq!(
        disk.reader.read_all(key, Some(0..frag))?,
        data[..frag as usize]
    );
    assert_eq!(
        disk.reader.read_all(key, Some(2 * frag..3 * frag))?,
        data[2 * frag as usize..]
    );
    flip(payload + frag + 17)?;
    assert_eq!(disk.read(key)?, data);

    // A byte of the CRC table, then of the header.
    for pos in [at.offset + 64 + 5, at.offset + 20] {
        flip(pos)?;
        let r = disk.read(key);
        assert!(
            matches!(r, Err(StorageError::Corrupt { .. })),
            "flip at {pos}: {r:?}"
        );
        flip(pos)?;
    }
    assert_eq!(disk.read(key)?, data);
    Ok(())
}

#[test]
fn records_at_the_segment_limit() -> Result<(), StorageError> {
    // A segment that fits exactly one record of `exact` payload bytes.
    let exact = 3 * u64::from(FRAGMENT) + 100;
    let segment_bytes = SEGMENT_HEADER_LEN + record_disk_size(exact, FRAGMENT, Padding::NONE);
    for (name, len) in [
        ("one byte before", exact - 1),
        ("exactly at", exact),
        ("one byte after", exact + 1),
    ] {
        let dir = tempfile::tempdir()?;
        let mut disk = Disk::open(dir.path(), cfg(segment_bytes))?;
        let mut rng = rng(len);
        let data = random_bytes(&mut rng, len as usize);
        let next = random_bytes(&mut rng, 10);
        let (k1, k2) = (new_key(0), new_key(1));
        disk.put(k1, &data, 999)?;
        disk.put(k2, &next, 3)?;
        disk.sync()?;
        let entry = disk.reader.entry(&k1)?;
        let first = entry.extents[0];
        let end = first.at.offset + first.disk_size;
        match name {
            "one byte before" => {
                assert_eq!((entry.extents.len(), end), (1, segment_bytes - 1), "{name}")
            }
            "exactly at" => assert_eq!((entry.extents.len(), end), (1, segment_bytes), "{name}"),
            _ => assert!(
                entry.extents.len() == 2 || first.at.segment > 1,
                "{name}: {entry:?}"
            ),
        }
        assert_eq!(disk.read(k1)?, data, "{name}");
        assert_eq!(disk.read(k2)?, next, "{name}");
        for id in list_segments(&dir.path().join("vol0"))? {
            let size = fs::metadata(segment_path(&dir.path().join("vol0"), id))?.len();
            assert!(
                size <= segment_bytes,
                "{name}: segment {id} has {size} > {segment_bytes} bytes"
            );
        }
        drop(disk);
        let disk = Disk::open(dir.path(), cfg(segment_bytes))?;
        assert_eq!(disk.read(k1)?, data, "{name} after restart");
        assert_eq!(disk.read(k2)?, next, "{name} after restart");
    }
    Ok(())
}

#[test]
fn unsynced_index_entries_and_lost_index_are_rebuilt_from_the_wal() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let mut rng = rng(5);
    let mut stored = Vec::new();
    {
        let mut disk = Disk::open(dir.path(), cfg(64 << 10))?;
        for i in 0..30 {
            let mut data = vec![0u8; rng.random_range(0..30_000)];
            rng.fill_bytes(&mut data);
            let key = new_key(i);
            disk.put(key, &data, 4096)?;
            stored.push((key, data));
        }
        let deleted = stored.remove(3).0;
        assert!(disk.volume.delete_shard(deleted)?.is_some());
        stored.push((deleted, Vec::new()));
        disk.sync()?;
    }
    fs::remove_dir_all(dir.path().join("index"))?;
    let disk = Disk::open(dir.path(), cfg(64 << 10))?;
    let (deleted, _) = stored.pop().unwrap_or((new_key(0), Vec::new()));
    for (key, data) in &stored {
        assert_eq!(&disk.read(*key)?, data);
    }
    assert!(
        matches!(disk.read(deleted), Err(StorageError::NotFound(_))),
        "tombstone replayed"
    );
    Ok(())
}
