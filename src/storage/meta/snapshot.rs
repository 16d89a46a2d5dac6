//! Snapshot export and import: the stream Raft ships to a lagging node.
//!
//! The stream is versioned and ordered (keyspace, then key), so two stores
//! that applied the same batches export identical bytes, and an import can
//! check every entry before trusting it.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::sync::Arc;

use fjall::{PersistMode, Readable, Snapshot};

use super::error::MetaError;
use super::keys;
use super::records::{
    AccessKey, BucketRecord, ClusterLayout, MultipartUpload, ObjectRecord, PartRecord, RepairReport,
};
use super::state::{decode_last_applied, MetaState, Space, SPACES};

/// Magic bytes that start a snapshot stream.
const SNAPSHOT_MAGIC: &[u8; 8] = b"PSMETA\r\n";
/// Version of the snapshot stream format: 3 added the heal queue keyspace,
/// 4 the versions keyspace, 5 the usage and lifecycle keyspaces (a stream
/// without them is counted again on import), 6 the IAM keyspaces.
pub(super) const SNAPSHOT_VERSION: u8 = 6;
/// The oldest version import still reads: a version-2 stream is a
/// version-3 stream without a heal queue, and that a version-4 stream
/// without versions (a node may still hold one built before an upgrade,
/// and send it to a lagging follower).
const OLDEST_SNAPSHOT_VERSION: u8 = 2;
/// Snapshot tag that ends the stream (followed by the entry count).
pub(super) const SNAPSHOT_END: u8 = 0;
/// Import commits a fjall batch whenever this many bytes are pending.
const IMPORT_BATCH_BYTES: usize = 8 << 20;

impl Space {
    /// Stable id in snapshot streams (never 0, which ends the stream).
    pub(super) fn tag(self) -> u8 {
        self as u8 + 1
    }

    /// Inverse of [`Space::tag`]; `None` for 0 and unknown tags.
    pub(super) fn from_tag(tag: u8) -> Option<Self> {
        SPACES.get(usize::from(tag).checked_sub(1)?).copied()
    }

    /// Checks that an imported entry is well formed for this keyspace.
    fn check_entry(self, key: &[u8], value: &[u8]) -> Result<(), MetaError> {
        match self {
            Space::Buckets => BucketRecord::decode(value).map(drop),
            Space::Objects | Space::Versions => ObjectRecord::decode(value).map(drop),
            Space::Uploads => MultipartUpload::decode(value).map(drop),
            Space::UploadKeys if value.is_empty() => Ok(()),
            Space::UploadKeys => Err(MetaError::Corrupt("upload index entry")),
            Space::Parts => PartRecord::decode(value).map(drop),
            Space::AccessKeys => AccessKey::decode(value).map(drop),
            Space::Layout if key == keys::REPAIR_REPORT_KEY => {
                RepairReport::decode(value).map(drop)
            }
            Space::Layout => match super::lifecycle::state::is_progress(key, value) {
                Some(true) => Ok(()),
                Some(false) => Err(MetaError::Corrupt("lifecycle progress")),
                None => ClusterLayout::decode(value).map(drop),
            },
            Space::Meta if key == keys::LAST_APPLIED_KEY => decode_last_applied(value).map(drop),
            // The consensus layer's own record: opaque here, checked there.
            Space::Meta if key == keys::RAFT_STATE_KEY => Ok(()),
            Space::Meta => Err(MetaError::BadSnapshot("unknown meta entry")),
            Space::AppliedOps | Space::AppliedOrder | Space::Drops => {
                super::once::check_entry(self, key, value)
            }
            Space::HealQueue => super::repair::check_entry(key, value),
            Space::Usage if super::quota::usage::check_entry(key, value) => Ok(()),
            Space::Usage => Err(MetaError::Corrupt("bucket usage")),
            Space::Lifecycle if super::lifecycle::state::check_entry(value) => Ok(()),
            Space::Lifecycle => Err(MetaError::Corrupt("lifecycle configuration")),
            Space::Iam => super::iam::check_entry(key, value),
            Space::IamKeys => super::iam::IamKey::decode(value).map(drop),
        }
    }
}

/// The whole state at one point in time, which a Raft snapshot is: taken
/// in an instant (fjall keeps the versions it sees), exported only when a
/// follower needs it, while apply goes on.
pub(crate) struct StateView {
    state: Arc<MetaState>,
    snap: Snapshot,
}

impl StateView {
    /// The consensus layer's record (last applied log id, membership) as
    /// of this view.
    pub(crate) fn raft_state(&self) -> Result<Option<Vec<u8>>, MetaError> {
        Ok(self
            .snap
            .get(self.state.ks(Space::Meta), keys::RAFT_STATE_KEY)?
            .map(|v| v.to_vec()))
    }

    /// Writes this view to `w` as a snapshot stream.
    pub(crate) fn export(&self, w: &mut impl Write) -> Result<(), MetaError> {
        self.state.export_from(&self.snap, w)
    }

    /// How many bytes [`StateView::export`] writes, counted without
    /// writing them: openraft asks a snapshot's length before its first
    /// chunk. Keys are read, values only measured (a value kept in a blob
    /// file is not read), so this costs a fraction of the export.
    pub(crate) fn exported_len(&self) -> Result<u64, MetaError> {
        let mut len = (SNAPSHOT_MAGIC.len() + 1 + 1 + 8) as u64;
        for s in SPACES {
            let mut entries = 0u64;
            for guard in self.snap.iter(self.state.ks(s)) {
                len += guard.key()?.len() as u64;
                entries += 1;
            }
            let mut sized = 0u64;
            for guard in self.snap.iter(self.state.ks(s)) {
                len += u64::from(guard.size()?);
                sized += 1;
            }
            if sized != entries {
                return Err(MetaError::Corrupt(
                    "a snapshot's keyspace changed while measured",
                ));
            }
            // Each entry: its keyspace's tag and two u32 lengths.
            len += entries * (1 + 4 + 4);
        }
        Ok(len)
    }
}

