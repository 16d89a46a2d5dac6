use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::keys::{parse_key_set, KeySource, KeySources};
use super::token::{check, WebToken};
use super::*;

const KEY_A: &str = include_str!("../../../tests/fixtures/oidc/key-a.pem");
const KEY_B: &str = include_str!("../../../tests/fixtures/oidc/key-b.pem");
const JWKS_A: &str = include_str!("../../../tests/fixtures/oidc/jwks-a.json");

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn sign(pem: &str, kid: &str, claims: serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("test key");
    jsonwebtoken::encode(&header, &claims, &key).expect("sign")
}

fn claims(aud: serde_json::Value, exp: i64) -> serde_json::Value {
    json!({"iss": "https://idp.test/realms/demo", "sub": "alice", "aud": aud, "exp": exp,
           "groups": ["finance", "ops"], "email_verified": true})
}

fn check_with(token: &str, client_ids: &[&str]) -> Result<WebToken, WebTokenError> {
    let keys = parse_key_set(JWKS_A).expect("jwks");
    let ids: Vec<String> = client_ids.iter().map(|s| s.to_string()).collect();
    check(
        token,
        &keys[0].1,
        Algorithm::RS256,
        "idp.test/realms/demo",
        &ids,
    )
}

#[test]
fn key_set_keeps_signing_keys_only() {
    let keys = parse_key_set(JWKS_A).expect("jwks");
    assert_eq!(keys.len(), 1, "the encryption key is skipped");
    assert_eq!(keys[0].0.as_deref(), Some("k1"));
    assert!(parse_key_set("{").is_err());
    assert!(parse_key_set("{\"nokeys\":[]}").is_err());
}

#[test]
fn a_good_token_gives_its_claims_as_condition_keys() {
    let token = sign(KEY_A, "k1", claims(json!(["other", "app"]), now() + 600));
    assert_eq!(
        claimed_issuer(&token).expect("iss"),
        "https://idp.test/realms/demo"
    );
    let t = check_with(&token, &["app"]).expect("valid");
    assert_eq!((t.subject.as_str(), t.audience.as_str()), ("alice", "app"));
    let keys = t.condition_keys("idp.test/realms/demo");
    let has = |k: &str, v: &str| keys.iter().any(|(a, b)| a == k && b == v);
    assert!(has("idp.test/realms/demo:sub", "alice"));
    assert!(has("idp.test/realms/demo:aud", "app"));
    assert!(!has("idp.test/realms/demo:aud", "other"));
    assert!(has("idp.test/realms/demo:groups", "ops"));
    assert!(has("idp.test/realms/demo:email_verified", "true"));
}

#[test]
fn refusals() {
    // Another audience.
    let token = sign(KEY_A, "k1", claims(json!("other"), now() + 600));
    assert!(matches!(
        check_with(&token, &["app"]),
        Err(WebTokenError::Untrusted(_))
    ));
    // Expired (beyond the minute's leeway).
    let token = sign(KEY_A, "k1", claims(json!("app"), now() - 120));
    assert!(matches!(
        check_with(&token, &["app"]),
        Err(WebTokenError::Expired(_))
    ));
    // Signed by another key under the provider's key id.
    let token = sign(KEY_B, "k1", claims(json!("app"), now() + 600));
    assert!(matches!(
        check_with(&token, &["app"]),
        Err(WebTokenError::Untrusted(_))
    ));
    // Another issuer.
    let mut c = claims(json!("app"), now() + 600);
    c["iss"] = json!("https://evil.test/realms/demo");
    let token = sign(KEY_A, "k1", c);
    assert!(matches!(
        check_with(&token, &["app"]),
        Err(WebTokenError::Untrusted(_))
    ));
    // Not a JWT; a token without expiry.
    assert!(matches!(
        check_with("a.b.c", &["app"]),
        Err(WebTokenError::Malformed(_))
    ));
    assert!(claimed_issuer("not-a-token").is_err());
    let token = sign(
        KEY_A,
        "k1",
        json!({"iss": "https://idp.test/realms/demo", "aud": "app"}),
    );
    assert!(check_with(&token, &["app"]).is_err());
}

