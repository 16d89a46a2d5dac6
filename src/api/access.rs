//! Who may do what. Every request is authorized here before its handler
//! runs, against the ACL of the bucket it addresses; object reads and
//! object ACLs are then checked against the object's own ACL by their
//! handlers ([`require_object`]). The ACL operations (Get/Put Bucket and
//! Object Acl) and the ACL request headers (`x-amz-acl`,
//! `x-amz-grant-*`) live here too.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::error::{S3Error, S3ErrorCode};
use super::router::Endpoint;
use super::s3::{small_body, xml, Gateway, S3Request, S3Result};
use super::xml::acl::{acl_to_xml, parse_access_control_policy, parse_group, AclParseError};
use super::xml::Owner;
use crate::storage::meta::acl::{Acl, CannedAcl, Grant, Grantee, Permission};
use crate::storage::meta::{AccessKey, BucketRecord, MetaRead, MetaReadResult, ObjectRecord};

/// Largest `AccessControlPolicy` body.
const MAX_ACL_BODY: u64 = 64 << 10;

/// What an operation needs of the bucket it addresses.
enum Need {
    /// Nothing (the request is refused anyway).
    Nothing,
    /// A signed request (no bucket: ListBuckets, CreateBucket).
    Signed,
    /// The bucket must exist; the handler checks the object's ACL.
    Exists,
    /// The bucket's owner.
    Owner,
    /// This permission on the bucket.
    Bucket(Permission),
}

fn need(endpoint: &Endpoint) -> Need {
    use Permission::{Read, ReadAcp, Write, WriteAcp};
    match endpoint {
        Endpoint::MethodNotAllowed | Endpoint::NotImplemented => Need::Nothing,
        Endpoint::ListBuckets | Endpoint::CreateBucket => Need::Signed,
        Endpoint::GetObject
        | Endpoint::HeadObject
        | Endpoint::GetObjectAttributes
        | Endpoint::GetObjectTagging
        | Endpoint::GetObjectAcl
        | Endpoint::PutObjectAcl => Need::Exists,
        Endpoint::DeleteBucket
        | Endpoint::GetBucketLocation
        | Endpoint::GetBucketVersioning
        | Endpoint::GetBucketTagging
        | Endpoint::PutBucketTagging
        | Endpoint::DeleteBucketTagging
        | Endpoint::GetBucketCors
        | Endpoint::PutBucketCors
        | Endpoint::DeleteBucketCors => Need::Owner,
        Endpoint::HeadBucket
        | Endpoint::ListObjects
        | Endpoint::ListObjectsV2
        | Endpoint::ListObjectVersions
        | Endpoint::ListMultipartUploads
        | Endpoint::ListParts { .. } => Need::Bucket(Read),
        Endpoint::PutObject
        | Endpoint::CopyObject
        | Endpoint::DeleteObject
        | Endpoint::DeleteObjects
        | Endpoint::CreateMultipartUpload
        | Endpoint::UploadPart { .. }
        | Endpoint::UploadPartCopy { .. }
        | Endpoint::CompleteMultipartUpload { .. }
        | Endpoint::AbortMultipartUpload { .. }
        | Endpoint::PutObjectTagging
        | Endpoint::DeleteObjectTagging => Need::Bucket(Write),
        Endpoint::GetBucketAcl => Need::Bucket(ReadAcp),
        Endpoint::PutBucketAcl => Need::Bucket(WriteAcp),
    }
}

fn denied() -> S3Error {
    S3Error::new(S3ErrorCode::AccessDenied)
}

/// The caller's user id (`None`: anonymous).
fn caller_id(r: &S3Request) -> Option<&str> {
    r.caller.as_ref().map(|c| c.user_id.as_str())
}

/// Authorizes `r` for `endpoint`: a missing bucket is `NoSuchBucket` for
/// everyone, a request its bucket's ACL does not allow `AccessDenied`.
/// Leaves the bucket's record in the request for the handler.
pub(crate) async fn authorize(
    endpoint: &Endpoint,
    r: &mut S3Request,
    gw: &Gateway,
) -> Result<(), S3Error> {
    let need = need(endpoint);
    match need {
        Need::Nothing => return Ok(()),
        Need::Signed => {
            return match r.caller {
                Some(_) => Ok(()),
                None => Err(denied()),
            }
        }
        Need::Exists | Need::Owner | Need::Bucket(_) => {}
    }
    let bucket = gw.objects.bucket_precheck(r.bucket()).await?;
    let allowed = match need {
        Need::Owner => caller_id(r) == Some(bucket.owner.as_str()),
        Need::Bucket(p) => bucket.acl.allows(&bucket.owner, caller_id(r), p),
        _ => true,
    };
    r.bucket_record = Some(bucket);
    if allowed {
        Ok(())
    } else {
        Err(denied())
    }
}

