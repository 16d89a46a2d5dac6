//! Master keys: what seals each object's data key for SSE-S3 and SSE-KMS.
//!
//! The store never keeps a master key in its metadata or on its data
//! disks: the operator gives them to every gateway
//! (`PREDASTORE_KMS_KEYS` or a key file), each under a name (the KMS key
//! id clients send), one of them the default. Rotation is a new default;
//! the old keys stay listed to open the objects they sealed until
//! `predastore admin kms rewrap` has moved those onto another key.
//!
//! A provider is a small trait so another one (an external KMS over its
//! HTTP API) can stand in for the built-in [`MasterKeys`].

use std::collections::BTreeMap;
use std::fmt;

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};

use super::data_key::{DataKey, SseError};

/// Version byte of a sealed data key.
const SEALED_VERSION: u8 = 1;

/// Bytes of a sealed data key: version, nonce, key, tag.
const SEALED_BYTES: usize = 1 + 12 + 32 + 16;

/// Seals and opens data keys under named master keys.
pub(crate) trait KeyProvider: Send + Sync {
    /// The key SSE-S3 objects, and SSE-KMS ones naming none, are sealed
    /// under (`None`: no key is configured).
    fn default_key(&self) -> Option<&str>;
    /// The ids of every key it can open with.
    fn key_ids(&self) -> Vec<String>;
    /// Whether it holds key `key_id`.
    fn holds(&self, key_id: &str) -> bool;
    /// Seals `data_key` under master key `key_id`, bound to `context`.
    fn seal(&self, key_id: &str, data_key: &DataKey, context: &[u8]) -> Result<Vec<u8>, SseError>;
    /// Opens a data key [`KeyProvider::seal`] sealed under `key_id` with
    /// `context`.
    fn open(&self, key_id: &str, sealed: &[u8], context: &[u8]) -> Result<DataKey, SseError>;
}

/// Seals `data_key` under the 256-bit `key` (a master key or a customer's
/// own), bound to `context`: version byte, random nonce, sealed key and
/// tag.
pub(crate) fn seal_with(
    key: &[u8; 32],
    data_key: &DataKey,
    context: &[u8],
) -> Result<Vec<u8>, SseError> {
    let mut nonce = [0u8; 12];
    aws_lc_rs::rand::fill(&mut nonce).map_err(|_| SseError::Random)?;
    let mut out = Vec::with_capacity(SEALED_BYTES);
    out.push(SEALED_VERSION);
    out.extend_from_slice(&nonce);
    let mut body = data_key.bytes().to_vec();
    let tag = aead_key(key)
        .seal_in_place_separate_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context),
            &mut body,
        )
        .map_err(|_| SseError::Damaged)?;
    out.extend_from_slice(&body);
    out.extend_from_slice(tag.as_ref());
    Ok(out)
}

/// Opens what [`seal_with`] sealed with the same key and context.
pub(crate) fn open_with(
    key: &[u8; 32],
    sealed: &[u8],
    context: &[u8],
) -> Result<DataKey, SseError> {
    let [SEALED_VERSION, rest @ ..] = sealed else {
        return Err(SseError::Damaged);
    };
    if sealed.len() != SEALED_BYTES {
        return Err(SseError::Damaged);
    }
    let (nonce, body) = rest.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| SseError::Damaged)?;
    let mut body = body.to_vec();
    let plain = aead_key(key)
        .open_in_place(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context),
            &mut body,
        )
        .map_err(|_| SseError::Damaged)?;
    let bytes: [u8; 32] = (&*plain).try_into().map_err(|_| SseError::Damaged)?;
    Ok(DataKey::from_bytes(bytes))
}

fn aead_key(key: &[u8; 32]) -> LessSafeKey {
    // A 32-byte key for AES-256 always loads.
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .unwrap_or_else(|_| unreachable!("a 32-byte AES-256 key"))
}

/// The built-in provider: 256-bit master keys the operator configured.
pub(crate) struct MasterKeys {
    keys: BTreeMap<String, [u8; 32]>,
    default: Option<String>,
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKeys")
            .field("ids", &self.keys.keys().collect::<Vec<_>>())
            .field("default", &self.default)
            .finish()
    }
}

/// A master key list that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum MasterKeyError {
    /// An entry (the n-th, from 1) is not `id:base64-of-32-bytes`.
    #[error("master key entry {0} is not `id:<base64 of 32 bytes>`")]
    Malformed(usize),
    /// Two entries share an id.
    #[error("master key id {0:?} is given twice")]
    Duplicate(String),
    /// The default names no listed key.
    #[error("the default master key {0:?} is not among the keys given")]
    UnknownDefault(String),
}

impl MasterKeys {
    /// Keys from `entries` (`id:<base64>` each, separated by commas or new
    /// lines; `#` starts a comment line), the default being `default` or
    /// else the first listed.
    pub(crate) fn parse(entries: &str, default: Option<&str>) -> Result<Self, MasterKeyError> {
        use base64::Engine as _;
        let mut keys = BTreeMap::new();
        let mut first = None;
        for (n, entry) in entries
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty() && !e.starts_with('#'))
            .enumerate()
        {
            // Named by its place, never by its text: it may be a key.
            let malformed = || MasterKeyError::Malformed(n + 1);
            let (id, key) = entry.split_once(':').ok_or_else(malformed)?;
            let id = id.trim();
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(key.trim())
                .map_err(|_| malformed())?;
            let key: [u8; 32] = bytes.try_into().map_err(|_| malformed())?;
            if id.is_empty() {
                return Err(malformed());
            }
            if keys.insert(id.to_string(), key).is_some() {
                return Err(MasterKeyError::Duplicate(id.to_string()));
            }
            first.get_or_insert_with(|| id.to_string());
        }
        let default = match default.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) if keys.contains_key(d) => Some(d.to_string()),
            Some(d) => return Err(MasterKeyError::UnknownDefault(d.to_string())),
            None => first,
        };
        Ok(MasterKeys { keys, default })
    }

    fn key(&self, id: &str) -> Result<&[u8; 32], SseError> {
        self.keys
            .get(id)
            .ok_or_else(|| SseError::UnknownKey(id.to_string()))
    }
}

impl KeyProvider for MasterKeys {
    fn default_key(&self) -> Option<&str> {
        self.default.as_deref()
    }

    fn key_ids(&self) -> Vec<String> {
        self.keys.keys().cloned().collect()
    }

    fn holds(&self, key_id: &str) -> bool {
        self.keys.contains_key(key_id)
    }

    fn seal(&self, key_id: &str, data_key: &DataKey, context: &[u8]) -> Result<Vec<u8>, SseError> {
        seal_with(self.key(key_id)?, data_key, context)
    }

    fn open(&self, key_id: &str, sealed: &[u8], context: &[u8]) -> Result<DataKey, SseError> {
        open_with(self.key(key_id)?, sealed, context)
    }
}
