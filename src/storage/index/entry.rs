//! A shard's index entry, the binary value the shard index keeps per
//! shard key: which volume holds it, its length and CRC32C, and the WAL
//! records (extents) that hold its bytes, in shard order. Versioned, so a
//! format change reads old entries.

use crate::storage::error::StorageError;

/// Number of a segment within its volume (its file name, in hex); grows
/// by one per new segment.
pub(crate) type SegmentId = u64;

/// Number of a volume (disk) within a node.
pub(crate) type VolumeId = u16;

const ENTRY_VERSION: u8 = 1;
const EXTENT_BYTES: usize = 40;

/// A place in a volume's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Segment number.
    pub segment: SegmentId,
    /// Byte offset within the segment.
    pub offset: u64,
}

/// One record holding part of a shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extent {
    /// Where the record starts.
    pub at: Position,
    /// Offset of its payload within the shard.
    pub shard_offset: u64,
    /// Payload bytes in the record.
    pub len: u64,
    /// Bytes the whole record occupies on disk.
    pub disk_size: u64,
}

/// Where a shard's bytes are and how to check them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardEntry {
    /// The volume holding every extent.
    pub volume: VolumeId,
    /// Shard length in bytes.
    pub len: u64,
    /// CRC32C of the whole shard.
    pub crc: u32,
    /// Fragment size the records were written with.
    pub fragment_bytes: u32,
    /// The records, in shard order, covering `0..len` without gaps.
    pub extents: Vec<Extent>,
}

impl ShardEntry {
    /// Versioned binary form.
    pub fn encode(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(23 + self.extents.len() * EXTENT_BYTES);
        b.push(ENTRY_VERSION);
        b.extend_from_slice(&self.volume.to_le_bytes());
        b.extend_from_slice(&self.len.to_le_bytes());
        b.extend_from_slice(&self.crc.to_le_bytes());
        b.extend_from_slice(&self.fragment_bytes.to_le_bytes());
        let n = u32::try_from(self.extents.len()).unwrap_or(u32::MAX);
        b.extend_from_slice(&n.to_le_bytes());
        for e in &self.extents {
            b.extend_from_slice(&e.at.segment.to_le_bytes());
            b.extend_from_slice(&e.at.offset.to_le_bytes());
            b.extend_from_slice(&e.shard_offset.to_le_bytes());
            b.extend_from_slice(&e.len.to_le_bytes());
            b.extend_from_slice(&e.disk_size.to_le_bytes());
        }
        b
    }

    /// Inverse of [`ShardEntry::encode`]; checks that the extents tile the shard.
    pub fn decode(b: &[u8]) -> Result<Self, StorageError> {
        let mut r = Reader(b);
        if r.u8()? != ENTRY_VERSION {
            return Err(StorageError::IndexDamaged("unknown shard entry version"));
        }
        let volume = r.u16()?;
        let len = r.u64()?;
        let crc = r.u32()?;
        let fragment_bytes = r.u32()?;
        let n = r.u32()? as usize;
        if r.0.len() != n.saturating_mul(EXTENT_BYTES) {
            return Err(StorageError::IndexDamaged(
                "shard entry has the wrong length",
            ));
        }
        let mut extents = Vec::with_capacity(n);
        let mut covered = 0u64;
        for _ in 0..n {
            let e = Extent {
                at: Position {
                    segment: r.u64()?,
                    offset: r.u64()?,
                },
                shard_offset: r.u64()?,
                len: r.u64()?,
                disk_size: r.u64()?,
            };
            if e.shard_offset != covered {
                return Err(StorageError::IndexDamaged("shard extents do not tile"));
            }
            covered = covered.saturating_add(e.len);
            extents.push(e);
        }
        if covered != len || fragment_bytes == 0 {
            return Err(StorageError::IndexDamaged("shard extents do not tile"));
        }
        Ok(Self {
            volume,
            len,
            crc,
            fragment_bytes,
            extents,
        })
    }
}

pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl Reader<'_> {
    pub(crate) fn take<const N: usize>(&mut self) -> Result<[u8; N], StorageError> {
        let (head, rest) = self
            .0
            .split_first_chunk::<N>()
            .ok_or(StorageError::IndexDamaged("index value is truncated"))?;
        self.0 = rest;
        Ok(*head)
    }
    pub(crate) fn u8(&mut self) -> Result<u8, StorageError> {
        Ok(self.take::<1>()?[0])
    }
    pub(crate) fn u16(&mut self) -> Result<u16, StorageError> {
        Ok(u16::from_le_bytes(self.take()?))
    }
    pub(crate) fn u32(&mut self) -> Result<u32, StorageError> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, StorageError> {
        Ok(u64::from_le_bytes(self.take()?))
    }
}
