//! A metadata snapshot's data as openraft handles it: the leader reads it
//! in chunks (a seek to the chunk's offset, then reads), a member writes
//! the chunks it receives into it.
//!
//! A snapshot the state machine hands out is a view of its state; the
//! view is exported to a file on a blocking thread at the first read or
//! seek, so building a snapshot (which lets the log be purged) writes
//! nothing, and only a snapshot actually sent costs an export. A
//! snapshot being received is imported as its chunks arrive
//! ([`SnapshotImport`]).

use std::fs;
use std::future::Future;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use tokio::task::JoinHandle;

use super::snapshot_file::SnapshotDir;
use super::snapshot_import::SnapshotImport;
use crate::storage::meta::StateView;

/// Where a snapshot's data stands.
enum Stage {
    /// Not exported yet.
    View(Box<StateView>),
    /// Being exported on a blocking thread.
    Exporting(JoinHandle<io::Result<fs::File>>),
    /// Exported.
    File(tokio::fs::File),
    /// Being received and imported.
    Importing(SnapshotImport),
    /// The export failed (said once; every later call fails too).
    Failed,
}

/// openraft's `SnapshotData` of the metadata group.
pub struct SnapshotData {
    stage: Stage,
    dir: Arc<SnapshotDir>,
    /// A seek asked for before the file existed.
    seek: Option<SeekFrom>,
}

impl SnapshotData {
    /// The snapshot `view`, exported under `dir` when first read.
    pub(super) fn view(view: StateView, dir: Arc<SnapshotDir>) -> Self {
        Self {
            stage: Stage::View(Box::new(view)),
            dir,
            seek: None,
        }
    }

    /// A snapshot being received into `import`.
    pub(super) fn importing(import: SnapshotImport, dir: Arc<SnapshotDir>) -> Self {
        Self {
            stage: Stage::Importing(import),
            dir,
            seek: None,
        }
    }

    /// The import of a snapshot received; the data back if it is not one.
    pub(super) fn into_import(self) -> Result<SnapshotImport, Self> {
        match self.stage {
            Stage::Importing(import) => Ok(import),
            stage => Err(Self { stage, ..self }),
        }
    }

    /// The data as a file, exported first if it is still a view.
    pub(super) async fn into_file(mut self) -> io::Result<fs::File> {
        std::future::poll_fn(|cx| self.poll_file(cx).map_ok(drop)).await?;
        match self.stage {
            Stage::File(f) => Ok(f.into_std().await),
            _ => Err(io::Error::other("snapshot data is not a file")),
        }
    }

    /// Drives the export until the data is a file.
    fn poll_file(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&mut tokio::fs::File>> {
        loop {
            match &mut self.stage {
                Stage::File(_) => break,
                Stage::Importing(_) => return Poll::Ready(Err(not_readable())),
                Stage::Failed => {
                    return Poll::Ready(Err(io::Error::other("snapshot export failed")))
                }
                Stage::View(_) => {
                    if let Stage::View(view) = std::mem::replace(&mut self.stage, Stage::Failed) {
                        let dir = self.dir.clone();
                        self.stage = Stage::Exporting(tokio::task::spawn_blocking(move || {
                            dir.export(&view)
                        }));
                    }
                }
                Stage::Exporting(job) => {
                    let done = ready!(Pin::new(job).poll(cx));
                    match done.map_err(io::Error::other).and_then(|r| r) {
                        Ok(file) => self.stage = Stage::File(tokio::fs::File::from_std(file)),
                        Err(e) => {
                            self.stage = Stage::Failed;
                            return Poll::Ready(Err(e));
                        }
                    }
                }
            }
        }
        let Stage::File(file) = &mut self.stage else {
            return Poll::Ready(Err(io::Error::other("snapshot data is not a file")));
        };
        // A seek asked before the export: tokio's file ends it before
        // the next read or seek.
        if let Some(pos) = self.seek.take() {
            Pin::new(&mut *file).start_seek(pos)?;
        }
        Poll::Ready(Ok(file))
    }
}

impl AsyncRead for SnapshotData {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let file = ready!(self.get_mut().poll_file(cx))?;
        Pin::new(file).poll_read(cx, buf)
    }
}

impl AsyncSeek for SnapshotData {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        match &mut this.stage {
            Stage::File(file) => Pin::new(file).start_seek(position),
            Stage::Importing(import) => import.seek(position),
            _ => {
                this.seek = Some(position);
                Ok(())
            }
        }
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        if let Stage::Importing(import) = &mut this.stage {
            return Poll::Ready(Ok(import.position()));
        }
        let file = ready!(this.poll_file(cx))?;
        Pin::new(file).poll_complete(cx)
    }
}

/// Only a snapshot being received is written.
fn not_writable() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "a snapshot of this node's state is read, not written",
    )
}

/// A snapshot being received is written, not read.
fn not_readable() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "a snapshot being received is written, not read",
    )
}

impl AsyncWrite for SnapshotData {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().stage {
            Stage::Importing(import) => import.poll_write(cx, buf),
            _ => Poll::Ready(Err(not_writable())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stage {
            Stage::File(file) => Pin::new(file).poll_flush(cx),
            _ => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stage {
            Stage::File(file) => Pin::new(file).poll_shutdown(cx),
            // The last chunk is in: the import reads the stream's end.
            Stage::Importing(import) => {
                import.close();
                Poll::Ready(Ok(()))
            }
            _ => Poll::Ready(Ok(())),
        }
    }
}

#[cfg(test)]
mod tests;
