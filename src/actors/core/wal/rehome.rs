//! A replaced disk filled again: the node-local rebalance after
//! `predastore admin node disk replace`. While a volume is failed, the
//! shards whose own volume it is ([`StorageNode::volume_for`]) go to the
//! node's other volumes: new writes and repair's rebuilds alike. Once a
//! new disk is taken in, this pass walks the index and moves each of them
//! back, paced at `PREDASTORE_COMPACT_MB_S` (the rate a volume's own
//! copying keeps to), so the new disk fills and the others give back the
//! room (their old copies become compaction's garbage). The shards of one
//! object are on distinct disks again, as they were before the failure.

use super::node::{blocking, stopped, StorageNode};
use super::{FinishMove, ForgetCopy};
use crate::actors::core::throttle::Throttle;
use crate::metrics;
use crate::storage::{ShardEntry, ShardKey, StorageError, VolumeId};

/// Index keys looked at per blocking call.
const PAGE: usize = 1000;

/// Lookups of a shard whose copy keeps moving (compaction rewrites it,
/// it is written again) before the pass leaves it where it is.
const MOVE_TRIES: usize = 3;

/// What became of one shard in a move back.
enum MoveBack {
    /// Moved home: its length.
    Moved(u64),
    /// Nothing to move: already home, deleted, or on a failed volume.
    Nothing,
    /// Its copy moved each time it was looked up: it stays where it is.
    KeptMoving,
}

/// What one move back found.
#[derive(Default)]
struct Moved {
    shards: u64,
    bytes: u64,
    /// Shards that could not be moved (they stay where they are).
    skipped: u64,
}

impl StorageNode {
    /// Starts moving back to `volume` every shard of its own held on
    /// another volume, in the background; logs what it did.
    pub(super) fn start_moving_home(&self, volume: VolumeId) {
        let node = self.clone();
        // On whichever runtime asked (the transport's, or the gateway's
        // own for a node in its process).
        tokio::spawn(async move {
            let label = volume.to_string();
            metrics::SHARDS_MOVING_HOME
                .with_label_values(&[&label])
                .set(1);
            let moved = node.move_home(volume).await;
            metrics::SHARDS_MOVING_HOME
                .with_label_values(&[&label])
                .set(0);
            match moved {
                Ok(m) => tracing::info!(
                    volume,
                    shards = m.shards,
                    bytes = m.bytes,
                    left = m.skipped,
                    "shards moved back to a replaced volume"
                ),
                Err(e) => tracing::warn!(
                    volume,
                    error = %e,
                    "moving shards back to a replaced volume stopped; the rest stay where they are"
                ),
            }
        });
    }

    /// The pass: every shard whose own volume is `volume` and that sits
    /// on another volume in service is copied back.
    async fn move_home(&self, volume: VolumeId) -> Result<Moved, StorageError> {
        let mut throttle = Throttle::new(self.opener.compact_bytes_per_sec);
        let mut moved = Moved::default();
        let mut after: Option<ShardKey> = None;
        loop {
            let (index, node) = (self.opener.index.clone(), self.clone());
            let from = after;
            // A first cut, one blocking call per page: the shards of
            // `volume` held elsewhere. Each is looked up again right
            // before its move (`move_home_one`).
            let (last, away) = blocking(move || {
                let keys = index.list(from.as_ref(), PAGE)?;
                let mut away = Vec::new();
                for key in &keys {
                    if node.volume_for(key) != volume {
                        continue;
                    }
                    if index.get(key)?.is_some_and(|entry| entry.volume != volume) {
                        away.push(*key);
                    }
                }
                Ok((keys.last().copied(), away))
            })
            .await?;
            for key in away {
                if !self.health.takes_shards(volume) {
                    return Ok(self.stopped(volume, moved));
                }
                match self.move_home_one(key, volume, &mut throttle).await {
                    Ok(MoveBack::Moved(len)) => {
                        moved.shards += 1;
                        moved.bytes += len;
                        let label = volume.to_string();
                        metrics::SHARDS_MOVED_HOME
                            .with_label_values(&[&label])
                            .inc();
                        metrics::BYTES_MOVED_HOME
                            .with_label_values(&[&label])
                            .inc_by(len);
                    }
                    Ok(MoveBack::Nothing) => {}
                    Ok(MoveBack::KeptMoving) => moved.skipped += 1,
                    Err(_) if !self.health.takes_shards(volume) => {
                        return Ok(self.stopped(volume, moved));
                    }
                    // A damaged copy (scrub and repair deal with it), a
                    // read that failed: this one stays.
                    Err(e) => {
                        moved.skipped += 1;
                        tracing::debug!(volume, ?key, error = %e, "a shard was not moved back");
                    }
                }
            }
            match last {
                Some(key) => after = Some(key),
                None => return Ok(moved),
            }
        }
    }

