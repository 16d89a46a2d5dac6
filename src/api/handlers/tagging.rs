//! Tagging operations: Get/Put/DeleteObjectTagging and
//! Get/Put/DeleteBucketTagging. The tags themselves live in the object and
//! bucket records (through Raft); `x-amz-tagging` on writes is read with
//! the other object metadata ([`super::object::object_meta`]).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::body::small_body;
use super::versioning::{named_version, version_of, with_version_id};
use crate::api::access::{hide_missing, require_object};
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::{check_tags, TagTarget};
use crate::api::xml::{parse_tagging, tagging_to_xml};
use crate::storage::meta::version::VersionRef;
use crate::storage::meta::Tags;

/// Largest `Tagging` body: 50 tags of the longest keys and values, with
/// room for markup and character references.
const MAX_TAGGING_BODY: u64 = 256 << 10;

/// Reads and checks the `Tagging` body of a Put*Tagging request.
async fn tags_in_body(
    r: &S3Request,
    payload: web::Payload,
    target: TagTarget,
) -> Result<Tags, S3Error> {
    let body = small_body(r, payload, MAX_TAGGING_BODY).await?;
    let tags = parse_tagging(&body)?;
    check_tags(&tags, target)?;
    Ok(tags)
}

/// Fails unless the caller may change the tags of the version named: by
/// the bucket's ACL or its policy (which may look at the version's
/// present tags, `s3:ExistingObjectTag/…`).
async fn may_change(
    r: &S3Request,
    gw: &Gateway,
    version: Option<VersionRef>,
) -> Result<(), S3Error> {
    let o = gw
        .objects
        .object_at(r.bucket(), r.key(), version)
        .await
        .map_err(|e| hide_missing(r, e.into()))?;
    require_object(r, &o)
}

/// GetObjectTagging: the tags of the version asked for, or of the
/// current one (an empty set if none).
pub(crate) async fn get_object(r: &S3Request, gw: &Gateway) -> S3Result {
    let o = named_version(r, gw).await?;
    let mut resp = xml(StatusCode::OK, tagging_to_xml(&o.tags));
    with_version_id(&mut resp, &o);
    Ok(resp)
}

/// PutObjectTagging: replaces the tags of the version asked for, or of
/// the current one.
pub(crate) async fn put_object(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let version = version_of(r)?;
    may_change(r, gw, version).await?;
    let tags = tags_in_body(r, payload, TagTarget::Object).await?;
    gw.objects
        .put_object_tags((r.bucket(), r.key()), version, tags)
        .await?;
    Ok(HttpResponse::Ok().finish())
}

/// DeleteObjectTagging: removes the tags of the version asked for, or of
/// the current one.
pub(crate) async fn delete_object(r: &S3Request, gw: &Gateway) -> S3Result {
    let version = version_of(r)?;
    may_change(r, gw, version).await?;
    gw.objects
        .put_object_tags((r.bucket(), r.key()), version, Tags::new())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// GetBucketTagging: `NoSuchTagSet` when the bucket has none, as AWS.
pub(crate) async fn get_bucket(r: &S3Request, gw: &Gateway) -> S3Result {
    let b = gw.objects.bucket(r.bucket()).await?;
    if b.tags.is_empty() {
        return Err(S3Error::new(S3ErrorCode::NoSuchTagSet).with_resource(format!("/{}", b.name)));
    }
    Ok(xml(StatusCode::OK, tagging_to_xml(&b.tags)))
}

/// PutBucketTagging: replaces the bucket's tags (204, as AWS).
pub(crate) async fn put_bucket(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    let tags = tags_in_body(r, payload, TagTarget::Bucket).await?;
    gw.objects.put_bucket_tags(r.bucket(), tags).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// DeleteBucketTagging: empties the bucket's tag set (204).
pub(crate) async fn delete_bucket(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.put_bucket_tags(r.bucket(), Tags::new()).await?;
    Ok(HttpResponse::NoContent().finish())
}
