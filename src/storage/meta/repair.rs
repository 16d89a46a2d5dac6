//! What the repair actor needs of the metadata: recording a new placement
//! of a shard set ([`MetaOp::PlaceShards`]), the durable heal queue
//! ([`MetaOp::QueueHeal`], [`MetaOp::ForgetHeal`]), and full scans of the
//! objects and of the parts of uploads in progress for the periodic check
//! and the orphan collector.
//!
//! The heal queue lives in its own keyspace, keyed like the objects
//! (`esc(bucket) | key`, empty values), so it is in (bucket, key) order, a
//! pair queued twice is one entry, and it is replicated, in snapshots and
//! survives restarts like everything else here. It holds hints, not
//! records: an entry may name an object that has since been deleted (the
//! repair actor finds nothing to do and forgets it).

use std::ops::Bound;

use fjall::Readable;

use super::apply::check_object_key;
use super::error::MetaError;
use super::keys;
use super::ops::{MetaOpError, MetaOutcome, ShardOwner, MAX_BUCKET_NAME_BYTES, MAX_HEAL_ENTRIES};
use super::overlay::{Fail, Overlay};
use super::records::{MultipartUpload, ObjectRecord, PartRecord};
use super::state::{scan_range, MetaState, Space};

#[cfg(doc)]
use super::ops::MetaOp;

impl Overlay<'_> {
    /// [`MetaOp::PlaceShards`]: replaces the placement of the shard set
    /// (`object_id`, `part`) of `owner` if that set is still live.
    pub(super) fn place_shards(
        &mut self,
        owner: &ShardOwner,
        object_id: u128,
        part: u32,
        nodes: &[u64],
        expected: Option<&[u64]>,
    ) -> Result<MetaOutcome, Fail> {
        let set = (object_id, part, nodes, expected);
        let applied = match owner {
            ShardOwner::Object { bucket, key } => {
                let at = (Space::Objects, keys::object_key(bucket, key));
                self.place_object_shards(at, set)?
            }
            ShardOwner::Version { bucket, key, seq } => {
                let at = (Space::Versions, keys::version_key(bucket, key, *seq));
                self.place_object_shards(at, set)?
            }
            ShardOwner::Upload {
                bucket,
                key,
                upload_id,
            } => self.place_part_shards(bucket, key, upload_id, set)?,
        };
        Ok(MetaOutcome::Placed { applied })
    }

    /// Places a shard set of the version stored at `space`/`record_key`.
    fn place_object_shards(
        &mut self,
        (space, record_key): (Space, Vec<u8>),
        (object_id, part, nodes, expected): NewPlacement<'_>,
    ) -> Result<bool, Fail> {
        let Some(mut record) = self.get_record(space, &record_key, ObjectRecord::decode)? else {
            return Ok(false);
        };
        // A record that keeps its data inline has no shards at all.
        if record.inline_data.is_some() {
            return Ok(false);
        }
        let placement = if record.parts.is_empty() {
            (part == 0 && record.object_id == object_id).then_some(&mut record.shard_nodes)
        } else {
            record
                .parts
                .iter_mut()
                .find(|p| p.part_number == part && p.object_id == object_id)
                .map(|p| &mut p.shard_nodes)
        };
        let Some(placement) = placement else {
            return Ok(false);
        };
        if expected.is_some_and(|e| e != placement.as_slice()) {
            return Ok(false);
        }
        replace_placement(placement, nodes)?;
        let v = record.try_encode()?;
        self.put(space, record_key, v)?;
        Ok(true)
    }

    fn place_part_shards(
        &mut self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        (object_id, part, nodes, expected): NewPlacement<'_>,
    ) -> Result<bool, Fail> {
        match self.upload(upload_id)? {
            Some(u) if u.bucket == bucket && u.key == key => {}
            _ => return Ok(false),
        }
        let part_key = keys::part_key(upload_id, part);
        let Some(mut record) = self.get_record(Space::Parts, &part_key, PartRecord::decode)? else {
            return Ok(false);
        };
        if record.object_id != object_id
            || expected.is_some_and(|e| e != record.shard_nodes.as_slice())
        {
            return Ok(false);
        }
        replace_placement(&mut record.shard_nodes, nodes)?;
        let v = record.try_encode()?;
        self.put(Space::Parts, part_key, v)?;
        Ok(true)
    }

    /// [`MetaOp::QueueHeal`].
    pub(super) fn queue_heal(&mut self, objects: &[(String, String)]) -> Result<MetaOutcome, Fail> {
        check_heal_entries(objects)?;
        for (bucket, key) in objects {
            self.put(Space::HealQueue, keys::heal_key(bucket, key), Vec::new())?;
        }
        Ok(MetaOutcome::Done)
    }

    /// [`MetaOp::ForgetHeal`].
    pub(super) fn forget_heal(
        &mut self,
        objects: &[(String, String)],
    ) -> Result<MetaOutcome, Fail> {
        // Checked like a queueing: a removal of a key fjall cannot hold
        // would fail the commit on every replica.
        check_heal_entries(objects)?;
        for (bucket, key) in objects {
            self.remove(Space::HealQueue, keys::heal_key(bucket, key))?;
        }
        Ok(MetaOutcome::Done)
    }
}

