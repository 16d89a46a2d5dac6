//! The storage node through its actors: concurrent writers, group commit,
//! slow fsync, compaction, restart.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use rand::Rng;

use crate::common::shards::*;
use predastore::shards::RecordKind;
use predastore::shards::StorageNode;
use predastore::shards::{list_segments, open_segment, scan_segment};
use predastore::shards::{FsyncMode, ShardKey, StorageError};

#[actix_rt::test]
async fn round_trip_from_empty_to_three_segments() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let segment = 1 << 20;
    let node = StorageNode::start(&storage_config(dir.path(), 1, segment, 4096))?;
    let mut rng = rng(1);
    let sizes = [0usize, 1, 4095, 4096, 4097, 100_000, 1 << 20, 3 << 20];
    let mut stored = Vec::new();
    for (i, &len) in sizes.iter().enumerate() {
        let data = random_bytes(&mut rng, len);
        let key = new_key(i as u16);
        let ack = node
            .put_shard(None, key, len as u64, chunked(&data, &mut rng, 70_000))
            .await?;
        assert_eq!(ack.crc, crc32c::crc32c(&data));
        stored.push((key, data));
    }
    for (key, data) in &stored {
        assert_eq!(
            &node.read_shard_to_vec(*key, None).await?,
            data,
            "whole {key}"
        );
        let len = data.len() as u64;
        for _ in 0..20 {
            let a = rng.random_range(0..=len);
            let b = rng.random_range(a..=len);
            let got = node.read_shard_to_vec(*key, Some(a..b)).await?;
            assert_eq!(got, data[a as usize..b as usize], "range {a}..{b} of {key}");
        }
        let past = node.read_shard_to_vec(*key, Some(0..len + 1)).await;
        assert!(
            matches!(past, Err(StorageError::InvalidRange { .. })),
            "{past:?}"
        );
    }
    // The 3 MiB shard really spans segments, and none grew past its size.
    let ids = list_segments(&dir.path().join("vol0"))?;
    assert!(ids.len() >= 4, "segments: {ids:?}");
    for id in ids {
        let len = open_segment(&dir.path().join("vol0"), id)?
            .metadata()?
            .len();
        assert!(len <= segment, "segment {id} is {len} bytes");
    }
    let missing = node.read_shard_to_vec(new_key(0), None).await;
    assert!(
        matches!(missing, Err(StorageError::NotFound(_))),
        "{missing:?}"
    );
    node.shutdown().await
}

#[actix_rt::test]
async fn concurrent_writers_never_interleave_and_acks_follow_syncs() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let node = StorageNode::start(&storage_config(dir.path(), 2, 8 << 20, 4096))?;
    let early_acks = Arc::new(AtomicU64::new(0));
    let writers = (0..64u64).map(|w| {
        let node = node.clone();
        let early_acks = early_acks.clone();
        async move {
            let mut rng = rng(100 + w);
            let mut stored = Vec::with_capacity(500);
            for i in 0..500 {
                let len = if rng.random_ratio(1, 50) {
                    rng.random_range(8_192..200_000)
                } else {
                    rng.random_range(0..8_192)
                };
                let data = random_bytes(&mut rng, len);
                let key = new_key(i % 3);
                let ack = node
                    .put_shard(None, key, len as u64, chunked(&data, &mut rng, 16_384))
                    .await?;
                // Group commit: an ack only once its append is synced.
                if ack.seq > node.sync_state().synced() {
                    early_acks.fetch_add(1, Ordering::Relaxed);
                }
                stored.push((key, crc32c::crc32c(&data), len as u64));
            }
            Ok::<_, StorageError>(stored)
        }
    });
    let mut all = Vec::new();
    for stored in join_all(writers).await {
        all.extend(stored?);
    }
    assert_eq!(
        early_acks.load(Ordering::Relaxed),
        0,
        "acks before their sync"
    );
    assert_eq!(all.len(), 64 * 500);
    for (key, crc, len) in &all {
        let data = node.read_shard_to_vec(*key, None).await?;
        assert_eq!(
            (data.len() as u64, crc32c::crc32c(&data)),
            (*len, *crc),
            "{key}"
        );
    }
    let rounds = node.sync_state().rounds();
    assert!(
        rounds < 64 * 500 / 4,
        "{rounds} sync rounds for {} appends: no grouping",
        all.len()
    );

    // On disk, every shard's records are consecutive: nothing of another
    // shard sits between two of its fragments or extents.
    let mut seen = HashMap::new();
    for vol in ["vol0", "vol1"] {
        let vdir = dir.path().join(vol);
        let mut previous: Option<ShardKey> = None;
        for id in list_segments(&vdir)? {
            let scan = scan_segment(&open_segment(&vdir, id)?, id, 0)?;
            for rec in scan
                .records
                .iter()
                .filter(|r| r.header.kind == RecordKind::Extent)
            {
                assert!(rec.intact, "torn record in a clean log");
                let key = rec.header.key;
                if rec.header.extent_offset > 0 {
                    assert_eq!(
                        previous,
                        Some(key),
                        "extent of {key} not next to the one before"
                    );
                } else {
                    assert!(seen.insert(key, vol).is_none(), "{key} written twice");
                }
                previous = Some(key);
            }
        }
    }
    assert_eq!(seen.len(), all.len());
    node.shutdown().await
}

