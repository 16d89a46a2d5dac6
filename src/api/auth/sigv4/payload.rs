//! How the body is protected (`x-amz-content-sha256`), and the streaming
//! check of a body declared by its SHA-256.

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::AuthError;
use super::scheme::{
    STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER, UNSIGNED_PAYLOAD,
};

/// How the body is protected, from the `x-amz-content-sha256` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PayloadMode {
    /// The body must hash to this lower-case hex SHA-256 (check it with
    /// [`PayloadHasher`]).
    Sha256(String),
    /// `UNSIGNED-PAYLOAD`: the body is not covered by the signature.
    Unsigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: aws-chunked body, signed chunks.
    StreamingSigned,
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`: signed chunks and trailers.
    StreamingSignedTrailer,
    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: unsigned chunks, unsigned trailers.
    StreamingUnsignedTrailer,
}

impl PayloadMode {
    /// Parses an `x-amz-content-sha256` value; unknown values are rejected.
    pub(crate) fn from_header(value: &str) -> Result<Self, AuthError> {
        match value {
            UNSIGNED_PAYLOAD => Ok(PayloadMode::Unsigned),
            STREAMING_SIGNED => Ok(PayloadMode::StreamingSigned),
            STREAMING_SIGNED_TRAILER => Ok(PayloadMode::StreamingSignedTrailer),
            STREAMING_UNSIGNED_TRAILER => Ok(PayloadMode::StreamingUnsignedTrailer),
            v if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Ok(PayloadMode::Sha256(v.to_ascii_lowercase()))
            }
            _ => Err(AuthError::InvalidContentSha256),
        }
    }

    /// True when the body uses `Content-Encoding: aws-chunked` framing.
    pub(crate) fn is_chunked(&self) -> bool {
        matches!(
            self,
            PayloadMode::StreamingSigned
                | PayloadMode::StreamingSignedTrailer
                | PayloadMode::StreamingUnsignedTrailer
        )
    }
}

/// Streaming SHA-256 check of a body declared with `PayloadMode::Sha256`.
///
/// Feed every body piece to [`update`](Self::update) and call
/// [`finish`](Self::finish) at the end, before committing the object.
#[derive(Clone)]
pub(crate) struct PayloadHasher {
    expected: [u8; 32],
    hasher: Sha256,
    len: u64,
}

impl PayloadHasher {
    /// A hasher expecting the given hex SHA-256.
    pub(crate) fn new(expected_hex: &str) -> Result<Self, AuthError> {
        let mut expected = [0u8; 32];
        hex::decode_to_slice(expected_hex, &mut expected)
            .map_err(|_| AuthError::InvalidContentSha256)?;
        Ok(PayloadHasher {
            expected,
            hasher: Sha256::new(),
            len: 0,
        })
    }

    /// The hasher a payload mode needs: `Some` only for `Sha256`.
    pub(crate) fn for_mode(mode: &PayloadMode) -> Result<Option<Self>, AuthError> {
        match mode {
            PayloadMode::Sha256(hex) => Self::new(hex).map(Some),
            _ => Ok(None),
        }
    }

    /// Adds the next piece of the body.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.hasher.update(data);
        self.len = self.len.saturating_add(data.len() as u64);
    }

    /// Number of body bytes fed so far.
    #[cfg(test)]
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Checks the whole body against the declared hash.
    pub(crate) fn finish(self) -> Result<(), AuthError> {
        let got: [u8; 32] = self.hasher.finalize().into();
        if bool::from(got.ct_eq(&self.expected)) {
            Ok(())
        } else {
            Err(AuthError::ContentSha256Mismatch)
        }
    }
}

impl fmt::Debug for PayloadHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PayloadHasher")
            .field("expected", &hex::encode(self.expected))
            .field("len", &self.len)
            .finish()
    }
}

#[cfg(test)]
mod tests;
