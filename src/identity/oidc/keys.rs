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
    /// Where the issuer's discovery document says (`jwks_uri`).
    Discover,
}

/// The operator's key sources by issuer URL (`PREDASTORE_OIDC_JWKS`).
/// When it lists none, any HTTPS issuer is trusted through its discovery
/// document (`<issuer>/.well-known/openid-configuration`); when it lists
/// some, only those.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeySources(pub(super) Vec<(String, KeySource)>);

/// An issuer URL as sources and the cache know it: no trailing '/'.
fn issuer_key(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}

impl KeySources {
    /// Parses entries `<issuer URL>=<JWKS file path, JWKS URL or
    /// "discover">`, separated by commas or white space.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let mut out = Vec::new();
        for entry in text.split([',', ' ', '\n', '\t']).filter(|e| !e.is_empty()) {
            let (issuer, source) = entry
                .split_once('=')
                .ok_or_else(|| format!("{entry}: expected <issuer URL>=<JWKS file or URL>"))?;
            if provider_host(issuer).is_none() {
                return Err(format!("{issuer}: not an http:// or https:// issuer URL"));
            }
            let source = if source == "discover" {
                KeySource::Discover
            } else if source.starts_with("http://") || source.starts_with("https://") {
                KeySource::Url(source.to_string())
            } else if source.is_empty() {
                return Err(format!("{entry}: no JWKS file or URL"));
            } else {
                KeySource::File(PathBuf::from(source))
            };
            out.push((issuer_key(issuer), source));
        }
        Ok(Self(out))
    }

    /// Where the keys of `issuer` are read; `None`: it is not trusted.
    fn source(&self, issuer: &str) -> Option<KeySource> {
        let issuer = issuer_key(issuer);
        if self.0.is_empty() {
            return issuer
                .starts_with("https://")
                .then_some(KeySource::Discover);
        }
        self.0
            .iter()
            .find(|(i, _)| i.eq_ignore_ascii_case(&issuer))
            .map(|(_, s)| s.clone())
    }
}

/// One usable key of a set: its id and the key.
type KeyList = Vec<(Option<String>, DecodingKey)>;

/// A provider's keys as last fetched, and how the last fetch went.
struct Cached {
    /// The last keys read (none yet: empty).
    keys: Arc<KeyList>,
    /// When the last fetch was tried.
    tried: Instant,
    /// Why the last fetch failed, if it did.
    failure: Option<String>,
}

/// Providers' signing keys, fetched when needed and cached per issuer.
/// One fetch runs at a time, and a failed one is not tried again for
/// [`REFETCH_AFTER`], so tokens naming a provider that does not answer
/// cannot tie up the blocking threads.
pub(crate) struct ProviderKeys {
    sources: KeySources,
    cache: Mutex<HashMap<String, Cached>>,
    fetching: tokio::sync::Mutex<()>,
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
            fetching: tokio::sync::Mutex::new(()),
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
        let source = self.sources.source(provider_url).ok_or_else(|| {
            WebTokenError::Untrusted(format!(
                "This store does not trust the OpenID provider {provider_url} (PREDASTORE_OIDC_JWKS)."
            ))
        })?;
        let issuer = issuer_key(provider_url);
        let mut keys = self.keys(&issuer, &source, false).await?;
        if !has_key(&keys, header.kid.as_deref()) {
            // Rotated keys: fetch again (at most every REFETCH_AFTER).
            keys = self.keys(&issuer, &source, true).await?;
        }
        let mut last = WebTokenError::Untrusted(format!(
            "The token's signing key {} is not among the provider's keys.",
            header.kid.as_deref().unwrap_or("(no kid)")
        ));
        // The key the token names; else those that name none.
        let named: Vec<_> = keys
            .iter()
            .filter(|(kid, _)| header.kid.is_some() && kid.as_deref() == header.kid.as_deref())
            .collect();
        let candidates = if named.is_empty() {
            keys.iter()
                .filter(|(kid, _)| kid.is_none() || header.kid.is_none())
                .collect()
        } else {
            named
        };
        for (_, key) in candidates {
            match check(token, key, header.alg, host, client_ids) {
                Ok(t) => return Ok(t),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The keys of `issuer`: cached ones while fresh (`refresh`: unless
    /// tried less than [`REFETCH_AFTER`] ago), else fetched from `source`;
    /// the last ones kept when a fetch fails.
    async fn keys(
        &self,
        issuer: &str,
        source: &KeySource,
        refresh: bool,
    ) -> Result<Arc<KeyList>, WebTokenError> {
        let limit = if refresh { REFETCH_AFTER } else { FRESH };
        if let Some(known) = self.cached(issuer, limit) {
            return known;
        }
        let _turn = self.fetching.lock().await;
        // Fetched by another request while this one waited?
        if let Some(known) = self.cached(issuer, REFETCH_AFTER.min(limit)) {
            return known;
        }
        let agent = self.agent.clone();
        let (source, url) = (source.clone(), issuer.to_string());
        let fetched = tokio::task::spawn_blocking(move || fetch(&agent, &source, &url))
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let entry = cache.entry(issuer.to_string()).or_insert_with(|| Cached {
            keys: Arc::new(Vec::new()),
            tried: Instant::now(),
            failure: None,
        });
        entry.tried = Instant::now();
        match fetched {
            Ok(keys) => {
                if entry.failure.take().is_some() {
                    tracing::info!(provider = %issuer, "the OpenID provider's keys can be read again");
                }
                entry.keys = Arc::new(keys);
            }
            Err(e) => {
                if entry.failure.is_none() {
                    tracing::warn!(provider = %issuer, error = %e, "cannot fetch the OpenID provider's keys; the last ones (if any) stay in use");
                }
                entry.failure = Some(e);
            }
        }
        Self::known(entry)
    }

    /// The cached keys of `issuer` if tried less than `limit` ago.
    fn cached(&self, issuer: &str, limit: Duration) -> Option<Result<Arc<KeyList>, WebTokenError>> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let entry = cache.get(issuer).filter(|c| c.tried.elapsed() < limit)?;
        Some(Self::known(entry))
    }

    /// An entry's keys, or why there are none.
    fn known(entry: &Cached) -> Result<Arc<KeyList>, WebTokenError> {
        match &entry.failure {
            Some(e) if entry.keys.is_empty() => Err(WebTokenError::KeysUnavailable(e.clone())),
            _ => Ok(entry.keys.clone()),
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

/// Reads the key set of `issuer` from `source`.
fn fetch(agent: &ureq::Agent, source: &KeySource, issuer: &str) -> Result<KeyList, String> {
    let text = match source {
        KeySource::File(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        KeySource::Url(url) => get(agent, url)?,
        KeySource::Discover => {
            let discovery = format!("{issuer}/.well-known/openid-configuration");
            let doc: Value = serde_json::from_str(&get(agent, &discovery)?)
                .map_err(|e| format!("{discovery}: not JSON: {e}"))?;
            // The document must be the issuer's own.
            let named = doc.get("issuer").and_then(Value::as_str).map(issuer_key);
            if named.as_deref() != Some(issuer) {
                return Err(format!("{discovery}: names another issuer ({named:?})"));
            }
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
