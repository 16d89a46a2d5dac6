//! The metadata state machine: fjall keyspaces, the ops a Raft log feeds
//! it, the readers the gateway uses, and snapshot export/import.
//!
//! [`MetaState::apply_batch`] applies a batch of ops in one fjall write
//! batch that also records the log index, so a batch is either wholly
//! applied or not at all. Ops within the batch see the effects of earlier
//! ones through an in-memory overlay; an op that is refused is rolled back
//! in the overlay and reported as its [`MetaOpError`], and the next op
//! applies as usual.

use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use fjall::{Database, Keyspace, PersistMode, Readable, Snapshot};
use serde::{Deserialize, Serialize};

use super::keys;
use super::records::{
    AccessKey, BucketRecord, ClusterLayout, MultipartUpload, ObjectRecord, PartInfo, PartRecord,
};
use super::MetaError;

/// S3's minimum size of every part of a multipart upload but the last.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// S3's highest part number.
const MAX_PART_NUMBER: u32 = 10_000;

/// Longest bucket name the store accepts. The API layer applies S3's
/// stricter naming rules; this bound only keeps every key fjall-sized.
pub const MAX_BUCKET_NAME_BYTES: usize = 255;

/// S3's longest object key.
pub const MAX_OBJECT_KEY_BYTES: usize = 1024;

/// Longest upload id or access key id the store accepts.
pub const MAX_ID_BYTES: usize = 1024;

/// Object records at least this long (in practice: those holding their
/// object's data inline) are stored apart from the keys.
const INLINE_RECORD_BYTES: u32 = 2048;

/// Version byte of the stored last applied index.
const LAST_APPLIED_VERSION: u8 = 1;

/// Magic bytes that start a snapshot stream.
const SNAPSHOT_MAGIC: &[u8; 8] = b"PSMETA\r\n";
/// Version of the snapshot stream format.
const SNAPSHOT_VERSION: u8 = 1;
/// Snapshot tag that ends the stream (followed by the entry count).
const SNAPSHOT_END: u8 = 0;
/// Import commits a fjall batch whenever this many bytes are pending.
const IMPORT_BATCH_BYTES: usize = 8 << 20;

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
}

const SPACE_COUNT: usize = 8;

const SPACES: [Space; SPACE_COUNT] = [
    Space::Buckets,
    Space::Objects,
    Space::Uploads,
    Space::UploadKeys,
    Space::Parts,
    Space::AccessKeys,
    Space::Layout,
    Space::Meta,
];

impl Space {
    fn name(self) -> &'static str {
        match self {
            Space::Buckets => "buckets",
            Space::Objects => "objects",
            Space::Uploads => "uploads",
            Space::UploadKeys => "upload_keys",
            Space::Parts => "parts",
            Space::AccessKeys => "access_keys",
            Space::Layout => "layout",
            Space::Meta => "meta",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Stable id in snapshot streams (never 0, which ends the stream).
    fn tag(self) -> u8 {
        self as u8 + 1
    }

    fn from_tag(tag: u8) -> Option<Self> {
        SPACES.get(usize::from(tag).checked_sub(1)?).copied()
    }

    /// Checks that an imported entry is well formed for this keyspace.
    fn check_entry(self, key: &[u8], value: &[u8]) -> Result<(), MetaError> {
        match self {
            Space::Buckets => BucketRecord::decode(value).map(drop),
            Space::Objects => ObjectRecord::decode(value).map(drop),
            Space::Uploads => MultipartUpload::decode(value).map(drop),
            Space::UploadKeys if value.is_empty() => Ok(()),
            Space::UploadKeys => Err(MetaError::Corrupt("upload index entry")),
            Space::Parts => PartRecord::decode(value).map(drop),
            Space::AccessKeys => AccessKey::decode(value).map(drop),
            Space::Layout => ClusterLayout::decode(value).map(drop),
            Space::Meta if key == keys::LAST_APPLIED_KEY => decode_last_applied(value).map(drop),
            // The consensus layer's own record: opaque here, checked there.
            Space::Meta if key == keys::RAFT_STATE_KEY => Ok(()),
            Space::Meta => Err(MetaError::BadSnapshot("unknown meta entry")),
        }
    }
}

fn encode_last_applied(index: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(9);
    v.push(LAST_APPLIED_VERSION);
    v.extend_from_slice(&index.to_le_bytes());
    v
}

fn decode_last_applied(v: &[u8]) -> Result<u64, MetaError> {
    match v.split_first() {
        Some((&LAST_APPLIED_VERSION, rest)) => rest
            .try_into()
            .map(u64::from_le_bytes)
            .map_err(|_| MetaError::Corrupt("last applied index")),
        _ => Err(MetaError::Corrupt("last applied index")),
    }
}

/// One change to the metadata, as carried in a Raft log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetaOp {
    /// Creates a bucket (`BucketAlreadyOwnedByYou` / `BucketAlreadyExists`
    /// if the name is taken).
    CreateBucket {
        /// The new bucket.
        record: BucketRecord,
    },
    /// Deletes an empty bucket: no objects and no multipart uploads in
    /// progress (`BucketNotEmpty`), so no shard is ever orphaned.
    DeleteBucket {
        /// Bucket name.
        name: String,
    },
    /// Stores an object, replacing any previous version; the outcome
    /// returns the replaced record so its shards can be deleted.
    PutObject {
        /// The new version.
        record: ObjectRecord,
        /// `If-None-Match: *`: refuse (`PreconditionFailed`) if the key exists.
        if_absent: bool,
    },
    /// Deletes an object; a missing key is not an error (as in S3).
    DeleteObject {
        /// Bucket name.
        bucket: String,
        /// Object key.
        key: String,
    },
    /// Starts a multipart upload (the bucket must exist).
    CreateMultipart {
        /// The upload, with its gateway-chosen unique id.
        upload: MultipartUpload,
    },
    /// Records an uploaded part, replacing a part with the same number.
    PutPart {
        /// The part.
        part: PartRecord,
    },
    /// Completes a multipart upload after checking the listed parts.
    CompleteMultipart {
        /// Bucket the upload was started in.
        bucket: String,
        /// Key the upload was started for.
        key: String,
        /// The upload.
        upload_id: String,
        /// Part numbers and ETags from the request, which must ascend.
        parts: Vec<(u32, String)>,
        /// The final object as the gateway computed it: its `etag` (the
        /// multipart ETag), `object_id`, `checksums`, `last_modified_ms`
        /// and `shard_nodes` are kept; bucket, key, size, parts, content
        /// type, metadata, headers and layout are filled in from the upload
        /// and its parts.
        record_template: ObjectRecord,
    },
    /// Abandons a multipart upload; the outcome lists its parts so their
    /// shards can be deleted.
    AbortMultipart {
        /// Bucket the upload was started in.
        bucket: String,
        /// Key the upload was started for.
        key: String,
        /// The upload.
        upload_id: String,
    },
    /// Adds or replaces an access key.
    PutAccessKey {
        /// The key.
        key: AccessKey,
    },
    /// Installs a cluster layout if it is newer than the current one.
    SetLayout {
        /// The new layout.
        layout: ClusterLayout,
    },
}

impl MetaOp {
    /// Versioned binary form, for Raft log entries.
    pub fn encode(&self) -> Vec<u8> {
        super::records::to_bytes(self).unwrap_or_default()
    }

    /// Inverse of [`MetaOp::encode`].
    pub fn decode(b: &[u8]) -> Result<Self, MetaError> {
        super::records::from_bytes(b, "metadata op")
    }
}

/// What a successful op did, with whatever the caller must clean up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MetaOutcome {
    /// Done; nothing to report.
    Done,
    /// `PutObject`: the version that was replaced, whose shards are now garbage.
    Replaced(Option<ObjectRecord>),
    /// `DeleteObject`: the removed version, if the key existed.
    Removed(Option<ObjectRecord>),
    /// `PutPart`: the part with the same number that was replaced.
    PartReplaced(Option<PartRecord>),
    /// `CompleteMultipart`: the object version replaced, and the uploaded
    /// parts the completion did not use (their shards are garbage).
    Completed {
        /// The previous version of the key.
        replaced: Option<ObjectRecord>,
        /// Parts uploaded but not listed, in part-number order.
        unused_parts: Vec<PartRecord>,
    },
    /// `AbortMultipart`: every part of the upload, in part-number order.
    Aborted {
        /// The parts whose shards must be deleted.
        parts: Vec<PartRecord>,
    },
}

