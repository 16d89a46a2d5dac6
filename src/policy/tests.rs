//! The evaluator against AWS's documented bucket-policy examples (public
//! read, one user, per-user home prefixes, deny deletes, NotPrincipal,
//! NotAction, wildcards): each case is a policy and requests with the
//! decision AWS gives them. The condition examples are in
//! `condition_tests.rs`, on the same harness.

use super::*;

pub(super) const BUCKET: &str = "examplebucket";

/// Who asks.
#[derive(Clone, Copy)]
pub(super) enum Who {
    Anonymous,
    /// (user id, user name)
    User(&'static str, &'static str),
}

pub(super) const ALICE: Who = Who::User("alice-id", "alice");
pub(super) const BOB: Who = Who::User("bob-id", "bob");
pub(super) const ADMIN: Who = Who::User("admin-id", "admin");
pub(super) const ANON: Who = Who::Anonymous;

use Decision::{Allow, Deny, Unmatched};

/// One request of a case: action, key (None: the bucket), caller,
/// condition keys, expected decision.
pub(super) type Req = (
    &'static str,
    Option<&'static str>,
    Who,
    &'static [(&'static str, &'static str)],
    Decision,
);

pub(super) struct Case {
    pub(super) name: &'static str,
    pub(super) policy: &'static str,
    pub(super) requests: &'static [Req],
}

fn context(who: Who, pairs: &[(&str, &str)]) -> ConditionContext {
    let mut ctx = ConditionContext::default();
    if let Who::User(id, name) = who {
        ctx.insert("aws:userid", id);
        ctx.insert("aws:username", name);
    }
    for (k, v) in pairs {
        ctx.insert(k, *v);
    }
    ctx
}

fn decide(
    policy: &Policy,
    action: &str,
    key: Option<&str>,
    who: Who,
    pairs: &[(&str, &str)],
) -> Decision {
    let ctx = context(who, pairs);
    let resource = match key {
        Some(k) => format!("arn:aws:s3:::{BUCKET}/{k}"),
        None => format!("arn:aws:s3:::{BUCKET}"),
    };
    let principal = match who {
        Who::Anonymous => None,
        Who::User(user_id, user_name) => Some(Principal {
            user_id,
            user_name,
            iam: None,
        }),
    };
    policy.evaluate(&PolicyRequest {
        action,
        resource: &resource,
        principal,
        context: &ctx,
    })
}

