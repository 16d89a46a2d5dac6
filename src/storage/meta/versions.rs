//! Versions in the state machine: how a write, a delete and a delete by
//! version id change a key's versions, and the lock checks that guard
//! them, all against the Raft entry's time.
//!
//! A key's versions live in two places. Its current version, when that is
//! not a delete marker, is in the objects keyspace, exactly where an
//! unversioned object is, so GET of the latest and ListObjects cost what
//! they cost without versioning. Every other version (noncurrent ones and
//! delete markers) is in the versions keyspace under
//! `(bucket, key, newest first)`. So the newest version of a key is the
//! current one if there is one, else the first versions entry.
//!
//! A write on a versioned bucket moves the current version to the
//! versions keyspace and drops nothing; only a delete by version id (or a
//! `null` version replaced while versioning is suspended or off) puts
//! data on the drop list.

use super::error::MetaError;
use super::keys;
use super::lock::{may_change_legal_hold, may_change_retention, may_delete, Versioning};
use super::ops::{MetaOpError, MetaOutcome, VersionChange};
use super::overlay::{Fail, Overlay};
use super::records::{BucketRecord, ObjectRecord};
use super::state::Space;
use super::version::{VersionRef, VersionSeq};

/// Where a version of a key was found.
pub(super) enum Found {
    /// The current version (objects keyspace).
    Current(ObjectRecord),
    /// A noncurrent version or a delete marker (versions keyspace).
    Noncurrent(ObjectRecord),
}

impl Found {
    /// The version's record.
    fn record(&self) -> &ObjectRecord {
        match self {
            Found::Current(r) | Found::Noncurrent(r) => r,
        }
    }
}

