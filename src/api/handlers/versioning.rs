//! Versioning and object lock: Put/GetBucketVersioning,
//! Put/GetObjectLockConfiguration, Put/GetObjectRetention,
//! Put/GetObjectLegalHold, and the request pieces the object handlers
//! share (the `versionId` argument, the `x-amz-object-lock-*` and
//! `x-amz-bypass-governance-retention` headers, the version headers of an
//! answer). Every rule about what a lock allows is the state machine's
//! (`storage::meta::lock`); these only parse, call and render.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse, HttpResponseBuilder};

use super::body::small_body;
use crate::api::access::{may_bypass_governance, require_object};
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::parse_iso8601_ms;
use crate::api::router::request_version;
use crate::api::xml::{
    format_timestamp, legal_hold_to_xml, object_lock_configuration_to_xml, parse_legal_hold,
    parse_object_lock_configuration, parse_retention, parse_versioning, retention_to_xml,
    versioning_configuration, ObjectLockParseError,
};
use crate::clock::now_ms;
use crate::storage::meta::lock::{LockMode, ObjectLock, Retention, Versioning};
use crate::storage::meta::version::{VersionRef, VersionSeq};
use crate::storage::meta::{MetaOp, ObjectRecord, VersionChange};

/// Largest versioning, lock, retention or legal hold document.
const MAX_CONFIG_BODY: u64 = 64 << 10;

/// The `versionId` of an object request.
pub(crate) fn version_of(r: &S3Request) -> Result<Option<VersionRef>, S3Error> {
    request_version(&r.query)
}

/// Whether the request may bypass governance retention of `key`: it
/// asked (`x-amz-bypass-governance-retention: true`) and holds
/// `s3:BypassGovernanceRetention` after the policy.
pub(crate) fn bypass_governance(r: &S3Request, key: &str) -> bool {
    let asked = r
        .header("x-amz-bypass-governance-retention")
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    asked && may_bypass_governance(r, key)
}

