//! The last metadata snapshot on disk.
//!
//! A snapshot's data (a [`MetaState`](crate::storage::meta::MetaState)
//! export) is a file of its own: openraft reads it in chunks to send to a
//! follower, and a follower writes the chunks it receives into a file. So
//! no snapshot is ever held whole in memory, however large the metadata.
//! A small record (`snapshot.meta`, replaced atomically) names the current
//! data file and carries openraft's meta; a data file is complete and
//! synced before a record names it.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use openraft::{BasicNode, SnapshotMeta};
use serde::{Deserialize, Serialize};

use super::format::{decode, encode};

/// The record naming the current snapshot.
const RECORD: &str = "snapshot.meta";
/// Where a snapshot from the leader is received.
const RECEIVING: &str = "snapshot.receiving";
/// Data files being built end so until published.
const BUILDING: &str = ".building";
/// Published data files end so.
const DATA: &str = ".data";
/// The single-file snapshot of earlier versions: meta length, meta, data.
const LEGACY: &str = "snapshot.bin";

/// Bytes a snapshot file is written between two syncs (see
/// [`SyncingWriter`]).
const SYNC_EVERY: u64 = 8 << 20;

/// Openraft's meta of a metadata snapshot.
pub(super) type Meta = SnapshotMeta<u64, BasicNode>;

/// What `snapshot.meta` holds (a versioned value, see `format`).
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    meta: Meta,
    /// The data file's name in the same directory.
    data_file: String,
    /// Its length: a shorter file is a damaged snapshot.
    data_len: u64,
}

fn damaged(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("snapshot {what}"))
}

/// The snapshot files under a state machine's directory. Publishing is
/// serialised: a snapshot built in the background and one installed from
/// the leader may finish together, and the newer one must stay current;
/// and a reader opens the data file its record names before a publish
/// can remove it.
pub(super) struct SnapshotFiles {
    root: PathBuf,
    publish: Mutex<()>,
}

impl SnapshotFiles {
    /// The files under `root`; leftovers of an interrupted build or
    /// receive are removed and a single-file snapshot of an earlier
    /// version is converted.
    pub(super) fn open(root: &Path) -> io::Result<Self> {
        let files = Self {
            root: root.to_path_buf(),
            publish: Mutex::new(()),
        };
        for entry in fs::read_dir(root)? {
            let name = entry?.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(BUILDING) || name == RECEIVING {
                fs::remove_file(root.join(&*name))?;
            }
        }
        files.convert_legacy()?;
        if let Some(record) = files.record()? {
            files.note_size(record.data_len);
        }
        Ok(files)
    }

    /// A fresh path for a snapshot about to be built.
    pub(super) fn building_path(&self) -> PathBuf {
        self.root
            .join(format!("snapshot-{:016x}{BUILDING}", rand::random::<u64>()))
    }

    /// Where a snapshot from the leader is received (one at a time).
    pub(super) fn receiving_path(&self) -> PathBuf {
        self.root.join(RECEIVING)
    }

    /// A received snapshot's data as a synced file under this directory,
    /// ready to [`publish`](Self::publish): the receiving file itself, or
    /// a copy of another (openraft may hand over any snapshot data).
    pub(super) fn stage_received(&self, data: &mut fs::File) -> io::Result<PathBuf> {
        let receiving = self.receiving_path();
        if let Ok(on_disk) = fs::metadata(&receiving) {
            let held = data.metadata()?;
            if (on_disk.dev(), on_disk.ino()) == (held.dev(), held.ino()) {
                data.sync_all()?;
                return Ok(receiving);
            }
        }
        let path = self.building_path();
        data.seek(SeekFrom::Start(0))?;
        let mut copy = SyncingWriter::create(&path)?;
        io::copy(data, &mut copy)?;
        copy.finish()?;
        Ok(path)
    }

