//! Applying a batch of ops: the deterministic heart of the state machine.
//!
//! [`MetaState::apply_batch`] applies a batch of ops in one fjall write
//! batch that also records the log index, so a batch is either wholly
//! applied or not at all. Ops within the batch see the effects of earlier
//! ones through an in-memory overlay; an op that is refused is rolled back
//! in the overlay and reported as its [`MetaOpError`], and the next op
//! applies as usual. Every node applies the same batches and must reach
//! the same bytes, so nothing here reads a clock or draws a random number.

use std::collections::BTreeMap;
use std::sync::PoisonError;

use super::error::MetaError;
use super::keys;
use super::lock::Versioning;
use super::ops::{
    DeleteCondition, MetaOp, MetaOpError, MetaOutcome, MetaResult, OpBatch, WriteCondition,
    MAX_BUCKET_NAME_BYTES, MAX_ID_BYTES, MAX_OBJECT_KEY_BYTES, MAX_PART_NUMBER, MIN_PART_SIZE,
};
use super::overlay::{Fail, Overlay, Position};
use super::records::{
    BucketRecord, ClusterLayout, MultipartUpload, ObjectRecord, PartInfo, PartRecord,
};
use super::state::{MetaState, Space};

impl MetaState {
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
        let batch = OpBatch {
            ops,
            ids: &[],
            at_ms: 0,
        };
        self.apply_entry(log_index, batch, None)
    }

    /// [`MetaState::apply_batch`] for a Raft entry: ops with ids apply at
    /// most once (a repeat answers [`MetaOutcome::Duplicate`] or its first
    /// refusal), and `raft_state` (the consensus layer's own record: last
    /// applied log id, membership) is stored in the same atomic commit.
    pub fn apply_entry(
        &self,
        log_index: u64,
        batch: OpBatch<'_>,
        raft_state: Option<&[u8]>,
    ) -> Result<Vec<MetaResult>, MetaError> {
        let _guard = self
            .apply_lock
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let last = self.applied()?;
        if let Some(last) = last {
            if log_index <= last.index {
                return Err(MetaError::StaleLogIndex {
                    index: log_index,
                    last_applied: last.index,
                });
            }
        }
        // The group's time never goes backwards, whichever leader stamped
        // the entry (see `actors::core::consensus::clock`).
        let at_ms = batch.at_ms.max(last.map_or(0, |l| l.at_ms));
        let mut overlay = Overlay::new(self);
        let mut results = Vec::with_capacity(batch.ops.len());
        for (i, op) in batch.ops.iter().enumerate() {
            overlay.pos = Position {
                at_ms,
                log_index,
                op: i as u32,
            };
            let id = batch.ids.get(i).copied();
            if let Some(first) = id.map(|id| overlay.applied(id)).transpose()?.flatten() {
                results.push(first.map(|()| MetaOutcome::Duplicate));
                continue;
            }
            let mark = overlay.undo.len();
            overlay.drops.clear();
            overlay.usage_before.clear();
            let applied = overlay
                .apply(op)
                .and_then(|outcome| overlay.check_quotas().map(|()| outcome));
            let result = match applied {
                Ok(outcome) => {
                    let drops = std::mem::take(&mut overlay.drops);
                    overlay
                        .queue_drop(&drops, overlay.pos)
                        .map_err(store_only)?;
                    Ok(outcome)
                }
                Err(Fail::Op(e)) => {
                    overlay.rollback(mark);
                    Err(e)
                }
                Err(Fail::Store(e)) => return Err(e),
            };
            if let Some(id) = id {
                let remembered = result.as_ref().map(|_| ()).map_err(|e| *e);
                overlay
                    .remember(id, remembered, overlay.pos)
                    .map_err(store_only)?;
            }
            results.push(result);
        }
        overlay.expire_ids(at_ms)?;
        let applied = super::state::Applied {
            index: log_index,
            at_ms,
        };
        overlay.commit(applied, raft_state)?;
        Ok(results)
    }
}

/// Bookkeeping writes (ids, drops) of an op that applied cannot be
/// refused: a failure there is the store's.
fn store_only(e: Fail) -> MetaError {
    e.into_store()
}

