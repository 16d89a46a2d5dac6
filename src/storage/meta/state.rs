//! The metadata store itself: its fjall keyspaces, opening them, and the
//! readers the gateway uses (point lookups, `ListParts`,
//! `ListMultipartUploads`). Applying ops is in `apply`, snapshots in
//! `snapshot`, `ListObjects` in `list`, the repair actor's reads in
//! `heal`; all work on the [`MetaState`] defined here.

use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex};

use fjall::{Database, Keyspace, Readable, Snapshot};

use super::error::MetaError;
use super::keys;
use super::ops::{PartsPage, UploadsPage};
use super::records::{
    AccessKey, BucketRecord, ClusterLayout, MultipartUpload, ObjectRecord, PartRecord, RepairReport,
};

/// Object records at least this long (in practice: those holding their
/// object's data inline) are stored apart from the keys.
const INLINE_RECORD_BYTES: u32 = 2048;

/// Version byte of the stored last applied index.
const LAST_APPLIED_VERSION: u8 = 2;

/// The last applied index alone, as written before entry times were kept.
const LAST_APPLIED_VERSION_1: u8 = 1;

/// The keyspaces, in snapshot order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Space {
    Buckets,
    Objects,
    Uploads,
    UploadKeys,
    Parts,
    AccessKeys,
    Layout,
    Meta,
    /// Recently applied op ids and their results (`once`).
    AppliedOps,
    /// The same ids by (time, position), so the oldest expire first.
    AppliedOrder,
    /// Data of replaced or removed versions, waiting for its drop.
    Drops,
    /// Objects the repair actor should check (`heal`).
    HealQueue,
    /// Noncurrent versions and delete markers (`versions`).
    Versions,
    /// Each bucket's usage and quota (`usage`).
    Usage,
    /// Each bucket's lifecycle rules (`lifecycle::state`).
    Lifecycle,
    /// Each account's IAM document and its generation (`iam`).
    Iam,
    /// Access keys of IAM users and temporary credentials (`iam`).
    IamKeys,
}

/// How many keyspaces there are.
pub(super) const SPACE_COUNT: usize = 17;

/// Every keyspace, in [`Space`] (and snapshot) order.
pub(super) const SPACES: [Space; SPACE_COUNT] = [
    Space::Buckets,
    Space::Objects,
    Space::Uploads,
    Space::UploadKeys,
    Space::Parts,
    Space::AccessKeys,
    Space::Layout,
    Space::Meta,
    Space::AppliedOps,
    Space::AppliedOrder,
    Space::Drops,
    Space::HealQueue,
    Space::Versions,
    Space::Usage,
    Space::Lifecycle,
    Space::Iam,
    Space::IamKeys,
];

impl Space {
    /// The fjall keyspace name; stored on disk, so never renamed.
    pub(super) fn name(self) -> &'static str {
        match self {
            Space::Buckets => "buckets",
            Space::Objects => "objects",
            Space::Uploads => "uploads",
            Space::UploadKeys => "upload_keys",
            Space::Parts => "parts",
            Space::AccessKeys => "access_keys",
            Space::Layout => "layout",
            Space::Meta => "meta",
            Space::AppliedOps => "applied_ops",
            Space::AppliedOrder => "applied_order",
            Space::Drops => "drops",
            Space::HealQueue => "heal_queue",
            Space::Versions => "versions",
            Space::Usage => "usage",
            Space::Lifecycle => "lifecycle",
            Space::Iam => "iam",
            Space::IamKeys => "iam_keys",
        }
    }

    /// Position in [`SPACES`] and in `MetaState`'s keyspace array.
    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// The stored form of the last applied log index and the time that entry
/// applied with (versioned; version 1 held the index alone).
pub(super) fn encode_last_applied(applied: Applied) -> Vec<u8> {
    let mut v = Vec::with_capacity(17);
    v.push(LAST_APPLIED_VERSION);
    v.extend_from_slice(&applied.index.to_le_bytes());
    v.extend_from_slice(&applied.at_ms.to_le_bytes());
    v
}

