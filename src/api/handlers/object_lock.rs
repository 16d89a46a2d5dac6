//! Object lock (WORM), at the API edge: Put/GetObjectLockConfiguration,
//! Put/GetObjectRetention, Put/GetObjectLegalHold, and what the object
//! handlers read of a write's `x-amz-object-lock-*` and
//! `x-amz-bypass-governance-retention` headers. Every rule about what a
//! lock allows is the state machine's (`storage::meta::lock`); these only
//! parse, call and render.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::body::small_body;
use super::versioning::{named_version, version_of, MAX_CONFIG_BODY};
use crate::api::access::may_bypass_governance;
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::parse_iso8601_ms;
use crate::api::xml::{
    legal_hold_to_xml, object_lock_configuration_to_xml, parse_legal_hold,
    parse_object_lock_configuration, parse_retention, retention_to_xml, ObjectLockParseError,
};
use crate::clock::now_ms;
use crate::storage::meta::lock::{LockMode, ObjectLock, Retention};
use crate::storage::meta::{MetaOp, VersionChange};

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
    if lock.is_set() {
        require_lock_bucket(r)?;
    }
    Ok(lock)
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
