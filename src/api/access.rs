//! Who may do what. Every request is authorized here before its handler
//! runs, against the ACL of the bucket it addresses (the listener's
//! `Expect: 100-continue` check asks the same question before the body
//! comes); object reads and object ACLs are then checked against the
//! object's own ACL by their handlers ([`require_object`]). The ACL
//! request headers (`x-amz-acl`, `x-amz-grant-*`) are read here too; the
//! ACL operations themselves are handlers (`handlers::acl`).

use std::collections::HashMap;

use super::context::{Gateway, S3Request};
use super::error::{S3Error, S3ErrorCode};
use super::router::Endpoint;
use super::xml::acl::parse_group;
use super::xml::Owner;
use crate::storage::meta::acl::{Acl, CannedAcl, Grant, Grantee, Permission};
use crate::storage::meta::{AccessKey, BucketRecord, MetaRead, MetaReadResult, ObjectRecord};

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
        Endpoint::ListBuckets(_) | Endpoint::CreateBucket => Need::Signed,
        Endpoint::GetObject(_)
        | Endpoint::HeadObject(_)
        | Endpoint::GetObjectAttributes
        | Endpoint::GetObjectTagging
        | Endpoint::GetObjectAcl
        | Endpoint::PutObjectAcl
        | Endpoint::GetObjectRetention
        | Endpoint::GetObjectLegalHold => Need::Exists,
        Endpoint::DeleteBucket
        | Endpoint::GetBucketLocation
        | Endpoint::GetBucketVersioning
        | Endpoint::PutBucketVersioning
        | Endpoint::GetObjectLockConfiguration
        | Endpoint::PutObjectLockConfiguration
        | Endpoint::GetBucketTagging
        | Endpoint::PutBucketTagging
        | Endpoint::DeleteBucketTagging
        | Endpoint::GetBucketCors
        | Endpoint::PutBucketCors
        | Endpoint::DeleteBucketCors
        | Endpoint::GetBucketLifecycleConfiguration
        | Endpoint::PutBucketLifecycleConfiguration
        | Endpoint::DeleteBucketLifecycle => Need::Owner,
        Endpoint::HeadBucket
        | Endpoint::ListObjects(_)
        | Endpoint::ListObjectsV2(_)
        | Endpoint::ListObjectVersions(_)
        | Endpoint::ListMultipartUploads(_)
        | Endpoint::ListParts(_) => Need::Bucket(Read),
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
        | Endpoint::DeleteObjectTagging
        | Endpoint::PutObjectRetention
        | Endpoint::PutObjectLegalHold => Need::Bucket(Write),
        Endpoint::GetBucketAcl => Need::Bucket(ReadAcp),
        Endpoint::PutBucketAcl => Need::Bucket(WriteAcp),
    }
}

pub(crate) fn denied() -> S3Error {
    S3Error::new(S3ErrorCode::AccessDenied)
}

/// The caller's user id (`None`: anonymous).
fn caller_id(r: &S3Request) -> Option<&str> {
    r.caller.as_ref().map(|c| c.user_id.as_str())
}

/// Authorizes `r` for `endpoint` ([`check`]) and leaves the bucket's
/// record in the request for the handler.
pub(crate) async fn authorize(
    endpoint: &Endpoint,
    r: &mut S3Request,
    gw: &Gateway,
) -> Result<(), S3Error> {
    r.bucket_record = check(endpoint, r.bucket(), caller_id(r), gw).await?;
    Ok(())
}

/// Whether `caller` (`None`: anonymous) may run `endpoint` on `bucket`: a
/// missing bucket is `NoSuchBucket` for everyone, a request its bucket's
/// ACL does not allow `AccessDenied`. Answers the bucket's record when it
/// was read.
pub(crate) async fn check(
    endpoint: &Endpoint,
    bucket: &str,
    caller: Option<&str>,
    gw: &Gateway,
) -> Result<Option<BucketRecord>, S3Error> {
    let need = need(endpoint);
    match need {
        Need::Nothing => return Ok(None),
        Need::Signed => {
            return match caller {
                Some(_) => Ok(None),
                None => Err(denied()),
            }
        }
        Need::Exists | Need::Owner | Need::Bucket(_) => {}
    }
    let bucket = gw.objects.bucket_precheck(bucket).await?;
    let allowed = match need {
        Need::Owner => caller == Some(bucket.owner.as_str()),
        Need::Bucket(p) => bucket.acl.allows(&bucket.owner, caller, p),
        _ => true,
    };
    if allowed {
        Ok(Some(bucket))
    } else {
        Err(denied())
    }
}

/// The addressed bucket's record (read by [`authorize`]).
pub(crate) fn bucket_of(r: &S3Request) -> Result<&BucketRecord, S3Error> {
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
pub(crate) fn object_access(r: &S3Request, o: &ObjectRecord) -> Result<(String, Acl), S3Error> {
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
pub(crate) fn acl_in_headers(
    r: &S3Request,
    owner: &str,
    bucket_owner: &str,
) -> Result<Option<Acl>, S3Error> {
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

/// Every access key kept in metadata (each names its user).
pub(crate) async fn access_keys(gw: &Gateway) -> Result<Vec<AccessKey>, S3Error> {
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
