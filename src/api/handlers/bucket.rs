//! Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket,
//! GetBucketLocation, GetBucketVersioning.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

use super::body::small_body;
use crate::api::access::{acl_for_new, owner_element};
use crate::api::context::{xml, Gateway, S3Request, S3Result};
use crate::api::error::{S3Error, S3ErrorCode};
use crate::api::request::validate_bucket_name;
use crate::api::router::{encode_bucket_token, ListBucketsArgs};
use crate::api::xml::{
    parse_create_bucket_configuration, BucketInfo, ListAllMyBucketsResult, LocationConstraint,
};
use crate::clock::now_ms;
use crate::config::NewBucketDefaults;
use crate::storage::meta::acl::Acl;
use crate::storage::meta::bucket_access::{BucketAccess, ObjectOwnership, PublicAccessBlock};
use crate::storage::meta::lock::{ObjectLockConfig, Versioning};
use crate::storage::meta::{BucketRecord, MetaOp, MetaRead, MetaReadResult};

/// ListBuckets: the caller's own buckets, by name, paginated by
/// `max-buckets` and `continuation-token` (the last name listed, opaque
/// to clients), filtered by `prefix` and `bucket-region`.
pub(crate) async fn list_buckets(r: &S3Request, gw: &Gateway, args: ListBucketsArgs) -> S3Result {
    let max = args.max_buckets?;
    let after = args.after?;
    let prefix = args.prefix.as_deref().unwrap_or_default();
    let region_filter = args.bucket_region.as_deref();
    let MetaReadResult::Buckets(mut buckets) = gw.objects.read(MetaRead::Buckets).await? else {
        return Err(S3Error::new(S3ErrorCode::InternalError));
    };
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    let caller = r
        .caller
        .as_ref()
        .map(|c| c.user_id.as_str())
        .unwrap_or_default();
    let mut page: Vec<BucketInfo> = buckets
        .into_iter()
        .filter(|b| b.owner == caller && b.name.starts_with(prefix))
        .filter(|b| after.as_deref().is_none_or(|a| b.name.as_str() > a))
        .map(|b| BucketInfo {
            region: b.region.unwrap_or_else(|| gw.region.clone()),
            name: b.name,
            creation_date_ms: b.created_ms,
        })
        .filter(|b| region_filter.is_none_or(|want| b.region == want))
        .take(max as usize + 1)
        .collect();
    let continuation_token = (page.len() > max as usize).then(|| {
        page.truncate(max as usize);
        encode_bucket_token(page.last().map(|b| b.name.as_str()).unwrap_or_default())
    });
    let result = ListAllMyBucketsResult {
        owner: owner_element(r, caller),
        buckets: page,
        continuation_token,
        prefix: args.prefix.clone(),
    };
    Ok(xml(StatusCode::OK, result.to_xml()))
}

/// The region where re-creating one's own bucket is not an error.
const US_EAST_1: &str = "us-east-1";

/// CreateBucket (any LocationConstraint is accepted and kept: the store
/// is one region, but GetBucketLocation answers what the bucket was
/// created with).
pub(crate) async fn create(r: &S3Request, payload: web::Payload, gw: &Gateway) -> S3Result {
    let name = r.bucket();
    validate_bucket_name(name)?;
    let body = small_body(r, payload, 64 << 10).await?;
    let region = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        parse_create_bucket_configuration(&body)?.location_constraint
    };
    let owner = r
        .caller
        .as_ref()
        .map(|c| c.user_id.clone())
        .unwrap_or_default();
    let acl = acl_for_new(r, &owner, &owner)?;
    let access = access_on_create(r, gw, &acl, &owner)?;
    let created = gw
        .objects
        .submit(MetaOp::CreateBucket {
            record: BucketRecord {
                name: name.to_string(),
                owner,
                created_ms: now_ms(),
                tags: vec![],
                region,
                acl: acl.clone(),
                cors: vec![],
                versioning: Versioning::Unversioned,
                object_lock: lock_on_create(r)?,
                access,
                encryption: None,
            },
        })
        .await;
    if let Err(e) = created {
        let e = S3Error::from(e).with_resource(format!("/{name}"));
        if e.code != S3ErrorCode::BucketAlreadyOwnedByYou || !recreate_succeeds(gw, name).await? {
            return Err(e);
        }
        // AWS's legacy us-east-1 answer: 200, the ACL reset, the contents
        // untouched.
        gw.objects.put_bucket_acl(name, acl).await?;
    }
    Ok(HttpResponse::Ok()
        .insert_header(("Location", format!("/{name}")))
        .finish())
}