impl Overlay<'_> {
    /// The place the op being applied gives what it writes.
    pub(super) fn new_seq(&self) -> VersionSeq {
        VersionSeq::at(self.pos.log_index, self.pos.op)
    }

    /// The newest noncurrent version or delete marker of a key, older
    /// than `older_than` if given (the caller knows none newer is left).
    fn newest_noncurrent(
        &self,
        bucket: &str,
        key: &str,
        older_than: Option<VersionSeq>,
    ) -> Result<Option<ObjectRecord>, MetaError> {
        let after = older_than.map(|seq| keys::version_key(bucket, key, seq));
        self.first_with_prefix(
            Space::Versions,
            &keys::version_key_prefix(bucket, key),
            after.as_deref(),
        )?
        .map(|(_, v)| ObjectRecord::decode(&v))
        .transpose()
    }

    /// The `null` version among a key's noncurrent versions and markers
    /// (there is at most one `null` version per key).
    fn noncurrent_null(&self, bucket: &str, key: &str) -> Result<Option<ObjectRecord>, MetaError> {
        let found = self.find_with_prefix(
            Space::Versions,
            &keys::version_key_prefix(bucket, key),
            |v| ObjectRecord::decode(v).map(|r| !r.versioned),
        )?;
        found.map(|(_, v)| ObjectRecord::decode(&v)).transpose()
    }

    /// The version `version` of a key, wherever it is.
    pub(super) fn find_version(
        &self,
        bucket: &str,
        key: &str,
        version: VersionRef,
    ) -> Result<Option<Found>, MetaError> {
        if let Some(current) = self.object(bucket, key)? {
            if current.version_ref() == version {
                return Ok(Some(Found::Current(current)));
            }
        }
        let noncurrent = match version {
            VersionRef::Null => self.noncurrent_null(bucket, key)?,
            VersionRef::Id(seq) => self
                .get_record(
                    Space::Versions,
                    &keys::version_key(bucket, key, seq),
                    ObjectRecord::decode,
                )?
                .filter(|r| r.versioned),
        };
        Ok(noncurrent.map(Found::Noncurrent))
    }

    /// Stores `record` as a noncurrent version or delete marker.
    fn put_noncurrent(&mut self, record: &ObjectRecord) -> Result<(), Fail> {
        let v = record.try_encode()?;
        let k = keys::version_key(&record.bucket, &record.key, record.seq);
        self.put(Space::Versions, k, v)
    }

    /// Removes a noncurrent version or marker, dropping its data.
    fn remove_noncurrent(&mut self, record: &ObjectRecord) -> Result<(), Fail> {
        let k = keys::version_key(&record.bucket, &record.key, record.seq);
        self.remove(Space::Versions, k)?;
        self.drops.extend(record.shard_sets());
        Ok(())
    }

    /// Makes `record` the key's newest version on `bucket`, as its
    /// versioning state says: its id and place are set here, and so is
    /// the bucket's default retention when the write names none. What
    /// happens to the version it follows:
    /// - never versioned: replaced, its data dropped (returned);
    /// - enabled: kept as a noncurrent version;
    /// - suspended: a `null` one is replaced (data dropped), another kept;
    ///   a noncurrent `null` version or marker is removed too.
    ///
    /// A delete marker (`record.delete_marker`) is written the same way
    /// but never becomes the current version in the objects keyspace.
    pub(super) fn write_version(
        &mut self,
        bucket: &BucketRecord,
        mut record: ObjectRecord,
    ) -> Result<(VersionRef, Option<ObjectRecord>), Fail> {
        if record.lock.is_set() && bucket.object_lock.is_none() {
            return Err(MetaOpError::NoObjectLockConfig.into());
        }
        // On a bucket never versioned a key has one version, older than
        // any written once versioning is on: it keeps the oldest place.
        // MinIO's exclusions make some keys of an enabled bucket suspended.
        let versioning = bucket.versioning.for_key(&record.key);
        record.seq = match versioning {
            Versioning::Unversioned => VersionSeq::OLDEST,
            _ => self.new_seq(),
        };
        record.versioned = versioning.keeps_versions();
        if record.lock.retention.is_none() && !record.delete_marker {
            record.lock.retention = bucket
                .object_lock
                .and_then(|l| l.default_at(self.pos.at_ms));
        }
        let (b, k) = (record.bucket.clone(), record.key.clone());
        let old = self.object(&b, &k)?;
        // A key has one `null` version at most: a current one means no
        // noncurrent one to look for (a search that reads the whole
        // history, on every write of a suspended bucket).
        let null_current = old.as_ref().is_some_and(|o| !o.versioned);
        let mut replaced = None;
        if let Some(old) = old {
            // The same record put again (a repeat that escaped its id) must
            // not drop its own data.
            let keep = match versioning {
                Versioning::Unversioned => false,
                Versioning::Enabled => true,
                _ => old.versioned,
            };
            if keep {
                self.put_noncurrent(&old)?;
            } else {
                if old.object_id != record.object_id {
                    self.drops.extend(old.shard_sets());
                }
                replaced = Some(old);
            }
            self.remove(Space::Objects, keys::object_key(&b, &k))?;
        }
        if versioning == Versioning::Suspended && !null_current {
            if let Some(null) = self.noncurrent_null(&b, &k)? {
                self.remove_noncurrent(&null)?;
            }
        }
        let version = record.version_ref();
        if record.delete_marker {
            self.put_noncurrent(&record)?;
        } else {
            let v = record.try_encode()?;
            self.put(Space::Objects, keys::object_key(&b, &k), v)?;
        }
        Ok((version, replaced))
    }

    /// [`super::MetaOp::DeleteVersion`].
    pub(super) fn delete_version(
        &mut self,
        bucket: &str,
        key: &str,
        version: VersionRef,
        bypass: bool,
    ) -> Result<MetaOutcome, Fail> {
        self.require_bucket(bucket)?;
        super::apply::check_object_key(key)?;
        let Some(found) = self.find_version(bucket, key, version)? else {
            return Ok(MetaOutcome::VersionRemoved { marker: None });
        };
        let record = found.record();
        may_delete(&record.lock, self.pos.at_ms, bypass).map_err(|_| MetaOpError::ObjectLocked)?;
        let marker = record.delete_marker;
        match found {
            Found::Current(record) => {
                self.remove(Space::Objects, keys::object_key(bucket, key))?;
                self.drops.extend(record.shard_sets());
                // Every other version is older than the current one: the
                // search starts after it, past the versions removed before
                // it (deleting a key's history newest first stays linear).
                self.promote_newest(bucket, key, Some(record.seq))?;
            }
            Found::Noncurrent(record) => {
                self.remove_noncurrent(&record)?;
                // A latest delete marker gone: the version under it is
                // current again. Without a current version the latest is
                // a marker, so removing an older version changes nothing.
                if marker && self.object(bucket, key)?.is_none() {
                    self.promote_newest(bucket, key, None)?;
                }
            }
        }
        Ok(MetaOutcome::VersionRemoved {
            marker: Some(marker),
        })
    }

    /// After the current version went: the newest noncurrent version
    /// (older than `older_than` if given), if it is not a delete marker,
    /// becomes current.
    fn promote_newest(
        &mut self,
        bucket: &str,
        key: &str,
        older_than: Option<VersionSeq>,
    ) -> Result<(), Fail> {
        let Some(newest) = self.newest_noncurrent(bucket, key, older_than)? else {
            return Ok(());
        };
        if newest.delete_marker {
            return Ok(());
        }
        self.remove(Space::Versions, keys::version_key(bucket, key, newest.seq))?;
        let v = newest.try_encode()?;
        self.put(Space::Objects, keys::object_key(bucket, key), v)
    }

    /// [`super::MetaOp::UpdateVersion`].
    pub(super) fn update_version(
        &mut self,
        bucket: &str,
        key: &str,
        version: Option<VersionRef>,
        change: &VersionChange,
    ) -> Result<MetaOutcome, Fail> {
        let bucket_record = self.require_bucket(bucket)?;
        super::apply::check_object_key(key)?;
        let found = match version {
            Some(v) => self
                .find_version(bucket, key, v)?
                .ok_or(MetaOpError::NoSuchVersion)?,
            None => Found::Current(self.object(bucket, key)?.ok_or(MetaOpError::NoSuchKey)?),
        };
        let (current, mut record) = match found {
            Found::Current(r) => (true, r),
            Found::Noncurrent(r) => (false, r),
        };
        if record.delete_marker {
            return Err(MetaOpError::DeleteMarkerTarget.into());
        }
        let locked = matches!(
            change,
            VersionChange::Retention { .. }
                | VersionChange::LegalHold { .. }
                | VersionChange::LegalHoldUnrecorded(_)
        );
        if locked && bucket_record.object_lock.is_none() {
            return Err(MetaOpError::NoObjectLockConfig.into());
        }
        match change {
            VersionChange::Tags(tags) => record.tags.clone_from(tags),
            VersionChange::Acl(acl) => record.acl.clone_from(acl),
            VersionChange::Retention {
                retention,
                bypass_governance,
            } => {
                may_change_retention(
                    record.lock.retention.as_ref(),
                    retention.as_ref(),
                    self.pos.at_ms,
                    *bypass_governance,
                )
                .map_err(|_| MetaOpError::ObjectLocked)?;
                record.lock.retention = *retention;
            }
            VersionChange::LegalHoldUnrecorded(on) => record.lock.legal_hold = *on,
            VersionChange::LegalHold { on, permitted } => {
                may_change_legal_hold(&record.lock, *on, *permitted)
                    .map_err(|_| MetaOpError::ObjectLocked)?;
                record.lock.legal_hold = *on;
            }
            VersionChange::Rekey {
                object_id,
                sealed_key,
                encryption,
            } => {
                let same = record.object_id == *object_id
                    && record
                        .encryption
                        .as_ref()
                        .is_some_and(|e| e.sealed_key == *sealed_key);
                if !same {
                    return Err(MetaOpError::PreconditionFailed.into());
                }
                record.encryption = Some(encryption.clone());
            }
        }
        let v = record.try_encode()?;
        let k = if current {
            (Space::Objects, keys::object_key(bucket, key))
        } else {
            (Space::Versions, keys::version_key(bucket, key, record.seq))
        };
        self.put(k.0, k.1, v)?;
        Ok(MetaOutcome::Done)
    }

    /// [`super::MetaOp::PutBucketVersioning`].
    pub(super) fn put_bucket_versioning(
        &mut self,
        bucket: &str,
        state: Versioning,
    ) -> Result<MetaOutcome, Fail> {
        let mut record = self.require_bucket(bucket)?;
        match state {
            Versioning::Unversioned => return Err(MetaOpError::InvalidArgument.into()),
            // A locked bucket keeps every version of every key.
            Versioning::Suspended | Versioning::EnabledExcept(_)
                if record.object_lock.is_some() =>
            {
                return Err(MetaOpError::InvalidBucketState.into())
            }
            Versioning::EnabledExcept(x) if x.is_empty() => record.versioning = Versioning::Enabled,
            Versioning::Enabled | Versioning::Suspended | Versioning::EnabledExcept(_) => {
                record.versioning = state
            }
        }
        let v = record.try_encode()?;
        self.put(Space::Buckets, keys::bucket_key(bucket), v)?;
        Ok(MetaOutcome::Done)
    }

    /// Whether a bucket holds any version or delete marker.
    pub(super) fn holds_versions(&self, bucket: &str) -> Result<bool, MetaError> {
        let prefix = keys::object_prefix(bucket);
        Ok(self.any_with_prefix(Space::Objects, &prefix)?
            || self.any_with_prefix(Space::Versions, &prefix)?)
    }
}
