//! Who may do what. Every request is authorized here before its handler
//! runs (the listener's `Expect: 100-continue` check asks the same
//! question before the body comes), as AWS decides: an explicit deny in
//! the bucket's policy wins, then an allow from the policy or the ACL,
//! else `AccessDenied`. Object reads and object ACLs are then checked
//! against the object's own ACL (and the policy, with the object's tags)
//! by their handlers ([`require_object`]). Object Ownership
//! (`BucketOwnerEnforced` turns ACLs off) and Block Public Access
//! (`IgnorePublicAcls`, `RestrictPublicBuckets`) change what the ACL and
//! the policy grant. The ACL request headers are read in [`headers`], the
//! policy's action names and condition keys in [`policy`]; the ACL
//! operations themselves are handlers (`handlers::acl`).

mod basics;
pub(crate) mod cache;
mod headers;
mod policy;

use std::collections::HashMap;
use std::sync::Arc;

use super::context::{Gateway, S3Request, Transport};
use super::error::{S3Error, S3ErrorCode};
use super::router::Endpoint;
use super::xml::Owner;
use crate::policy::Decision;
use crate::storage::meta::acl::{Acl, Permission};
use crate::storage::meta::{AccessKey, BucketRecord, MetaRead, MetaReadResult, ObjectRecord};

use basics::caller_id;
pub(crate) use basics::{bucket_of, check_expected_owner, denied};
pub(crate) use cache::BucketPolicy;
pub(crate) use headers::{
    acl_for_new, acl_in_headers, acls_not_supported, check_acl_allowed, new_object_access,
};
pub(crate) use policy::Asker;

/// What an operation needs of the bucket it addresses.
enum Need {
    /// Nothing (the request is refused anyway, or checks itself).
    Nothing,
    /// A signed request (no bucket: ListBuckets, CreateBucket).
    Signed,
    /// The bucket must exist; the handler checks the object (its ACL and
    /// tags) or each key.
    Exists,
    /// The bucket's owner (or whom its policy allows).
    Owner,
    /// This permission on the bucket (or the policy's allow).
    Bucket(Permission),
}

fn need(endpoint: &Endpoint) -> Need {
    use Permission::{Read, ReadAcp, Write, WriteAcp};
    match endpoint {
        Endpoint::MethodNotAllowed | Endpoint::NotImplemented | Endpoint::PostObject => {
            Need::Nothing
        }
        Endpoint::ListBuckets(_) | Endpoint::CreateBucket => Need::Signed,
        Endpoint::GetObject(_)
        | Endpoint::HeadObject(_)
        | Endpoint::GetObjectAttributes
        | Endpoint::GetObjectTagging
        | Endpoint::GetObjectAcl
        | Endpoint::PutObjectAcl
        | Endpoint::GetObjectRetention
        | Endpoint::GetObjectLegalHold
        | Endpoint::PutObjectTagging
        | Endpoint::DeleteObjectTagging
        | Endpoint::DeleteObjects => Need::Exists,
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
        | Endpoint::DeleteBucketLifecycle
        | Endpoint::GetBucketPolicy
        | Endpoint::PutBucketPolicy
        | Endpoint::DeleteBucketPolicy
        | Endpoint::GetBucketPolicyStatus
        | Endpoint::GetBucketOwnershipControls
        | Endpoint::PutBucketOwnershipControls
        | Endpoint::DeleteBucketOwnershipControls
        | Endpoint::GetPublicAccessBlock
        | Endpoint::PutPublicAccessBlock
        | Endpoint::DeletePublicAccessBlock => Need::Owner,
        Endpoint::HeadBucket
        | Endpoint::ListObjects(_)
        | Endpoint::ListObjectsV2(_)
        | Endpoint::ListObjectVersions(_)
        | Endpoint::ListMultipartUploads(_)
        | Endpoint::ListParts(_) => Need::Bucket(Read),
        Endpoint::PutObject
        | Endpoint::CopyObject
        | Endpoint::DeleteObject
        | Endpoint::CreateMultipartUpload
        | Endpoint::UploadPart { .. }
        | Endpoint::UploadPartCopy { .. }
        | Endpoint::CompleteMultipartUpload { .. }
        | Endpoint::AbortMultipartUpload { .. }
        | Endpoint::PutObjectRetention
        | Endpoint::PutObjectLegalHold => Need::Bucket(Write),
        Endpoint::GetBucketAcl => Need::Bucket(ReadAcp),
        Endpoint::PutBucketAcl => Need::Bucket(WriteAcp),
    }
}