impl MetaState {
    /// A point-in-time view of every keyspace, to export later.
    pub(crate) fn view(self: Arc<Self>) -> StateView {
        let snap = self.snapshot();
        StateView { state: self, snap }
    }

    /// Writes a consistent snapshot of every keyspace to `w` as a
    /// versioned stream of (keyspace, key, value) entries. Two stores that
    /// applied the same batches write identical bytes.
    pub fn export(&self, w: &mut impl Write) -> Result<(), MetaError> {
        self.export_from(&self.snapshot(), w)
    }

    fn export_from(&self, snap: &Snapshot, w: &mut impl Write) -> Result<(), MetaError> {
        let mut w = BufWriter::with_capacity(1 << 20, w);
        w.write_all(SNAPSHOT_MAGIC)?;
        w.write_all(&[SNAPSHOT_VERSION])?;
        let mut count = 0u64;
        for s in SPACES {
            for guard in snap.iter(self.ks(s)) {
                let (k, v) = guard.into_inner()?;
                w.write_all(&[s.tag()])?;
                for part in [&k[..], &v[..]] {
                    let len = u32::try_from(part.len())
                        .map_err(|_| MetaError::BadSnapshot("entry too large"))?;
                    w.write_all(&len.to_le_bytes())?;
                    w.write_all(part)?;
                }
                count += 1;
            }
        }
        w.write_all(&[SNAPSHOT_END])?;
        w.write_all(&count.to_le_bytes())?;
        w.flush()?;
        Ok(())
    }

    /// Builds a store in `dir` from a stream written by
    /// [`MetaState::export`], checking every entry, and syncs it. `dir`
    /// must hold no metadata yet; after an error its contents are
    /// incomplete and should be removed.
    pub fn import(dir: &Path, r: &mut impl Read) -> Result<Self, MetaError> {
        let state = Self::open(dir)?;
        state.forget_counted()?;
        for s in SPACES {
            if !state.ks(s).is_empty()? {
                return Err(MetaError::NotEmpty);
            }
        }
        let mut r = BufReader::new(r);
        let mut magic = [0u8; 9];
        read_exact(&mut r, &mut magic)?;
        let version = magic[8];
        if magic[..8] != SNAPSHOT_MAGIC[..]
            || !(OLDEST_SNAPSHOT_VERSION..=SNAPSHOT_VERSION).contains(&version)
        {
            return Err(MetaError::BadSnapshot("not a metadata snapshot"));
        }
        let mut batch = state.db.batch();
        let mut pending = 0usize;
        let mut count = 0u64;
        let mut previous: Option<(Space, Vec<u8>)> = None;
        loop {
            let mut tag = [0u8; 1];
            read_exact(&mut r, &mut tag)?;
            if tag[0] == SNAPSHOT_END {
                let mut n = [0u8; 8];
                read_exact(&mut r, &mut n)?;
                if u64::from_le_bytes(n) != count {
                    return Err(MetaError::BadSnapshot("entry count does not match"));
                }
                let mut extra = [0u8; 1];
                if r.read(&mut extra)? != 0 {
                    return Err(MetaError::BadSnapshot("data after the end"));
                }
                break;
            }
            let s = Space::from_tag(tag[0])
                .filter(|&s| version >= 3 || s != Space::HealQueue)
                .filter(|&s| version >= 4 || s != Space::Versions)
                .filter(|&s| version >= 5 || !matches!(s, Space::Usage | Space::Lifecycle))
                .filter(|&s| version >= 6 || !matches!(s, Space::Iam | Space::IamKeys))
                .ok_or(MetaError::BadSnapshot("unknown keyspace"))?;
            let key = read_chunk(&mut r, keys::MAX_KEY_BYTES)?;
            let value = read_chunk(&mut r, u32::MAX as usize)?;
            if !keys::storable(&key) {
                return Err(MetaError::BadSnapshot("empty key"));
            }
            if previous
                .as_ref()
                .is_some_and(|(ps, pk)| (*ps, &pk[..]) >= (s, &key[..]))
            {
                return Err(MetaError::BadSnapshot("entries out of order"));
            }
            s.check_entry(&key, &value)?;
            pending += key.len() + value.len();
            batch.insert(state.ks(s), key.clone(), value);
            previous = Some((s, key));
            count += 1;
            if pending >= IMPORT_BATCH_BYTES {
                batch.commit()?;
                batch = state.db.batch();
                pending = 0;
            }
        }
        batch.commit()?;
        state.count_usage_once()?;
        state.db.persist(PersistMode::SyncAll)?;
        Ok(state)
    }
}

fn read_exact(r: &mut impl Read, buf: &mut [u8]) -> Result<(), MetaError> {
    r.read_exact(buf).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => MetaError::BadSnapshot("stream is truncated"),
        _ => MetaError::Io(e),
    })
}

/// Reads a u32-length-prefixed chunk of at most `max` bytes, growing the
/// buffer as bytes arrive rather than trusting the length up front.
fn read_chunk(r: &mut impl Read, max: usize) -> Result<Vec<u8>, MetaError> {
    let mut len = [0u8; 4];
    read_exact(r, &mut len)?;
    let len = u32::from_le_bytes(len);
    if len as usize > max {
        return Err(MetaError::BadSnapshot("entry too large"));
    }
    let mut buf = Vec::new();
    r.take(u64::from(len)).read_to_end(&mut buf)?;
    if buf.len() != len as usize {
        return Err(MetaError::BadSnapshot("stream is truncated"));
    }
    Ok(buf)
}
