//! A snapshot sent to a member, streamed from a view of the state.
//!
//! openraft reads the snapshot it sends as a file: its length first, then
//! chunk after chunk, each read after a seek to its offset. A chunk whose
//! answer was lost is read again (a seek back to its offset), and a member
//! that refuses the snapshot makes it start over (a seek to 0). Nothing
//! else is asked for, so a stream serves exactly that: the view is
//! measured ([`StateView::exported_len`]), then exported on a blocking
//! thread into a short queue of blocks, and the bytes read since the last
//! seek are kept to be read again. The leader writes no copy of the state
//! to disk, and holds a few megabytes of it in memory.

use std::io::{self, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc;

use crate::storage::meta::StateView;

/// Bytes the export hands over at a time (its own buffer's size).
const BLOCK_BYTES: usize = 1 << 20;
/// Blocks exported ahead of the sender.
const BLOCKS_AHEAD: usize = 4;

/// A view being sent, read from where the last seek put it.
pub(super) struct SnapshotStream {
    view: Arc<StateView>,
    /// What the export writes in all, measured before the first read.
    len: u64,
    /// Blocks from the export thread, in order.
    blocks: mpsc::Receiver<io::Result<Bytes>>,
    /// What is left of the block being read.
    block: Bytes,
    /// Offset of the next byte from the export.
    exported: u64,
    /// Bytes read from the export since the last seek to its head, which
    /// a seek back may ask for again; `kept_from` is the first one's offset.
    kept: Vec<Bytes>,
    kept_from: u64,
    /// Offset the next read starts at.
    position: u64,
}

impl SnapshotStream {
    /// Starts exporting `view`, `len` bytes long.
    pub(super) fn start(view: Arc<StateView>, len: u64) -> Self {
        let blocks = export(view.clone(), len);
        Self {
            view,
            len,
            blocks,
            block: Bytes::new(),
            exported: 0,
            kept: Vec::new(),
            kept_from: 0,
            position: 0,
        }
    }

    /// The snapshot's length in bytes.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    /// Offset the next read starts at.
    pub(super) fn position(&self) -> u64 {
        self.position
    }

    /// The view being sent.
    pub(super) fn view(&self) -> Arc<StateView> {
        self.view.clone()
    }

    /// Moves to `offset`: the end, the export's head, back into the bytes
    /// read since the last seek (the first chunk sent again is one of
    /// them), or to the start (the export begins again); nowhere else.
    pub(super) fn seek(&mut self, offset: u64) -> io::Result<u64> {
        if offset == self.exported {
            self.kept.clear();
            self.kept_from = offset;
        } else if (self.kept_from..self.exported).contains(&offset) || offset == self.len {
            // Read again from what was kept, or nothing (the end).
        } else if offset == 0 {
            *self = Self::start(self.view.clone(), self.len);
        } else {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "a snapshot being sent is read again only from {} on, not from {offset}",
                    self.kept_from
                ),
            ));
        }
        self.position = offset;
        Ok(offset)
    }

    /// Copies kept bytes from `position` on into `buf`.
    fn read_kept(&mut self, buf: &mut ReadBuf<'_>) {
        let mut at = self.kept_from;
        for piece in &self.kept {
            let end = at + piece.len() as u64;
            if self.position < end {
                let from = (self.position - at) as usize;
                let n = (piece.len() - from).min(buf.remaining());
                buf.put_slice(&piece[from..from + n]);
                self.position += n as u64;
                return;
            }
            at = end;
        }
    }
}

impl AsyncRead for SnapshotStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.position >= this.len || buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if this.position < this.exported {
            this.read_kept(buf);
            return Poll::Ready(Ok(()));
        }
        if this.position != this.exported {
            // Only the end lies beyond the head, and it reads nothing.
            return Poll::Ready(Err(io::Error::other("snapshot stream out of place")));
        }
        if this.block.is_empty() {
            this.block = match ready!(this.blocks.poll_recv(cx)) {
                Some(block) => block?,
                None => {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the snapshot's export ended before its length",
                    )))
                }
            };
        }
        let n = this
            .block
            .len()
            .min(buf.remaining())
            .min((this.len - this.position) as usize);
        let piece = this.block.split_to(n);
        buf.put_slice(&piece);
        this.kept.push(piece);
        this.exported += n as u64;
        this.position += n as u64;
        Poll::Ready(Ok(()))
    }
}

/// Exports `view` on a blocking thread into a queue of blocks; the export
/// stops when the queue's reader goes, and fails if it writes other than
/// `len` bytes.
fn export(view: Arc<StateView>, len: u64) -> mpsc::Receiver<io::Result<Bytes>> {
    let (tx, rx) = mpsc::channel(BLOCKS_AHEAD);
    tokio::task::spawn_blocking(move || {
        let mut out = BlockWriter {
            tx: tx.clone(),
            written: 0,
            len,
        };
        let result = view
            .export(&mut out)
            .map_err(io::Error::other)
            .and_then(|()| match out.written {
                n if n == len => Ok(()),
                n => Err(io::Error::other(format!(
                    "the snapshot's export wrote {n} bytes, {len} measured"
                ))),
            });
        if let Err(e) = result {
            // Unless the reader is gone, which is why the export stopped.
            let _ = tx.blocking_send(Err(e));
        }
    });
    rx
}

/// Hands what the export writes to the stream, a block at a time.
struct BlockWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    written: u64,
    len: u64,
}

impl Write for BlockWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len() as u64;
        if self.written > self.len {
            return Err(io::Error::other(
                "the snapshot's export is longer than measured",
            ));
        }
        for part in buf.chunks(BLOCK_BYTES) {
            let block = Bytes::copy_from_slice(part);
            self.tx
                .blocking_send(Ok(block))
                .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "snapshot send ended"))?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
