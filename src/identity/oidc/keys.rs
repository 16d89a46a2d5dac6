//! An OpenID provider's signing keys: where they come from (a file or a
//! URL the operator names, or else the issuer's discovery document) and
//! a cache of them, refreshed every few minutes and when a token names a
//! key the cache does not have (the provider rotated its keys).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use jsonwebtoken::DecodingKey;
use serde_json::Value;

use super::token::{check, provider_host, WebToken, WebTokenError, ALGORITHMS};

/// How long fetched keys are used before they are fetched again.
const FRESH: Duration = Duration::from_secs(600);

/// How soon after a fetch a token naming an unknown key may fetch again.
const REFETCH_AFTER: Duration = Duration::from_secs(5);

/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Where one provider's key set (JWKS) is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeySource {
    /// A JWKS file on this machine.
    File(PathBuf),
    /// A JWKS URL (`http://` or `https://`).
    Url(String),
}

/// The operator's key sources by provider (`PREDASTORE_OIDC_JWKS`);
/// a provider not listed publishes its keys where its discovery document
/// (`<issuer>/.well-known/openid-configuration`) says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeySources(pub(super) Vec<(String, KeySource)>);

impl KeySources {
    /// Parses entries `<issuer URL>=<JWKS file path or URL>`, separated by
    /// commas or white space.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for entry in text.split([',', ' ', '\n', '\t']).filter(|e| !e.is_empty()) {
            let (issuer, source) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry}: expected <issuer URL>=<JWKS file or URL>"))?;
            let host = provider_host(issuer)
                .ok_or_else(|| format!("{issuer}: not an http:// or https:// issuer URL"))?;
            let source = if source.starts_with("http://") || source.starts_with("https://") {
                KeySource::Url(source.to_string())
            } else if source.is_empty() {
                return Err(format!("{entry}: no JWKS file or URL"));
            } else {
                KeySource::File(PathBuf::from(source))
            };
            out.push((host.to_ascii_lowercase(), source));
        }
        Ok(Self(out))
    }

    fn get(&self, host: &str) -> Option<&KeySource> {
        let host = host.to_ascii_lowercase();
        self.0.iter().find(|(h, _)| *h == host).map(|(_, s)| s)
    }
}

/// One usable key of a set: its id and the key.
type KeyList = Vec<(Option<String>, DecodingKey)>;

/// A provider's keys as last fetched.
struct Cached {
    keys: Arc<KeyList>,
    fetched: Instant,
}

/// Providers' signing keys, fetched when needed and cached per provider.
pub(crate) struct ProviderKeys {
    sources: KeySources,
    cache: Mutex<HashMap<String, Cached>>,
    agent: ureq::Agent,
}