/// Whether re-creating a bucket its owner already has succeeds: in
/// us-east-1 AWS answers `200 OK` (and resets the ACL) for legacy
/// compatibility; in every other region it is `BucketAlreadyOwnedByYou`.
/// The object lock a CreateBucket asks for with
/// `x-amz-bucket-object-lock-enabled: true` (no default retention yet).
fn lock_on_create(r: &S3Request) -> Result<Option<ObjectLockConfig>, S3Error> {
    match r.header("x-amz-bucket-object-lock-enabled").map(str::trim) {
        None => Ok(None),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(ObjectLockConfig::default())),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(None),
        Some(_) => Err(S3Error::new(S3ErrorCode::InvalidArgument)
            .with_message("x-amz-bucket-object-lock-enabled must be true or false")),
    }
}

/// The access settings a new bucket starts with: the Object Ownership of
/// `x-amz-object-ownership`, else the store's defaults
/// (`PREDASTORE_NEW_BUCKET_DEFAULTS`: none set, or AWS's
/// `BucketOwnerEnforced` with every Block Public Access switch on). ACLs
/// turned off refuse an `acl` granting anyone but the owner
/// (`InvalidBucketAclWithObjectOwnership`), as AWS refuses it.
fn access_on_create(
    r: &S3Request,
    gw: &Gateway,
    acl: &Acl,
    owner: &str,
) -> Result<BucketAccess, S3Error> {
    let aws = gw.new_bucket_defaults == NewBucketDefaults::Aws;
    let ownership = match r.header("x-amz-object-ownership").map(str::trim) {
        Some(v) => Some(ObjectOwnership::parse(v).ok_or_else(|| {
            S3Error::new(S3ErrorCode::InvalidArgument)
                .with_message(format!("Invalid x-amz-object-ownership header: {v}"))
        })?),
        None if aws => Some(ObjectOwnership::BucketOwnerEnforced),
        None => None,
    };
    let access = BucketAccess {
        policy: None,
        ownership,
        public_access_block: aws.then_some(PublicAccessBlock::ALL),
    };
    if access.acls_disabled() && !acl.only_owner(owner) {
        return Err(S3Error::new(
            S3ErrorCode::InvalidBucketAclWithObjectOwnership,
        ));
    }
    Ok(access)
}

async fn recreate_succeeds(gw: &Gateway, name: &str) -> Result<bool, S3Error> {
    let existing = gw.objects.bucket(name).await?;
    let region = existing.region.as_deref().unwrap_or(gw.region.as_str());
    Ok(region == US_EAST_1)
}

/// HeadBucket: 200 with the region when the bucket exists.
pub(crate) async fn head(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.bucket(r.bucket()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("x-amz-bucket-region", gw.region.as_str()))
        .finish())
}

/// DeleteBucket (refused while objects or uploads remain).
pub(crate) async fn delete(r: &S3Request, gw: &Gateway) -> S3Result {
    gw.objects.delete_bucket(r.bucket()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// GetBucketLocation: the `LocationConstraint` the bucket was created
/// with, else the store's region (`us-east-1` shows as empty, as AWS).
pub(crate) async fn location(r: &S3Request, gw: &Gateway) -> S3Result {
    let bucket = gw.objects.bucket(r.bucket()).await?;
    let region = bucket.region.unwrap_or_else(|| gw.region.clone());
    Ok(xml(StatusCode::OK, LocationConstraint { region }.to_xml()))
}
