//! The metadata state machine as openraft sees it.
//!
//! Each committed entry's ops are applied to the [`MetaState`] in one
//! atomic commit together with the Raft record (last applied log id and
//! membership), so after a crash the state and the record agree. Snapshots
//! are the state's export; installing one imports it into a fresh
//! directory and switches to it.

use std::fs;
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use openraft::storage::RaftStateMachine;
use openraft::{
    BasicNode, Entry, EntryPayload, LogId, RaftSnapshotBuilder, Snapshot, SnapshotMeta,
    StorageIOError, StoredMembership,
};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use super::format::{decode, encode};
use super::snapshot_file::{SnapshotFiles, SyncingWriter};
use super::types::{MetaRaft, MetaRequest, MetaResponse, RaftStorageError, SharedMetaState};
use crate::metrics;
use crate::storage::meta::{MetaState, OpBatch};

/// File naming the directory that holds the current state.
const CURRENT: &str = "CURRENT";

/// What Raft needs to know about the applied state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Applied {
    last_applied: Option<LogId<u64>>,
    membership: StoredMembership<u64, BasicNode>,
}

fn sm_read(e: impl std::error::Error + 'static) -> RaftStorageError {
    StorageIOError::read_state_machine(&e).into()
}

fn sm_write(e: impl std::error::Error + 'static) -> RaftStorageError {
    StorageIOError::write_state_machine(&e).into()
}

fn snap_err(e: impl std::error::Error + 'static) -> RaftStorageError {
    StorageIOError::write_snapshot(None, &e).into()
}

/// The state machine; its [`MetaState`] is shared with readers.
pub struct MetaStateMachine {
    root: PathBuf,
    state: SharedMetaState,
    applied: Applied,
    generation: u64,
    snapshots: Arc<SnapshotFiles>,
}

fn current_dir(root: &Path) -> Result<(u64, PathBuf), std::io::Error> {
    let generation = match fs::read_to_string(root.join(CURRENT)) {
        Ok(s) => s.trim().parse().map_err(std::io::Error::other)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e),
    };
    Ok((generation, root.join(format!("state-{generation}"))))
}

/// Points `CURRENT` at generation `n`, atomically and durably.
fn set_current(root: &Path, n: u64) -> Result<(), std::io::Error> {
    let tmp = root.join("CURRENT.tmp");
    let mut f = fs::File::create(&tmp)?;
    f.write_all(n.to_string().as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, root.join(CURRENT))?;
    fs::File::open(root)?.sync_all()
}

impl MetaStateMachine {
    /// Opens the state machine under `root`.
    pub fn open(root: &Path) -> Result<Self, RaftStorageError> {
        fs::create_dir_all(root).map_err(sm_write)?;
        let (generation, dir) = current_dir(root).map_err(sm_read)?;
        let state = MetaState::open(&dir).map_err(sm_read)?;
        let applied = match state.raft_state().map_err(sm_read)? {
            Some(bytes) => decode(&bytes).map_err(sm_read)?,
            None => Applied::default(),
        };
        Ok(Self {
            root: root.to_path_buf(),
            state: Arc::new(ArcSwap::from_pointee(state)),
            applied,
            generation,
            snapshots: Arc::new(SnapshotFiles::open(root).map_err(sm_read)?),
        })
    }

    /// The state readers use; it follows snapshot installs.
    pub fn shared_state(&self) -> SharedMetaState {
        self.state.clone()
    }
}

impl RaftStateMachine<MetaRaft> for MetaStateMachine {
    type SnapshotBuilder = SnapshotBuilder;

