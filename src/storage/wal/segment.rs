//! WAL segment files.
//!
//! A volume's log is a series of segment files `<volume>/wal/<id>.seg`, each
//! of the configured size (sparse: blocks are allocated as records are
//! reserved) and filled by appending records. A
//! segment starts with a small versioned header so a stray file is never
//! mistaken for a segment.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use super::record::{decode_crc_table, RecordHeader, RecordKind, HEADER_LEN};
use crate::storage::error::StorageError;
use crate::storage::index::{SegmentId, VolumeId};

/// Bytes of the segment file header; the first record starts here.
pub const SEGMENT_HEADER_LEN: u64 = 32;
const MAGIC: [u8; 4] = *b"PSEG";
const SEGMENT_VERSION: u8 = 1;

/// The directory holding a volume's segments.
pub(crate) fn wal_dir(volume_dir: &Path) -> PathBuf {
    volume_dir.join("wal")
}

/// The path of one segment file.
pub fn segment_path(volume_dir: &Path, id: SegmentId) -> PathBuf {
    wal_dir(volume_dir).join(format!("{id:016x}.seg"))
}

/// Segment ids present in a volume, ascending. Files that are not segments
/// are ignored.
pub fn list_segments(volume_dir: &Path) -> io::Result<Vec<SegmentId>> {
    let dir = wal_dir(volume_dir);
    let mut ids = Vec::new();
    for entry in fs::read_dir(dir)? {
        let name = entry?.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".seg")) else {
            continue;
        };
        if let Ok(id) = SegmentId::from_str_radix(stem, 16) {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    Ok(ids)
}

fn encode_header(id: SegmentId, size: u64) -> [u8; SEGMENT_HEADER_LEN as usize] {
    let mut b = [0u8; SEGMENT_HEADER_LEN as usize];
    b[0..4].copy_from_slice(&MAGIC);
    b[4] = SEGMENT_VERSION;
    b[8..16].copy_from_slice(&id.to_le_bytes());
    b[16..24].copy_from_slice(&size.to_le_bytes());
    let crc = crc32c::crc32c(&b[..28]);
    b[28..32].copy_from_slice(&crc.to_le_bytes());
    b
}

fn check_header(b: &[u8], id: SegmentId) -> bool {
    b.len() >= SEGMENT_HEADER_LEN as usize
        && b[0..4] == MAGIC
        && b[4] == SEGMENT_VERSION
        && b[8..16] == id.to_le_bytes()
        && crc32c::crc32c(&b[..28]).to_le_bytes() == b[28..32]
}

/// Creates a new segment file of exactly `size` bytes and writes its
/// header. The file is sparse: appends never change its size, and its
/// blocks are allocated as shards reserve records (see `space`), so a
/// segment takes on disk what it holds, not `size`.
pub(crate) fn create_segment(volume_dir: &Path, id: SegmentId, size: u64) -> io::Result<File> {
    let path = segment_path(volume_dir, id);
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    file.set_len(size)?;
    file.write_all_at(&encode_header(id, size), 0)?;
    // The new name must survive a power loss like the data written into it.
    File::open(wal_dir(volume_dir))?.sync_all()?;
    Ok(file)
}

/// Opens an existing segment for reading and writing.
pub fn open_segment(volume_dir: &Path, id: SegmentId) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(segment_path(volume_dir, id))
}

/// A segment's open files: the buffered one (headers, small records,
/// scans) and, where the filesystem allows it, one for direct I/O, which
/// large payloads are written and read through without the page cache
/// (no copy through it, and no new cache pages for a GET).
///
/// The direct handle is opened at its first use, so a sealed segment no
/// large read has touched holds one file descriptor, not two.
#[derive(Clone)]
pub struct SegmentHandle {
    /// Opened for buffered reads and writes.
    pub file: Arc<File>,
    /// The same file opened with `O_DIRECT` once asked for; `None` inside
    /// where unsupported.
    direct: Arc<OnceLock<Option<Arc<File>>>>,
    /// `false` in a reader's copy when reads go through the page cache.
    direct_allowed: bool,
}

impl SegmentHandle {
    /// A segment's buffered `file`; its direct handle comes when needed.
    pub fn new(file: File) -> Self {
        Self {
            file: Arc::new(file),
            direct: Arc::default(),
            direct_allowed: true,
        }
    }