/// What a request reads for access decisions ([`Asker`]).
pub(crate) fn asker_of(r: &S3Request) -> Asker<'_> {
    Asker {
        caller: r.caller.as_ref(),
        headers: &r.headers,
        query: &r.query,
        peer: r.http.peer_addr().map(|a| a.ip()),
        secure: r.http.conn_data::<Transport>().is_some_and(|t| t.secure),
    }
}

/// What [`check`] found: the addressed bucket and its parsed policy.
pub(crate) struct Checked {
    /// The bucket's record.
    pub bucket: BucketRecord,
    /// Its policy, parsed; `None`: it has none.
    pub policy: Option<Arc<BucketPolicy>>,
    /// The S3 action the request is, as policies name it.
    pub action: Option<&'static str>,
}

/// Authorizes `r` for `endpoint` ([`check`]) and leaves the bucket's
/// record, its policy and the request's action in the request for the
/// handler.
pub(crate) async fn authorize(
    endpoint: &Endpoint,
    r: &mut S3Request,
    gw: &Gateway,
) -> Result<(), S3Error> {
    let checked = check(endpoint, r.bucket(), r.key.as_deref(), &asker_of(r), gw).await?;
    if let Some(c) = checked {
        r.bucket_record = Some(c.bucket);
        r.policy = c.policy;
        r.action = c.action;
    }
    Ok(())
}

/// Whether `asker` may run `endpoint` on `bucket` (on its object `key`):
/// a missing bucket is `NoSuchBucket` for everyone, a bucket not owned by
/// the `x-amz-expected-bucket-owner` named, a request the policy denies or
/// neither the policy nor the ACL allows `AccessDenied`.
/// Answers the bucket's record and policy when they were read.
pub(crate) async fn check(
    endpoint: &Endpoint,
    bucket: &str,
    key: Option<&str>,
    asker: &Asker<'_>,
    gw: &Gateway,
) -> Result<Option<Checked>, S3Error> {
    let need = need(endpoint);
    match need {
        Need::Nothing => return Ok(None),
        Need::Signed => {
            return match asker.caller {
                Some(_) => Ok(None),
                None => Err(denied()),
            }
        }
        Need::Exists | Need::Owner | Need::Bucket(_) => {}
    }
    let bucket = gw.objects.bucket_precheck(bucket).await?;
    check_expected_owner(asker.headers, "x-amz-expected-bucket-owner", &bucket)?;
    let policy = gw.policies.of(&bucket);
    let caller = asker.caller_id();
    let is_owner = caller == Some(bucket.owner.as_str());
    let versioned = asker.query.iter().any(|(n, _)| n == "versionId");
    let action = policy::action_of(endpoint, versioned);
    let acl_allows = match need {
        Need::Owner => is_owner,
        Need::Bucket(p) => bucket_acl_allows(&bucket, caller, p),
        _ => true,
    };
    if !matches!(need, Need::Exists) {
        let action = action.unwrap_or_default();
        let owner_manages = is_owner && policy::manages_policy(action);
        if !owner_manages {
            judge(
                &bucket,
                policy.as_deref(),
                asker,
                action,
                key,
                None,
                acl_allows,
            )?;
        }
    }
    Ok(Some(Checked {
        bucket,
        policy,
        action,
    }))
}

/// The verdict on `action` on `bucket` (on its object `key`): the
/// policy's explicit deny wins; then its allow (unless
/// `RestrictPublicBuckets` holds a public policy to the owner) or the
/// ACL's (`acl_allows`); else `AccessDenied`.
fn judge(
    bucket: &BucketRecord,
    policy: Option<&BucketPolicy>,
    asker: &Asker<'_>,
    action: &str,
    key: Option<&str>,
    object: Option<&ObjectRecord>,
    acl_allows: bool,
) -> Result<(), S3Error> {
    let decision = match policy {
        Some(p) => {
            let resource = policy::resource_arn(&bucket.name, key);
            policy::decide(p, asker, action, &resource, object)
        }
        None => Decision::Unmatched,
    };
    let allowed = match decision {
        Decision::Deny => false,
        Decision::Allow => {
            let restricted = bucket.access.block_in_force().restrict_public_buckets
                && policy.is_some_and(|p| p.public)
                && asker.caller_id() != Some(bucket.owner.as_str());
            !restricted || acl_allows
        }
        Decision::Unmatched => acl_allows,
    };
    if allowed {
        Ok(())
    } else {
        Err(denied())
    }
}

