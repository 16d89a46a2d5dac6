//! The SigV4 signing key and HMAC-SHA256.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The derived SigV4 signing key (`kSigning`) for one date/region/service.
///
/// Kept so the chunked decoder can verify chunk and trailer signatures
/// without the secret. `Debug` does not print the key.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct SigningKey([u8; 32]);

impl SigningKey {
    /// Derives `kSigning` from the secret access key and the scope parts.
    pub(crate) fn derive(secret: &str, date: &str, region: &str, service: &str) -> Self {
        let mut k_secret = Vec::with_capacity(4 + secret.len());
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret.as_bytes());
        let k_date = hmac_sha256(&k_secret, &[date.as_bytes()]);
        let k_region = hmac_sha256(&k_date, &[region.as_bytes()]);
        let k_service = hmac_sha256(&k_region, &[service.as_bytes()]);
        SigningKey(hmac_sha256(&k_service, &[b"aws4_request"]))
    }

    /// HMAC-SHA256 of `message` under this key: the raw signature bytes.
    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.0, &[message])
    }

    /// Lower-case hex signature of `message`, as sent on the wire.
    pub(crate) fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.sign(message))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// HMAC-SHA256 over the concatenation of `parts`.
///
/// The key is brought to the SHA-256 block size as RFC 2104 prescribes, so
/// the fixed-size (infallible) constructor can be used for any key length.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests;
