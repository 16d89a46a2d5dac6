//! STS's temporary credentials: an assumed role's work as its policies
//! (narrowed by a session policy) allow, carry their token, survive a
//! restart, stop at their expiry (the default 900 s at least, shown by
//! moving the store's clock, not by shortening the session) and at once
//! when their role is deleted; GetSessionToken's carry their user's own
//! rights, and `sts:authentication` tells them apart.

use super::*;
use crate::common::iam::policy;

/// A role `reader` that alice may assume, reading `books`.
fn reader_role(iam: &Iam, alice_arn: &str) -> String {
    let trust = policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"{alice_arn}"}},"Action":"sts:AssumeRole"}}"#
    ));
    let made = iam
        .iam(
            "CreateRole",
            &[("RoleName", "reader"), ("AssumeRolePolicyDocument", &trust)],
        )
        .ok();
    assert_eq!(made.text("MaxSessionDuration").as_deref(), Some("3600"));
    iam.iam(
        "PutRolePolicy",
        &[
            ("RoleName", "reader"),
            ("PolicyName", "read"),
            (
                "PolicyDocument",
                &policy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}"#),
            ),
        ],
    )
    .ok();
    made.text("Arn").unwrap()
}

/// Bucket `books` with objects `a` and `public/b`.
pub(super) async fn books(store: &StoreProcess) {
    let s3 = store.client();
    s3.create_bucket().bucket("books").send().await.unwrap();
    for k in ["a", "public/b"] {
        assert_eq!(put(&s3, "books", k).await, None);
    }
}

#[tokio::test]
async fn an_assumed_role_works_until_it_expires_or_is_deleted() {
    let mut store = store();
    books(&store).await;
    let iam = root(&store);
    let alice = Iam::new(store.addr(), iam.user_with_key("alice"));
    let alice_arn = iam
        .iam("GetUser", &[("UserName", "alice")])
        .ok()
        .text("Arn")
        .unwrap();
    let role_arn = reader_role(&iam, &alice_arn);

    // Someone the trust policy does not name is refused.
    let bob = Iam::new(store.addr(), iam.user_with_key("bob"));
    bob.sts(
        "AssumeRole",
        &[("RoleArn", &role_arn), ("RoleSessionName", "try")],
    )
    .fails(403, "AccessDenied");
    alice
        .sts(
            "AssumeRole",
            &[
                ("RoleArn", &role_arn),
                ("RoleSessionName", "x"),
                ("DurationSeconds", "900"),
            ],
        )
        .fails(400, "ValidationError");
    alice
        .sts(
            "AssumeRole",
            &[
                ("RoleArn", &role_arn),
                ("RoleSessionName", "long"),
                ("DurationSeconds", "7200"),
            ],
        )
        .fails(400, "ValidationError");

    let assumed = alice
        .sts(
            "AssumeRole",
            &[
                ("RoleArn", &role_arn),
                ("RoleSessionName", "nightly"),
                ("DurationSeconds", "900"),
            ],
        )
        .ok();
    assert!(assumed
        .text("Arn")
        .unwrap()
        .ends_with(":assumed-role/reader/nightly"));
    let creds = Iam::temporary(&assumed);
    let session = s3(&store, &creds);
    assert_eq!(get(&session, "books", "a").await, None);
    assert_eq!(
        put(&session, "books", "new").await.as_deref(),
        Some("AccessDenied")
    );
    let who = Iam::new(store.addr(), creds.clone())
        .sts("GetCallerIdentity", &[])
        .ok();
    assert!(who.text("UserId").unwrap().ends_with(":nightly"));

    // The token goes with the key: without it, or with another, refused.
    let untokened = Keys {
        token: None,
        ..creds.clone()
    };
    assert_eq!(
        get(&s3(&store, &untokened), "books", "a").await.as_deref(),
        Some("InvalidToken")
    );
    let forged = Keys {
        token: Some("forged".into()),
        ..creds.clone()
    };
    assert_eq!(
        get(&s3(&store, &forged), "books", "a").await.as_deref(),
        Some("InvalidToken")
    );

    // A session policy only narrows.
    let narrowed = alice
        .sts(
            "AssumeRole",
            &[
                ("RoleArn", &role_arn),
                ("RoleSessionName", "narrow"),
                (
                    "Policy",
                    &policy(r#"{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::books/public/*"}"#),
                ),
            ],
        )
        .ok();
    let narrow = s3(&store, &Iam::temporary(&narrowed));
    assert_eq!(get(&narrow, "books", "public/b").await, None);
    assert_eq!(
        get(&narrow, "books", "a").await.as_deref(),
        Some("AccessDenied")
    );
    assert_eq!(
        put(&narrow, "books", "public/c").await.as_deref(),
        Some("AccessDenied")
    );

    // Kept through Raft: a restart changes nothing.
    store.restart();
    assert_eq!(get(&s3(&store, &creds), "books", "a").await, None);
    // Past its 900 s (the store's clock moved on 901 s): expired.
    store.set_env("PREDASTORE_TEST_CLOCK_OFFSET_MS", "901000");
    store.restart();
    assert_eq!(
        get(&s3(&store, &creds), "books", "a").await.as_deref(),
        Some("ExpiredToken")
    );
    store.set_env("PREDASTORE_TEST_CLOCK_OFFSET_MS", "0");
    store.restart();
    let session = s3(&store, &creds);
    assert_eq!(get(&session, "books", "a").await, None);

    // Deleting the role ends its sessions at once.
    iam.iam("DeleteRole", &[("RoleName", "reader")])
        .fails(409, "DeleteConflict");
    iam.iam(
        "DeleteRolePolicy",
        &[("RoleName", "reader"), ("PolicyName", "read")],
    )
    .ok();
    iam.iam("DeleteRole", &[("RoleName", "reader")]).ok();
    assert_eq!(
        get(&session, "books", "a").await.as_deref(),
        Some("InvalidToken")
    );
    // A role made again under the same name does not revive them.
    reader_role(&iam, &alice_arn);
    assert_eq!(
        get(&session, "books", "a").await.as_deref(),
        Some("InvalidToken")
    );
}

#[tokio::test]
async fn a_session_token_carries_its_users_rights() {
    let store = store();
    books(&store).await;
    let iam = root(&store);
    let keys = iam.user_with_key("alice");
    // As RGW's test: S3 only with temporary credentials.
    iam.put_user_policy(
        "alice",
        "mfa-like",
        &policy(
            r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"sts:authentication":"false"}}},
               {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}"#,
        ),
    );
    let alice = Iam::new(store.addr(), keys.clone());
    assert_eq!(
        get(&s3(&store, &keys), "books", "a").await.as_deref(),
        Some("AccessDenied")
    );
    let token = alice
        .sts("GetSessionToken", &[("DurationSeconds", "900")])
        .ok();
    let temporary = Iam::temporary(&token);
    assert_eq!(get(&s3(&store, &temporary), "books", "a").await, None);
    // Temporary credentials cannot make more.
    Iam::new(store.addr(), temporary)
        .sts("GetSessionToken", &[])
        .fails(403, "AccessDenied");
    alice
        .sts("GetSessionToken", &[("DurationSeconds", "60")])
        .fails(400, "ValidationError");
}