impl ProviderKeys {
    /// Keys read from `sources`, or from providers' discovery documents.
    pub(crate) fn new(sources: KeySources) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::Rustls)
            .root_certs(ureq::tls::RootCerts::PlatformVerifier)
            .unversioned_rustls_crypto_provider(Arc::new(
                rustls::crypto::aws_lc_rs::default_provider(),
            ))
            .build();
        let agent = ureq::Agent::config_builder()
            .tls_config(tls)
            .timeout_global(Some(FETCH_TIMEOUT))
            .build()
            .into();
        Self {
            sources,
            cache: Mutex::new(HashMap::new()),
            agent,
        }
    }

    /// Checks `token` as issued by the provider registered as
    /// `provider_url` for one of `client_ids`.
    pub(crate) async fn verify(
        &self,
        token: &str,
        provider_url: &str,
        client_ids: &[String],
    ) -> Result<WebToken, WebTokenError> {
        let host = provider_host(provider_url)
            .ok_or_else(|| WebTokenError::Untrusted(format!("{provider_url} is not a URL")))?;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| WebTokenError::Malformed(format!("The token is not a valid JWT: {e}")))?;
        if !ALGORITHMS.contains(&header.alg) {
            return Err(WebTokenError::Malformed(format!(
                "The token's algorithm {:?} is not taken (asymmetric ones only).",
                header.alg
            )));
        }
        let mut keys = self.keys(host, provider_url, false).await?;
        if !has_key(&keys, header.kid.as_deref()) {
            // Rotated keys: fetch again (at most every REFETCH_AFTER).
            keys = self.keys(host, provider_url, true).await?;
        }
        let mut last = WebTokenError::Untrusted(format!(
            "The token's signing key {} is not among the provider's keys.",
            header.kid.as_deref().unwrap_or("(no kid)")
        ));
        for (_, key) in keys
            .iter()
            .filter(|(kid, _)| header.kid.is_none() || kid.as_deref() == header.kid.as_deref())
        {
            match check(token, key, header.alg, host, client_ids) {
                Ok(t) => return Ok(t),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The keys of provider `host`: cached ones while fresh (`refresh`:
    /// unless fetched less than [`REFETCH_AFTER`] ago), else fetched; the
    /// last ones kept when a fetch fails.
    async fn keys(
        &self,
        host: &str,
        provider_url: &str,
        refresh: bool,
    ) -> Result<Arc<KeyList>, WebTokenError> {
        let cached = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            cache
                .get(host)
                .map(|c| (c.keys.clone(), c.fetched.elapsed()))
        };
        if let Some((keys, age)) = &cached {
            let limit = if refresh { REFETCH_AFTER } else { FRESH };
            if *age < limit {
                return Ok(keys.clone());
            }
        }
        let source = self.sources.get(host).cloned();
        let agent = self.agent.clone();
        let issuer = provider_url.trim_end_matches('/').to_string();
        let fetched = tokio::task::spawn_blocking(move || fetch(&agent, source, &issuer))
            .await
            .map_err(|e| WebTokenError::KeysUnavailable(e.to_string()))
            .and_then(|r| r.map_err(WebTokenError::KeysUnavailable));
        match (fetched, cached) {
            (Ok(keys), _) => {
                let keys = Arc::new(keys);
                let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                cache.insert(
                    host.to_string(),
                    Cached {
                        keys: keys.clone(),
                        fetched: Instant::now(),
                    },
                );
                Ok(keys)
            }
            (Err(e), Some((keys, _))) => {
                tracing::warn!(provider = %host, error = %e, "cannot fetch the OpenID provider's keys; using the last ones");
                Ok(keys)
            }
            (Err(e), None) => {
                tracing::warn!(provider = %host, error = %e, "cannot fetch the OpenID provider's keys");
                Err(e)
            }
        }
    }
}

/// Whether `keys` has the key a token names (any key when it names none).
fn has_key(keys: &KeyList, kid: Option<&str>) -> bool {
    match kid {
        None => !keys.is_empty(),
        Some(kid) => keys.iter().any(|(k, _)| k.as_deref() == Some(kid)),
    }
}

/// Reads a key set from `source`, or from the discovery document of
/// `issuer`.
fn fetch(agent: &ureq::Agent, source: Option<KeySource>, issuer: &str) -> Result<KeyList, String> {
    let text = match source {
        Some(KeySource::File(path)) => std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        Some(KeySource::Url(url)) => get(agent, &url)?,
        None => {
            let discovery = format!("{issuer}/.well-known/openid-configuration");
            let doc: Value = serde_json::from_str(&get(agent, &discovery)?)
                .map_err(|e| format!("{discovery}: not JSON: {e}"))?;
            let jwks_uri = doc
                .get("jwks_uri")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{discovery}: no jwks_uri"))?;
            get(agent, jwks_uri)?
        }
    };
    parse_key_set(&text)
}

fn get(agent: &ureq::Agent, url: &str) -> Result<String, String> {
    agent
        .get(url)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .map_err(|e| format!("{url}: {e}"))
}

/// The signing keys of a JWKS document; keys this store cannot use
/// (encryption keys, unknown types) are skipped.
pub(super) fn parse_key_set(text: &str) -> Result<KeyList, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("key set is not JSON: {e}"))?;
    let items = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("key set has no \"keys\" list")?;
    let keys = items
        .iter()
        .filter_map(|v| serde_json::from_value::<Jwk>(v.clone()).ok())
        .filter(|jwk| !matches!(jwk.common.public_key_use, Some(PublicKeyUse::Encryption)))
        .filter_map(|jwk| {
            let key = DecodingKey::from_jwk(&jwk).ok()?;
            Some((jwk.common.key_id.clone(), key))
        })
        .collect();
    Ok(keys)
}
