//! Lifecycle in the state machine: the rules a bucket carries, the walk's
//! pages (what is due, read on the leader) and the ops that carry out what
//! the walk found, each checked again against the rules when it applies
//! (see `lifecycle`).

use std::ops::Bound;

use fjall::Readable;

use super::{
    Due, DuePage, LifecycleAction, LifecycleConfig, LifecycleProgress, LifecycleTally, WalkPoint,
};
use crate::storage::meta::error::MetaError;
use crate::storage::meta::keys;
use crate::storage::meta::ops::{DeleteCondition, MetaOutcome};
use crate::storage::meta::overlay::{Fail, Overlay};
use crate::storage::meta::records::{from_bytes, to_bytes, MultipartUpload, ObjectRecord};
use crate::storage::meta::state::{end_bound, MetaState, Space};

/// What a page of the walk asks of one bucket: its rules, at a time,
/// with a length of day.
#[derive(Clone, Copy)]
struct DueAt<'a> {
    bucket: &'a str,
    config: &'a LifecycleConfig,
    now_ms: u64,
    day_ms: u64,
}

impl<'a> DueAt<'a> {
    /// Bucket, rules, time and day length, for the page readers.
    fn parts(&self) -> (&'a str, &'a LifecycleConfig, u64, u64) {
        (self.bucket, self.config, self.now_ms, self.day_ms)
    }
}

/// Key of the lifecycle walk's progress (in the layout keyspace).
const PROGRESS_KEY: &[u8] = b"lifecycle";

fn decode_config(v: &[u8]) -> Result<LifecycleConfig, MetaError> {
    from_bytes(v, "lifecycle configuration")
}

fn decode_progress(v: &[u8]) -> Result<LifecycleProgress, MetaError> {
    from_bytes(v, "lifecycle progress")
}

impl Overlay<'_> {
    /// [`crate::storage::meta::MetaOp::PutBucketLifecycle`].
    pub(in crate::storage::meta) fn put_lifecycle(
        &mut self,
        bucket: &str,
        config: Option<&LifecycleConfig>,
    ) -> Result<MetaOutcome, Fail> {
        self.require_bucket(bucket)?;
        let k = keys::bucket_key(bucket);
        match config {
            Some(c) => {
                let v = to_bytes(c)?;
                self.put(Space::Lifecycle, k, v)?;
            }
            None => self.remove(Space::Lifecycle, k)?,
        }
        Ok(MetaOutcome::Done)
    }

    /// [`crate::storage::meta::MetaOp::LifecycleProgress`].
    pub(in crate::storage::meta) fn put_lifecycle_progress(
        &mut self,
        progress: &LifecycleProgress,
    ) -> Result<MetaOutcome, Fail> {
        let v = to_bytes(progress)?;
        self.put(Space::Layout, PROGRESS_KEY.to_vec(), v)?;
        Ok(MetaOutcome::Done)
    }

    /// Every version of a key, newest first, as the batch so far leaves
    /// them.
    fn versions_of(&self, bucket: &str, key: &str) -> Result<Vec<ObjectRecord>, MetaError> {
        let mut out: Vec<ObjectRecord> = self.object(bucket, key)?.into_iter().collect();
        let older = self.scan_prefix(Space::Versions, &keys::version_key_prefix(bucket, key))?;
        for v in older.values() {
            out.push(ObjectRecord::decode(v)?);
        }
        Ok(out)
    }

    /// [`crate::storage::meta::MetaOp::ApplyLifecycle`]: each action that is still due
    /// is carried out; one refused (a version under lock) is rolled back
    /// alone and the others go on.
    pub(in crate::storage::meta) fn apply_lifecycle(
        &mut self,
        bucket: &str,
        day_ms: u64,
        due: &[Due],
    ) -> Result<MetaOutcome, Fail> {
        let config = self
            .get_record(Space::Lifecycle, &keys::bucket_key(bucket), decode_config)?
            .unwrap_or_default();
        let mut tally = LifecycleTally::default();
        let mut history = KeyHistory::default();
        for d in due {
            let (mark, drops) = (self.undo.len(), self.drops.len());
            match self.apply_due(bucket, &config, day_ms, d, &mut history) {
                Ok(done) => tally.add(&done),
                Err(Fail::Op(_)) => {
                    self.rollback(mark);
                    self.drops.truncate(drops);
                }
                Err(e @ Fail::Store(_)) => return Err(e),
            }
        }
        Ok(MetaOutcome::LifecycleApplied(tally))
    }

    /// One action, if the rules still call for it now. `history` holds
    /// the versions of the key of the action before, as the batch leaves
    /// them.
    fn apply_due(
        &mut self,
        bucket: &str,
        config: &LifecycleConfig,
        day_ms: u64,
        d: &Due,
        history: &mut KeyHistory,
    ) -> Result<LifecycleTally, Fail> {
        let now = self.pos.at_ms;
        let mut done = LifecycleTally::default();
        if d.action == LifecycleAction::AbortUpload {
            let Some(upload) = self.upload(&d.upload_id)? else {
                return Ok(done);
            };
            let due = config
                .upload_abort(&upload.key, upload.initiated_ms, day_ms)
                .is_some_and(|(at, _)| at <= now);
            if upload.bucket != bucket || upload.key != d.key || !due {
                return Ok(done);
            }
            if let MetaOutcome::Aborted { parts } =
                self.abort_multipart(bucket, &d.key, &d.upload_id)?
            {
                done.uploads = 1;
                done.bytes = parts.iter().map(|p| p.size).sum();
            }
            return Ok(done);
        }
        if history.key.as_deref() != Some(d.key.as_str()) {
            *history = KeyHistory {
                key: Some(d.key.clone()),
                versions: self.versions_of(bucket, &d.key)?,
            };
        }
        let versions = &history.versions;
        if !config.still_due(versions, d, now, day_ms) {
            return Ok(done);
        }
        let size = versions
            .iter()
            .find(|v| v.version_ref() == d.version)
            .map_or(0, |v| v.size);
        match d.action {
            LifecycleAction::ExpireCurrent => {
                self.delete_object(bucket, &d.key, &DeleteCondition::default())?;
                (done.objects, done.bytes) = (1, size);
                // A marker added, or a version replaced: read it again.
                history.key = None;
            }
            LifecycleAction::ExpireNoncurrent => {
                self.delete_version(bucket, &d.key, d.version, false)?;
                (done.objects, done.bytes) = (1, size);
                history.removed(d);
            }
            LifecycleAction::RemoveMarker => {
                self.delete_version(bucket, &d.key, d.version, false)?;
                done.markers = 1;
                history.removed(d);
            }
            LifecycleAction::AbortUpload => {}
        }
        Ok(done)
    }
}

