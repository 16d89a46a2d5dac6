//! Deciding which operation a request names, once, from its method, its
//! addressing, its query and the `x-amz-copy-source` header. The S3
//! dispatcher and the listener's `Expect: 100-continue` check both ask
//! here, so they cannot disagree on what a request is.

use actix_web::http::header::HeaderMap;
use actix_web::http::Method;

use super::args::{
    ListBucketsArgs, ListPartsArgs, ListUploadsArgs, ListV1Args, ListV2Args, ListVersionsArgs,
    ReadArgs,
};
use super::endpoint::{Endpoint, RouteError};
use super::query::{Query, SubResource};
use crate::api::context::Authenticated;
use crate::api::request::parse_part_number;

/// What the router reads of a request: its head, authenticated.
pub(crate) struct Target<'a> {
    /// GET, PUT, …
    pub method: &'a Method,
    /// The addressed bucket; `None` for the service (`/`).
    pub bucket: Option<&'a str>,
    /// The addressed key; `None` for a bucket or the service.
    pub key: Option<&'a str>,
    /// The decoded query pairs, in request order.
    pub query: &'a [(String, String)],
    /// The headers, presigned-URL hoisted ones included.
    pub headers: &'a HeaderMap,
}

impl<'a> Target<'a> {
    /// The authenticated head of an S3 request sent with `method`.
    pub(crate) fn of(method: &'a Method, head: &'a Authenticated) -> Target<'a> {
        Target {
            method,
            bucket: head.bucket.as_deref(),
            key: head.key.as_deref(),
            query: &head.query,
            headers: &head.headers,
        }
    }
}

impl Endpoint {
    /// The endpoint `t` names, with its arguments parsed.
    pub(crate) fn route(t: &Target<'_>) -> Result<Endpoint, RouteError> {
        let q = Query::new(t.query);
        let m = t.method;
        Ok(match (t.bucket, t.key) {
            (None, _) if m == Method::GET => Endpoint::ListBuckets(ListBucketsArgs::parse(&q)),
            (None, _) => Endpoint::MethodNotAllowed,
            (Some(_), None) => bucket_endpoint(m, &q),
            (Some(_), Some(_)) => {
                object_endpoint(m, &q, t.headers.contains_key("x-amz-copy-source"))?
            }
        })
    }
}