#[actix_rt::test]
async fn slow_fsync_does_not_stop_appends() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let mut cfg = storage_config(dir.path(), 1, 8 << 20, 4096);
    // Long enough that even a loaded machine appends most of the 50
    // shards while the first fsync runs.
    cfg.slow_sync = Some(Duration::from_secs(2));
    let node = StorageNode::start(&cfg)?;
    let state = node.sync_state().clone();
    let first = {
        let node = node.clone();
        actix_rt::spawn(async move {
            let data = vec![7u8; 1000];
            node.put_shard(None, new_key(0), 1000, chunked(&data, &mut rng(0), 1000))
                .await
        })
    };
    // Wait until the first slow round has started.
    while state.appended() == 0 {
        actix_rt::time::sleep(Duration::from_millis(1)).await;
    }
    let others = (0..50).map(|i| {
        let node = node.clone();
        async move {
            let data = vec![i as u8; 5000];
            node.put_shard(None, new_key(1), 5000, chunked(&data, &mut rng(i), 2000))
                .await
        }
    });
    let watcher = async {
        // Appends completed while the first round was still syncing.
        let mut during_first_round = 0;
        while state.synced() == 0 {
            during_first_round = state.appended() - 1;
            actix_rt::time::sleep(Duration::from_millis(2)).await;
        }
        during_first_round
    };
    let (results, during_first_round) = futures::join!(join_all(others), watcher);
    for r in results {
        r?;
    }
    first.await.map_err(|_| StorageError::Stopped)??;
    // Appends blocked by the fsync would all wait for it (0 during the
    // round, ~51 rounds); on a busy CI machine a few may land after it.
    assert!(
        during_first_round >= 25,
        "only {during_first_round} of 50 appends completed during a 2 s fsync"
    );
    assert!(
        state.rounds() <= 8,
        "{} rounds for 51 appends",
        state.rounds()
    );
    node.shutdown().await
}

#[actix_rt::test]
async fn deleting_half_and_compacting_shrinks_disk_use() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    // Segments small beside the data, so that what compaction leaves by
    // design (a sealed segment at least half live, the active one) is a
    // small share of it.
    let cfg = storage_config(dir.path(), 1, 256 << 10, 4096);
    let node = StorageNode::start(&cfg)?;
    let mut rng = rng(7);
    let mut stored = Vec::new();
    for i in 0..400 {
        let len = rng.random_range(1_000..40_000);
        let data = random_bytes(&mut rng, len);
        let key = new_key(i);
        node.put_shard(None, key, len as u64, chunked(&data, &mut rng, 9000))
            .await?;
        stored.push((key, data));
    }
    let wal = dir.path().join("vol0").join("wal");
    let before = dir_bytes(&wal);
    // The older half goes, as when a day of backups expires.
    let (gone, kept): (Vec<_>, Vec<_>) =
        stored.into_iter().enumerate().partition(|(i, _)| *i < 200);
    for (_, (key, _)) in &gone {
        assert!(node.delete_shard(*key).await?);
        assert!(
            !node.delete_shard(*key).await?,
            "second delete finds nothing"
        );
    }
    // The writer's own compaction timer may do part of it first: what
    // counts is the space given back.
    node.compact_all().await?;
    let after = dir_bytes(&wal);
    assert!(
        after * 10 < before * 7,
        "disk use {before} -> {after} bytes"
    );
    for (_, (key, data)) in &kept {
        assert_eq!(&node.read_shard_to_vec(*key, None).await?, data);
    }
    for (_, (key, _)) in &gone {
        let r = node.read_shard_to_vec(*key, None).await;
        assert!(matches!(r, Err(StorageError::NotFound(_))), "{r:?}");
    }
    node.shutdown().await?;

    // And after a restart, from the compacted log.
    let node = StorageNode::start(&cfg)?;
    for (_, (key, data)) in &kept {
        assert_eq!(&node.read_shard_to_vec(*key, None).await?, data);
    }
    for (_, (key, _)) in &gone {
        assert!(matches!(
            node.read_shard_to_vec(*key, None).await,
            Err(StorageError::NotFound(_))
        ));
    }
    node.shutdown().await
}