/// The versions of one key, newest first, kept while an
/// `ApplyLifecycle` op carries out several actions on that key: reading
/// the whole history again for each would make expiring the old versions
/// of a key with a deep history quadratic.
#[derive(Default)]
struct KeyHistory {
    /// The key, `None` when nothing is kept.
    key: Option<String>,
    versions: Vec<ObjectRecord>,
}

impl KeyHistory {
    /// `d`'s version was deleted by id. The versions left keep their
    /// order, whichever of them is current now.
    fn removed(&mut self, d: &Due) {
        self.versions.retain(|v| v.version_ref() != d.version);
    }
}

impl MetaState {
    /// A bucket's lifecycle rules, if it has any.
    pub fn lifecycle(&self, bucket: &str) -> Result<Option<LifecycleConfig>, MetaError> {
        self.ks(Space::Lifecycle)
            .get(keys::bucket_key(bucket))?
            .map(|v| decode_config(&v))
            .transpose()
    }

    /// The names of the buckets with lifecycle rules, in order.
    pub fn lifecycle_buckets(&self) -> Result<Vec<String>, MetaError> {
        let mut out = Vec::new();
        for guard in self.snapshot().iter(self.ks(Space::Lifecycle)) {
            let (k, _) = guard.into_inner()?;
            out.push(
                String::from_utf8(k.to_vec())
                    .map_err(|_| MetaError::Corrupt("lifecycle bucket key"))?,
            );
        }
        Ok(out)
    }

    /// The lifecycle walk's progress, if a walk ever ran.
    pub fn lifecycle_progress(&self) -> Result<Option<LifecycleProgress>, MetaError> {
        self.ks(Space::Layout)
            .get(PROGRESS_KEY)?
            .map(|v| decode_progress(&v))
            .transpose()
    }

    /// One page of the walk of `bucket` from `from`: what is due at
    /// `now_ms`, after looking at about `limit` records.
    pub fn lifecycle_due(
        &self,
        bucket: &str,
        from: &WalkPoint,
        limit: usize,
        now_ms: u64,
        day_ms: u64,
    ) -> Result<DuePage, MetaError> {
        let Some(config) = self.lifecycle(bucket)? else {
            return Ok(DuePage::default());
        };
        let limit = limit.max(1);
        let at = DueAt {
            bucket,
            config: &config,
            now_ms,
            day_ms,
        };
        match from {
            WalkPoint::Current(after) => self.due_current(&at, after.as_deref(), limit),
            WalkPoint::Versions(after) => self.due_versions(&at, after.as_deref(), limit),
            WalkPoint::Uploads(after) => self.due_uploads(&at, after.as_ref(), limit),
        }
    }

    /// Current versions (the `objects` keyspace).
    fn due_current(
        &self,
        at: &DueAt<'_>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<DuePage, MetaError> {
        let (bucket, config, now_ms, day_ms) = at.parts();
        let prefix = keys::object_prefix(bucket);
        let lower = after.map_or(Bound::Included(prefix.clone()), |k| {
            Bound::Excluded(keys::object_key(bucket, k))
        });
        let mut page = DuePage::default();
        let mut last = None;
        let snap = self.snapshot();
        for guard in snap.range(self.ks(Space::Objects), (lower, end_bound(&prefix))) {
            let (_, v) = guard.into_inner()?;
            let record = ObjectRecord::decode(&v)?;
            page.examined += 1;
            if config.current_expired(&record, now_ms, day_ms) {
                page.due
                    .extend(config.due_for_key(std::slice::from_ref(&record), now_ms, day_ms));
            }
            last = Some(record.key);
            if page.examined as usize >= limit {
                break;
            }
        }
        page.next = Some(match last {
            Some(k) if page.examined as usize >= limit => WalkPoint::Current(Some(k)),
            _ => WalkPoint::Versions(None),
        });
        Ok(page)
    }

