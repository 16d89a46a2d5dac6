//! A snapshot from the leader imported as its chunks arrive.
//!
//! A blocking thread imports the stream into a fresh state directory
//! while the leader is still sending it, so the member's disk holds no
//! copy of the snapshot, the transfer and the import overlap, and once
//! the last chunk is in only the import's tail is left. A bounded
//! channel between the chunks and the import keeps memory bounded: the
//! leader's chunks wait while the import is behind.

use std::future::Future;
use std::io::{self, Read, SeekFrom};
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::PollSender;

use crate::storage::meta::MetaState;

/// Chunks (3 MiB each from the leader) waiting for the import.
const QUEUED_CHUNKS: usize = 4;

/// A stream no chunk arrives on for this long is abandoned: openraft
/// keeps a stream the leader gave up (it stepped down, or the member
/// caught up by the log) until another one begins, and its import would
/// hold a blocking thread and a partial state directory, as large as the
/// state, until then. Chunks come back to back, and the leader retries a
/// lost one within seconds.
const ABANDONED_AFTER: Duration = Duration::from_secs(300);

/// The import of a snapshot being received.
pub(super) struct SnapshotImport {
    chunks: PollSender<Bytes>,
    /// Bytes handed to the import.
    received: u64,
    /// Where the next write lands in the stream. The leader may send a
    /// chunk again (its answer was lost) after a seek back; one snapshot
    /// id always has the same bytes, so what was imported is skipped.
    offset: u64,
    /// The import; taken by [`SnapshotImport::finish`].
    job: Option<JoinHandle<io::Result<MetaState>>>,
    dir: PathBuf,
    generation: u64,
    /// How long the import waits for a chunk ([`ABANDONED_AFTER`]).
    idle: Duration,
    /// The import stopped and the leader sends the stream again from its
    /// start: the next write begins a new import.
    restart: bool,
}

impl SnapshotImport {
    /// Starts importing into `dir` (state generation `generation`), which
    /// must not exist yet; a failed import removes it.
    pub(super) fn start(dir: PathBuf, generation: u64) -> Self {
        Self::start_waiting(dir, generation, ABANDONED_AFTER)
    }

    /// [`SnapshotImport::start`], the stream abandoned after `idle`
    /// without a chunk.
    pub(super) fn start_waiting(dir: PathBuf, generation: u64, idle: Duration) -> Self {
        let (tx, rx) = mpsc::channel(QUEUED_CHUNKS);
        let target = dir.clone();
        let runtime = tokio::runtime::Handle::current();
        let job = tokio::task::spawn_blocking(move || {
            let mut reader = ChunkReader {
                chunks: rx,
                current: Bytes::new(),
                runtime,
                idle,
            };
            let imported = MetaState::import(&target, &mut reader).map_err(io::Error::other);
            if let Err(e) = &imported {
                // A stream abandoned (for a newer one, or by the leader),
                // or damaged: nothing of it stays.
                tracing::warn!(dir = %target.display(), "a metadata snapshot being received was not imported: {e}");
                let _ = std::fs::remove_dir_all(&target);
            }
            imported
        });
        Self {
            chunks: PollSender::new(tx),
            received: 0,
            offset: 0,
            job: Some(job),
            dir,
            generation,
            idle,
            restart: false,
        }
    }

    /// The import ended before the stream did (damaged or cut bytes, a
    /// disk error): it takes no more.
    fn stopped(&self) -> bool {
        self.chunks.get_ref().is_some_and(|tx| tx.is_closed())
    }

    /// The state generation the import builds.
    pub(super) fn generation(&self) -> u64 {
        self.generation
    }

    /// Takes the next bytes of the stream (some of `buf`).
    pub(super) fn poll_write(
        &mut self,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.restart {
            // The stopped import has removed its directory once it ends.
            if let Some(job) = &mut self.job {
                let _ = ready!(Pin::new(job).poll(cx));
            }
            self.job = None;
            *self = Self::start_waiting(std::mem::take(&mut self.dir), self.generation, self.idle);
        }
        let again = usize::try_from(self.received - self.offset).unwrap_or(usize::MAX);
        if again > 0 {
            let n = again.min(buf.len());
            self.offset += n as u64;
            return Poll::Ready(Ok(n));
        }
        if ready!(self.chunks.poll_reserve(cx)).is_err()
            || self.chunks.send_item(Bytes::copy_from_slice(buf)).is_err()
        {
            return Poll::Ready(Err(io::Error::other(
                "the snapshot import stopped (its error is reported at install)",
            )));
        }
        self.offset += buf.len() as u64;
        self.received = self.offset;
        Poll::Ready(Ok(buf.len()))
    }

    /// Where the next write lands.
    pub(super) fn position(&self) -> u64 {
        self.offset
    }

    /// Moves to `position`, at most as far as what was received.
    pub(super) fn seek(&mut self, position: SeekFrom) -> io::Result<()> {
        match position {
            // The member refused the stream its import stopped on, and the
            // leader sends it again: without a new import, a leader whose
            // snapshot does not change (no writes) would send it in vain.
            SeekFrom::Start(0) if self.stopped() => {
                self.restart = true;
                self.offset = 0;
                self.received = 0;
                Ok(())
            }
            SeekFrom::Start(at) if at <= self.received => {
                self.offset = at;
                Ok(())
            }
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a snapshot being received can only go back over what it received",
            )),
        }
    }

    /// Ends the stream: the import reads its end next.
    pub(super) fn close(&mut self) {
        self.chunks.close();
    }

    /// Waits for the import to end; the imported state, synced.
    pub(super) async fn finish(mut self) -> io::Result<MetaState> {
        self.close();
        let job = self
            .job
            .take()
            .ok_or_else(|| io::Error::other("the snapshot import was already finished"))?;
        job.await.map_err(io::Error::other)?
    }
}

impl Drop for SnapshotImport {
    /// A snapshot openraft received but does not install (a newer one
    /// came, the leader changed, the member caught up by the log): its
    /// import ends and its directory goes, even if the import succeeded.
    fn drop(&mut self) {
        let Some(job) = self.job.take() else {
            return;
        };
        self.chunks.close();
        let dir = std::mem::take(&mut self.dir);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return; // No runtime: the next start removes the directory.
        };
        runtime.spawn(async move {
            if let Ok(Ok(state)) = job.await {
                drop(state);
                let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(dir)).await;
            }
        });
    }
}

/// The import's side of the channel, as a reader.
struct ChunkReader {
    chunks: mpsc::Receiver<Bytes>,
    current: Bytes,
    /// Times the wait for a chunk.
    runtime: tokio::runtime::Handle,
    idle: Duration,
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            let next = tokio::time::timeout(self.idle, self.chunks.recv());
            match self.runtime.block_on(next) {
                Ok(Some(chunk)) => self.current = chunk,
                // Sender gone: the end of the stream (or of an abandoned
                // one, which the import finds cut short).
                Ok(None) => return Ok(0),
                Err(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no chunk came for {:?}: abandoned", self.idle),
                    ))
                }
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current.advance(n);
        Ok(n)
    }
}