/// The addressed bucket's record (read by [`authorize`]).
fn bucket_of(r: &S3Request) -> Result<&BucketRecord, S3Error> {
    r.bucket_record
        .as_ref()
        .ok_or_else(|| S3Error::new(S3ErrorCode::InternalError))
}

/// The owner and ACL an object of bucket `bucket` is judged by: its own,
/// or, for one written before owners were kept, its bucket owner's alone.
fn object_access_in(bucket: &BucketRecord, o: &ObjectRecord) -> (String, Acl) {
    if o.owner.is_empty() {
        return (bucket.owner.clone(), Acl::private(&bucket.owner));
    }
    (o.owner.clone(), o.acl.clone())
}

/// [`object_access_in`] the addressed bucket.
fn object_access(r: &S3Request, o: &ObjectRecord) -> Result<(String, Acl), S3Error> {
    Ok(object_access_in(bucket_of(r)?, o))
}

/// Fails with `AccessDenied` unless the caller holds `permission` on `o`,
/// an object of `bucket`.
pub(crate) fn require_object_in(
    r: &S3Request,
    bucket: &BucketRecord,
    o: &ObjectRecord,
    permission: Permission,
) -> Result<(), S3Error> {
    let (owner, acl) = object_access_in(bucket, o);
    if acl.allows(&owner, caller_id(r), permission) {
        Ok(())
    } else {
        Err(denied())
    }
}

/// [`require_object_in`] the addressed bucket.
pub(crate) fn require_object(
    r: &S3Request,
    o: &ObjectRecord,
    permission: Permission,
) -> Result<(), S3Error> {
    require_object_in(r, bucket_of(r)?, o, permission)
}

/// A missing key is `NoSuchKey` only to a caller who may list the bucket;
/// to others it is `AccessDenied`, as AWS answers (nothing is learned of
/// what the bucket holds).
pub(crate) fn hide_missing(r: &S3Request, e: S3Error) -> S3Error {
    if e.code != S3ErrorCode::NoSuchKey {
        return e;
    }
    match &r.bucket_record {
        Some(b) if b.acl.allows(&b.owner, caller_id(r), Permission::Read) => e,
        _ => denied(),
    }
}

/// The `Owner` element for user `id`: the caller's display name when it is
/// the caller, else the id.
pub(crate) fn owner_element(r: &S3Request, id: &str) -> Owner {
    let display_name = match &r.caller {
        Some(c) if c.user_id == id => c.display_name.clone(),
        _ => id.to_string(),
    };
    Owner {
        id: id.to_string(),
        display_name: Some(display_name),
    }
}

/// The `Owner` element of something owned by user `id`; an empty id (a
/// record from before owners were kept) stands for the bucket's owner.
pub(crate) fn owner_of(r: &S3Request, id: &str) -> Owner {
    match (id, &r.bucket_record) {
        ("", Some(b)) => owner_element(r, &b.owner),
        _ => owner_element(r, id),
    }
}

/// The ACL the request's headers give a new resource owned by `owner` in a
/// bucket owned by `bucket_owner`: a canned ACL (`x-amz-acl`), or grants
/// (`x-amz-grant-*`), else `private`.
pub(crate) fn acl_for_new(r: &S3Request, owner: &str, bucket_owner: &str) -> Result<Acl, S3Error> {
    Ok(acl_in_headers(r, owner, bucket_owner)?.unwrap_or_else(|| Acl::private(owner)))
}

/// The owner and ACL of an object the request writes: the caller (an
/// anonymous writer's object belongs to the bucket's owner), and the ACL
/// of its headers.
pub(crate) fn new_object_access(r: &S3Request) -> Result<(String, Acl), S3Error> {
    let bucket_owner = bucket_of(r)?.owner.clone();
    let owner = caller_id(r).map_or_else(|| bucket_owner.clone(), str::to_string);
    let acl = acl_for_new(r, &owner, &bucket_owner)?;
    Ok((owner, acl))
}

/// The ACL in the request's headers, if any.
fn acl_in_headers(r: &S3Request, owner: &str, bucket_owner: &str) -> Result<Option<Acl>, S3Error> {
    const GRANTS: [(&str, Permission); 5] = [
        ("x-amz-grant-read", Permission::Read),
        ("x-amz-grant-write", Permission::Write),
        ("x-amz-grant-read-acp", Permission::ReadAcp),
        ("x-amz-grant-write-acp", Permission::WriteAcp),
        ("x-amz-grant-full-control", Permission::FullControl),
    ];
    let mut grants = Vec::new();
    let mut any_grant = false;
    for (header, permission) in GRANTS {
        for value in r.headers().get_all(header) {
            any_grant = true;
            let value = value.to_str().map_err(|_| bad_grant(header))?;
            for grantee in parse_grantees(header, value)? {
                grants.push(Grant {
                    grantee,
                    permission,
                });
            }
        }
    }
    match (r.header("x-amz-acl"), any_grant) {
        (Some(_), true) => Err(S3Error::new(S3ErrorCode::InvalidRequest)
            .with_message("Specifying both Canned ACLs and Header Grants is not allowed")),
        (Some(name), false) => match CannedAcl::parse(name.trim()) {
            Some(canned) => Ok(Some(canned.grants(owner, bucket_owner))),
            None => Err(S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message(format!("{name} is not a canned ACL"))),
        },
        (None, true) => Ok(Some(Acl { grants })),
        (None, false) => Ok(None),
    }
}

