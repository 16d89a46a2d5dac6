//! The metadata state machine as openraft sees it.
//!
//! Each committed entry's ops are applied to the [`MetaState`] in one
//! atomic commit together with the Raft record (last applied log id and
//! membership), so after a crash the state and the record agree. Snapshots
//! are the state's export; installing one imports it into a fresh
//! directory and switches to it.

use std::fs;
use std::io::{Cursor, Read, Write};
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
use super::types::{MetaRaft, MetaRequest, MetaResponse, RaftStorageError, SharedMetaState};
use crate::metrics;
use crate::storage::meta::{MetaState, OpBatch};

/// File naming the directory that holds the current state.
const CURRENT: &str = "CURRENT";
/// The last built snapshot: its meta, then its data.
const SNAPSHOT_FILE: &str = "snapshot.bin";

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
            root: self.root.clone(),
            state: self.state.load_full(),
        }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>, RaftStorageError> {
        Ok(Box::new(Cursor::new(Vec::new())))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<u64, BasicNode>,
        snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<(), RaftStorageError> {
        let next = self.generation + 1;
        let dir = self.root.join(format!("state-{next}"));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(snap_err)?;
        }
        let data = snapshot.into_inner();
        let state = MetaState::import(&dir, &mut data.as_slice()).map_err(snap_err)?;
        let applied = Applied {
            last_applied: meta.last_log_id,
            membership: meta.last_membership.clone(),
        };
        // The imported state carries the record exported with it, which is
        // where this snapshot's meta came from.
        state.persist(true).map_err(snap_err)?;
        write_snapshot_file(&self.root, meta, &data).map_err(snap_err)?;
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
        read_snapshot_file(&self.root)
    }
}

/// Builds snapshots from a point-in-time view while apply goes on.
pub struct SnapshotBuilder {
    root: PathBuf,
    state: Arc<MetaState>,
}

impl RaftSnapshotBuilder<MetaRaft> for SnapshotBuilder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<MetaRaft>, RaftStorageError> {
        let mut data = Vec::new();
        let record = self
            .state
            .export_with_raft_state(&mut data)
            .map_err(snap_err)?;
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
        write_snapshot_file(&self.root, &meta, &data).map_err(snap_err)?;
        crate::metrics::RAFT_SNAPSHOTS_BUILT.inc();
        Ok(Snapshot {
            meta,
            snapshot: Box::new(Cursor::new(data)),
        })
    }
}

fn write_snapshot_file(
    root: &Path,
    meta: &SnapshotMeta<u64, BasicNode>,
    data: &[u8],
) -> Result<(), std::io::Error> {
    let meta = encode(meta).map_err(std::io::Error::other)?;
    let tmp = root.join("snapshot.tmp");
    let mut f = fs::File::create(&tmp)?;
    f.write_all(&(meta.len() as u64).to_le_bytes())?;
    f.write_all(&meta)?;
    f.write_all(data)?;
    f.sync_all()?;
    fs::rename(&tmp, root.join(SNAPSHOT_FILE))?;
    fs::File::open(root)?.sync_all()
}

fn read_snapshot_file(root: &Path) -> Result<Option<Snapshot<MetaRaft>>, RaftStorageError> {
    let read_err =
        |e: &std::io::Error| RaftStorageError::from(StorageIOError::read_snapshot(None, e));
    let mut file = match fs::File::open(root.join(SNAPSHOT_FILE)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_err(&e)),
    };
    let size = file.metadata().map_err(|e| read_err(&e))?.len();
    let damaged = || read_err(&std::io::Error::other("damaged snapshot file"));
    // Read straight into the buffers kept: a snapshot is as large as the
    // metadata, and one copy in memory is enough.
    let mut len = [0u8; 8];
    file.read_exact(&mut len).map_err(|_| damaged())?;
    let len = u64::from_le_bytes(len);
    let data_len = len
        .checked_add(8)
        .and_then(|head| size.checked_sub(head))
        .ok_or_else(damaged)?;
    let mut meta = vec![0u8; usize::try_from(len).map_err(|_| damaged())?];
    file.read_exact(&mut meta).map_err(|_| damaged())?;
    let meta = decode(&meta).map_err(|e| read_err(&e))?;
    let mut data = Vec::with_capacity(usize::try_from(data_len).map_err(|_| damaged())?);
    file.read_to_end(&mut data).map_err(|e| read_err(&e))?;
    Ok(Some(Snapshot {
        meta,
        snapshot: Box::new(Cursor::new(data)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> SnapshotMeta<u64, BasicNode> {
        SnapshotMeta {
            last_log_id: None,
            last_membership: StoredMembership::default(),
            snapshot_id: "7-1".into(),
        }
    }

    #[test]
    fn the_snapshot_file_reads_back_and_a_damaged_one_is_an_error(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        assert!(
            read_snapshot_file(dir.path())?.is_none(),
            "no file: no snapshot"
        );
        let data = vec![42u8; 100_000];
        write_snapshot_file(dir.path(), &meta(), &data)?;
        let read = read_snapshot_file(dir.path())?.ok_or("snapshot missing")?;
        assert_eq!(read.meta.snapshot_id, "7-1");
        assert_eq!(read.snapshot.into_inner(), data);

        let path = dir.path().join(SNAPSHOT_FILE);
        let whole = fs::read(&path)?;
        // Cut inside the meta, and a header claiming more meta than the file.
        fs::write(&path, &whole[..12])?;
        assert!(read_snapshot_file(dir.path()).is_err());
        let mut huge = whole.clone();
        huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        fs::write(&path, &huge)?;
        assert!(read_snapshot_file(dir.path()).is_err());
        // A damaged meta record.
        let mut bad = whole;
        bad[8] ^= 0xff;
        fs::write(&path, &bad)?;
        assert!(read_snapshot_file(dir.path()).is_err());
        Ok(())
    }
}
