//! A version's bytes: stored from a body (plain, or encrypted in chunks
//! with the version's data key, inline in its record when small), copied
//! from another version, and read back by range.

use super::*;
use crate::object::sse::chunks::{encrypt_all, stored_range, Decrypting, Encrypting};
use crate::object::sse::{etag_of, ChunkCipher, DataKey};
use crate::storage::meta::encryption::{stored_size, Encryption};

/// Data just stored for a new single-part version.
pub(super) struct StoredData {
    /// Its shards (none written when it is kept inline).
    pub(super) set: ShardSet,
    /// The stored bytes, when kept in the record.
    pub(super) inline_data: Option<Bytes>,
    /// Its plain size.
    pub(super) size: u64,
    /// How it is encrypted.
    pub(super) encryption: Option<Encryption>,
}

/// Reads a small body whole; fails unless it has exactly `size` bytes.
async fn collect_exact<S, E>(body: &mut S, size: u64) -> Result<Bytes, ServiceWriteError<E>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    let mut data = BytesMut::with_capacity(usize::try_from(size).unwrap_or(0));
    while let Some(chunk) = body.next().await {
        data.extend_from_slice(&chunk.map_err(WriteError::Body)?);
        if data.len() as u64 > size {
            break;
        }
    }
    if data.len() as u64 != size {
        return Err(WriteError::Store(ObjectError::IncompleteBody {
            received: data.len() as u64,
            declared: size,
        }));
    }
    Ok(data.freeze())
}

