use std::fs;
use std::io::Read;

use openraft::{LogId, StoredMembership};

use super::*;

fn meta(index: u64) -> Meta {
    SnapshotMeta {
        last_log_id: Some(LogId::new(openraft::CommittedLeaderId::new(1, 1), index)),
        last_membership: StoredMembership::default(),
        snapshot_id: format!("{index}-1"),
    }
}

/// Writes `bytes` as a finished build and returns its path.
fn built(files: &SnapshotFiles, bytes: &[u8]) -> io::Result<PathBuf> {
    let path = files.building_path();
    fs::write(&path, bytes)?;
    Ok(path)
}

fn read_current(files: &SnapshotFiles) -> io::Result<Option<(Meta, Vec<u8>)>> {
    files
        .current()?
        .map(|(meta, mut file)| {
            let mut data = Vec::new();
            file.read_to_end(&mut data)?;
            Ok((meta, data))
        })
        .transpose()
}

/// Asserts that the current snapshot is `id` holding `data`.
fn assert_current(files: &SnapshotFiles, id: &str, data: &[u8]) -> io::Result<()> {
    let (m, got) = read_current(files)?.ok_or_else(|| io::Error::other("missing"))?;
    assert_eq!((m.snapshot_id.as_str(), got.as_slice()), (id, data));
    Ok(())
}

fn data_files(root: &Path) -> io::Result<usize> {
    let mut n = 0;
    for entry in fs::read_dir(root)? {
        if entry?.file_name().to_string_lossy().ends_with(DATA) {
            n += 1;
        }
    }
    Ok(n)
}

#[test]
fn a_published_snapshot_reads_back_and_replaces_the_last() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let files = SnapshotFiles::open(dir.path())?;
    assert!(files.current()?.is_none(), "no snapshot before the first");

    let first = vec![7u8; 300_000];
    files.publish(&meta(10), &built(&files, &first)?)?;
    assert_current(&files, "10-1", &first)?;

    // A reader holding the old data keeps reading it after a newer one
    // is published; the old file is gone from the directory.
    let (_, mut open_old) = files
        .current()?
        .ok_or_else(|| io::Error::other("missing"))?;
    files.publish(&meta(20), &built(&files, b"second")?)?;
    let mut old = Vec::new();
    open_old.read_to_end(&mut old)?;
    assert_eq!(old.len(), 300_000);
    assert_eq!(data_files(dir.path())?, 1);

    // Reopened, the same snapshot is current.
    drop(files);
    let files = SnapshotFiles::open(dir.path())?;
    assert_current(&files, "20-1", b"second")?;
    Ok(())
}

#[test]
fn an_older_snapshot_never_replaces_a_newer_one() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let files = SnapshotFiles::open(dir.path())?;
    files.publish(&meta(50), &built(&files, b"newer")?)?;
    let older = built(&files, b"older")?;
    files.publish(&meta(40), &older)?;
    assert!(!older.exists(), "the superseded build is removed");
    assert_current(&files, "50-1", b"newer")?;
    Ok(())
}

#[test]
fn a_damaged_record_or_data_file_is_an_error() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let files = SnapshotFiles::open(dir.path())?;
    files.publish(&meta(5), &built(&files, b"0123456789")?)?;
    let record_path = dir.path().join(RECORD);
    let record = fs::read(&record_path)?;

    // The data file cut short.
    let data_path = fs::read_dir(dir.path())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(DATA))
        .ok_or_else(|| io::Error::other("no data file"))?;
    fs::write(&data_path, b"01234")?;
    assert!(files.current().is_err(), "a short data file is damaged");
    fs::write(&data_path, b"0123456789")?;
    assert!(files.current()?.is_some());

    // A damaged record: wrong version byte, cut bytes.
    let mut bad = record.clone();
    bad[0] = 0xee;
    fs::write(&record_path, &bad)?;
    assert!(files.current().is_err());
    fs::write(&record_path, &record[..record.len() / 2])?;
    assert!(files.current().is_err());

    // A record naming a file outside the directory.
    let outside = encode(&Record {
        meta: meta(5),
        data_file: "../elsewhere.data".into(),
        data_len: 10,
    })
    .map_err(io::Error::other)?;
    fs::write(&record_path, outside)?;
    assert!(files.current().is_err());
    Ok(())
}

#[test]
fn leftovers_of_an_interrupted_build_or_receive_are_removed() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let files = SnapshotFiles::open(dir.path())?;
    let building = built(&files, b"half")?;
    fs::write(files.receiving_path(), b"half")?;
    drop(files);
    let files = SnapshotFiles::open(dir.path())?;
    assert!(!building.exists());
    assert!(!files.receiving_path().exists());
    assert!(files.current()?.is_none());
    Ok(())
}

/// The single-file layout of earlier versions: meta length, meta, data.
fn legacy_file(meta: &Meta, data: &[u8]) -> io::Result<Vec<u8>> {
    let meta = encode(meta).map_err(io::Error::other)?;
    let mut file = (meta.len() as u64).to_le_bytes().to_vec();
    file.extend_from_slice(&meta);
    file.extend_from_slice(data);
    Ok(file)
}

#[test]
fn a_snapshot_of_an_earlier_version_is_converted() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = vec![3u8; 100_000];
    fs::write(dir.path().join(LEGACY), legacy_file(&meta(9), &data)?)?;
    let files = SnapshotFiles::open(dir.path())?;
    assert!(!dir.path().join(LEGACY).exists());
    assert_current(&files, "9-1", &data)?;
    Ok(())
}

#[test]
fn a_damaged_snapshot_of_an_earlier_version_is_an_error() -> io::Result<()> {
    let whole = legacy_file(&meta(9), b"data")?;
    let mut huge = whole.clone();
    huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    let mut bad_meta = whole.clone();
    bad_meta[8] ^= 0xff;
    for damaged in [whole[..12].to_vec(), huge, bad_meta] {
        let dir = tempfile::tempdir()?;
        fs::write(dir.path().join(LEGACY), damaged)?;
        assert!(SnapshotFiles::open(dir.path()).is_err());
    }
    Ok(())
}

#[test]
fn received_data_is_published_in_place_and_other_data_is_copied() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let files = SnapshotFiles::open(dir.path())?;
    fs::write(files.receiving_path(), b"from the leader")?;
    let mut received = fs::File::open(files.receiving_path())?;
    assert_eq!(files.stage_received(&mut received)?, files.receiving_path());

    // Data handed over from elsewhere (another node's file) is copied in
    // whole, wherever the handle's position is.
    let other = tempfile::tempdir()?;
    fs::write(other.path().join("x"), b"handed over")?;
    let mut handed = fs::File::open(other.path().join("x"))?;
    handed.seek(SeekFrom::End(0))?;
    let staged = files.stage_received(&mut handed)?;
    assert!(staged.starts_with(dir.path()));
    assert_eq!(fs::read(&staged)?, b"handed over");
    files.publish(&meta(3), &staged)?;
    let (_, data) = read_current(&files)?.ok_or_else(|| io::Error::other("missing"))?;
    assert_eq!(data, b"handed over");
    Ok(())
}

#[test]
fn a_syncing_writer_writes_every_byte() -> io::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("f");
    let mut w = SyncingWriter::create(&path)?;
    // Past two sync points, in uneven writes.
    let data: Vec<u8> = (0..(2 * SYNC_EVERY + 12_345)).map(|i| i as u8).collect();
    for piece in data.chunks(1_000_003) {
        w.write_all(piece)?;
    }
    w.finish()?;
    assert_eq!(fs::read(&path)?, data);
    Ok(())
}
