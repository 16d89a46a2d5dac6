//! Tag sets, ACLs and CORS rules of objects and buckets: metadata-only changes,
//! committed through Raft like every other.

use super::ObjectService;
use crate::object::error::ObjectError;
use crate::storage::meta::acl::Acl;
use crate::storage::meta::cors::CorsRule;
use crate::storage::meta::{MetaOp, MetaOpError, Tags};

impl ObjectService {
    /// Submits a change to the current version of `bucket/key`;
    /// `NoSuchKey` when there is none.
    async fn change_object(&self, bucket: &str, key: &str, op: MetaOp) -> Result<(), ObjectError> {
        self.submit(op).await.map_err(|e| match e {
            ObjectError::Refused(MetaOpError::NoSuchKey) => ObjectError::NoSuchKey {
                bucket: bucket.into(),
                key: key.into(),
            },
            e => e,
        })?;
        Ok(())
    }

    /// Replaces the ACL of the current version of `bucket/key`.
    pub(crate) async fn put_object_acl(
        &self,
        bucket: &str,
        key: &str,
        acl: Acl,
    ) -> Result<(), ObjectError> {
        let op = MetaOp::PutObjectAcl {
            bucket: bucket.into(),
            key: key.into(),
            acl,
        };
        self.change_object(bucket, key, op).await
    }

    /// Replaces the ACL of `bucket`.
    pub(crate) async fn put_bucket_acl(&self, bucket: &str, acl: Acl) -> Result<(), ObjectError> {
        self.submit(MetaOp::PutBucketAcl {
            bucket: bucket.into(),
            acl,
        })
        .await?;
        self.recent_buckets.forget(bucket);
        Ok(())
    }

    /// Replaces the tag set of the current version of `bucket/key`
    /// (empty: removes it).
    pub(crate) async fn put_object_tags(
        &self,
        bucket: &str,
        key: &str,
        tags: Tags,
    ) -> Result<(), ObjectError> {
        let op = MetaOp::PutObjectTags {
            bucket: bucket.into(),
            key: key.into(),
            tags,
        };
        self.change_object(bucket, key, op).await
    }

    /// Replaces the tag set of `bucket` (empty: removes it).
    pub(crate) async fn put_bucket_tags(
        &self,
        bucket: &str,
        tags: Tags,
    ) -> Result<(), ObjectError> {
        self.submit(MetaOp::PutBucketTags {
            bucket: bucket.into(),
            tags,
        })
        .await?;
        Ok(())
    }

    /// Replaces the CORS rules of `bucket` (empty: removes them).
    pub(crate) async fn put_bucket_cors(
        &self,
        bucket: &str,
        rules: Vec<CorsRule>,
    ) -> Result<(), ObjectError> {
        self.submit(MetaOp::PutBucketCors {
            bucket: bucket.into(),
            rules,
        })
        .await?;
        self.recent_buckets.forget(bucket);
        Ok(())
    }
}
