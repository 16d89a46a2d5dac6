//! A shard write in progress: records reserved by the volume, payload
//! written by whoever holds this value.
//!
//! The volume's single writer decides where every record goes and writes
//! its header, so records never overlap or interleave; filling a reserved
//! region needs no coordination, so the payload is written (and its CRCs
//! computed) on the caller's blocking thread, in parallel with other
//! shards. Large shards go through an aligned buffer and direct I/O.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::sync::{Arc, Mutex};

use super::aligned::AlignedBuf;
use super::record::{RecordHeader, ALIGN};
use crate::storage::error::StorageError;
use crate::storage::index::{Extent, Position};
use crate::storage::shard_key::ShardKey;

/// Handle of a shard write in progress on a volume.
pub(crate) type WriteId = u64;

/// Shards at least this large are written with direct I/O.
pub(crate) const DIRECT_MIN_BYTES: u64 = 128 << 10;
/// Largest direct write of a shard's payload (and its buffer's size).
const DIRECT_WRITE_BYTES: usize = 1 << 20;

/// Writes dropped without being finished or aborted (their caller went
/// away); the volume reaps them so they stop holding its log back.
#[derive(Clone, Default)]
pub(crate) struct Abandoned(Arc<Mutex<Vec<WriteId>>>);

impl Abandoned {
    fn push(&self, id: WriteId) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(id);
    }

    /// The ids dropped since the last call.
    pub(crate) fn take(&self) -> Vec<WriteId> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// One reserved record of a shard.
pub(super) struct PlannedExtent {
    pub(super) extent: Extent,
    pub(super) file: Arc<File>,
    pub(super) direct: Option<Arc<File>>,
    pub(super) header: RecordHeader,
    pub(super) crcs: Vec<u32>,
    filled: u64,
    flushed: u64,
}

impl PlannedExtent {
    pub(super) fn new(
        at: Position,
        header: RecordHeader,
        file: Arc<File>,
        direct: Option<Arc<File>>,
    ) -> Self {
        Self {
            extent: Extent {
                at,
                shard_offset: header.extent_offset,
                len: header.extent_len,
                disk_size: header.disk_size(),
            },
            file,
            direct,
            crcs: Vec::with_capacity(header.fragments() as usize),
            header,
            filled: 0,
            flushed: 0,
        }
    }

    /// Writes what `stage` holds (zero-padded to the block size) after the
    /// part of the payload already on disk.
    fn flush(&mut self, stage: &mut AlignedBuf) -> std::io::Result<()> {
        if stage.is_empty() {
            return Ok(());
        }
        let len = stage.len() as u64;
        self.append_blocks(stage.padded(), len)?;
        stage.clear();
        Ok(())
    }

    /// Whether `data` can go to disk as it is: a block-aligned buffer, at a
    /// block-aligned place in the payload (nothing staged before it).
    fn takes_unstaged(&self, data: &[u8], stage: &AlignedBuf) -> bool {
        self.direct.is_some()
            && stage.is_empty()
            && data.len() as u64 >= ALIGN
            && (data.as_ptr() as usize).is_multiple_of(ALIGN as usize)
    }

    /// Writes whole blocks (`buf`, of which `len` bytes are payload) after
    /// the part of the payload already on disk.
    fn append_blocks(&mut self, buf: &[u8], len: u64) -> std::io::Result<()> {
        let pos = self.extent.at.offset + self.header.payload_offset() + self.flushed;
        match &self.direct {
            Some(direct) => match direct.write_all_at(buf, pos) {
                // The kernel refused direct I/O here: use the page cache.
                Err(e) if e.raw_os_error() == Some(rustix::io::Errno::INVAL.raw_os_error()) => {
                    self.file.write_all_at(buf, pos)?
                }
                other => other?,
            },
            None => self.file.write_all_at(buf, pos)?,
        }
        self.flushed += len;
        Ok(())
    }
}

