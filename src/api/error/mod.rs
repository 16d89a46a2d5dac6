//! S3 error responses: the code, HTTP status and message AWS uses, and the
//! `<Error>` document clients parse.
//!
//! SDKs decide retries and raise typed exceptions from the `Code` element and
//! the status alone, so both must be exactly AWS's; the message is for humans
//! and may be replaced with something more specific.
//!
//! Some conditions have no code of their own in AWS, and clients expect the
//! code AWS uses instead:
//! - an expired presigned URL is `AccessDenied` with the message
//!   `Request has expired` (AWS's answer to an `X-Amz-Expires` in the past);
//!   [`S3ErrorCode::ExpiredToken`] is for expired session tokens only;
//! - more than 10,000 parts, or a part number outside 1..=10,000, is
//!   `InvalidArgument` (there is no `TooManyParts`);
//! - a body that does not match an `x-amz-checksum-*` value is `BadDigest`
//!   (as for `Content-MD5`); a malformed or unknown checksum header is
//!   `InvalidRequest`.

mod auth;
pub(crate) use auth::in_region;
mod object;
mod request;

use std::fmt;

use serde::{Serialize, Serializer};

use super::xml::{escape_text, XmlParseError, XML_DECLARATION};

mod checksum;
mod meta;

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
    InvalidObjectState,
    /// 403: a CORS preflight no rule of the bucket allows.
    AccessForbidden,
    /// 400: a listed part is missing or its ETag does not match.
    InvalidPart,
    /// 400: CompleteMultipartUpload parts are not in ascending order.
    InvalidPartOrder,
    /// 416: `partNumber` names a part the object does not have.
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
    /// 400: an ACL document or grant header that does not validate.
    MalformedACLError,
    /// 400: a grant names a grantee by e-mail address, which cannot be
    /// resolved here.
    UnresolvableGrantByEmailAddress,
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
    UnexpectedContent,
    /// 400: the body does not hash to `x-amz-content-sha256`.
    XAmzContentSHA256Mismatch,
}