impl ObjectService {
    /// Stores a single-part object from `body` and commits its record;
    /// `digests` is asked once the body has ended cleanly.
    pub(crate) async fn put<S, E>(
        &self,
        new: NewObject,
        body: &mut S,
        digests: impl FnOnce() -> Option<ObjectDigests>,
    ) -> Result<Written, ServiceWriteError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let bucket = self
            .bucket_precheck(&new.bucket)
            .await
            .map_err(WriteError::Store)?;
        let max = self.limits.max_object_bytes;
        if new.size > max {
            return Err(WriteError::Store(ObjectError::TooLarge {
                size: new.size,
                max,
            }));
        }
        self.quota_precheck(&new.bucket, Some(&new.key), new.size, 1)
            .await
            .map_err(WriteError::Store)?;
        let key = self
            .new_key(&new.meta.sse, &bucket)
            .map_err(WriteError::Store)?;
        let place = (new.bucket.as_str(), new.key.as_str());
        let data = self
            .store(place, 0, new.size, self.layout(), key.as_ref(), body)
            .await?;
        let Some(digests) = digests() else {
            self.drop_now(shard_sets_of(&data));
            return Err(WriteError::Store(ObjectError::Internal(
                "body ended without its digests",
            )));
        };
        let etag = etag_of(&digests.md5, key.as_ref());
        let record = single_part_record(
            &new.bucket,
            &new.key,
            data,
            etag,
            new.meta,
            digests.checksums,
        );
        self.commit(record, new.condition)
            .await
            .map_err(WriteError::Store)
    }

    /// Copies the whole of `source` (whose data key is `source_key`) to
    /// `bucket/key` with `meta` and `checksums`; the new record.
    pub(crate) async fn copy(
        &self,
        (source, source_key): (&ObjectRecord, Option<DataKey>),
        (bucket, key): (&str, &str),
        meta: ObjectMeta,
        checksums: Vec<(String, String)>,
    ) -> Result<Written, ObjectError> {
        let target = self.bucket_precheck(bucket).await?;
        self.quota_precheck(bucket, Some(key), source.size, 1)
            .await?;
        let new_key = self.new_key(&meta.sse, &target)?;
        let (data, md5) = self
            .store_copy(
                (source, source_key.as_ref()),
                0..source.size,
                ((bucket, key), 0, self.layout()),
                new_key.as_ref(),
            )
            .await?;
        let etag = etag_of(&md5, new_key.as_ref());
        let record = single_part_record(bucket, key, data, etag, meta, checksums);
        self.commit(record, WriteCondition::Always).await
    }

    /// Stores `size` plain bytes of `body` as a new blob of part `part` of
    /// `place` (inline when small enough for a single-part object),
    /// encrypted with `key` when given.
    pub(super) async fn store<S, E>(
        &self,
        place: (&str, &str),
        part: u32,
        size: u64,
        layout: ErasureLayout,
        key: Option<&(Encryption, DataKey)>,
        body: &mut S,
    ) -> Result<StoredData, ServiceWriteError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        let object_id: u128 = rand::random();
        let encryption = key.map(|k| k.0.clone());
        let stored = stored_size(encryption.as_ref(), size);
        let mut set = self
            .data
            .new_shard_set(place, object_id, part, stored, layout);
        let cipher = key.map(|k| ChunkCipher::new(&k.1, object_id));
        let inline_data = if part == 0 && size <= self.limits.inline_bytes {
            let plain = collect_exact(body, size).await.map_err(store_error)?;
            Some(match cipher {
                Some(c) => encrypt_all(c, &plain),
                None => plain,
            })
        } else {
            match cipher {
                Some(c) => {
                    let mut encrypted = Encrypting::new(&mut *body, c);
                    self.data.write(&mut set, &mut encrypted).await
                }
                None => self.data.write(&mut set, body).await,
            }
            .map_err(store_error)?;
            None
        };
        Ok(StoredData {
            set,
            inline_data,
            size,
            encryption,
        })
    }

    /// The bytes of `range` of the version `record` names, part after
    /// part, decrypted with `key` (its data key, when it is encrypted).
    pub(crate) fn read_data(
        &self,
        record: &ObjectRecord,
        range: Range<u64>,
        key: Option<&DataKey>,
    ) -> futures::stream::BoxStream<'static, Result<Bytes, ObjectError>> {
        let range = range.start.min(record.size)..range.end.min(record.size);
        let key = match (&record.encryption, key) {
            (Some(_), None) => {
                let e = ObjectError::Internal("encrypted data read without its key");
                return futures::stream::once(async move { Err(e) }).boxed();
            }
            (None, _) => None,
            (Some(_), Some(k)) => Some(k.clone()),
        };
        if let Some(data) = &record.inline_data {
            let Some(k) = key else {
                let piece = (range.start < range.end)
                    .then(|| Ok(data.slice(range.start as usize..range.end as usize)));
                return futures::stream::iter(piece).boxed();
            };
            let stored = stored_range(record.size, range.clone());
            let end = (stored.end as usize).min(data.len());
            let start = (stored.start as usize).min(end);
            let piece = futures::stream::iter([Ok::<_, ObjectError>(data.slice(start..end))]);
            let cipher = ChunkCipher::new(&k, record.object_id);
            return Decrypting::new(piece, cipher, record.size, range).boxed();
        }
        let data = self.data.clone();
        let reports = self.heal.clone();
        let (bucket, key_name) = (record.bucket.clone(), record.key.clone());
        let plain_sizes: Vec<u64> = if record.parts.is_empty() {
            vec![record.size]
        } else {
            record.parts.iter().map(|p| p.size).collect()
        };
        let mut offset = 0u64;
        let mut pieces = Vec::new();
        for (set, plain) in record.shard_sets().into_iter().zip(plain_sizes) {
            let part = offset..offset + plain;
            offset += plain;
            let start = range.start.max(part.start);
            let end = range.end.min(part.end);
            if start < end {
                pieces.push((set, plain, (start - part.start)..(end - part.start)));
            }
        }
        futures::stream::iter(pieces)
            .flat_map(move |(set, plain, sub)| {
                let hook = reports.on_degraded_read(&bucket, &key_name);
                let Some(k) = &key else {
                    return data
                        .read_reporting(set, sub, Some(hook))
                        .map(|piece| piece.map_err(ObjectError::from))
                        .boxed();
                };
                let cipher = ChunkCipher::new(k, set.object_id);
                let stored = stored_range(plain, sub.clone());
                let encrypted = data
                    .read_reporting(set, stored, Some(hook))
                    .map(|piece| piece.map_err(ObjectError::from));
                Decrypting::new(encrypted, cipher, plain, sub).boxed()
            })
            .boxed()
    }

    /// Copies `range` of `source` (decrypted with its data key) as part
    /// `part` of `place` coded with `layout` (inline when small enough for
    /// a single-part object), encrypted with `key` when given; the data
    /// stored and the MD5 of its plain bytes.
    pub(super) async fn store_copy(
        &self,
        (source, source_key): (&ObjectRecord, Option<&DataKey>),
        range: Range<u64>,
        (place, part, layout): ((&str, &str), u32, ErasureLayout),
        key: Option<&(Encryption, DataKey)>,
    ) -> Result<(StoredData, [u8; 16]), ObjectError> {
        let hasher = std::sync::Arc::new(Mutex::new(Md5::new()));
        let h = hasher.clone();
        let size = range.end - range.start;
        let mut body = self.read_data(source, range, source_key).map(move |chunk| {
            if let (Ok(c), Ok(mut h)) = (&chunk, h.lock()) {
                h.update(c);
            }
            chunk
        });
        let data = self
            .store(place, part, size, layout, key, &mut body)
            .await
            .map_err(flatten)?;
        let md5 = hasher
            .lock()
            .map(|mut h| std::mem::take(&mut *h).finalize().into())
            .map_err(|_| ObjectError::Internal("copy hasher poisoned"))?;
        Ok((data, md5))
    }
}

/// The record of a single-part object just written as `data`.
fn single_part_record(
    bucket: &str,
    key: &str,
    data: StoredData,
    etag: String,
    meta: ObjectMeta,
    checksums: Vec<(String, String)>,
) -> ObjectRecord {
    let StoredData {
        set,
        inline_data,
        size,
        encryption,
    } = data;
    ObjectRecord {
        bucket: bucket.into(),
        key: key.into(),
        object_id: set.object_id,
        size,
        etag,
        content_type: meta.content_type,
        user_metadata: meta.user_metadata,
        headers: meta.headers,
        checksums,
        last_modified_ms: now_ms(),
        layout: set.layout,
        parts: vec![],
        shard_nodes: match inline_data {
            Some(_) => vec![],
            None => set.nodes,
        },
        inline_data,
        tags: meta.tags,
        owner: meta.owner,
        acl: meta.acl,
        // Set when the record is applied.
        seq: VersionSeq::OLDEST,
        versioned: false,
        delete_marker: false,
        lock: meta.lock,
        encryption,
    }
}

/// The shards just-stored data occupies (none when kept inline).
fn shard_sets_of(data: &StoredData) -> Vec<ShardSet> {
    match data.inline_data {
        Some(_) => vec![],
        None => vec![data.set.clone()],
    }
}
