//! Authentication failures as S3 errors: the code and message AWS answers a
//! badly signed request or aws-chunked body with.

use super::code::S3ErrorCode;
use super::s3_error::S3Error;
use crate::api::auth::chunked::{ChunkedError, FramingError, TrailerError};
use crate::api::auth::sigv4::{AuthError, MalformedHeader, MalformedQuery};

impl From<AuthError> for S3Error {
    fn from(e: AuthError) -> Self {
        use S3ErrorCode::*;
        let (code, message) = match e {
            AuthError::UnknownAccessKey => (
                InvalidAccessKeyId,
                "The AWS access key Id you provided does not exist in our records.",
            ),
            AuthError::ExpiredToken => (ExpiredToken, "The provided token has expired."),
            AuthError::InvalidToken => (
                InvalidToken,
                "The provided token is malformed or otherwise invalid.",
            ),
            AuthError::KeysUnreadable => (
                ServiceUnavailable,
                "Please reduce your request rate.",
            ),
            AuthError::SignatureMismatch => (
                SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided.",
            ),
            AuthError::RequestTimeTooSkewed => (
                S3ErrorCode::RequestTimeTooSkewed,
                "The difference between the request time and the current time is too large.",
            ),
            AuthError::Anonymous => (AccessDenied, "Anonymous requests are not allowed."),
            AuthError::TwoMechanisms => (
                InvalidArgument,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or \
                 the Authorization header should be specified",
            ),
            AuthError::UnsupportedAuthorization => {
                (InvalidArgument, "Unsupported Authorization Type")
            }
            AuthError::MalformedHeader(m) => (AuthorizationHeaderMalformed, header_message(m)),
            // A URL valid for no time at all has expired (a negative or
            // too long validity is malformed, below).
            AuthError::MalformedQuery(MalformedQuery::ExpiresZero) => {
                (AccessDenied, "Request has expired")
            }
            AuthError::MalformedQuery(m) => (AuthorizationQueryParametersError, query_message(m)),
            AuthError::IncompleteV2Query => (
                AccessDenied,
                "Query-string authentication requires the Signature, Expires and \
                 AWSAccessKeyId parameters",
            ),
            AuthError::MalformedV2Header => (
                InvalidArgument,
                "The authorization header is malformed; it must be AWS <AccessKeyId>:<Signature>.",
            ),
            AuthError::Expired => (AccessDenied, "Request has expired"),
            AuthError::NotYetValid => (AccessDenied, "Request is not valid yet"),
            AuthError::InvalidDate => (
                AccessDenied,
                "AWS authentication requires a valid Date or x-amz-date header",
            ),
            AuthError::HostNotSigned => (
                AccessDenied,
                "The host header must be included in the signed headers.",
            ),
            AuthError::UnsignedAmzHeader => (
                AccessDenied,
                "There were headers present in the request which were not signed",
            ),
            AuthError::MissingContentSha256 => (
                MissingSecurityHeader,
                "Missing required header for this request: x-amz-content-sha256",
            ),
            AuthError::RepeatedContentSha256 => {
                (InvalidArgument, "x-amz-content-sha256 is repeated.")
            }
            AuthError::InvalidContentSha256 => (
                InvalidArgument,
                "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, \
                 STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER \
                 or a valid sha256 value.",
            ),
            AuthError::ContentSha256Mismatch => (
                XAmzContentSHA256Mismatch,
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
            ),
        };
        S3Error::new(code).with_message(message)
    }
}

fn header_message(m: MalformedHeader) -> &'static str {
    match m {
        MalformedHeader::Repeated => "Only one Authorization header is allowed.",
        MalformedHeader::NotKeyValue => {
            "The authorization header is malformed; each component must be key=value."
        }
        MalformedHeader::UnknownComponent => {
            "The authorization header is malformed; unknown component."
        }
        MalformedHeader::DuplicateComponent => {
            "The authorization header is malformed; duplicate component."
        }
        MalformedHeader::MissingCredential => {
            "The authorization header is malformed; missing Credential."
        }
        MalformedHeader::MissingSignedHeaders => {
            "The authorization header is malformed; missing SignedHeaders."
        }
        MalformedHeader::MissingSignature => {
            "The authorization header is malformed; missing Signature."
        }
        MalformedHeader::Credential => {
            "The authorization header is malformed; the Credential is mal-formed."
        }
        MalformedHeader::SignedHeaders => {
            "The authorization header is malformed; SignedHeaders is invalid."
        }
        MalformedHeader::EmptySignature => {
            "The authorization header is malformed; empty Signature."
        }
        MalformedHeader::WrongService => {
            "The authorization header is malformed; incorrect service, expecting 's3'."
        }
        MalformedHeader::DateMismatch => {
            "The authorization header is malformed; Invalid credential date. Date is not the \
             same as X-Amz-Date."
        }
        MalformedHeader::WrongRegion => {
            "The authorization header is malformed; the region is wrong."
        }
    }
}

