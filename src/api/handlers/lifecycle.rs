//! Bucket lifecycle: Get/Put/DeleteBucketLifecycleConfiguration, and the
//! headers that tell a client when the rules will act on what it wrote or
//! reads (`x-amz-expiration` on object writes and reads,
//! `x-amz-abort-date` and `x-amz-abort-rule-id` on multipart uploads). The
//! rules themselves are the state machine's
//! ([`crate::storage::meta::lifecycle`]); this file only reads, stores and
//! announces them.

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::body::small_body;
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::http_date;
use crate::api::xml::lifecycle::{lifecycle_to_xml, parse_lifecycle, LifecycleParseError};
use crate::clock::now_ms;
use crate::storage::meta::version::VersionRef;
use crate::storage::meta::ObjectRecord;

/// Largest `LifecycleConfiguration` body: room for S3's 1,000 rules, each
/// with a long id and a few tags (64 KiB would not hold them).
const MAX_LIFECYCLE_BODY: u64 = 1 << 20;

/// GetBucketLifecycleConfiguration: the rules as they were given, or
/// `NoSuchLifecycleConfiguration` when the bucket has none.
pub(crate) async fn get_bucket(r: &S3Request, gw: &Gateway) -> S3Result {
    match gw.objects.lifecycle(r.bucket()).await? {
        Some(config) => Ok(xml(StatusCode::OK, lifecycle_to_xml(&config))),
        None => Err(S3Error::new(S3ErrorCode::NoSuchLifecycleConfiguration)
            .with_resource(format!("/{}", r.bucket()))
            .with_element("BucketName", r.bucket())),
    }
}

/// PutBucketLifecycleConfiguration (and the older PutBucketLifecycle,
/// which sends the same document): replaces the bucket's rules.
pub(crate) async fn put_bucket(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let body = small_body(r, payload, MAX_LIFECYCLE_BODY).await?;
    let config = parse_lifecycle(&body).map_err(parse_error)?;
    gw.objects.put_lifecycle(r.bucket(), Some(config)).await?;
    Ok(HttpResponse::Ok().finish())
}

/// DeleteBucketLifecycle: 204 whether or not the bucket had rules, as S3
/// answers.
pub(crate) async fn delete_bucket(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.put_lifecycle(r.bucket(), None).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The S3 error a refused configuration is answered with.
fn parse_error(e: LifecycleParseError) -> S3Error {
    match e {
        LifecycleParseError::Xml(e) => S3Error::from(e),
        LifecycleParseError::InvalidArgument(m) => {
            S3Error::new(S3ErrorCode::InvalidArgument).with_message(m)
        }
        LifecycleParseError::InvalidRequest(m) => {
            S3Error::new(S3ErrorCode::InvalidRequest).with_message(m)
        }
        LifecycleParseError::InvalidStorageClass => S3Error::new(S3ErrorCode::InvalidStorageClass)
            .with_message("The storage class you specified is not valid"),
    }
}

/// `x-amz-expiration`'s value: when and by which rule (as S3 writes it,
/// `expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="…"`).
pub(crate) fn expiration_value(expiry_ms: u64, rule_id: &str) -> String {
    format!(
        "expiry-date=\"{}\", rule-id=\"{rule_id}\"",
        http_date(expiry_ms)
    )
}

/// A header whose value may hold any byte a rule id may (a value that
/// cannot be sent is left out rather than failing the answer).
fn header(name: &'static str, value: &str) -> Option<(HeaderName, HeaderValue)> {
    let value = HeaderValue::from_bytes(value.as_bytes()).ok()?;
    Some((HeaderName::from_static(name), value))
}

/// `x-amz-expiration` for `record`, the current version of its key, when
/// a rule of its bucket expires it.
pub(crate) async fn expiration(
    gw: &Gateway,
    record: &ObjectRecord,
) -> Option<(HeaderName, HeaderValue)> {
    let (at, rule) = gw.objects.expiration_of(record).await?;
    header("x-amz-expiration", &expiration_value(at, &rule))
}

/// `x-amz-expiration` for a version a GetObject or HeadObject read:
/// `named` when the request named it by `versionId`, in which case the
/// header is sent only if it is still the key's current version (the
/// rules announce when current versions expire).
pub(crate) async fn read_expiration(
    gw: &Gateway,
    record: &ObjectRecord,
    named: bool,
) -> Option<(HeaderName, HeaderValue)> {
    let h = expiration(gw, record).await?;
    if named {
        let current = gw.objects.object(&record.bucket, &record.key).await.ok()?;
        if current.version_ref() != record.version_ref() || current.object_id != record.object_id {
            return None;
        }
    }
    Some(h)
}

/// `x-amz-expiration` for the object a CompleteMultipartUpload just made
/// (`version`: its id, on a bucket that keeps versions). The service
/// answers no record for a completion (its size and time are the state
/// machine's), so it is read back.
pub(crate) async fn completed_expiration(
    gw: &Gateway,
    (bucket, key): (&str, &str),
    version: Option<VersionRef>,
) -> Option<(HeaderName, HeaderValue)> {
    let record = match version {
        Some(v) => gw.objects.object_version(bucket, key, v).await,
        None => gw.objects.object(bucket, key).await,
    };
    expiration(gw, &record.ok()?).await
}

/// `x-amz-abort-date` and `x-amz-abort-rule-id` for an upload of `key`
/// started at `initiated_ms`, when a rule of the bucket aborts it.
pub(crate) async fn abort_headers(
    gw: &Gateway,
    (bucket, key): (&str, &str),
    initiated_ms: u64,
) -> Vec<(HeaderName, HeaderValue)> {
    let Some((at, rule)) = gw.objects.abort_date_of(bucket, key, initiated_ms).await else {
        return Vec::new();
    };
    [
        header("x-amz-abort-date", &http_date(at)),
        header("x-amz-abort-rule-id", &rule),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// [`abort_headers`] for the upload `upload_id` a CreateMultipartUpload
/// started between `before_ms` and now: the service does not answer the
/// time it recorded, so the upload is read back only when the two ends of
/// that window would give different dates (a day boundary in between).
pub(crate) async fn created_abort_headers(
    gw: &Gateway,
    (bucket, key): (&str, &str),
    upload_id: &str,
    before_ms: u64,
) -> Vec<(HeaderName, HeaderValue)> {
    let early = gw.objects.abort_date_of(bucket, key, before_ms).await;
    let late = gw.objects.abort_date_of(bucket, key, now_ms()).await;
    if early.is_none() && late.is_none() {
        return Vec::new();
    }
    let initiated_ms = if early == late {
        before_ms
    } else {
        match gw.objects.upload(bucket, key, upload_id).await {
            Ok(upload) => upload.initiated_ms,
            Err(_) => return Vec::new(),
        }
    };
    abort_headers(gw, (bucket, key), initiated_ms).await
}