const CASES: &[Case] = &[
    Case {
        name: "public read (anonymous GetObject)",
        policy: r#"{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow",
            "Principal":"*","Action":["s3:GetObject","s3:GetObjectVersion"],
            "Resource":["arn:aws:s3:::examplebucket/*"]}]}"#,
        requests: &[
            ("s3:GetObject", Some("index.html"), ANON, &[], Allow),
            ("s3:GetObject", Some("a/b/c.png"), ALICE, &[], Allow),
            ("s3:GetObjectVersion", Some("index.html"), ANON, &[], Allow),
            ("s3:PutObject", Some("index.html"), ANON, &[], Unmatched),
            ("s3:GetObjectAcl", Some("index.html"), ANON, &[], Unmatched),
            ("s3:ListBucket", None, ANON, &[], Unmatched),
            ("s3:DeleteObject", Some("index.html"), ALICE, &[], Unmatched),
        ],
    },
    Case {
        name: "read for one user (user ARN, by name or id)",
        policy: r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow",
            "Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},
            "Action":["s3:GetObject","s3:ListBucket"],
            "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]}}"#,
        requests: &[
            ("s3:GetObject", Some("k"), ALICE, &[], Allow),
            ("s3:ListBucket", None, ALICE, &[], Allow),
            (
                "s3:GetObject",
                Some("k"),
                Who::User("alice", "Alice Doe"),
                &[],
                Allow,
            ),
            ("s3:GetObject", Some("k"), BOB, &[], Unmatched),
            ("s3:GetObject", Some("k"), ANON, &[], Unmatched),
            ("s3:PutObject", Some("k"), ALICE, &[], Unmatched),
        ],
    },
    Case {
        name: "principals by id: bare, root, CanonicalUser",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":{"AWS":["alice-id","arn:aws:iam::bob-id:root"]},
             "Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"},
            {"Effect":"Allow","Principal":{"CanonicalUser":"admin-id"},
             "Action":"s3:PutObject","Resource":"arn:aws:s3:::examplebucket/*"}]}"#,
        requests: &[
            ("s3:GetObject", Some("k"), ALICE, &[], Allow),
            ("s3:GetObject", Some("k"), BOB, &[], Allow),
            // root names an id, not a name.
            (
                "s3:GetObject",
                Some("k"),
                Who::User("x", "bob-id"),
                &[],
                Unmatched,
            ),
            ("s3:GetObject", Some("k"), ADMIN, &[], Unmatched),
            ("s3:PutObject", Some("k"), ADMIN, &[], Allow),
            ("s3:PutObject", Some("k"), ALICE, &[], Unmatched),
            ("s3:GetObject", Some("k"), ANON, &[], Unmatched),
        ],
    },
    Case {
        name: "prefix-scoped listing per user (s3:prefix, home/${aws:username}/*)",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"ListHome","Effect":"Allow",
             "Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:user/bob"]},
             "Action":"s3:ListBucket","Resource":"arn:aws:s3:::examplebucket",
             "Condition":{"StringLike":{"s3:prefix":["","home/","home/${aws:username}/*"]}}},
            {"Sid":"ReadWriteHome","Effect":"Allow",
             "Principal":{"AWS":["arn:aws:iam::111122223333:user/alice","arn:aws:iam::111122223333:user/bob"]},
             "Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],
             "Resource":"arn:aws:s3:::examplebucket/home/${aws:username}/*"}]}"#,
        requests: &[
            (
                "s3:GetObject",
                Some("home/alice/notes.txt"),
                ALICE,
                &[],
                Allow,
            ),
            ("s3:PutObject", Some("home/alice/a/b"), ALICE, &[], Allow),
            (
                "s3:GetObject",
                Some("home/bob/notes.txt"),
                ALICE,
                &[],
                Unmatched,
            ),
            ("s3:GetObject", Some("home/bob/notes.txt"), BOB, &[], Allow),
            ("s3:GetObject", Some("home/alice"), ALICE, &[], Unmatched),
            (
                "s3:ListBucket",
                None,
                ALICE,
                &[("s3:prefix", "home/alice/")],
                Allow,
            ),
            (
                "s3:ListBucket",
                None,
                ALICE,
                &[("s3:prefix", "home/alice/photos/")],
                Allow,
            ),
            (
                "s3:ListBucket",
                None,
                ALICE,
                &[("s3:prefix", "home/")],
                Allow,
            ),
            ("s3:ListBucket", None, ALICE, &[("s3:prefix", "")], Allow),
            (
                "s3:ListBucket",
                None,
                ALICE,
                &[("s3:prefix", "home/bob/")],
                Unmatched,
            ),
            (
                "s3:ListBucket",
                None,
                ALICE,
                &[("s3:prefix", "other/")],
                Unmatched,
            ),
            ("s3:ListBucket", None, ALICE, &[], Unmatched),
            (
                "s3:GetObject",
                Some("home/alice/notes.txt"),
                ANON,
                &[],
                Unmatched,
            ),
        ],
    },
    Case {
        name: "2008-10-17 reads ${...} literally",
        policy: r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*",
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/home/${aws:username}/*"}]}"#,
        requests: &[
            ("s3:GetObject", Some("home/alice/x"), ALICE, &[], Unmatched),
            (
                "s3:GetObject",
                Some("home/${aws:username}/x"),
                ALICE,
                &[],
                Allow,
            ),
        ],
    },
    Case {
        name: "special variables ${*} ${?} ${$}, userid, missing variable",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
             "Resource":"arn:aws:s3:::examplebucket/lit${*}${?}${$}/*"},
            {"Effect":"Allow","Principal":"*","Action":"s3:PutObject",
             "Resource":"arn:aws:s3:::examplebucket/by-id/${aws:userid}/*"}]}"#,
        requests: &[
            ("s3:GetObject", Some("lit*?$/x"), ANON, &[], Allow),
            ("s3:GetObject", Some("litab$/x"), ANON, &[], Unmatched),
            ("s3:PutObject", Some("by-id/alice-id/x"), ALICE, &[], Allow),
            (
                "s3:PutObject",
                Some("by-id/alice-id/x"),
                BOB,
                &[],
                Unmatched,
            ),
            // Anonymous has no aws:userid: the resource matches nothing.
            ("s3:PutObject", Some("by-id//x"), ANON, &[], Unmatched),
        ],
    },
    Case {
        name: "deny deletes, explicit deny beats allow",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"DenyDeletes","Effect":"Deny","Principal":"*",
             "Action":["s3:DeleteObject","s3:DeleteObjectVersion","s3:DeleteBucket"],
             "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]},
            {"Sid":"AllowAll","Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*",
             "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]}]}"#,
        requests: &[
            ("s3:DeleteObject", Some("k"), ALICE, &[], Deny),
            ("s3:DeleteObjectVersion", Some("k"), ALICE, &[], Deny),
            ("s3:DeleteBucket", None, ALICE, &[], Deny),
            ("s3:GetObject", Some("k"), ALICE, &[], Allow),
            ("s3:PutObject", Some("k"), ANON, &[], Allow),
            ("s3:DeleteBucketPolicy", None, ALICE, &[], Allow),
        ],
    },
    Case {
        name: "NotPrincipal: deny everyone but the admin",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::111122223333:user/admin"]},
             "Action":"s3:*","Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*"]},
            {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}]}"#,
        requests: &[
            ("s3:GetObject", Some("k"), ADMIN, &[], Allow),
            ("s3:PutObject", Some("k"), ADMIN, &[], Unmatched),
            ("s3:GetObject", Some("k"), ALICE, &[], Deny),
            ("s3:GetObject", Some("k"), ANON, &[], Deny),
        ],
    },
    Case {
        name: "NotAction: deny all but reads",
        policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",
            "NotAction":["s3:GetObject","s3:GetObjectVersion"],"Resource":"arn:aws:s3:::examplebucket/*"}]}"#,
        requests: &[
            ("s3:GetObject", Some("k"), ALICE, &[], Unmatched),
            ("s3:PutObject", Some("k"), ALICE, &[], Deny),
            ("s3:DeleteObject", Some("k"), ANON, &[], Deny),
            // Not this statement's resource.
            ("s3:ListBucket", None, ALICE, &[], Unmatched),
            // An action outside the table is still "not GetObject".
            ("s3:SomeFutureAction", Some("k"), ALICE, &[], Deny),
        ],
    },
    Case {
        name: "NotResource",
        policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject",
            "NotResource":"arn:aws:s3:::examplebucket/public/*"}]}"#,
        requests: &[
            ("s3:GetObject", Some("public/a"), ANON, &[], Unmatched),
            ("s3:GetObject", Some("private/a"), ANON, &[], Deny),
        ],
    },
    Case {
        name: "action wildcards and case",
        policy: r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":["S3:get*","s3:List?ucket"],
             "Resource":["arn:aws:s3:::examplebucket","arn:aws:s3:::examplebucket/*.jpg"]}]}"#,
        requests: &[
            ("s3:GetObject", Some("a/b.jpg"), ANON, &[], Allow),
            ("s3:getobjectacl", Some("b.jpg"), ANON, &[], Allow),
            ("s3:GetObject", Some("b.png"), ANON, &[], Unmatched),
            ("s3:GetBucketPolicy", None, ANON, &[], Allow),
            ("s3:ListBucket", None, ANON, &[], Allow),
            ("s3:ListBucketVersions", None, ANON, &[], Unmatched),
            ("s3:PutObject", Some("b.jpg"), ANON, &[], Unmatched),
        ],
    },
    Case {
        name: "Action * and resource arn:aws:s3:::*",
        policy: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*",
            "Resource":["arn:aws:s3:::*","arn:aws:s3:::*/*"]}]}"#,
        requests: &[
            ("s3:PutObject", Some("k"), ANON, &[], Allow),
            ("s3:AbortMultipartUpload", Some("k"), ANON, &[], Allow),
            ("s3:ListBucket", None, ANON, &[], Allow),
        ],
    },
];