#[tokio::test]
async fn a_trust_naming_the_account_needs_the_callers_own_allow_and_sessions_stay_narrow() {
    let store = store();
    books(&store).await;
    let iam = root(&store);
    let account = iam
        .sts("GetCallerIdentity", &[])
        .ok()
        .text("Account")
        .unwrap();
    let alice = Iam::new(store.addr(), iam.user_with_key("alice"));
    let trust = policy(&format!(
        r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"sts:AssumeRole"}}"#
    ));
    let role_arn = iam
        .iam(
            "CreateRole",
            &[("RoleName", "ops"), ("AssumeRolePolicyDocument", &trust)],
        )
        .ok()
        .text("Arn")
        .unwrap();
    // The trust names only the account: alice's own policy must allow it.
    let assume = |name: &str, extra: &[(&str, &str)]| {
        let mut params = vec![("RoleArn", role_arn.as_str()), ("RoleSessionName", name)];
        params.extend_from_slice(extra);
        alice.sts("AssumeRole", &params)
    };
    assume("s1", &[]).fails(403, "AccessDenied");
    iam.put_user_policy(
        "alice",
        "may-assume",
        &policy(&format!(
            r#"{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"{role_arn}"}}"#
        )),
    );
    assume("s1", &[]).ok();

    // A bucket policy naming the role: its sessions read, unless their
    // session policy leaves the read out.
    crate::common::access::put_policy(
        &store.client(),
        "books",
        &policy(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{role_arn}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}}"#
        )),
    )
    .await;
    let wide = s3(&store, &Iam::temporary(&assume("wide", &[]).ok()));
    assert_eq!(get(&wide, "books", "a").await, None);
    let narrow_policy =
        policy(r#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::books/*"}"#);
    let narrow = s3(
        &store,
        &Iam::temporary(&assume("narrow", &[("Policy", &narrow_policy)]).ok()),
    );
    assert_eq!(
        get(&narrow, "books", "a").await.as_deref(),
        Some("AccessDenied")
    );

    // A bucket policy's deny naming the account reaches its identities.
    crate::common::access::put_policy(
        &store.client(),
        "books",
        &policy(&format!(
            r#"{{"Effect":"Allow","Principal":{{"AWS":"{role_arn}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}},
               {{"Effect":"Deny","Principal":{{"AWS":"{account}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::books/a"}}"#
        )),
    )
    .await;
    assert_eq!(
        get(&wide, "books", "a").await.as_deref(),
        Some("AccessDenied")
    );
}

#[tokio::test]
async fn a_session_presigns_urls_that_carry_its_token() {
    use crate::common::http::{path_and_query, presign_get, send_presigned};
    let store = store();
    books(&store).await;
    let iam = root(&store);
    let keys = iam.user_with_key("alice");
    iam.put_user_policy(
        "alice",
        "read",
        &policy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::books/*"}"#),
    );
    let temporary = Iam::temporary(
        &Iam::new(store.addr(), keys)
            .sts("GetSessionToken", &[])
            .ok(),
    );
    let presigned = presign_get(&s3(&store, &temporary), "books", "a").await;
    assert!(presigned.uri().contains("X-Amz-Security-Token="));
    let ok = send_presigned(store.addr(), &presigned, &[], b"").unwrap();
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    assert_eq!(ok.body, b"data");
    // The same URL without its token is refused.
    let target = path_and_query(presigned.uri());
    let stripped: String = target
        .split('&')
        .filter(|p| !p.starts_with("X-Amz-Security-Token="))
        .collect::<Vec<_>>()
        .join("&");
    let refused =
        crate::common::http::http_request(store.addr(), "GET", &stripped, &[], b"").unwrap();
    assert_eq!(
        refused.status,
        403,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
}
