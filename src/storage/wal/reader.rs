//! Reading shards back: whole or a byte range, every fragment checked.
//!
//! Reads do not go through the volume writers: they look the shard up in
//! the index and `pread` the segment files directly, on whatever blocking
//! thread the caller uses. A read returns bytes in pieces of about
//! [`READ_PIECE_BYTES`] so a large shard never sits whole in memory.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use bytes::Bytes;

use super::record::{decode_crc_table, RecordHeader, RecordKind, ALIGN, CRC_LEN, HEADER_LEN};
use super::segment::{fill_from, read_exact_at, SegmentFiles, SegmentHandle};
use crate::metrics;
use crate::storage::error::StorageError;
use crate::storage::index::{Extent, ShardEntry, ShardIndex};
use crate::storage::shard_key::ShardKey;

/// About how many bytes one step of a read returns.
pub(crate) const READ_PIECE_BYTES: u64 = 1 << 20;

/// Payload reads of at least this many bytes go through the segment's
/// direct-I/O handle. Through the page cache, a GET of data not cached
/// paid for the cache's new pages and the kernel's copy out of them: a
/// third of the cluster's CPU per GB served (64 MiB GETs).
/// Smaller reads stay buffered, where a cached page saves the device's
/// round trip.
const DIRECT_READ_MIN_BYTES: u64 = 64 << 10;

/// Reads shards of every volume of a node.
#[derive(Clone)]
pub struct ShardReader {
    index: ShardIndex,
    files: Arc<SegmentFiles>,
}

impl ShardReader {
    /// A reader over the node's index and segment files.
    pub fn new(index: ShardIndex, files: Arc<SegmentFiles>) -> Self {
        Self { index, files }
    }

    /// The shard index the reader looks shards up in.
    pub fn index(&self) -> &ShardIndex {
        &self.index
    }

    /// Where a shard is, or `NotFound`.
    pub fn entry(&self, key: &ShardKey) -> Result<ShardEntry, StorageError> {
        self.index.get(key)?.ok_or(StorageError::NotFound(*key))
    }

    /// Starts reading `range` of a shard (the whole shard if `None`).
    pub fn read(
        &self,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> Result<ShardRead, StorageError> {
        let entry = self.entry(&key)?;
        let range = range.unwrap_or(0..entry.len);
        if range.start > range.end || range.end > entry.len {
            return Err(StorageError::InvalidRange {
                start: range.start,
                end: range.end,
                len: entry.len,
            });
        }
        Ok(ShardRead {
            reader: self.clone(),
            key,
            entry,
            pos: range.start,
            end: range.end,
        })
    }

    /// Reads a whole range into one buffer (for small shards and tests).
    pub fn read_all(
        &self,
        key: ShardKey,
        range: Option<Range<u64>>,
    ) -> Result<Vec<u8>, StorageError> {
        let mut out = Vec::new();
        for piece in self.read(key, range)? {
            out.extend_from_slice(&piece?);
        }
        Ok(out)
    }
}

/// A read in progress; each `next()` reads and checks the next piece.
pub struct ShardRead {
    reader: ShardReader,
    key: ShardKey,
    entry: ShardEntry,
    pos: u64,
    end: u64,
}

impl ShardRead {
    /// The shard's index entry (length, CRC).
    pub fn entry(&self) -> &ShardEntry {
        &self.entry
    }

    /// Bytes still to be read.
    pub fn remaining(&self) -> u64 {
        self.end - self.pos
    }

    fn next_piece(&mut self) -> Result<Bytes, StorageError> {
        // Compaction may move the shard between the lookup and the read; a
        // vanished segment means: look again once.
        for attempt in 0..2 {
            let extent = *self
                .entry
                .extents
                .iter()
                .find(|e| e.shard_offset + e.len > self.pos)
                .ok_or(StorageError::IndexDamaged("extents end before the shard"))?;
            let Some(segment) = self.reader.files.get(self.entry.volume, extent.at.segment) else {
                if attempt == 0 {
                    self.entry = self.reader.entry(&self.key)?;
                    continue;
                }
                return Err(StorageError::NotFound(self.key));
            };
            let start = self.pos - extent.shard_offset;
            let stop = (self.end - extent.shard_offset)
                .min(extent.len)
                .min(start + READ_PIECE_BYTES);
            let piece = read_extent_range(
                &segment,
                &self.key,
                &extent,
                self.entry.fragment_bytes,
                start..stop,
            )?;
            self.pos += piece.len() as u64;
            return Ok(piece);
        }
        Err(StorageError::NotFound(self.key))
    }
}

impl Iterator for ShardRead {
    type Item = Result<Bytes, StorageError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.end {
            return None;
        }
        let piece = self.next_piece();
        if let Err(e) = &piece {
            // One error ends the read; damaged bytes mark the shard.
            self.pos = self.end;
            self.reader.index.note_read_error(&self.key, &self.entry, e);
        }
        Some(piece)
    }
}

fn corrupt(key: &ShardKey, detail: &'static str) -> StorageError {
    StorageError::Corrupt { key: *key, detail }
}

fn eof_is_corrupt(key: &ShardKey) -> impl Fn(io::Error) -> StorageError + '_ {
    move |e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            corrupt(key, "record is cut short")
        } else {
            StorageError::Io(e)
        }
    }
}

