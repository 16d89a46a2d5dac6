//! The ACL a request's headers set (`x-amz-acl`, `x-amz-grant-*`), and who
//! owns what it writes: both depend on the bucket's Object Ownership
//! (`BucketOwnerEnforced` turns ACLs off and gives every object to the
//! bucket's owner) and its Block Public Access switches (`BlockPublicAcls`
//! refuses public ACLs).

use super::basics::{bucket_of, caller_id, denied};
use crate::api::context::S3Request;
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::xml::acl::parse_group;
use crate::storage::meta::acl::{Acl, CannedAcl, Grant, Grantee, Permission};
use crate::storage::meta::bucket_access::{BucketAccess, ObjectOwnership};
use actix_web::http::header::HeaderMap;

/// The canned ACL that leaves an object to the bucket's owner.
const BUCKET_OWNER_FULL_CONTROL: &str = "bucket-owner-full-control";

/// `AccessControlListNotSupported`: an ACL on a bucket whose ACLs are off.
pub(crate) fn acls_not_supported() -> S3Error {
    S3Error::new(S3ErrorCode::AccessControlListNotSupported)
}

/// Refuses an ACL the bucket's settings do not let be set: any on a
/// bucket whose ACLs are off (`AccessControlListNotSupported`), a public
/// one under `BlockPublicAcls` (`AccessDenied`).
pub(crate) fn check_acl_allowed(access: &BucketAccess, acl: &Acl) -> Result<(), S3Error> {
    if access.acls_disabled() {
        return Err(acls_not_supported());
    }
    if access.block_in_force().block_public_acls && acl.is_public() {
        return Err(denied());
    }
    Ok(())
}

/// The ACL the request's headers give a new resource owned by `owner` in a
/// bucket owned by `bucket_owner`: a canned ACL (`x-amz-acl`), or grants
/// (`x-amz-grant-*`), else `private`.
pub(crate) fn acl_for_new(r: &S3Request, owner: &str, bucket_owner: &str) -> Result<Acl, S3Error> {
    Ok(acl_in_headers(r, owner, bucket_owner)?.unwrap_or_else(|| Acl::private(owner)))
}

/// The owner and ACL of an object the request writes, by the bucket's
/// Object Ownership:
/// - `BucketOwnerEnforced`: the bucket's owner, `private`; an ACL header
///   other than `bucket-owner-full-control` is refused;
/// - `BucketOwnerPreferred`: the bucket's owner when the writer gives
///   `bucket-owner-full-control`, else the writer;
/// - `ObjectWriter` (and buckets that never set it): the writer (an
///   anonymous writer's object belongs to the bucket's owner).
///
/// A public ACL is refused under `BlockPublicAcls`.
pub(crate) fn new_object_access(r: &S3Request) -> Result<(String, Acl), S3Error> {
    let bucket = bucket_of(r)?;
    let bucket_owner = bucket.owner.clone();
    let writer = caller_id(r).map_or_else(|| bucket_owner.clone(), str::to_string);
    let canned = r.header("x-amz-acl").map(str::trim);
    let to_bucket_owner = canned == Some(BUCKET_OWNER_FULL_CONTROL);
    match bucket.access.ownership_in_force() {
        ObjectOwnership::BucketOwnerEnforced => {
            if has_acl_headers(r) && !to_bucket_owner {
                return Err(acls_not_supported());
            }
            Ok((bucket_owner.clone(), Acl::private(&bucket_owner)))
        }
        ObjectOwnership::BucketOwnerPreferred if to_bucket_owner => {
            Ok((bucket_owner.clone(), Acl::private(&bucket_owner)))
        }
        ObjectOwnership::BucketOwnerPreferred | ObjectOwnership::ObjectWriter => {
            let acl = acl_for_new(r, &writer, &bucket_owner)?;
            check_acl_allowed(&bucket.access, &acl)?;
            Ok((writer, acl))
        }
    }
}

/// The `x-amz-grant-*` headers and the permission each grants.
const GRANTS: [(&str, Permission); 5] = [
    ("x-amz-grant-read", Permission::Read),
    ("x-amz-grant-write", Permission::Write),
    ("x-amz-grant-read-acp", Permission::ReadAcp),
    ("x-amz-grant-write-acp", Permission::WriteAcp),
    ("x-amz-grant-full-control", Permission::FullControl),
];

/// Whether the request carries `x-amz-acl` or an `x-amz-grant-*` header.
fn has_acl_headers(r: &S3Request) -> bool {
    asks_acl(r.headers())
}

/// Whether `headers` hold `x-amz-acl` or an `x-amz-grant-*` header.
pub(super) fn asks_acl(headers: &HeaderMap) -> bool {
    headers.contains_key("x-amz-acl") || GRANTS.iter().any(|(h, _)| headers.contains_key(*h))
}

