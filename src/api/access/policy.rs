//! Bucket policies at the HTTP edge: which S3 action a request is and
//! the condition keys it carries.

use std::net::IpAddr;

use actix_web::http::header::HeaderMap;

use crate::api::context::BucketPolicy;
use crate::api::context::Caller;
use crate::api::request::parse_tagging_header;
use crate::api::xml::format_timestamp;
use crate::clock::now_ms;
use crate::identity::Identity;
use crate::policy::{ConditionContext, Decision, IamKind, IamPrincipal, PolicyRequest, Principal};
use crate::storage::meta::ObjectRecord;

/// What an access decision reads of a request: who asks, what it
/// carries, and where it comes from.
pub(crate) struct Asker<'a> {
    /// The signed-in user; `None`: anonymous.
    pub caller: Option<&'a Caller>,
    /// Its headers (presigned ones hoisted).
    pub headers: &'a HeaderMap,
    /// Its decoded query.
    pub query: &'a [(String, String)],
    /// The client's address (`aws:SourceIp`).
    pub peer: Option<IpAddr>,
    /// Whether it came over TLS (`aws:SecureTransport`).
    pub secure: bool,
}

impl Asker<'_> {
    /// The caller's user id (`None`: anonymous).
    pub(crate) fn caller_id(&self) -> Option<&str> {
        self.caller.map(|c| c.user_id.as_str())
    }

    /// Whether the request names a version (`versionId`): the table's
    /// version form of its operation applies.
    pub(crate) fn names_version(&self) -> bool {
        self.query("versionId").is_some()
    }

    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The caller as policies match it, judged on a resource of `owner`'s
/// (an account's own identities are not matched by statements naming
/// the account itself there: their own policies speak for them).
pub(crate) fn principal<'a>(asker: &Asker<'a>, owner: &str) -> Option<Principal<'a>> {
    let c = asker.caller?;
    Some(Principal {
        user_id: &c.user_id,
        user_name: &c.display_name,
        iam: c.identity.as_deref().map(|i| IamPrincipal {
            kind: i.kind,
            name: &i.name,
            arn: &i.arn,
            account_counts: c.user_id != owner,
        }),
    })
}

/// What the bucket's policy says of `action` on `resource` (a bucket or
/// object ARN) for `principal`, with the request's condition keys
/// `context`. A stored policy that cannot be read denies everything
/// (fail closed).
pub(crate) fn decide(
    policy: &BucketPolicy,
    principal: Option<Principal<'_>>,
    action: &str,
    resource: &str,
    context: &ConditionContext,
) -> Decision {
    let Some(parsed) = &policy.policy else {
        return Decision::Deny;
    };
    parsed.evaluate(&PolicyRequest {
        action,
        resource,
        principal,
        context,
    })
}

/// Whether an IAM identity's session policy, if any, allows `action` on
/// `resource`.
pub(crate) fn session_allows(
    identity: &Identity,
    principal: Option<Principal<'_>>,
    action: &str,
    resource: &str,
    context: &ConditionContext,
) -> bool {
    identity.session_allows(&PolicyRequest {
        action,
        resource,
        principal,
        context,
    })
}

/// What an IAM identity's own policies (and its session policy) say of
/// `action` on `resource`.
pub(crate) fn decide_identity(
    identity: &Identity,
    principal: Option<Principal<'_>>,
    action: &str,
    resource: &str,
    context: &ConditionContext,
) -> Decision {
    identity.decide(&PolicyRequest {
        action,
        resource,
        principal,
        context,
    })
}

/// The condition keys of who signed: the account root, an IAM user or
/// a role's session (`aws:username` is a user's alone, as in AWS; a
/// root keeps its display name there, as before IAM users).
pub(crate) fn principal_keys(c: &mut ConditionContext, caller: &Caller) {
    c.insert("aws:PrincipalAccount", &caller.user_id);
    c.insert(
        "sts:authentication",
        if caller.temporary { "true" } else { "false" },
    );
    let Some(identity) = &caller.identity else {
        c.insert("aws:username", &caller.display_name);
        c.insert("aws:userid", &caller.user_id);
        c.insert("aws:PrincipalType", "Account");
        c.insert(
            "aws:PrincipalArn",
            crate::identity::arn::root(&caller.user_id),
        );
        return;
    };
    c.insert("aws:userid", &identity.id);
    c.insert("aws:PrincipalArn", &identity.principal_arn);
    match identity.kind {
        IamKind::User => {
            c.insert("aws:username", &identity.name);
            c.insert("aws:PrincipalType", "User");
        }
        IamKind::Role => c.insert("aws:PrincipalType", "AssumedRole"),
        IamKind::WebIdentity => c.insert("aws:PrincipalType", "WebIdentityUser"),
    }
    for (k, v) in &identity.tags {
        c.insert(&format!("aws:PrincipalTag/{k}"), v);
    }
}

