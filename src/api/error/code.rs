//! The S3 error codes: each code as AWS spells it, the HTTP status AWS
//! answers it with, and AWS's default message. The one place a code is
//! named; every other error of the gateway is mapped onto these.

use std::fmt;

use serde::{Serialize, Serializer};

/// An S3 error code: the `Code` element and the HTTP status that goes with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum S3ErrorCode {
    /// 403: authenticated but not allowed, or a presigned URL has expired.
    AccessDenied,
    /// 400: the `Authorization` header cannot be parsed.
    AuthorizationHeaderMalformed,
    /// 400: the presigned-URL query parameters cannot be parsed.
    AuthorizationQueryParametersError,
    /// 400: the body does not match `Content-MD5` or an `x-amz-checksum-*`.
    BadDigest,
    /// 400: a request S3 rejects without a more specific code.
    BadRequest,
    /// 409: the bucket name is taken by another owner.
    BucketAlreadyExists,
    /// 409: the caller already owns a bucket of that name.
    BucketAlreadyOwnedByYou,
    /// 409: DeleteBucket on a bucket that still holds objects or uploads.
    BucketNotEmpty,
    /// 400: the upload is larger than allowed.
    EntityTooLarge,
    /// 400: a multipart part other than the last is under the minimum size.
    EntityTooSmall,
    /// 400: a session token has expired (not presigned URLs: see the module).
    ExpiredToken,
    /// 400: a session token that is missing, wrong, or whose session was
    /// revoked (its role deleted).
    InvalidToken,
    /// 400: the body ended before `Content-Length` bytes arrived.
    IncompleteBody,
    /// 500: a server fault; clients retry.
    InternalError,
    /// 403: the access key id is unknown.
    InvalidAccessKeyId,
    /// 400: a header or query argument is invalid (also: too many parts).
    InvalidArgument,
    /// 400: the bucket name breaks the naming rules.
    InvalidBucketName,
    /// 400: `Content-MD5` is not a base64 MD5.
    InvalidDigest,
    /// 403: the operation does not fit the object's state (e.g. archived).
    // AWS answers it; listed for a complete code table, not produced yet.
    #[cfg_attr(not(test), allow(dead_code))]
    InvalidObjectState,
    /// 403: a CORS preflight no rule of the bucket allows.
    AccessForbidden,
    /// 400: a listed part is missing or its ETag does not match.
    InvalidPart,
    /// 400: CompleteMultipartUpload parts are not in ascending order.
    InvalidPartOrder,
    /// 416: `partNumber` names a part the object does not have.
    // AWS answers it; listed for a complete code table, not produced yet.
    #[cfg_attr(not(test), allow(dead_code))]
    InvalidPartNumber,
    /// 416: the `Range` cannot be satisfied.
    InvalidRange,
    /// 400: the request is invalid in a way without its own code
    /// (also: a malformed checksum header).
    InvalidRequest,
    /// 400: the request URI cannot be parsed (a path that is not UTF-8).
    InvalidURI,
    /// 400: unknown `x-amz-storage-class`.
    InvalidStorageClass,
    /// 400: a tag set breaks the tagging rules (count, lengths, duplicate
    /// keys), or `x-amz-tagging` cannot be read.
    InvalidTag,
    /// 400: the key is longer than 1,024 bytes.
    KeyTooLongError,
    /// 400: aws-chunked trailing headers are malformed.
    MalformedTrailerError,
    /// 400: an XML body is not well-formed or does not fit the schema.
    MalformedXML,
    /// 400: an XML body is larger than the server accepts.
    MaxMessageLengthExceeded,
    /// 400: the user metadata (`x-amz-meta-*`) exceeds 2 KB.
    MetadataTooLarge,
    /// 405: the method is not allowed on this resource.
    MethodNotAllowed,
    /// 411: `Content-Length` is required.
    MissingContentLength,
    /// 400: a body is required and none was sent.
    // AWS answers it; listed for a complete code table, not produced yet.
    #[cfg_attr(not(test), allow(dead_code))]
    MissingRequestBodyError,
    /// 400: a header required for authentication is missing.
    MissingSecurityHeader,
    /// 404: the bucket does not exist.
    NoSuchBucket,
    /// 404: the key does not exist.
    NoSuchKey,
    /// 404: the multipart upload does not exist (or was completed/aborted).
    NoSuchUpload,
    /// 404: the bucket has no tag set.
    NoSuchTagSet,
    /// 404: the bucket has no CORS configuration.
    NoSuchCORSConfiguration,
    /// The version a request names does not exist.
    NoSuchVersion,
    /// The version has no retention (GetObjectRetention) or legal hold.
    NoSuchObjectLockConfiguration,
    /// The bucket has no object lock configuration.
    ObjectLockConfigurationNotFoundError,
    /// The bucket's state does not allow the request (suspending versioning with object lock, lock settings without it).
    InvalidBucketState,
    /// A default retention period that is not a positive number of days or years, or too long.
    InvalidRetentionPeriod,
    /// 404: the bucket has no lifecycle configuration.
    NoSuchLifecycleConfiguration,
    /// 403: the write would take the bucket past its quota (as MinIO answers).
    QuotaExceeded,
    /// 400: an ACL document or grant header that does not validate.
    MalformedACLError,
    /// 400: a bucket policy that does not parse or validate.
    MalformedPolicy,
    /// 404: the bucket has no policy.
    NoSuchBucketPolicy,
    /// 404: the bucket has no Object Ownership setting.
    OwnershipControlsNotFoundError,
    /// 404: the bucket has no Block Public Access switches.
    NoSuchPublicAccessBlockConfiguration,
    /// 400: an ACL on a bucket whose ACLs are off (`BucketOwnerEnforced`).
    AccessControlListNotSupported,
    /// 400: ACLs turned off while the bucket's ACL grants to others.
    InvalidBucketAclWithObjectOwnership,
    /// 400: a form upload whose body is not well-formed multipart/form-data.
    MalformedPOSTRequest,
    /// 400: a form upload's POST policy that does not parse or validate.
    InvalidPolicyDocument,
    /// 400: a grant names a grantee by e-mail address, which cannot be
    /// resolved here.
    UnresolvableGrantByEmailAddress,
    /// 400: an SSE-C algorithm other than `AES256`.
    InvalidEncryptionAlgorithmError,
    /// 400: the KMS key a request names is not configured
    /// (`KMS.NotFoundException`).
    KmsNotFound,
    /// 404: the bucket has no default encryption.
    ServerSideEncryptionConfigurationNotFoundError,
    /// 400: S3 Select: the SQL expression cannot be parsed.
    ParseUnexpectedToken,
    /// 400: S3 Select: SQL that S3 Select does not run.
    UnsupportedSyntax,
    /// 400: S3 Select: a function it does not know.
    UnsupportedFunction,
    /// 400: S3 Select: a function or operator given the wrong values.
    EvaluatorInvalidArguments,
    /// 400: S3 Select: a CAST that cannot be made.
    CastFailed,
    /// 400: S3 Select: the object is not the CSV it was said to be.
    CSVParsingError,
    /// 400: S3 Select: the object is not the JSON it was said to be.
    JSONParsingError,
    /// 400: S3 Select: the object is not in the compression it was said to be in.
    InvalidCompressionFormat,
    /// 400: S3 Select: one record is longer than 1 MiB.
    OverMaxRecordSize,
    /// 400: S3 Select: the expression is longer than 256 KiB.
    ExpressionTooLong,
    /// 400: S3 Select: `ExpressionType` is not `SQL`.
    InvalidExpressionType,
    /// 400: S3 Select: a setting with a value S3 does not take.
    InvalidRequestParameter,
    /// 501: the request needs a feature this server does not have.
    NotImplemented,
    /// 304: a conditional GET/HEAD matched; sent without a body.
    NotModified,
    /// 412: an `If-Match`-style precondition failed.
    PreconditionFailed,
    /// 403: the request time is too far from the server clock.
    RequestTimeTooSkewed,
    /// 400: the client sent the body too slowly.
    RequestTimeout,
    /// 400: the request's header section is larger than 8 KiB.
    RequestHeaderSectionTooLarge,
    /// 503: the service cannot take the request now; clients back off.
    ServiceUnavailable,
    /// 403: the signature does not verify.
    SignatureDoesNotMatch,
    /// 503: too many requests (e.g. a full mailbox); clients back off.
    SlowDown,
    /// 400: the request has a body where none is allowed.
    // AWS answers it; listed for a complete code table, not produced yet.
    #[cfg_attr(not(test), allow(dead_code))]
    UnexpectedContent,
    /// 400: the body does not hash to `x-amz-content-sha256`.
    XAmzContentSHA256Mismatch,
}

