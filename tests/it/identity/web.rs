//! Web identity: AssumeRoleWithWebIdentity with tokens an OpenID
//! provider signed. The test is the provider: it signs tokens with the
//! fixture keys (`tests/fixtures/oidc`) and publishes its key set in a
//! file the operator names (`PREDASTORE_OIDC_JWKS`) or over HTTP behind
//! a discovery document. The role's trust policy names the provider and
//! reads the token's claims; the session's credentials act as the role's
//! policies allow.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use super::sts::books;
use super::*;
use crate::common::iam::policy;

const KEY_A: &str = include_str!("../../fixtures/oidc/key-a.pem");
const KEY_B: &str = include_str!("../../fixtures/oidc/key-b.pem");
const JWKS_A: &str = include_str!("../../fixtures/oidc/jwks-a.json");
const JWKS_AB: &str = include_str!("../../fixtures/oidc/jwks-ab.json");

/// A token of `issuer` for `sub`/`aud`, expiring in `exp_in` seconds,
/// signed with `pem` under key id `kid`.
fn token(pem: &str, kid: &str, issuer: &str, sub: &str, aud: &str, exp_in: i64) -> String {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let claims = json!({
        "iss": issuer, "sub": sub, "aud": aud, "iat": now, "exp": now + exp_in,
        "groups": ["finance", "staff"],
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("fixture key");
    jsonwebtoken::encode(&header, &claims, &key).expect("sign")
}

/// Registers `issuer` (client id `app`) in the root's account and makes
/// role `web-reader` reading `books`, trusting the provider's tokens for
/// subject alice in group finance: the role's ARN.
fn web_role(iam: &Iam, issuer: &str) -> String {
    let provider = iam
        .iam(
            "CreateOpenIDConnectProvider",
            &[("Url", issuer), ("ClientIDList.member.1", "app")],
        )
        .ok()
        .text("OpenIDConnectProviderArn")
        .expect("provider ARN");
    let host = issuer.split_once("://").expect("URL").1;
    let trust = policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"Federated":"{provider}"}},"Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{{"StringEquals":{{"{host}:sub":"alice","{host}:aud":"app"}},
                          "ForAnyValue:StringEquals":{{"{host}:groups":"finance"}}}}}}"#
    ));
    let made = iam
        .iam(
            "CreateRole",
            &[
                ("RoleName", "web-reader"),
                ("AssumeRolePolicyDocument", &trust),
            ],
        )
        .ok();
    iam.iam(
        "PutRolePolicy",
        &[
            ("RoleName", "web-reader"),
            ("PolicyName", "read"),
            (
                "PolicyDocument",
                &policy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}"#),
            ),
        ],
    )
    .ok();
    made.text("Arn").expect("role ARN")
}

/// AssumeRoleWithWebIdentity of `role` with `token` (session `s1`).
fn assume(store: &StoreProcess, role: &str, token: &str) -> crate::common::iam::Reply {
    Iam::unsigned_sts(
        store.addr(),
        "AssumeRoleWithWebIdentity",
        &[
            ("RoleArn", role),
            ("RoleSessionName", "s1"),
            ("WebIdentityToken", token),
        ],
    )
}