/// The operation a request to a bucket names.
fn bucket_endpoint(m: &Method, q: &Query<'_>) -> Endpoint {
    use SubResource as S;
    if q.names(S::Acl) {
        return match *m {
            Method::GET => Endpoint::GetBucketAcl,
            Method::PUT => Endpoint::PutBucketAcl,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::Tagging) {
        return match *m {
            Method::GET => Endpoint::GetBucketTagging,
            Method::PUT => Endpoint::PutBucketTagging,
            Method::DELETE => Endpoint::DeleteBucketTagging,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::Cors) {
        return match *m {
            Method::GET => Endpoint::GetBucketCors,
            Method::PUT => Endpoint::PutBucketCors,
            Method::DELETE => Endpoint::DeleteBucketCors,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::Lifecycle) {
        return match *m {
            Method::GET => Endpoint::GetBucketLifecycleConfiguration,
            Method::PUT => Endpoint::PutBucketLifecycleConfiguration,
            Method::DELETE => Endpoint::DeleteBucketLifecycle,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::Policy) {
        return match *m {
            Method::GET => Endpoint::GetBucketPolicy,
            Method::PUT => Endpoint::PutBucketPolicy,
            Method::DELETE => Endpoint::DeleteBucketPolicy,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::PolicyStatus) {
        return match *m {
            Method::GET => Endpoint::GetBucketPolicyStatus,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::Notification) {
        return match *m {
            Method::GET => Endpoint::GetBucketNotification,
            Method::PUT => Endpoint::PutBucketNotification,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::OwnershipControls) {
        return match *m {
            Method::GET => Endpoint::GetBucketOwnershipControls,
            Method::PUT => Endpoint::PutBucketOwnershipControls,
            Method::DELETE => Endpoint::DeleteBucketOwnershipControls,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::PublicAccessBlock) {
        return match *m {
            Method::GET => Endpoint::GetPublicAccessBlock,
            Method::PUT => Endpoint::PutPublicAccessBlock,
            Method::DELETE => Endpoint::DeletePublicAccessBlock,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::Encryption) {
        return match *m {
            Method::GET => Endpoint::GetBucketEncryption,
            Method::PUT => Endpoint::PutBucketEncryption,
            Method::DELETE => Endpoint::DeleteBucketEncryption,
            _ => Endpoint::NotImplemented,
        };
    }
    if q.names(S::ObjectLock) {
        return match *m {
            Method::GET => Endpoint::GetObjectLockConfiguration,
            Method::PUT => Endpoint::PutObjectLockConfiguration,
            _ => Endpoint::NotImplemented,
        };
    }
    match *m {
        Method::PUT if q.is_empty() => Endpoint::CreateBucket,
        Method::PUT if q.names(S::Versioning) => Endpoint::PutBucketVersioning,
        Method::HEAD => Endpoint::HeadBucket,
        Method::DELETE if q.is_empty() => Endpoint::DeleteBucket,
        Method::POST if q.names(S::Delete) => Endpoint::DeleteObjects,
        Method::POST if q.is_empty() => Endpoint::PostObject,
        Method::GET if q.names(S::Location) => Endpoint::GetBucketLocation,
        Method::GET if q.names(S::Versioning) => Endpoint::GetBucketVersioning,
        Method::GET if q.names(S::Uploads) => {
            Endpoint::ListMultipartUploads(ListUploadsArgs::parse(q))
        }
        Method::GET if q.names(S::Versions) => {
            Endpoint::ListObjectVersions(ListVersionsArgs::parse(q))
        }
        Method::GET if q.get("list-type") == Some("2") => {
            Endpoint::ListObjectsV2(ListV2Args::parse(q))
        }
        Method::GET if q.only_list_v1() => Endpoint::ListObjects(ListV1Args::parse(q)),
        _ => Endpoint::NotImplemented,
    }
}

/// The operation a request to an object names; `copy`: it carries
/// `x-amz-copy-source`.
fn object_endpoint(m: &Method, q: &Query<'_>, copy: bool) -> Result<Endpoint, RouteError> {
    use SubResource as S;
    if q.names(S::Acl) {
        return Ok(match *m {
            Method::GET => Endpoint::GetObjectAcl,
            Method::PUT => Endpoint::PutObjectAcl,
            _ => Endpoint::NotImplemented,
        });
    }
    if q.names(S::Tagging) {
        return Ok(match *m {
            Method::GET => Endpoint::GetObjectTagging,
            Method::PUT => Endpoint::PutObjectTagging,
            Method::DELETE => Endpoint::DeleteObjectTagging,
            _ => Endpoint::NotImplemented,
        });
    }
    if q.names(S::Retention) {
        return Ok(match *m {
            Method::GET => Endpoint::GetObjectRetention,
            Method::PUT => Endpoint::PutObjectRetention,
            _ => Endpoint::NotImplemented,
        });
    }
    if q.names(S::LegalHold) {
        return Ok(match *m {
            Method::GET => Endpoint::GetObjectLegalHold,
            Method::PUT => Endpoint::PutObjectLegalHold,
            _ => Endpoint::NotImplemented,
        });
    }
    if q.get("select").is_some() {
        return Ok(match *m {
            Method::POST => Endpoint::SelectObjectContent,
            _ => Endpoint::NotImplemented,
        });
    }
    Ok(match (m.clone(), q.owned("uploadId")) {
        (Method::PUT, Some(upload_id)) => {
            let name = if copy { "UploadPartCopy" } else { "UploadPart" };
            let part_number =
                parse_part_number(q.get("partNumber").unwrap_or_default()).map_err(|e| {
                    RouteError {
                        name,
                        error: e.into(),
                    }
                })?;
            if copy {
                Endpoint::UploadPartCopy {
                    upload_id,
                    part_number,
                }
            } else {
                Endpoint::UploadPart {
                    upload_id,
                    part_number,
                }
            }
        }
        (Method::PUT, None) if copy => Endpoint::CopyObject,
        (Method::PUT, None) if q.is_empty() => Endpoint::PutObject,
        (Method::GET, Some(upload_id)) => Endpoint::ListParts(ListPartsArgs::parse(q, upload_id)),
        (Method::GET, None) if q.names(S::Attributes) => Endpoint::GetObjectAttributes,
        (Method::GET, None) if q.only_get_object() => Endpoint::GetObject(ReadArgs::parse(q)),
        (Method::HEAD, _) => Endpoint::HeadObject(ReadArgs::parse(q)),
        (Method::DELETE, Some(upload_id)) => Endpoint::AbortMultipartUpload { upload_id },
        (Method::DELETE, None) if q.only(&["versionId"]) => Endpoint::DeleteObject,
        (Method::POST, _) if q.names(S::Uploads) => Endpoint::CreateMultipartUpload,
        (Method::POST, Some(upload_id)) => Endpoint::CompleteMultipartUpload { upload_id },
        _ => Endpoint::NotImplemented,
    })
}