#[test]
fn audiences_must_be_registered_and_times_hold() {
    // No client id registered: no token is taken.
    let token = sign(KEY_A, "k1", claims(json!("app"), now() + 600));
    assert!(matches!(
        check_with(&token, &[]),
        Err(WebTokenError::Untrusted(_))
    ));
    // `azp` counts only without `aud`.
    let mut c = claims(json!("other"), now() + 600);
    c["azp"] = json!("app");
    let token = sign(KEY_A, "k1", c.clone());
    assert!(matches!(
        check_with(&token, &["app"]),
        Err(WebTokenError::Untrusted(_))
    ));
    c.as_object_mut().expect("object").remove("aud");
    let token = sign(KEY_A, "k1", c);
    assert_eq!(check_with(&token, &["app"]).expect("azp").audience, "app");
    // Not valid before `nbf` (beyond the leeway).
    let mut c = claims(json!("app"), now() + 600);
    c["nbf"] = json!(now() + 300);
    let token = sign(KEY_A, "k1", c);
    assert!(matches!(
        check_with(&token, &["app"]),
        Err(WebTokenError::Untrusted(_))
    ));
    // A provider named like one of AWS's services is no provider.
    assert_eq!(provider_host("https://aws"), None);
    assert_eq!(provider_host("https://sts/"), None);
    assert_eq!(
        provider_host("https://sso.example.com/"),
        Some("sso.example.com")
    );
}

#[test]
fn key_sources_parse() {
    let s = KeySources::parse(
        "https://idp.test/realms/demo/=/etc/jwks.json, http://b.test=https://b.test/certs http://c.test=discover",
    )
    .expect("parse");
    assert_eq!(
        s,
        KeySources(vec![
            (
                "https://idp.test/realms/demo".into(),
                KeySource::File("/etc/jwks.json".into())
            ),
            (
                "http://b.test".into(),
                KeySource::Url("https://b.test/certs".into())
            ),
            ("http://c.test".into(), KeySource::Discover),
        ])
    );
    assert!(KeySources::parse("https://a.test").is_err());
    assert!(KeySources::parse("idp=/x").is_err());
    assert!(KeySources::parse("https://a.test=").is_err());
    assert_eq!(KeySources::parse("").expect("empty"), KeySources::default());
}

#[tokio::test]
async fn provider_keys_from_a_file_and_unknown_providers() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("jwks.json");
    std::fs::write(&path, JWKS_A).expect("write");
    let sources = KeySources::parse(&format!(
        "https://idp.test/realms/demo={}, http://127.0.0.1:9/realms/x=discover",
        path.display()
    ))
    .expect("parse");
    let keys = ProviderKeys::new(sources);
    let ids = vec!["app".to_string()];
    let token = sign(KEY_A, "k1", claims(json!("app"), now() + 600));
    let t = keys
        .verify(&token, "https://idp.test/realms/demo", &ids)
        .await
        .expect("valid");
    assert_eq!(t.subject, "alice");
    // A key the set does not have.
    let token = sign(KEY_B, "k2", claims(json!("app"), now() + 600));
    assert!(matches!(
        keys.verify(&token, "https://idp.test/realms/demo", &ids)
            .await,
        Err(WebTokenError::Untrusted(_))
    ));
    // A provider whose keys cannot be fetched (nothing listens there),
    // twice: the second answer is the remembered failure.
    let token = sign(KEY_A, "k1", claims(json!("app"), now() + 600));
    for _ in 0..2 {
        assert!(matches!(
            keys.verify(&token, "http://127.0.0.1:9/realms/x", &ids)
                .await,
            Err(WebTokenError::KeysUnavailable(_))
        ));
    }
    // An issuer the operator did not list is not trusted.
    assert!(matches!(
        keys.verify(&token, "https://elsewhere.test", &ids).await,
        Err(WebTokenError::Untrusted(_))
    ));
    // With nothing listed, any HTTPS issuer (by discovery), no HTTP one.
    let open = ProviderKeys::new(KeySources::default());
    assert!(matches!(
        open.verify(&token, "http://127.0.0.1:9/realms/x", &ids)
            .await,
        Err(WebTokenError::Untrusted(_))
    ));
}
