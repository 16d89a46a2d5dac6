//! The chain of chunk and trailer signatures, seeded by the request signature.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ChunkedError;
use crate::api::auth::sigv4::{AuthContext, SigningKey, EMPTY_SHA256};

/// The chunk-signature chain of one request: key, scope and last signature.
#[derive(Clone, Debug)]
pub(crate) struct ChunkSigner {
    key: SigningKey,
    amz_date: String,
    scope: String,
    previous: [u8; 32],
}

impl ChunkSigner {
    /// Starts a chain from the request's seed signature (64 hex digits).
    pub(crate) fn new(
        key: SigningKey,
        amz_date: &str,
        scope: &str,
        seed_signature: &str,
    ) -> Result<Self, ChunkedError> {
        let mut previous = [0u8; 32];
        hex::decode_to_slice(seed_signature, &mut previous)
            .map_err(|_| ChunkedError::BadSeedSignature)?;
        Ok(ChunkSigner {
            key,
            amz_date: amz_date.to_owned(),
            scope: scope.to_owned(),
            previous,
        })
    }

    /// Starts the chain of an authenticated request.
    pub(crate) fn from_auth(ctx: &AuthContext) -> Result<Self, ChunkedError> {
        Self::new(
            ctx.signing_key.clone(),
            &ctx.amz_date,
            &ctx.scope,
            &ctx.seed_signature,
        )
    }

    /// Signs the next chunk and advances the chain (for encoders and tests).
    #[cfg(test)]
    pub(crate) fn sign_chunk(&mut self, data: &[u8]) -> String {
        let sig = self.expected_chunk(&Sha256::digest(data).into());
        self.previous = sig;
        hex::encode(sig)
    }

    /// Signs trailing headers and advances the chain (for encoders and tests).
    #[cfg(test)]
    pub(crate) fn sign_trailers(&mut self, trailers: &[(&str, &str)]) -> String {
        let mut canonical = Vec::new();
        for (name, value) in trailers {
            push_canonical_trailer(&mut canonical, &name.to_ascii_lowercase(), trim(value));
        }
        let sig = self.expected_trailer(&canonical);
        self.previous = sig;
        hex::encode(sig)
    }

    pub(super) fn expected_chunk(&self, data_sha256: &[u8; 32]) -> [u8; 32] {
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{}\n{}",
            self.amz_date,
            self.scope,
            hex::encode(self.previous),
            EMPTY_SHA256,
            hex::encode(data_sha256)
        );
        self.key.sign(sts.as_bytes())
    }

    pub(super) fn expected_trailer(&self, canonical_trailers: &[u8]) -> [u8; 32] {
        let sts = format!(
            "AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{}\n{}",
            self.amz_date,
            self.scope,
            hex::encode(self.previous),
            hex::encode(Sha256::digest(canonical_trailers))
        );
        self.key.sign(sts.as_bytes())
    }

    /// Checks `claimed` as the next link and advances the chain on success.
    pub(super) fn check(&mut self, expected: [u8; 32], claimed: &[u8; 32]) -> bool {
        let ok = bool::from(expected.ct_eq(claimed));
        if ok {
            self.previous = expected;
        }
        ok
    }
}

pub(super) fn trim(value: &str) -> &str {
    value.trim_matches(|c| c == ' ' || c == '\t')
}

pub(super) fn push_canonical_trailer(out: &mut Vec<u8>, name: &str, value: &str) {
    out.extend_from_slice(name.as_bytes());
    out.push(b':');
    out.extend_from_slice(value.as_bytes());
    out.push(b'\n');
}