/// Runs a table of cases; lists every mismatch.
pub(super) fn run_cases(cases: &[Case]) {
    let mut failures = Vec::new();
    for case in cases {
        let policy = match Policy::parse(case.policy, BUCKET) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{}: refused: {e}", case.name));
                continue;
            }
        };
        for (i, &(action, key, who, pairs, want)) in case.requests.iter().enumerate() {
            let got = decide(&policy, action, key, who, pairs);
            if got != want {
                failures.push(format!(
                    "{} #{i}: {action} {key:?} {pairs:?}: got {got:?}, want {want:?}",
                    case.name
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn documented_examples() {
    run_cases(CASES);
}

#[test]
fn deny_wins_whatever_the_order() {
    for order in [["Allow", "Deny"], ["Deny", "Allow"]] {
        let text = format!(
            r#"{{"Statement":[{{"Effect":"{}","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}},
                {{"Effect":"{}","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}}]}}"#,
            order[0], order[1]
        );
        let p = Policy::parse(&text, BUCKET).unwrap();
        assert_eq!(decide(&p, "s3:GetObject", Some("k"), ALICE, &[]), Deny);
    }
}

#[test]
fn condition_context_keys() {
    let mut ctx = ConditionContext::default();
    ctx.insert("aws:SourceIp", "1.2.3.4");
    ctx.insert("s3:RequestObjectTagKeys", "a");
    ctx.insert("S3:REQUESTOBJECTTAGKEYS", "b");
    ctx.insert("s3:ExistingObjectTag/Env", "x");
    assert_eq!(ctx.get("AWS:SOURCEIP"), Some(&["1.2.3.4".to_owned()][..]));
    assert_eq!(
        ctx.get("s3:requestobjecttagkeys").map(<[String]>::len),
        Some(2)
    );
    assert!(ctx.get("s3:existingobjecttag/Env").is_some());
    assert!(ctx.get("s3:ExistingObjectTag/env").is_none());
    assert!(ctx.get("aws:username").is_none());
}

/// A 20-statement policy (the shape `predastore-bench`'s `policy` phase
/// times end to end): the GET is allowed by the last statement only, and
/// a PUT by one user's statement only from that user's network.
#[test]
fn twenty_statements_decide_by_the_one_that_applies() {
    let mut statements = Vec::new();
    for i in 0..19 {
        statements.push(format!(
            r#"{{"Sid":"S{i}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::1:user/u{i}"}},
               "Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::examplebucket/home/u{i}/*",
               "Condition":{{"IpAddress":{{"aws:SourceIp":"10.{i}.0.0/16"}}}}}}"#
        ));
    }
    statements.push(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::examplebucket/*"}"#
            .to_owned(),
    );
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    let p = Policy::parse(&text, BUCKET).unwrap();
    let ctx = context(
        ALICE,
        &[
            ("aws:SourceIp", "10.1.2.3"),
            ("aws:SecureTransport", "false"),
        ],
    );
    let req = PolicyRequest {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::examplebucket/some/key.bin",
        principal: Some(Principal {
            user_id: "alice-id",
            user_name: "alice",
            iam: None,
        }),
        context: &ctx,
    };
    assert_eq!(p.evaluate(&req), Allow);
    let put = PolicyRequest {
        action: "s3:PutObject",
        resource: "arn:aws:s3:::examplebucket/home/u1/a",
        principal: Some(Principal {
            user_id: "u1-id",
            user_name: "u1",
            iam: None,
        }),
        ..req
    };
    assert_eq!(p.evaluate(&put), Allow);
    let elsewhere = PolicyRequest {
        resource: "arn:aws:s3:::examplebucket/home/u2/a",
        ..put
    };
    assert_eq!(p.evaluate(&elsewhere), Unmatched);
}

#[test]
fn action_names_any_case() {
    let id = actions::lookup("S3:GETOBJECT").expect("known action");
    assert_eq!(id.name(), "s3:GetObject");
    assert_eq!(
        actions::lookup("s3:listbucket").map(|a| a.name()),
        Some("s3:ListBucket")
    );
    assert!(actions::lookup("s3:GetObjekt").is_none());
    assert!(actions::lookup("GetObject").is_none());
}
