//! Incremental decoder for `Content-Encoding: aws-chunked` request bodies.
//!
//! S3 clients stream uploads in the aws-chunked framing when
//! `x-amz-content-sha256` is one of the `STREAMING-*` values:
//!
//! ```text
//! signed:    <hex-size>;chunk-signature=<sig>\r\n<data>\r\n ... 0;chunk-signature=<sig>\r\n\r\n
//! + trailer: ... 0;chunk-signature=<sig>\r\n<name>:<value>\r\n x-amz-trailer-signature:<sig>\r\n\r\n
//! unsigned:  <hex-size>\r\n<data>\r\n ... 0\r\n<name>:<value>\r\n\r\n
//! ```
//!
//! Each chunk signature is the HMAC, under the request's signing key, of
//! `AWS4-HMAC-SHA256-PAYLOAD\n<amz-date>\n<scope>\n<previous-signature>\n
//! <sha256("")>\n<sha256(chunk-data)>`, chained from the request (seed)
//! signature; the trailer signature uses `AWS4-HMAC-SHA256-TRAILER` and the
//! hash of the canonical trailers (`name:value\n` each).
//!
//! [`ChunkedDecoder`] is push-style and works with input split at any byte.
//! It never copies payload: data comes out as `Bytes` slices of the caller's
//! buffer. Only an incomplete header or trailer line is left in that buffer
//! (bounded by [`MAX_LINE_LEN`]). Because data is handed out before the end
//! of its chunk is reached, a chunk is only known to be authentic once a
//! later `push` (or [`ChunkedDecoder::finish`]) has returned `Ok`: callers
//! must not commit an object before `finish` succeeds.

mod decoder;
mod signer;
#[cfg(test)]
mod tests;

use super::sigv4::PayloadMode;

pub(crate) use decoder::ChunkedDecoder;

/// Longest chunk header or trailer line accepted, without its CRLF.
pub(crate) const MAX_LINE_LEN: usize = 4096;

/// Most trailing headers accepted in one body.
pub(crate) const MAX_TRAILERS: usize = 32;

/// Name of the trailer carrying the trailer signature.
pub(crate) const TRAILER_SIGNATURE_HEADER: &str = "x-amz-trailer-signature";

const CHUNK_SIGNATURE_EXT: &[u8] = b";chunk-signature=";

/// The aws-chunked variant, from `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkedMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailers.
    Signed,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and trailers.
    SignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: plain chunks, unsigned trailers.
    UnsignedTrailer,
}

impl ChunkedMode {
    /// The chunked mode of a payload mode, `None` when the body is not chunked.
    pub(crate) fn from_payload_mode(mode: &PayloadMode) -> Option<Self> {
        match mode {
            PayloadMode::StreamingSigned => Some(ChunkedMode::Signed),
            PayloadMode::StreamingSignedTrailer => Some(ChunkedMode::SignedTrailer),
            PayloadMode::StreamingUnsignedTrailer => Some(ChunkedMode::UnsignedTrailer),
            PayloadMode::Sha256(_) | PayloadMode::Unsigned => None,
        }
    }

    /// True when chunks carry signatures that must be verified.
    pub(crate) fn is_signed(self) -> bool {
        matches!(self, ChunkedMode::Signed | ChunkedMode::SignedTrailer)
    }

    /// True when trailing headers may follow the final chunk.
    pub(crate) fn has_trailer(self) -> bool {
        matches!(
            self,
            ChunkedMode::SignedTrailer | ChunkedMode::UnsignedTrailer
        )
    }
}

/// Why an aws-chunked body was rejected.
///
/// The variants say what is wrong with the body; `api::error` turns each into
/// the S3 error code and message clients expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChunkedError {
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
    /// A signed body's decoder was set up without a [`ChunkSigner`](signer::ChunkSigner) (a server
    /// bug).
    #[error("a signed aws-chunked body needs a chunk signer")]
    MissingSigner,
    /// The seed signature is not 64 hex digits (a server bug).
    #[error("the seed signature is not 64 hex digits")]
    BadSeedSignature,
}

/// What is wrong with the framing of an aws-chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
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
pub enum TrailerError {
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
    /// More than [`MAX_TRAILERS`] trailers.
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