    /// Keys with noncurrent versions or markers (the `versions`
    /// keyspace), each looked at whole.
    fn due_versions(
        &self,
        at: &DueAt<'_>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<DuePage, MetaError> {
        let bucket = at.bucket;
        let prefix = keys::version_prefix(bucket, "");
        let lower = match after {
            // Past every version of the last key looked at.
            Some(k) => match end_bound(&keys::version_key_prefix(bucket, k)) {
                Bound::Excluded(end) => Bound::Included(end),
                _ => return Ok(uploads_next(DuePage::default())),
            },
            None => Bound::Included(prefix.clone()),
        };
        let mut page = DuePage::default();
        let mut current_key: Option<String> = None;
        let mut versions: Vec<ObjectRecord> = Vec::new();
        let snap = self.snapshot();
        let mut full = false;
        for guard in snap.range(self.ks(Space::Versions), (lower, end_bound(&prefix))) {
            let (_, v) = guard.into_inner()?;
            let record = ObjectRecord::decode(&v)?;
            if current_key.as_deref() != Some(record.key.as_str()) {
                if let Some(key) = current_key.take() {
                    self.due_key(at, &key, &mut versions, &mut page)?;
                    if page.examined as usize >= limit {
                        full = true;
                        page.next = Some(WalkPoint::Versions(Some(key)));
                        break;
                    }
                }
                current_key = Some(record.key.clone());
            }
            versions.push(record);
        }
        if !full {
            if let Some(key) = current_key {
                self.due_key(at, &key, &mut versions, &mut page)?;
            }
            page = uploads_next(page);
        }
        Ok(page)
    }

    /// Adds what is due among `older` (a key's noncurrent versions and
    /// markers, newest first) and its current version; empties `older`.
    fn due_key(
        &self,
        at: &DueAt<'_>,
        key: &str,
        older: &mut Vec<ObjectRecord>,
        page: &mut DuePage,
    ) -> Result<(), MetaError> {
        let (bucket, config, now_ms, day_ms) = at.parts();
        let mut all: Vec<ObjectRecord> = self.get_object(bucket, key)?.into_iter().collect();
        all.append(older);
        page.examined += all.len() as u64;
        page.due.extend(
            config
                .due_for_key(&all, now_ms, day_ms)
                .into_iter()
                .filter(|d| d.action != LifecycleAction::ExpireCurrent),
        );
        Ok(())
    }

    /// Incomplete multipart uploads.
    fn due_uploads(
        &self,
        at: &DueAt<'_>,
        after: Option<&(String, String)>,
        limit: usize,
    ) -> Result<DuePage, MetaError> {
        let (bucket, config, now_ms, day_ms) = at.parts();
        let mut page = DuePage::default();
        if !config.rules.iter().any(|r| r.abort_after_days.is_some()) {
            return Ok(page);
        }
        let prefix = keys::upload_index_bucket_prefix(bucket);
        let lower = after.map_or(Bound::Included(prefix.clone()), |(k, id)| {
            Bound::Excluded(keys::upload_index_key(bucket, k, id))
        });
        let snap = self.snapshot();
        for guard in snap.range(self.ks(Space::UploadKeys), (lower, end_bound(&prefix))) {
            let (k, _) = guard.into_inner()?;
            let (key, upload_id) = keys::split_upload_index_key(bucket, &k)
                .ok_or(MetaError::Corrupt("upload index entry"))?;
            page.examined += 1;
            let upload: Option<MultipartUpload> = self.get_upload(&upload_id)?;
            if let Some(u) = upload {
                if config
                    .upload_abort(&u.key, u.initiated_ms, day_ms)
                    .is_some_and(|(at, _)| at <= now_ms)
                {
                    page.due.push(Due::abort(&u.key, &u.upload_id));
                }
            }
            if page.examined as usize >= limit {
                page.next = Some(WalkPoint::Uploads(Some((key, upload_id))));
                break;
            }
        }
        Ok(page)
    }
}

/// `page`, with the uploads pass next.
fn uploads_next(mut page: DuePage) -> DuePage {
    page.next = Some(WalkPoint::Uploads(None));
    page
}

/// Checks an imported snapshot entry of the lifecycle keyspace.
pub(in crate::storage::meta) fn check_entry(value: &[u8]) -> bool {
    decode_config(value).is_ok()
}

/// Whether `key`/`value` of the layout keyspace is the walk's progress,
/// well formed.
pub(in crate::storage::meta) fn is_progress(key: &[u8], value: &[u8]) -> Option<bool> {
    (key == PROGRESS_KEY).then(|| decode_progress(value).is_ok())
}
