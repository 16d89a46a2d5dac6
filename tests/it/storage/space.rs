//! Disk space as an operator sees it (`du`, `df`): a store at default
//! settings gives back the space of a PUT that failed.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

use aws_sdk_s3::presigning::PresigningConfig;

use predastore::shards::StorageError;

use crate::common::digest::random_bytes;
use crate::common::disk::{volume_config, Disk};
use crate::common::heal::*;
use crate::common::http::path_and_query;
use crate::common::shards::new_key;
use crate::common::store::{StoreProcess, MIB, STRIPE};

/// Bytes allocated on disk under `dir` (what `du -s` counts) and the
/// files' apparent size (`du -s --apparent-size`).
fn disk_usage(dir: &Path) -> (u64, u64) {
    let (mut allocated, mut apparent) = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.is_dir() {
            let (a, b) = disk_usage(&entry.path());
            allocated += a;
            apparent += b;
        } else {
            allocated += meta.blocks() * 512;
            apparent += meta.len();
        }
    }
    (allocated, apparent)
}

/// WAL segment files of the store's volumes (`vol*/wal/*.seg`).
fn segment_files(data: &Path) -> usize {
    let volumes = std::fs::read_dir(data).into_iter().flatten().flatten();
    volumes
        .filter_map(|v| std::fs::read_dir(v.path().join("wal")).ok())
        .flat_map(|files| files.flatten())
        .filter(|f| f.path().extension().is_some_and(|e| e == "seg"))
        .count()
}

/// Shard bytes the objects need on disk at 2+1 (the default coding).
fn bytes_needed(objects: &[TestObject]) -> u64 {
    objects
        .iter()
        .map(|o| 3 * shard_len(o.len as u64, 2, STRIPE as u64))
        .sum()
}

/// A presigned PutObject declaring `declared` bytes, of which only `sent`
/// are sent (streamed, never held whole), then the connection is closed:
/// a client killed mid-upload. Panics if the store answered before that.
async fn put_streamed_then_cut(
    store: &StoreProcess,
    bucket: &str,
    key: &str,
    declared: u64,
    sent: u64,
) {
    let presigned = store
        .client()
        .put_object()
        .bucket(bucket)
        .key(key)
        .presigned(PresigningConfig::expires_in(Duration::from_secs(600)).expect("config"))
        .await
        .expect("presign PUT");
    let target = path_and_query(presigned.uri());
    let addr: SocketAddr = store.addr();
    let key = key.to_string();
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect(addr).expect("connect");
        let head =
            format!("PUT {target} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {declared}\r\n\r\n");
        s.write_all(head.as_bytes()).expect("send head");
        let block = random_bytes(4242, MIB);
        let mut left = sent;
        while left > 0 {
            let n = left.min(block.len() as u64) as usize;
            s.write_all(&block[..n]).expect("send body");
            left -= n as u64;
        }
        hang_up_unanswered(s, &key);
    })
    .await
    .expect("cut PUT");
}

/// The `all` role at default settings: a 1 GiB PUT whose client dies
/// after 900 MiB stores nothing, and within 5 minutes the data directory
/// takes on disk (allocated blocks, as `du` counts them) no more than 10 %
/// above what the live objects need, and the segment files the PUT filled
/// are gone. The same measure is checked against
/// the live objects before the cut PUT, so the end state is space given
/// back, not a measure that sees nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn space_of_a_cut_gib_put_returns_at_default_settings() {
    const BUCKET: &str = "space";
    // The test store's only setting that is not a default is its smaller
    // segments: put the default (256 MiB) back.
    let store = StoreProcess::start(&[("PREDASTORE_SEGMENT_BYTES", "268435456")]);
    let s3 = store.client();
    create_bucket_when_ready(&s3, BUCKET).await;
    let live = vec![
        TestObject::new("live-0", 8100, 64 * MIB + 3),
        TestObject::new("live-1", 8101, 7 * MIB),
        TestObject::new("live-2", 8102, MIB + 1),
        TestObject::new("live-3", 8103, 100_000),
    ];
    for obj in &live {
        put_object(&s3, BUCKET, obj)
            .await
            .unwrap_or_else(|s| panic!("PUT {}: status {s}", obj.key));
    }
    let need = bytes_needed(&live);
    let ceiling = need + need / 10;
    let data = store.data_dir().to_path_buf();
    let (before, apparent_before) = disk_usage(&data);
    let segments_before = segment_files(&data);
    assert!(
        (need..=ceiling).contains(&before),
        "before the cut PUT: {before} bytes allocated, the live objects need {need}"
    );

    put_streamed_then_cut(&store, BUCKET, "cut", 1 << 30, 900 * MIB as u64).await;
    let cut_at = Instant::now();
    let (right_after, apparent_after) = disk_usage(&data);
    let (allocated, apparent) = wait_for(
        "the data directory back within 10 % of what the live objects need",
        Duration::from_secs(300),
        |note| {
            let (allocated, apparent) = disk_usage(&data);
            *note = format!("{allocated} bytes allocated, need {need}, at most {ceiling}");
            (allocated <= ceiling).then_some((allocated, apparent))
        },
    )
    .await;
    eprintln!(
        "space: need {need}; allocated {before} before the cut PUT, {right_after} right \
         after, {allocated} after {:?} (apparent {apparent_before}, {apparent_after}, {apparent})",
        cut_at.elapsed()
    );

    // And the segment files the cut PUT filled are deleted (compaction
    // qualifies them without any later write): at most one more per
    // volume than before it, the one appends go on in.
    let segments_before = segments_before + 3;
    let segments = wait_for(
        "the segment files of the cut PUT deleted",
        Duration::from_secs(300),
        |note| {
            let n = segment_files(&data);
            *note = format!("{n} segment files, at most {segments_before} wanted");
            (n <= segments_before).then_some(n)
        },
    )
    .await;
    eprintln!(
        "space: {segments} segment files after {:?}, apparent size {}",
        cut_at.elapsed(),
        disk_usage(&data).1
    );

    assert_no_such_key(&s3, BUCKET, "cut", "after the cut PUT").await;
    assert_objects(&s3, BUCKET, &live, "after the space came back").await;
    let (end, _) = disk_usage(&data);
    assert!(
        end >= need,
        "{end} bytes allocated, less than the {need} the live objects need"
    );
    // The gauge of what compaction could still give back is exported.
    let reclaimable = metric(store.addr(), "predastore_wal_reclaimable_bytes");
    assert!(
        reclaimable.is_some_and(|r| r <= (ceiling - need) as f64),
        "predastore_wal_reclaimable_bytes {reclaimable:?} once the space is back"
    );
}