/// The lock a write asks for with `x-amz-object-lock-mode`,
/// `-retain-until-date` and `-legal-hold` (a mode and a date go together
/// and the date lies ahead).
pub(crate) fn lock_headers(r: &S3Request) -> Result<ObjectLock, S3Error> {
    let invalid = |m: &str| S3Error::new(S3ErrorCode::InvalidArgument).with_message(m.to_owned());
    let mode = r.header("x-amz-object-lock-mode");
    let until = r.header("x-amz-object-lock-retain-until-date");
    let retention = match (mode, until) {
        (None, None) => None,
        (Some(mode), Some(until)) => {
            let mode = LockMode::parse(mode.trim())
                .ok_or_else(|| invalid("Unknown wormMode directive."))?;
            let until_ms = parse_iso8601_ms(until).ok_or_else(|| {
                invalid("The retain until date must be provided in ISO 8601 format")
            })?;
            if until_ms <= now_ms() {
                return Err(invalid("The retain until date must be in the future!"));
            }
            Some(Retention { mode, until_ms })
        }
        _ => return Err(invalid(
            "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
        )),
    };
    let legal_hold = match r.header("x-amz-object-lock-legal-hold") {
        None => false,
        Some(v) if v.trim() == "ON" => true,
        Some(v) if v.trim() == "OFF" => false,
        Some(_) => return Err(invalid("Legal Hold must be either of 'ON' or 'OFF'")),
    };
    let lock = ObjectLock {
        retention,
        legal_hold,
    };
    if lock.is_set()
        && r.bucket_record
            .as_ref()
            .is_some_and(|b| b.object_lock.is_none())
    {
        return Err(S3Error::new(S3ErrorCode::InvalidRequest)
            .with_message("Bucket is missing Object Lock Configuration"));
    }
    Ok(lock)
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
    Ok(xml(StatusCode::OK, versioning_configuration(b.versioning)))
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
    let Some(state) = request.status else {
        return Err(S3Error::new(S3ErrorCode::MalformedXML));
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

/// GetObjectLockConfiguration.
pub(crate) async fn get_lock_config(r: &S3Request, gw: &Gateway) -> S3Result {
    let b = gw.objects.bucket(r.bucket()).await?;
    let Some(config) = b.object_lock else {
        return Err(S3Error::new(
            S3ErrorCode::ObjectLockConfigurationNotFoundError,
        ));
    };
    Ok(xml(
        StatusCode::OK,
        object_lock_configuration_to_xml(&config),
    ))
}

/// PutObjectLockConfiguration: the default retention of a bucket created
/// with object lock.
pub(crate) async fn put_lock_config(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
) -> S3Result {
    let body = small_body(r, payload, MAX_CONFIG_BODY).await?;
    let config = parse_object_lock_configuration(&body).map_err(|e| match e {
        // ceph/s3-tests (not marked as failing on AWS) expects this code.
        ObjectLockParseError::InvalidPeriod { message, .. } => {
            S3Error::new(S3ErrorCode::InvalidRetentionPeriod).with_message(message)
        }
        ObjectLockParseError::Xml(_) => S3Error::new(S3ErrorCode::MalformedXML),
    })?;
    gw.objects
        .submit(MetaOp::PutObjectLockConfig {
            bucket: r.bucket().to_owned(),
            config,
        })
        .await?;
    gw.objects.forget_bucket(r.bucket());
    Ok(HttpResponse::Ok().finish())
}

/// Submits an in-place change of the version `r` names.
async fn change_version(r: &S3Request, gw: &Gateway, change: VersionChange) -> S3Result {
    let version = version_of(r)?;
    gw.objects
        .submit(MetaOp::UpdateVersion {
            bucket: r.bucket().to_owned(),
            key: r.key().to_owned(),
            version,
            change,
        })
        .await?;
    Ok(HttpResponse::Ok().finish())
}

/// Refuses a lock request on a bucket without object lock, as AWS does.
fn require_lock_bucket(r: &S3Request) -> Result<(), S3Error> {
    if r.bucket_record
        .as_ref()
        .is_some_and(|b| b.object_lock.is_none())
    {
        return Err(S3Error::new(S3ErrorCode::InvalidRequest)
            .with_message("Bucket is missing Object Lock Configuration"));
    }
    Ok(())
}

/// GetObjectRetention.
pub(crate) async fn get_retention(r: &S3Request, gw: &Gateway) -> S3Result {
    require_lock_bucket(r)?;
    let o = named_version(r, gw).await?;
    let Some(retention) = o.lock.retention else {
        return Err(S3Error::new(S3ErrorCode::NoSuchObjectLockConfiguration));
    };
    Ok(xml(StatusCode::OK, retention_to_xml(&retention)))
}

/// PutObjectRetention: within the lock rules the state machine applies.
pub(crate) async fn put_retention(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    require_lock_bucket(r)?;
    let body = small_body(r, payload, MAX_CONFIG_BODY).await?;
    let retention = parse_retention(&body).map_err(|_| S3Error::new(S3ErrorCode::MalformedXML))?;
    if retention.is_some_and(|ret| ret.until_ms <= now_ms()) {
        return Err(S3Error::new(S3ErrorCode::InvalidArgument)
            .with_message("The retain until date must be in the future!"));
    }
    let change = VersionChange::Retention {
        retention,
        bypass_governance: bypass_governance(r, r.key()),
    };
    change_version(r, gw, change).await
}

/// GetObjectLegalHold.
pub(crate) async fn get_legal_hold(r: &S3Request, gw: &Gateway) -> S3Result {
    require_lock_bucket(r)?;
    let o = named_version(r, gw).await?;
    Ok(xml(StatusCode::OK, legal_hold_to_xml(o.lock.legal_hold)))
}

/// PutObjectLegalHold.
pub(crate) async fn put_legal_hold(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    require_lock_bucket(r)?;
    let body = small_body(r, payload, MAX_CONFIG_BODY).await?;
    let on = parse_legal_hold(&body).map_err(|_| S3Error::new(S3ErrorCode::MalformedXML))?;
    // The gateway let the request through only with the permission.
    let change = VersionChange::LegalHold {
        on,
        permitted: true,
    };
    change_version(r, gw, change).await
}