#[tokio::test]
async fn a_providers_token_assumes_the_role_its_claims_satisfy() {
    let issuer = "https://sso.example.test/realms/main";
    let dir = tempfile::tempdir().unwrap();
    let jwks = dir.path().join("jwks.json");
    std::fs::write(&jwks, JWKS_A).unwrap();
    let sources = format!("{issuer}={}", jwks.display());
    let store = StoreProcess::start(&[
        ("PREDASTORE_ADMIN_TOKEN", TOKEN),
        ("PREDASTORE_OIDC_JWKS", &sources),
    ]);
    books(&store).await;
    let iam = root(&store);
    let role = web_role(&iam, issuer);

    let reply = assume(
        &store,
        &role,
        &token(KEY_A, "k1", issuer, "alice", "app", 600),
    )
    .ok();
    assert_eq!(
        reply.text("SubjectFromWebIdentityToken").as_deref(),
        Some("alice")
    );
    assert_eq!(reply.text("Audience").as_deref(), Some("app"));
    assert_eq!(
        reply.text("Provider").as_deref(),
        Some("sso.example.test/realms/main")
    );
    assert!(reply
        .text("Arn")
        .is_some_and(|a| a.ends_with(":assumed-role/web-reader/s1")));
    // The session reads what the role's policy allows, and nothing else.
    let session = s3(&store, &Iam::temporary(&reply));
    assert_eq!(get(&session, "books", "a").await, None);
    assert_eq!(
        put(&session, "books", "new").await.as_deref(),
        Some("AccessDenied")
    );
    let who = Iam::new(store.addr(), Iam::temporary(&reply))
        .sts("GetCallerIdentity", &[])
        .ok();
    assert!(who
        .text("Arn")
        .is_some_and(|a| a.ends_with("web-reader/s1")));

    // Claims the trust does not take.
    assume(
        &store,
        &role,
        &token(KEY_A, "k1", issuer, "bob", "app", 600),
    )
    .fails(403, "AccessDenied");
    // Another client's token, an expired one, one signed by another key
    // under the provider's key id, one of a provider the account never
    // registered, and no token at all.
    assume(
        &store,
        &role,
        &token(KEY_A, "k1", issuer, "alice", "other-app", 600),
    )
    .fails(400, "InvalidIdentityToken");
    assume(
        &store,
        &role,
        &token(KEY_A, "k1", issuer, "alice", "app", -300),
    )
    .fails(400, "ExpiredTokenException");
    assume(
        &store,
        &role,
        &token(KEY_B, "k1", issuer, "alice", "app", 600),
    )
    .fails(400, "InvalidIdentityToken");
    let stranger = "https://evil.example.test/realms/main";
    assume(
        &store,
        &role,
        &token(KEY_A, "k1", stranger, "alice", "app", 600),
    )
    .fails(400, "InvalidIdentityToken");
    assume(&store, &role, "not-a-jwt").fails(400, "InvalidIdentityToken");
    // A role of an account that registered no provider.
    let (_, other) = other_account(&store, "other-team");
    let trust = policy(
        r#"{"Effect":"Allow","Principal":{"Federated":"sso.example.test/realms/main"},"Action":"sts:AssumeRoleWithWebIdentity"}"#,
    );
    let other_role = other
        .iam(
            "CreateRole",
            &[("RoleName", "open"), ("AssumeRolePolicyDocument", &trust)],
        )
        .ok()
        .text("Arn")
        .unwrap();
    assume(
        &store,
        &other_role,
        &token(KEY_A, "k1", issuer, "alice", "app", 600),
    )
    .fails(400, "InvalidIdentityToken");

    // Deleting the role ends its sessions at once.
    iam.iam(
        "DeleteRolePolicy",
        &[("RoleName", "web-reader"), ("PolicyName", "read")],
    )
    .ok();
    iam.iam("DeleteRole", &[("RoleName", "web-reader")]).ok();
    assert_eq!(
        get(&session, "books", "a").await.as_deref(),
        Some("InvalidToken")
    );
}

/// A minimal OpenID provider over HTTP: a discovery document and a key
/// set, counting the requests it serves.
struct Provider {
    issuer: String,
    jwks: Arc<Mutex<String>>,
    served: Arc<Mutex<HashMap<String, usize>>>,
}

impl Provider {
    fn start(jwks: &str) -> Provider {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://{}/realms/team", listener.local_addr().unwrap());
        let keys = Arc::new(Mutex::new(jwks.to_string()));
        let served = Arc::new(Mutex::new(HashMap::new()));
        let discovery =
            json!({"issuer": issuer, "jwks_uri": format!("{issuer}/certs")}).to_string();
        let (k, s) = (keys.clone(), served.clone());
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).into_owned();
                let path = request.split(' ').nth(1).unwrap_or("").to_string();
                *s.lock().unwrap().entry(path.clone()).or_default() += 1;
                let body = if path.ends_with("/.well-known/openid-configuration") {
                    discovery.clone()
                } else if path.ends_with("/certs") {
                    k.lock().unwrap().clone()
                } else {
                    String::new()
                };
                let status = if body.is_empty() {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Provider {
            issuer,
            jwks: keys,
            served,
        }
    }

    fn served(&self, suffix: &str) -> usize {
        let served = self.served.lock().unwrap();
        served
            .iter()
            .filter(|(p, _)| p.ends_with(suffix))
            .map(|(_, n)| n)
            .sum()
    }
}

#[tokio::test]
async fn provider_keys_are_discovered_cached_and_rotated() {
    let idp = Provider::start(JWKS_A);
    // A plain-HTTP issuer is trusted only when the operator lists it.
    let sources = format!("{}=discover", idp.issuer);
    let store = StoreProcess::start(&[
        ("PREDASTORE_ADMIN_TOKEN", TOKEN),
        ("PREDASTORE_OIDC_JWKS", &sources),
    ]);
    books(&store).await;
    let iam = root(&store);
    let role = web_role(&iam, &idp.issuer);
    for _ in 0..3 {
        assume(
            &store,
            &role,
            &token(KEY_A, "k1", &idp.issuer, "alice", "app", 600),
        )
        .ok();
    }
    // Discovered once, fetched once, then cached.
    assert_eq!(idp.served("/.well-known/openid-configuration"), 1);
    assert_eq!(idp.served("/certs"), 1);

    // The provider rotates: a token under the new key is taken once the
    // store fetches again (it does so for an unknown key id, at most
    // every few seconds).
    *idp.jwks.lock().unwrap() = JWKS_AB.to_string();
    let rotated = token(KEY_B, "k2", &idp.issuer, "alice", "app", 600);
    let mut reply = assume(&store, &role, &rotated);
    for _ in 0..20 {
        if reply.status == 200 {
            break;
        }
        reply.fails(400, "InvalidIdentityToken");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        reply = assume(&store, &role, &rotated);
    }
    let session = s3(&store, &Iam::temporary(&reply.ok()));
    assert_eq!(get(&session, "books", "a").await, None);
    assert!(idp.served("/certs") >= 2);
}