/// Whether `acl` of a resource owned by `owner` in `bucket` grants
/// `permission` to `caller`: with ACLs off (`BucketOwnerEnforced`) only
/// the bucket's owner holds anything; under `IgnorePublicAcls` public
/// grants count for nothing.
fn acl_allows(
    bucket: &BucketRecord,
    owner: &str,
    acl: &Acl,
    caller: Option<&str>,
    permission: Permission,
) -> bool {
    if bucket.access.acls_disabled() {
        return caller == Some(bucket.owner.as_str());
    }
    if bucket.access.block_in_force().ignore_public_acls && acl.is_public() {
        return acl.without_public().allows(owner, caller, permission);
    }
    acl.allows(owner, caller, permission)
}

/// [`acl_allows`] for the bucket's own ACL.
fn bucket_acl_allows(bucket: &BucketRecord, caller: Option<&str>, permission: Permission) -> bool {
    acl_allows(bucket, &bucket.owner, &bucket.acl, caller, permission)
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

/// Fails with `AccessDenied` unless the request's action on `o` (of the
/// addressed bucket) is allowed: the policy (with the object's tags) and
/// the object's ACL (`permission`), as [`judge`] weighs them.
pub(crate) fn require_object(
    r: &S3Request,
    o: &ObjectRecord,
    permission: Permission,
) -> Result<(), S3Error> {
    let bucket = bucket_of(r)?;
    let action = r.action.unwrap_or("s3:GetObject");
    require_object_action(r, bucket, r.policy.as_deref(), o, action, permission)
}

/// [`require_object`] for `action` on `o` of `bucket` (whose parsed
/// policy is `policy`): a copy's source, which another bucket may hold.
pub(crate) fn require_object_action(
    r: &S3Request,
    bucket: &BucketRecord,
    policy: Option<&BucketPolicy>,
    o: &ObjectRecord,
    action: &str,
    permission: Permission,
) -> Result<(), S3Error> {
    let (owner, acl) = object_access_in(bucket, o);
    let caller = caller_id(r);
    let acl_ok = acl_allows(bucket, &owner, &acl, caller, permission);
    let key = Some(o.key.as_str());
    judge(bucket, policy, &asker_of(r), action, key, Some(o), acl_ok)
}

/// Fails with `AccessDenied` unless the request may change `o` (of the
/// addressed bucket) in place: the bucket's ACL (`WRITE`), or the policy
/// for the request's action with `o`'s tags.
pub(crate) fn require_change(r: &S3Request, o: &ObjectRecord) -> Result<(), S3Error> {
    let bucket = bucket_of(r)?;
    let acl_ok = bucket_acl_allows(bucket, caller_id(r), Permission::Write);
    let action = r.action.unwrap_or_default();
    let policy = r.policy.as_deref();
    judge(
        bucket,
        policy,
        &asker_of(r),
        action,
        Some(&o.key),
        Some(o),
        acl_ok,
    )
}

/// Reads the parsed policy of `bucket` (another bucket than the
/// addressed one: a copy's source).
pub(crate) fn policy_of(gw: &Gateway, bucket: &BucketRecord) -> Option<Arc<BucketPolicy>> {
    gw.policies.of(bucket)
}

/// Fails with `AccessDenied` unless the caller may delete `key` of the
/// addressed bucket (one entry of DeleteObjects; `versioned`: it names a
/// version): the policy's `s3:DeleteObject` on the key, else the
/// bucket's ACL (`WRITE`).
pub(crate) fn require_delete(r: &S3Request, key: &str, versioned: bool) -> Result<(), S3Error> {
    let bucket = bucket_of(r)?;
    let action = if versioned {
        "s3:DeleteObjectVersion"
    } else {
        "s3:DeleteObject"
    };
    let acl_ok = bucket_acl_allows(bucket, caller_id(r), Permission::Write);
    let policy = r.policy.as_deref();
    judge(
        bucket,
        policy,
        &asker_of(r),
        action,
        Some(key),
        None,
        acl_ok,
    )
}

/// A missing key is `NoSuchKey` only to a caller who may list the bucket
/// (by its policy or ACL); to others it is `AccessDenied`, as AWS answers
/// (nothing is learned of what the bucket holds).
pub(crate) fn hide_missing(r: &S3Request, e: S3Error) -> S3Error {
    if e.code != S3ErrorCode::NoSuchKey {
        return e;
    }
    let Some(b) = &r.bucket_record else {
        return denied();
    };
    let acl_ok = bucket_acl_allows(b, caller_id(r), Permission::Read);
    let asker = asker_of(r);
    match judge(
        b,
        r.policy.as_deref(),
        &asker,
        "s3:ListBucket",
        None,
        None,
        acl_ok,
    ) {
        Ok(()) => e,
        Err(denied) => denied,
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
