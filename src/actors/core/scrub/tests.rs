//! The scrubber and the shard inventory through a running storage node.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::*;
use crate::actors::core::wal::node::{StorageConfig, StorageNode};
use crate::metrics;
use crate::storage::wal::record::{RecordHeader, HEADER_LEN};
use crate::storage::wal::segment::{list_segments, segment_path};
use crate::storage::{FsyncMode, ObjectId, ShardKey, ShardState, StorageError, VolumeConfig};

/// A one-volume node in `root`: 1 MiB segments, 4 KiB fragments.
pub(crate) fn start_node(root: &Path, fsync: FsyncMode) -> Result<StorageNode, StorageError> {
    StorageNode::start(&StorageConfig {
        index_dir: root.join("index"),
        volumes: vec![root.join("vol0")],
        volume: VolumeConfig {
            segment_bytes: 1 << 20,
            fragment_bytes: 4096,
            compact_below: 0.5,
            max_shard_bytes: 1 << 30,
        },
        fsync,
        sync_interval: Duration::from_millis(2),
        sync_pending_bytes: 64 << 20,
        compact_bytes_per_sec: 0,
        slow_sync: None,
        page_cache_reads: false,
    })
}

/// Shard `shard` of object `object`.
pub(crate) fn key(object: u128, shard: u16) -> ShardKey {
    ShardKey {
        object: ObjectId(object),
        part: 0,
        shard,
    }
}

/// `len` bytes that differ per `seed`.
pub(crate) fn data(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// Stores `bytes` under `key` in one chunk.
pub(crate) async fn put(
    node: &StorageNode,
    key: ShardKey,
    bytes: &[u8],
) -> Result<(), StorageError> {
    let body = futures::stream::iter([Ok(Bytes::copy_from_slice(bytes))]);
    node.put_shard(None, key, bytes.len() as u64, body).await?;
    Ok(())
}

/// Flips one bit of payload byte `at` of `key`'s first record, in the
/// segment file under `root/vol0`.
pub(crate) async fn flip_payload_byte(
    node: &StorageNode,
    root: &Path,
    key: ShardKey,
    at: u64,
) -> Result<(), StorageError> {
    let extent = node.shard_entry(key).await?.extents[0];
    let path = segment_path(&root.join("vol0"), extent.at.segment);
    let file = OpenOptions::new().read(true).write(true).open(path)?;
    let mut head = [0u8; HEADER_LEN as usize];
    file.read_exact_at(&mut head, extent.at.offset)?;
    let header = RecordHeader::decode(&head)
        .map_err(|_| StorageError::IndexDamaged("test: record header"))?;
    let pos = extent.at.offset + header.payload_offset() + at;
    let mut b = [0u8; 1];
    file.read_exact_at(&mut b, pos)?;
    file.write_all_at(&[b[0] ^ 0x04], pos)?;
    Ok(())
}

#[actix_rt::test]
async fn stat_and_list_through_the_node() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let node = start_node(dir.path(), FsyncMode::Group)?;
    let keys = [key(3, 0), key(1, 1), key(1, 0), key(2, 5)];
    for (i, k) in keys.iter().enumerate() {
        put(&node, *k, &data(i as u8, 1000 * i)).await?;
    }
    let states = node
        .stat_shards(vec![key(1, 1), key(9, 9), key(3, 0)])
        .await?;
    assert_eq!(
        states,
        vec![
            ShardState::Present { len: 1000 },
            ShardState::Missing,
            ShardState::Present { len: 0 }
        ]
    );
    assert_eq!(node.stat_shards(vec![]).await?, vec![]);
    let mut sorted = keys.to_vec();
    sorted.sort();
    assert_eq!(node.list_shards(None, 100).await?, sorted);
    assert_eq!(node.list_shards(None, 2).await?, sorted[..2]);
    assert_eq!(node.list_shards(Some(sorted[1]), 2).await?, sorted[2..]);
    assert_eq!(node.list_shards(Some(sorted[3]), 2).await?, vec![]);
    node.delete_shard(key(1, 0)).await?;
    assert_eq!(
        node.stat_shards(vec![key(1, 0)]).await?,
        vec![ShardState::Missing]
    );
    assert_eq!(node.list_shards(None, 100).await?.len(), 3);
    node.shutdown().await
}