    /// Moves shard `key` back to `volume` if it sits on another volume in
    /// service. The copy is looked up right before the move, and again if
    /// it moved meanwhile (a compaction of its volume rewrites it).
    async fn move_home_one(
        &self,
        key: ShardKey,
        volume: VolumeId,
        throttle: &mut Throttle,
    ) -> Result<MoveBack, StorageError> {
        for _ in 0..MOVE_TRIES {
            let entry = match self.shard_entry(key).await {
                Ok(entry) => entry,
                Err(StorageError::NotFound(_)) => return Ok(MoveBack::Nothing),
                Err(e) => return Err(e),
            };
            // Repair rebuilds what a failed volume held.
            if entry.volume == volume || self.health.is_failed(entry.volume) {
                return Ok(MoveBack::Nothing);
            }
            let len = entry.len;
            let kept = match self.move_shard(key, entry, volume).await {
                Ok(kept) => kept,
                Err(StorageError::NotFound(_)) => return Ok(MoveBack::Nothing),
                Err(e) => return Err(e),
            };
            // Paced after the copy, so that no wait falls between the
            // lookup and the read.
            throttle.take(len).await;
            if kept {
                return Ok(MoveBack::Moved(len));
            }
            tracing::debug!(volume, ?key, "a shard's copy moved during its move back");
        }
        Ok(MoveBack::KeptMoving)
    }

    /// What a pass did before `volume` failed or filled up: the shards
    /// not moved yet stay where they are.
    fn stopped(&self, volume: VolumeId, moved: Moved) -> Moved {
        tracing::warn!(
            volume,
            "the replaced volume failed or is full: the shards not moved back yet stay on the node's other volumes"
        );
        moved
    }

