//! The IAM query API as clients meet it: users, keys, policies and their
//! errors with IAM's codes and statuses, and who may administer what.

use super::*;
use crate::common::http::http_request;
use crate::common::iam::policy;

/// The text of `<User>…</User>` in an answer.
fn user_element(body: &str) -> String {
    let start = body.find("<User>").expect("a User element");
    let end = body.find("</User>").expect("its end") + "</User>".len();
    body[start..end].to_string()
}

#[test]
fn users_keys_and_policies_answer_as_iam_does() {
    let store = store();
    let iam = root(&store);

    let created = iam
        .iam("CreateUser", &[("UserName", "Alice"), ("Path", "/team/")])
        .ok();
    let id = created.text("UserId").unwrap();
    assert!(id.starts_with("AIDA"), "{id}");
    assert!(created.text("Arn").unwrap().ends_with(":user/team/Alice"));
    // Names are found in any case, and read back as created.
    let got = iam.iam("GetUser", &[("UserName", "alice")]).ok();
    assert_eq!(user_element(&got.body), user_element(&created.body));
    iam.iam("CreateUser", &[("UserName", "ALICE")])
        .fails(409, "EntityAlreadyExists");
    iam.iam("CreateUser", &[("UserName", "bad name!")])
        .fails(400, "ValidationError");
    iam.iam("GetUser", &[("UserName", "nobody")])
        .fails(404, "NoSuchEntity");

    // Listing: sorted by name in any case, paged with Marker/MaxItems.
    for n in ["bob", "Carol"] {
        iam.iam("CreateUser", &[("UserName", n)]).ok();
    }
    let first = iam.iam("ListUsers", &[("MaxItems", "2")]).ok();
    assert_eq!(first.all("UserName"), vec!["Alice", "bob"]);
    assert_eq!(first.text("IsTruncated").as_deref(), Some("true"));
    let marker = first.text("Marker").unwrap();
    let rest = iam
        .iam("ListUsers", &[("MaxItems", "2"), ("Marker", &marker)])
        .ok();
    assert_eq!(rest.all("UserName"), vec!["Carol"]);
    assert_eq!(rest.text("IsTruncated").as_deref(), Some("false"));
    let team = iam.iam("ListUsers", &[("PathPrefix", "/team/")]).ok();
    assert_eq!(team.all("UserName"), vec!["Alice"]);

    // Two keys per user.
    for _ in 0..2 {
        iam.iam("CreateAccessKey", &[("UserName", "alice")]).ok();
    }
    iam.iam("CreateAccessKey", &[("UserName", "alice")])
        .fails(409, "LimitExceeded");
    let keys = iam.iam("ListAccessKeys", &[("UserName", "alice")]).ok();
    assert_eq!(keys.all("Status"), vec!["Active", "Active"]);
    assert!(!keys.body.contains("SecretAccessKey"));
    // A user with keys cannot be deleted.
    iam.iam("DeleteUser", &[("UserName", "alice")])
        .fails(409, "DeleteConflict");

    // Policies: IAM's checks, documents back as given.
    iam.iam(
        "PutUserPolicy",
        &[
            ("UserName", "bob"),
            ("PolicyName", "p"),
            ("PolicyDocument", r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"bucket/*"}]}"#),
        ],
    )
    .fails(400, "MalformedPolicyDocument");
    let doc = policy(
        r#"{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"#,
    );
    iam.put_user_policy("bob", "read-b", &doc);
    let back = iam
        .iam(
            "GetUserPolicy",
            &[("UserName", "BOB"), ("PolicyName", "read-b")],
        )
        .ok();
    let text = back.text("PolicyDocument").unwrap();
    let decoded = percent_encoding::percent_decode_str(&text)
        .decode_utf8()
        .unwrap();
    assert_eq!(decoded, doc);
    iam.iam(
        "AttachUserPolicy",
        &[
            ("UserName", "bob"),
            ("PolicyArn", "arn:aws:iam::aws:policy/NoSuchPolicy"),
        ],
    )
    .fails(404, "NoSuchEntity");
    iam.iam(
        "AttachUserPolicy",
        &[
            ("UserName", "bob"),
            (
                "PolicyArn",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            ),
        ],
    )
    .ok();
    let attached = iam
        .iam("ListAttachedUserPolicies", &[("UserName", "bob")])
        .ok();
    assert_eq!(attached.all("PolicyName"), vec!["AmazonS3ReadOnlyAccess"]);
    iam.iam("DeleteUser", &[("UserName", "bob")])
        .fails(409, "DeleteConflict");

    // Managed policies of the account, with versions.
    let made = iam
        .iam(
            "CreatePolicy",
            &[("PolicyName", "readers"), ("PolicyDocument", &doc)],
        )
        .ok();
    let arn = made.text("Arn").unwrap();
    iam.iam(
        "CreatePolicyVersion",
        &[
            ("PolicyArn", &arn),
            ("PolicyDocument", &doc),
            ("SetAsDefault", "true"),
        ],
    )
    .ok();
    let got = iam.iam("GetPolicy", &[("PolicyArn", &arn)]).ok();
    assert_eq!(got.text("DefaultVersionId").as_deref(), Some("v2"));
    iam.iam(
        "DeletePolicyVersion",
        &[("PolicyArn", &arn), ("VersionId", "v2")],
    )
    .fails(409, "DeleteConflict");

    // What is not IAM, or not signed.
    iam.iam("LaunchRockets", &[]).fails(400, "InvalidAction");
    let anonymous = http_request(
        store.addr(),
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        b"Action=ListUsers&Version=2010-05-08",
    )
    .unwrap();
    assert_eq!(anonymous.status, 403);
    let wrong = Iam::new(store.addr(), Keys::new(ACCESS_KEY, "not-the-secret"));
    wrong
        .iam("ListUsers", &[])
        .fails(403, "SignatureDoesNotMatch");
    let unknown = Iam::new(store.addr(), Keys::new("PKNOSUCHKEY000000000", "x"));
    unknown
        .iam("ListUsers", &[])
        .fails(403, "InvalidClientTokenId");
}

