//! The WAL record format.
//!
//! A record is a fixed header, a table of fragment CRCs, then the payload:
//!
//! ```text
//! header (64 B): magic "PREC" | version | kind | pad before payload u16
//!                | shard key (22 B) | pad after payload u16 | shard len u64
//!                | extent offset u64 | extent len u64 | fragment bytes u32
//!                | header CRC32C u32
//! CRC table:     one CRC32C (u32 LE) per fragment of the payload
//! padding:       zeroes up to the next 4 KiB boundary (large records only)
//! payload:       extent len bytes, cut into fragments of `fragment bytes`
//! padding:       zeroes up to the next 4 KiB boundary (large records only)
//! ```
//!
//! Large records are aligned so their payload can be written with direct
//! I/O, which on most disks is several times faster than the page cache
//! for streams of fresh blocks; small records are packed.
//!
//! Keeping the payload contiguous lets the writer put streamed chunks on disk
//! without copying them, and a ranged read fetch only the fragments it needs.
//! A shard larger than what fits in one segment is stored as several records
//! ("extents"), each naming its offset within the shard. All integers are
//! little-endian except the shard key.

use crate::storage::shard_key::ShardKey;

/// Bytes of a record header.
pub(crate) const HEADER_LEN: u64 = 64;
/// Bytes of one fragment CRC in the table.
pub(crate) const CRC_LEN: u64 = 4;
const MAGIC: [u8; 4] = *b"PREC";
/// The record format version this code writes and reads.
pub(crate) const FORMAT_VERSION: u8 = 1;
/// Alignment of direct I/O: payloads of large records start and end on it.
pub(crate) const ALIGN: u64 = 4096;

/// Zero bytes around a record's payload that align it for direct I/O.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Padding {
    /// Between the CRC table and the payload.
    pub before_payload: u16,
    /// After the payload, up to the record's end.
    pub after_payload: u16,
}

impl Padding {
    /// A packed record.
    pub const NONE: Padding = Padding {
        before_payload: 0,
        after_payload: 0,
    };

    /// Padding that puts the payload of a record starting at byte `start`
    /// on an [`ALIGN`] boundary and ends the record on one.
    pub fn aligned(start: u64, payload_len: u64, fragment_bytes: u32) -> Self {
        let table_end = start + HEADER_LEN + fragment_count(payload_len, fragment_bytes) * CRC_LEN;
        let before = table_end.next_multiple_of(ALIGN) - table_end;
        let payload_end = table_end + before + payload_len;
        let after = payload_end.next_multiple_of(ALIGN) - payload_end;
        // Both are below ALIGN (4096), so they fit in u16.
        Self {
            before_payload: before as u16,
            after_payload: after as u16,
        }
    }
}

/// What a record says about its shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// A piece (or all) of a shard's bytes.
    Extent,
    /// The shard was deleted.
    Tombstone,
}

impl RecordKind {
    fn code(self) -> u8 {
        match self {
            RecordKind::Extent => 1,
            RecordKind::Tombstone => 2,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(RecordKind::Extent),
            2 => Some(RecordKind::Tombstone),
            _ => None,
        }
    }
}

/// A decoded record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// Extent or tombstone.
    pub kind: RecordKind,
    /// The shard this record belongs to.
    pub key: ShardKey,
    /// Length of the whole shard (0 for a tombstone).
    pub shard_len: u64,
    /// Where this record's payload starts within the shard.
    pub extent_offset: u64,
    /// Payload bytes in this record.
    pub extent_len: u64,
    /// Fragment size the payload was cut with.
    pub fragment_bytes: u32,
    /// Zeroes around the payload (large records).
    pub padding: Padding,
}

/// Why a header could not be decoded; recovery treats all of them alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// Not a record: the magic bytes are wrong (zeroes past the last record).
    #[error("no record magic")]
    NoMagic,
    /// Written by a format this code does not know.
    #[error("unknown record format version {0}")]
    Version(u8),
    /// The header bytes do not match their CRC.
    #[error("record header checksum mismatch")]
    Checksum,
    /// The fields contradict each other.
    #[error("record header fields are inconsistent")]
    Inconsistent,
}

impl RecordHeader {
    /// A header for an extent of `key`.
    pub fn extent(
        key: ShardKey,
        shard_len: u64,
        extent_offset: u64,
        extent_len: u64,
        fragment_bytes: u32,
    ) -> Self {
        Self {
            kind: RecordKind::Extent,
            key,
            shard_len,
            extent_offset,
            extent_len,
            fragment_bytes,
            padding: Padding::NONE,
        }
    }

    /// The same record laid out for direct I/O when it starts at byte `start`.
    pub fn aligned_at(mut self, start: u64) -> Self {
        self.padding = Padding::aligned(start, self.extent_len, self.fragment_bytes);
        self
    }