/// Replaces `current` with `nodes`, which must be as long.
/// A placement change: object id, part, new nodes, expected current nodes.
type NewPlacement<'a> = (u128, u32, &'a [u64], Option<&'a [u64]>);

fn replace_placement(current: &mut Vec<u64>, nodes: &[u64]) -> Result<(), MetaOpError> {
    if current.len() != nodes.len() {
        return Err(MetaOpError::ShardCountMismatch);
    }
    current.clear();
    current.extend_from_slice(nodes);
    Ok(())
}

/// Refuses a heal list that is too long or names an object the store
/// could not hold.
fn check_heal_entries(objects: &[(String, String)]) -> Result<(), MetaOpError> {
    if objects.len() > MAX_HEAL_ENTRIES {
        return Err(MetaOpError::InvalidArgument);
    }
    for (bucket, key) in objects {
        if bucket.is_empty() || bucket.len() > MAX_BUCKET_NAME_BYTES {
            return Err(MetaOpError::InvalidBucketName);
        }
        check_object_key(key)?;
    }
    Ok(())
}

impl MetaState {
    /// Up to `limit` entries of the heal queue in (bucket, key) order,
    /// after (`bucket`, `key`) `after` if given.
    pub fn heal_queue(
        &self,
        after: Option<(&str, &str)>,
        limit: usize,
    ) -> Result<Vec<(String, String)>, MetaError> {
        let lower = after.map_or(Bound::Unbounded, |(b, k)| {
            Bound::Excluded(keys::heal_key(b, k))
        });
        let Some(range) = scan_range(lower, Bound::Unbounded) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for guard in self.ks(Space::HealQueue).range(range).take(limit) {
            let k = guard.key()?;
            out.push(keys::split_object_key(&k).ok_or(MetaError::Corrupt("heal queue key"))?);
        }
        Ok(out)
    }

    /// Entries in the heal queue, for gauges.
    pub fn queued_heals(&self) -> Result<usize, MetaError> {
        Ok(self.snapshot().iter(self.ks(Space::HealQueue)).count())
    }

    /// Up to `limit` object records of every bucket, in (bucket, key)
    /// order, after (`bucket`, `key`) `after` if given: the periodic scan
    /// pages through the whole store with the last record's pair.
    pub fn scan_objects(
        &self,
        after: Option<(&str, &str)>,
        limit: usize,
    ) -> Result<Vec<ObjectRecord>, MetaError> {
        let lower = after.map_or(Bound::Unbounded, |(b, k)| {
            Bound::Excluded(keys::object_key(b, k))
        });
        let Some(range) = scan_range(lower, Bound::Unbounded) else {
            return Ok(Vec::new());
        };
        let snap = self.snapshot();
        let mut out = Vec::new();
        for guard in snap.range(self.ks(Space::Objects), range).take(limit) {
            let (_, v) = guard.into_inner()?;
            out.push(ObjectRecord::decode(&v)?);
        }
        Ok(out)
    }

    /// Up to `limit` parts of uploads in progress, each with its upload,
    /// in (upload id, part number) order, after (`upload_id`,
    /// `part_number`) `after` if given: the orphan collector pages
    /// through every part with the last pair.
    pub fn scan_upload_parts(
        &self,
        after: Option<(&str, u32)>,
        limit: usize,
    ) -> Result<Vec<(MultipartUpload, PartRecord)>, MetaError> {
        let lower = after.map_or(Bound::Unbounded, |(id, n)| {
            Bound::Excluded(keys::part_key(id, n))
        });
        let Some(range) = scan_range(lower, Bound::Unbounded) else {
            return Ok(Vec::new());
        };
        let snap = self.snapshot();
        let uploads = self.ks(Space::Uploads);
        let mut out: Vec<(MultipartUpload, PartRecord)> = Vec::new();
        for guard in snap.range(self.ks(Space::Parts), range).take(limit) {
            let (_, v) = guard.into_inner()?;
            let part = PartRecord::decode(&v)?;
            // Parts of one upload are adjacent: read each upload once.
            let upload = match out.last() {
                Some((u, _)) if u.upload_id == part.upload_id => u.clone(),
                _ => {
                    let v = snap
                        .get(uploads, keys::upload_key(&part.upload_id))?
                        .ok_or(MetaError::Corrupt("a part of no upload"))?;
                    MultipartUpload::decode(&v)?
                }
            };
            out.push((upload, part));
        }
        Ok(out)
    }
}

/// Checks an imported snapshot entry of the heal queue.
pub(super) fn check_entry(key: &[u8], value: &[u8]) -> Result<(), MetaError> {
    if value.is_empty() && keys::split_object_key(key).is_some() {
        Ok(())
    } else {
        Err(MetaError::BadSnapshot("bad heal queue entry"))
    }
}