#[actix_rt::test]
async fn scrub_finds_a_flipped_byte_marks_it_and_a_rewrite_clears_it() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let node = start_node(dir.path(), FsyncMode::Group)?;
    let len = 3 * 4096 + 100;
    for i in 0..10u8 {
        put(&node, key(u128::from(i), 0), &data(i, len)).await?;
    }
    let clean = node.scrub_now().await?;
    assert_eq!((clean.shards, clean.corrupt), (10, 0));
    assert_eq!(clean.bytes, 10 * len as u64);

    let victim = key(6, 0);
    flip_payload_byte(&node, dir.path(), victim, 4096 + 17).await?;
    let before = metrics::SCRUB_CORRUPT_SHARDS.get();
    let report = node.scrub_now().await?;
    assert_eq!(report.shards, 10);
    assert_eq!(report.corrupt, 1);
    assert_eq!(report.corrupt_keys, vec![victim]);
    assert_eq!(report.errors, 0);
    assert!(metrics::SCRUB_CORRUPT_SHARDS.get() > before);
    assert_eq!(
        node.stat_shards(vec![key(5, 0), victim]).await?,
        vec![ShardState::Present { len: len as u64 }, ShardState::Corrupt]
    );
    assert_eq!(node.corrupt_shards(None, 10).await?, vec![victim]);
    // Found again by the next pass until it is rewritten.
    assert_eq!(node.scrub_now().await?.corrupt_keys, vec![victim]);

    // The heal: the same key, rewritten on the same node.
    put(&node, victim, &data(6, len)).await?;
    assert_eq!(
        node.stat_shards(vec![victim]).await?,
        vec![ShardState::Present { len: len as u64 }]
    );
    assert_eq!(node.corrupt_shards(None, 10).await?, vec![]);
    assert_eq!(node.read_shard_to_vec(victim, None).await?, data(6, len));
    let healed = node.scrub_now().await?;
    assert_eq!((healed.shards, healed.corrupt), (10, 0));
    let record = node.last_scrub().await?.ok_or(StorageError::Stopped)?;
    assert_eq!((record.shards, record.corrupt), (10, 0));
    node.shutdown().await
}

#[actix_rt::test]
async fn a_read_that_fails_its_crc_marks_the_shard() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let node = start_node(dir.path(), FsyncMode::Group)?;
    let k = key(77, 1);
    put(&node, k, &data(1, 20_000)).await?;
    flip_payload_byte(&node, dir.path(), k, 5).await?;
    // A range that misses the bad fragment reads, and marks nothing.
    assert_eq!(
        node.read_shard_to_vec(k, Some(8192..9000)).await?,
        data(1, 20_000)[8192..9000]
    );
    assert_eq!(
        node.stat_shards(vec![k]).await?,
        vec![ShardState::Present { len: 20_000 }]
    );
    let read = node.read_shard_to_vec(k, None).await;
    assert!(
        matches!(read, Err(StorageError::Corrupt { .. })),
        "{read:?}"
    );
    assert_eq!(node.stat_shards(vec![k]).await?, vec![ShardState::Corrupt]);
    node.delete_shard(k).await?;
    assert_eq!(node.stat_shards(vec![k]).await?, vec![ShardState::Missing]);
    assert_eq!(node.corrupt_shards(None, 10).await?, vec![]);
    node.shutdown().await
}

/// The heal rewrites a shard under its key on the same node: the index
/// must point at the new copy and the old one become dead space that
/// compaction reclaims.
#[actix_rt::test]
async fn rewriting_a_key_replaces_its_copy_and_frees_the_old_one() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let node = start_node(dir.path(), FsyncMode::Group)?;
    let k = key(42, 3);
    let (old, new) = (data(1, 900 << 10), data(2, 900 << 10));
    put(&node, k, &old).await?;
    let first = node.shard_entry(k).await?;
    assert_eq!(first.extents[0].at.segment, 1);
    put(&node, k, &new).await?;
    let second = node.shard_entry(k).await?;
    assert_ne!(first.extents, second.extents);
    assert_eq!(node.read_shard_to_vec(k, None).await?, new);
    assert_eq!(node.list_shards(None, 10).await?, vec![k]);
    // Segment 1 holds at most the new copy's first piece: compaction moves
    // it and deletes the segment, which it would not if the old copy
    // still counted as live.
    // (The writer's own compaction timer may get there first.)
    node.compact_all().await?;
    let segments = list_segments(&dir.path().join("vol0"))?;
    assert!(!segments.contains(&1), "segment 1 kept: {segments:?}");
    assert_eq!(node.read_shard_to_vec(k, None).await?, new);
    assert_eq!(
        node.stat_shards(vec![k]).await?,
        vec![ShardState::Present {
            len: new.len() as u64
        }]
    );
    node.shutdown().await
}

#[actix_rt::test]
async fn the_periodic_scrub_runs_on_schedule_and_keeps_its_record() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let node = start_node(dir.path(), FsyncMode::Group)?;
    put(&node, key(1, 0), &data(1, 5000)).await?;
    assert!(node.start_scrubber(ScrubConfig {
        bytes_per_sec: 64 << 20,
        every: Duration::from_secs(1),
    }));
    assert!(!node.start_scrubber(ScrubConfig::MANUAL), "started twice");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut firsts = Vec::new();
    while firsts.len() < 2 && Instant::now() < deadline {
        if let Some(r) = node.last_scrub().await? {
            if firsts.last() != Some(&r.started_at) {
                firsts.push(r.started_at);
            }
            assert_eq!((r.shards, r.bytes, r.corrupt), (1, 5000, 0));
        }
        actix_rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(firsts.len(), 2, "two passes within 30 s: {firsts:?}");
    node.shutdown().await
}
