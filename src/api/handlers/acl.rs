//! The ACL operations: Get/Put Bucket Acl and Get/Put Object Acl. The ACL
//! a Put*Acl sets comes from its headers or its `AccessControlPolicy`
//! body; grants by e-mail address are resolved to the users of the keys
//! kept in metadata, grants to unknown ids refused.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::body::small_body;
use super::versioning::version_of;
use crate::api::access::{
    access_keys, acl_in_headers_by_email, acls_not_supported, bucket_of, check_acl_allowed, denied,
    hide_missing, object_access, owner_element, require_object, user_names,
};
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::xml::acl::{acl_to_xml, parse_access_control_policy, AclParseError};
use crate::storage::meta::acl::{Acl, Grant, Grantee, Permission};
use crate::storage::meta::AccessKey;

/// Largest `AccessControlPolicy` body.
const MAX_ACL_BODY: u64 = 64 << 10;

/// The ACL a Put*Acl request sets: from its headers, else its
/// `AccessControlPolicy` body (whose owner, if named, must be `owner`).
async fn acl_to_put(
    r: &S3Request,
    payload: web::Payload,
    gw: &Gateway,
    owner: &str,
    bucket_owner: &str,
) -> Result<Acl, S3Error> {
    let (mut acl, by_email) = acl_in_request(r, payload, owner, bucket_owner).await?;
    let keys = access_keys(gw).await?;
    for (email, permission) in by_email {
        let user = keys
            .iter()
            .find(|k| {
                k.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(&email))
            })
            .ok_or_else(|| S3Error::new(S3ErrorCode::UnresolvableGrantByEmailAddress))?;
        acl.grants.push(Grant {
            grantee: Grantee::User(user.user_id.clone()),
            permission,
        });
    }
    check_grantees(&keys, &gw.access_key, &acl)?;
    Ok(acl)
}

/// The ACL in a Put*Acl request's headers or body, and the body's grants
/// to users named by e-mail address (to resolve).
async fn acl_in_request(
    r: &S3Request,
    payload: web::Payload,
    owner: &str,
    bucket_owner: &str,
) -> Result<(Acl, Vec<(String, Permission)>), S3Error> {
    if let Some(found) = acl_in_headers_by_email(r, owner, bucket_owner)? {
        return Ok(found);
    }
    let body = small_body(r, payload, MAX_ACL_BODY).await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(S3Error::new(S3ErrorCode::MissingSecurityHeader)
            .with_message("Your request was missing a required header: x-amz-acl"));
    }
    let policy = parse_access_control_policy(&body).map_err(|e| match e {
        AclParseError::Xml(e) => S3Error::from(e),
        AclParseError::Malformed(m) => S3Error::new(S3ErrorCode::MalformedACLError).with_message(m),
    })?;
    if policy.owner.as_deref().is_some_and(|id| id != owner) {
        return Err(denied());
    }
    Ok((
        Acl {
            grants: policy.grants,
        },
        policy.by_email,
    ))
}

/// Refuses an ACL that grants to a user id no key of `keys` belongs to
/// (nor the `configured` key's user), as AWS refuses a grant to an
/// unknown canonical id.
fn check_grantees(keys: &[AccessKey], configured: &str, acl: &Acl) -> Result<(), S3Error> {
    let unknown = acl.grants.iter().find_map(|g| match &g.grantee {
        Grantee::User(id) if id != configured && !keys.iter().any(|k| k.user_id == *id) => Some(id),
        _ => None,
    });
    match unknown {
        None => Ok(()),
        Some(id) => {
            Err(S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message(format!("Invalid id: {id}")))
        }
    }
}

/// The ACL document, with every user's display name; group grants are
/// listed before user grants (as AWS lists them), each kind in the order
/// kept.
async fn render(r: &S3Request, gw: &Gateway, owner: &str, acl: &Acl) -> S3Result {
    let names = user_names(gw).await?;
    let mut grants = acl.grants.clone();
    grants.sort_by_key(|g| matches!(g.grantee, Grantee::User(_)));
    let body = acl_to_xml(owner, &grants, |id| match names.get(id) {
        Some(name) => name.clone(),
        None => owner_element(r, id).display_name.unwrap_or_default(),
    });
    Ok(xml(StatusCode::OK, body))
}

/// GetBucketAcl: the bucket's owner and grants, with display names.
pub(crate) async fn get_bucket_acl(r: &S3Request, gw: &Gateway) -> S3Result {
    let b = bucket_of(r)?;
    render(r, gw, &b.owner, &b.acl).await
}

/// PutBucketAcl: replaces the bucket's ACL with the one in the headers
/// or the body.
pub(crate) async fn put_bucket_acl(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let bucket = bucket_of(r)?;
    if bucket.access.acls_disabled() {
        return Err(acls_not_supported());
    }
    let owner = bucket.owner.clone();
    let acl = acl_to_put(r, payload, gw, &owner, &owner).await?;
    check_acl_allowed(&bucket.access, &acl)?;
    gw.objects.put_bucket_acl(r.bucket(), acl).await?;
    Ok(HttpResponse::Ok().finish())
}

/// GetObjectAcl: the object's owner and grants, for a caller with
/// READ_ACP on the object.
pub(crate) async fn get_object_acl(r: &S3Request, gw: &Gateway) -> S3Result {
    let o = gw
        .objects
        .object_at(r.bucket(), r.key(), version_of(r)?)
        .await
        .map_err(|e| hide_missing(r, e.into()))?;
    require_object(r, &o)?;
    let (owner, acl) = object_access(r, &o)?;
    render(r, gw, &owner, &acl).await
}

/// PutObjectAcl: replaces the object's ACL, for a caller with WRITE_ACP
/// on the object.
pub(crate) async fn put_object_acl(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let version = version_of(r)?;
    let o = gw
        .objects
        .object_at(r.bucket(), r.key(), version)
        .await
        .map_err(|e| hide_missing(r, e.into()))?;
    let bucket = bucket_of(r)?;
    if bucket.access.acls_disabled() {
        return Err(acls_not_supported());
    }
    require_object(r, &o)?;
    let (owner, _) = object_access(r, &o)?;
    let bucket_owner = bucket.owner.clone();
    let acl = acl_to_put(r, payload, gw, &owner, &bucket_owner).await?;
    check_acl_allowed(&bucket.access, &acl)?;
    gw.objects
        .put_object_acl((r.bucket(), r.key()), version, acl)
        .await?;
    Ok(HttpResponse::Ok().finish())
}