/// Inverse of [`encode_last_applied`], for both versions (a version-1
/// record's time is 0: the next entry's own).
pub(super) fn decode_last_applied(v: &[u8]) -> Result<Applied, MetaError> {
    let corrupt = || MetaError::Corrupt("last applied index");
    let word = |b: &[u8]| b.try_into().map(u64::from_le_bytes).map_err(|_| corrupt());
    match v.split_first() {
        Some((&LAST_APPLIED_VERSION, rest)) if rest.len() == 16 => Ok(Applied {
            index: word(&rest[..8])?,
            at_ms: word(&rest[8..])?,
        }),
        Some((&LAST_APPLIED_VERSION_1, rest)) => Ok(Applied {
            index: word(rest)?,
            at_ms: 0,
        }),
        _ => Err(corrupt()),
    }
}

/// The last entry applied: its log index and the time it applied with,
/// below which the next entry's time never goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Applied {
    /// Its log index.
    pub index: u64,
    /// The time its ops applied with, ms since the Unix epoch.
    pub at_ms: u64,
}

/// The metadata store; cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct MetaState {
    /// The fjall database holding every keyspace.
    pub(super) db: Database,
    /// One keyspace per [`Space`], indexed by [`Space::index`].
    spaces: [Keyspace; SPACE_COUNT],
    /// Serializes `apply_batch` calls, so each sees the last one's commit.
    pub(super) apply_lock: Arc<Mutex<()>>,
    /// The last key of the applied-order keyspace that expiry removed (all
    /// before it are gone too): the next expiry starts after it instead of
    /// wading through the removed keys' tombstones. Only in memory; a
    /// restart starts from the front once.
    pub(super) expired_through: Arc<Mutex<Option<Vec<u8>>>>,
}

impl MetaState {
    /// Opens (or creates) the store in `dir`. Each applied batch is handed
    /// to the OS when it commits; [`MetaState::persist`] makes it durable.
    pub fn open(dir: &Path) -> Result<Self, MetaError> {
        let db = crate::storage::fjall_builder(dir).open()?;
        let open = |s: Space| db.keyspace(s.name(), crate::storage::keyspace_options);
        // Records that carry a small object inline go to blob files, so
        // compaction of the object keyspace moves only the small ones.
        let separated = |s: Space| {
            db.keyspace(s.name(), || {
                crate::storage::keyspace_options().with_kv_separation(Some(
                    fjall::KvSeparationOptions::default().separation_threshold(INLINE_RECORD_BYTES),
                ))
            })
        };
        // In `Space` order, so that `spaces[s.index()]` is `s`'s keyspace.
        let spaces = [
            open(Space::Buckets)?,
            separated(Space::Objects)?,
            open(Space::Uploads)?,
            open(Space::UploadKeys)?,
            open(Space::Parts)?,
            open(Space::AccessKeys)?,
            open(Space::Layout)?,
            open(Space::Meta)?,
            open(Space::AppliedOps)?,
            open(Space::AppliedOrder)?,
            open(Space::Drops)?,
            open(Space::HealQueue)?,
            separated(Space::Versions)?,
            open(Space::Usage)?,
            open(Space::Lifecycle)?,
            open(Space::Iam)?,
            open(Space::IamKeys)?,
        ];
        let state = Self {
            db,
            spaces,
            apply_lock: Arc::new(Mutex::new(())),
            expired_through: Arc::new(Mutex::new(None)),
        };
        state.count_usage_once()?;
        Ok(state)
    }

    /// The keyspace of `s`.
    pub(super) fn ks(&self, s: Space) -> &Keyspace {
        &self.spaces[s.index()]
    }

    /// A point-in-time view of every keyspace.
    pub(super) fn snapshot(&self) -> Snapshot {
        self.db.snapshot()
    }

    /// Makes everything applied so far durable (`sync`), or just hands it
    /// to the OS (`!sync`).
    pub fn persist(&self, sync: bool) -> Result<(), MetaError> {
        self.db.persist(crate::storage::persist_mode(sync))?;
        Ok(())
    }

    /// Index of the last applied log entry; `None` before the first batch.
    pub fn last_applied(&self) -> Result<Option<u64>, MetaError> {
        Ok(self.applied()?.map(|a| a.index))
    }

