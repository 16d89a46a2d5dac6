//! Versioning: Put/GetBucketVersioning, and the request pieces the object
//! handlers share (the `versionId` argument, the version headers of an
//! answer, a delete marker's error). Object lock is `object_lock`'s.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, HttpResponseBuilder};

use super::body::small_body;
use crate::api::access::require_object;
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::router::request_version;
use crate::api::xml::{format_timestamp, parse_versioning, versioning_configuration};
use crate::storage::meta::lock::{Versioning, VersioningExclusions};
use crate::storage::meta::version::{VersionRef, VersionSeq};
use crate::storage::meta::{MetaOp, ObjectRecord};

/// Largest versioning, lock, retention or legal hold document.
pub(super) const MAX_CONFIG_BODY: u64 = 64 << 10;

/// The `versionId` of an object request.
pub(crate) fn version_of(r: &S3Request) -> Result<Option<VersionRef>, S3Error> {
    request_version(&r.query)
}

/// The `x-amz-version-id` header of an answer about `o`, when its bucket
/// has versioning (or the version has an id of its own).
pub(crate) fn version_headers(r: &S3Request, resp: &mut HttpResponseBuilder, o: &ObjectRecord) {
    let versioned_bucket = r
        .bucket_record
        .as_ref()
        .is_some_and(|b| b.versioning != Versioning::Unversioned);
    if has_version_id(o) || versioned_bucket {
        resp.insert_header(("x-amz-version-id", o.version_ref().to_id()));
    }
    if let Some(ret) = o.lock.retention {
        resp.insert_header(("x-amz-object-lock-mode", ret.mode.as_str()));
        resp.insert_header((
            "x-amz-object-lock-retain-until-date",
            format_timestamp(ret.until_ms),
        ));
    }
    if o.lock.legal_hold {
        resp.insert_header(("x-amz-object-lock-legal-hold", "ON"));
    }
}

/// Whether answers about `o` name its version: it has an id of its own,
/// or is a `null` version written while versioning was suspended (it has
/// a place of its own; one from before versioning does not).
fn has_version_id(o: &ObjectRecord) -> bool {
    o.versioned || o.seq != VersionSeq::OLDEST
}

/// Puts `x-amz-version-id` on a finished answer about `o`, when it has a
/// version of its own or was written while versioning was suspended.
pub(crate) fn with_version_id(resp: &mut HttpResponse, o: &ObjectRecord) {
    if !has_version_id(o) {
        return;
    }
    if let Ok(v) = actix_web::http::header::HeaderValue::from_str(&o.version_ref().to_id()) {
        resp.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-amz-version-id"),
            v,
        );
    }
}

/// The error for a delete marker asked for as if it had data: `404
/// NoSuchKey` for the latest version, `405 MethodNotAllowed` for one named
/// by id, both with `x-amz-delete-marker: true` and its id.
pub(crate) fn marker_error(marker: &ObjectRecord, by_id: bool) -> S3Error {
    let code = if by_id {
        S3ErrorCode::MethodNotAllowed
    } else {
        S3ErrorCode::NoSuchKey
    };
    let e = S3Error::new(code)
        .with_header("x-amz-delete-marker", "true".to_owned())
        .with_header("x-amz-version-id", marker.version_ref().to_id());
    if by_id {
        e.with_header(
            "Last-Modified",
            crate::api::request::http_date(marker.last_modified_ms),
        )
    } else {
        e
    }
}

/// The version of `r`'s object a sub-resource request names (`versionId`
/// or the current one), readable by the caller; a delete marker is
/// `MethodNotAllowed`.
pub(crate) async fn named_version(r: &S3Request, gw: &Gateway) -> Result<ObjectRecord, S3Error> {
    let o = match version_of(r)? {
        Some(v) => gw.objects.object_version(r.bucket(), r.key(), v).await?,
        None => gw.objects.object(r.bucket(), r.key()).await?,
    };
    if o.delete_marker {
        return Err(marker_error(&o, true));
    }
    require_object(r, &o)?;
    Ok(o)
}

/// GetBucketVersioning: empty for a bucket never versioned.
pub(crate) async fn get_versioning(r: &S3Request, gw: &Gateway) -> S3Result {
    let b = gw.objects.bucket(r.bucket()).await?;
    Ok(xml(StatusCode::OK, versioning_configuration(&b.versioning)))
}

/// PutBucketVersioning: `Enabled` or `Suspended`; `MfaDelete` cannot be
/// turned on (no MFA here), as AWS answers a request without MFA.
pub(crate) async fn put_versioning(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let body = small_body(r, payload, MAX_CONFIG_BODY).await?;
    let request = parse_versioning(&body).map_err(|_| S3Error::new(S3ErrorCode::MalformedXML))?;
    if request.mfa_delete == Some(true) {
        return Err(S3Error::new(S3ErrorCode::InvalidRequest).with_message(
            "DevPay and Mfa are mutually exclusive authorization methods; MFA is not configured",
        ));
    }
    let Some(status) = request.status else {
        return Err(S3Error::new(S3ErrorCode::MalformedXML));
    };
    let illegal = |message: &str| S3Error::new(S3ErrorCode::InvalidArgument).with_message(message);
    let exclusions = request.exclusions;
    let state = match status {
        _ if exclusions.is_empty() => status,
        Versioning::Enabled if exclusions.prefixes.len() > VersioningExclusions::MAX_PREFIXES => {
            return Err(illegal("Too many excluded prefixes (at most 10)"));
        }
        Versioning::Enabled => Versioning::EnabledExcept(Box::new(exclusions)),
        _ => {
            return Err(illegal(
                "Excluded prefixes and folders are supported only when versioning is enabled",
            ))
        }
    };
    gw.objects
        .submit(MetaOp::PutBucketVersioning {
            bucket: r.bucket().to_owned(),
            state,
        })
        .await?;
    gw.objects.forget_bucket(r.bucket());
    Ok(HttpResponse::Ok().finish())
}
