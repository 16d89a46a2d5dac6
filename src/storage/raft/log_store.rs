//! The Raft log and vote on fjall.
//!
//! Appends go into fjall at once and are acknowledged by a flusher thread:
//! it takes every pending acknowledgement, syncs the journal once, then
//! answers them all in order — one fsync for all entries appended while
//! the previous sync ran.
//!
//! Purges wait for the state machine: openraft 0.9 purges a follower's
//! log up to a snapshot it installs in the same step as it hands the
//! snapshot over, so a crash between that purge reaching disk and the
//! state switching to the snapshot left a log purged past the state,
//! and a member that could not start. A gated log purges no further than
//! the state machine says it holds on disk ([`LogStore::state_durable_at`]);
//! the rest waits.
//!
//! The newest entries are also kept decoded ([`RecentEntries`]): openraft
//! reads each one back right after appending it, to replicate and apply.

use std::fmt::Debug;
use std::ops::{Bound, RangeBounds};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use fjall::{Database, Keyspace, PersistMode};
use openraft::storage::{LogFlushed, RaftLogStorage};
use openraft::{
    Entry, LogId, LogState, OptionalSend, RaftLogId, RaftLogReader, StorageIOError, Vote,
};

use super::format::{decode, decode_entry, encode};
use super::recent_entries::RecentEntries;
use super::types::{MetaRaft, RaftStorageError};
use crate::metrics;

const VOTE_KEY: &[u8] = b"vote";
const LAST_PURGED_KEY: &[u8] = b"last_purged";
const COMMITTED_KEY: &[u8] = b"committed";

fn read_err(e: impl std::error::Error + 'static) -> RaftStorageError {
    StorageIOError::read_logs(&e).into()
}

fn write_err(e: impl std::error::Error + 'static) -> RaftStorageError {
    StorageIOError::write_logs(&e).into()
}

/// The Raft log store; clones share the same log.
#[derive(Clone)]
pub struct LogStore {
    db: Database,
    log: Keyspace,
    store: Keyspace,
    flusher: Arc<mpsc::Sender<(LogFlushed<MetaRaft>, usize)>>,
    /// `None`: purges happen when asked (openraft's storage suite).
    gate: Option<Arc<Mutex<PurgeGate>>>,
    /// The newest entries, decoded; held only for memory work, never
    /// across I/O.
    recent: Arc<Mutex<RecentEntries>>,
}

/// What the state machine holds on disk, and the purge waiting for it.
#[derive(Debug, Default)]
struct PurgeGate {
    /// Index of the last entry the state on disk includes.
    durable: Option<u64>,
    /// The furthest purge asked for beyond `durable`.
    pending: Option<LogId<u64>>,
}

impl LogStore {
    /// Opens (or creates) the log in `dir` and starts its flusher thread.
    pub fn open(dir: &Path) -> Result<Self, RaftStorageError> {
        let db = crate::storage::fjall_builder(dir)
            .manual_journal_persist(true)
            .open()
            .map_err(write_err)?;
        let log = db
            .keyspace("raft_log", || {
                // Entries are large (many ops, small objects inline) and
                // written once in key order: keeping them in blob files
                // spares compaction from rewriting them.
                crate::storage::keyspace_options()
                    .with_kv_separation(Some(fjall::KvSeparationOptions::default()))
            })
            .map_err(write_err)?;
        let store = db
            .keyspace("raft_store", crate::storage::keyspace_options)
            .map_err(write_err)?;
        let (tx, rx) = mpsc::channel::<(LogFlushed<MetaRaft>, usize)>();
        let flush_db = db.clone();
        std::thread::Builder::new()
            .name("raft-log-flush".into())
            .spawn(move || flush_loop(&flush_db, &rx))
            .map_err(write_err)?;
        Ok(Self {
            db,
            log,
            store,
            flusher: Arc::new(tx),
            gate: None,
            recent: Arc::default(),
        })
    }

    /// From now on, purges go no further than the state machine holds on
    /// disk: through entry `durable` now, later as it says.
    pub fn gate_purges(&mut self, durable: Option<u64>) {
        self.gate = Some(Arc::new(Mutex::new(PurgeGate {
            durable,
            pending: None,
        })));
    }

