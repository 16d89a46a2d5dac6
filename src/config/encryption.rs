//! Encryption at rest: the master keys that seal objects' data keys
//! (SSE-S3, SSE-KMS), and whether SSE-C keys may come over plain HTTP.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use crate::object::sse::MasterKeys;

/// Master keys and SSE-C transport.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EncryptionSettings {
    /// `PREDASTORE_KMS_KEYS`: master keys as `id:<base64 of 32 bytes>`,
    /// separated by commas; the ids are the KMS key ids clients name
    /// (`x-amz-server-side-encryption-aws-kms-key-id`). Every gateway must
    /// have the same keys. Never logged. Default unset: SSE-S3 and SSE-KMS
    /// are refused (`501 NotImplemented`), SSE-C still works.
    pub kms_keys: Option<String>,
    /// `PREDASTORE_KMS_KEY_FILE`: a file of master keys, one
    /// `id:<base64>` per line (`#` comments), read at start-up, besides
    /// `PREDASTORE_KMS_KEYS`. Default unset.
    pub kms_key_file: Option<PathBuf>,
    /// `PREDASTORE_KMS_DEFAULT_KEY`: the id of the key new SSE-S3 objects
    /// (and SSE-KMS ones naming no key) are sealed under; rotation is a new
    /// default, the old keys kept to open what they sealed. Default: the
    /// first key listed (the file's after the variable's).
    pub kms_default_key: Option<String>,
    /// `PREDASTORE_SSE_C_ALLOW_HTTP`: **tests only**: take SSE-C keys over
    /// plain HTTP too (as the conformance suite sends them). Default false:
    /// SSE-C needs HTTPS, as on AWS.
    pub sse_c_allow_http: bool,
}

impl std::fmt::Debug for EncryptionSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptionSettings")
            .field("kms_keys", &self.kms_keys.as_ref().map(|_| "<set>"))
            .field("kms_key_file", &self.kms_key_file)
            .field("kms_default_key", &self.kms_default_key)
            .field("sse_c_allow_http", &self.sse_c_allow_http)
            .finish()
    }
}

impl EncryptionSettings {
    /// The configured master keys (none when none is set).
    pub(crate) fn master_keys(&self) -> Result<MasterKeys, ConfigError> {
        let mut entries = self.kms_keys.clone().unwrap_or_default();
        if let Some(path) = &self.kms_key_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                ConfigError(format!(
                    "PREDASTORE_KMS_KEY_FILE: cannot read {}: {e}",
                    path.display()
                ))
            })?;
            entries.push('\n');
            entries.push_str(&text);
        }
        MasterKeys::parse(&entries, self.kms_default_key.as_deref())
            .map_err(|e| ConfigError(format!("PREDASTORE_KMS_KEYS: {e}")))
    }
}