#[actix_rt::test]
async fn restart_keeps_every_acknowledged_shard() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    for mode in [FsyncMode::Group, FsyncMode::Interval, FsyncMode::Serial] {
        let mut cfg = storage_config(dir.path(), 2, 1 << 20, 4096);
        cfg.fsync = mode;
        let node = StorageNode::start(&cfg)?;
        let mut rng = rng(9);
        let mut stored = Vec::new();
        for i in 0..50 {
            let len = rng.random_range(0..300_000);
            let data = random_bytes(&mut rng, len);
            let key = new_key(i);
            node.put_shard(
                None,
                key,
                data.len() as u64,
                chunked(&data, &mut rng, 50_000),
            )
            .await?;
            stored.push((key, data));
        }
        node.shutdown().await?;
        let node = StorageNode::start(&cfg)?;
        for (key, data) in &stored {
            assert_eq!(&node.read_shard_to_vec(*key, None).await?, data, "{mode:?}");
        }
        node.shutdown().await?;
    }
    Ok(())
}

#[actix_rt::test]
async fn aligned_and_unaligned_chunks_mix_in_large_shards() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let node = StorageNode::start(&storage_config(dir.path(), 1, 4 << 20, 65536))?;
    let len = (3 << 20) + 4321;
    let raw = bytes::Bytes::from(random_bytes(&mut rng(11), len + 4096));
    let start = raw.as_ptr().align_offset(4096);
    let data = raw.slice(start..start + len);
    // Aligned pieces (written without a copy), odd pieces (staged), and
    // aligned pieces again once the staging drained at an extent's end.
    let cuts = [
        0,
        65536,
        65536 + 4097,
        1 << 20,
        (1 << 20) + 10,
        2 << 20,
        len,
    ];
    let body: Vec<Result<bytes::Bytes, StorageError>> = cuts
        .windows(2)
        .map(|w| Ok(data.slice(w[0]..w[1])))
        .collect();
    let key = new_key(0);
    node.put_shard(None, key, len as u64, futures::stream::iter(body))
        .await?;
    assert!(node.read_shard_to_vec(key, None).await? == data);
    node.shutdown().await?;
    let node = StorageNode::start(&storage_config(dir.path(), 1, 4 << 20, 65536))?;
    assert!(
        node.read_shard_to_vec(key, None).await? == data,
        "after restart"
    );
    node.shutdown().await
}

#[actix_rt::test]
async fn a_body_of_the_wrong_length_stores_nothing() -> Result<(), StorageError> {
    let dir = tempfile::tempdir()?;
    let node = StorageNode::start(&storage_config(dir.path(), 1, 1 << 20, 4096))?;
    let data = vec![1u8; 1000];
    let key = new_key(0);
    let short = node
        .put_shard(None, key, 1001, chunked(&data, &mut rng(1), 300))
        .await;
    assert!(
        matches!(
            short,
            Err(StorageError::LengthMismatch {
                expected: 1001,
                got: 1000
            })
        ),
        "{short:?}"
    );
    let long = node
        .put_shard(None, key, 999, chunked(&data, &mut rng(1), 300))
        .await;
    assert!(
        matches!(
            long,
            Err(StorageError::LengthMismatch { expected: 999, .. })
        ),
        "{long:?}"
    );
    assert!(matches!(
        node.read_shard_to_vec(key, None).await,
        Err(StorageError::NotFound(_))
    ));
    // A body that fails midway leaves nothing either, and the volume goes on.
    let failing = futures::stream::iter(vec![
        Ok(bytes::Bytes::from_static(b"abc")),
        Err(StorageError::Stopped),
    ]);
    assert!(node.put_shard(None, key, 10, failing).await.is_err());
    node.put_shard(None, key, 1000, chunked(&data, &mut rng(2), 300))
        .await?;
    assert_eq!(node.read_shard_to_vec(key, None).await?, data);
    node.shutdown().await
}
