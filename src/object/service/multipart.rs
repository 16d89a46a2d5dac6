//! Multipart uploads: create, store parts (copied or streamed), complete
//! and abort. Each part follows the object rules: data first, then its
//! record through Raft; a replaced part's data goes on the drop list.

use std::ops::Range;

use bytes::Bytes;
use futures::Stream;

use super::data::StoredData;
use super::*;
use crate::object::coordinator::WriteError;
use crate::object::error::ObjectError;
use crate::object::sse::{etag_of, DataKey};

use crate::storage::meta::acl::Acl;
use crate::storage::meta::lock::ObjectLock;
use crate::storage::meta::version::{VersionRef, VersionSeq};
use crate::storage::meta::{
    MetaOp, MetaRead, MetaReadResult, MultipartUpload, ObjectRecord, PartRecord, UploadChecksum,
    WriteCondition,
};

impl ObjectService {
    /// Starts a multipart upload whose parts carry `checksum`, encrypted
    /// as `meta` asks (or as the bucket's default); the upload.
    pub(crate) async fn create_upload(
        &self,
        bucket: &str,
        key: &str,
        meta: ObjectMeta,
        checksum: Option<UploadChecksum>,
    ) -> Result<MultipartUpload, ObjectError> {
        let target = self.bucket_precheck(bucket).await?;
        let encryption = self.new_key(&meta.sse, &target)?.map(|(e, _)| e);
        let upload_id = format!("{:032x}", rand::random::<u128>());
        let upload = MultipartUpload {
            bucket: bucket.into(),
            key: key.into(),
            upload_id: upload_id.clone(),
            initiated_ms: now_ms(),
            content_type: meta.content_type,
            user_metadata: meta.user_metadata,
            headers: meta.headers,
            layout: self.layout(),
            tags: meta.tags,
            owner: meta.owner,
            acl: meta.acl,
            checksum,
            lock: meta.lock,
            encryption,
        };
        self.submit(MetaOp::CreateMultipart {
            upload: upload.clone(),
        })
        .await?;
        Ok(upload)
    }

    /// The upload `upload_id`, which must target `bucket/key`.
    pub(crate) async fn upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<MultipartUpload, ObjectError> {
        match self.read(MetaRead::Upload(upload_id.into())).await? {
            MetaReadResult::Upload(Some(u)) if u.bucket == bucket && u.key == key => Ok(u),
            _ => {
                self.bucket(bucket).await?;
                Err(ObjectError::NoSuchUpload)
            }
        }
    }

    /// Stores part `number` of `upload` from `body` (`size` bytes),
    /// encrypted with the upload's data key `key` when it is encrypted, and
    /// records it; `digests` is asked once the body has ended cleanly.
    pub(crate) async fn upload_part<S, E>(
        &self,
        (upload, key): (&MultipartUpload, Option<DataKey>),
        number: u32,
        size: u64,
        body: &mut S,
        digests: impl FnOnce() -> Option<ObjectDigests>,
    ) -> Result<(PartRecord, ObjectDigests), ServiceWriteError<E>>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
    {
        if size > MAX_PART_BYTES {
            return Err(WriteError::Store(ObjectError::TooLarge {
                size,
                max: MAX_PART_BYTES,
            }));
        }
        self.quota_precheck(&upload.bucket, None, size, 0)
            .await
            .map_err(WriteError::Store)?;
        let key = upload_key(upload, key).map_err(WriteError::Store)?;
        let place = (upload.bucket.as_str(), upload.key.as_str());
        let data = self
            .store(place, number, size, upload.layout, key.as_ref(), body)
            .await?;
        let Some(digests) = digests() else {
            self.drop_now(vec![data.set]);
            return Err(WriteError::Store(ObjectError::Internal(
                "body ended without its digests",
            )));
        };
        let etag = etag_of(&digests.md5, key.as_ref());
        let part = self
            .record_part(upload, data, etag, digests.checksums.clone())
            .await
            .map_err(WriteError::Store)?;
        Ok((part, digests))
    }

