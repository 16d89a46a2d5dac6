//! One token: its claims read, its signature, issuer, audience and times
//! checked against a key of its provider.

use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

/// Why a web identity token is refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WebTokenError {
    /// Not a JWT, or not one this store can check (its algorithm, its
    /// claims' shapes).
    #[error("{0}")]
    Malformed(String),
    /// Past its `exp`.
    #[error("Token expired: current date/time must be before the expiration date/time {0}")]
    Expired(i64),
    /// A JWT, but not one the provider signed for this use: an unknown
    /// key, a bad signature, another issuer or audience, not yet valid.
    #[error("{0}")]
    Untrusted(String),
    /// The provider's keys could not be fetched or read.
    #[error("{0}")]
    KeysUnavailable(String),
}

/// The algorithms taken: the asymmetric ones (a symmetric key would be
/// a secret the provider shares with everyone who verifies).
pub(super) const ALGORITHMS: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// A provider's URL without its scheme and trailing '/': how IAM names
/// it (the end of its ARN, the prefix of its condition keys).
/// A host naming one of AWS's services (`aws`, `s3`, `iam`, `sts`) is
/// refused: its claims would read as those services' condition keys.
pub(crate) fn provider_host(url: &str) -> Option<&str> {
    let host = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?
        .trim_end_matches('/');
    let reserved = ["aws", "s3", "iam", "sts"]
        .iter()
        .any(|s| host.eq_ignore_ascii_case(s));
    (!host.is_empty() && !reserved).then_some(host)
}

/// The issuer a token claims, read before its signature is checked (to
/// find the provider whose keys check it).
pub(crate) fn claimed_issuer(token: &str) -> Result<String, WebTokenError> {
    let claims: Map<String, Value> = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|e| WebTokenError::Malformed(format!("The token is not a valid JWT: {e}")))?;
    match claims.get("iss") {
        Some(Value::String(iss)) if !iss.is_empty() => Ok(iss.clone()),
        _ => Err(WebTokenError::Malformed(
            "The token has no issuer (iss).".into(),
        )),
    }
}

/// A checked token's claims.
#[derive(Debug, Clone)]
pub(crate) struct WebToken {
    /// The `sub` claim (empty when absent).
    pub subject: String,
    /// The client id it was issued for: the `aud` value the provider
    /// lists, or `azp`.
    pub audience: String,
    /// Every claim, for the trust policy's condition keys.
    claims: Map<String, Value>,
}

impl WebToken {
    /// The trust policy's condition keys of this token from provider
    /// `host`: `<host>:<claim>` for each claim that is a string, number,
    /// boolean or a list of them (`aud` with the client id it matched).
    pub(crate) fn condition_keys(&self, host: &str) -> Vec<(String, String)> {
        let mut keys = Vec::new();
        for (name, value) in &self.claims {
            let key = format!("{host}:{name}");
            if name == "aud" {
                keys.push((key, self.audience.clone()));
                continue;
            }
            match value {
                Value::Array(items) => {
                    keys.extend(items.iter().filter_map(scalar).map(|v| (key.clone(), v)));
                }
                other => keys.extend(scalar(other).map(|v| (key, v))),
            }
        }
        keys
    }
}

/// A claim value as a condition value.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The strings of a claim that is a string or a list of strings.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Checks `token` against `key` (already chosen by its `kid`): the
/// signature, `exp` and `nbf` (a minute's leeway), the issuer (`host`,
/// any scheme), and the audience (one of `client_ids`: `aud`, or `azp`
/// when there is no `aud`; none registered, none taken).
pub(super) fn check(
    token: &str,
    key: &jsonwebtoken::DecodingKey,
    algorithm: Algorithm,
    host: &str,
    client_ids: &[String],
) -> Result<WebToken, WebTokenError> {
    let mut validation = Validation::new(algorithm);
    validation.validate_aud = false;
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "iss"]);
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind;
        match e.kind() {
            ErrorKind::ExpiredSignature => WebTokenError::Expired(0),
            ErrorKind::InvalidSignature => {
                WebTokenError::Untrusted("The token's signature is not valid.".into())
            }
            ErrorKind::ImmatureSignature => {
                WebTokenError::Untrusted("The token is not valid yet (nbf).".into())
            }
            _ => WebTokenError::Malformed(format!("The token cannot be read: {e}")),
        }
    });
    let claims = match data {
        Ok(d) => d.claims,
        Err(WebTokenError::Expired(_)) => {
            let claims: Map<String, Value> =
                jsonwebtoken::dangerous::insecure_decode_claims(token).unwrap_or_default();
            let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
            return Err(WebTokenError::Expired(exp));
        }
        Err(e) => return Err(e),
    };
    let issuer = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    if !provider_host(issuer).is_some_and(|h| h.eq_ignore_ascii_case(host)) {
        return Err(WebTokenError::Untrusted(format!(
            "The token's issuer {issuer} is not the provider's."
        )));
    }
    // The client the token is for: `aud`, else `azp`; it must be one the
    // account registered (a provider signs tokens for every client).
    let aud = strings(claims.get("aud"));
    let for_clients = if aud.is_empty() {
        strings(claims.get("azp"))
    } else {
        aud
    };
    let audience = for_clients
        .iter()
        .find(|a| client_ids.iter().any(|c| c == *a))
        .map(|a| a.to_string())
        .ok_or_else(|| WebTokenError::Untrusted("Incorrect token audience".into()))?;
    let subject = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(WebToken {
        subject,
        audience,
        claims,
    })
}
