//! The metadata state machine as openraft sees it.
//!
//! Each committed entry's ops are applied to the [`MetaState`] in one
//! atomic commit together with the Raft record (last applied log id and
//! membership), so after a crash the state and the record agree. The
//! state is its own snapshot: building one makes the state durable and
//! takes a point-in-time view of it (the log behind it may then go), and
//! only a snapshot sent to a follower is exported (see `snapshot_data`).
//! Installing one imports it into a fresh directory and switches to it.

use std::fs;
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arc_swap::ArcSwap;
use openraft::storage::RaftStateMachine;
use openraft::{
    BasicNode, Entry, EntryPayload, LogId, RaftSnapshotBuilder, Snapshot, SnapshotMeta,
    StorageIOError, StoredMembership,
};
use serde::{Deserialize, Serialize};

use super::format::{decode, encode};
use super::log_store::LogStore;
use super::snapshot_data::SnapshotData;
use super::snapshot_file::SnapshotDir;
use super::snapshot_import::SnapshotImport;
use super::types::{MetaRaft, MetaRequest, MetaResponse, RaftStorageError, SharedMetaState};
use crate::metrics;
use crate::storage::meta::{MetaState, OpBatch, StateView};

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
    /// The generation the next received snapshot is imported as.
    next_generation: u64,
    snapshots: Arc<SnapshotDir>,
    /// Told whenever the state on disk moves on, so that the log is
    /// purged no further (see the log store's doc).
    log: Option<LogStore>,
}

fn current_dir(root: &Path) -> Result<(u64, PathBuf), std::io::Error> {
    let generation = match fs::read_to_string(root.join(CURRENT)) {
        Ok(s) => s.trim().parse().map_err(std::io::Error::other)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e),
    };
    Ok((generation, root.join(format!("state-{generation}"))))
}

/// Removes state directories other than generation `current`'s: imports
/// a crash or a newer snapshot interrupted, or a replaced state a crash
/// kept from going.
fn remove_other_states(root: &Path, current: u64) -> Result<(), std::io::Error> {
    let keep = format!("state-{current}");
    for entry in fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("state-") && name != keep && entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
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
        remove_other_states(root, generation).map_err(sm_write)?;
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
            next_generation: generation + 1,
            snapshots: Arc::new(SnapshotDir::open(root).map_err(sm_read)?),
            log: None,
        })
    }

    /// Index of the last entry the state on disk includes. Only right
    /// after [`Self::open`]: later, entries applied since may not be on
    /// disk yet.
    pub fn durable_index(&self) -> Option<u64> {
        self.applied.last_applied.map(|l| l.index)
    }

    /// Tells `log` from now on whenever the state on disk moves on.
    pub fn report_durable_to(&mut self, log: LogStore) {
        self.log = Some(log);
    }

    fn take_generation(&mut self) -> u64 {
        let generation = self.next_generation;
        self.next_generation += 1;
        generation
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
            log: self.log.clone(),
            snapshots: self.snapshots.clone(),
            state: self.state.load_full(),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<SnapshotData>, RaftStorageError> {
        // A generation of its own: openraft begins a newer stream before
        // it drops an abandoned one, whose import then fails and goes.
        let generation = self.take_generation();
        let dir = self.root.join(format!("state-{generation}"));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(snap_err)?;
        }
        Ok(Box::new(SnapshotData::importing(
            SnapshotImport::start(dir, generation),
            self.snapshots.clone(),
        )))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<u64, BasicNode>,
        snapshot: Box<SnapshotData>,
    ) -> Result<(), RaftStorageError> {
        let (state, next) = match snapshot.into_import() {
            // The usual way: imported as it arrived; its tail is left.
            Ok(import) => {
                let next = import.generation();
                (import.finish().await.map_err(snap_err)?, next)
            }
            // Data openraft did not receive (a snapshot of this node's
            // own, handed over whole): exported, then imported.
            Err(data) => {
                let file = data.into_file().await.map_err(snap_err)?;
                let next = self.take_generation();
                let dir = self.root.join(format!("state-{next}"));
                let state = tokio::task::spawn_blocking(move || {
                    if dir.exists() {
                        fs::remove_dir_all(&dir)?;
                    }
                    MetaState::import(&dir, &mut BufReader::with_capacity(1 << 20, &file))
                        .map_err(std::io::Error::other)
                })
                .await
                .map_err(snap_err)?
                .map_err(snap_err)?;
                (state, next)
            }
        };
        // The imported state carries the record exported with it, which
        // is where this snapshot's meta came from; it is synced, and from
        // now on it is the snapshot. A state that says otherwise would
        // have the log skip or apply twice what lies between the two.
        let applied = Applied {
            last_applied: meta.last_log_id,
            membership: meta.last_membership.clone(),
        };
        let carried: Applied = match state.raft_state().map_err(snap_err)? {
            Some(bytes) => decode(&bytes).map_err(snap_err)?,
            None => Applied::default(),
        };
        if carried != applied {
            drop(state);
            let _ = fs::remove_dir_all(self.root.join(format!("state-{next}")));
            return Err(snap_err(std::io::Error::other(format!(
                "snapshot {} holds the state as of {:?}, not {:?}",
                meta.snapshot_id, carried.last_applied, applied.last_applied
            ))));
        }
        set_current(&self.root, next).map_err(snap_err)?;
        let old = self.root.join(format!("state-{}", self.generation));
        self.state.store(Arc::new(state));
        self.generation = next;
        self.applied = applied;
        // Only now may the log behind the snapshot go.
        report_durable(self.log.as_ref(), meta.last_log_id)?;
        // Readers holding the old state keep their handle; the files go.
        let _ = fs::remove_dir_all(old);
        crate::metrics::RAFT_SNAPSHOTS_INSTALLED.inc();
        Ok(())
    }

    async fn get_current_snapshot(
        &mut self,
    ) -> Result<Option<Snapshot<MetaRaft>>, RaftStorageError> {
        let (meta, view) = durable_view(self.state.load_full())
            .await
            .map_err(|e| RaftStorageError::from(StorageIOError::read_snapshot(None, &e)))?;
        report_durable(self.log.as_ref(), meta.last_log_id)?;
        // Before anything was applied there is nothing to send.
        if meta.last_log_id.is_none() {
            return Ok(None);
        }
        Ok(Some(Snapshot {
            meta,
            snapshot: Box::new(SnapshotData::view(view, self.snapshots.clone())),
        }))
    }
}