    /// The segment opened with `O_DIRECT`, opened now if not yet; `None`
    /// where the filesystem (tmpfs) or the system (no `/proc`) does not
    /// allow it, or in a reader's copy when reads go through the page
    /// cache: the buffered file serves.
    pub fn direct(&self) -> Option<Arc<File>> {
        if !self.direct_allowed {
            return None;
        }
        self.direct
            .get_or_init(|| reopen_direct(&self.file).map(Arc::new))
            .clone()
    }

    /// Whether the direct handle has been opened (tests count descriptors).
    #[cfg(test)]
    fn direct_opened(&self) -> bool {
        self.direct.get().is_some_and(Option::is_some)
    }

    /// A reader's copy of this segment that reads everything buffered (a
    /// flag, not a new handle: this is on every read's path).
    fn buffered_only(mut self) -> Self {
        self.direct_allowed = false;
        self
    }
}

/// Open segment files of every volume of a node, shared by the writers
/// (which add and remove segments) and the readers. The lock guards only
/// the map; reads and writes happen on the files outside it, and a reader
/// holding a handle keeps it readable after compaction unlinks it.
#[derive(Default)]
pub struct SegmentFiles {
    map: RwLock<HashMap<(VolumeId, SegmentId), SegmentHandle>>,
    /// Readers get no direct-I/O handle (`PREDASTORE_PAGE_CACHE_READS`).
    page_cache_reads: bool,
}

impl SegmentFiles {
    /// No segment yet; with `page_cache_reads`, every read is buffered.
    pub fn new(page_cache_reads: bool) -> Self {
        Self {
            map: RwLock::default(),
            page_cache_reads,
        }
    }

    /// The open files of a segment for reading, if it still exists.
    pub fn get(&self, volume: VolumeId, segment: SegmentId) -> Option<SegmentHandle> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        let handle = map.get(&(volume, segment)).cloned()?;
        Some(if self.page_cache_reads {
            handle.buffered_only()
        } else {
            handle
        })
    }

    /// Registers a segment's files.
    pub fn insert(&self, volume: VolumeId, segment: SegmentId, handle: SegmentHandle) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        map.insert((volume, segment), handle);
    }

    /// Forgets every segment of `volume` (a failed disk being replaced).
    pub fn remove_volume(&self, volume: VolumeId) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        map.retain(|(v, _), _| *v != volume);
    }

    /// Forgets a segment (before its file is unlinked).
    pub fn remove(&self, volume: VolumeId, segment: SegmentId) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        map.remove(&(volume, segment));
    }
}

/// Opens `file` again with `O_DIRECT`, through its `/proc/self/fd` link:
/// the same inode even if compaction has unlinked the segment since.
/// `None` where the filesystem (tmpfs) or the system does not allow it.
fn reopen_direct(file: &File) -> Option<File> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(rustix::fs::OFlags::DIRECT.bits() as i32)
        .open(format!("/proc/self/fd/{}", file.as_raw_fd()))
        .ok()
}

/// Reads exactly `len` bytes at `pos`, or fails with `UnexpectedEof`.
/// The buffer is read into as it is allocated, never zeroed first: one
/// pass less over every byte a GET reads.
pub(crate) fn read_exact_at(file: &File, pos: u64, len: u64) -> io::Result<Vec<u8>> {
    let len = usize::try_from(len).map_err(|_| io::Error::other("length overflows usize"))?;
    let mut buf = Vec::with_capacity(len);
    fill_from(file, &mut buf, pos, len)?;
    // The capacity may exceed `len`, so one read may have gone past it.
    buf.truncate(len);
    Ok(buf)
}