fn bad_grant(header: &str) -> S3Error {
    S3Error::new(S3ErrorCode::InvalidArgument).with_message(format!("{header} is not valid"))
}

/// The grantees of one `x-amz-grant-*` value: `id="…"`, `uri="…"` or
/// `emailAddress="…"`, comma-separated.
fn parse_grantees(header: &str, value: &str) -> Result<Vec<Grantee>, S3Error> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (kind, quoted) = item.split_once('=').ok_or_else(|| bad_grant(header))?;
            let v = quoted.trim().trim_matches('"');
            match kind.trim().to_ascii_lowercase().as_str() {
                "id" if !v.is_empty() => Ok(Grantee::User(v.to_string())),
                "uri" => parse_group(v).ok_or_else(|| bad_grant(header)),
                "emailaddress" => Err(S3Error::new(S3ErrorCode::UnresolvableGrantByEmailAddress)),
                _ => Err(bad_grant(header)),
            }
        })
        .collect()
}

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
    if let Some(acl) = acl_in_headers(r, owner, bucket_owner)? {
        return Ok((acl, vec![]));
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

/// Every access key kept in metadata (each names its user).
async fn access_keys(gw: &Gateway) -> Result<Vec<AccessKey>, S3Error> {
    Ok(match gw.objects.read(MetaRead::AccessKeys).await? {
        MetaReadResult::AccessKeys(keys) => keys,
        _ => Vec::new(),
    })
}

/// Every user's display name by id (from the keys kept in metadata).
pub(crate) async fn user_names(gw: &Gateway) -> Result<HashMap<String, String>, S3Error> {
    Ok(access_keys(gw)
        .await?
        .into_iter()
        .map(|k| (k.user_id, k.display_name))
        .collect())
}

/// The `Owner` element of user `id`, named from `names` (see
/// [`user_names`]); like [`owner_of`] otherwise.
pub(crate) fn named_owner(r: &S3Request, names: &HashMap<String, String>, id: &str) -> Owner {
    let mut owner = owner_of(r, id);
    if let Some(name) = names.get(&owner.id) {
        owner.display_name = Some(name.clone());
    }
    owner
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

/// GetBucketAcl.
pub(crate) async fn get_bucket_acl(r: &S3Request, gw: &Gateway) -> S3Result {
    let b = bucket_of(r)?;
    render(r, gw, &b.owner, &b.acl).await
}

/// PutBucketAcl.
pub(crate) async fn put_bucket_acl(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let owner = bucket_of(r)?.owner.clone();
    let acl = acl_to_put(r, payload, gw, &owner, &owner).await?;
    gw.objects.put_bucket_acl(r.bucket(), acl).await?;
    Ok(HttpResponse::Ok().finish())
}

/// GetObjectAcl.
pub(crate) async fn get_object_acl(r: &S3Request, gw: &Gateway) -> S3Result {
    let o = gw
        .objects
        .object(r.bucket(), r.key())
        .await
        .map_err(|e| hide_missing(r, e.into()))?;
    require_object(r, &o, Permission::ReadAcp)?;
    let (owner, acl) = object_access(r, &o)?;
    render(r, gw, &owner, &acl).await
}

/// PutObjectAcl.
pub(crate) async fn put_object_acl(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let o = gw
        .objects
        .object(r.bucket(), r.key())
        .await
        .map_err(|e| hide_missing(r, e.into()))?;
    require_object(r, &o, Permission::WriteAcp)?;
    let (owner, _) = object_access(r, &o)?;
    let bucket_owner = bucket_of(r)?.owner.clone();
    let acl = acl_to_put(r, payload, gw, &owner, &bucket_owner).await?;
    gw.objects.put_object_acl(r.bucket(), r.key(), acl).await?;
    Ok(HttpResponse::Ok().finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_headers_name_users_and_groups() {
        let g = parse_grantees(
            "x-amz-grant-read",
            "id=\"abc\", uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"",
        )
        .expect("valid");
        assert_eq!(g, vec![Grantee::User("abc".into()), Grantee::AllUsers]);
        let e = parse_grantees("x-amz-grant-read", "emailAddress=\"a@b.c\"").unwrap_err();
        assert_eq!(e.code, S3ErrorCode::UnresolvableGrantByEmailAddress);
        let e = parse_grantees("x-amz-grant-read", "uri=\"http://example.com/\"").unwrap_err();
        assert_eq!(e.code, S3ErrorCode::InvalidArgument);
        assert!(parse_grantees("x-amz-grant-read", "abc").is_err());
    }
}