/// Tells the log (if any) that the state on disk holds everything through
/// `at`.
fn report_durable(log: Option<&LogStore>, at: Option<LogId<u64>>) -> Result<(), RaftStorageError> {
    match (log, at) {
        (Some(log), Some(at)) => log.state_durable_at(at.index),
        _ => Ok(()),
    }
}

/// A view of `state` and its snapshot meta, made durable first: the log
/// behind a snapshot may be purged, so the state must hold on disk
/// everything the view shows. The view is taken before the sync, so the
/// sync covers it.
async fn durable_view(
    state: Arc<MetaState>,
) -> Result<(SnapshotMeta<u64, BasicNode>, StateView), std::io::Error> {
    tokio::task::spawn_blocking(move || {
        let view = state.clone().view();
        state.persist(true).map_err(std::io::Error::other)?;
        let applied: Applied = match view.raft_state().map_err(std::io::Error::other)? {
            Some(bytes) => decode(&bytes)?,
            None => Applied::default(),
        };
        // Two views at one log id hold the same state and export the same
        // bytes, so the id names the log id (openraft's storage contract:
        // the current snapshot is the one last built).
        let snapshot_id = match applied.last_applied {
            Some(l) => format!("{}-{}-{}", l.leader_id.term, l.leader_id.node_id, l.index),
            None => "0-0-0".to_string(),
        };
        let meta = SnapshotMeta {
            last_log_id: applied.last_applied,
            last_membership: applied.membership,
            snapshot_id,
        };
        Ok((meta, view))
    })
    .await
    .map_err(std::io::Error::other)?
}

/// Builds snapshots: a durable view of the state, taken while apply goes
/// on; nothing is written but the sync.
pub struct SnapshotBuilder {
    log: Option<LogStore>,
    snapshots: Arc<SnapshotDir>,
    state: Arc<MetaState>,
}

impl RaftSnapshotBuilder<MetaRaft> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<MetaRaft>, RaftStorageError> {
        let (meta, view) = durable_view(self.state.clone()).await.map_err(snap_err)?;
        report_durable(self.log.as_ref(), meta.last_log_id)?;
        crate::metrics::RAFT_SNAPSHOTS_BUILT.inc();
        Ok(Snapshot {
            meta,
            snapshot: Box::new(SnapshotData::view(view, self.snapshots.clone())),
        })
    }
}
