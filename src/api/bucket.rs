//! Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
//! GetBucketLocation, GetBucketVersioning.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::access::{acl_for_new, owner_element};
use super::error::{S3Error, S3ErrorCode};
use super::request::validate_bucket_name;
use super::s3::{small_body, xml, Gateway, S3Request, S3Result};
use super::xml::{
    parse_create_bucket_configuration, BucketInfo, ListAllMyBucketsResult, LocationConstraint,
};
use crate::actors::frontend::service::now_ms;
use crate::storage::meta::{BucketRecord, MetaOp, MetaRead, MetaReadResult};

/// ListBuckets: the caller's own buckets.
pub(crate) async fn list_buckets(r: &S3Request, gw: &Gateway) -> S3Result {
    let MetaReadResult::Buckets(buckets) = gw.objects.read(MetaRead::Buckets).await? else {
        return Err(S3Error::new(S3ErrorCode::InternalError));
    };
    let caller = r
        .caller
        .as_ref()
        .map(|c| c.user_id.as_str())
        .unwrap_or_default();
    let result = ListAllMyBucketsResult {
        owner: owner_element(r, caller),
        buckets: buckets
            .into_iter()
            .filter(|b| b.owner == caller)
            .map(|b| BucketInfo {
                name: b.name,
                creation_date_ms: b.created_ms,
            })
            .collect(),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// CreateBucket (any LocationConstraint is accepted and kept: the store
/// is one region, but GetBucketLocation answers what the bucket was
/// created with).
pub(crate) async fn create(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let name = r.bucket();
    validate_bucket_name(name)?;
    let body = small_body(r, payload, 64 << 10).await?;
    let region = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        parse_create_bucket_configuration(&body)?.location_constraint
    };
    let owner = r
        .caller
        .as_ref()
        .map(|c| c.user_id.clone())
        .unwrap_or_default();
    let acl = acl_for_new(r, &owner, &owner)?;
    gw.objects
        .submit(MetaOp::CreateBucket {
            record: BucketRecord {
                name: name.to_string(),
                owner,
                created_ms: now_ms(),
                tags: vec![],
                region,
                acl,
            },
        })
        .await
        .map_err(|e| S3Error::from(e).with_resource(format!("/{name}")))?;
    Ok(HttpResponse::Ok()
        .insert_header(("Location", format!("/{name}")))
        .finish())
}

/// HeadBucket.
pub(crate) async fn head(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("x-amz-bucket-region", gw.region.as_str()))
        .finish())
}

/// DeleteBucket (refused while objects or uploads remain).
pub(crate) async fn delete(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.delete_bucket(r.bucket()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// GetBucketLocation: the `LocationConstraint` the bucket was created
/// with, else the store's region (`us-east-1` shows as empty, as AWS).
pub(crate) async fn location(r: &S3Request, gw: &Gateway) -> S3Result {
    let bucket = gw.objects.bucket(r.bucket()).await?;
    let region = bucket.region.unwrap_or_else(|| gw.region.clone());
    Ok(xml(StatusCode::OK, LocationConstraint { region }.to_xml()))
}

/// GetBucketVersioning: versioning is never enabled (clients and backup
/// tools ask before they list).
pub(crate) async fn versioning(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    Ok(xml(
        StatusCode::OK,
        format!(
            "{}<VersioningConfiguration xmlns=\"{}\"/>",
            super::xml::XML_DECLARATION,
            super::xml::S3_XMLNS
        ),
    ))
}