/// A shard whose records are reserved and whose payload is being written.
pub struct ShardWrite {
    pub(super) id: WriteId,
    pub(super) key: ShardKey,
    pub(super) len: u64,
    pub(super) extents: Vec<PlannedExtent>,
    pub(super) written: u64,
    pub(super) crc: u32,
    fragment_bytes: u64,
    fragment_crc: u32,
    fragment_filled: u64,
    /// Block-aligned staging for direct writes (large shards only).
    stage: Option<AlignedBuf>,
    abandoned: Abandoned,
    /// Handed back to the volume (finished); dropping it is then silent.
    pub(super) settled: bool,
}

impl Drop for ShardWrite {
    fn drop(&mut self) {
        if !self.settled {
            self.abandoned.push(self.id);
        }
    }
}

impl ShardWrite {
    pub(super) fn new(
        id: WriteId,
        key: ShardKey,
        len: u64,
        fragment_bytes: u32,
        extents: Vec<PlannedExtent>,
        abandoned: Abandoned,
    ) -> Self {
        let direct = extents.iter().any(|e| e.direct.is_some()) || len >= DIRECT_MIN_BYTES;
        Self {
            id,
            key,
            len,
            extents,
            written: 0,
            crc: 0,
            fragment_bytes: u64::from(fragment_bytes),
            fragment_crc: 0,
            fragment_filled: 0,
            stage: direct.then(|| AlignedBuf::new((len as usize).min(DIRECT_WRITE_BYTES))),
            abandoned,
            settled: false,
        }
    }

    /// The write's handle, for aborting it.
    pub fn id(&self) -> WriteId {
        self.id
    }

    /// The shard being written.
    pub fn key(&self) -> ShardKey {
        self.key
    }

    /// Writes the next piece of the payload (blocking file I/O: call it on
    /// a blocking thread). More bytes than declared is an error.
    pub fn write(&mut self, mut data: &[u8]) -> Result<(), StorageError> {
        let got = self.written + data.len() as u64;
        if got > self.len {
            return Err(StorageError::LengthMismatch {
                expected: self.len,
                got,
            });
        }
        let frag = self.fragment_bytes;
        while !data.is_empty() {
            let Some(e) = self.extents.iter_mut().find(|e| e.filled < e.extent.len) else {
                break;
            };
            let n = (e.extent.len - e.filled).min(data.len() as u64) as usize;
            let (piece, rest) = data.split_at(n);
            match self.stage.as_mut() {
                Some(stage) => {
                    let mut left = piece;
                    while !left.is_empty() {
                        if e.takes_unstaged(left, stage) {
                            // Zero copy for producers of aligned buffers.
                            let n = left.len() - left.len() % ALIGN as usize;
                            e.append_blocks(&left[..n], n as u64)?;
                            left = &left[n..];
                            continue;
                        }
                        left = &left[stage.fill(left)..];
                        if stage.is_full() {
                            e.flush(stage)?;
                        }
                    }
                }
                None => {
                    let pos = e.extent.at.offset + e.header.payload_offset() + e.filled;
                    e.file.write_all_at(piece, pos)?;
                }
            }
            // CRC per fragment; fragments restart at every extent.
            let mut p = piece;
            while !p.is_empty() {
                let m = (frag - self.fragment_filled).min(p.len() as u64) as usize;
                self.fragment_crc = crc32c::crc32c_append(self.fragment_crc, &p[..m]);
                self.fragment_filled += m as u64;
                e.filled += m as u64;
                if self.fragment_filled == frag || e.filled == e.extent.len {
                    e.crcs.push(self.fragment_crc);
                    self.fragment_crc = 0;
                    self.fragment_filled = 0;
                }
                p = &p[m..];
            }
            if e.filled == e.extent.len {
                if let Some(stage) = self.stage.as_mut() {
                    e.flush(stage)?;
                }
            }
            self.crc = crc32c::crc32c_append(self.crc, piece);
            self.written += n as u64;
            data = rest;
        }
        Ok(())
    }
}