/// Reads `range` (relative to the extent's payload) of one record, checking
/// the record header against the index and the CRC of every fragment the
/// range touches. Wrong bytes are never returned.
pub(crate) fn read_extent_range(
    segment: &SegmentHandle,
    key: &ShardKey,
    extent: &Extent,
    fragment_bytes: u32,
    range: Range<u64>,
) -> Result<Bytes, StorageError> {
    let file = &segment.file;
    let base = extent.at.offset;
    let mut head = [0u8; HEADER_LEN as usize];
    file.read_exact_at(&mut head, base)
        .map_err(eof_is_corrupt(key))?;
    let header =
        RecordHeader::decode(&head).map_err(|_| corrupt(key, "record header is damaged"))?;
    let expected = header.kind == RecordKind::Extent
        && header.key == *key
        && header.extent_offset == extent.shard_offset
        && header.extent_len == extent.len
        && header.fragment_bytes == fragment_bytes;
    if !expected {
        return Err(corrupt(key, "record header does not match the index"));
    }
    if range.is_empty() {
        return Ok(Bytes::new());
    }
    let frag = u64::from(fragment_bytes);
    let (first, last) = (range.start / frag, (range.end - 1) / frag);
    let mut table = vec![0u8; ((last - first + 1) * CRC_LEN) as usize];
    file.read_exact_at(&mut table, base + HEADER_LEN + first * CRC_LEN)
        .map_err(eof_is_corrupt(key))?;
    let data_start = first * frag;
    let data_end = ((last + 1) * frag).min(extent.len);
    let (at, len) = (
        base + header.payload_offset() + data_start,
        data_end - data_start,
    );
    let direct = (len >= DIRECT_READ_MIN_BYTES)
        .then(|| segment.direct())
        .flatten();
    let data = match direct {
        Some(direct) => read_direct(&direct, at, len),
        None => read_exact_at(file, at, len).map(Bytes::from),
    }
    .map_err(eof_is_corrupt(key))?;
    for (chunk, expected) in data.chunks(frag as usize).zip(decode_crc_table(&table)) {
        if crc32c::crc32c(chunk) != expected {
            metrics::WAL_CORRUPT_FRAGMENTS.inc();
            return Err(corrupt(key, "fragment checksum mismatch"));
        }
    }
    Ok(data.slice((range.start - data_start) as usize..(range.end - data_start) as usize))
}

/// Reads exactly `len` bytes at `pos` through a file opened with
/// `O_DIRECT`: the read is widened to [`ALIGN`] boundaries, into an
/// aligned window of a buffer, and the bytes asked for are a slice of it.
/// A dirty cached page in the range is written back by the kernel first,
/// so the bytes are the latest whichever handle wrote them.
fn read_direct(file: &File, pos: u64, len: u64) -> io::Result<Bytes> {
    let too_long = || io::Error::other("read length overflows usize");
    let start = pos / ALIGN * ALIGN;
    let span =
        usize::try_from((pos + len).next_multiple_of(ALIGN) - start).map_err(|_| too_long())?;
    let wanted = usize::try_from(pos + len - start).map_err(|_| too_long())?;
    let align = ALIGN as usize;
    // The buffer's capacity is exactly what is asked for (`Vec`'s promise),
    // so an allocation that starts aligned (large ones do) is read into as
    // it is, without zeroing it first: one pass less over every byte.
    let mut raw = Vec::<u8>::with_capacity(span + align);
    if raw.as_ptr().align_offset(align) == 0 {
        fill_from(file, &mut raw, start, wanted)?;
        let from = wanted - len as usize;
        return Ok(Bytes::from(raw).slice(from..wanted));
    }
    raw.resize(span + align, 0);
    let skip = raw.as_ptr().align_offset(align).min(align);
    let window = &mut raw[skip..skip + span];
    let mut filled = 0;
    while filled < wanted {
        match file.read_at(&mut window[filled..], start + filled as u64) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let from = skip + (wanted - len as usize);
    Ok(Bytes::from(raw).slice(from..skip + wanted))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::OpenOptionsExt;

    use super::*;

    #[test]
    fn a_direct_read_returns_exactly_the_bytes_asked_for_wherever_they_lie() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("segment");
        let bytes: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &bytes)?;
        let Ok(direct) = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(rustix::fs::OFlags::DIRECT.bits() as i32)
            .open(&path)
        else {
            // A filesystem without O_DIRECT (tmpfs): segments read buffered.
            return Ok(());
        };
        for (pos, len) in [(0, 4096), (1, 70_000), (4095, 4097), (123_457, 500_001)] {
            let got = read_direct(&direct, pos, len)?;
            assert_eq!(&got[..], &bytes[pos as usize..(pos + len) as usize]);
        }
        // The last bytes of the file, its end not on a block boundary.
        let tail = read_direct(&direct, 999_000, 1000)?;
        assert_eq!(&tail[..], &bytes[999_000..]);
        let past = read_direct(&direct, 999_999, 2).map(|_| ());
        assert_eq!(
            past.map_err(|e| e.kind()),
            Err(io::ErrorKind::UnexpectedEof)
        );
        Ok(())
    }
}
