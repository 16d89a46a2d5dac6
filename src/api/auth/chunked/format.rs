//! The aws-chunked variants ([`ChunkedMode`], from `x-amz-content-sha256`)
//! and the fixed pieces and limits of the framing every decoder checks.

use crate::api::auth::sigv4::PayloadMode;

/// Longest chunk header or trailer line accepted, without its CRLF.
pub(crate) const MAX_LINE_LEN: usize = 4096;

/// Most trailing headers accepted in one body.
pub(crate) const MAX_TRAILERS: usize = 32;

/// Name of the trailer carrying the trailer signature.
pub(crate) const TRAILER_SIGNATURE_HEADER: &str = "x-amz-trailer-signature";

pub(super) const CHUNK_SIGNATURE_EXT: &[u8] = b";chunk-signature=";

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