impl S3ErrorCode {
    /// Every code, for lookups and exhaustive tests.
    #[cfg(test)]
    pub(crate) const ALL: &'static [S3ErrorCode] = &[
        S3ErrorCode::AccessDenied,
        S3ErrorCode::AuthorizationHeaderMalformed,
        S3ErrorCode::AuthorizationQueryParametersError,
        S3ErrorCode::BadDigest,
        S3ErrorCode::BadRequest,
        S3ErrorCode::BucketAlreadyExists,
        S3ErrorCode::BucketAlreadyOwnedByYou,
        S3ErrorCode::BucketNotEmpty,
        S3ErrorCode::EntityTooLarge,
        S3ErrorCode::EntityTooSmall,
        S3ErrorCode::ExpiredToken,
        S3ErrorCode::InvalidToken,
        S3ErrorCode::IncompleteBody,
        S3ErrorCode::InternalError,
        S3ErrorCode::InvalidAccessKeyId,
        S3ErrorCode::InvalidArgument,
        S3ErrorCode::InvalidBucketName,
        S3ErrorCode::InvalidDigest,
        S3ErrorCode::InvalidObjectState,
        S3ErrorCode::AccessForbidden,
        S3ErrorCode::InvalidPart,
        S3ErrorCode::InvalidPartOrder,
        S3ErrorCode::InvalidPartNumber,
        S3ErrorCode::InvalidRange,
        S3ErrorCode::InvalidRequest,
        S3ErrorCode::InvalidURI,
        S3ErrorCode::InvalidStorageClass,
        S3ErrorCode::InvalidTag,
        S3ErrorCode::KeyTooLongError,
        S3ErrorCode::MalformedTrailerError,
        S3ErrorCode::MalformedXML,
        S3ErrorCode::MaxMessageLengthExceeded,
        S3ErrorCode::MetadataTooLarge,
        S3ErrorCode::MethodNotAllowed,
        S3ErrorCode::MissingContentLength,
        S3ErrorCode::MissingRequestBodyError,
        S3ErrorCode::MissingSecurityHeader,
        S3ErrorCode::NoSuchBucket,
        S3ErrorCode::NoSuchKey,
        S3ErrorCode::NoSuchUpload,
        S3ErrorCode::NoSuchTagSet,
        S3ErrorCode::NoSuchCORSConfiguration,
        S3ErrorCode::NoSuchVersion,
        S3ErrorCode::NoSuchObjectLockConfiguration,
        S3ErrorCode::ObjectLockConfigurationNotFoundError,
        S3ErrorCode::InvalidBucketState,
        S3ErrorCode::InvalidRetentionPeriod,
        S3ErrorCode::NoSuchLifecycleConfiguration,
        S3ErrorCode::QuotaExceeded,
        S3ErrorCode::MalformedACLError,
        S3ErrorCode::MalformedPolicy,
        S3ErrorCode::NoSuchBucketPolicy,
        S3ErrorCode::OwnershipControlsNotFoundError,
        S3ErrorCode::NoSuchPublicAccessBlockConfiguration,
        S3ErrorCode::AccessControlListNotSupported,
        S3ErrorCode::InvalidBucketAclWithObjectOwnership,
        S3ErrorCode::MalformedPOSTRequest,
        S3ErrorCode::InvalidPolicyDocument,
        S3ErrorCode::UnresolvableGrantByEmailAddress,
        S3ErrorCode::InvalidEncryptionAlgorithmError,
        S3ErrorCode::KmsNotFound,
        S3ErrorCode::ServerSideEncryptionConfigurationNotFoundError,
        S3ErrorCode::ParseUnexpectedToken,
        S3ErrorCode::UnsupportedSyntax,
        S3ErrorCode::UnsupportedFunction,
        S3ErrorCode::EvaluatorInvalidArguments,
        S3ErrorCode::CastFailed,
        S3ErrorCode::CSVParsingError,
        S3ErrorCode::JSONParsingError,
        S3ErrorCode::InvalidCompressionFormat,
        S3ErrorCode::OverMaxRecordSize,
        S3ErrorCode::ExpressionTooLong,
        S3ErrorCode::InvalidExpressionType,
        S3ErrorCode::InvalidRequestParameter,
        S3ErrorCode::NotImplemented,
        S3ErrorCode::NotModified,
        S3ErrorCode::PreconditionFailed,
        S3ErrorCode::RequestTimeTooSkewed,
        S3ErrorCode::RequestTimeout,
        S3ErrorCode::RequestHeaderSectionTooLarge,
        S3ErrorCode::ServiceUnavailable,
        S3ErrorCode::SignatureDoesNotMatch,
        S3ErrorCode::SlowDown,
        S3ErrorCode::UnexpectedContent,
        S3ErrorCode::XAmzContentSHA256Mismatch,
    ];

    /// The code as AWS spells it in the `Code` element.
    pub fn as_str(&self) -> &'static str {
        match self {
            S3ErrorCode::AccessDenied => "AccessDenied",
            S3ErrorCode::AuthorizationHeaderMalformed => "AuthorizationHeaderMalformed",
            S3ErrorCode::AuthorizationQueryParametersError => "AuthorizationQueryParametersError",
            S3ErrorCode::BadDigest => "BadDigest",
            S3ErrorCode::BadRequest => "BadRequest",
            S3ErrorCode::BucketAlreadyExists => "BucketAlreadyExists",
            S3ErrorCode::BucketAlreadyOwnedByYou => "BucketAlreadyOwnedByYou",
            S3ErrorCode::BucketNotEmpty => "BucketNotEmpty",
            S3ErrorCode::EntityTooLarge => "EntityTooLarge",
            S3ErrorCode::EntityTooSmall => "EntityTooSmall",
            S3ErrorCode::ExpiredToken => "ExpiredToken",
            S3ErrorCode::InvalidToken => "InvalidToken",
            S3ErrorCode::IncompleteBody => "IncompleteBody",
            S3ErrorCode::InternalError => "InternalError",
            S3ErrorCode::InvalidAccessKeyId => "InvalidAccessKeyId",
            S3ErrorCode::InvalidArgument => "InvalidArgument",
            S3ErrorCode::InvalidBucketName => "InvalidBucketName",
            S3ErrorCode::InvalidDigest => "InvalidDigest",
            S3ErrorCode::InvalidObjectState => "InvalidObjectState",
            S3ErrorCode::AccessForbidden => "AccessForbidden",
            S3ErrorCode::InvalidPart => "InvalidPart",
            S3ErrorCode::InvalidPartOrder => "InvalidPartOrder",
            S3ErrorCode::InvalidPartNumber => "InvalidPartNumber",
            S3ErrorCode::InvalidRange => "InvalidRange",
            S3ErrorCode::InvalidRequest => "InvalidRequest",
            S3ErrorCode::InvalidURI => "InvalidURI",
            S3ErrorCode::InvalidStorageClass => "InvalidStorageClass",
            S3ErrorCode::InvalidTag => "InvalidTag",
            S3ErrorCode::KeyTooLongError => "KeyTooLongError",
            S3ErrorCode::MalformedTrailerError => "MalformedTrailerError",
            S3ErrorCode::MalformedXML => "MalformedXML",
            S3ErrorCode::MaxMessageLengthExceeded => "MaxMessageLengthExceeded",
            S3ErrorCode::MetadataTooLarge => "MetadataTooLarge",
            S3ErrorCode::MethodNotAllowed => "MethodNotAllowed",
            S3ErrorCode::MissingContentLength => "MissingContentLength",
            S3ErrorCode::MissingRequestBodyError => "MissingRequestBodyError",
            S3ErrorCode::MissingSecurityHeader => "MissingSecurityHeader",
            S3ErrorCode::NoSuchBucket => "NoSuchBucket",
            S3ErrorCode::NoSuchKey => "NoSuchKey",
            S3ErrorCode::NoSuchUpload => "NoSuchUpload",
            S3ErrorCode::NoSuchTagSet => "NoSuchTagSet",
            S3ErrorCode::NoSuchCORSConfiguration => "NoSuchCORSConfiguration",
            S3ErrorCode::NoSuchVersion => "NoSuchVersion",
            S3ErrorCode::NoSuchObjectLockConfiguration => "NoSuchObjectLockConfiguration",
            S3ErrorCode::ObjectLockConfigurationNotFoundError => {
                "ObjectLockConfigurationNotFoundError"
            }
            S3ErrorCode::InvalidBucketState => "InvalidBucketState",
            S3ErrorCode::NoSuchLifecycleConfiguration => "NoSuchLifecycleConfiguration",
            S3ErrorCode::QuotaExceeded => "QuotaExceeded",
            S3ErrorCode::InvalidRetentionPeriod => "InvalidRetentionPeriod",
            S3ErrorCode::MalformedACLError => "MalformedACLError",
            S3ErrorCode::MalformedPolicy => "MalformedPolicy",
            S3ErrorCode::NoSuchBucketPolicy => "NoSuchBucketPolicy",
            S3ErrorCode::OwnershipControlsNotFoundError => "OwnershipControlsNotFoundError",
            S3ErrorCode::NoSuchPublicAccessBlockConfiguration => {
                "NoSuchPublicAccessBlockConfiguration"
            }
            S3ErrorCode::InvalidEncryptionAlgorithmError => "InvalidEncryptionAlgorithmError",
            S3ErrorCode::KmsNotFound => "KMS.NotFoundException",
            S3ErrorCode::ServerSideEncryptionConfigurationNotFoundError => {
                "ServerSideEncryptionConfigurationNotFoundError"
            }
            S3ErrorCode::AccessControlListNotSupported => "AccessControlListNotSupported",
            S3ErrorCode::InvalidBucketAclWithObjectOwnership => {
                "InvalidBucketAclWithObjectOwnership"
            }
            S3ErrorCode::MalformedPOSTRequest => "MalformedPOSTRequest",
            S3ErrorCode::InvalidPolicyDocument => "InvalidPolicyDocument",
            S3ErrorCode::UnresolvableGrantByEmailAddress => "UnresolvableGrantByEmailAddress",
            S3ErrorCode::ParseUnexpectedToken => "ParseUnexpectedToken",
            S3ErrorCode::UnsupportedSyntax => "UnsupportedSyntax",
            S3ErrorCode::UnsupportedFunction => "UnsupportedFunction",
            S3ErrorCode::EvaluatorInvalidArguments => "EvaluatorInvalidArguments",
            S3ErrorCode::CastFailed => "CastFailed",
            S3ErrorCode::CSVParsingError => "CSVParsingError",
            S3ErrorCode::JSONParsingError => "JSONParsingError",
            S3ErrorCode::InvalidCompressionFormat => "InvalidCompressionFormat",
            S3ErrorCode::OverMaxRecordSize => "OverMaxRecordSize",
            S3ErrorCode::ExpressionTooLong => "ExpressionTooLong",
            S3ErrorCode::InvalidExpressionType => "InvalidExpressionType",
            S3ErrorCode::InvalidRequestParameter => "InvalidRequestParameter",
            S3ErrorCode::NotImplemented => "NotImplemented",
            S3ErrorCode::NotModified => "NotModified",
            S3ErrorCode::PreconditionFailed => "PreconditionFailed",
            S3ErrorCode::RequestTimeTooSkewed => "RequestTimeTooSkewed",
            S3ErrorCode::RequestTimeout => "RequestTimeout",
            S3ErrorCode::RequestHeaderSectionTooLarge => "RequestHeaderSectionTooLarge",
            S3ErrorCode::ServiceUnavailable => "ServiceUnavailable",
            S3ErrorCode::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            S3ErrorCode::SlowDown => "SlowDown",
            S3ErrorCode::UnexpectedContent => "UnexpectedContent",
            S3ErrorCode::XAmzContentSHA256Mismatch => "XAmzContentSHA256Mismatch",
        }
    }

    /// The code whose AWS spelling is `code`, so errors of other modules that
    /// carry the code as a string (sigv4, aws-chunked) convert without a table.
    #[cfg(test)]
    pub(crate) fn from_aws_str(code: &str) -> Option<S3ErrorCode> {
        S3ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code)
    }

    /// The HTTP status AWS answers with for this code.
    pub(crate) fn http_status(&self) -> u16 {
        match self {
            S3ErrorCode::NotModified => 304,
            S3ErrorCode::ParseUnexpectedToken
            | S3ErrorCode::UnsupportedSyntax
            | S3ErrorCode::UnsupportedFunction
            | S3ErrorCode::EvaluatorInvalidArguments
            | S3ErrorCode::CastFailed
            | S3ErrorCode::CSVParsingError
            | S3ErrorCode::JSONParsingError
            | S3ErrorCode::InvalidCompressionFormat
            | S3ErrorCode::OverMaxRecordSize
            | S3ErrorCode::ExpressionTooLong
            | S3ErrorCode::InvalidExpressionType
            | S3ErrorCode::InvalidRequestParameter
            | S3ErrorCode::AuthorizationHeaderMalformed
            | S3ErrorCode::AuthorizationQueryParametersError
            | S3ErrorCode::BadDigest
            | S3ErrorCode::BadRequest
            | S3ErrorCode::EntityTooLarge
            | S3ErrorCode::EntityTooSmall
            | S3ErrorCode::ExpiredToken
            | S3ErrorCode::InvalidToken
            | S3ErrorCode::IncompleteBody
            | S3ErrorCode::InvalidArgument
            | S3ErrorCode::InvalidBucketName
            | S3ErrorCode::InvalidDigest
            | S3ErrorCode::InvalidPart
            | S3ErrorCode::InvalidPartOrder
            | S3ErrorCode::InvalidRequest
            | S3ErrorCode::InvalidURI
            | S3ErrorCode::InvalidStorageClass
            | S3ErrorCode::InvalidTag
            | S3ErrorCode::KeyTooLongError
            | S3ErrorCode::MalformedTrailerError
            | S3ErrorCode::MalformedXML
            | S3ErrorCode::MalformedACLError
            | S3ErrorCode::MalformedPolicy
            | S3ErrorCode::AccessControlListNotSupported
            | S3ErrorCode::InvalidBucketAclWithObjectOwnership
            | S3ErrorCode::MalformedPOSTRequest
            | S3ErrorCode::InvalidPolicyDocument
            | S3ErrorCode::UnresolvableGrantByEmailAddress
            | S3ErrorCode::MaxMessageLengthExceeded
            | S3ErrorCode::MetadataTooLarge
            | S3ErrorCode::MissingRequestBodyError
            | S3ErrorCode::MissingSecurityHeader
            | S3ErrorCode::RequestTimeout
            | S3ErrorCode::RequestHeaderSectionTooLarge
            | S3ErrorCode::UnexpectedContent
            | S3ErrorCode::XAmzContentSHA256Mismatch
            | S3ErrorCode::InvalidRetentionPeriod
            | S3ErrorCode::InvalidEncryptionAlgorithmError
            | S3ErrorCode::KmsNotFound => 400,
            S3ErrorCode::AccessDenied
            | S3ErrorCode::AccessForbidden
            | S3ErrorCode::InvalidAccessKeyId
            | S3ErrorCode::InvalidObjectState
            | S3ErrorCode::QuotaExceeded
            | S3ErrorCode::RequestTimeTooSkewed
            | S3ErrorCode::SignatureDoesNotMatch => 403,
            S3ErrorCode::NoSuchBucket
            | S3ErrorCode::NoSuchKey
            | S3ErrorCode::NoSuchUpload
            | S3ErrorCode::NoSuchTagSet
            | S3ErrorCode::NoSuchCORSConfiguration
            | S3ErrorCode::NoSuchVersion
            | S3ErrorCode::NoSuchObjectLockConfiguration
            | S3ErrorCode::ObjectLockConfigurationNotFoundError
            | S3ErrorCode::NoSuchLifecycleConfiguration
            | S3ErrorCode::NoSuchBucketPolicy
            | S3ErrorCode::OwnershipControlsNotFoundError
            | S3ErrorCode::NoSuchPublicAccessBlockConfiguration
            | S3ErrorCode::ServerSideEncryptionConfigurationNotFoundError => 404,
            S3ErrorCode::MethodNotAllowed => 405,
            S3ErrorCode::BucketAlreadyExists
            | S3ErrorCode::BucketAlreadyOwnedByYou
            | S3ErrorCode::BucketNotEmpty
            | S3ErrorCode::InvalidBucketState => 409,
            S3ErrorCode::MissingContentLength => 411,
            S3ErrorCode::PreconditionFailed => 412,
            S3ErrorCode::InvalidRange | S3ErrorCode::InvalidPartNumber => 416,
            S3ErrorCode::InternalError => 500,
            S3ErrorCode::NotImplemented => 501,
            S3ErrorCode::ServiceUnavailable | S3ErrorCode::SlowDown => 503,
        }
    }

    /// AWS's wording for the `Message` element when nothing more specific is
    /// known.
    pub(crate) fn default_message(&self) -> &'static str {
        match self {
            S3ErrorCode::AccessDenied => "Access Denied",
            S3ErrorCode::AuthorizationHeaderMalformed => {
                "The authorization header you provided is invalid."
            }
            S3ErrorCode::AuthorizationQueryParametersError => {
                "The authorization query parameters that you provided are not valid."
            }
            S3ErrorCode::BadDigest => "The Content-MD5 you specified did not match what we received.",
            S3ErrorCode::BadRequest => "Bad Request",
            S3ErrorCode::BucketAlreadyExists => {
                "The requested bucket name is not available. The bucket namespace is shared by \
                 all users of the system. Please select a different name and try again."
            }
            S3ErrorCode::BucketAlreadyOwnedByYou => {
                "Your previous request to create the named bucket succeeded and you already own it."
            }
            S3ErrorCode::BucketNotEmpty => "The bucket you tried to delete is not empty",
            S3ErrorCode::EntityTooLarge => {
                "Your proposed upload exceeds the maximum allowed object size."
            }
            S3ErrorCode::EntityTooSmall => {
                "Your proposed upload is smaller than the minimum allowed object size."
            }
            S3ErrorCode::ExpiredToken => "The provided token has expired.",
            S3ErrorCode::InvalidToken => "The provided token is malformed or otherwise invalid.",
            S3ErrorCode::IncompleteBody => {
                "You did not provide the number of bytes specified by the Content-Length HTTP header."
            }
            S3ErrorCode::InternalError => "We encountered an internal error. Please try again.",
            S3ErrorCode::InvalidAccessKeyId => {
                "The AWS Access Key Id you provided does not exist in our records."
            }
            S3ErrorCode::InvalidArgument => "Invalid Argument",
            S3ErrorCode::InvalidBucketName => "The specified bucket is not valid.",
            S3ErrorCode::InvalidDigest => "The Content-MD5 you specified is not valid.",
            S3ErrorCode::InvalidObjectState => {
                "The operation is not valid for the current state of the object."
            }
            S3ErrorCode::AccessForbidden => "CORSResponse: This CORS request is not allowed.",
            S3ErrorCode::InvalidPart => {
                "One or more of the specified parts could not be found. The part may not have \
                 been uploaded, or the specified entity tag may not match the part's entity tag."
            }
            S3ErrorCode::InvalidPartOrder => {
                "The list of parts was not in ascending order. The parts list must be specified \
                 in order by part number."
            }
            S3ErrorCode::InvalidRange => "The requested range is not satisfiable",
            S3ErrorCode::InvalidPartNumber => "The requested partnumber is not satisfiable",
            S3ErrorCode::InvalidRequest => "Invalid Request",
            S3ErrorCode::InvalidURI => "Couldn't parse the specified URI.",
            S3ErrorCode::InvalidStorageClass => "The storage class you specified is not valid",
            S3ErrorCode::InvalidTag => "The tag provided was not a valid tag.",
            S3ErrorCode::KeyTooLongError => "Your key is too long",
            S3ErrorCode::MalformedTrailerError => {
                "The request contained trailing data that was not well-formed or did not conform \
                 to our published schema."
            }
            S3ErrorCode::MalformedXML => {
                "The XML you provided was not well-formed or did not validate against our \
                 published schema"
            }
            S3ErrorCode::MaxMessageLengthExceeded => "Your request was too big.",
            S3ErrorCode::MetadataTooLarge => {
                "Your metadata headers exceed the maximum allowed metadata size."
            }
            S3ErrorCode::MethodNotAllowed => {
                "The specified method is not allowed against this resource."
            }
            S3ErrorCode::MissingContentLength => "You must provide the Content-Length HTTP header.",
            S3ErrorCode::MissingRequestBodyError => "Request Body is empty.",
            S3ErrorCode::MissingSecurityHeader => "Your request is missing a required header.",
            S3ErrorCode::NoSuchBucket => "The specified bucket does not exist",
            S3ErrorCode::NoSuchKey => "The specified key does not exist.",
            S3ErrorCode::NoSuchUpload => {
                "The specified upload does not exist. The upload ID may be invalid, or the upload \
                 may have been aborted or completed."
            }
            S3ErrorCode::NoSuchTagSet => "The TagSet does not exist",
            S3ErrorCode::NoSuchCORSConfiguration => "The CORS configuration does not exist",
            S3ErrorCode::NoSuchVersion => "The specified version does not exist.",
            S3ErrorCode::NoSuchObjectLockConfiguration => "The specified object does not have a ObjectLock configuration",
            S3ErrorCode::ObjectLockConfigurationNotFoundError => "Object Lock configuration does not exist for this bucket",
            S3ErrorCode::InvalidBucketState => "The request is not valid with the current state of the bucket.",
            S3ErrorCode::NoSuchLifecycleConfiguration => "The lifecycle configuration does not exist",
            S3ErrorCode::QuotaExceeded => "Bucket quota exceeded",
            S3ErrorCode::InvalidRetentionPeriod => "The retention period is not valid.",
            S3ErrorCode::MalformedPolicy => "Policies must be valid JSON and the first byte must be '{'",
            S3ErrorCode::NoSuchBucketPolicy => "The bucket policy does not exist",
            S3ErrorCode::OwnershipControlsNotFoundError => "The bucket ownership controls were not found",
            S3ErrorCode::NoSuchPublicAccessBlockConfiguration => "The public access block configuration was not found",
            S3ErrorCode::InvalidEncryptionAlgorithmError => {
                "The encryption request you specified is not valid. The valid value is AES256."
            }
            S3ErrorCode::KmsNotFound => "Invalid keyId",
            S3ErrorCode::ServerSideEncryptionConfigurationNotFoundError => {
                "The server side encryption configuration was not found"
            }
            S3ErrorCode::AccessControlListNotSupported => "The bucket does not allow ACLs",
            S3ErrorCode::InvalidBucketAclWithObjectOwnership => "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
            S3ErrorCode::MalformedPOSTRequest => "The body of your POST request is not well-formed multipart/form-data.",
            S3ErrorCode::InvalidPolicyDocument => "The content of the form does not meet the conditions specified in the policy document.",
            S3ErrorCode::MalformedACLError => {
                "The XML you provided was not well-formed or did not validate against our published schema."
            }
            S3ErrorCode::UnresolvableGrantByEmailAddress => {
                "The e-mail address you provided does not match any account on record."
            }
            S3ErrorCode::NotImplemented => {
                "A header you provided implies functionality that is not implemented"
            }
            S3ErrorCode::NotModified => "Not Modified",
            S3ErrorCode::PreconditionFailed => {
                "At least one of the pre-conditions you specified did not hold"
            }
            S3ErrorCode::RequestTimeTooSkewed => {
                "The difference between the request time and the current time is too large."
            }
            S3ErrorCode::RequestTimeout => {
                "Your socket connection to the server was not read from or written to within the \
                 timeout period."
            }
            S3ErrorCode::RequestHeaderSectionTooLarge => {
                "Your request header section exceeds the maximum allowed size."
            }
            S3ErrorCode::ServiceUnavailable => "Reduce your request rate.",
            S3ErrorCode::SignatureDoesNotMatch => {
                "The request signature we calculated does not match the signature you provided. \
                 Check your key and signing method."
            }
            S3ErrorCode::ParseUnexpectedToken => "The SQL expression contains an unexpected token.",
            S3ErrorCode::UnsupportedSyntax => "The SQL expression contains unsupported syntax.",
            S3ErrorCode::UnsupportedFunction => "The SQL expression contains an unsupported function.",
            S3ErrorCode::EvaluatorInvalidArguments => "Incorrect number or type of arguments in a function call.",
            S3ErrorCode::CastFailed => "Attempt to convert from one data type to another using CAST failed in the SQL expression.",
            S3ErrorCode::CSVParsingError => "Encountered an error parsing the CSV file.",
            S3ErrorCode::JSONParsingError => "Encountered an error parsing the JSON file.",
            S3ErrorCode::InvalidCompressionFormat => "The file is not in a supported compression format.",
            S3ErrorCode::OverMaxRecordSize => "The length of a record in the input or result is greater than maxCharsPerRecord of 1 MB.",
            S3ErrorCode::ExpressionTooLong => "The SQL expression is too long: The maximum byte-length for the SQL expression is 256 KB.",
            S3ErrorCode::InvalidExpressionType => "The ExpressionType is invalid. Only SQL expressions are supported.",
            S3ErrorCode::InvalidRequestParameter => "The value of a parameter in SelectRequest element is invalid.",
            S3ErrorCode::SlowDown => "Please reduce your request rate.",
            S3ErrorCode::UnexpectedContent => "This request does not support content",
            S3ErrorCode::XAmzContentSHA256Mismatch => {
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            }
        }
    }
}

impl fmt::Display for S3ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Serializes as the AWS spelling, for the `Code` element of DeleteResult.
impl Serialize for S3ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
