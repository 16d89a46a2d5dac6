//! Tag sets, ACLs, CORS rules and access settings of objects and buckets:
//! metadata-only changes, committed through Raft like every other.

use super::ObjectService;
use crate::object::error::ObjectError;
use crate::storage::meta::acl::Acl;
use crate::storage::meta::bucket_access::AccessChange;
use crate::storage::meta::cors::CorsRule;
use crate::storage::meta::version::VersionRef;
use crate::storage::meta::{MetaOp, MetaOpError, Tags, VersionChange};

impl ObjectService {
    /// Changes the version `version` (`None`: the current one) of
    /// `bucket/key` in place; `NoSuchKey` / `NoSuchVersion` when it is not
    /// there.
    async fn change_object(
        &self,
        (bucket, key): (&str, &str),
        version: Option<VersionRef>,
        change: VersionChange,
    ) -> Result<(), ObjectError> {
        let op = MetaOp::UpdateVersion {
            bucket: bucket.into(),
            key: key.into(),
            version,
            change,
        };
        self.submit(op).await.map_err(|e| match e {
            ObjectError::Refused(MetaOpError::NoSuchKey) => ObjectError::NoSuchKey {
                bucket: bucket.into(),
                key: key.into(),
            },
            ObjectError::Refused(MetaOpError::NoSuchVersion) => ObjectError::NoSuchVersion {
                bucket: bucket.into(),
                key: key.into(),
            },
            e => e,
        })?;
        Ok(())
    }

    /// Replaces the ACL of a version of `bucket/key` (`None`: the
    /// current one).
    pub(crate) async fn put_object_acl(
        &self,
        place: (&str, &str),
        version: Option<VersionRef>,
        acl: Acl,
    ) -> Result<(), ObjectError> {
        self.change_object(place, version, VersionChange::Acl(acl))
            .await
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

    /// Replaces the tag set of a version of `bucket/key` (`None`: the
    /// current one; an empty set removes it).
    pub(crate) async fn put_object_tags(
        &self,
        place: (&str, &str),
        version: Option<VersionRef>,
        tags: Tags,
    ) -> Result<(), ObjectError> {
        self.change_object(place, version, VersionChange::Tags(tags))
            .await
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

    /// Replaces one access setting of `bucket` (policy, object ownership
    /// or Block Public Access); the bucket record cached for requests is
    /// dropped so the next one sees the change.
    pub(crate) async fn put_bucket_access(
        &self,
        bucket: &str,
        change: AccessChange,
    ) -> Result<(), ObjectError> {
        self.submit(MetaOp::PutBucketAccess {
            bucket: bucket.into(),
            change,
        })
        .await?;
        self.recent_buckets.forget(bucket);
        Ok(())
    }
}
