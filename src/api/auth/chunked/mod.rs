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

use std::fmt;

use super::sigv4::PayloadMode;

pub use decoder::{ChunkedDecoder, Trailers};
pub use signer::ChunkSigner;

/// Longest chunk header or trailer line accepted, without its CRLF.
pub const MAX_LINE_LEN: usize = 4096;

/// Most trailing headers accepted in one body.
pub const MAX_TRAILERS: usize = 32;

/// Name of the trailer carrying the trailer signature.
pub const TRAILER_SIGNATURE_HEADER: &str = "x-amz-trailer-signature";

const CHUNK_SIGNATURE_EXT: &[u8] = b";chunk-signature=";

/// The aws-chunked variant, from `x-amz-content-sha256`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkedMode {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: signed chunks, no trailers.
    Signed,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and trailers.
    SignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: plain chunks, unsigned trailers.
    UnsignedTrailer,
}

impl ChunkedMode {
    /// The chunked mode of a payload mode, `None` when the body is not chunked.
    pub fn from_payload_mode(mode: &PayloadMode) -> Option<Self> {
        match mode {
            PayloadMode::StreamingSigned => Some(ChunkedMode::Signed),
            PayloadMode::StreamingSignedTrailer => Some(ChunkedMode::SignedTrailer),
            PayloadMode::StreamingUnsignedTrailer => Some(ChunkedMode::UnsignedTrailer),
            PayloadMode::Sha256(_) | PayloadMode::Unsigned => None,
        }
    }

    /// True when chunks carry signatures that must be verified.
    pub fn is_signed(self) -> bool {
        matches!(self, ChunkedMode::Signed | ChunkedMode::SignedTrailer)
    }

    /// True when trailing headers may follow the final chunk.
    pub fn has_trailer(self) -> bool {
        matches!(
            self,
            ChunkedMode::SignedTrailer | ChunkedMode::UnsignedTrailer
        )
    }
}

/// Why an aws-chunked body was rejected; each variant is one S3 error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkedError {
    /// A chunk or trailer signature does not verify.
    SignatureDoesNotMatch(&'static str),
    /// The body ended before the final chunk and trailers were complete.
    IncompleteBody,
    /// The chunk framing is malformed (size, CRLF, extension, line length).
    InvalidRequest(&'static str),
    /// The trailing headers are malformed.
    MalformedTrailerError(&'static str),
    /// The decoder was set up wrongly by the server (e.g. no signer).
    InternalError(&'static str),
}

impl ChunkedError {
    /// The S3 error code to put in the `Code` element of the error response.
    pub fn s3_code(&self) -> &'static str {
        match self {
            ChunkedError::SignatureDoesNotMatch(_) => "SignatureDoesNotMatch",
            ChunkedError::IncompleteBody => "IncompleteBody",
            ChunkedError::InvalidRequest(_) => "InvalidRequest",
            ChunkedError::MalformedTrailerError(_) => "MalformedTrailerError",
            ChunkedError::InternalError(_) => "InternalError",
        }
    }

    /// The HTTP status S3 answers with for this error.
    pub fn http_status(&self) -> u16 {
        match self {
            ChunkedError::SignatureDoesNotMatch(_) => 403,
            ChunkedError::IncompleteBody
            | ChunkedError::InvalidRequest(_)
            | ChunkedError::MalformedTrailerError(_) => 400,
            ChunkedError::InternalError(_) => 500,
        }
    }

    /// Human-readable message for the `Message` element of the error response.
    pub fn message(&self) -> &'static str {
        match self {
            ChunkedError::IncompleteBody => {
                "You did not provide the number of bytes specified by the Content-Length HTTP header."
            }
            ChunkedError::SignatureDoesNotMatch(m)
            | ChunkedError::InvalidRequest(m)
            | ChunkedError::MalformedTrailerError(m)
            | ChunkedError::InternalError(m) => m,
        }
    }
}

impl fmt::Display for ChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.s3_code(), self.message())
    }
}

impl std::error::Error for ChunkedError {}
