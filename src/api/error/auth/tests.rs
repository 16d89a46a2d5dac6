//! Unit tests of `api/error/auth.rs`.

use super::*;

/// The statuses `AuthError::http_status` and `ChunkedError::http_status`
/// answered with before the mapping moved here.
#[test]
fn statuses_are_those_the_auth_errors_had() {
    let auth = [
        (AuthError::UnknownAccessKey, "InvalidAccessKeyId", 403),
        (AuthError::KeysUnreadable, "ServiceUnavailable", 503),
        (AuthError::SignatureMismatch, "SignatureDoesNotMatch", 403),
        (AuthError::RequestTimeTooSkewed, "RequestTimeTooSkewed", 403),
        (AuthError::Anonymous, "AccessDenied", 403),
        (AuthError::Expired, "AccessDenied", 403),
        (AuthError::NotYetValid, "AccessDenied", 403),
        (AuthError::IncompleteV2Query, "AccessDenied", 403),
        (AuthError::InvalidDate, "AccessDenied", 403),
        (AuthError::HostNotSigned, "AccessDenied", 403),
        (AuthError::UnsignedAmzHeader, "AccessDenied", 403),
        (
            AuthError::MalformedHeader(MalformedHeader::Credential),
            "AuthorizationHeaderMalformed",
            400,
        ),
        (
            AuthError::MalformedQuery(MalformedQuery::Missing),
            "AuthorizationQueryParametersError",
            400,
        ),
        (
            AuthError::MissingContentSha256,
            "MissingSecurityHeader",
            400,
        ),
        (AuthError::TwoMechanisms, "InvalidArgument", 400),
        (AuthError::UnsupportedAuthorization, "InvalidArgument", 400),
        (AuthError::RepeatedContentSha256, "InvalidArgument", 400),
        (AuthError::InvalidContentSha256, "InvalidArgument", 400),
        (
            AuthError::ContentSha256Mismatch,
            "XAmzContentSHA256Mismatch",
            400,
        ),
    ];
    for (e, code, status) in auth {
        let s3 = S3Error::from(e);
        assert_eq!((s3.code.as_str(), s3.http_status()), (code, status), "{e}");
    }
    let chunked = [
        (ChunkedError::Incomplete, "IncompleteBody", 400),
        (
            ChunkedError::ChunkSignatureMismatch,
            "SignatureDoesNotMatch",
            403,
        ),
        (
            ChunkedError::TrailerSignatureMismatch,
            "SignatureDoesNotMatch",
            403,
        ),
        (
            ChunkedError::Framing(FramingError::Size),
            "InvalidRequest",
            400,
        ),
        (
            ChunkedError::Trailer(TrailerError::Name),
            "MalformedTrailerError",
            400,
        ),
        (ChunkedError::MissingSigner, "InternalError", 500),
        (ChunkedError::BadSeedSignature, "InternalError", 500),
    ];
    for (e, code, status) in chunked {
        let s3 = S3Error::from(e);
        assert_eq!((s3.code.as_str(), s3.http_status()), (code, status), "{e}");
    }
}

#[test]
fn messages_are_aws_wording() {
    let e = S3Error::from(AuthError::Expired);
    assert_eq!(e.message, "Request has expired");
    let e = S3Error::from(AuthError::MalformedQuery(MalformedQuery::Missing));
    assert_eq!(
        e.message,
        "Query-string authentication version 4 requires the X-Amz-Algorithm, \
             X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and \
             X-Amz-Expires parameters."
    );
    let e = S3Error::from(AuthError::MalformedQuery(MalformedQuery::ExpiresTooLong));
    assert_eq!(
        e.message,
        "X-Amz-Expires must be less than a week (in seconds); that is, the given \
         X-Amz-Expires must be less than 604800 seconds"
    );
    let e = S3Error::from(AuthError::MalformedQuery(MalformedQuery::ExpiresNegative));
    assert_eq!(e.message, "X-Amz-Expires must be non-negative");
    let e = S3Error::from(ChunkedError::Incomplete);
    assert_eq!(
        e.message,
        "You did not provide the number of bytes specified by the Content-Length HTTP header."
    );
}