/// A write given up half way gives its blocks back at once, before any
/// compaction: the volume takes on disk what its live shard needs, and
/// the gauge of reclaimable bytes says nothing is left to give back.
#[test]
fn an_abandoned_write_gives_its_blocks_back_at_once() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let vol = dir.path().join("vol0");
    let mut disk = Disk::open(dir.path(), volume_config(4 << 20))?;
    let (key, kept) = (new_key(0), random_bytes(7, 300_000));
    disk.put(key, &kept, 65536)?;
    disk.sync()?;
    let (live, _) = disk_usage(&vol);
    let mut w = disk.volume.begin_shard(new_key(1), 10 << 20)?;
    for piece in random_bytes(8, 6 << 20).chunks(MIB) {
        w.write(piece)?;
    }
    let (writing, _) = disk_usage(&vol);
    assert!(
        writing >= live + (10 << 20),
        "{writing} bytes allocated while a 10 MiB shard is reserved, {live} before"
    );
    drop(w);
    // The next call to the volume reaps the dropped write.
    disk.volume.release_synced()?;
    let (after, _) = disk_usage(&vol);
    assert!(
        after < live + (1 << 20),
        "{after} bytes allocated after the write was given up, {live} before it"
    );
    assert!(
        disk.volume.reclaimable_bytes() < 1 << 20,
        "reclaimable {} once the blocks are back",
        disk.volume.reclaimable_bytes()
    );
    assert_eq!(disk.read(key)?, kept);
    Ok(())
}

/// A shard moved to another volume of the node (back to a replaced disk)
/// counts on the new volume only: its old copy's bytes become
/// reclaimable on the volume it left, so compaction takes them back. A
/// move of a copy the index no longer names is dropped.
#[test]
fn a_shard_moved_to_another_volume_leaves_its_old_copy_reclaimable() -> Result<(), StorageError> {
    use predastore::shards::Volume;

    let dir = tempfile::tempdir()?;
    let mut disk = Disk::open(dir.path(), volume_config(4 << 20))?;
    let mut other = Volume::open(
        1,
        &dir.path().join("vol1"),
        volume_config(4 << 20),
        disk.index.clone(),
        disk.files.clone(),
        disk.sync.clone(),
    )?;
    let (key, data) = (new_key(0), random_bytes(9, 300_000));
    disk.put(key, &data, 65536)?;
    disk.sync()?;
    let before = disk.volume.reclaimable_bytes();
    let from = disk.reader.entry(&key)?;

    let mut w = other.begin_shard(key, data.len() as u64)?;
    w.write(&data)?;
    assert!(other.finish_move(w, &from)?.is_some(), "the move kept");
    assert_eq!(disk.reader.entry(&key)?.volume, 1);
    disk.volume.forget_copy(&key, &from)?;
    let after = disk.volume.reclaimable_bytes();
    assert!(
        after >= before + data.len() as u64,
        "reclaimable {before} before the move, {after} after"
    );
    assert_eq!(disk.read(key)?, data);

    // A second move of the copy the first one replaced: dropped, and the
    // entry stays on volume 1.
    let mut w = disk.volume.begin_shard(key, data.len() as u64)?;
    w.write(&data)?;
    assert!(
        disk.volume.finish_move(w, &from)?.is_none(),
        "a stale move dropped"
    );
    assert_eq!(disk.reader.entry(&key)?.volume, 1);
    assert_eq!(disk.read(key)?, data);
    Ok(())
}