/// Reads the file from `pos` into `buf`'s spare capacity (`buf[i]` is the
/// byte at `pos + i`) until `buf` holds at least `len` bytes, or fails
/// with `UnexpectedEof`. Each read asks for all the capacity left.
pub(crate) fn fill_from(file: &File, buf: &mut Vec<u8>, pos: u64, len: usize) -> io::Result<()> {
    while buf.len() < len {
        let at = pos + buf.len() as u64;
        match rustix::io::pread(file, rustix::buffer::spare_capacity(buf), at) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A record found by a scan, with its position in the segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScannedRecord {
    /// Where the record starts.
    pub offset: u64,
    /// The record's decoded header: kind, shard key, offsets, lengths.
    pub header: RecordHeader,
    /// Whether every fragment matched its CRC (always true for tombstones).
    pub intact: bool,
    /// CRC32C of the whole payload, when intact.
    pub payload_crc: u32,
}

/// The outcome of scanning one segment from some offset.
#[derive(Debug, Default)]
pub struct SegmentScan {
    /// Whether the file starts with a valid segment header; without one
    /// nothing in it was read.
    pub has_header: bool,
    /// Every record with a valid header, in log order.
    pub records: Vec<ScannedRecord>,
    /// End of the last intact record (or the scan start if none): data past
    /// it is a torn or corrupt tail.
    pub valid_end: u64,
}

/// Walks the records of a segment from `start`, checking every header and
/// fragment. It stops at the first header that does not decode or whose
/// record would run past the file; a record with a valid header but a bad
/// fragment (a write cut short) is reported as not intact and skipped over.
/// Never panics, whatever the file holds.
pub fn scan_segment(file: &File, id: SegmentId, start: u64) -> Result<SegmentScan, StorageError> {
    let file_len = file.metadata()?.len();
    let mut scan = SegmentScan::default();
    let head = read_exact_at(file, 0, SEGMENT_HEADER_LEN.min(file_len))?;
    if !check_header(&head, id) {
        return Ok(scan);
    }
    scan.has_header = true;
    let mut pos = start.max(SEGMENT_HEADER_LEN).min(file_len);
    scan.valid_end = pos;
    while pos + HEADER_LEN <= file_len {
        let Ok(header) = RecordHeader::decode(&read_exact_at(file, pos, HEADER_LEN)?) else {
            break;
        };
        let size = header.disk_size();
        if size > file_len - pos {
            break;
        }
        let payload_crc = match header.kind {
            RecordKind::Tombstone => Some(0),
            RecordKind::Extent => check_fragments(file, pos, &header)?,
        };
        scan.records.push(ScannedRecord {
            offset: pos,
            header,
            intact: payload_crc.is_some(),
            payload_crc: payload_crc.unwrap_or(0),
        });
        pos += size;
        if payload_crc.is_some() {
            scan.valid_end = pos;
        }
    }
    Ok(scan)
}

/// Verifies every fragment of the record at `pos`; returns the CRC32C of
/// the whole payload when all match.
fn check_fragments(
    file: &File,
    pos: u64,
    header: &RecordHeader,
) -> Result<Option<u32>, StorageError> {
    let table = read_exact_at(
        file,
        pos + header.crc_table_offset(),
        header.fragments() * 4,
    )?;
    let frag = u64::from(header.fragment_bytes);
    let mut data_pos = pos + header.payload_offset();
    let mut left = header.extent_len;
    let mut whole = 0u32;
    for expected in decode_crc_table(&table) {
        let n = left.min(frag);
        let data = read_exact_at(file, data_pos, n)?;
        if crc32c::crc32c(&data) != expected {
            return Ok(None);
        }
        whole = crc32c::crc32c_append(whole, &data);
        data_pos += n;
        left -= n;
    }
    Ok(Some(whole))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::shard_key::{ObjectId, ShardKey};
    use crate::storage::wal::record::RecordHeader;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Recovery reads whatever a crash or a bad disk left: valid records
        /// mixed with garbage. The scan must never panic, and every record
        /// it calls intact must really check out.
        #[test]
        fn scanning_any_bytes_never_panics(
            pieces in proptest::collection::vec(
                (any::<bool>(), proptest::collection::vec(any::<u8>(), 0..300)),
                0..12,
            ),
            start in 0u64..400,
        ) {
            let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
            std::fs::create_dir_all(wal_dir(dir.path())).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let file = create_segment(dir.path(), 1, 0).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut pos = SEGMENT_HEADER_LEN;
            for (i, (as_record, bytes)) in pieces.iter().enumerate() {
                let mut out = Vec::new();
                if *as_record {
                    let key = ShardKey { object: ObjectId(i as u128), part: 0, shard: 0 };
                    let h = RecordHeader::extent(key, bytes.len() as u64, 0, bytes.len() as u64, 64);
                    out.extend_from_slice(&h.encode());
                    for c in bytes.chunks(64) {
                        out.extend_from_slice(&crc32c::crc32c(c).to_le_bytes());
                    }
                }
                out.extend_from_slice(bytes);
                file.write_all_at(&out, pos).map_err(|e| TestCaseError::fail(e.to_string()))?;
                pos += out.len() as u64;
            }
            let scan = scan_segment(&file, 1, start).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(scan.valid_end <= pos.max(start.max(SEGMENT_HEADER_LEN)));
            for rec in scan.records.iter().filter(|r| r.intact) {
                let data = read_exact_at(&file, rec.offset + rec.header.payload_offset(), rec.header.extent_len)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(crc32c::crc32c(&data), rec.payload_crc);
            }
        }
    }

    #[test]
    fn header_round_trip_and_corruption() {
        let b = encode_header(7, 1 << 20);
        assert!(check_header(&b, 7));
        assert!(!check_header(&b, 8));
        for i in 0..b.len() {
            let mut c = b;
            c[i] ^= 0x40;
            assert!(!check_header(&c, 7), "flip at byte {i} went unnoticed");
        }
        assert!(!check_header(&b[..10], 7));
    }

    #[test]
    fn the_direct_handle_opens_at_first_use_and_never_for_page_cache_reads(
    ) -> Result<(), std::io::Error> {
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(wal_dir(dir.path()))?;
        let handle = SegmentHandle::new(create_segment(dir.path(), 1, 1 << 20)?);
        // A segment opened at start holds one descriptor until a large read.
        assert!(!handle.direct_opened());
        let buffered = SegmentFiles::new(true);
        buffered.insert(0, 1, handle.clone());
        let got = buffered.get(0, 1).expect("registered");
        assert!(
            got.direct().is_none(),
            "page cache reads get no direct handle"
        );
        assert!(!handle.direct_opened(), "nor open one for the segment");
        assert!(buffered.get(0, 2).is_none());

        let files = SegmentFiles::new(false);
        files.insert(0, 1, handle.clone());
        let got = files.get(0, 1).expect("registered");
        // Where the filesystem has no O_DIRECT (tmpfs) there is none.
        let direct = got.direct();
        if let Some(direct) = direct {
            use std::os::unix::fs::MetadataExt;
            assert!(handle.direct_opened(), "clones share the opened handle");
            let inode = handle.file.metadata()?.ino();
            assert_eq!(direct.metadata()?.ino(), inode);
            // Opened late, after compaction unlinked the segment: still the
            // same file, never whatever took its name.
            fs::remove_file(segment_path(dir.path(), 1))?;
            create_segment(dir.path(), 1, 1 << 20)?;
            let late = SegmentHandle::new(handle.file.try_clone()?);
            let reopened = late.direct().expect("reopened after the unlink");
            assert_eq!(reopened.metadata()?.ino(), inode);
        }
        Ok(())
    }

    #[test]
    fn read_exact_at_returns_the_bytes_or_unexpected_eof() -> Result<(), std::io::Error> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("f");
        let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &bytes)?;
        let f = File::open(&path)?;
        assert_eq!(read_exact_at(&f, 0, 300_000)?, bytes);
        assert_eq!(read_exact_at(&f, 12_345, 70_000)?, bytes[12_345..82_345]);
        assert!(read_exact_at(&f, 7, 0)?.is_empty());
        let short = read_exact_at(&f, 299_990, 11).map(|_| ());
        assert_eq!(
            short.map_err(|e| e.kind()),
            Err(std::io::ErrorKind::UnexpectedEof)
        );
        Ok(())
    }

    #[test]
    fn new_segment_has_configured_size_and_scans_empty() -> Result<(), StorageError> {
        let dir = tempfile::tempdir()?;
        fs::create_dir_all(wal_dir(dir.path()))?;
        let f = create_segment(dir.path(), 3, 1 << 16)?;
        assert_eq!(f.metadata()?.len(), 1 << 16);
        assert_eq!(list_segments(dir.path())?, vec![3]);
        let scan = scan_segment(&f, 3, 0)?;
        assert!(scan.records.is_empty());
        assert_eq!(scan.valid_end, SEGMENT_HEADER_LEN);
        Ok(())
    }
}
