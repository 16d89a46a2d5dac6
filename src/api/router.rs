//! Which S3 operation a request names: decided once from the method, the
//! addressing, the parsed query and a header or two, as a typed
//! [`Endpoint`] that carries the operation's own arguments.

use actix_web::http::Method;

use super::error::S3Error;
use super::request::{parse_part_number, HeaderScope};
use super::s3::S3Request;

/// An S3 operation and the arguments the router already parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `GET /`.
    ListBuckets,
    /// `PUT /bucket`.
    CreateBucket,
    /// `HEAD /bucket`.
    HeadBucket,
    /// `DELETE /bucket`.
    DeleteBucket,
    /// `GET /bucket?location`.
    GetBucketLocation,
    /// `GET /bucket?versioning`.
    GetBucketVersioning,
    /// `POST /bucket?delete`.
    DeleteObjects,
    /// `GET /bucket` (V1 listing).
    ListObjects,
    /// `GET /bucket?list-type=2`.
    ListObjectsV2,
    /// `GET /bucket?versions`.
    ListObjectVersions,
    /// `GET /bucket?uploads`.
    ListMultipartUploads,
    /// `PUT /bucket/key`.
    PutObject,
    /// `PUT /bucket/key` with `x-amz-copy-source`.
    CopyObject,
    /// `GET /bucket/key`.
    GetObject,
    /// `HEAD /bucket/key`.
    HeadObject,
    /// `DELETE /bucket/key`.
    DeleteObject,
    /// `POST /bucket/key?uploads`.
    CreateMultipartUpload,
    /// `PUT /bucket/key?partNumber=N&uploadId=U`.
    UploadPart {
        /// The upload.
        upload_id: String,
        /// 1..=10,000.
        part_number: u32,
    },
    /// UploadPart with `x-amz-copy-source`.
    UploadPartCopy {
        /// The upload.
        upload_id: String,
        /// 1..=10,000.
        part_number: u32,
    },
    /// `POST /bucket/key?uploadId=U`.
    CompleteMultipartUpload {
        /// The upload.
        upload_id: String,
    },
    /// `DELETE /bucket/key?uploadId=U`.
    AbortMultipartUpload {
        /// The upload.
        upload_id: String,
    },
    /// `GET /bucket/key?uploadId=U`.
    ListParts {
        /// The upload.
        upload_id: String,
    },
    /// `GET /bucket/key?attributes`.
    GetObjectAttributes,
    /// `GET /bucket/key?tagging`.
    GetObjectTagging,
    /// `PUT /bucket/key?tagging`.
    PutObjectTagging,
    /// `DELETE /bucket/key?tagging`.
    DeleteObjectTagging,
    /// `GET /bucket?tagging`.
    GetBucketTagging,
    /// `PUT /bucket?tagging`.
    PutBucketTagging,
    /// `DELETE /bucket?tagging`.
    DeleteBucketTagging,
    /// `GET /bucket?cors`.
    GetBucketCors,
    /// `PUT /bucket?cors`.
    PutBucketCors,
    /// `DELETE /bucket?cors`.
    DeleteBucketCors,
    /// `GET /bucket?acl`.
    GetBucketAcl,
    /// `PUT /bucket?acl`.
    PutBucketAcl,
    /// `GET /bucket/key?acl`.
    GetObjectAcl,
    /// `PUT /bucket/key?acl`.
    PutObjectAcl,
    /// A method with no bucket that is not ListBuckets.
    MethodNotAllowed,
    /// A bucket or object request this store does not implement (a
    /// sub-resource, usually).
    NotImplemented,
}

/// A request the router recognised but whose arguments are invalid.
#[derive(Debug)]
pub(crate) struct RouteError {
    /// The operation, for metrics.
    pub name: &'static str,
    /// The answer.
    pub error: S3Error,
}

/// Query parameters a ListObjects (V1) request may carry.
const LIST_PARAMS: &[&str] = &["prefix", "delimiter", "marker", "max-keys", "encoding-type"];

