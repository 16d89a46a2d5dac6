//! The S3 operations this store answers, as a typed [`Endpoint`] that
//! carries each operation's parsed arguments; its name (for metrics) and
//! which refused-feature headers it checks.

use super::args::{
    ListBucketsArgs, ListPartsArgs, ListUploadsArgs, ListV1Args, ListV2Args, ListVersionsArgs,
    ReadArgs,
};
use actix_web::http::header::HeaderMap;

use crate::api::error::S3Error;
use crate::api::request::check_unsupported_headers;

/// An S3 operation and the arguments the router already parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    /// `GET /`.
    ListBuckets(ListBucketsArgs),
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
    ListObjects(ListV1Args),
    /// `GET /bucket?list-type=2`.
    ListObjectsV2(ListV2Args),
    /// `GET /bucket?versions`.
    ListObjectVersions(ListVersionsArgs),
    /// `GET /bucket?uploads`.
    ListMultipartUploads(ListUploadsArgs),
    /// `PUT /bucket/key`.
    PutObject,
    /// `PUT /bucket/key` with `x-amz-copy-source`.
    CopyObject,
    /// `GET /bucket/key`.
    GetObject(ReadArgs),
    /// `HEAD /bucket/key`.
    HeadObject(ReadArgs),
    /// `DELETE /bucket/key`.
    DeleteObject,
    /// `POST /bucket/key?uploads`.
    CreateMultipartUpload,
    /// `PUT /bucket/key?partNumber=N&uploadId=U`.
    UploadPart {
        /// The `uploadId` the request names (checked against the
        /// addressed bucket and key by the handler).
        upload_id: String,
        /// `partNumber`, 1..=10,000 (else the route fails).
        part_number: u32,
    },
    /// UploadPart with `x-amz-copy-source`.
    UploadPartCopy {
        /// The `uploadId` the request names (checked against the
        /// addressed bucket and key by the handler).
        upload_id: String,
        /// `partNumber`, 1..=10,000 (else the route fails).
        part_number: u32,
    },
    /// `POST /bucket/key?uploadId=U`.
    CompleteMultipartUpload {
        /// The `uploadId` the request names (checked against the
        /// addressed bucket and key by the handler).
        upload_id: String,
    },
    /// `DELETE /bucket/key?uploadId=U`.
    AbortMultipartUpload {
        /// The `uploadId` the request names (checked against the
        /// addressed bucket and key by the handler).
        upload_id: String,
    },
    /// `GET /bucket/key?uploadId=U`.
    ListParts(ListPartsArgs),
    /// `GET /bucket/key?attributes`.
    GetObjectAttributes,
    /// `POST /bucket/key?select&select-type=2`.
    SelectObjectContent,
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
    /// `GET /bucket?lifecycle`.
    GetBucketLifecycleConfiguration,
    /// `PUT /bucket?lifecycle` (PutBucketLifecycleConfiguration, or the
    /// older PutBucketLifecycle: the same document).
    PutBucketLifecycleConfiguration,
    /// `DELETE /bucket?lifecycle`.
    DeleteBucketLifecycle,
    /// `GET /bucket?acl`.
    GetBucketAcl,
    /// `PUT /bucket?acl`.
    PutBucketAcl,
    /// `GET /bucket/key?acl`.
    GetObjectAcl,
    /// `PUT /bucket/key?acl`.
    PutObjectAcl,
    /// `PUT /bucket?versioning`.
    PutBucketVersioning,
    /// `GET /bucket?object-lock`.
    GetObjectLockConfiguration,
    /// `PUT /bucket?object-lock`.
    PutObjectLockConfiguration,
    /// `GET /bucket/key?retention`.
    GetObjectRetention,
    /// `PUT /bucket/key?retention`.
    PutObjectRetention,
    /// `GET /bucket/key?legal-hold`.
    GetObjectLegalHold,
    /// `PUT /bucket/key?legal-hold`.
    PutObjectLegalHold,
    /// `GET /bucket?policy`.
    GetBucketPolicy,
    /// `PUT /bucket?policy`.
    PutBucketPolicy,
    /// `DELETE /bucket?policy`.
    DeleteBucketPolicy,
    /// `GET /bucket?policyStatus`.
    GetBucketPolicyStatus,
    /// `GET /bucket?notification`.
    GetBucketNotification,
    /// `PUT /bucket?notification`.
    PutBucketNotification,
    /// `GET /bucket?ownershipControls`.
    GetBucketOwnershipControls,
    /// `PUT /bucket?ownershipControls`.
    PutBucketOwnershipControls,
    /// `DELETE /bucket?ownershipControls`.
    DeleteBucketOwnershipControls,
    /// `GET /bucket?publicAccessBlock`.
    GetPublicAccessBlock,
    /// `PUT /bucket?publicAccessBlock`.
    PutPublicAccessBlock,
    /// `DELETE /bucket?publicAccessBlock`.
    DeletePublicAccessBlock,
    /// `GET /bucket?encryption`.
    GetBucketEncryption,
    /// `PUT /bucket?encryption`.
    PutBucketEncryption,
    /// `DELETE /bucket?encryption`.
    DeleteBucketEncryption,
    /// `POST /bucket` with a `multipart/form-data` body: a browser form
    /// upload, authenticated by its own form fields.
    PostObject,
    /// A method with no bucket that is not ListBuckets.
    MethodNotAllowed,
    /// A bucket or object request this store does not implement (a
    /// sub-resource, usually).
    NotImplemented,
}

/// A request the router recognised but whose arguments are invalid.
#[derive(Debug)]
pub(crate) struct RouteError {
    /// The operation the request names (metrics label), as AWS spells
    /// it.
    pub name: &'static str,
    /// The S3 error answered (before authorization, as an invalid
    /// `partNumber` is).
    pub error: S3Error,
}