/// Why an op was refused; the op changed nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum MetaOpError {
    /// The bucket does not exist.
    #[error("the specified bucket does not exist")]
    NoSuchBucket,
    /// The caller already owns a bucket with this name.
    #[error("the bucket is already owned by you")]
    BucketAlreadyOwnedByYou,
    /// Someone else owns a bucket with this name.
    #[error("the bucket name is not available")]
    BucketAlreadyExists,
    /// The bucket still has objects or multipart uploads.
    #[error("the bucket is not empty")]
    BucketNotEmpty,
    /// The key does not exist.
    #[error("the specified key does not exist")]
    NoSuchKey,
    /// A conditional write found the key present.
    #[error("a precondition failed")]
    PreconditionFailed,
    /// The upload does not exist (or belongs to another bucket or key).
    #[error("the specified multipart upload does not exist")]
    NoSuchUpload,
    /// A listed part was not uploaded, or its ETag does not match.
    #[error("a listed part was not found or its ETag does not match")]
    InvalidPart,
    /// The listed parts are not in strictly ascending order.
    #[error("the list of parts is not in ascending order")]
    InvalidPartOrder,
    /// A part other than the last is smaller than 5 MiB.
    #[error("a part is smaller than the minimum allowed size")]
    EntityTooSmall,
    /// A bucket name that is empty or too long.
    #[error("the specified bucket name is not valid")]
    InvalidBucketName,
    /// An object key longer than S3 allows.
    #[error("the object key is too long")]
    KeyTooLongError,
    /// An empty object key or id, or a part number outside 1..=10000.
    #[error("invalid argument")]
    InvalidArgument,
    /// A completion that lists no parts.
    #[error("the request lists no parts")]
    InvalidRequest,
    /// The gateway reused an upload id (internal error: ids must be unique).
    #[error("the upload id is already in use")]
    UploadAlreadyExists,
    /// A cluster layout not newer than the current one.
    #[error("the cluster layout is not newer than the current one")]
    StaleLayout,
}

impl MetaOpError {
    /// The S3 error code to send to the client.
    pub fn code(self) -> &'static str {
        match self {
            MetaOpError::NoSuchBucket => "NoSuchBucket",
            MetaOpError::BucketAlreadyOwnedByYou => "BucketAlreadyOwnedByYou",
            MetaOpError::BucketAlreadyExists => "BucketAlreadyExists",
            MetaOpError::BucketNotEmpty => "BucketNotEmpty",
            MetaOpError::NoSuchKey => "NoSuchKey",
            MetaOpError::PreconditionFailed => "PreconditionFailed",
            MetaOpError::NoSuchUpload => "NoSuchUpload",
            MetaOpError::InvalidPart => "InvalidPart",
            MetaOpError::InvalidPartOrder => "InvalidPartOrder",
            MetaOpError::EntityTooSmall => "EntityTooSmall",
            MetaOpError::InvalidBucketName => "InvalidBucketName",
            MetaOpError::KeyTooLongError => "KeyTooLongError",
            MetaOpError::InvalidArgument => "InvalidArgument",
            MetaOpError::InvalidRequest => "InvalidRequest",
            MetaOpError::UploadAlreadyExists => "InternalError",
            MetaOpError::StaleLayout => "OperationAborted",
        }
    }

    /// The HTTP status S3 sends with [`MetaOpError::code`].
    pub fn http_status(self) -> u16 {
        match self {
            MetaOpError::NoSuchBucket | MetaOpError::NoSuchKey | MetaOpError::NoSuchUpload => 404,
            MetaOpError::BucketAlreadyOwnedByYou
            | MetaOpError::BucketAlreadyExists
            | MetaOpError::BucketNotEmpty
            | MetaOpError::StaleLayout => 409,
            MetaOpError::PreconditionFailed => 412,
            MetaOpError::InvalidPart
            | MetaOpError::InvalidPartOrder
            | MetaOpError::EntityTooSmall
            | MetaOpError::InvalidBucketName
            | MetaOpError::KeyTooLongError
            | MetaOpError::InvalidArgument
            | MetaOpError::InvalidRequest => 400,
            MetaOpError::UploadAlreadyExists => 500,
        }
    }
}

/// The outcome of one op: what it did, or why it was refused.
pub type MetaResult = Result<MetaOutcome, MetaOpError>;

/// A page of `ListParts`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartsPage {
    /// Parts in part-number order.
    pub parts: Vec<PartRecord>,
    /// More parts follow.
    pub is_truncated: bool,
    /// Part number to pass as the marker for the next page (when truncated).
    pub next_part_number_marker: Option<u32>,
}

/// A page of `ListMultipartUploads`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadsPage {
    /// Uploads in (key, upload id) order.
    pub uploads: Vec<MultipartUpload>,
    /// More uploads follow.
    pub is_truncated: bool,
    /// Key marker for the next page (when truncated).
    pub next_key_marker: Option<String>,
    /// Upload id marker for the next page (when truncated).
    pub next_upload_id_marker: Option<String>,
}

/// The metadata store; cheap to clone and safe to share between threads.
#[derive(Clone)]
pub struct MetaState {
    db: Database,
    /// One keyspace per [`Space`], indexed by [`Space::index`].
    spaces: [Keyspace; SPACE_COUNT],
    apply_lock: Arc<Mutex<()>>,
}

impl MetaState {
    /// Opens (or creates) the store in `dir`. Each applied batch is handed
    /// to the OS when it commits; [`MetaState::persist`] makes it durable.
    pub fn open(dir: &Path) -> Result<Self, MetaError> {
        let db = crate::storage::fjall_builder(dir).open()?;
        let open = |s: Space| db.keyspace(s.name(), crate::storage::keyspace_options);
        // Records that carry a small object inline go to blob files, so
        // compaction of the object keyspace moves only the small ones.
        let objects = db.keyspace(Space::Objects.name(), || {
            crate::storage::keyspace_options().with_kv_separation(Some(
                fjall::KvSeparationOptions::default().separation_threshold(INLINE_RECORD_BYTES),
            ))
        });
        // In `Space` order, so that `spaces[s.index()]` is `s`'s keyspace.
        let spaces = [
            open(Space::Buckets)?,
            objects?,
            open(Space::Uploads)?,
            open(Space::UploadKeys)?,
            open(Space::Parts)?,
            open(Space::AccessKeys)?,
            open(Space::Layout)?,
            open(Space::Meta)?,
        ];
        Ok(Self {
            db,
            spaces,
            apply_lock: Arc::new(Mutex::new(())),
        })
    }