    /// A tombstone for `key`.
    pub fn tombstone(key: ShardKey, fragment_bytes: u32) -> Self {
        Self {
            kind: RecordKind::Tombstone,
            key,
            shard_len: 0,
            extent_offset: 0,
            extent_len: 0,
            fragment_bytes,
            padding: Padding::NONE,
        }
    }

    /// Number of fragments (and CRC table entries) of this record.
    pub fn fragments(&self) -> u64 {
        fragment_count(self.extent_len, self.fragment_bytes)
    }

    /// Bytes this record occupies on disk.
    pub fn disk_size(&self) -> u64 {
        record_disk_size(self.extent_len, self.fragment_bytes, self.padding)
    }

    /// Offset of the CRC table from the start of the record.
    pub fn crc_table_offset(&self) -> u64 {
        HEADER_LEN
    }

    /// Offset of the payload from the start of the record.
    pub fn payload_offset(&self) -> u64 {
        HEADER_LEN + self.fragments() * CRC_LEN + u64::from(self.padding.before_payload)
    }

    /// The fixed binary form, CRC included.
    pub fn encode(&self) -> [u8; HEADER_LEN as usize] {
        let mut b = [0u8; HEADER_LEN as usize];
        b[0..4].copy_from_slice(&MAGIC);
        b[4] = FORMAT_VERSION;
        b[5] = self.kind.code();
        b[6..8].copy_from_slice(&self.padding.before_payload.to_le_bytes());
        b[8..30].copy_from_slice(&self.key.encode());
        b[30..32].copy_from_slice(&self.padding.after_payload.to_le_bytes());
        b[32..40].copy_from_slice(&self.shard_len.to_le_bytes());
        b[40..48].copy_from_slice(&self.extent_offset.to_le_bytes());
        b[48..56].copy_from_slice(&self.extent_len.to_le_bytes());
        b[56..60].copy_from_slice(&self.fragment_bytes.to_le_bytes());
        let crc = crc32c::crc32c(&b[..60]);
        b[60..64].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Decodes and checks a header; any byte sequence gives a value or an
    /// error, never a panic.
    pub fn decode(b: &[u8]) -> Result<Self, HeaderError> {
        let b: &[u8; HEADER_LEN as usize] = b
            .get(..HEADER_LEN as usize)
            .and_then(|s| s.try_into().ok())
            .ok_or(HeaderError::NoMagic)?;
        if b[0..4] != MAGIC {
            return Err(HeaderError::NoMagic);
        }
        if b[4] != FORMAT_VERSION {
            return Err(HeaderError::Version(b[4]));
        }
        if crc32c::crc32c(&b[..60]) != le_u32(&b[60..64]) {
            return Err(HeaderError::Checksum);
        }
        let kind = RecordKind::from_code(b[5]).ok_or(HeaderError::Inconsistent)?;
        let key = ShardKey::decode(&b[8..30]).ok_or(HeaderError::Inconsistent)?;
        let header = Self {
            kind,
            key,
            shard_len: le_u64(&b[32..40]),
            extent_offset: le_u64(&b[40..48]),
            extent_len: le_u64(&b[48..56]),
            fragment_bytes: le_u32(&b[56..60]),
            padding: Padding {
                before_payload: u16::from_le_bytes([b[6], b[7]]),
                after_payload: u16::from_le_bytes([b[30], b[31]]),
            },
        };
        let end = header.extent_offset.checked_add(header.extent_len);
        let consistent = header.fragment_bytes > 0
            && u64::from(header.padding.before_payload) < ALIGN
            && u64::from(header.padding.after_payload) < ALIGN
            && end.is_some_and(|end| end <= header.shard_len)
            && (kind == RecordKind::Extent || header.extent_len == 0);
        if !consistent {
            return Err(HeaderError::Inconsistent);
        }
        Ok(header)
    }
}

/// Number of fragments a payload of `len` bytes is cut into.
pub(crate) fn fragment_count(len: u64, fragment_bytes: u32) -> u64 {
    len.div_ceil(u64::from(fragment_bytes.max(1)))
}

/// THE on-disk size of a record: header, CRC table, padding and payload.
/// Segment rollover and space accounting use this, never the payload
/// length alone. Saturates: a damaged header claiming an absurd length
/// gets a size no segment holds (the scan then stops there), never an
/// overflow.
pub fn record_disk_size(payload_len: u64, fragment_bytes: u32, padding: Padding) -> u64 {
    HEADER_LEN
        .saturating_add(fragment_count(payload_len, fragment_bytes).saturating_mul(CRC_LEN))
        .saturating_add(u64::from(padding.before_payload))
        .saturating_add(payload_len)
        .saturating_add(u64::from(padding.after_payload))
}

/// The largest payload whose record fits in `space` bytes (0 if none
/// does); `aligned` leaves room for the worst-case padding.
pub(crate) fn max_payload_in(space: u64, fragment_bytes: u32, aligned: bool) -> u64 {
    let space = if aligned {
        space.saturating_sub(2 * (ALIGN - 1))
    } else {
        space
    };
    let Some(room) = space.checked_sub(HEADER_LEN) else {
        return 0;
    };
    let frag = u64::from(fragment_bytes.max(1));
    let full = room / (frag + CRC_LEN);
    let rest = room % (frag + CRC_LEN);
    full * frag + rest.saturating_sub(CRC_LEN)
}

/// Splits a little-endian CRC table into its entries.
pub(crate) fn decode_crc_table(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes.chunks_exact(CRC_LEN as usize).map(le_u32)
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::shard_key::ObjectId;
    use proptest::prelude::*;

    fn header() -> impl Strategy<Value = RecordHeader> {
        (
            any::<u128>(),
            any::<u32>(),
            any::<u16>(),
            0u64..1 << 40,
            0u64..1 << 40,
            1u32..1 << 20,
            any::<bool>(),
            any::<u64>(),
        )
            .prop_map(|(o, part, shard, a, b, frag, tomb, start)| {
                let key = ShardKey {
                    object: ObjectId(o),
                    part,
                    shard,
                };
                if tomb {
                    RecordHeader::tombstone(key, frag)
                } else {
                    let (off, len) = (a.min(b), a.max(b) - a.min(b));
                    let h = RecordHeader::extent(key, a.max(b) + 7, off, len, frag);
                    if start % 2 == 0 {
                        h
                    } else {
                        h.aligned_at(start >> 20)
                    }
                }
            })
    }

    #[test]
    fn an_absurd_length_saturates_instead_of_overflowing() {
        // A header with a valid CRC but a length near 2^64 (found by
        // reading the scan; the segment_scan fuzz target reaches it).
        let size = record_disk_size(u64::MAX - 7, 1, Padding::default());
        assert_eq!(size, u64::MAX);
        assert_eq!(
            record_disk_size(u64::MAX, 64 << 10, Padding::default()),
            u64::MAX
        );
    }

    proptest! {
        #[test]
        fn header_round_trip(h in header()) {
            prop_assert_eq!(RecordHeader::decode(&h.encode()), Ok(h));
        }

        #[test]
        fn any_flipped_bit_is_detected(h in header(), bit in 0usize..512) {
            let mut b = h.encode();
            b[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(RecordHeader::decode(&b).is_err());
        }

        #[test]
        fn garbage_never_panics(b in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = RecordHeader::decode(&b);
        }

        #[test]
        fn max_payload_fits_and_is_maximal(space in 0u64..10_000_000, frag in 1u32..200_000) {
            let p = max_payload_in(space, frag, false);
            if p > 0 {
                prop_assert!(record_disk_size(p, frag, Padding::NONE) <= space);
            }
            prop_assert!(space < HEADER_LEN + CRC_LEN + 1 || p > 0);
            prop_assert!(record_disk_size(p + 1, frag, Padding::NONE) > space);
        }

        #[test]
        fn aligned_records_fit_and_align(space in 0u64..10_000_000, frag in 1u32..200_000, start in 0u64..1 << 30) {
            let p = max_payload_in(space, frag, true);
            let pad = Padding::aligned(start, p, frag);
            if p > 0 {
                prop_assert!(record_disk_size(p, frag, pad) <= space);
            }
            let key = ShardKey { object: ObjectId(1), part: 0, shard: 0 };
            let h = RecordHeader::extent(key, p, 0, p, frag).aligned_at(start);
            prop_assert_eq!((start + h.payload_offset()) % ALIGN, 0);
            prop_assert_eq!((start + h.disk_size()) % ALIGN, 0);
        }
    }

    #[test]
    fn disk_size_counts_every_header() {
        let none = Padding::NONE;
        assert_eq!(record_disk_size(0, 65536, none), HEADER_LEN);
        assert_eq!(record_disk_size(1, 65536, none), HEADER_LEN + 4 + 1);
        assert_eq!(record_disk_size(65536, 65536, none), HEADER_LEN + 4 + 65536);
        assert_eq!(record_disk_size(65537, 65536, none), HEADER_LEN + 8 + 65537);
        let pad = Padding {
            before_payload: 10,
            after_payload: 20,
        };
        assert_eq!(record_disk_size(1, 65536, pad), HEADER_LEN + 4 + 1 + 30);
    }

    #[test]
    fn zeroes_are_not_a_record() {
        assert_eq!(RecordHeader::decode(&[0u8; 64]), Err(HeaderError::NoMagic));
    }

    #[test]
    fn unknown_version_is_refused() {
        let key = ShardKey {
            object: ObjectId(1),
            part: 0,
            shard: 0,
        };
        let mut b = RecordHeader::tombstone(key, 4096).encode();
        b[4] = 9;
        assert_eq!(RecordHeader::decode(&b), Err(HeaderError::Version(9)));
    }
}