    /// Copies shard `key` (the copy `from`) to `to`; `false` if it was
    /// deleted or written again meanwhile (the copy is then dropped).
    async fn move_shard(
        &self,
        key: ShardKey,
        from: ShardEntry,
        to: VolumeId,
    ) -> Result<bool, StorageError> {
        let (len, body) = self.read_shard(key, None).await?;
        let mut body = Box::pin(body);
        let writer = self.writer(to)?;
        let write = self.fill(&writer, to, key, len, &mut body).await?;
        let kept = writer
            .send(FinishMove {
                write,
                from: from.clone(),
            })
            .await
            .map_err(stopped)?
            .map_err(|e| self.disk(to, e))?;
        let Some(appended) = kept else {
            return Ok(false);
        };
        // The old copy's segment can be compacted away now.
        if let Ok(source) = self.writer(from.volume) {
            let _ = source.send(ForgetCopy { key, entry: from }).await;
        }
        self.wait_durable(appended.seq).await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;

    use super::*;
    use crate::actors::core::wal::node::StorageConfig;
    use crate::storage::{FsyncMode, ObjectId, VolumeConfig};

    fn start(root: &std::path::Path) -> StorageNode {
        StorageNode::start(&StorageConfig {
            index_dir: root.join("index"),
            volumes: (0..3).map(|v| root.join(format!("vol{v}"))).collect(),
            volume: VolumeConfig {
                segment_bytes: 1 << 20,
                fragment_bytes: 4096,
                compact_below: 0.5,
                max_shard_bytes: 1 << 30,
            },
            fsync: FsyncMode::Group,
            sync_interval: Duration::from_millis(2),
            sync_pending_bytes: 64 << 20,
            compact_bytes_per_sec: 0,
            slow_sync: None,
            page_cache_reads: false,
        })
        .expect("start a node")
    }

    fn bytes(key: &ShardKey) -> Vec<u8> {
        let seed = key.object.0 as u8;
        (0..10_000u32).map(|i| (i as u8) ^ seed).collect()
    }

    /// Stores shard `key` on `volume`, whatever its own volume is.
    async fn put_on(node: &StorageNode, volume: VolumeId, key: ShardKey) {
        let data = bytes(&key);
        let body = futures::stream::iter([Ok(Bytes::from(data.clone()))]);
        node.put_shard(Some(volume), key, data.len() as u64, body)
            .await
            .expect("put");
    }

    #[actix_rt::test]
    async fn shards_away_from_their_volume_move_back_and_a_deleted_one_stays_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let node = start(dir.path());
        let keys: Vec<ShardKey> = (1..=30u128)
            .map(|o| ShardKey {
                object: ObjectId(o),
                part: 0,
                shard: 0,
            })
            .collect();
        // Written while volume 1 was out: its own shards went elsewhere.
        let own: Vec<ShardKey> = keys
            .iter()
            .copied()
            .filter(|k| node.volume_for(k) == 1)
            .collect();
        assert!(own.len() >= 3, "the keys spread over the volumes");
        for k in &keys {
            let v = node.volume_for(k);
            put_on(&node, if v == 1 { 2 } else { v }, *k).await;
        }
        // A shard read for a move, then written again elsewhere before
        // the move lands: the move is dropped, the new copy stays.
        let rewritten = own[1];
        let stale = node.shard_entry(rewritten).await.expect("entry");
        put_on(&node, 0, rewritten).await;
        assert!(!node.move_shard(rewritten, stale, 1).await.expect("move"));
        assert_eq!(node.shard_entry(rewritten).await.expect("entry").volume, 0);
        // One deleted: nothing to move, and it stays deleted.
        let gone = own[0];
        assert!(node.delete_shard(gone).await.expect("delete"));

        let moved = node.move_home(1).await.expect("move home");
        assert_eq!(moved.shards as usize, own.len() - 1);
        for k in &keys {
            if *k == gone {
                continue;
            }
            let entry = node.shard_entry(*k).await.expect("entry");
            assert_eq!(entry.volume, node.volume_for(k), "{k:?} on its own volume");
            let read = node.read_shard_to_vec(*k, None).await.expect("read");
            assert_eq!(read, bytes(k), "{k:?} reads back the same bytes");
        }
        assert!(matches!(
            node.shard_entry(gone).await,
            Err(StorageError::NotFound(_))
        ));
        // A second pass finds nothing left to move.
        assert_eq!(node.move_home(1).await.expect("again").shards, 0);
        node.shutdown().await.expect("shutdown");
    }

    #[actix_rt::test]
    async fn a_full_new_disk_stops_the_move_and_leaves_the_shards_where_they_are() {
        let dir = tempfile::tempdir().expect("tempdir");
        let node = start(dir.path());
        let key = (1..100u128)
            .map(|o| ShardKey {
                object: ObjectId(o),
                part: 0,
                shard: 0,
            })
            .find(|k| node.volume_for(k) == 1)
            .expect("a key of volume 1");
        put_on(&node, 2, key).await;
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        node.health.saw(1, &StorageError::Io(full));
        assert!(!node.health.takes_shards(1));
        let moved = node.move_home(1).await.expect("move home");
        assert_eq!(moved.shards, 0);
        assert_eq!(node.shard_entry(key).await.expect("entry").volume, 2);
        assert_eq!(
            node.read_shard_to_vec(key, None).await.expect("read"),
            bytes(&key)
        );
        node.shutdown().await.expect("shutdown");
    }
}