    /// The state machine holds every entry through `index` on disk: a purge
    /// that waited for it happens now.
    pub fn state_durable_at(&self, index: u64) -> Result<(), RaftStorageError> {
        let Some(gate) = &self.gate else {
            return Ok(());
        };
        let mut gate = gate.lock().unwrap_or_else(|e| e.into_inner());
        gate.durable = gate.durable.max(Some(index));
        match gate.pending {
            Some(upto) if upto.index <= index => {
                gate.pending = None;
                self.purge_now(upto)
            }
            _ => Ok(()),
        }
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, RecentEntries> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Removes the entries through `upto` and records it as the last purged.
    fn purge_now(&self, upto: LogId<u64>) -> Result<(), RaftStorageError> {
        self.recent().purge(upto.index);
        let mut batch = self.db.batch();
        batch.insert(
            &self.store,
            LAST_PURGED_KEY,
            encode(&upto).map_err(write_err)?,
        );
        for guard in self.log.range(..=index_key(upto.index)) {
            batch.remove(&self.log, guard.key().map_err(read_err)?);
        }
        batch.commit().map_err(write_err)
    }

    fn get_value<T: for<'de> serde::Deserialize<'de>>(
        &self,
        key: &[u8],
    ) -> Result<Option<T>, RaftStorageError> {
        match self.store.get(key).map_err(read_err)? {
            Some(v) => Ok(Some(decode(&v).map_err(read_err)?)),
            None => Ok(None),
        }
    }

    fn put_value<T: serde::Serialize>(
        &self,
        key: &[u8],
        value: &T,
    ) -> Result<(), RaftStorageError> {
        let bytes = encode(value).map_err(write_err)?;
        self.store.insert(key, bytes).map_err(write_err)
    }

    fn sync(&self) -> Result<(), RaftStorageError> {
        self.db.persist(PersistMode::SyncData).map_err(write_err)
    }
}

/// Answers acknowledgements in order, one journal sync per group (each
/// acknowledgement covers the entries of one append).
fn flush_loop(db: &Database, rx: &mpsc::Receiver<(LogFlushed<MetaRaft>, usize)>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        group.extend(rx.try_iter());
        let result = db
            .persist(PersistMode::SyncData)
            .map_err(std::io::Error::other);
        let entries: usize = group.iter().map(|(_, n)| n).sum();
        metrics::RAFT_ENTRIES_PER_LOG_SYNC.observe(entries as f64);
        for (callback, _) in group {
            let answer = match &result {
                Ok(()) => Ok(()),
                Err(e) => Err(std::io::Error::new(e.kind(), e.to_string())),
            };
            callback.log_io_completed(answer);
        }
    }
}

fn index_key(index: u64) -> [u8; 8] {
    index.to_be_bytes()
}

fn bound_key(bound: Bound<&u64>) -> Bound<[u8; 8]> {
    match bound {
        Bound::Included(i) => Bound::Included(index_key(*i)),
        Bound::Excluded(i) => Bound::Excluded(index_key(*i)),
        Bound::Unbounded => Bound::Unbounded,
    }
}

impl RaftLogReader<MetaRaft> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry<MetaRaft>>, RaftStorageError> {
        if let Some(entries) = self.recent().get(&range) {
            return Ok(entries);
        }
        let range = (bound_key(range.start_bound()), bound_key(range.end_bound()));
        let mut entries = Vec::new();
        for guard in self.log.range(range) {
            let (_, v) = guard.into_inner().map_err(read_err)?;
            entries.push(decode_entry(&v).map_err(read_err)?);
        }
        Ok(entries)
    }
}

impl RaftLogStorage<MetaRaft> for LogStore {
    type LogReader = Self;

    async fn get_log_state(&mut self) -> Result<LogState<MetaRaft>, RaftStorageError> {
        let last_purged: Option<LogId<u64>> = self.get_value(LAST_PURGED_KEY)?;
        let last = match self.log.last_key_value() {
            Some(guard) => {
                let (_, v) = guard.into_inner().map_err(read_err)?;
                let entry = decode_entry(&v).map_err(read_err)?;
                Some(*entry.get_log_id())
            }
            None => last_purged,
        };
        Ok(LogState {
            last_purged_log_id: last_purged,
            last_log_id: last,
        })
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<u64>) -> Result<(), RaftStorageError> {
        self.put_value(VOTE_KEY, vote)
            .map_err(|e| StorageIOError::write_vote(&e).into())
            .and_then(|_| self.sync())
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<u64>>, RaftStorageError> {
        self.get_value(VOTE_KEY)
    }

    async fn save_committed(
        &mut self,
        committed: Option<LogId<u64>>,
    ) -> Result<(), RaftStorageError> {
        // Durable with the next sync; losing it only delays re-apply.
        self.put_value(COMMITTED_KEY, &committed)
    }

    async fn read_committed(&mut self) -> Result<Option<LogId<u64>>, RaftStorageError> {
        Ok(self
            .get_value::<Option<LogId<u64>>>(COMMITTED_KEY)?
            .flatten())
    }

    async fn append<I>(
        &mut self,
        entries: I,
        callback: LogFlushed<MetaRaft>,
    ) -> Result<(), RaftStorageError>
    where
        I: IntoIterator<Item = Entry<MetaRaft>> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut batch = self.db.batch();
        let mut appended = Vec::new();
        for entry in entries {
            let bytes = encode(&entry).map_err(write_err)?;
            let key = index_key(entry.get_log_id().index);
            appended.push((entry, bytes.len()));
            batch.insert(&self.log, key, bytes);
        }
        batch.commit().map_err(write_err)?;
        let count = appended.len();
        let mut recent = self.recent();
        for (entry, size) in appended {
            recent.push(entry, size);
        }
        drop(recent);
        // Acknowledged by the flusher once a sync covers it.
        self.flusher
            .send((callback, count))
            .map_err(|_| write_err(std::io::Error::other("log flusher stopped")))
    }

    async fn truncate(&mut self, log_id: LogId<u64>) -> Result<(), RaftStorageError> {
        self.recent().truncate(log_id.index);
        let mut batch = self.db.batch();
        for guard in self.log.range(index_key(log_id.index)..) {
            batch.remove(&self.log, guard.key().map_err(read_err)?);
        }
        batch.commit().map_err(write_err)?;
        self.sync()
    }

    async fn purge(&mut self, log_id: LogId<u64>) -> Result<(), RaftStorageError> {
        let Some(gate) = &self.gate else {
            return self.purge_now(log_id);
        };
        let mut gate = gate.lock().unwrap_or_else(|e| e.into_inner());
        if gate.durable.is_some_and(|d| log_id.index <= d) {
            return self.purge_now(log_id);
        }
        gate.pending = gate.pending.max(Some(log_id));
        Ok(())
    }
}
