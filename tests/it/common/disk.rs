//! One volume opened the way a node opens it, minus the actors: for tests
//! that crash, damage and reopen the WAL by hand.

use std::path::Path;
use std::sync::Arc;

use predastore::shards::SegmentFiles;
use predastore::shards::{
    Appended, FsyncMode, ShardIndex, ShardKey, ShardReader, StorageError, SyncState, Volume,
    VolumeConfig,
};

/// Fragment size of these tests: small, so shards have many fragments.
pub const FRAGMENT: u32 = 1024;

/// A volume configuration with `segment_bytes` segments.
pub fn volume_config(segment_bytes: u64) -> VolumeConfig {
    VolumeConfig {
        segment_bytes,
        fragment_bytes: FRAGMENT,
        compact_below: 0.5,
        max_shard_bytes: 1 << 30,
    }
}

/// Volume 0 under `root`, with its index, reader and sync state.
pub struct Disk {
    pub volume: Volume,
    /// The open segment files, which other volumes of the node share.
    pub files: Arc<SegmentFiles>,
    pub reader: ShardReader,
    pub sync: Arc<SyncState>,
    pub index: ShardIndex,
}

impl Disk {
    /// Opens (recovering) the volume.
    pub fn open(root: &Path, cfg: VolumeConfig) -> Result<Self, StorageError> {
        let index = ShardIndex::open(&root.join("index"))?;
        let files = Arc::new(SegmentFiles::default());
        let sync = Arc::new(SyncState::default());
        let volume = Volume::open(
            0,
            &root.join("vol0"),
            cfg,
            index.clone(),
            files.clone(),
            sync.clone(),
        )?;
        Ok(Self {
            volume,
            files: files.clone(),
            reader: ShardReader::new(index.clone(), files),
            sync,
            index,
        })
    }

    /// Writes a shard in pieces of `chunk` bytes.
    pub fn put(
        &mut self,
        key: ShardKey,
        data: &[u8],
        chunk: usize,
    ) -> Result<Appended, StorageError> {
        let mut write = self.volume.begin_shard(key, data.len() as u64)?;
        for piece in data.chunks(chunk.max(1)) {
            write.write(piece)?;
        }
        self.volume.finish_shard(write)
    }

    /// One group-commit round.
    pub fn sync(&self) -> Result<u64, StorageError> {
        self.sync.sync(&self.index, FsyncMode::Group, None)
    }

    /// A whole shard.
    pub fn read(&self, key: ShardKey) -> Result<Vec<u8>, StorageError> {
        self.reader.read_all(key, None)
    }

    /// The segments a shard's records are in (none if it is not stored).
    pub fn segs(&self, key: ShardKey) -> Vec<u64> {
        match self.reader.entry(&key) {
            Ok(entry) => entry.extents.iter().map(|e| e.at.segment).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Syncs and releases until compacted segments are gone.
    pub fn settle(&mut self) -> Result<(), StorageError> {
        for _ in 0..3 {
            self.sync()?;
            self.volume.release_synced()?;
        }
        Ok(())
    }
}