    async fn applied_state(
        &mut self,
    ) -> Result<(Option<LogId<u64>>, StoredMembership<u64, BasicNode>), RaftStorageError> {
        Ok((self.applied.last_applied, self.applied.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<MetaResponse>, RaftStorageError>
    where
        I: IntoIterator<Item = Entry<MetaRaft>> + openraft::OptionalSend,
        I::IntoIter: openraft::OptionalSend,
    {
        let state = self.state.load_full();
        let mut responses = Vec::new();
        for entry in entries {
            let started = std::time::Instant::now();
            let mut applied = self.applied.clone();
            applied.last_applied = Some(entry.log_id);
            let request = match entry.payload {
                EntryPayload::Blank => MetaRequest::default(),
                EntryPayload::Normal(request) => request,
                EntryPayload::Membership(m) => {
                    applied.membership = StoredMembership::new(Some(entry.log_id), m);
                    MetaRequest::default()
                }
            };
            let record = encode(&applied).map_err(sm_write)?;
            let batch = OpBatch {
                ops: &request.ops,
                ids: &request.ids,
                at_ms: request.at_ms,
            };
            let results = state
                .apply_entry(entry.log_id.index, batch, Some(&record))
                .map_err(|e| RaftStorageError::from(StorageIOError::apply(entry.log_id, &e)))?;
            self.applied = applied;
            metrics::RAFT_OPS_PER_ENTRY.observe(request.ops.len() as f64);
            metrics::RAFT_APPLY_SECONDS.observe(started.elapsed().as_secs_f64());
            responses.push(MetaResponse { results });
        }
        Ok(responses)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        SnapshotBuilder {
            snapshots: self.snapshots.clone(),
            state: self.state.load_full(),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<tokio::fs::File>, RaftStorageError> {
        // Read back for the import once every chunk is in.
        let file = tokio::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(self.snapshots.receiving_path())
            .await
            .map_err(snap_err)?;
        Ok(Box::new(file))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<u64, BasicNode>,
        snapshot: Box<tokio::fs::File>,
    ) -> Result<(), RaftStorageError> {
        // Every chunk is written (a write error surfaces in the flush).
        let mut snapshot = snapshot;
        snapshot.flush().await.map_err(snap_err)?;
        let mut file = snapshot.into_std().await;
        let next = self.generation + 1;
        let dir = self.root.join(format!("state-{next}"));
        let snapshots = self.snapshots.clone();
        let owned_meta = meta.clone();
        // Import and publish stream the whole metadata: a blocking job.
        let state = tokio::task::spawn_blocking(move || -> Result<MetaState, RaftStorageError> {
            if dir.exists() {
                fs::remove_dir_all(&dir).map_err(snap_err)?;
            }
            file.seek(SeekFrom::Start(0)).map_err(snap_err)?;
            let state = MetaState::import(&dir, &mut BufReader::with_capacity(1 << 20, &file))
                .map_err(snap_err)?;
            // The imported state carries the record exported with it,
            // which is where this snapshot's meta came from.
            state.persist(true).map_err(snap_err)?;
            let data = snapshots.stage_received(&mut file).map_err(snap_err)?;
            snapshots.publish(&owned_meta, &data).map_err(snap_err)?;
            Ok(state)
        })
        .await
        .map_err(snap_err)??;
        let applied = Applied {
            last_applied: meta.last_log_id,
            membership: meta.last_membership.clone(),
        };
        set_current(&self.root, next).map_err(snap_err)?;
        let old = self.root.join(format!("state-{}", self.generation));
        self.state.store(Arc::new(state));
        self.generation = next;
        self.applied = applied;
        // Readers holding the old state keep their handle; the files go.
        let _ = fs::remove_dir_all(old);
        crate::metrics::RAFT_SNAPSHOTS_INSTALLED.inc();
        Ok(())
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<Snapshot<MetaRaft>>, RaftStorageError> {
        let current = self
            .snapshots
            .current()
            .map_err(|e| RaftStorageError::from(StorageIOError::read_snapshot(None, &e)))?;
        Ok(current.map(|(meta, file)| Snapshot {
            meta,
            snapshot: Box::new(tokio::fs::File::from_std(file)),
        }))
    }
}

/// Builds snapshots from a point-in-time view while apply goes on.
pub struct SnapshotBuilder {
    snapshots: Arc<SnapshotFiles>,
    state: Arc<MetaState>,
}

impl RaftSnapshotBuilder<MetaRaft> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<MetaRaft>, RaftStorageError> {
        let snapshots = self.snapshots.clone();
        let state = self.state.clone();
        // The export streams the whole metadata to a file: a blocking job.
        let meta = tokio::task::spawn_blocking(move || -> Result<_, RaftStorageError> {
            let path = snapshots.building_path();
            let mut file = SyncingWriter::create(&path).map_err(snap_err)?;
            let record = state.export_with_raft_state(&mut file).map_err(snap_err)?;
            file.finish().map_err(snap_err)?;
            let applied: Applied = match record {
                Some(bytes) => decode(&bytes).map_err(snap_err)?,
                None => Applied::default(),
            };
            let meta = SnapshotMeta {
                last_log_id: applied.last_applied,
                last_membership: applied.membership,
                snapshot_id: format!(
                    "{}-{}",
                    applied.last_applied.map_or(0, |l| l.index),
                    rand::random::<u32>()
                ),
            };
            snapshots.publish(&meta, &path).map_err(snap_err)?;
            Ok(meta)
        })
        .await
        .map_err(snap_err)??;
        crate::metrics::RAFT_SNAPSHOTS_BUILT.inc();
        // A snapshot installed meanwhile may be newer: hand out the current.
        let (meta, file) = match self.snapshots.current().map_err(snap_err)? {
            Some(current) => current,
            None => {
                return Err(snap_err(std::io::Error::other(format!(
                    "snapshot {} was published but is gone",
                    meta.snapshot_id
                ))))
            }
        };
        Ok(Snapshot {
            meta,
            snapshot: Box::new(tokio::fs::File::from_std(file)),
        })
    }
}