impl Overlay<'_> {
    fn bucket(&self, name: &str) -> Result<Option<BucketRecord>, MetaError> {
        self.get_record(
            Space::Buckets,
            &keys::bucket_key(name),
            BucketRecord::decode,
        )
    }

    pub(super) fn require_bucket(&self, name: &str) -> Result<BucketRecord, Fail> {
        self.bucket(name)?
            .ok_or(Fail::Op(MetaOpError::NoSuchBucket))
    }

    pub(super) fn object(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<Option<ObjectRecord>, MetaError> {
        self.get_record(
            Space::Objects,
            &keys::object_key(bucket, key),
            ObjectRecord::decode,
        )
    }

    /// Refuses a conditional write whose condition does not hold of the
    /// key's current version, read only for a condition that needs it.
    fn check_condition(
        &self,
        condition: &WriteCondition,
        bucket: &str,
        key: &str,
    ) -> Result<(), Fail> {
        if *condition == WriteCondition::Always {
            return Ok(());
        }
        let current = self.object(bucket, key)?;
        Ok(check_against(condition, current.as_ref())?)
    }

    pub(super) fn upload(&self, upload_id: &str) -> Result<Option<MultipartUpload>, MetaError> {
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
    fn remove_upload(
        &mut self,
        upload: &MultipartUpload,
        parts: &[PartRecord],
    ) -> Result<(), Fail> {
        for p in parts {
            self.remove(Space::Parts, keys::part_key(&p.upload_id, p.part_number))?;
        }
        self.remove(Space::Uploads, keys::upload_key(&upload.upload_id))?;
        self.remove(
            Space::UploadKeys,
            keys::upload_index_key(&upload.bucket, &upload.key, &upload.upload_id),
        )
    }

    fn apply(&mut self, op: &MetaOp) -> Result<MetaOutcome, Fail> {
        match op {
            MetaOp::CreateBucket { record } => self.create_bucket(record),
            MetaOp::DeleteBucket { name } => self.delete_bucket(name),
            MetaOp::PutObject { record, condition } => self.put_object(record, condition),
            MetaOp::DeleteObject { bucket, key } => {
                self.delete_object(bucket, key, &DeleteCondition::default())
            }
            MetaOp::DeleteObjectIf {
                bucket,
                key,
                condition,
            } => self.delete_object(bucket, key, condition),
            MetaOp::CreateMultipart { upload } => self.create_multipart(upload),
            MetaOp::PutPart { part } => self.put_part(part),
            MetaOp::CompleteMultipart {
                bucket,
                key,
                upload_id,
                parts,
                record_template,
                condition,
            } => self.complete_multipart(bucket, key, upload_id, parts, record_template, condition),
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
                if current.is_some_and(|c| layout.version != c.version.saturating_add(1)) {
                    return Err(MetaOpError::StaleLayout.into());
                }
                let v = layout.try_encode()?;
                self.put(Space::Layout, keys::LAYOUT_KEY.to_vec(), v)?;
                Ok(MetaOutcome::Done)
            }
            MetaOp::DeleteAccessKey { access_key_id } => {
                check_id(access_key_id)?;
                let k = keys::access_key_key(access_key_id);
                if self
                    .get_record(Space::AccessKeys, &k, super::records::AccessKey::decode)?
                    .is_none()
                {
                    return Err(MetaOpError::NoSuchKey.into());
                }
                self.remove(Space::AccessKeys, k)?;
                self.forget_key_use(access_key_id)?;
                Ok(MetaOutcome::Done)
            }
            MetaOp::ReportRepair { report } => {
                let v = report.try_encode()?;
                self.put(Space::Layout, keys::REPAIR_REPORT_KEY.to_vec(), v)?;
                Ok(MetaOutcome::Done)
            }
            MetaOp::Fence { op } => {
                let applied = self.applied(*op)?;
                if applied.is_none() {
                    self.remember(*op, Err(MetaOpError::Fenced), self.pos)?;
                }
                Ok(MetaOutcome::Fenced { applied })
            }
            MetaOp::ForgetDrops { keys } => {
                // Only keys the drop list can hold: a removal of a key fjall
                // cannot take would fail the commit on every replica.
                if keys.iter().any(|k| !super::once::is_drop_key(k)) {
                    return Err(MetaOpError::InvalidArgument.into());
                }
                for key in keys {
                    self.remove(Space::Drops, key.clone())?;
                }
                Ok(MetaOutcome::Done)
            }
            MetaOp::PlaceShards {
                owner,
                object_id,
                part,
                nodes,
                expected,
            } => self.place_shards(owner, *object_id, *part, nodes, expected.as_deref()),
            MetaOp::QueueHeal { objects } => self.queue_heal(objects),
            MetaOp::ForgetHeal { objects } => self.forget_heal(objects),
            MetaOp::PutObjectTags { bucket, key, tags } => {
                self.update_object(bucket, key, |r| r.tags.clone_from(tags))
            }
            MetaOp::PutObjectAcl { bucket, key, acl } => {
                self.update_object(bucket, key, |r| r.acl.clone_from(acl))
            }
            MetaOp::PutBucketTags { bucket, tags } => {
                self.update_bucket(bucket, |r| r.tags.clone_from(tags))
            }
            MetaOp::PutBucketCors { bucket, rules } => {
                self.update_bucket(bucket, |b| b.cors = rules.clone())
            }
            MetaOp::PutBucketAcl { bucket, acl } => {
                self.update_bucket(bucket, |r| r.acl.clone_from(acl))
            }
            MetaOp::DeleteVersion {
                bucket,
                key,
                version,
                bypass_governance,
            } => self.delete_version(bucket, key, *version, *bypass_governance),
            MetaOp::PutBucketVersioning { bucket, state } => {
                self.put_bucket_versioning(bucket, state.clone())
            }
            MetaOp::PutObjectLockConfig { bucket, config } => {
                // Object lock can be turned on for a bucket whose
                // versioning is enabled (and then never suspended).
                let b = self.require_bucket(bucket)?;
                if b.object_lock.is_none() && b.versioning != Versioning::Enabled {
                    return Err(MetaOpError::InvalidBucketState.into());
                }
                self.update_bucket(bucket, |b| b.object_lock = Some(*config))
            }
            MetaOp::UpdateVersion {
                bucket,
                key,
                version,
                change,
            } => self.update_version(bucket, key, *version, change),
            MetaOp::PutBucketLifecycle { bucket, config } => {
                self.put_lifecycle(bucket, config.as_ref())
            }
            MetaOp::SetBucketQuota { bucket, quota } => {
                self.set_quota(bucket, *quota)?;
                Ok(MetaOutcome::Done)
            }
            MetaOp::ApplyLifecycle {
                bucket,
                day_ms,
                due,
            } => self.apply_lifecycle(bucket, *day_ms, due),
            MetaOp::LifecycleProgress { progress } => self.put_lifecycle_progress(progress),
            MetaOp::PutBucketAccess { bucket, change } => {
                self.update_bucket(bucket, |b| change.apply_to(&mut b.access))
            }
            MetaOp::PutBucketEncryption { bucket, config } => {
                self.update_bucket(bucket, |b| b.encryption.clone_from(config))
            }
            MetaOp::Iam { account, change } => self.apply_iam(account, change),
            MetaOp::KeysUsed { uses } => self.apply_key_uses(uses),
        }
    }

    /// Changes the current version of an object in place (tags, ACL);
    /// `NoSuchKey` if there is none.
    fn update_object(
        &mut self,
        bucket: &str,
        key: &str,
        change: impl FnOnce(&mut ObjectRecord),
    ) -> Result<MetaOutcome, Fail> {
        self.require_bucket(bucket)?;
        check_object_key(key)?;
        let mut record = self.object(bucket, key)?.ok_or(MetaOpError::NoSuchKey)?;
        change(&mut record);
        let v = record.try_encode()?;
        self.put(Space::Objects, keys::object_key(bucket, key), v)?;
        Ok(MetaOutcome::Done)
    }

    /// Changes a bucket's record in place (tags, ACL, CORS, access
    /// settings).
    fn update_bucket(
        &mut self,
        bucket: &str,
        change: impl FnOnce(&mut BucketRecord),
    ) -> Result<MetaOutcome, Fail> {
        let mut record = self.require_bucket(bucket)?;
        change(&mut record);
        let v = record.try_encode()?;
        self.put(Space::Buckets, keys::bucket_key(bucket), v)?;
        Ok(MetaOutcome::Done)
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
        let mut record = record.clone();
        if record.object_lock.is_some() {
            record.versioning = Versioning::Enabled;
        }
        let v = record.try_encode()?;
        self.put(Space::Buckets, keys::bucket_key(&record.name), v)?;
        Ok(MetaOutcome::Done)
    }

    /// Deletes a bucket that holds no object; multipart uploads still in
    /// progress are aborted with it (as AWS does), their parts' data put
    /// on the drop list.
    fn delete_bucket(&mut self, name: &str) -> Result<MetaOutcome, Fail> {
        self.require_bucket(name)?;
        if self.holds_versions(name)? {
            return Err(MetaOpError::BucketNotEmpty.into());
        }
        let uploads =
            self.scan_prefix(Space::UploadKeys, &keys::upload_index_bucket_prefix(name))?;
        for k in uploads.keys() {
            let (_, upload_id) = keys::split_upload_index_key(name, k)
                .ok_or(MetaError::Corrupt("upload index entry"))?;
            let upload = self
                .upload(&upload_id)?
                .ok_or(MetaError::Corrupt("upload index entry without its upload"))?;
            let parts = self.parts(&upload_id)?;
            self.remove_upload(&upload, &parts)?;
            self.drops
                .extend(parts.iter().map(|p| upload.part_shards(p)));
        }
        self.remove(Space::Buckets, keys::bucket_key(name))?;
        self.remove(Space::Usage, keys::bucket_key(name))?;
        self.remove(Space::Lifecycle, keys::bucket_key(name))?;
        Ok(MetaOutcome::Done)
    }

    fn put_object(
        &mut self,
        record: &ObjectRecord,
        condition: &WriteCondition,
    ) -> Result<MetaOutcome, Fail> {
        let bucket = self.require_bucket(&record.bucket)?;
        check_object_key(&record.key)?;
        self.check_condition(condition, &record.bucket, &record.key)?;
        let (version, replaced) = self.write_version(&bucket, record.clone())?;
        Ok(match bucket.versioning.status() {
            Versioning::Unversioned => MetaOutcome::Replaced(replaced),
            _ => MetaOutcome::Stored { version },
        })
    }

    /// Deletes the current version of a key: removes it on a bucket never
    /// versioned, else adds a delete marker (see `versions`).
    pub(super) fn delete_object(
        &mut self,
        bucket: &str,
        key: &str,
        condition: &DeleteCondition,
    ) -> Result<MetaOutcome, Fail> {
        let bucket_record = self.require_bucket(bucket)?;
        check_object_key(key)?;
        let old = self.object(bucket, key)?;
        if let Some(old) = &old {
            check_delete_condition(condition, old)?;
        }
        if bucket_record.versioning == Versioning::Unversioned {
            if let Some(old) = &old {
                self.remove(Space::Objects, keys::object_key(bucket, key))?;
                self.drops.extend(old.shard_sets());
            }
            return Ok(MetaOutcome::Removed(old));
        }
        let marker = ObjectRecord::delete_marker(bucket, key, self.pos.at_ms);
        let (version, _) = self.write_version(&bucket_record, marker)?;
        Ok(MetaOutcome::MarkerAdded { version })
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
        let Some(upload) = self.upload(&part.upload_id)? else {
            return Err(MetaOpError::NoSuchUpload.into());
        };
        let key = keys::part_key(&part.upload_id, part.part_number);
        let old = self.get_record(Space::Parts, &key, PartRecord::decode)?;
        let v = part.try_encode()?;
        self.put(Space::Parts, key, v)?;
        if let Some(old) = &old {
            self.drops.push(upload.part_shards(old));
        }
        Ok(MetaOutcome::PartReplaced(old))
    }

    fn complete_multipart(
        &mut self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        listed: &[(u32, String)],
        template: &ObjectRecord,
        condition: &WriteCondition,
    ) -> Result<MetaOutcome, Fail> {
        let upload = self.upload_for(bucket, key, upload_id)?;
        let bucket_record = self.require_bucket(bucket)?;
        self.check_condition(condition, bucket, key)?;
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
            tags: upload.tags.clone(),
            owner: upload.owner.clone(),
            acl: upload.acl.clone(),
            layout: upload.layout,
            parts: chosen
                .into_iter()
                .map(|p| PartInfo {
                    part_number: p.part_number,
                    size: p.size,
                    etag: p.etag,
                    object_id: p.object_id,
                    shard_nodes: p.shard_nodes,
                    checksums: p.checksums,
                })
                .collect(),
            inline_data: None,
            lock: upload.lock,
            encryption: upload.encryption.clone(),
            delete_marker: false,
            ..template.clone()
        };
        self.remove_upload(&upload, &all_parts)?;
        self.drops
            .extend(unused_parts.iter().map(|p| upload.part_shards(p)));
        let (version, replaced) = self.write_version(&bucket_record, record)?;
        Ok(MetaOutcome::Completed {
            version: (bucket_record.versioning != Versioning::Unversioned).then_some(version),
            replaced,
            unused_parts,
        })
    }

    pub(super) fn abort_multipart(
        &mut self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<MetaOutcome, Fail> {
        let upload = self.upload_for(bucket, key, upload_id)?;
        let parts = self.parts(upload_id)?;
        self.remove_upload(&upload, &parts)?;
        self.drops
            .extend(parts.iter().map(|p| upload.part_shards(p)));
        Ok(MetaOutcome::Aborted { parts })
    }
}