    pub(super) fn ks(&self, s: Space) -> &Keyspace {
        &self.spaces[s.index()]
    }

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
        self.ks(Space::Meta)
            .get(keys::LAST_APPLIED_KEY)?
            .map(|v| decode_last_applied(&v))
            .transpose()
    }

    fn get_record<T>(
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
        let snap = self.snapshot();
        let mut out = Vec::new();
        for guard in snap.iter(self.ks(Space::Buckets)) {
            let (_, v) = guard.into_inner()?;
            out.push(BucketRecord::decode(&v)?);
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

    /// Applies `ops` in order as the log entry at `log_index`, in one
    /// atomic commit that also records `log_index` as the last applied.
    ///
    /// Returns one result per op. A refused op changes nothing and the
    /// following ops still apply. An `Err` means the store failed: nothing
    /// of the batch was applied. `log_index` must be above
    /// [`MetaState::last_applied`]; an empty batch just records it.
    pub fn apply_batch(
        &self,
        log_index: u64,
        ops: &[MetaOp],
    ) -> Result<Vec<MetaResult>, MetaError> {
        self.apply_batch_with_raft_state(log_index, ops, None)
    }

    /// [`MetaState::apply_batch`], also storing `raft_state` (the
    /// consensus layer's own record: last applied log id, membership) in
    /// the same atomic commit.
    pub fn apply_batch_with_raft_state(
        &self,
        log_index: u64,
        ops: &[MetaOp],
        raft_state: Option<&[u8]>,
    ) -> Result<Vec<MetaResult>, MetaError> {
        let _guard = self
            .apply_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(last_applied) = self.last_applied()? {
            if log_index <= last_applied {
                return Err(MetaError::StaleLogIndex {
                    index: log_index,
                    last_applied,
                });
            }
        }
        let mut overlay = Overlay::new(self);
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            let mark = overlay.undo.len();
            match overlay.apply(op) {
                Ok(outcome) => results.push(Ok(outcome)),
                Err(Fail::Op(e)) => {
                    overlay.rollback(mark);
                    results.push(Err(e));
                }
                Err(Fail::Store(e)) => return Err(e),
            }
        }
        overlay.commit(log_index, raft_state)?;
        Ok(results)
    }

    /// The consensus layer's record stored with the last batch.
    pub fn raft_state(&self) -> Result<Option<Vec<u8>>, MetaError> {
        Ok(self
            .ks(Space::Meta)
            .get(keys::RAFT_STATE_KEY)?
            .map(|v| v.to_vec()))
    }

    /// Writes a consistent snapshot of every keyspace to `w` as a
    /// versioned stream of (keyspace, key, value) entries. Two stores that
    /// applied the same batches write identical bytes.
    pub fn export(&self, w: &mut impl Write) -> Result<(), MetaError> {
        self.export_with_raft_state(w).map(|_| ())
    }

    /// [`MetaState::export`], answering the consensus layer's record as of
    /// the exported state (both read from one point-in-time view).
    pub fn export_with_raft_state(&self, w: &mut impl Write) -> Result<Option<Vec<u8>>, MetaError> {
        let mut w = BufWriter::new(w);
        w.write_all(SNAPSHOT_MAGIC)?;
        w.write_all(&[SNAPSHOT_VERSION])?;
        let snap = self.snapshot();
        let raft_state = snap
            .get(self.ks(Space::Meta), keys::RAFT_STATE_KEY)?
            .map(|v| v.to_vec());
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
        Ok(raft_state)
    }

    /// Builds a store in `dir` from a stream written by
    /// [`MetaState::export`], checking every entry, and syncs it. `dir`
    /// must hold no metadata yet; after an error its contents are
    /// incomplete and should be removed.
    pub fn import(dir: &Path, r: &mut impl Read) -> Result<Self, MetaError> {
        let state = Self::open(dir)?;
        for s in SPACES {
            if !state.ks(s).is_empty()? {
                return Err(MetaError::NotEmpty);
            }
        }
        let mut r = BufReader::new(r);
        let mut magic = [0u8; 9];
        read_exact(&mut r, &mut magic)?;
        if magic[..8] != SNAPSHOT_MAGIC[..] || magic[8] != SNAPSHOT_VERSION {
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
            let s = Space::from_tag(tag[0]).ok_or(MetaError::BadSnapshot("unknown keyspace"))?;
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

/// Why an op did not apply: refused, or the store failed.
enum Fail {
    Op(MetaOpError),
    Store(MetaError),
}

impl From<MetaOpError> for Fail {
    fn from(e: MetaOpError) -> Self {
        Fail::Op(e)
    }
}

impl From<MetaError> for Fail {
    fn from(e: MetaError) -> Self {
        Fail::Store(e)
    }
}

impl From<fjall::Error> for Fail {
    fn from(e: fjall::Error) -> Self {
        Fail::Store(e.into())
    }
}

/// A pending write: `Some` value, or `None` for a removal.
type Pending = Option<Vec<u8>>;

/// The batch being applied: writes not yet committed, read through on top
/// of the store, with an undo log to roll back a refused op.
struct Overlay<'a> {
    state: &'a MetaState,
    writes: [BTreeMap<Vec<u8>, Pending>; SPACE_COUNT],
    /// (keyspace, key, overlay entry before the write).
    undo: Vec<(Space, Vec<u8>, Option<Pending>)>,
}

impl<'a> Overlay<'a> {
    fn new(state: &'a MetaState) -> Self {
        Self {
            state,
            writes: Default::default(),
            undo: Vec::new(),
        }
    }

    fn get(&self, s: Space, key: &[u8]) -> Result<Option<Vec<u8>>, MetaError> {
        match self.writes[s.index()].get(key) {
            Some(pending) => Ok(pending.clone()),
            None if !keys::storable(key) => Ok(None),
            None => Ok(self.state.ks(s).get(key)?.map(|v| v.to_vec())),
        }
    }

    fn get_record<T>(
        &self,
        s: Space,
        key: &[u8],
        decode: fn(&[u8]) -> Result<T, MetaError>,
    ) -> Result<Option<T>, MetaError> {
        self.get(s, key)?.map(|v| decode(&v)).transpose()
    }

    fn set(&mut self, s: Space, key: Vec<u8>, value: Pending) {
        let before = self.writes[s.index()].insert(key.clone(), value);
        self.undo.push((s, key, before));
    }

    /// Stages a write; refuses (as an op error) a key or value fjall
    /// could not hold, rather than letting the commit fail or panic.
    fn put(&mut self, s: Space, key: Vec<u8>, value: Vec<u8>) -> Result<(), Fail> {
        if !keys::storable(&key) || u32::try_from(value.len()).is_err() {
            return Err(MetaOpError::InvalidArgument.into());
        }
        self.set(s, key, Some(value));
        Ok(())
    }

    fn remove(&mut self, s: Space, key: Vec<u8>) {
        self.set(s, key, None);
    }

    fn rollback(&mut self, mark: usize) {
        while self.undo.len() > mark {
            let Some((s, key, before)) = self.undo.pop() else {
                break;
            };
            let writes = &mut self.writes[s.index()];
            match before {
                Some(v) => writes.insert(key, v),
                None => writes.remove(&key),
            };
        }
    }

    /// Whether any live key starts with `prefix`.
    fn any_with_prefix(&self, s: Space, prefix: &[u8]) -> Result<bool, MetaError> {
        let writes = &self.writes[s.index()];
        let range = (Bound::Included(prefix.to_vec()), end_bound(prefix));
        if writes.range(range).any(|(_, v)| v.is_some()) {
            return Ok(true);
        }
        for guard in self.state.ks(s).prefix(prefix) {
            let k = guard.key()?;
            if !matches!(writes.get(&*k), Some(None)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Every live (key, value) starting with `prefix`, in key order.
    fn scan_prefix(
        &self,
        s: Space,
        prefix: &[u8],
    ) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, MetaError> {
        let mut out = BTreeMap::new();
        for guard in self.state.ks(s).prefix(prefix) {
            let (k, v) = guard.into_inner()?;
            out.insert(k.to_vec(), v.to_vec());
        }
        let range = (Bound::Included(prefix.to_vec()), end_bound(prefix));
        for (k, v) in self.writes[s.index()].range(range) {
            match v {
                Some(v) => out.insert(k.clone(), v.clone()),
                None => out.remove(k),
            };
        }
        Ok(out)
    }

    fn commit(self, log_index: u64, raft_state: Option<&[u8]>) -> Result<(), MetaError> {
        let mut batch = self.state.db.batch();
        for s in SPACES {
            let ks = self.state.ks(s);
            for (k, v) in &self.writes[s.index()] {
                // `put` checked new keys; removed keys were read from fjall.
                if !keys::storable(k) {
                    return Err(MetaError::Encode("a key fjall cannot hold"));
                }
                match v {
                    Some(v) => batch.insert(ks, k.as_slice(), v.as_slice()),
                    None => batch.remove(ks, k.as_slice()),
                }
            }
        }
        batch.insert(
            self.state.ks(Space::Meta),
            keys::LAST_APPLIED_KEY,
            encode_last_applied(log_index),
        );
        if let Some(raft_state) = raft_state {
            batch.insert(self.state.ks(Space::Meta), keys::RAFT_STATE_KEY, raft_state);
        }
        batch.commit()?;
        Ok(())
    }

    fn bucket(&self, name: &str) -> Result<Option<BucketRecord>, MetaError> {
        self.get_record(
            Space::Buckets,
            &keys::bucket_key(name),
            BucketRecord::decode,
        )
    }

    fn require_bucket(&self, name: &str) -> Result<BucketRecord, Fail> {
        self.bucket(name)?
            .ok_or(Fail::Op(MetaOpError::NoSuchBucket))
    }

    fn object(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>, MetaError> {
        self.get_record(
            Space::Objects,
            &keys::object_key(bucket, key),
            ObjectRecord::decode,
        )
    }

    fn upload(&self, upload_id: &str) -> Result<Option<MultipartUpload>, MetaError> {
        self.get_record(
            Space::Uploads,
            &keys::upload_key(upload_id),
            MultipartUpload::decode,
        )
    }

    /// The upload, if it exists and was started for `bucket`/`key`.
    fn upload_for(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<MultipartUpload, Fail> {
        match self.upload(upload_id)? {
            Some(u) if u.bucket == bucket && u.key == key => Ok(u),
            _ => Err(Fail::Op(MetaOpError::NoSuchUpload)),
        }
    }

    /// Every part of an upload, in part-number order.
    fn parts(&self, upload_id: &str) -> Result<Vec<PartRecord>, MetaError> {
        self.scan_prefix(Space::Parts, &keys::part_prefix(upload_id))?
            .values()
            .map(|v| PartRecord::decode(v))
            .collect()
    }

    /// Removes an upload, its index entry and its parts.
    fn remove_upload(&mut self, upload: &MultipartUpload, parts: &[PartRecord]) {
        for p in parts {
            self.remove(Space::Parts, keys::part_key(&p.upload_id, p.part_number));
        }
        self.remove(Space::Uploads, keys::upload_key(&upload.upload_id));
        self.remove(
            Space::UploadKeys,
            keys::upload_index_key(&upload.bucket, &upload.key, &upload.upload_id),
        );
    }

    fn apply(&mut self, op: &MetaOp) -> Result<MetaOutcome, Fail> {
        match op {
            MetaOp::CreateBucket { record } => self.create_bucket(record),
            MetaOp::DeleteBucket { name } => self.delete_bucket(name),
            MetaOp::PutObject { record, if_absent } => self.put_object(record, *if_absent),
            MetaOp::DeleteObject { bucket, key } => self.delete_object(bucket, key),
            MetaOp::CreateMultipart { upload } => self.create_multipart(upload),
            MetaOp::PutPart { part } => self.put_part(part),
            MetaOp::CompleteMultipart {
                bucket,
                key,
                upload_id,
                parts,
                record_template,
            } => self.complete_multipart(bucket, key, upload_id, parts, record_template),
            MetaOp::AbortMultipart {
                bucket,
                key,
                upload_id,
            } => self.abort_multipart(bucket, key, upload_id),
            MetaOp::PutAccessKey { key } => {
                check_id(&key.access_key_id)?;
                let v = key.try_encode()?;
                self.put(
                    Space::AccessKeys,
                    keys::access_key_key(&key.access_key_id),
                    v,
                )?;
                Ok(MetaOutcome::Done)
            }
            MetaOp::SetLayout { layout } => {
                let current =
                    self.get_record(Space::Layout, keys::LAYOUT_KEY, ClusterLayout::decode)?;
                if current.is_some_and(|c| layout.version <= c.version) {
                    return Err(MetaOpError::StaleLayout.into());
                }
                let v = layout.try_encode()?;
                self.put(Space::Layout, keys::LAYOUT_KEY.to_vec(), v)?;
                Ok(MetaOutcome::Done)
            }
        }
    }

    fn create_bucket(&mut self, record: &BucketRecord) -> Result<MetaOutcome, Fail> {
        if record.name.is_empty() || record.name.len() > MAX_BUCKET_NAME_BYTES {
            return Err(MetaOpError::InvalidBucketName.into());
        }
        if let Some(existing) = self.bucket(&record.name)? {
            return Err(if existing.owner == record.owner {
                MetaOpError::BucketAlreadyOwnedByYou
            } else {
                MetaOpError::BucketAlreadyExists
            }
            .into());
        }
        let v = record.try_encode()?;
        self.put(Space::Buckets, keys::bucket_key(&record.name), v)?;
        Ok(MetaOutcome::Done)
    }

    fn delete_bucket(&mut self, name: &str) -> Result<MetaOutcome, Fail> {
        self.require_bucket(name)?;
        if self.any_with_prefix(Space::Objects, &keys::object_prefix(name))?
            || self.any_with_prefix(Space::UploadKeys, &keys::upload_index_bucket_prefix(name))?
        {
            return Err(MetaOpError::BucketNotEmpty.into());
        }
        self.remove(Space::Buckets, keys::bucket_key(name));
        Ok(MetaOutcome::Done)
    }

    fn put_object(&mut self, record: &ObjectRecord, if_absent: bool) -> Result<MetaOutcome, Fail> {
        self.require_bucket(&record.bucket)?;
        check_object_key(&record.key)?;
        let old = self.object(&record.bucket, &record.key)?;
        if if_absent && old.is_some() {
            return Err(MetaOpError::PreconditionFailed.into());
        }
        let v = record.try_encode()?;
        self.put(
            Space::Objects,
            keys::object_key(&record.bucket, &record.key),
            v,
        )?;
        Ok(MetaOutcome::Replaced(old))
    }

    fn delete_object(&mut self, bucket: &str, key: &str) -> Result<MetaOutcome, Fail> {
        self.require_bucket(bucket)?;
        check_object_key(key)?;
        let old = self.object(bucket, key)?;
        if old.is_some() {
            self.remove(Space::Objects, keys::object_key(bucket, key));
        }
        Ok(MetaOutcome::Removed(old))
    }

    fn create_multipart(&mut self, upload: &MultipartUpload) -> Result<MetaOutcome, Fail> {
        self.require_bucket(&upload.bucket)?;
        check_object_key(&upload.key)?;
        check_id(&upload.upload_id)?;
        if self.upload(&upload.upload_id)?.is_some() {
            return Err(MetaOpError::UploadAlreadyExists.into());
        }
        let v = upload.try_encode()?;
        self.put(Space::Uploads, keys::upload_key(&upload.upload_id), v)?;
        self.put(
            Space::UploadKeys,
            keys::upload_index_key(&upload.bucket, &upload.key, &upload.upload_id),
            Vec::new(),
        )?;
        Ok(MetaOutcome::Done)
    }

    fn put_part(&mut self, part: &PartRecord) -> Result<MetaOutcome, Fail> {
        if !(1..=MAX_PART_NUMBER).contains(&part.part_number) {
            return Err(MetaOpError::InvalidArgument.into());
        }
        if self.upload(&part.upload_id)?.is_none() {
            return Err(MetaOpError::NoSuchUpload.into());
        }
        let key = keys::part_key(&part.upload_id, part.part_number);
        let old = self.get_record(Space::Parts, &key, PartRecord::decode)?;
        let v = part.try_encode()?;
        self.put(Space::Parts, key, v)?;
        Ok(MetaOutcome::PartReplaced(old))
    }

    fn complete_multipart(
        &mut self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        listed: &[(u32, String)],
        template: &ObjectRecord,
    ) -> Result<MetaOutcome, Fail> {
        let upload = self.upload_for(bucket, key, upload_id)?;
        self.require_bucket(bucket)?;
        if listed.is_empty() {
            return Err(MetaOpError::InvalidRequest.into());
        }
        if listed.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(MetaOpError::InvalidPartOrder.into());
        }
        let mut stored: BTreeMap<u32, PartRecord> = self
            .parts(upload_id)?
            .into_iter()
            .map(|p| (p.part_number, p))
            .collect();
        let mut chosen = Vec::with_capacity(listed.len());
        for (number, etag) in listed {
            match stored.get(number) {
                Some(p) if same_etag(&p.etag, etag) => chosen.push(p.clone()),
                _ => return Err(MetaOpError::InvalidPart.into()),
            }
        }
        if let Some((_, all_but_last)) = chosen.split_last() {
            if all_but_last.iter().any(|p| p.size < MIN_PART_SIZE) {
                return Err(MetaOpError::EntityTooSmall.into());
            }
        }

        let all_parts: Vec<PartRecord> = stored.values().cloned().collect();
        for p in &chosen {
            stored.remove(&p.part_number);
        }
        let unused_parts: Vec<PartRecord> = stored.into_values().collect();

        let record = ObjectRecord {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            size: chosen.iter().fold(0u64, |n, p| n.saturating_add(p.size)),
            content_type: upload.content_type.clone(),
            user_metadata: upload.user_metadata.clone(),
            headers: upload.headers.clone(),
            layout: upload.layout,
            parts: chosen
                .into_iter()
                .map(|p| PartInfo {
                    part_number: p.part_number,
                    size: p.size,
                    etag: p.etag,
                    object_id: p.object_id,
                    shard_nodes: p.shard_nodes,
                })
                .collect(),
            inline_data: None,
            ..template.clone()
        };
        let replaced = self.object(bucket, key)?;
        let v = record.try_encode()?;
        self.remove_upload(&upload, &all_parts);
        self.put(Space::Objects, keys::object_key(bucket, key), v)?;
        Ok(MetaOutcome::Completed {
            replaced,
            unused_parts,
        })
    }

    fn abort_multipart(
        &mut self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<MetaOutcome, Fail> {
        let upload = self.upload_for(bucket, key, upload_id)?;
        let parts = self.parts(upload_id)?;
        self.remove_upload(&upload, &parts);
        Ok(MetaOutcome::Aborted { parts })
    }
}

/// Refuses an object key S3 would not accept (empty, or over 1024 bytes).
fn check_object_key(key: &str) -> Result<(), MetaOpError> {
    if key.is_empty() {
        Err(MetaOpError::InvalidArgument)
    } else if key.len() > MAX_OBJECT_KEY_BYTES {
        Err(MetaOpError::KeyTooLongError)
    } else {
        Ok(())
    }
}

/// Refuses an empty or overlong upload id or access key id.
fn check_id(id: &str) -> Result<(), MetaOpError> {
    if id.is_empty() || id.len() > MAX_ID_BYTES {
        Err(MetaOpError::InvalidArgument)
    } else {
        Ok(())
    }
}

/// Compares ETags ignoring the surrounding quotes clients may or may not send.
fn same_etag(stored: &str, given: &str) -> bool {
    stored.trim_matches('"') == given.trim_matches('"')
}

/// Record builders shared by the tests of this module and of `list`.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::super::records::ErasureLayout;
    use super::*;

    pub(crate) fn layout() -> ErasureLayout {
        ErasureLayout {
            data: 4,
            parity: 2,
            stripe_bytes: 1 << 20,
        }
    }

    pub(crate) fn bucket(name: &str, owner: &str) -> BucketRecord {
        BucketRecord {
            name: name.into(),
            owner: owner.into(),
            created_ms: 1_000,
        }
    }

    pub(crate) fn object(bucket: &str, key: &str, id: u128) -> ObjectRecord {
        ObjectRecord {
            bucket: bucket.into(),
            key: key.into(),
            object_id: id,
            size: 10,
            etag: format!("etag-{id}"),
            content_type: None,
            user_metadata: Vec::new(),
            headers: Vec::new(),
            checksums: Vec::new(),
            last_modified_ms: 2_000,
            layout: layout(),
            parts: Vec::new(),
            shard_nodes: vec![1, 2, 3, 4, 5, 6],
            inline_data: None,
        }
    }

    pub(crate) fn put(bucket: &str, key: &str, id: u128) -> MetaOp {
        MetaOp::PutObject {
            record: object(bucket, key, id),
            if_absent: false,
        }
    }

    pub(crate) fn create_bucket(name: &str) -> MetaOp {
        MetaOp::CreateBucket {
            record: bucket(name, "AKOWNER"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn open() -> Result<(tempfile::TempDir, MetaState), MetaError> {
        let dir = tempfile::tempdir()?;
        let state = MetaState::open(dir.path())?;
        Ok((dir, state))
    }

    fn export(state: &MetaState) -> Result<Vec<u8>, MetaError> {
        let mut out = Vec::new();
        state.export(&mut out)?;
        Ok(out)
    }

    fn upload(bucket: &str, key: &str, id: &str) -> MultipartUpload {
        MultipartUpload {
            bucket: bucket.into(),
            key: key.into(),
            upload_id: id.into(),
            initiated_ms: 5,
            content_type: Some("video/mp4".into()),
            user_metadata: vec![("color".into(), "blue".into())],
            headers: vec![("cache-control".into(), "no-cache".into())],
            layout: layout(),
        }
    }

    fn part(upload_id: &str, n: u32, size: u64) -> PartRecord {
        PartRecord {
            upload_id: upload_id.into(),
            part_number: n,
            size,
            etag: format!("p{n}"),
            object_id: 1000 + u128::from(n),
            shard_nodes: vec![u64::from(n); 6],
            last_modified_ms: 7,
        }
    }

    fn complete(parts: &[(u32, &str)]) -> MetaOp {
        MetaOp::CompleteMultipart {
            bucket: "b".into(),
            key: "big".into(),
            upload_id: "u1".into(),
            parts: parts.iter().map(|(n, e)| (*n, (*e).to_owned())).collect(),
            record_template: ObjectRecord {
                etag: "abc-2".into(),
                object_id: 77,
                ..object("ignored", "ignored", 77)
            },
        }
    }

    /// A bucket "b" with upload "u1" for key "big" and parts 1..=3
    /// (5 MiB, 5 MiB, 1 byte).
    fn with_upload() -> Result<(tempfile::TempDir, MetaState), MetaError> {
        let (dir, state) = open()?;
        let r = state.apply_batch(
            1,
            &[
                create_bucket("b"),
                MetaOp::CreateMultipart {
                    upload: upload("b", "big", "u1"),
                },
                MetaOp::PutPart {
                    part: part("u1", 1, MIN_PART_SIZE),
                },
                MetaOp::PutPart {
                    part: part("u1", 2, MIN_PART_SIZE),
                },
                MetaOp::PutPart {
                    part: part("u1", 3, 1),
                },
            ],
        )?;
        assert!(r.iter().all(Result::is_ok), "{r:?}");
        Ok((dir, state))
    }

    #[test]
    fn inline_data_survives_reopen_and_stays_out_of_listings() -> Result<(), MetaError> {
        let dir = tempfile::tempdir()?;
        let data = bytes::Bytes::from(vec![7u8; 4096]);
        let record = ObjectRecord {
            size: 4096,
            shard_nodes: vec![],
            inline_data: Some(data.clone()),
            ..object("b", "small", 9)
        };
        {
            let state = MetaState::open(dir.path())?;
            let r = state.apply_batch(
                1,
                &[
                    create_bucket("b"),
                    MetaOp::PutObject {
                        record: record.clone(),
                        if_absent: false,
                    },
                ],
            )?;
            assert!(r.iter().all(|r| r.is_ok()), "{r:?}");
            state.persist(true)?;
        }
        let state = MetaState::open(dir.path())?;
        assert_eq!(state.get_object("b", "small")?, Some(record));
        let q = crate::storage::meta::ListQuery {
            prefix: String::new(),
            delimiter: None,
            start_after: None,
            max_keys: 10,
        };
        let page = state.list_objects("b", &q)?;
        assert_eq!(page.objects.len(), 1);
        assert_eq!(page.objects[0].size, 4096);
        assert_eq!(page.objects[0].inline_data, None);
        Ok(())
    }

    #[test]
    fn bucket_create_and_delete() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        let r = state.apply_batch(
            1,
            &[
                create_bucket("b"),
                create_bucket("b"),
                MetaOp::CreateBucket {
                    record: bucket("b", "AKOTHER"),
                },
                MetaOp::DeleteBucket {
                    name: "nope".into(),
                },
            ],
        )?;
        assert_eq!(
            r,
            vec![
                Ok(MetaOutcome::Done),
                Err(MetaOpError::BucketAlreadyOwnedByYou),
                Err(MetaOpError::BucketAlreadyExists),
                Err(MetaOpError::NoSuchBucket),
            ]
        );
        assert_eq!(state.get_bucket("b")?, Some(bucket("b", "AKOWNER")));

        let r = state.apply_batch(
            2,
            &[
                put("b", "k", 1),
                MetaOp::DeleteBucket { name: "b".into() },
                MetaOp::DeleteObject {
                    bucket: "b".into(),
                    key: "k".into(),
                },
                MetaOp::DeleteBucket { name: "b".into() },
            ],
        )?;
        assert_eq!(r[1], Err(MetaOpError::BucketNotEmpty));
        assert_eq!(r[3], Ok(MetaOutcome::Done));
        assert_eq!(state.get_bucket("b")?, None);
        assert!(state.list_buckets()?.is_empty());
        Ok(())
    }

    #[test]
    fn bucket_with_an_upload_in_progress_is_not_empty() -> Result<(), MetaError> {
        let (_dir, state) = with_upload()?;
        let r = state.apply_batch(2, &[MetaOp::DeleteBucket { name: "b".into() }])?;
        assert_eq!(r, vec![Err(MetaOpError::BucketNotEmpty)]);
        let r = state.apply_batch(
            3,
            &[
                MetaOp::AbortMultipart {
                    bucket: "b".into(),
                    key: "big".into(),
                    upload_id: "u1".into(),
                },
                MetaOp::DeleteBucket { name: "b".into() },
            ],
        )?;
        assert!(r.iter().all(Result::is_ok), "{r:?}");
        Ok(())
    }

    #[test]
    fn neighbouring_bucket_does_not_make_a_bucket_non_empty() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        state.apply_batch(
            1,
            &[create_bucket("b"), create_bucket("bb"), put("bb", "x", 1)],
        )?;
        let r = state.apply_batch(2, &[MetaOp::DeleteBucket { name: "b".into() }])?;
        assert_eq!(r, vec![Ok(MetaOutcome::Done)]);
        Ok(())
    }

    #[test]
    fn put_replaces_and_returns_the_old_version() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        let r = state.apply_batch(1, &[put("b", "k", 1), create_bucket("b"), put("b", "k", 1)])?;
        assert_eq!(r[0], Err(MetaOpError::NoSuchBucket));
        assert_eq!(r[2], Ok(MetaOutcome::Replaced(None)));
        let r = state.apply_batch(2, &[put("b", "k", 2)])?;
        assert_eq!(
            r,
            vec![Ok(MetaOutcome::Replaced(Some(object("b", "k", 1))))]
        );
        assert_eq!(state.get_object("b", "k")?, Some(object("b", "k", 2)));
        assert_eq!(state.get_object("b", "other")?, None);
        Ok(())
    }

    #[test]
    fn if_absent_refuses_an_existing_key() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        let if_absent = |id| MetaOp::PutObject {
            record: object("b", "k", id),
            if_absent: true,
        };
        let r = state.apply_batch(1, &[create_bucket("b"), if_absent(1), if_absent(2)])?;
        assert_eq!(
            r[1..],
            [
                Ok(MetaOutcome::Replaced(None)),
                Err(MetaOpError::PreconditionFailed)
            ]
        );
        assert_eq!(state.get_object("b", "k")?, Some(object("b", "k", 1)));
        Ok(())
    }

    #[test]
    fn deleting_a_missing_key_is_fine() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        let del = |b: &str| MetaOp::DeleteObject {
            bucket: b.into(),
            key: "k".into(),
        };
        let r = state.apply_batch(
            1,
            &[
                create_bucket("b"),
                del("b"),
                put("b", "k", 1),
                del("b"),
                del("x"),
            ],
        )?;
        assert_eq!(
            r[1..],
            [
                Ok(MetaOutcome::Removed(None)),
                Ok(MetaOutcome::Replaced(None)),
                Ok(MetaOutcome::Removed(Some(object("b", "k", 1)))),
                Err(MetaOpError::NoSuchBucket),
            ]
        );
        assert_eq!(state.get_object("b", "k")?, None);
        Ok(())
    }

    #[test]
    fn multipart_happy_path() -> Result<(), MetaError> {
        let (_dir, state) = with_upload()?;
        assert_eq!(state.get_upload("u1")?, Some(upload("b", "big", "u1")));
        let page = state.list_parts("u1", 0, 2)?;
        assert_eq!(
            page.parts,
            vec![part("u1", 1, MIN_PART_SIZE), part("u1", 2, MIN_PART_SIZE)]
        );
        assert!(page.is_truncated);
        assert_eq!(page.next_part_number_marker, Some(2));
        let page = state.list_parts("u1", 2, 2)?;
        assert_eq!(page.parts, vec![part("u1", 3, 1)]);
        assert!(!page.is_truncated);

        // Replace part 2, then complete with parts 1 and 3 (quoted ETag).
        let mut p2 = part("u1", 2, MIN_PART_SIZE + 1);
        p2.etag = "p2b".into();
        let r = state.apply_batch(
            2,
            &[put("b", "big", 9), MetaOp::PutPart { part: p2.clone() }],
        )?;
        assert_eq!(
            r[1],
            Ok(MetaOutcome::PartReplaced(Some(part(
                "u1",
                2,
                MIN_PART_SIZE
            ))))
        );
        let r = state.apply_batch(3, &[complete(&[(1, "\"p1\""), (3, "p3")])])?;
        assert_eq!(
            r,
            vec![Ok(MetaOutcome::Completed {
                replaced: Some(object("b", "big", 9)),
                unused_parts: vec![p2],
            })]
        );
        let obj = state
            .get_object("b", "big")?
            .ok_or(MetaError::Corrupt("object missing"))?;
        assert_eq!(obj.etag, "abc-2");
        assert_eq!(obj.object_id, 77);
        assert_eq!(obj.bucket, "b");
        assert_eq!(obj.size, MIN_PART_SIZE + 1);
        assert_eq!(obj.content_type.as_deref(), Some("video/mp4"));
        assert_eq!(obj.user_metadata, upload("b", "big", "u1").user_metadata);
        assert_eq!(obj.headers, upload("b", "big", "u1").headers);
        let numbers: Vec<_> = obj
            .parts
            .iter()
            .map(|p| (p.part_number, p.object_id))
            .collect();
        assert_eq!(numbers, vec![(1, 1001), (3, 1003)]);
        assert_eq!(obj.parts[1].shard_nodes, vec![3; 6]);
        assert_eq!(state.get_upload("u1")?, None);
        assert!(state.list_parts("u1", 0, 100)?.parts.is_empty());
        assert!(state
            .list_uploads("b", "", None, None, 100)?
            .uploads
            .is_empty());
        // The upload is gone: completing again is refused.
        let r = state.apply_batch(4, &[complete(&[(1, "p1"), (3, "p3")])])?;
        assert_eq!(r, vec![Err(MetaOpError::NoSuchUpload)]);
        Ok(())
    }

    #[test]
    fn multipart_validation_errors_change_nothing() -> Result<(), MetaError> {
        let (_dir, state) = with_upload()?;
        let before = export(&state)?;
        let wrong_key = MetaOp::CompleteMultipart {
            bucket: "b".into(),
            key: "other".into(),
            upload_id: "u1".into(),
            parts: vec![(1, "p1".into())],
            record_template: object("b", "other", 1),
        };
        let cases = [
            (wrong_key, MetaOpError::NoSuchUpload),
            (complete(&[]), MetaOpError::InvalidRequest),
            (
                complete(&[(2, "p2"), (1, "p1")]),
                MetaOpError::InvalidPartOrder,
            ),
            (
                complete(&[(1, "p1"), (1, "p1")]),
                MetaOpError::InvalidPartOrder,
            ),
            (complete(&[(1, "p1"), (4, "p4")]), MetaOpError::InvalidPart),
            (
                complete(&[(1, "p1"), (2, "wrong")]),
                MetaOpError::InvalidPart,
            ),
            (complete(&[(3, "p3"), (4, "p4")]), MetaOpError::InvalidPart),
            (
                complete(&[(1, "p1"), (3, "p3"), (4, "p4")]),
                MetaOpError::InvalidPart,
            ),
            (
                complete(&[(3, "p3"), (1, "p1")]),
                MetaOpError::InvalidPartOrder,
            ),
            (
                complete(&[(1, "p1"), (3, "p3")]),
                MetaOpError::EntityTooSmall,
            ),
            (
                MetaOp::PutPart {
                    part: part("nope", 1, 1),
                },
                MetaOpError::NoSuchUpload,
            ),
            (
                MetaOp::PutPart {
                    part: part("u1", 0, 1),
                },
                MetaOpError::InvalidArgument,
            ),
            (
                MetaOp::PutPart {
                    part: part("u1", 10_001, 1),
                },
                MetaOpError::InvalidArgument,
            ),
            (
                MetaOp::CreateMultipart {
                    upload: upload("b", "x", "u1"),
                },
                MetaOpError::UploadAlreadyExists,
            ),
            (
                MetaOp::CreateMultipart {
                    upload: upload("nob", "x", "u2"),
                },
                MetaOpError::NoSuchBucket,
            ),
            (
                MetaOp::AbortMultipart {
                    bucket: "b".into(),
                    key: "big".into(),
                    upload_id: "u9".into(),
                },
                MetaOpError::NoSuchUpload,
            ),
        ];
        // Parts (1, 3) are fine by size as uploaded, so the EntityTooSmall
        // case first shrinks part 1 (and restores it afterwards).
        let mut index = 2;
        for (op, want) in cases {
            let setup = if want == MetaOpError::EntityTooSmall {
                vec![MetaOp::PutPart {
                    part: part("u1", 1, MIN_PART_SIZE - 1),
                }]
            } else {
                Vec::new()
            };
            let mut ops = setup.clone();
            ops.push(op.clone());
            let r = state.apply_batch(index, &ops)?;
            index += 1;
            assert_eq!(r.last(), Some(&Err(want)), "{op:?}");
            if setup.is_empty() {
                // Compare everything but the last applied index.
                assert_eq!(strip_meta(&export(&state)?), strip_meta(&before), "{op:?}");
            } else {
                // Restore part 1.
                state.apply_batch(
                    index,
                    &[MetaOp::PutPart {
                        part: part("u1", 1, MIN_PART_SIZE),
                    }],
                )?;
                index += 1;
            }
        }
        assert_eq!(strip_meta(&export(&state)?), strip_meta(&before));
        Ok(())
    }

    /// An export with the `meta` keyspace (last applied index) cut off.
    fn strip_meta(export: &[u8]) -> Vec<u8> {
        let mut out = export[..9].to_vec();
        let mut at = 9;
        while export[at] != SNAPSHOT_END {
            let klen = u32::from_le_bytes(export[at + 1..at + 5].try_into().unwrap_or([0; 4]));
            let vat = at + 5 + klen as usize;
            let vlen = u32::from_le_bytes(export[vat..vat + 4].try_into().unwrap_or([0; 4]));
            let end = vat + 4 + vlen as usize;
            if export[at] != Space::Meta.tag() {
                out.extend_from_slice(&export[at..end]);
            }
            at = end;
        }
        out
    }

    #[test]
    fn abort_returns_the_parts() -> Result<(), MetaError> {
        let (_dir, state) = with_upload()?;
        let abort = |bucket: &str| MetaOp::AbortMultipart {
            bucket: bucket.into(),
            key: "big".into(),
            upload_id: "u1".into(),
        };
        let r = state.apply_batch(2, &[abort("other"), abort("b"), abort("b")])?;
        assert_eq!(
            r,
            vec![
                Err(MetaOpError::NoSuchUpload),
                Ok(MetaOutcome::Aborted {
                    parts: vec![
                        part("u1", 1, MIN_PART_SIZE),
                        part("u1", 2, MIN_PART_SIZE),
                        part("u1", 3, 1),
                    ]
                }),
                Err(MetaOpError::NoSuchUpload),
            ]
        );
        assert_eq!(state.get_upload("u1")?, None);
        assert!(state.list_parts("u1", 0, 10)?.parts.is_empty());
        Ok(())
    }

    #[test]
    fn list_uploads_pages_in_key_and_id_order() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        let mut ops = vec![create_bucket("b"), create_bucket("bb")];
        for (key, id) in [
            ("a/1", "u3"),
            ("a/1", "u1"),
            ("a/2", "u2"),
            ("c", "u4"),
            ("a", "u5"),
        ] {
            ops.push(MetaOp::CreateMultipart {
                upload: upload("b", key, id),
            });
        }
        ops.push(MetaOp::CreateMultipart {
            upload: upload("bb", "a/1", "u6"),
        });
        state.apply_batch(1, &ops)?;
        let ids = |p: &UploadsPage| {
            p.uploads
                .iter()
                .map(|u| u.upload_id.clone())
                .collect::<Vec<_>>()
        };

        let all = state.list_uploads("b", "", None, None, 100)?;
        assert_eq!(ids(&all), ["u5", "u1", "u3", "u2", "u4"]);
        assert!(!all.is_truncated);

        let p = state.list_uploads("b", "a/", None, None, 2)?;
        assert_eq!(ids(&p), ["u1", "u3"]);
        assert!(p.is_truncated);
        assert_eq!(p.next_key_marker.as_deref(), Some("a/1"));
        assert_eq!(p.next_upload_id_marker.as_deref(), Some("u3"));
        let p = state.list_uploads("b", "a/", Some("a/1"), Some("u3"), 2)?;
        assert_eq!(ids(&p), ["u2"]);
        assert!(!p.is_truncated);

        let p = state.list_uploads("b", "", Some("a/1"), Some("u1"), 100)?;
        assert_eq!(ids(&p), ["u3", "u2", "u4"]);
        let p = state.list_uploads("b", "", Some("a/1"), None, 100)?;
        assert_eq!(ids(&p), ["u2", "u4"]);
        let p = state.list_uploads("b", "a/", Some("z"), None, 100)?;
        assert!(p.uploads.is_empty());
        let p = state.list_uploads("b", "", None, None, 0)?;
        assert!(p.uploads.is_empty() && p.is_truncated);
        Ok(())
    }

    #[test]
    fn refused_op_changes_nothing_and_the_batch_goes_on() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        // The failing complete touches nothing; the put after it applies,
        // and the whole batch sees the bucket created earlier in it.
        let r = state.apply_batch(
            1,
            &[
                create_bucket("b"),
                put("b", "k", 1),
                MetaOp::CompleteMultipart {
                    bucket: "b".into(),
                    key: "k".into(),
                    upload_id: "none".into(),
                    parts: vec![(1, "x".into())],
                    record_template: object("b", "k", 2),
                },
                put("b", "k2", 3),
            ],
        )?;
        assert_eq!(r[2], Err(MetaOpError::NoSuchUpload));
        assert!(r[3].is_ok());
        assert_eq!(state.get_object("b", "k")?, Some(object("b", "k", 1)));
        assert_eq!(state.get_object("b", "k2")?, Some(object("b", "k2", 3)));
        Ok(())
    }

    #[test]
    fn rollback_undoes_partial_writes_of_an_op() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        let mut overlay = Overlay::new(&state);
        assert!(overlay
            .put(Space::Objects, b"a".to_vec(), b"1".to_vec())
            .is_ok());
        let mark = overlay.undo.len();
        assert!(overlay
            .put(Space::Objects, b"a".to_vec(), b"2".to_vec())
            .is_ok());
        overlay.remove(Space::Objects, b"b".to_vec());
        overlay.rollback(mark);
        assert_eq!(overlay.get(Space::Objects, b"a")?, Some(b"1".to_vec()));
        assert_eq!(overlay.writes[Space::Objects.index()].len(), 1);
        Ok(())
    }

    #[test]
    fn last_applied_advances_with_each_batch() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        assert_eq!(state.last_applied()?, None);
        state.apply_batch(0, &[])?;
        assert_eq!(state.last_applied()?, Some(0));
        state.apply_batch(5, &[create_bucket("b")])?;
        assert_eq!(state.last_applied()?, Some(5));
        let stale = state.apply_batch(5, &[create_bucket("c")]);
        assert!(matches!(
            stale,
            Err(MetaError::StaleLogIndex {
                index: 5,
                last_applied: 5
            })
        ));
        assert_eq!(state.get_bucket("c")?, None);
        // Results are not reads: a refused-only batch still advances.
        state.apply_batch(6, &[create_bucket("b")])?;
        assert_eq!(state.last_applied()?, Some(6));
        Ok(())
    }

    #[test]
    fn batch_is_one_atomic_commit() -> Result<(), MetaError> {
        // A batch that hits a damaged record fails as a whole: nothing of it
        // is written, not even the ops before the damage.
        let (_dir, state) = open()?;
        state.apply_batch(1, &[create_bucket("b")])?;
        state
            .ks(Space::Objects)
            .insert(keys::object_key("b", "bad"), b"\x01\xff".to_vec())?;
        let r = state.apply_batch(2, &[put("b", "good", 1), put("b", "bad", 2)]);
        assert!(matches!(r, Err(MetaError::Corrupt(_))));
        assert_eq!(state.get_object("b", "good")?, None);
        assert_eq!(state.last_applied()?, Some(1));
        Ok(())
    }

    #[test]
    fn reopen_keeps_everything() -> Result<(), MetaError> {
        let dir = tempfile::tempdir()?;
        let layout = ClusterLayout {
            version: 3,
            storage_nodes: vec![super::super::records::NodeInfo {
                id: 1,
                addr: "10.0.0.1:9000".into(),
                zone: "z1".into(),
                weight: 100,
            }],
            meta_nodes: vec![(1, "10.0.0.1:9100".into())],
        };
        let key = AccessKey {
            access_key_id: "AK".into(),
            secret: "secret".into(),
            created_ms: 9,
        };
        let before = {
            let state = MetaState::open(dir.path())?;
            state.apply_batch(
                1,
                &[
                    create_bucket("b"),
                    put("b", "k", 1),
                    MetaOp::CreateMultipart {
                        upload: upload("b", "m", "u1"),
                    },
                    MetaOp::PutPart {
                        part: part("u1", 1, 3),
                    },
                    MetaOp::PutAccessKey { key: key.clone() },
                    MetaOp::SetLayout {
                        layout: layout.clone(),
                    },
                ],
            )?;
            let r = state.apply_batch(
                2,
                &[MetaOp::SetLayout {
                    layout: ClusterLayout {
                        version: 3,
                        ..layout.clone()
                    },
                }],
            )?;
            assert_eq!(r, vec![Err(MetaOpError::StaleLayout)]);
            state.persist(true)?;
            export(&state)?
        };
        let state = MetaState::open(dir.path())?;
        assert_eq!(export(&state)?, before);
        assert_eq!(state.last_applied()?, Some(2));
        assert_eq!(state.get_object("b", "k")?, Some(object("b", "k", 1)));
        assert_eq!(state.get_upload("u1")?, Some(upload("b", "m", "u1")));
        assert_eq!(state.list_parts("u1", 0, 10)?.parts, vec![part("u1", 1, 3)]);
        assert_eq!(state.get_access_key("AK")?, Some(key));
        assert_eq!(state.layout()?, Some(layout));
        assert_eq!(state.list_buckets()?, vec![bucket("b", "AKOWNER")]);
        Ok(())
    }

    /// A fixed mix of ops, some refused, in several batches.
    fn scripted_batches() -> Vec<Vec<MetaOp>> {
        let mut batches = Vec::new();
        for round in 0..6u32 {
            let mut ops = vec![create_bucket(&format!("b{}", round % 3))];
            for i in 0..20u32 {
                let b = format!("b{}", (round + i) % 4);
                let k = format!("k{}", (i * 7 + round) % 13);
                ops.push(match (i + round) % 5 {
                    0 => MetaOp::DeleteObject { bucket: b, key: k },
                    1 => MetaOp::PutObject {
                        record: object(&b, &k, u128::from(round * 100 + i)),
                        if_absent: true,
                    },
                    2 => MetaOp::DeleteBucket { name: b },
                    _ => put(&b, &k, u128::from(round * 100 + i)),
                });
            }
            ops.push(MetaOp::CreateMultipart {
                upload: upload("b0", "m", &format!("u{round}")),
            });
            ops.push(MetaOp::PutPart {
                part: part(&format!("u{round}"), 1, MIN_PART_SIZE),
            });
            batches.push(ops);
        }
        batches
    }

    #[test]
    fn same_batches_give_identical_exports() -> Result<(), MetaError> {
        let (_d1, a) = open()?;
        let (_d2, b) = open()?;
        let mut results_a = Vec::new();
        let mut results_b = Vec::new();
        for (i, ops) in scripted_batches().iter().enumerate() {
            results_a.push(a.apply_batch(i as u64 + 1, ops)?);
            // Same entries, split differently across fjall's memtables.
            if i % 2 == 0 {
                b.ks(Space::Objects).rotate_memtable_and_wait()?;
            }
            results_b.push(b.apply_batch(i as u64 + 1, ops)?);
        }
        assert_eq!(results_a, results_b);
        let export_a = export(&a)?;
        assert_eq!(export_a, export(&b)?);
        // The script does reach some state worth comparing.
        assert!(results_a.iter().flatten().any(Result::is_err));
        assert!(a.list_buckets()?.len() >= 2);
        Ok(())
    }

    #[test]
    fn export_import_round_trip() -> Result<(), MetaError> {
        let (_d1, a) = open()?;
        for (i, ops) in scripted_batches().iter().enumerate() {
            a.apply_batch(i as u64 + 1, ops)?;
        }
        let bytes = export(&a)?;
        let dir = tempfile::tempdir()?;
        let b = MetaState::import(dir.path(), &mut bytes.as_slice())?;
        assert_eq!(export(&b)?, bytes);
        assert_eq!(b.last_applied()?, a.last_applied()?);
        assert_eq!(b.list_buckets()?, a.list_buckets()?);
        drop(b);
        let b = MetaState::open(dir.path())?;
        assert_eq!(export(&b)?, bytes);

        // The imported state goes on applying like the original.
        let next = [put("b0", "after", 1)];
        assert_eq!(a.apply_batch(100, &next)?, b.apply_batch(100, &next)?);
        assert_eq!(export(&a)?, export(&b)?);

        // Into a non-empty store: refused.
        drop(b);
        let again = MetaState::import(dir.path(), &mut bytes.as_slice());
        assert!(matches!(again, Err(MetaError::NotEmpty)));
        Ok(())
    }

    #[test]
    fn damaged_snapshots_are_rejected() -> Result<(), MetaError> {
        let (_d, a) = open()?;
        a.apply_batch(1, &[create_bucket("b"), put("b", "k", 1)])?;
        let bytes = export(&a)?;
        let n = bytes.len();
        let mut cases: Vec<Vec<u8>> = vec![
            bytes[..n - 1].to_vec(),
            bytes[..n - 9].to_vec(),
            bytes[..20].to_vec(),
            Vec::new(),
        ];
        let mut wrong_count = bytes.clone();
        wrong_count[n - 8] ^= 1;
        cases.push(wrong_count);
        let mut trailing = bytes.clone();
        trailing.push(0);
        cases.push(trailing);
        let mut bad_tag = bytes.clone();
        bad_tag[9] = 42;
        cases.push(bad_tag);
        let mut bad_magic = bytes.clone();
        bad_magic[0] ^= 1;
        cases.push(bad_magic);
        // Break the bucket record's version byte: the first entry is the
        // bucket "b" (tag, 4-byte len, "b", 4-byte len, value…).
        let mut bad_value = bytes.clone();
        bad_value[9 + 1 + 4 + 1 + 4] ^= 0xff;
        cases.push(bad_value);
        for case in cases {
            let dir = tempfile::tempdir()?;
            let r = MetaState::import(dir.path(), &mut case.as_slice());
            assert!(
                matches!(r, Err(MetaError::BadSnapshot(_) | MetaError::Corrupt(_))),
                "{:?}",
                r.err()
            );
        }
        Ok(())
    }

    #[test]
    fn ops_round_trip_for_the_raft_log() -> Result<(), MetaError> {
        for ops in scripted_batches() {
            for op in ops {
                assert_eq!(MetaOp::decode(&op.encode())?, op);
            }
        }
        let op = complete(&[(1, "p1")]);
        assert_eq!(MetaOp::decode(&op.encode())?, op);
        assert!(MetaOp::decode(&op.encode()[..5]).is_err());
        Ok(())
    }

    #[test]
    fn empty_and_oversized_names_are_refused_not_panics() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        let huge = "k".repeat(70_000);
        let long_key = "k".repeat(MAX_OBJECT_KEY_BYTES + 1);
        let access_key = |id: &str| MetaOp::PutAccessKey {
            key: AccessKey {
                access_key_id: id.into(),
                secret: "s".into(),
                created_ms: 1,
            },
        };
        let ops = vec![
            create_bucket(""),
            create_bucket(&"b".repeat(MAX_BUCKET_NAME_BYTES + 1)),
            create_bucket(&huge),
            create_bucket("b"),
            put("b", "", 1),
            put("b", &long_key, 1),
            put("b", &huge, 1),
            MetaOp::DeleteObject {
                bucket: "b".into(),
                key: huge.clone(),
            },
            MetaOp::DeleteObject {
                bucket: huge.clone(),
                key: "k".into(),
            },
            MetaOp::DeleteBucket { name: "".into() },
            MetaOp::DeleteBucket { name: huge.clone() },
            MetaOp::CreateMultipart {
                upload: upload("b", "k", ""),
            },
            MetaOp::CreateMultipart {
                upload: upload("b", "k", &huge),
            },
            MetaOp::CreateMultipart {
                upload: upload("b", &huge, "u"),
            },
            MetaOp::PutPart {
                part: part("", 1, 1),
            },
            MetaOp::PutPart {
                part: part(&huge, 1, 1),
            },
            MetaOp::AbortMultipart {
                bucket: "b".into(),
                key: huge.clone(),
                upload_id: huge.clone(),
            },
            MetaOp::CompleteMultipart {
                bucket: huge.clone(),
                key: huge.clone(),
                upload_id: huge.clone(),
                parts: vec![(1, "p1".into())],
                record_template: object("b", "k", 1),
            },
            access_key(""),
            access_key(&huge),
        ];
        use MetaOpError::*;
        let want = [
            Err(InvalidBucketName),
            Err(InvalidBucketName),
            Err(InvalidBucketName),
            Ok(MetaOutcome::Done),
            Err(InvalidArgument),
            Err(KeyTooLongError),
            Err(KeyTooLongError),
            Err(KeyTooLongError),
            Err(NoSuchBucket),
            Err(NoSuchBucket),
            Err(NoSuchBucket),
            Err(InvalidArgument),
            Err(InvalidArgument),
            Err(KeyTooLongError),
            Err(NoSuchUpload),
            Err(NoSuchUpload),
            Err(NoSuchUpload),
            Err(NoSuchUpload),
            Err(InvalidArgument),
            Err(InvalidArgument),
        ];
        assert_eq!(state.apply_batch(1, &ops)?, want);

        assert_eq!(state.get_bucket("")?, None);
        assert_eq!(state.get_bucket(&huge)?, None);
        assert_eq!(state.get_object("b", &huge)?, None);
        assert_eq!(state.get_object(&huge, "k")?, None);
        assert_eq!(state.get_object("b", "")?, None);
        assert_eq!(state.get_upload("")?, None);
        assert_eq!(state.get_upload(&huge)?, None);
        assert_eq!(state.get_access_key("")?, None);
        assert_eq!(state.get_access_key(&huge)?, None);
        assert_eq!(state.list_parts(&huge, 0, 10)?, PartsPage::default());
        assert_eq!(
            state.list_uploads(&huge, &huge, Some(&huge), Some(&huge), 10)?,
            UploadsPage::default()
        );
        assert_eq!(
            state.list_uploads("b", "", Some(&huge), None, 10)?,
            UploadsPage::default()
        );
        Ok(())
    }

    #[test]
    fn keyspaces_are_indexed_by_space() -> Result<(), MetaError> {
        let (_dir, state) = open()?;
        for (i, s) in SPACES.into_iter().enumerate() {
            assert_eq!(s.index(), i);
            assert_eq!(&**state.ks(s).name(), s.name());
            assert_eq!(Space::from_tag(s.tag()), Some(s));
        }
        assert_eq!(Space::from_tag(0), None);
        assert_eq!(Space::from_tag(SPACE_COUNT as u8 + 1), None);
        Ok(())
    }

    #[test]
    fn error_codes_map_to_s3() {
        assert_eq!(MetaOpError::NoSuchBucket.code(), "NoSuchBucket");
        assert_eq!(MetaOpError::NoSuchBucket.http_status(), 404);
        assert_eq!(MetaOpError::BucketNotEmpty.http_status(), 409);
        assert_eq!(MetaOpError::PreconditionFailed.http_status(), 412);
        assert_eq!(MetaOpError::EntityTooSmall.http_status(), 400);
    }
}
