//! Snapshot files under a state machine's directory.
//!
//! The state machine is its own snapshot: the fjall state is durable at
//! its applied index, so a "built" snapshot is only a point-in-time view
//! of it, and nothing is copied on disk. A view sent to a member is
//! streamed (`snapshot_stream`); one handed over whole to this node's
//! own install is exported into an unnamed file (gone when the last
//! handle closes) and imported from it. A follower imports the chunks it
//! receives as they arrive (`snapshot_import`). No snapshot is ever held
//! whole in memory.

use std::fs;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::storage::meta::StateView;

/// Where earlier versions received a snapshot from the leader.
const RECEIVING: &str = "snapshot.receiving";
/// A view being exported (unlinked once open).
const SENDING: &str = ".sending";
/// Files of earlier versions, which kept every snapshot on disk: the
/// record naming the current one, its data files, data files being
/// built, and the single-file snapshot of the versions before.
const EARLIER_RECORDS: [&str; 3] = ["snapshot.meta", "snapshot.meta.tmp", "snapshot.bin"];
const EARLIER_SUFFIXES: [&str; 2] = [".data", ".building"];

/// Bytes a snapshot file is written between two syncs (see
/// [`SyncingWriter`]).
const SYNC_EVERY: u64 = 8 << 20;

/// The snapshot files under a state machine's directory.
pub(super) struct SnapshotDir {
    root: PathBuf,
}

impl SnapshotDir {
    /// The directory `root`; files an interrupted receive or export left,
    /// and the snapshots earlier versions kept, are removed (the state
    /// itself holds everything they did).
    pub(super) fn open(root: &Path) -> io::Result<Self> {
        for entry in fs::read_dir(root)? {
            let name = entry?.file_name();
            let name = name.to_string_lossy();
            let leftover = name == RECEIVING
                || name.ends_with(SENDING)
                || EARLIER_RECORDS.contains(&&*name)
                || (name.starts_with("snapshot-")
                    && EARLIER_SUFFIXES.iter().any(|s| name.ends_with(s)));
            if leftover {
                fs::remove_file(root.join(&*name))?;
            }
        }
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// Exports `view` into a file no name points to, open at its start:
    /// its disk is given back when the file is dropped, and a crash
    /// leaves nothing behind.
    pub(super) fn export(&self, view: &StateView) -> io::Result<fs::File> {
        let path = self
            .root
            .join(format!("snapshot-{:016x}{SENDING}", rand::random::<u64>()));
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)?;
        fs::remove_file(&path)?;
        // The export buffers its own writes.
        let mut out = SyncingWriter::new(file);
        view.export(&mut out).map_err(io::Error::other)?;
        let mut file = out.finish()?;
        let bytes = file.stream_position()?;
        file.seek(SeekFrom::Start(0))?;
        crate::metrics::RAFT_SNAPSHOT_BYTES.set(i64::try_from(bytes).unwrap_or(i64::MAX));
        Ok(file)
    }
}

/// A snapshot file being written, synced every [`SYNC_EVERY`] bytes.
///
/// Left to the page cache, a gigabyte of it would be written back in one
/// go, and the Raft log's syncs on the same disk would wait seconds
/// behind it: the leader then hears no quorum and reads fail. Synced as
/// it goes, no sync waits behind more than a few megabytes.
pub(super) struct SyncingWriter {
    file: fs::File,
    unsynced: u64,
}

impl SyncingWriter {
    /// Writes into `file` from where it stands.
    pub(super) fn new(file: fs::File) -> Self {
        Self { file, unsynced: 0 }
    }

    /// Syncs what is left and hands the file back.
    pub(super) fn finish(self) -> io::Result<fs::File> {
        self.file.sync_data()?;
        Ok(self.file)
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