/// Refuses an object key S3 would not accept (empty, or over 1024 bytes).
pub(super) fn check_object_key(key: &str) -> Result<(), MetaOpError> {
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

/// Refuses a conditional write whose condition does not hold of the
/// version it would replace.
fn check_against(
    condition: &WriteCondition,
    current: Option<&ObjectRecord>,
) -> Result<(), MetaOpError> {
    match (condition, current) {
        (WriteCondition::Always, _) | (WriteCondition::IfAbsent, None) => Ok(()),
        (WriteCondition::IfAbsent, Some(_)) => Err(MetaOpError::PreconditionFailed),
        (WriteCondition::IfMatch(_), None) => Err(MetaOpError::NoSuchKey),
        (WriteCondition::IfMatch(etag), Some(o)) if etag == "*" || same_etag(&o.etag, etag) => {
            Ok(())
        }
        (WriteCondition::IfMatch(_), Some(_)) => Err(MetaOpError::PreconditionFailed),
        (WriteCondition::IfNoneMatch(_), None) => Ok(()),
        (WriteCondition::IfNoneMatch(etag), Some(o)) => {
            if etag == "*" || same_etag(&o.etag, etag) {
                Err(MetaOpError::PreconditionFailed)
            } else {
                Ok(())
            }
        }
    }
}

/// Refuses a conditional delete whose condition does not hold of the
/// current version.
fn check_delete_condition(c: &DeleteCondition, o: &ObjectRecord) -> Result<(), MetaOpError> {
    let etag_ok = c
        .etag
        .as_deref()
        .is_none_or(|e| e == "*" || same_etag(&o.etag, e));
    let time_ok = c
        .last_modified_s
        .is_none_or(|s| s == o.last_modified_ms / 1000);
    let size_ok = c.size.is_none_or(|s| s == o.size);
    if etag_ok && time_ok && size_ok {
        Ok(())
    } else {
        Err(MetaOpError::PreconditionFailed)
    }
}

/// Compares ETags ignoring the surrounding quotes clients may or may not send.
fn same_etag(stored: &str, given: &str) -> bool {
    stored.trim_matches('"') == given.trim_matches('"')
}
