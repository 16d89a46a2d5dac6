//! Identity: where the OpenID providers accounts trust for web identity
//! publish their signing keys.

use serde::{Deserialize, Serialize};

use super::error::ConfigError;
use crate::identity::oidc::KeySources;

/// Web identity settings.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct IdentitySettings {
    /// `PREDASTORE_OIDC_JWKS`: where OpenID providers' signing keys
    /// (JWKS) are read, as `<issuer URL>=<JWKS file or URL>` entries
    /// separated by commas, e.g.
    /// `https://sso.example.com/realms/main=/etc/predastore/jwks.json`.
    /// A provider not listed is asked its issuer's discovery document
    /// (`<issuer>/.well-known/openid-configuration`, over HTTPS with the
    /// system's roots). Accounts still register each provider they trust
    /// (IAM `CreateOpenIDConnectProvider`). Default unset: discovery.
    pub oidc_jwks: Option<String>,
}

impl IdentitySettings {
    /// The parsed key sources.
    pub(crate) fn key_sources(&self) -> Result<KeySources, ConfigError> {
        KeySources::parse(self.oidc_jwks.as_deref().unwrap_or_default())
            .map_err(|e| ConfigError(format!("PREDASTORE_OIDC_JWKS: {e}")))
    }
}