    /// Copies `range` of `source` (decrypted with its data key) as part
    /// `number` of `upload` (encrypted with the upload's data key).
    pub(crate) async fn upload_part_copy(
        &self,
        (upload, key): (&MultipartUpload, Option<DataKey>),
        number: u32,
        (source, source_key): (&ObjectRecord, Option<DataKey>),
        range: Range<u64>,
    ) -> Result<PartRecord, ObjectError> {
        let size = range.end - range.start;
        if size > MAX_PART_BYTES {
            return Err(ObjectError::TooLarge {
                size,
                max: MAX_PART_BYTES,
            });
        }
        self.quota_precheck(&upload.bucket, None, size, 0).await?;
        let key = upload_key(upload, key)?;
        let place = (upload.bucket.as_str(), upload.key.as_str());
        let (data, md5) = self
            .store_copy(
                (source, source_key.as_ref()),
                range,
                (place, number, upload.layout),
                key.as_ref(),
            )
            .await?;
        let etag = etag_of(&md5, key.as_ref());
        self.record_part(upload, data, etag, vec![]).await
    }

    /// Completes `upload` from `parts` (number, ETag) as an object whose
    /// ETag is `etag` and checksum `checksums`; drops the parts left out
    /// and the version replaced.
    pub(crate) async fn complete(
        &self,
        upload: &MultipartUpload,
        parts: Vec<(u32, String)>,
        (etag, checksums): (String, Vec<(String, String)>),
        condition: WriteCondition,
    ) -> Result<Option<VersionRef>, ObjectError> {
        self.quota_precheck(&upload.bucket, Some(&upload.key), 0, 1)
            .await?;
        let template = ObjectRecord {
            bucket: upload.bucket.clone(),
            key: upload.key.clone(),
            object_id: rand::random(),
            size: 0,
            etag,
            content_type: None,
            user_metadata: vec![],
            headers: vec![],
            checksums,
            last_modified_ms: now_ms(),
            layout: upload.layout,
            parts: vec![],
            shard_nodes: vec![],
            inline_data: None,
            tags: vec![],
            owner: String::new(),
            acl: Acl::default(),
            // Set when it is applied, from the upload and the bucket.
            seq: VersionSeq::OLDEST,
            versioned: false,
            delete_marker: false,
            lock: ObjectLock::default(),
            // The upload's, when it is applied.
            encryption: None,
        };
        let object_id = template.object_id;
        let outcome = self
            .submit(MetaOp::CompleteMultipart {
                bucket: upload.bucket.clone(),
                key: upload.key.clone(),
                upload_id: upload.upload_id.clone(),
                parts,
                record_template: template,
                condition,
            })
            .await?;
        Ok(self
            .written_version(outcome, (&upload.bucket, &upload.key), object_id)
            .await)
    }

    /// Aborts `upload`; its parts go on the drop list.
    pub(crate) async fn abort(&self, upload: &MultipartUpload) -> Result<(), ObjectError> {
        self.submit(MetaOp::AbortMultipart {
            bucket: upload.bucket.clone(),
            key: upload.key.clone(),
            upload_id: upload.upload_id.clone(),
        })
        .await?;
        Ok(())
    }

    /// Records the part just written as `data`, with its ETag and checksum
    /// (the part it replaced goes on the drop list).
    async fn record_part(
        &self,
        upload: &MultipartUpload,
        data: StoredData,
        etag: String,
        checksums: Vec<(String, String)>,
    ) -> Result<PartRecord, ObjectError> {
        let set = data.set;
        let part = PartRecord {
            upload_id: upload.upload_id.clone(),
            part_number: set.part,
            size: data.size,
            etag,
            object_id: set.object_id,
            shard_nodes: set.nodes.clone(),
            last_modified_ms: now_ms(),
            checksums,
        };
        let op = MetaOp::PutPart { part: part.clone() };
        let owner = DataOwner::Part {
            bucket: upload.bucket.clone(),
            key: upload.key.clone(),
            upload_id: upload.upload_id.clone(),
            part: part.part_number,
        };
        let degraded = self.data.needs_repair((&upload.bucket, &upload.key), &set);
        self.commit_data(op, owner, vec![set]).await?;
        if degraded {
            self.heal.report(&upload.bucket, &upload.key);
        }
        Ok(part)
    }
}

/// The upload's encryption with its data key `key`: both or neither (an
/// encrypted upload's part is never stored in plain text).
fn upload_key(upload: &MultipartUpload, key: Option<DataKey>) -> Result<NewKey, ObjectError> {
    match (&upload.encryption, key) {
        (Some(e), Some(k)) => Ok(Some((e.clone(), k))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ObjectError::Internal(
            "encrypted upload written without its key",
        )),
        (None, Some(_)) => Err(ObjectError::Internal(
            "a key given for an upload not encrypted",
        )),
    }
}