/// The ACL in the request's headers, if any; a grantee named by e-mail
/// address is `UnresolvableGrantByEmailAddress` (see
/// [`acl_in_headers_by_email`]).
pub(crate) fn acl_in_headers(
    r: &S3Request,
    owner: &str,
    bucket_owner: &str,
) -> Result<Option<Acl>, S3Error> {
    match acl_in_headers_by_email(r, owner, bucket_owner)? {
        Some((_, by_email)) if !by_email.is_empty() => {
            Err(S3Error::new(S3ErrorCode::UnresolvableGrantByEmailAddress))
        }
        other => Ok(other.map(|(acl, _)| acl)),
    }
}

/// The ACL in the request's headers, if any, and its grants to users
/// named by e-mail address (`emailAddress="…"`), for the caller to
/// resolve.
pub(crate) fn acl_in_headers_by_email(
    r: &S3Request,
    owner: &str,
    bucket_owner: &str,
) -> Result<Option<AclByEmail>, S3Error> {
    let mut grants = Vec::new();
    let mut by_email = Vec::new();
    let mut any_grant = false;
    for (header, permission) in GRANTS {
        for value in r.headers().get_all(header) {
            any_grant = true;
            let value = value.to_str().map_err(|_| bad_grant(header))?;
            for grantee in parse_grantees(header, value)? {
                match grantee {
                    Named::Grantee(grantee) => grants.push(Grant {
                        grantee,
                        permission,
                    }),
                    Named::Email(email) => by_email.push((email, permission)),
                }
            }
        }
    }
    match (r.header("x-amz-acl"), any_grant) {
        (Some(_), true) => Err(S3Error::new(S3ErrorCode::InvalidRequest)
            .with_message("Specifying both Canned ACLs and Header Grants is not allowed")),
        (Some(name), false) => match CannedAcl::parse(name.trim()) {
            Some(canned) => Ok(Some((canned.grants(owner, bucket_owner), by_email))),
            None => Err(S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message(format!("{name} is not a canned ACL"))),
        },
        (None, true) => Ok(Some((Acl { grants }, by_email))),
        (None, false) => Ok(None),
    }
}

/// An ACL and its grants to users named by e-mail address (to resolve).
pub(crate) type AclByEmail = (Acl, Vec<(String, Permission)>);

/// A grantee as a header names it.
#[derive(Debug, PartialEq, Eq)]
enum Named {
    /// A user id or a group.
    Grantee(Grantee),
    /// A user by e-mail address, to resolve.
    Email(String),
}

fn bad_grant(header: &str) -> S3Error {
    S3Error::new(S3ErrorCode::InvalidArgument).with_message(format!("{header} is not valid"))
}

/// The grantees of one `x-amz-grant-*` value: `id="…"`, `uri="…"` or
/// `emailAddress="…"`, comma-separated.
fn parse_grantees(header: &str, value: &str) -> Result<Vec<Named>, S3Error> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (kind, quoted) = item.split_once('=').ok_or_else(|| bad_grant(header))?;
            let v = quoted.trim().trim_matches('"');
            match kind.trim().to_ascii_lowercase().as_str() {
                "id" if !v.is_empty() => Ok(Named::Grantee(Grantee::User(v.to_string()))),
                "uri" => parse_group(v)
                    .map(Named::Grantee)
                    .ok_or_else(|| bad_grant(header)),
                "emailaddress" if !v.is_empty() => Ok(Named::Email(v.to_string())),
                _ => Err(bad_grant(header)),
            }
        })
        .collect()
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
        assert_eq!(
            g,
            vec![
                Named::Grantee(Grantee::User("abc".into())),
                Named::Grantee(Grantee::AllUsers)
            ]
        );
        let e = parse_grantees("x-amz-grant-read", "emailAddress=\"a@b.c\"").unwrap();
        assert_eq!(e, vec![Named::Email("a@b.c".into())]);
        let e = parse_grantees("x-amz-grant-read", "uri=\"http://example.com/\"").unwrap_err();
        assert_eq!(e.code, S3ErrorCode::InvalidArgument);
        assert!(parse_grantees("x-amz-grant-read", "abc").is_err());
    }

    #[test]
    fn acls_are_refused_when_off_and_public_ones_when_blocked() {
        use crate::storage::meta::bucket_access::PublicAccessBlock;
        let public = CannedAcl::PublicRead.grants("alice", "alice");
        let private = Acl::private("alice");
        let open = BucketAccess::default();
        assert!(check_acl_allowed(&open, &public).is_ok());
        let enforced = BucketAccess {
            ownership: Some(ObjectOwnership::BucketOwnerEnforced),
            ..BucketAccess::default()
        };
        let e = check_acl_allowed(&enforced, &private).unwrap_err();
        assert_eq!(e.code, S3ErrorCode::AccessControlListNotSupported);
        let blocked = BucketAccess {
            public_access_block: Some(PublicAccessBlock {
                block_public_acls: true,
                ..PublicAccessBlock::default()
            }),
            ..BucketAccess::default()
        };
        assert_eq!(
            check_acl_allowed(&blocked, &public).unwrap_err().code,
            S3ErrorCode::AccessDenied
        );
        assert!(check_acl_allowed(&blocked, &private).is_ok());
    }
}
