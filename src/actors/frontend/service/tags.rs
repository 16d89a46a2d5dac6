//! Tag sets of objects and buckets: metadata-only changes, committed
//! through Raft like every other.

use super::ObjectService;
use crate::actors::frontend::error::ObjectError;
use crate::storage::meta::{MetaOp, MetaOpError, Tags};

impl ObjectService {
    /// Replaces the tag set of the current version of `bucket/key`
    /// (empty: removes it).
    pub async fn put_object_tags(
        &self,
        bucket: &str,
        key: &str,
        tags: Tags,
    ) -> Result<(), ObjectError> {
        self.submit(MetaOp::PutObjectTags {
            bucket: bucket.into(),
            key: key.into(),
            tags,
        })
        .await
        .map_err(|e| match e {
            ObjectError::Refused(MetaOpError::NoSuchKey) => ObjectError::NoSuchKey {
                bucket: bucket.into(),
                key: key.into(),
            },
            e => e,
        })?;
        Ok(())
    }

    /// Replaces the tag set of `bucket` (empty: removes it).
    pub async fn put_bucket_tags(&self, bucket: &str, tags: Tags) -> Result<(), ObjectError> {
        self.submit(MetaOp::PutBucketTags {
            bucket: bucket.into(),
            tags,
        })
        .await?;
        Ok(())
    }
}
