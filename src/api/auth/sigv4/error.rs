//! Why a request failed authentication.
//!
//! The variants say what is wrong with the request; `api::error` turns each
//! into the S3 error code and message clients expect.

/// Why a request failed authentication (SigV4, or a SigV2 presigned URL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AuthError {
    /// The access key id is not known to the server.
    #[error("unknown access key id")]
    UnknownAccessKey,
    /// A temporary credential past its expiry.
    #[error("the session token has expired")]
    ExpiredToken,
    /// A temporary credential's token missing or wrong, a token with a
    /// key that takes none, or a session revoked (its role deleted).
    #[error("the session token is invalid")]
    InvalidToken,
    /// The access keys kept in metadata could not be read (no metadata
    /// leader reachable): whether the key exists is not known.
    #[error("the access keys cannot be read now")]
    KeysUnreadable,
    /// The signature computed by the server differs from the one sent.
    #[error("the signature does not match")]
    SignatureMismatch,
    /// Header authentication: the request time is more than 15 minutes away
    /// from the server clock.
    #[error("the request time is too far from the server clock")]
    RequestTimeTooSkewed,
    /// Neither an `Authorization` header nor presigned-URL parameters.
    #[error("anonymous request")]
    Anonymous,
    /// Both an `Authorization` header and presigned-URL parameters.
    #[error("both an Authorization header and X-Amz-* query parameters")]
    TwoMechanisms,
    /// The `Authorization` header is not `AWS4-HMAC-SHA256 ...`.
    #[error("unsupported Authorization type")]
    UnsupportedAuthorization,
    /// The `Authorization` header cannot be parsed or is inconsistent.
    #[error("malformed Authorization header: {0}")]
    MalformedHeader(MalformedHeader),
    /// The presigned-URL (`X-Amz-*`) parameters cannot be parsed or are invalid.
    #[error("invalid X-Amz-* query parameters: {0}")]
    MalformedQuery(MalformedQuery),
    /// A SigV2 presigned URL without a usable `Expires`.
    #[error("SigV2 query authentication lacks a valid Expires")]
    IncompleteV2Query,
    /// An `Authorization: AWS ...` (SigV2) header that is not
    /// `AWS <key>:<signature>`.
    #[error("malformed SigV2 Authorization header")]
    MalformedV2Header,
    /// The presigned URL's validity has ended.
    #[error("the presigned URL has expired")]
    Expired,
    /// The presigned URL's `X-Amz-Date` is more than 15 minutes ahead.
    #[error("the presigned URL is not valid yet")]
    NotYetValid,
    /// Header authentication without a valid `x-amz-date` or `Date`, or with
    /// either repeated.
    #[error("no valid Date or x-amz-date header")]
    InvalidDate,
    /// `host` is not among the signed headers.
    #[error("the host header is not signed")]
    HostNotSigned,
    /// An `x-amz-*` header of the request is not signed.
    #[error("an x-amz-* header is not signed")]
    UnsignedAmzHeader,
    /// Header authentication without `x-amz-content-sha256`.
    #[error("missing x-amz-content-sha256")]
    MissingContentSha256,
    /// `x-amz-content-sha256` sent more than once.
    #[error("x-amz-content-sha256 is repeated")]
    RepeatedContentSha256,
    /// `x-amz-content-sha256` is neither a known keyword nor a SHA-256.
    #[error("invalid x-amz-content-sha256")]
    InvalidContentSha256,
    /// The body does not hash to the declared `x-amz-content-sha256`.
    #[error("the body does not match x-amz-content-sha256")]
    ContentSha256Mismatch,
}

/// What is wrong with an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MalformedHeader {
    /// The header is sent more than once.
    #[error("repeated")]
    Repeated,
    /// A component is not `key=value`.
    #[error("a component is not key=value")]
    NotKeyValue,
    /// A component other than `Credential`, `SignedHeaders`, `Signature`.
    #[error("unknown component")]
    UnknownComponent,
    /// A component appears twice.
    #[error("duplicate component")]
    DuplicateComponent,
    /// The header has no `Credential=` component.
    #[error("missing Credential")]
    MissingCredential,
    /// No `SignedHeaders`.
    #[error("missing SignedHeaders")]
    MissingSignedHeaders,
    /// The header has no `Signature=` component.
    #[error("missing Signature")]
    MissingSignature,
    /// `Credential` is not `AKID/YYYYMMDD/region/service/aws4_request`.
    #[error("malformed Credential")]
    Credential,
    /// `SignedHeaders` is not a list of unique lower-case names.
    #[error("invalid SignedHeaders")]
    SignedHeaders,
    /// The `Signature=` component has no value.
    #[error("empty Signature")]
    EmptySignature,
    /// The credential scope names a service other than `s3`.
    #[error("the credential scope is not for s3")]
    WrongService,
    /// The credential scope date is not the request date.
    #[error("the credential date is not the request date")]
    DateMismatch,
    /// The credential scope names another region than the store's.
    #[error("the credential scope is for another region")]
    WrongRegion,
}

/// What is wrong with the `X-Amz-*` parameters of a presigned URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MalformedQuery {
    /// A parameter is not valid UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// A parameter is repeated.
    #[error("repeated parameter")]
    Repeated,
    /// A required parameter is missing.
    #[error("missing parameter")]
    Missing,
    /// `X-Amz-Algorithm` is not `AWS4-HMAC-SHA256`.
    #[error("unsupported X-Amz-Algorithm")]
    Algorithm,
    /// `X-Amz-Credential` cannot be parsed.
    #[error("malformed X-Amz-Credential")]
    Credential,
    /// `X-Amz-Date` is not `YYYYMMDDTHHMMSSZ`.
    #[error("malformed X-Amz-Date")]
    Date,
    /// `X-Amz-Expires` is not a number.
    #[error("X-Amz-Expires is not a number")]
    ExpiresNotNumber,
    /// `X-Amz-Expires` is negative.
    #[error("X-Amz-Expires is negative")]
    ExpiresNegative,
    /// `X-Amz-Expires` is zero: the URL expired as it was made.
    #[error("X-Amz-Expires is zero")]
    ExpiresZero,
    /// `X-Amz-Expires` is more than a week.
    #[error("X-Amz-Expires is more than a week")]
    ExpiresTooLong,
    /// `X-Amz-SignedHeaders` cannot be parsed.
    #[error("malformed X-Amz-SignedHeaders")]
    SignedHeaders,
    /// `X-Amz-Signature` is empty.
    #[error("empty X-Amz-Signature")]
    EmptySignature,
    /// The credential scope names a service other than `s3`.
    #[error("the credential scope is not for s3")]
    WrongService,
    /// The credential scope date is not the `X-Amz-Date` date.
    #[error("the credential date is not X-Amz-Date's")]
    DateMismatch,
    /// The credential scope names another region than the store's.
    #[error("the credential scope is for another region")]
    WrongRegion,
}
