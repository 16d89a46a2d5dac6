//! A metadata snapshot's data as openraft handles it: the leader reads it
//! in chunks (a seek to the chunk's offset, then reads), a member writes
//! the chunks it receives into it.
//!
//! A snapshot the state machine hands out is a view of its state; at the
//! first read or seek it is measured, then streamed ([`SnapshotStream`]),
//! so building a snapshot (which lets the log be purged) writes nothing,
//! and sending one writes no copy of the state either. A snapshot being
//! received is imported as its chunks arrive ([`SnapshotImport`]).

use std::fs;
use std::future::Future;
use std::io::{self, SeekFrom};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use tokio::task::JoinHandle;

use super::snapshot_file::SnapshotDir;
use super::snapshot_import::SnapshotImport;
use super::snapshot_stream::SnapshotStream;
use crate::storage::meta::StateView;

/// Where a snapshot's data stands.
enum Stage {
    /// Not read yet.
    View(Arc<StateView>),
    /// Being measured on a blocking thread, since the instant given.
    Measuring(Arc<StateView>, JoinHandle<io::Result<u64>>, Instant),
    /// Being sent.
    Streaming(SnapshotStream),
    /// Being received and imported.
    Importing(SnapshotImport),
    /// The measure failed (said once; every later call fails too).
    Failed,
}

/// openraft's `SnapshotData` of the metadata group.
pub struct SnapshotData {
    stage: Stage,
    dir: Arc<SnapshotDir>,
    /// A seek asked for and not done yet.
    seek: Option<SeekFrom>,
}

impl SnapshotData {
    /// The snapshot `view`, streamed when first read.
    pub(super) fn view(view: StateView, dir: Arc<SnapshotDir>) -> Self {
        Self {
            stage: Stage::View(Arc::new(view)),
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

    /// The view exported into a file (a snapshot handed over whole, which
    /// nothing streams).
    pub(super) async fn into_file(self) -> io::Result<fs::File> {
        let view = match self.stage {
            Stage::View(view) | Stage::Measuring(view, ..) => view,
            Stage::Streaming(stream) => stream.view(),
            Stage::Importing(_) | Stage::Failed => {
                return Err(io::Error::other("snapshot data is not a view"))
            }
        };
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || dir.export(&view))
            .await
            .map_err(io::Error::other)?
    }

    /// Drives the measure until the view streams, then does the seek
    /// asked for.
    fn poll_stream(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<&mut SnapshotStream>> {
        loop {
            match &mut self.stage {
                Stage::Streaming(_) => break,
                Stage::Importing(_) => return Poll::Ready(Err(not_readable())),
                Stage::Failed => {
                    return Poll::Ready(Err(io::Error::other("snapshot measure failed")))
                }
                Stage::View(view) => {
                    let view = view.clone();
                    let measured = view.clone();
                    let job = tokio::task::spawn_blocking(move || {
                        measured.exported_len().map_err(io::Error::other)
                    });
                    self.stage = Stage::Measuring(view, job, Instant::now());
                }
                Stage::Measuring(view, job, since) => {
                    let done = ready!(Pin::new(job).poll(cx));
                    match done.map_err(io::Error::other).and_then(|r| r) {
                        Ok(len) => {
                            tracing::info!(
                                bytes = len,
                                measured_ms = since.elapsed().as_millis(),
                                "sending a metadata snapshot"
                            );
                            crate::metrics::RAFT_SNAPSHOT_BYTES
                                .set(i64::try_from(len).unwrap_or(i64::MAX));
                            self.stage = Stage::Streaming(SnapshotStream::start(view.clone(), len));
                        }
                        Err(e) => {
                            self.stage = Stage::Failed;
                            return Poll::Ready(Err(e));
                        }
                    }
                }
            }
        }
        let Stage::Streaming(stream) = &mut self.stage else {
            return Poll::Ready(Err(io::Error::other("snapshot data is not streaming")));
        };
        if let Some(pos) = self.seek.take() {
            let offset = match pos {
                SeekFrom::Start(o) => Some(o),
                SeekFrom::End(d) => stream.len().checked_add_signed(d),
                SeekFrom::Current(d) => stream.position().checked_add_signed(d),
            };
            let offset = offset.ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "seek before the start")
            })?;
            stream.seek(offset)?;
        }
        Poll::Ready(Ok(stream))
    }
}

impl AsyncRead for SnapshotData {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let stream = ready!(self.get_mut().poll_stream(cx))?;
        Pin::new(stream).poll_read(cx, buf)
    }
}

impl AsyncSeek for SnapshotData {
    fn start_seek(self: Pin<&mut Self>, position: SeekFrom) -> io::Result<()> {
        let this = self.get_mut();
        match &mut this.stage {
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
        let stream = ready!(this.poll_stream(cx))?;
        Poll::Ready(Ok(stream.position()))
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

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().stage {
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