    /// The last applied entry, with its time.
    pub(super) fn applied(&self) -> Result<Option<Applied>, MetaError> {
        self.ks(Space::Meta)
            .get(keys::LAST_APPLIED_KEY)?
            .map(|v| decode_last_applied(&v))
            .transpose()
    }

    pub(super) fn get_record<T>(
        &self,
        s: Space,
        key: &[u8],
        decode: fn(&[u8]) -> Result<T, MetaError>,
    ) -> Result<Option<T>, MetaError> {
        if !keys::storable(key) {
            return Ok(None);
        }
        self.ks(s).get(key)?.map(|v| decode(&v)).transpose()
    }

    /// A bucket, if it exists.
    pub fn get_bucket(&self, name: &str) -> Result<Option<BucketRecord>, MetaError> {
        self.get_record(
            Space::Buckets,
            &keys::bucket_key(name),
            BucketRecord::decode,
        )
    }

    /// Every bucket, in name order (the caller filters by owner).
    pub fn list_buckets(&self) -> Result<Vec<BucketRecord>, MetaError> {
        self.all_records(Space::Buckets, BucketRecord::decode)
    }

    /// Every record of keyspace `space`, in key order.
    fn all_records<T>(
        &self,
        space: Space,
        decode: impl Fn(&[u8]) -> Result<T, MetaError>,
    ) -> Result<Vec<T>, MetaError> {
        let snap = self.snapshot();
        let mut out = Vec::new();
        for guard in snap.iter(self.ks(space)) {
            let (_, v) = guard.into_inner()?;
            out.push(decode(&v)?);
        }
        Ok(out)
    }

    /// The current version of an object, if any.
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>, MetaError> {
        self.get_record(
            Space::Objects,
            &keys::object_key(bucket, key),
            ObjectRecord::decode,
        )
    }

    /// A multipart upload in progress, if any.
    pub fn get_upload(&self, upload_id: &str) -> Result<Option<MultipartUpload>, MetaError> {
        self.get_record(
            Space::Uploads,
            &keys::upload_key(upload_id),
            MultipartUpload::decode,
        )
    }

    /// An access key, if it exists.
    pub fn get_access_key(&self, access_key_id: &str) -> Result<Option<AccessKey>, MetaError> {
        self.get_record(
            Space::AccessKeys,
            &keys::access_key_key(access_key_id),
            AccessKey::decode,
        )
    }

    /// Every access key, in id order.
    pub fn access_keys(&self) -> Result<Vec<AccessKey>, MetaError> {
        self.all_records(Space::AccessKeys, AccessKey::decode)
    }

    /// The repair report last published, if any.
    pub fn repair_report(&self) -> Result<Option<RepairReport>, MetaError> {
        self.get_record(Space::Layout, keys::REPAIR_REPORT_KEY, RepairReport::decode)
    }

    /// The current cluster layout, if one was set.
    pub fn layout(&self) -> Result<Option<ClusterLayout>, MetaError> {
        self.get_record(Space::Layout, keys::LAYOUT_KEY, ClusterLayout::decode)
    }

    /// `ListParts`: up to `max_parts` parts numbered above
    /// `part_number_marker` (0 lists from the first part).
    pub fn list_parts(
        &self,
        upload_id: &str,
        part_number_marker: u32,
        max_parts: usize,
    ) -> Result<PartsPage, MetaError> {
        let mut page = PartsPage::default();
        let Some(first) = part_number_marker.checked_add(1) else {
            return Ok(page);
        };
        let lower = Bound::Included(keys::part_key(upload_id, first));
        let upper = end_bound(&keys::part_prefix(upload_id));
        let Some(range) = scan_range(lower, upper) else {
            return Ok(page);
        };
        let snap = self.snapshot();
        for guard in snap.range(self.ks(Space::Parts), range) {
            let (_, v) = guard.into_inner()?;
            if page.parts.len() == max_parts {
                page.is_truncated = true;
                page.next_part_number_marker = page.parts.last().map(|p| p.part_number);
                break;
            }
            page.parts.push(PartRecord::decode(&v)?);
        }
        Ok(page)
    }

