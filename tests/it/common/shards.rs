//! In-process storage helpers: node configurations, seeded data, shard
//! keys, chunked bodies, directory sizes.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use rand::{Rng, RngCore, SeedableRng};

use predastore::shards::StorageConfig;
use predastore::shards::{FsyncMode, ObjectId, ShardKey, StorageError, VolumeConfig};

/// A storage config over `volumes` directories under `root`.
pub fn storage_config(
    root: &Path,
    volumes: usize,
    segment_bytes: u64,
    fragment_bytes: u32,
) -> StorageConfig {
    StorageConfig {
        index_dir: root.join("index"),
        volumes: (0..volumes).map(|i| root.join(format!("vol{i}"))).collect(),
        volume: VolumeConfig {
            segment_bytes,
            fragment_bytes,
            compact_below: 0.5,
            max_shard_bytes: 1 << 32,
        },
        fsync: FsyncMode::Group,
        sync_interval: Duration::from_millis(2),
        sync_pending_bytes: 64 << 20,
        compact_bytes_per_sec: 0,
        slow_sync: None,
        page_cache_reads: false,
    }
}

/// A seeded RNG so failures can be replayed.
pub fn rng(seed: u64) -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// `len` random bytes.
pub fn random_bytes(rng: &mut impl RngCore, len: usize) -> Vec<u8> {
    let mut v = vec![0u8; len];
    rng.fill_bytes(&mut v);
    v
}

/// A fresh shard key.
pub fn new_key(shard: u16) -> ShardKey {
    ShardKey {
        object: ObjectId::random(),
        part: 0,
        shard,
    }
}

/// `data` as a body stream cut into random-sized chunks.
pub fn chunked(
    data: &[u8],
    rng: &mut impl Rng,
    max_chunk: usize,
) -> impl Stream<Item = Result<Bytes, StorageError>> + Unpin {
    let data = Bytes::copy_from_slice(data);
    let mut cuts = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        let n = rng.random_range(1..=max_chunk).min(data.len() - pos);
        cuts.push(Ok(data.slice(pos..pos + n)));
        pos += n;
    }
    futures::stream::iter(cuts)
}

/// Total bytes of the files under `dir` (what `du --apparent-size` says).
pub fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            total += if meta.is_dir() {
                dir_bytes(&e.path())
            } else {
                meta.len()
            };
        }
    }
    total
}