impl Endpoint {
    /// The endpoint `r` names.
    pub(crate) fn route(r: &S3Request) -> Result<Endpoint, RouteError> {
        let m = r.http.method();
        let copy = r.header("x-amz-copy-source").is_some();
        let upload_id = r.q("uploadId").map(str::to_string);
        Ok(match (&r.bucket, &r.key) {
            (None, _) if m == Method::GET => Endpoint::ListBuckets,
            (None, _) => Endpoint::MethodNotAllowed,
            (Some(_), None) if r.has("acl") => match *m {
                Method::GET => Endpoint::GetBucketAcl,
                Method::PUT => Endpoint::PutBucketAcl,
                _ => Endpoint::NotImplemented,
            },
            (Some(_), Some(_)) if r.has("acl") => match *m {
                Method::GET => Endpoint::GetObjectAcl,
                Method::PUT => Endpoint::PutObjectAcl,
                _ => Endpoint::NotImplemented,
            },
            (Some(_), None) if r.has("tagging") => match *m {
                Method::GET => Endpoint::GetBucketTagging,
                Method::PUT => Endpoint::PutBucketTagging,
                Method::DELETE => Endpoint::DeleteBucketTagging,
                _ => Endpoint::NotImplemented,
            },
            (Some(_), None) if r.has("cors") => match *m {
                Method::GET => Endpoint::GetBucketCors,
                Method::PUT => Endpoint::PutBucketCors,
                Method::DELETE => Endpoint::DeleteBucketCors,
                _ => Endpoint::NotImplemented,
            },
            (Some(_), Some(_)) if r.has("tagging") => match *m {
                Method::GET => Endpoint::GetObjectTagging,
                Method::PUT => Endpoint::PutObjectTagging,
                Method::DELETE => Endpoint::DeleteObjectTagging,
                _ => Endpoint::NotImplemented,
            },
            (Some(_), None) => match *m {
                Method::PUT if r.query.is_empty() => Endpoint::CreateBucket,
                Method::HEAD => Endpoint::HeadBucket,
                Method::DELETE if r.query.is_empty() => Endpoint::DeleteBucket,
                Method::POST if r.has("delete") => Endpoint::DeleteObjects,
                Method::GET if r.has("location") => Endpoint::GetBucketLocation,
                Method::GET if r.has("versioning") => Endpoint::GetBucketVersioning,
                Method::GET if r.has("uploads") => Endpoint::ListMultipartUploads,
                Method::GET if r.has("versions") => Endpoint::ListObjectVersions,
                Method::GET if r.q("list-type") == Some("2") => Endpoint::ListObjectsV2,
                Method::GET
                    if r.query
                        .iter()
                        .all(|(k, _)| LIST_PARAMS.contains(&k.as_str())) =>
                {
                    Endpoint::ListObjects
                }
                _ => Endpoint::NotImplemented,
            },
            (Some(_), Some(_)) => match (m.clone(), upload_id) {
                (Method::PUT, Some(upload_id)) => {
                    let name = if copy { "UploadPartCopy" } else { "UploadPart" };
                    let part_number = parse_part_number(r.q("partNumber").unwrap_or_default())
                        .map_err(|e| RouteError {
                            name,
                            error: e.into(),
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
                (Method::PUT, None) if r.query.is_empty() => Endpoint::PutObject,
                (Method::GET, Some(upload_id)) => Endpoint::ListParts { upload_id },
                (Method::GET, None) if r.has("attributes") => Endpoint::GetObjectAttributes,
                (Method::GET, None)
                    if r.query
                        .iter()
                        .all(|(k, _)| k.starts_with("response-") || k == "partNumber") =>
                {
                    Endpoint::GetObject
                }
                (Method::HEAD, _) => Endpoint::HeadObject,
                (Method::DELETE, Some(upload_id)) => Endpoint::AbortMultipartUpload { upload_id },
                (Method::DELETE, None) if r.query.is_empty() => Endpoint::DeleteObject,
                (Method::POST, _) if r.has("uploads") => Endpoint::CreateMultipartUpload,
                (Method::POST, Some(upload_id)) => Endpoint::CompleteMultipartUpload { upload_id },
                _ => Endpoint::NotImplemented,
            },
        })
    }

    /// The operation's name, as AWS spells it (metrics label).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Endpoint::ListBuckets => "ListBuckets",
            Endpoint::CreateBucket => "CreateBucket",
            Endpoint::HeadBucket => "HeadBucket",
            Endpoint::DeleteBucket => "DeleteBucket",
            Endpoint::GetBucketLocation => "GetBucketLocation",
            Endpoint::GetBucketVersioning => "GetBucketVersioning",
            Endpoint::DeleteObjects => "DeleteObjects",
            Endpoint::ListObjects => "ListObjects",
            Endpoint::ListObjectsV2 => "ListObjectsV2",
            Endpoint::ListObjectVersions => "ListObjectVersions",
            Endpoint::ListMultipartUploads => "ListMultipartUploads",
            Endpoint::PutObject => "PutObject",
            Endpoint::CopyObject => "CopyObject",
            Endpoint::GetObject => "GetObject",
            Endpoint::HeadObject => "HeadObject",
            Endpoint::DeleteObject => "DeleteObject",
            Endpoint::CreateMultipartUpload => "CreateMultipartUpload",
            Endpoint::UploadPart { .. } => "UploadPart",
            Endpoint::UploadPartCopy { .. } => "UploadPartCopy",
            Endpoint::CompleteMultipartUpload { .. } => "CompleteMultipartUpload",
            Endpoint::AbortMultipartUpload { .. } => "AbortMultipartUpload",
            Endpoint::ListParts { .. } => "ListParts",
            Endpoint::GetObjectAttributes => "GetObjectAttributes",
            Endpoint::GetObjectTagging => "GetObjectTagging",
            Endpoint::PutObjectTagging => "PutObjectTagging",
            Endpoint::DeleteObjectTagging => "DeleteObjectTagging",
            Endpoint::GetBucketTagging => "GetBucketTagging",
            Endpoint::PutBucketTagging => "PutBucketTagging",
            Endpoint::DeleteBucketTagging => "DeleteBucketTagging",
            Endpoint::GetBucketCors => "GetBucketCors",
            Endpoint::PutBucketCors => "PutBucketCors",
            Endpoint::DeleteBucketCors => "DeleteBucketCors",
            Endpoint::GetBucketAcl => "GetBucketAcl",
            Endpoint::PutBucketAcl => "PutBucketAcl",
            Endpoint::GetObjectAcl => "GetObjectAcl",
            Endpoint::PutObjectAcl => "PutObjectAcl",
            Endpoint::MethodNotAllowed | Endpoint::NotImplemented => "Unknown",
        }
    }

    /// Which headers asking for missing features the operation refuses
    /// (see [`check_unsupported_headers`](super::request::check_unsupported_headers)).
    pub(crate) fn header_scope(&self) -> Option<HeaderScope> {
        match self {
            Endpoint::PutObject
            | Endpoint::CopyObject
            | Endpoint::CreateMultipartUpload
            | Endpoint::CreateBucket => Some(HeaderScope::Create),
            Endpoint::GetObject
            | Endpoint::HeadObject
            | Endpoint::GetObjectAttributes
            | Endpoint::UploadPart { .. }
            | Endpoint::UploadPartCopy { .. } => Some(HeaderScope::CustomerKeys),
            _ => None,
        }
    }
}
