//! Why an aws-chunked body was rejected: [`ChunkedError`] and the framing
//! and trailer faults it carries. `api::error` maps each onto an S3 error.

/// Why an aws-chunked body was rejected.
///
/// The variants say what is wrong with the body; `api::error` turns each into
/// the S3 error code and message clients expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ChunkedError {
    /// The body ended before the final chunk and trailers were complete.
    #[error("the aws-chunked body ended early")]
    Incomplete,
    /// A chunk signature does not verify.
    #[error("a chunk signature does not match")]
    ChunkSignatureMismatch,
    /// The trailer signature does not verify.
    #[error("the trailer signature does not match")]
    TrailerSignatureMismatch,
    /// The chunk framing is malformed.
    #[error("malformed aws-chunked framing: {0}")]
    Framing(FramingError),
    /// The trailing headers are malformed.
    #[error("malformed aws-chunked trailer: {0}")]
    Trailer(TrailerError),
    /// A signed body's decoder was set up without a [`ChunkSigner`](super::signer::ChunkSigner) (a server
    /// bug).
    #[error("a signed aws-chunked body needs a chunk signer")]
    MissingSigner,
    /// The seed signature is not 64 hex digits (a server bug).
    #[error("the seed signature is not 64 hex digits")]
    BadSeedSignature,
}

/// What is wrong with the framing of an aws-chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FramingError {
    /// A chunk header line is not CRLF-terminated or is too long.
    #[error("malformed chunk header line")]
    HeaderLine,
    /// The chunk size is not 1 to 16 hex digits.
    #[error("invalid chunk size")]
    Size,
    /// A signed body's chunk header has no `chunk-signature`.
    #[error("no chunk-signature")]
    MissingSignature,
    /// The `chunk-signature` is not 64 hex digits.
    #[error("malformed chunk-signature")]
    Signature,
    /// An unsigned body's chunk header has an extension.
    #[error("unexpected chunk extension")]
    UnexpectedExtension,
    /// The chunk sizes add up to more than 2^64 - 1 bytes.
    #[error("body too large")]
    TooLarge,
    /// Chunk data is not followed by CRLF.
    #[error("chunk data not followed by CRLF")]
    MissingCrlf,
    /// Bytes follow the end of the body.
    #[error("data after the end of the body")]
    DataAfterEnd,
}

/// What is wrong with the trailing headers of an aws-chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TrailerError {
    /// A trailer line is not CRLF-terminated or is too long.
    #[error("malformed trailer line")]
    Line,
    /// A trailer line has no `:`.
    #[error("no ':'")]
    NoColon,
    /// A trailer name is empty or not a token.
    #[error("invalid name")]
    Name,
    /// A trailer value has control characters.
    #[error("invalid value")]
    Value,
    /// More than [`MAX_TRAILERS`](super::format::MAX_TRAILERS) trailers.
    #[error("too many trailers")]
    TooMany,
    /// Signed trailers without `x-amz-trailer-signature`.
    #[error("no x-amz-trailer-signature")]
    MissingSignature,
    /// A trailer after `x-amz-trailer-signature`.
    #[error("trailer after the signature")]
    AfterSignature,
    /// `x-amz-trailer-signature` in a body whose chunks are not signed.
    #[error("x-amz-trailer-signature in an unsigned body")]
    SignatureInUnsignedBody,
    /// `x-amz-trailer-signature` is not 64 hex digits.
    #[error("malformed x-amz-trailer-signature")]
    Signature,
}