#[test]
fn only_the_account_and_those_its_policies_allow_administer_it() {
    let store = store();
    let iam = root(&store);
    let alice = Iam::new(store.addr(), iam.user_with_key("alice"));

    // An IAM user with no policy may do nothing to IAM.
    alice
        .iam("CreateUser", &[("UserName", "eve")])
        .fails(403, "AccessDenied");
    alice.iam("ListUsers", &[]).fails(403, "AccessDenied");
    // AWS's read-only policy lets it read, not write.
    iam.iam(
        "AttachUserPolicy",
        &[
            ("UserName", "alice"),
            ("PolicyArn", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"),
        ],
    )
    .ok();
    assert_eq!(
        alice.iam("ListUsers", &[]).ok().all("UserName"),
        vec!["alice"]
    );
    alice
        .iam("CreateUser", &[("UserName", "eve")])
        .fails(403, "AccessDenied");
    // Its own key management, by a policy naming itself.
    let own_keys = policy(
        r#"{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:ListAccessKeys"],"Resource":"arn:aws:iam::*:user/${aws:username}"}"#,
    );
    iam.put_user_policy("alice", "own-keys", &own_keys);
    alice.iam("CreateAccessKey", &[]).ok();
    iam.iam("CreateUser", &[("UserName", "bob")]).ok();
    alice
        .iam("CreateAccessKey", &[("UserName", "bob")])
        .fails(403, "AccessDenied");

    // Another account sees none of it, and cannot touch it.
    let (_mallory, other) = other_account(&store, "mallory");
    assert!(other.iam("ListUsers", &[]).ok().all("UserName").is_empty());
    other
        .iam("GetUser", &[("UserName", "alice")])
        .fails(404, "NoSuchEntity");
    other
        .iam("DeleteUser", &[("UserName", "alice")])
        .fails(404, "NoSuchEntity");
    other
        .iam("CreateAccessKey", &[("UserName", "alice")])
        .fails(404, "NoSuchEntity");

    // Who am I.
    let me = iam.sts("GetCallerIdentity", &[]).ok();
    assert!(me.text("Arn").unwrap().ends_with(":root"));
    let me = alice.sts("GetCallerIdentity", &[]).ok();
    assert!(me.text("Arn").unwrap().ends_with(":user/alice"));
    assert!(me.text("UserId").unwrap().starts_with("AIDA"));
    assert_eq!(
        me.text("Account"),
        iam.sts("GetCallerIdentity", &[]).ok().text("Account")
    );
}

#[test]
fn a_policy_arn_is_judged_as_the_policy_it_names() {
    let store = store();
    let iam = root(&store);
    let account = iam
        .sts("GetCallerIdentity", &[])
        .ok()
        .text("Account")
        .unwrap();
    let doc = policy(r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#);
    for (name, path) in [("DevPolicy", "/"), ("Box", "/sandbox/")] {
        iam.iam(
            "CreatePolicy",
            &[
                ("PolicyName", name),
                ("Path", path),
                ("PolicyDocument", &doc),
            ],
        )
        .ok();
    }
    let alice = Iam::new(store.addr(), iam.user_with_key("alice"));
    iam.put_user_policy(
        "alice",
        "sandbox-only",
        &policy(&format!(
            r#"{{"Effect":"Allow","Action":["iam:CreatePolicyVersion","iam:GetPolicy"],"Resource":"arn:aws:iam::{account}:policy/sandbox/*"}}"#
        )),
    );
    let everything = policy(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#);
    // Its own sandbox: allowed.
    alice
        .iam(
            "CreatePolicyVersion",
            &[
                (
                    "PolicyArn",
                    &format!("arn:aws:iam::{account}:policy/sandbox/Box"),
                ),
                ("PolicyDocument", &everything),
            ],
        )
        .ok();
    // DevPolicy named under the sandbox path, with no account, or in
    // another case: judged as /DevPolicy, refused.
    for lying in [
        format!("arn:aws:iam::{account}:policy/sandbox/DevPolicy"),
        "arn:aws:iam:::policy/sandbox/DevPolicy".to_string(),
        format!("arn:aws:iam::{account}:policy/sandbox/devpolicy"),
    ] {
        alice
            .iam(
                "CreatePolicyVersion",
                &[
                    ("PolicyArn", &lying),
                    ("PolicyDocument", &everything),
                    ("SetAsDefault", "true"),
                ],
            )
            .fails(403, "AccessDenied");
    }
    let dev = iam
        .iam(
            "GetPolicy",
            &[(
                "PolicyArn",
                &format!("arn:aws:iam::{account}:policy/DevPolicy"),
            )],
        )
        .ok();
    assert_eq!(dev.text("DefaultVersionId").as_deref(), Some("v1"));

    // Temporary credentials of GetSessionToken call no IAM action.
    let root_session = Iam::new(
        store.addr(),
        Iam::temporary(&iam.sts("GetSessionToken", &[]).ok()),
    );
    root_session
        .iam("CreateUser", &[("UserName", "eve")])
        .fails(403, "AccessDenied");
}
