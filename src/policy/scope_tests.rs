//! Identity and trust policies (what each scope may say), and how IAM
//! principals (users, roles' sessions) are matched.

use super::*;

fn parse(text: &str, scope: Scope<'_>) -> Result<Policy, String> {
    Policy::parse_in(text, scope).map_err(|e| e.message)
}

fn doc(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{{{statement}}}]}}"#)
}

#[test]
fn identity_policies_name_no_principal_and_any_arn() {
    let ok = [
        r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::any-bucket/*""#,
        r#""Effect":"Allow","Action":["iam:GetUser","iam:List*"],"Resource":"*""#,
        r#""Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"sts:authentication":"false"}}"#,
        r#""Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::1:role/r""#,
        // RGW takes a `Principal` in a role's policy; it still matches.
        r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*""#,
    ];
    for s in ok {
        assert!(parse(&doc(s), Scope::Identity).is_ok(), "{s}");
    }
    let refused = [
        (
            r#""Effect":"Allow","Action":"s3:GetObject","Resource":"bucket/*""#,
            error::RESOURCE_NOT_ARN,
        ),
        (
            r#""Effect":"Allow","Action":"ec2:RunInstances","Resource":"*""#,
            error::INVALID_ACTION,
        ),
        (
            r#""Effect":"Allow","Action":"s3:GetObject""#,
            "Missing required field Resource",
        ),
    ];
    for (s, message) in refused {
        assert_eq!(
            parse(&doc(s), Scope::Identity).err().as_deref(),
            Some(message),
            "{s}"
        );
    }
    // Other services' actions and keys stay out of bucket policies.
    let iam_in_bucket = doc(
        r#""Effect":"Allow","Principal":"*","Action":"iam:GetUser","Resource":"arn:aws:s3:::b""#,
    );
    assert!(parse(&iam_in_bucket, Scope::Bucket("b")).is_err());
    let sts_key_in_bucket = doc(
        r#""Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"Bool":{"sts:authentication":"true"}}"#,
    );
    assert!(parse(&sts_key_in_bucket, Scope::Bucket("b")).is_err());
}

#[test]
fn trust_policies_need_a_principal_and_no_resource() {
    let trust = doc(
        r#""Effect":"Allow","Principal":{"AWS":"arn:aws:iam::acct:user/alice"},"Action":"sts:AssumeRole""#,
    );
    let p = parse(&trust, Scope::Trust).unwrap();
    let ctx = ConditionContext::default();
    let ask = |account: &'static str, name: &'static str| {
        p.evaluate(&PolicyRequest {
            action: "sts:AssumeRole",
            resource: "arn:aws:iam::acct:role/r",
            principal: Some(Principal {
                user_id: account,
                user_name: "Acct",
                iam: Some(IamPrincipal {
                    kind: IamKind::User,
                    name,
                    arn: "",
                    account_counts: true,
                }),
            }),
            context: &ctx,
        })
    };
    assert_eq!(ask("acct", "alice"), Decision::Allow);
    assert_eq!(ask("acct", "bob"), Decision::Unmatched);
    assert_eq!(ask("other", "alice"), Decision::Unmatched);
    let no_principal = doc(r#""Effect":"Allow","Action":"sts:AssumeRole""#);
    assert!(parse(&no_principal, Scope::Trust).is_err());
    let s3_in_trust = doc(r#""Effect":"Allow","Principal":"*","Action":"s3:GetObject""#);
    assert!(parse(&s3_in_trust, Scope::Trust).is_ok());
    let iam_in_trust = doc(r#""Effect":"Allow","Principal":"*","Action":"iam:GetUser""#);
    assert!(parse(&iam_in_trust, Scope::Trust).is_err());
}

#[test]
fn iam_principals_match_by_account_user_role_and_session() {
    let policy = doc(
        r#""Effect":"Allow","Principal":{"AWS":["111","arn:aws:iam::222:user/ops/alice","arn:aws:iam::333:role/ci","arn:aws:sts::444:assumed-role/deploy/run1"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#,
    );
    let p = parse(&policy, Scope::Bucket("b")).unwrap();
    let ctx = ConditionContext::default();
    let ask = |account: &'static str, kind, name: &'static str, arn: &'static str, counts| {
        p.evaluate(&PolicyRequest {
            action: "s3:GetObject",
            resource: "arn:aws:s3:::b/k",
            principal: Some(Principal {
                user_id: account,
                user_name: "x",
                iam: Some(IamPrincipal {
                    kind,
                    name,
                    arn,
                    account_counts: counts,
                }),
            }),
            context: &ctx,
        })
    };
    use IamKind::{Role, User};
    // The account names its identities in another account's policy, not
    // in its own.
    assert_eq!(ask("111", User, "u", "", true), Decision::Allow);
    assert_eq!(ask("111", User, "u", "", false), Decision::Unmatched);
    assert_eq!(ask("222", User, "alice", "", false), Decision::Allow);
    assert_eq!(ask("999", User, "alice", "", false), Decision::Unmatched);
    assert_eq!(ask("222", Role, "alice", "", false), Decision::Unmatched);
    assert_eq!(
        ask(
            "333",
            Role,
            "ci",
            "arn:aws:sts::333:assumed-role/ci/s",
            false
        ),
        Decision::Allow
    );
    assert_eq!(ask("333", User, "ci", "", false), Decision::Unmatched);
    let run1 = "arn:aws:sts::444:assumed-role/deploy/run1";
    assert_eq!(ask("444", Role, "deploy", run1, false), Decision::Allow);
    assert_eq!(
        ask(
            "444",
            Role,
            "deploy",
            "arn:aws:sts::444:assumed-role/deploy/run2",
            false
        ),
        Decision::Unmatched
    );
}

#[test]
fn trust_policies_name_openid_providers_and_read_their_claims() {
    let trust = doc(
        r#""Effect":"Allow","Principal":{"Federated":"arn:aws:iam::acct:oidc-provider/idp.test/realms/demo"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"idp.test/realms/demo:sub":"alice","idp.test/realms/demo:aud":"app"}}"#,
    );
    let p = parse(&trust, Scope::Trust).unwrap();
    let ask = |account: &'static str, host: &'static str, kind, sub: &str| {
        let mut ctx = ConditionContext::default();
        ctx.insert("idp.test/realms/demo:sub", sub);
        ctx.insert("idp.test/realms/demo:aud", "app");
        p.evaluate(&PolicyRequest {
            action: "sts:AssumeRoleWithWebIdentity",
            resource: "arn:aws:iam::acct:role/r",
            principal: Some(Principal {
                user_id: account,
                user_name: "",
                iam: Some(IamPrincipal {
                    kind,
                    name: host,
                    arn: "",
                    account_counts: false,
                }),
            }),
            context: &ctx,
        })
    };
    let web = IamKind::WebIdentity;
    assert_eq!(
        ask("acct", "idp.test/realms/demo", web, "alice"),
        Decision::Allow
    );
    assert_eq!(
        ask("acct", "idp.test/realms/demo", web, "bob"),
        Decision::Unmatched
    );
    assert_eq!(ask("acct", "other.test", web, "alice"), Decision::Unmatched);
    assert_eq!(
        ask("other", "idp.test/realms/demo", web, "alice"),
        Decision::Unmatched
    );
    // A user named like the provider is not its token's holder.
    let user = IamKind::User;
    assert_eq!(
        ask("acct", "idp.test/realms/demo", user, "alice"),
        Decision::Unmatched
    );
    // RGW's ARN without an account, and a bare host, are taken.
    for principal in [
        "arn:aws:iam:::oidc-provider/idp.test/realms/demo",
        "accounts.example.com",
    ] {
        let s = format!(
            r#""Effect":"Allow","Principal":{{"Federated":"{principal}"}},"Action":"sts:AssumeRoleWithWebIdentity""#
        );
        assert!(parse(&doc(&s), Scope::Trust).is_ok(), "{principal}");
    }
    // Federated principals and claims belong to trust policies alone.
    let in_bucket = doc(
        r#""Effect":"Allow","Principal":{"Federated":"accounts.example.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#,
    );
    assert!(parse(&in_bucket, Scope::Bucket("b")).is_err());
    let claim_in_identity = doc(
        r#""Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"idp.test:sub":"a"}}"#,
    );
    assert!(parse(&claim_in_identity, Scope::Identity).is_err());
    let bad = doc(
        r#""Effect":"Allow","Principal":{"Federated":"arn:aws:iam::acct:role/r"},"Action":"sts:AssumeRoleWithWebIdentity""#,
    );
    assert!(parse(&bad, Scope::Trust).is_err());
}
