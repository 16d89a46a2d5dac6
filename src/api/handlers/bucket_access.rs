//! A bucket's access settings beyond its ACL: its policy
//! (Put/Get/DeleteBucketPolicy, GetBucketPolicyStatus), its Object
//! Ownership (Put/Get/DeleteBucketOwnershipControls) and its Block Public
//! Access switches (Put/Get/DeletePublicAccessBlock). Who may call them
//! (the owner, or whom the policy allows) is decided in `access`; how
//! they change later decisions too.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::body::small_body;
use crate::api::access::bucket_of;
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::xml::bucket_access::{
    ownership_controls_to_xml, parse_ownership_controls, parse_public_access_block,
    policy_status_to_xml, public_access_block_to_xml,
};
use crate::policy::{Policy, MAX_POLICY_BYTES};
use crate::storage::meta::bucket_access::{AccessChange, ObjectOwnership};

/// Largest PutBucketPolicy body read: a policy over
/// [`MAX_POLICY_BYTES`] up to this size is `MalformedPolicy` (as AWS
/// answers), a larger body `MaxMessageLengthExceeded`.
const MAX_POLICY_BODY: u64 = 1 << 20;

/// Largest OwnershipControls or PublicAccessBlockConfiguration body.
const MAX_SETTINGS_BODY: u64 = 16 << 10;

/// The resource an error names: the bucket.
fn on_bucket(r: &S3Request, e: S3Error) -> S3Error {
    e.with_resource(format!("/{}", r.bucket()))
}

/// GetBucketPolicy: the policy exactly as it was put, or
/// `NoSuchBucketPolicy`.
pub(crate) async fn get_policy(r: &S3Request) -> S3Result {
    match &bucket_of(r)?.access.policy {
        Some(text) => Ok(HttpResponse::Ok()
            .content_type("application/json")
            .body(text.clone())),
        None => Err(on_bucket(r, S3Error::new(S3ErrorCode::NoSuchBucketPolicy))),
    }
}

/// PutBucketPolicy: checks the document as AWS does (`MalformedPolicy`
/// with AWS's message; at most 20 KiB) and refuses a public one under
/// `BlockPublicPolicy`; answers 204.
pub(crate) async fn put_policy(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let body = small_body(r, payload, MAX_POLICY_BODY).await?;
    if body.len() > MAX_POLICY_BYTES {
        return Err(on_bucket(
            r,
            S3Error::new(S3ErrorCode::MalformedPolicy)
                .with_message("Policy exceeds the maximum allowed document size."),
        ));
    }
    let text = std::str::from_utf8(&body).map_err(|_| {
        S3Error::new(S3ErrorCode::MalformedPolicy).with_message("Policies must be valid JSON")
    })?;
    if !gw.unchecked_policies {
        let policy = Policy::parse(text, r.bucket()).map_err(|e| {
            on_bucket(
                r,
                S3Error::new(S3ErrorCode::MalformedPolicy).with_message(e.message),
            )
        })?;
        let bucket = bucket_of(r)?;
        if bucket.access.block_in_force().block_public_policy && policy.is_public() {
            return Err(on_bucket(r, S3Error::new(S3ErrorCode::AccessDenied)));
        }
    }
    gw.objects
        .put_bucket_access(r.bucket(), AccessChange::Policy(Some(text.to_string())))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// DeleteBucketPolicy (204, also when there was none).
pub(crate) async fn delete_policy(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects
        .put_bucket_access(r.bucket(), AccessChange::Policy(None))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// GetBucketPolicyStatus: public when its policy is (by AWS's meaning)
/// or its ACL grants to everyone or every signed request (unless
/// `IgnorePublicAcls`).
pub(crate) async fn get_policy_status(r: &S3Request) -> S3Result {
    let bucket = bucket_of(r)?;
    let public_policy = r.policy.as_ref().is_some_and(|p| p.public);
    let public_acl = bucket.acl.is_public()
        && !bucket.access.acls_disabled()
        && !bucket.access.block_in_force().ignore_public_acls;
    Ok(xml(
        StatusCode::OK,
        policy_status_to_xml(public_policy || public_acl),
    ))
}

/// GetBucketOwnershipControls, or `OwnershipControlsNotFoundError` when
/// never set.
pub(crate) async fn get_ownership(r: &S3Request) -> S3Result {
    match bucket_of(r)?.access.ownership {
        Some(o) => Ok(xml(StatusCode::OK, ownership_controls_to_xml(o))),
        None => Err(on_bucket(
            r,
            S3Error::new(S3ErrorCode::OwnershipControlsNotFoundError),
        )),
    }
}

/// PutBucketOwnershipControls: `BucketOwnerEnforced` is refused while the
/// bucket's ACL grants to anyone but its owner
/// (`InvalidBucketAclWithObjectOwnership`), as AWS refuses it.
pub(crate) async fn put_ownership(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let body = small_body(r, payload, MAX_SETTINGS_BODY).await?;
    let ownership = parse_ownership_controls(&body)?;
    let bucket = bucket_of(r)?;
    if ownership == ObjectOwnership::BucketOwnerEnforced && !bucket.acl.only_owner(&bucket.owner) {
        return Err(on_bucket(
            r,
            S3Error::new(S3ErrorCode::InvalidBucketAclWithObjectOwnership),
        ));
    }
    gw.objects
        .put_bucket_access(r.bucket(), AccessChange::Ownership(Some(ownership)))
        .await?;
    Ok(HttpResponse::Ok().finish())
}

/// DeleteBucketOwnershipControls (204; the bucket then behaves as
/// `ObjectWriter`).
pub(crate) async fn delete_ownership(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects
        .put_bucket_access(r.bucket(), AccessChange::Ownership(None))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// GetPublicAccessBlock, or `NoSuchPublicAccessBlockConfiguration` when
/// never set.
pub(crate) async fn get_public_access_block(r: &S3Request) -> S3Result {
    match bucket_of(r)?.access.public_access_block {
        Some(b) => Ok(xml(StatusCode::OK, public_access_block_to_xml(b))),
        None => Err(on_bucket(
            r,
            S3Error::new(S3ErrorCode::NoSuchPublicAccessBlockConfiguration),
        )),
    }
}

/// PutPublicAccessBlock: the four switches (one left out is off).
pub(crate) async fn put_public_access_block(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
) -> S3Result {
    let body = small_body(r, payload, MAX_SETTINGS_BODY).await?;
    let block = parse_public_access_block(&body)?;
    gw.objects
        .put_bucket_access(r.bucket(), AccessChange::PublicAccessBlock(Some(block)))
        .await?;
    Ok(HttpResponse::Ok().finish())
}

/// DeletePublicAccessBlock (204; every switch off).
pub(crate) async fn delete_public_access_block(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects
        .put_bucket_access(r.bucket(), AccessChange::PublicAccessBlock(None))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