    /// `ListMultipartUploads` of `bucket` for keys starting with `prefix`,
    /// in (key, upload id) order, after the S3 markers: with only
    /// `key_marker`, keys above it; with both, also the uploads of that
    /// key whose id is above `upload_id_marker`.
    pub fn list_uploads(
        &self,
        bucket: &str,
        prefix: &str,
        key_marker: Option<&str>,
        upload_id_marker: Option<&str>,
        max_uploads: usize,
    ) -> Result<UploadsPage, MetaError> {
        let mut page = UploadsPage::default();
        let prefix_key = keys::upload_index_key_prefix(bucket, prefix);
        let upper = end_bound(&prefix_key);
        let mut lower = Bound::Included(prefix_key);
        if let Some(km) = key_marker {
            let marker = match upload_id_marker {
                Some(um) => Bound::Excluded(keys::upload_index_key(bucket, km, um)),
                None => match past_prefix(&keys::upload_index_exact_key(bucket, km)) {
                    Some(b) => b,
                    None => return Ok(page),
                },
            };
            lower = later_bound(lower, marker);
        }
        let Some(range) = scan_range(lower, upper) else {
            return Ok(page);
        };
        let snap = self.snapshot();
        let uploads = self.ks(Space::Uploads);
        let mut last: Option<(String, String)> = None;
        for guard in snap.range(self.ks(Space::UploadKeys), range) {
            let k = guard.key()?;
            if page.uploads.len() == max_uploads {
                page.is_truncated = true;
                if let Some((key, id)) = last.take() {
                    page.next_key_marker = Some(key);
                    page.next_upload_id_marker = Some(id);
                }
                break;
            }
            let (key, upload_id) = keys::split_upload_index_key(bucket, &k)
                .ok_or(MetaError::Corrupt("upload index key"))?;
            let v = snap
                .get(uploads, keys::upload_key(&upload_id))?
                .ok_or(MetaError::Corrupt("upload index points to no upload"))?;
            page.uploads.push(MultipartUpload::decode(&v)?);
            last = Some((key, upload_id));
        }
        Ok(page)
    }

    /// The consensus layer's record stored with the last batch.
    pub fn raft_state(&self) -> Result<Option<Vec<u8>>, MetaError> {
        Ok(self
            .ks(Space::Meta)
            .get(keys::RAFT_STATE_KEY)?
            .map(|v| v.to_vec()))
    }
}

/// Upper bound of the keys starting with `prefix`.
pub(super) fn end_bound(prefix: &[u8]) -> Bound<Vec<u8>> {
    keys::prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded)
}

/// Lower bound of the keys after every key starting with `prefix`; `None`
/// if no such key can exist.
pub(super) fn past_prefix(prefix: &[u8]) -> Option<Bound<Vec<u8>>> {
    keys::prefix_end(prefix).map(Bound::Included)
}

/// The stricter of two lower bounds.
fn later_bound(a: Bound<Vec<u8>>, b: Bound<Vec<u8>>) -> Bound<Vec<u8>> {
    fn key(b: &Bound<Vec<u8>>) -> Option<(&[u8], bool)> {
        match b {
            Bound::Included(k) => Some((k, false)),
            Bound::Excluded(k) => Some((k, true)),
            Bound::Unbounded => None,
        }
    }
    if key(&a) >= key(&b) {
        a
    } else {
        b
    }
}

/// A (lower, upper) pair of key bounds, as fjall's range scans take them.
pub(super) type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// The bounds to hand fjall for a scan of (`lower`, `upper`): clamped to
/// fjall's key length, or `None` when no key can lie between them (fjall
/// is never asked for an inverted range).
pub(super) fn scan_range(lower: Bound<Vec<u8>>, upper: Bound<Vec<u8>>) -> Option<KeyRange> {
    let lower = keys::clamp_lower(lower);
    let upper = keys::clamp_upper(upper);
    let empty = match (&lower, &upper) {
        (Bound::Included(l), Bound::Included(u)) => l > u,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(u))
        | (Bound::Excluded(l), Bound::Included(u)) => l >= u,
        _ => false,
    };
    (!empty).then_some((lower, upper))
}