    /// Makes the complete, synced file `data` the current snapshot with
    /// `meta`, unless the current one is newer (then `data` is removed).
    /// Data files no record names any more are removed: a reader that has
    /// one open keeps reading it.
    pub(super) fn publish(&self, meta: &Meta, data: &Path) -> io::Result<()> {
        let _one_at_a_time = self.lock()?;
        if let Some(current) = self.record()? {
            if current.meta.last_log_id > meta.last_log_id {
                return fs::remove_file(data);
            }
        }
        let data_file = format!("snapshot-{:016x}{DATA}", rand::random::<u64>());
        let data_len = fs::metadata(data)?.len();
        fs::rename(data, self.root.join(&data_file))?;
        let record = encode(&Record {
            meta: meta.clone(),
            data_file: data_file.clone(),
            data_len,
        })
        .map_err(io::Error::other)?;
        let tmp = self.root.join(format!("{RECORD}.tmp"));
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&record)?;
        f.sync_all()?;
        fs::rename(&tmp, self.root.join(RECORD))?;
        fs::File::open(&self.root)?.sync_all()?;
        self.note_size(data_len);
        for entry in fs::read_dir(&self.root)? {
            let name = entry?.file_name();
            let name = name.to_string_lossy();
            if name.ends_with(DATA) && name != data_file {
                fs::remove_file(self.root.join(&*name))?;
            }
        }
        Ok(())
    }

    /// The current snapshot's meta and its data file, open at its start;
    /// `None` before the first snapshot.
    pub(super) fn current(&self) -> io::Result<Option<(Meta, fs::File)>> {
        // Not while a publish removes the file the record named.
        let _no_publish = self.lock()?;
        let Some(record) = self.record()? else {
            return Ok(None);
        };
        if record.data_file.contains(['/', '\\']) || !record.data_file.ends_with(DATA) {
            return Err(damaged("record names a file outside the snapshot"));
        }
        let file = fs::File::open(self.root.join(&record.data_file))?;
        if file.metadata()?.len() != record.data_len {
            return Err(damaged("data file is not the length its record says"));
        }
        Ok(Some((record.meta, file)))
    }

    fn lock(&self) -> io::Result<std::sync::MutexGuard<'_, ()>> {
        self.publish
            .lock()
            .map_err(|_| io::Error::other("snapshot files lock poisoned"))
    }

    fn note_size(&self, bytes: u64) {
        crate::metrics::RAFT_SNAPSHOT_BYTES.set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    fn record(&self) -> io::Result<Option<Record>> {
        match fs::read(self.root.join(RECORD)) {
            Ok(bytes) => decode(&bytes).map(Some),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Splits an earlier version's `snapshot.bin` into a data file and a
    /// record, streaming its data.
    fn convert_legacy(&self) -> io::Result<()> {
        let path = self.root.join(LEGACY);
        let mut file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let size = file.metadata()?.len();
        let mut len = [0u8; 8];
        file.read_exact(&mut len)
            .map_err(|_| damaged("file of an earlier version is cut short"))?;
        let len = u64::from_le_bytes(len);
        if len.checked_add(8).is_none_or(|head| head > size) {
            return Err(damaged("file of an earlier version is cut short"));
        }
        let mut meta = vec![0u8; usize::try_from(len).map_err(io::Error::other)?];
        file.read_exact(&mut meta)?;
        let meta: Meta = decode(&meta)?;
        let building = self.building_path();
        let mut out = SyncingWriter::create(&building)?;
        io::copy(&mut file, &mut out)?;
        out.finish()?;
        self.publish(&meta, &building)?;
        fs::remove_file(path)?;
        fs::File::open(&self.root)?.sync_all()
    }
}

/// A snapshot file being written, synced every [`SYNC_EVERY`] bytes.
///
/// Every member builds its snapshot at the same log index. Left to the
/// page cache, a gigabyte of it would be flushed at the final sync, and
/// the Raft log's syncs on the same disk would wait seconds behind it on
/// every member at once: the leader then hears no quorum and reads fail.
/// Synced as it goes, no sync waits behind more than a few megabytes.
pub(super) struct SyncingWriter {
    file: fs::File,
    unsynced: u64,
}

impl SyncingWriter {
    /// Creates (or empties) the file at `path`.
    pub(super) fn create(path: &Path) -> io::Result<Self> {
        Ok(Self {
            file: fs::File::create(path)?,
            unsynced: 0,
        })
    }

    /// Syncs what is left, data and length.
    pub(super) fn finish(self) -> io::Result<()> {
        self.file.sync_all()
    }
}

impl Write for SyncingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        if self.unsynced >= SYNC_EVERY {
            self.file.sync_data()?;
            self.unsynced = 0;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests;