impl Endpoint {
    /// The operation's name, as AWS spells it (metrics label).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Endpoint::ListBuckets(_) => "ListBuckets",
            Endpoint::CreateBucket => "CreateBucket",
            Endpoint::HeadBucket => "HeadBucket",
            Endpoint::DeleteBucket => "DeleteBucket",
            Endpoint::GetBucketLocation => "GetBucketLocation",
            Endpoint::GetBucketVersioning => "GetBucketVersioning",
            Endpoint::PutBucketVersioning => "PutBucketVersioning",
            Endpoint::GetObjectLockConfiguration => "GetObjectLockConfiguration",
            Endpoint::PutObjectLockConfiguration => "PutObjectLockConfiguration",
            Endpoint::GetObjectRetention => "GetObjectRetention",
            Endpoint::PutObjectRetention => "PutObjectRetention",
            Endpoint::GetObjectLegalHold => "GetObjectLegalHold",
            Endpoint::PutObjectLegalHold => "PutObjectLegalHold",
            Endpoint::DeleteObjects => "DeleteObjects",
            Endpoint::ListObjects(_) => "ListObjects",
            Endpoint::ListObjectsV2(_) => "ListObjectsV2",
            Endpoint::ListObjectVersions(_) => "ListObjectVersions",
            Endpoint::ListMultipartUploads(_) => "ListMultipartUploads",
            Endpoint::PutObject => "PutObject",
            Endpoint::CopyObject => "CopyObject",
            Endpoint::GetObject(_) => "GetObject",
            Endpoint::HeadObject(_) => "HeadObject",
            Endpoint::DeleteObject => "DeleteObject",
            Endpoint::CreateMultipartUpload => "CreateMultipartUpload",
            Endpoint::UploadPart { .. } => "UploadPart",
            Endpoint::UploadPartCopy { .. } => "UploadPartCopy",
            Endpoint::CompleteMultipartUpload { .. } => "CompleteMultipartUpload",
            Endpoint::AbortMultipartUpload { .. } => "AbortMultipartUpload",
            Endpoint::ListParts(_) => "ListParts",
            Endpoint::GetObjectAttributes => "GetObjectAttributes",
            Endpoint::SelectObjectContent => "SelectObjectContent",
            Endpoint::GetObjectTagging => "GetObjectTagging",
            Endpoint::PutObjectTagging => "PutObjectTagging",
            Endpoint::DeleteObjectTagging => "DeleteObjectTagging",
            Endpoint::GetBucketTagging => "GetBucketTagging",
            Endpoint::PutBucketTagging => "PutBucketTagging",
            Endpoint::DeleteBucketTagging => "DeleteBucketTagging",
            Endpoint::GetBucketCors => "GetBucketCors",
            Endpoint::PutBucketCors => "PutBucketCors",
            Endpoint::DeleteBucketCors => "DeleteBucketCors",
            Endpoint::GetBucketLifecycleConfiguration => "GetBucketLifecycleConfiguration",
            Endpoint::PutBucketLifecycleConfiguration => "PutBucketLifecycleConfiguration",
            Endpoint::DeleteBucketLifecycle => "DeleteBucketLifecycle",
            Endpoint::GetBucketAcl => "GetBucketAcl",
            Endpoint::PutBucketAcl => "PutBucketAcl",
            Endpoint::GetObjectAcl => "GetObjectAcl",
            Endpoint::PutObjectAcl => "PutObjectAcl",
            Endpoint::GetBucketPolicy => "GetBucketPolicy",
            Endpoint::PutBucketPolicy => "PutBucketPolicy",
            Endpoint::DeleteBucketPolicy => "DeleteBucketPolicy",
            Endpoint::GetBucketPolicyStatus => "GetBucketPolicyStatus",
            Endpoint::GetBucketNotification => "GetBucketNotification",
            Endpoint::PutBucketNotification => "PutBucketNotification",
            Endpoint::GetBucketOwnershipControls => "GetBucketOwnershipControls",
            Endpoint::PutBucketOwnershipControls => "PutBucketOwnershipControls",
            Endpoint::DeleteBucketOwnershipControls => "DeleteBucketOwnershipControls",
            Endpoint::GetPublicAccessBlock => "GetPublicAccessBlock",
            Endpoint::PutPublicAccessBlock => "PutPublicAccessBlock",
            Endpoint::DeletePublicAccessBlock => "DeletePublicAccessBlock",
            Endpoint::GetBucketEncryption => "GetBucketEncryption",
            Endpoint::PutBucketEncryption => "PutBucketEncryption",
            Endpoint::DeleteBucketEncryption => "DeleteBucketEncryption",
            Endpoint::PostObject => "PostObject",
            Endpoint::MethodNotAllowed | Endpoint::NotImplemented => "Unknown",
        }
    }

    /// Whether the operation creates something, and so refuses headers
    /// asking for features it does not have (see
    /// [`check_unsupported_headers`]).
    fn creates(&self) -> bool {
        matches!(
            self,
            Endpoint::PutObject
                | Endpoint::CopyObject
                | Endpoint::CreateMultipartUpload
                | Endpoint::CreateBucket
        )
    }

    /// Refuses a request whose headers ask for a feature the operation
    /// does not have (the dispatcher and the `Expect: 100-continue`
    /// check both judge the head this way).
    pub(crate) fn check_headers(&self, headers: &HeaderMap) -> Result<(), S3Error> {
        if self.creates() {
            let headers = headers
                .iter()
                .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)));
            check_unsupported_headers(headers)?;
        }
        Ok(())
    }
}