impl S3ErrorCode {
    /// Every code, for lookups and exhaustive tests.
    pub const ALL: &'static [S3ErrorCode] = &[
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
        S3ErrorCode::MalformedACLError,
        S3ErrorCode::UnresolvableGrantByEmailAddress,
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
            S3ErrorCode::MalformedACLError => "MalformedACLError",
            S3ErrorCode::UnresolvableGrantByEmailAddress => "UnresolvableGrantByEmailAddress",
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
    pub fn from_aws_str(code: &str) -> Option<S3ErrorCode> {
        S3ErrorCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code)
    }

    /// The HTTP status AWS answers with for this code.
    pub fn http_status(&self) -> u16 {
        match self {
            S3ErrorCode::NotModified => 304,
            S3ErrorCode::AuthorizationHeaderMalformed
            | S3ErrorCode::AuthorizationQueryParametersError
            | S3ErrorCode::BadDigest
            | S3ErrorCode::BadRequest
            | S3ErrorCode::EntityTooLarge
            | S3ErrorCode::EntityTooSmall
            | S3ErrorCode::ExpiredToken
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
            | S3ErrorCode::UnresolvableGrantByEmailAddress
            | S3ErrorCode::MaxMessageLengthExceeded
            | S3ErrorCode::MetadataTooLarge
            | S3ErrorCode::MissingRequestBodyError
            | S3ErrorCode::MissingSecurityHeader
            | S3ErrorCode::RequestTimeout
            | S3ErrorCode::RequestHeaderSectionTooLarge
            | S3ErrorCode::UnexpectedContent
            | S3ErrorCode::XAmzContentSHA256Mismatch => 400,
            S3ErrorCode::AccessDenied
            | S3ErrorCode::AccessForbidden
            | S3ErrorCode::InvalidAccessKeyId
            | S3ErrorCode::InvalidObjectState
            | S3ErrorCode::RequestTimeTooSkewed
            | S3ErrorCode::SignatureDoesNotMatch => 403,
            S3ErrorCode::NoSuchBucket
            | S3ErrorCode::NoSuchKey
            | S3ErrorCode::NoSuchUpload
            | S3ErrorCode::NoSuchTagSet
            | S3ErrorCode::NoSuchCORSConfiguration => 404,
            S3ErrorCode::MethodNotAllowed => 405,
            S3ErrorCode::BucketAlreadyExists
            | S3ErrorCode::BucketAlreadyOwnedByYou
            | S3ErrorCode::BucketNotEmpty => 409,
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
    pub fn default_message(&self) -> &'static str {
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

/// An error to answer an S3 request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Error {
    /// Decides the `Code` element and the HTTP status.
    pub code: S3ErrorCode,
    /// The `Message` element.
    pub message: String,
    /// The `Resource` element (e.g. `/bucket/key`), omitted when `None`.
    pub resource: Option<String>,
    /// Elements some codes carry after `Resource` (e.g. InvalidRange's
    /// `RangeRequested` and `ActualObjectSize`), in order.
    pub elements: Vec<(&'static str, String)>,
    /// Response headers some codes carry (e.g. InvalidRange's
    /// `Content-Range: bytes */<len>`, or `Retry-After`).
    pub headers: Vec<(&'static str, String)>,
}

impl S3Error {
    /// An error with AWS's default message and no resource.
    pub fn new(code: S3ErrorCode) -> Self {
        S3Error {
            code,
            message: code.default_message().to_owned(),
            resource: None,
            elements: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Adds an element to the `<Error>` document (after `Resource`).
    pub fn with_element(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.elements.push((name, value.into()));
        self
    }

    /// Adds a header to the error response.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Replaces the message with a more specific one.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    /// Names the bucket or object the error is about.
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// The HTTP status to answer with.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The `<Error>` document, in the element order AWS sends.
    ///
    /// Text is escaped like every other S3 document of this crate (see
    /// `xml::escape_text`), so a key in `resource` cannot break the markup.
    pub fn to_xml(&self, request_id: &str) -> String {
        let mut out = String::with_capacity(160 + self.message.len());
        out.push_str(XML_DECLARATION);
        out.push_str("<Error><Code>");
        out.push_str(self.code.as_str());
        out.push_str("</Code><Message>");
        out.push_str(&escape_text(&self.message));
        out.push_str("</Message>");
        if let Some(resource) = &self.resource {
            out.push_str("<Resource>");
            out.push_str(&escape_text(resource));
            out.push_str("</Resource>");
        }
        for (name, value) in &self.elements {
            out.push('<');
            out.push_str(name);
            out.push('>');
            out.push_str(&escape_text(value));
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
        out.push_str("<RequestId>");
        out.push_str(&escape_text(request_id));
        out.push_str("</RequestId></Error>");
        out
    }
}

impl From<S3ErrorCode> for S3Error {
    fn from(code: S3ErrorCode) -> Self {
        S3Error::new(code)
    }
}

/// Any rejected request body is `MalformedXML` to the client; the parser's
/// reason is for logs, so the message stays AWS's.
impl From<XmlParseError> for S3Error {
    fn from(_: XmlParseError) -> Self {
        S3Error::new(S3ErrorCode::MalformedXML)
    }
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)?;
        if let Some(resource) = &self.resource {
            write!(f, " ({resource})")?;
        }
        Ok(())
    }
}

impl std::error::Error for S3Error {}

#[cfg(test)]
mod tests {
    use super::*;

    use quick_xml::events::Event;
    use quick_xml::Reader;

    #[test]
    fn no_such_key_document_is_exactly_aws_shape() {
        let err = S3Error::new(S3ErrorCode::NoSuchKey).with_resource("/b/k");
        assert_eq!(
            err.to_xml("4442587FB7D0A2F9"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>\
             <Message>The specified key does not exist.</Message><Resource>/b/k</Resource>\
             <RequestId>4442587FB7D0A2F9</RequestId></Error>"
        );
        assert_eq!(err.http_status(), 404);
    }

    #[test]
    fn extra_elements_follow_the_resource() {
        let err = S3Error::new(S3ErrorCode::InvalidRange)
            .with_resource("/b/k")
            .with_element("RangeRequested", "bytes=10-20")
            .with_element("ActualObjectSize", "5")
            .with_header("Content-Range", "bytes */5");
        assert_eq!(
            err.to_xml("r"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidRange</Code>\
             <Message>The requested range is not satisfiable</Message><Resource>/b/k</Resource>\
             <RangeRequested>bytes=10-20</RangeRequested><ActualObjectSize>5</ActualObjectSize>\
             <RequestId>r</RequestId></Error>"
        );
        assert_eq!(
            err.headers,
            vec![("Content-Range", "bytes */5".to_string())]
        );
    }

    #[test]
    fn resource_is_omitted_when_none() {
        let err = S3Error::new(S3ErrorCode::SlowDown);
        assert_eq!(
            err.to_xml("r1"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>\
             <Message>Please reduce your request rate.</Message>\
             <RequestId>r1</RequestId></Error>"
        );
    }

    #[test]
    fn text_is_escaped() {
        let err = S3Error::new(S3ErrorCode::InvalidArgument)
            .with_message("bad <value> & \"more\"")
            .with_resource("/b/a&b<c>\r");
        assert_eq!(
            err.to_xml("id&1"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InvalidArgument</Code>\
             <Message>bad &lt;value&gt; &amp; &quot;more&quot;</Message>\
             <Resource>/b/a&amp;b&lt;c&gt;&#13;</Resource><RequestId>id&amp;1</RequestId></Error>"
        );
    }

    /// What a client reads back: (code, message, resource, request id).
    fn client_view(doc: &str) -> (String, String, Option<String>, String) {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Error {
            code: String,
            message: String,
            resource: Option<String>,
            request_id: String,
        }
        let e: Error = quick_xml::de::from_str(doc).expect("client parses the error document");
        (e.code, e.message, e.resource, e.request_id)
    }

    #[test]
    fn every_code_round_trips_through_a_client_parser() {
        for &code in S3ErrorCode::ALL {
            let err = S3Error::new(code).with_resource("/bucket/some key & <x>");
            let doc = err.to_xml("req-1");
            let (c, m, r, id) = client_view(&doc);
            assert_eq!(c, code.as_str());
            assert_eq!(m, code.default_message());
            assert_eq!(r.as_deref(), Some("/bucket/some key & <x>"));
            assert_eq!(id, "req-1");
            let mut reader = Reader::from_str(&doc);
            loop {
                match reader.read_event() {
                    Ok(Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{code}: not well-formed: {e}"),
                }
            }
        }
    }

    #[test]
    fn code_strings_are_distinct_and_look_up() {
        let mut seen = std::collections::HashSet::new();
        for &code in S3ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(S3ErrorCode::from_aws_str(code.as_str()), Some(code));
            assert!(!code.default_message().is_empty());
        }
        assert_eq!(S3ErrorCode::from_aws_str("TooManyParts"), None);
    }

    #[test]
    fn statuses_match_aws() {
        use S3ErrorCode::*;
        let expected = [
            (AccessDenied, 403),
            (BadDigest, 400),
            (BucketAlreadyExists, 409),
            (BucketAlreadyOwnedByYou, 409),
            (BucketNotEmpty, 409),
            (EntityTooLarge, 400),
            (EntityTooSmall, 400),
            (IncompleteBody, 400),
            (InternalError, 500),
            (InvalidAccessKeyId, 403),
            (InvalidArgument, 400),
            (InvalidBucketName, 400),
            (InvalidDigest, 400),
            (InvalidPart, 400),
            (InvalidPartOrder, 400),
            (InvalidRange, 416),
            (InvalidRequest, 400),
            (InvalidURI, 400),
            (InvalidStorageClass, 400),
            (KeyTooLongError, 400),
            (MalformedXML, 400),
            (MethodNotAllowed, 405),
            (MissingContentLength, 411),
            (MissingSecurityHeader, 400),
            (NoSuchBucket, 404),
            (NoSuchKey, 404),
            (NoSuchUpload, 404),
            (NotImplemented, 501),
            (NotModified, 304),
            (PreconditionFailed, 412),
            (RequestTimeTooSkewed, 403),
            (RequestTimeout, 400),
            (SignatureDoesNotMatch, 403),
            (SlowDown, 503),
            (ServiceUnavailable, 503),
            (XAmzContentSHA256Mismatch, 400),
            (AuthorizationHeaderMalformed, 400),
            (ExpiredToken, 400),
            (InvalidObjectState, 403),
            (AccessForbidden, 403),
            (BadRequest, 400),
            (UnexpectedContent, 400),
        ];
        for (code, status) in expected {
            assert_eq!(code.http_status(), status, "{code}");
        }
    }

    #[test]
    fn display_and_conversions() {
        let err = S3Error::from(S3ErrorCode::NoSuchBucket).with_resource("/b");
        assert_eq!(
            err.to_string(),
            "NoSuchBucket: The specified bucket does not exist (/b)"
        );
        let err = S3Error::from(XmlParseError::NotUtf8);
        assert_eq!(err.code, S3ErrorCode::MalformedXML);
        assert_eq!(err.http_status(), 400);
        let dyn_err: &dyn std::error::Error = &err;
        assert!(dyn_err.to_string().starts_with("MalformedXML: "));
    }
}