/// The ARN of bucket `bucket`, or of its object `key`.
pub(crate) fn resource_arn(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("arn:aws:s3:::{bucket}/{k}"),
        None => format!("arn:aws:s3:::{bucket}"),
    }
}

/// Request headers that are condition keys of the same name (`s3:<name>`).
const HEADER_KEYS: &[&str] = &[
    "x-amz-acl",
    "x-amz-grant-read",
    "x-amz-grant-write",
    "x-amz-grant-read-acp",
    "x-amz-grant-write-acp",
    "x-amz-grant-full-control",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-copy-source",
    "x-amz-metadata-directive",
    "x-amz-storage-class",
    "x-amz-content-sha256",
];

/// The condition keys of a request (see AWS's list for S3).
pub(crate) fn context(asker: &Asker<'_>, object: Option<&ObjectRecord>) -> ConditionContext {
    let mut c = ConditionContext::default();
    let now = now_ms();
    c.insert("aws:CurrentTime", format_timestamp(now));
    c.insert("aws:EpochTime", (now / 1000).to_string());
    c.insert(
        "aws:SecureTransport",
        if asker.secure { "true" } else { "false" },
    );
    for (header, key) in [("referer", "aws:Referer"), ("user-agent", "aws:UserAgent")] {
        if let Some(v) = asker.header(header) {
            c.insert(key, v);
        }
    }
    if let Some(ip) = asker.peer {
        c.insert("aws:SourceIp", ip.to_string());
    }
    match asker.caller {
        Some(caller) => principal_keys(&mut c, caller),
        None => c.insert("aws:PrincipalType", "Anonymous"),
    }
    for name in ["prefix", "delimiter", "max-keys"] {
        if let Some(v) = asker.query(name) {
            c.insert(&format!("s3:{name}"), v);
        }
    }
    if let Some(v) = asker.query("versionId") {
        c.insert("s3:VersionId", v);
    }
    for name in HEADER_KEYS {
        if let Some(v) = asker.header(name) {
            c.insert(&format!("s3:{name}"), v);
        }
    }
    for (header, key) in [
        ("x-amz-object-lock-mode", "s3:object-lock-mode"),
        (
            "x-amz-object-lock-retain-until-date",
            "s3:object-lock-retain-until-date",
        ),
        ("x-amz-object-lock-legal-hold", "s3:object-lock-legal-hold"),
    ] {
        if let Some(v) = asker.header(header) {
            c.insert(key, v);
        }
    }
    let request_tags = asker.header("x-amz-tagging").map(parse_tagging_header);
    for (k, v) in request_tags.and_then(Result::ok).unwrap_or_default() {
        c.insert(&format!("s3:RequestObjectTag/{k}"), &v);
        c.insert("s3:RequestObjectTagKeys", &k);
    }
    let auth = asker.header("authorization").unwrap_or_default();
    let (version, kind) = if auth.starts_with("AWS4-") {
        ("AWS4-HMAC-SHA256", "REST-HEADER")
    } else if auth.starts_with("AWS ") {
        ("AWS", "REST-HEADER")
    } else if asker.query("X-Amz-Signature").is_some() {
        ("AWS4-HMAC-SHA256", "REST-QUERY-STRING")
    } else if asker.query("Signature").is_some() {
        ("AWS", "REST-QUERY-STRING")
    } else {
        ("", "")
    };
    if !version.is_empty() {
        c.insert("s3:signatureversion", version);
        c.insert("s3:authType", kind);
    }
    if let Some(o) = object {
        for (k, v) in &o.tags {
            c.insert(&format!("s3:ExistingObjectTag/{k}"), v);
        }
    }
    c
}
