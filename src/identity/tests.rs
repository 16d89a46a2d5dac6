//! Resolving keys to identities, and how their policies decide.

use super::*;
use crate::policy::ConditionContext;
use crate::storage::meta::iam::{Holder, IamRole, Session};

const ACCOUNT: &str = "acct";

fn doc() -> AccountIam {
    let mut doc = AccountIam::default();
    let changes = [
        IamChange::CreateUser {
            name: "alice".into(),
            path: "/".into(),
            id: "AIDAALICE".into(),
            tags: vec![("team".into(), "red".into())],
        },
        IamChange::PutInline {
            holder: Holder::User("alice".into()),
            name: "read".into(),
            document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/invoices/*"}]}"#.into(),
        },
        IamChange::CreateGroup {
            name: "devs".into(),
            path: "/".into(),
            id: "AGPADEVS".into(),
        },
        IamChange::AddToGroup {
            group: "devs".into(),
            user: "alice".into(),
        },
        IamChange::PutInline {
            holder: Holder::Group("devs".into()),
            name: "no-secrets".into(),
            document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/invoices/secret*"}]}"#.into(),
        },
        IamChange::CreateRole {
            name: "ci".into(),
            role: IamRole {
                id: "AROACI".into(),
                path: "/".into(),
                created_ms: 0,
                trust: "{}".into(),
                description: String::new(),
                max_session_secs: 3600,
                tags: vec![],
                inline: Default::default(),
                attached: Default::default(),
            },
        },
        IamChange::Attach {
            holder: Holder::Role("ci".into()),
            arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".into(),
        },
    ];
    for c in &changes {
        doc.apply(c, 1).unwrap();
    }
    doc
}

fn key(principal: &str, session: Option<Session>) -> IamKey {
    IamKey {
        // One key per principal and session, as ids are unique.
        access_key_id: format!(
            "K-{principal}-{}",
            session.as_ref().map_or("", |s| s.name.as_str())
        ),
        secret: "S".into(),
        account: ACCOUNT.into(),
        account_name: "acct".into(),
        principal_id: principal.into(),
        active: true,
        created_ms: 0,
        session,
    }
}

fn decide(id: &Identity, action: &str, resource: &str) -> Decision {
    id.decide(&PolicyRequest {
        action,
        resource,
        principal: None,
        context: &ConditionContext::default(),
    })
}

#[test]
fn a_user_gets_its_own_and_its_groups_policies() {
    let view = AccountView::new(3, doc());
    let alice = view.identity(&key("AIDAALICE", None), 0).unwrap().unwrap();
    assert_eq!(alice.arn, "arn:aws:iam::acct:user/alice");
    assert_eq!(alice.policies.len(), 2);
    assert_eq!(
        decide(&alice, "s3:GetObject", "arn:aws:s3:::b/invoices/1"),
        Decision::Allow
    );
    assert_eq!(
        decide(&alice, "s3:GetObject", "arn:aws:s3:::b/other"),
        Decision::Unmatched
    );
    assert_eq!(
        decide(&alice, "s3:GetObject", "arn:aws:s3:::b/invoices/secret1"),
        Decision::Deny
    );
}

#[test]
fn keys_that_cannot_act_are_refused_with_why() {
    let view = AccountView::new(3, doc());
    let mut inactive = key("AIDAALICE", None);
    inactive.active = false;
    assert_eq!(
        view.identity(&inactive, 0).unwrap_err(),
        KeyRefusal::Inactive
    );
    assert_eq!(
        view.identity(&key("AIDAGONE", None), 0).unwrap_err(),
        KeyRefusal::Inactive
    );
    let session = |expires_ms, policy: Option<&str>| Session {
        name: "build".into(),
        expires_ms,
        token: "T".into(),
        policy: policy.map(str::to_string),
    };
    let live = key("AROACI", Some(session(100, None)));
    let ci = view.identity(&live, 99).unwrap().unwrap();
    assert_eq!(ci.arn, "arn:aws:sts::acct:assumed-role/ci/build");
    assert_eq!(ci.id, "AROACI:build");
    assert_eq!(
        decide(&ci, "s3:ListBucket", "arn:aws:s3:::b"),
        Decision::Allow
    );
    assert_eq!(
        decide(&ci, "s3:PutObject", "arn:aws:s3:::b/k"),
        Decision::Unmatched
    );
    assert_eq!(view.identity(&live, 100).unwrap_err(), KeyRefusal::Expired);
    // Built once per key, but its state is read each time.
    let mut deactivated = live.clone();
    deactivated.active = false;
    assert_eq!(
        view.identity(&deactivated, 99).unwrap_err(),
        KeyRefusal::Inactive
    );
    assert!(view.identity(&live, 99).unwrap().is_some());
    let orphan = key("AROAOLD", Some(session(100, None)));
    assert_eq!(view.identity(&orphan, 0).unwrap_err(), KeyRefusal::Revoked);
    // A root's session is the root.
    assert!(view
        .identity(&key("", Some(session(100, None))), 0)
        .unwrap()
        .is_none());
}

#[test]
fn a_session_policy_only_narrows() {
    let view = AccountView::new(3, doc());
    let narrow = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/public/*"}]}"#;
    let k = key(
        "AROACI",
        Some(Session {
            name: "s".into(),
            expires_ms: u64::MAX,
            token: "T".into(),
            policy: Some(narrow.into()),
        }),
    );
    let ci = view.identity(&k, 0).unwrap().unwrap();
    // Both allow.
    assert_eq!(
        decide(&ci, "s3:GetObject", "arn:aws:s3:::b/public/x"),
        Decision::Allow
    );
    // The role allows, the session policy does not.
    assert_eq!(
        decide(&ci, "s3:GetObject", "arn:aws:s3:::b/private"),
        Decision::Unmatched
    );
    // The session policy allows, the role does not.
    assert_eq!(
        decide(&ci, "s3:PutObject", "arn:aws:s3:::b/public/x"),
        Decision::Unmatched
    );
}

#[test]
fn an_unreadable_stored_policy_denies_everything() {
    let mut d = doc();
    d.users
        .get_mut("alice")
        .unwrap()
        .inline
        .insert("broken".into(), "{not json".into());
    let view = AccountView::new(4, d);
    let alice = view.identity(&key("AIDAALICE", None), 0).unwrap().unwrap();
    assert_eq!(
        decide(&alice, "s3:GetObject", "arn:aws:s3:::b/invoices/1"),
        Decision::Deny
    );
}

#[test]
fn documents_are_checked_as_iam_does() {
    assert!(Identities::check_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#, Scope::Identity).is_ok());
    let bad = [
        "not json",
        r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"bucket"}]}"#,
        r#"{"Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}]}"#,
    ];
    for b in bad {
        assert!(
            matches!(
                Identities::check_document(b, Scope::Identity),
                Err(IdentityError::MalformedPolicy(_))
            ),
            "{b}"
        );
    }
    let big = format!("{{\"Statement\":\"{}\"}}", "x".repeat(MAX_DOCUMENT_BYTES));
    assert!(Identities::check_document(&big, Scope::Identity).is_err());
}