fn query_message(m: MalformedQuery) -> &'static str {
    match m {
        MalformedQuery::NotUtf8 => "X-Amz-* query parameters must be valid UTF-8.",
        MalformedQuery::Repeated => "Query-string authentication parameters are repeated.",
        MalformedQuery::Missing => {
            "Query-string authentication version 4 requires the X-Amz-Algorithm, \
             X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, \
             and X-Amz-Expires parameters."
        }
        MalformedQuery::Algorithm => {
            "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\" and \"AWS4-ECDSA-P256-SHA256\""
        }
        MalformedQuery::Credential => "Error parsing the X-Amz-Credential parameter.",
        MalformedQuery::Date => {
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""
        }
        MalformedQuery::ExpiresNotNumber => "X-Amz-Expires should be a number",
        MalformedQuery::ExpiresNegative => "X-Amz-Expires must be non-negative",
        MalformedQuery::ExpiresZero => "Request has expired",
        MalformedQuery::ExpiresTooLong => {
            "X-Amz-Expires must be less than a week (in seconds); that is, the given \
             X-Amz-Expires must be less than 604800 seconds"
        }
        MalformedQuery::SignedHeaders => "Error parsing the X-Amz-SignedHeaders parameter.",
        MalformedQuery::EmptySignature => "X-Amz-Signature must not be empty.",
        MalformedQuery::WrongService => {
            "Error parsing the X-Amz-Credential parameter; incorrect service, expecting 's3'."
        }
        MalformedQuery::DateMismatch => {
            "Invalid credential date. Date is not the same as X-Amz-Date."
        }
        MalformedQuery::WrongRegion => {
            "Error parsing the X-Amz-Credential parameter; the region is wrong."
        }
    }
}

/// `e` as answered by a store in `region`: a credential scope for another
/// region names the one expected, in the message and a `Region` element,
/// as AWS does (SDKs read it to re-sign for the right region).
pub(crate) fn in_region(e: AuthError, region: &str) -> S3Error {
    let wrong = matches!(
        e,
        AuthError::MalformedHeader(MalformedHeader::WrongRegion)
            | AuthError::MalformedQuery(MalformedQuery::WrongRegion)
    );
    let error = S3Error::from(e);
    if !wrong {
        return error;
    }
    let message = format!("{} Expecting '{region}'.", error.message);
    error.with_message(message).with_element("Region", region)
}

impl From<ChunkedError> for S3Error {
    fn from(e: ChunkedError) -> Self {
        use S3ErrorCode::*;
        let (code, message) = match e {
            ChunkedError::Incomplete => (
                IncompleteBody,
                "You did not provide the number of bytes specified by the Content-Length HTTP \
                 header.",
            ),
            ChunkedError::ChunkSignatureMismatch => (
                SignatureDoesNotMatch,
                "The chunk signature we calculated does not match the signature you provided.",
            ),
            ChunkedError::TrailerSignatureMismatch => (
                SignatureDoesNotMatch,
                "The trailer signature we calculated does not match the signature you provided.",
            ),
            ChunkedError::Framing(f) => (InvalidRequest, framing_message(f)),
            ChunkedError::Trailer(t) => (MalformedTrailerError, trailer_message(t)),
            ChunkedError::MissingSigner => (
                InternalError,
                "a signed aws-chunked body needs a chunk signer",
            ),
            ChunkedError::BadSeedSignature => {
                (InternalError, "seed signature is not 64 hex digits")
            }
        };
        S3Error::new(code).with_message(message)
    }
}

fn framing_message(f: FramingError) -> &'static str {
    match f {
        FramingError::HeaderLine => "malformed aws-chunked chunk header line",
        FramingError::Size => "invalid aws-chunked chunk size",
        FramingError::MissingSignature => "chunk header lacks a chunk-signature",
        FramingError::Signature => "malformed chunk-signature",
        FramingError::UnexpectedExtension => {
            "unexpected chunk extension in an unsigned aws-chunked body"
        }
        FramingError::TooLarge => "aws-chunked body too large",
        FramingError::MissingCrlf => "chunk data not followed by CRLF",
        FramingError::DataAfterEnd => "data after the end of the aws-chunked body",
    }
}

fn trailer_message(t: TrailerError) -> &'static str {
    match t {
        TrailerError::Line => "malformed trailer line",
        TrailerError::NoColon => "trailer line lacks ':'",
        TrailerError::Name => "invalid trailer name",
        TrailerError::Value => "invalid trailer value",
        TrailerError::TooMany => "too many trailing headers",
        TrailerError::MissingSignature => "trailing headers lack x-amz-trailer-signature",
        TrailerError::AfterSignature => "trailer after x-amz-trailer-signature",
        TrailerError::SignatureInUnsignedBody => "x-amz-trailer-signature in an unsigned body",
        TrailerError::Signature => "malformed x-amz-trailer-signature",
    }
}

#[cfg(test)]
mod tests;
