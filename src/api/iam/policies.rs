//! Identity policies: inline ones of users, groups and roles, and
//! managed ones (the account's own with their versions, and AWS's),
//! attached to them.

use std::collections::BTreeSet;

use super::entities::{find, own_policy_name, policy};
use super::form::page;
use super::xml::{document, Answer, IAM_NS};
use super::{IamApiError, IamRequest};
use crate::identity::{arn, managed, new_id, Identities};
use crate::policy::Scope;
use crate::storage::meta::iam::{AccountIam, Holder, IamChange, InlinePolicies, ManagedPolicy};

/// The longest policy name.
const MAX_POLICY_NAME: usize = 128;

/// What an inline policy or attachment belongs to.
#[derive(Clone, Copy)]
enum Kind {
    User,
    Group,
    Role,
}

impl Kind {
    /// Its name parameter (`UserName`…).
    fn param(self) -> &'static str {
        match self {
            Kind::User => "UserName",
            Kind::Group => "GroupName",
            Kind::Role => "RoleName",
        }
    }

    /// How long its name may be.
    fn max(self) -> usize {
        match self {
            Kind::User | Kind::Role => 64,
            Kind::Group => 128,
        }
    }

    /// Its word in ARNs and messages.
    fn word(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "role",
        }
    }

    /// The largest inline policy IAM takes for it.
    fn max_inline(self) -> usize {
        match self {
            Kind::User => 2048,
            Kind::Group => 5120,
            Kind::Role => 10_240,
        }
    }

    fn holder(self, name: &str) -> Holder {
        match self {
            Kind::User => Holder::User(name.to_string()),
            Kind::Group => Holder::Group(name.to_string()),
            Kind::Role => Holder::Role(name.to_string()),
        }
    }
}

/// A holder as stored: its name, inline policies and attachments.
struct Found<'d> {
    name: &'d str,
    inline: &'d InlinePolicies,
    attached: &'d BTreeSet<String>,
}

/// The holder of `kind` the form names, once the caller may `action` it.
fn found<'d>(
    r: &IamRequest<'_>,
    doc: &'d AccountIam,
    kind: Kind,
    action: &str,
) -> Result<Found<'d>, IamApiError> {
    let asked = r.form.name(kind.param(), kind.max())?;
    let (name, inline, attached, path) = match kind {
        Kind::User => {
            let (n, u) = find(&doc.users, "user", asked)?;
            (n, &u.inline, &u.attached, &u.path)
        }
        Kind::Group => {
            let (n, g) = find(&doc.groups, "group", asked)?;
            (n, &g.inline, &g.attached, &g.path)
        }
        Kind::Role => {
            let (n, ro) = find(&doc.roles, "role", asked)?;
            (n, &ro.inline, &ro.attached, &ro.path)
        }
    };
    let arn = arn::entity(r.account(), kind.word(), path, name);
    r.authorize(&format!("iam:{action}"), &arn)?;
    Ok(Found {
        name,
        inline,
        attached,
    })
}

async fn put_inline(
    r: &IamRequest<'_>,
    kind: Kind,
    action: &'static str,
) -> Result<Answer, IamApiError> {
    let policy_name = r.form.name("PolicyName", MAX_POLICY_NAME)?.to_string();
    let text = r.form.required("PolicyDocument")?.to_string();
    if text.len() > kind.max_inline() {
        return Err(IamApiError::new(
            "LimitExceeded",
            409,
            format!(
                "Maximum policy size of {} bytes exceeded for {} {}",
                kind.max_inline(),
                kind.word(),
                r.form.get(kind.param()).unwrap_or_default()
            ),
        ));
    }
    Identities::check_document(&text, Scope::Identity)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let f = found(r, &doc, kind, action)?;
    let change = IamChange::PutInline {
        holder: kind.holder(f.name),
        name: policy_name,
        document: text,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new(action, IAM_NS))
}

async fn get_inline(
    r: &IamRequest<'_>,
    kind: Kind,
    action: &'static str,
) -> Result<Answer, IamApiError> {
    let policy_name = r.form.name("PolicyName", MAX_POLICY_NAME)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let f = found(r, &doc, kind, action)?;
    let (stored, text) = find(f.inline, "policy", policy_name)?;
    let mut a = Answer::new(action, IAM_NS);
    a.text(kind.param(), f.name)
        .text("PolicyName", stored)
        .text("PolicyDocument", &document(text));
    Ok(a)
}

async fn list_inline(
    r: &IamRequest<'_>,
    kind: Kind,
    action: &'static str,
) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let f = found(r, &doc, kind, action)?;
    let items = f.inline.keys().map(|n| (n.clone(), n)).collect();
    let (names, next) = page(&r.form, items)?;
    let mut a = Answer::new(action, IAM_NS);
    a.open("PolicyNames");
    for n in names {
        a.text("member", n);
    }
    a.close("PolicyNames").paging(next.as_deref());
    Ok(a)
}

async fn delete_inline(
    r: &IamRequest<'_>,
    kind: Kind,
    action: &'static str,
) -> Result<Answer, IamApiError> {
    let policy_name = r.form.name("PolicyName", MAX_POLICY_NAME)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let f = found(r, &doc, kind, action)?;
    let (stored, _) = find(f.inline, "policy", policy_name)?;
    let change = IamChange::DeleteInline {
        holder: kind.holder(f.name),
        name: stored.to_string(),
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new(action, IAM_NS))
}

/// The canonical ARN of the managed policy `policy_arn` names (AWS's
/// known ones, or the account's own, with its path), as attachments
/// keep it; `NoSuchEntity` for one this account cannot attach.
fn canonical_arn(
    r: &IamRequest<'_>,
    doc: &AccountIam,
    policy_arn: &str,
) -> Result<String, IamApiError> {
    if let Some(arn) = managed::canonical(policy_arn) {
        return Ok(arn);
    }
    own_policy_name(r.account(), policy_arn)
        .and_then(|n| find(&doc.policies, "policy", n).ok())
        .map(|(n, p)| arn::entity(r.account(), "policy", &p.path, n))
        .ok_or_else(|| {
            IamApiError::no_such(format!(
                "Policy {policy_arn} does not exist or is not attachable."
            ))
        })
}

async fn attach(
    r: &IamRequest<'_>,
    kind: Kind,
    action: &'static str,
    on: bool,
) -> Result<Answer, IamApiError> {
    let policy_arn = r.form.required("PolicyArn")?.to_string();
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let f = found(r, &doc, kind, action)?;
    let holder = kind.holder(f.name);
    let change = if on {
        IamChange::Attach {
            holder,
            arn: canonical_arn(r, &doc, &policy_arn)?,
        }
    } else {
        // A policy deleted since is detached by the ARN it was kept under.
        let arn = canonical_arn(r, &doc, &policy_arn).unwrap_or(policy_arn);
        IamChange::Detach { holder, arn }
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new(action, IAM_NS))
}

async fn list_attached(
    r: &IamRequest<'_>,
    kind: Kind,
    action: &'static str,
) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let f = found(r, &doc, kind, action)?;
    let prefix = r.form.get("PathPrefix").unwrap_or("/");
    let items = f
        .attached
        .iter()
        .filter(|a| {
            let path = a.split_once(":policy").map_or("/", |(_, p)| p);
            path.starts_with(prefix)
        })
        .map(|a| (a.rsplit('/').next().unwrap_or(a).to_string(), a))
        .collect::<Vec<_>>();
    let (arns, next) = page(&r.form, items)?;
    let mut a = Answer::new(action, IAM_NS);
    a.open("AttachedPolicies");
    for policy_arn in arns {
        a.open("member")
            .text(
                "PolicyName",
                policy_arn.rsplit('/').next().unwrap_or(policy_arn),
            )
            .text("PolicyArn", policy_arn)
            .close("member");
    }
    a.close("AttachedPolicies").paging(next.as_deref());
    Ok(a)
}

macro_rules! per_kind {
    ($($fn_name:ident => $inner:ident($kind:expr, $action:literal $(, $extra:expr)?)),+ $(,)?) => {$(
        #[doc = concat!("`", $action, "`.")]
        pub(super) async fn $fn_name(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
            $inner(r, $kind, $action $(, $extra)?).await
        }
    )+};
}

per_kind! {
    put_user_policy => put_inline(Kind::User, "PutUserPolicy"),
    get_user_policy => get_inline(Kind::User, "GetUserPolicy"),
    list_user_policies => list_inline(Kind::User, "ListUserPolicies"),
    delete_user_policy => delete_inline(Kind::User, "DeleteUserPolicy"),
    put_group_policy => put_inline(Kind::Group, "PutGroupPolicy"),
    get_group_policy => get_inline(Kind::Group, "GetGroupPolicy"),
    list_group_policies => list_inline(Kind::Group, "ListGroupPolicies"),
    delete_group_policy => delete_inline(Kind::Group, "DeleteGroupPolicy"),
    put_role_policy => put_inline(Kind::Role, "PutRolePolicy"),
    get_role_policy => get_inline(Kind::Role, "GetRolePolicy"),
    list_role_policies => list_inline(Kind::Role, "ListRolePolicies"),
    delete_role_policy => delete_inline(Kind::Role, "DeleteRolePolicy"),
    attach_user_policy => attach(Kind::User, "AttachUserPolicy", true),
    detach_user_policy => attach(Kind::User, "DetachUserPolicy", false),
    list_attached_user_policies => list_attached(Kind::User, "ListAttachedUserPolicies"),
    attach_group_policy => attach(Kind::Group, "AttachGroupPolicy", true),
    detach_group_policy => attach(Kind::Group, "DetachGroupPolicy", false),
    list_attached_group_policies => list_attached(Kind::Group, "ListAttachedGroupPolicies"),
    attach_role_policy => attach(Kind::Role, "AttachRolePolicy", true),
    detach_role_policy => attach(Kind::Role, "DetachRolePolicy", false),
    list_attached_role_policies => list_attached(Kind::Role, "ListAttachedRolePolicies"),
}

/// The account's own managed policy `PolicyArn` names, as stored, with
/// its canonical ARN, once the caller may `action` it (authorized on the
/// canonical ARN, never on the one sent).
fn own_policy<'d>(
    r: &IamRequest<'_>,
    doc: &'d AccountIam,
    action: &str,
) -> Result<(&'d str, &'d ManagedPolicy, String), IamApiError> {
    let policy_arn = r.form.required("PolicyArn")?;
    let missing = || IamApiError::no_such(format!("Policy {policy_arn} was not found."));
    let name = own_policy_name(r.account(), policy_arn).ok_or_else(missing)?;
    let (stored, p) = find(&doc.policies, "policy", name).map_err(|_| missing())?;
    let arn = arn::entity(r.account(), "policy", &p.path, stored);
    r.authorize(action, &arn)?;
    Ok((stored, p, arn))
}

/// CreatePolicy.
pub(super) async fn create_policy(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let name = r.form.name("PolicyName", MAX_POLICY_NAME)?.to_string();
    let path = r.form.path("Path")?;
    let text = r.form.required("PolicyDocument")?.to_string();
    Identities::check_document(&text, Scope::Identity)?;
    r.authorize(
        "iam:CreatePolicy",
        &arn::entity(r.account(), "policy", &path, &name),
    )?;
    let change = IamChange::CreatePolicy {
        name: name.clone(),
        path,
        id: new_id("ANPA"),
        description: r.form.get("Description").unwrap_or_default().to_string(),
        document: text,
    };
    r.gw.identities.change(r.account(), change).await?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, p) = find(&doc.policies, "policy", &name)?;
    let mut a = Answer::new("CreatePolicy", IAM_NS);
    policy(&mut a, "Policy", r.account(), stored, p, 0);
    Ok(a)
}

/// GetPolicy: the account's own, or an AWS managed one.
pub(super) async fn get_policy(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let mut a = Answer::new("GetPolicy", IAM_NS);
    if let Some(policy_arn) = managed::canonical(r.form.required("PolicyArn")?) {
        r.authorize("iam:GetPolicy", &policy_arn)?;
        let policy_arn = policy_arn.as_str();
        let name = policy_arn.rsplit('/').next().unwrap_or(policy_arn);
        a.open("Policy")
            .text("PolicyName", name)
            .text("Arn", policy_arn)
            .text("Path", "/")
            .text("DefaultVersionId", "v1")
            .text("AttachmentCount", &doc.attachments(policy_arn).to_string())
            .text("IsAttachable", "true")
            .close("Policy");
        return Ok(a);
    }
    let (name, p, arn) = own_policy(r, &doc, "iam:GetPolicy")?;
    let attachments = doc.attachments(&arn);
    policy(&mut a, "Policy", r.account(), name, p, attachments);
    Ok(a)
}

/// ListPolicies (`Scope` All, AWS or Local; `OnlyAttached`; `PathPrefix`).
pub(super) async fn list_policies(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    r.authorize(
        "iam:ListPolicies",
        &arn::entity(r.account(), "policy", "/", "*"),
    )?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let scope = r.form.get("Scope").unwrap_or("All");
    let only_attached = r.form.get("OnlyAttached") == Some("true");
    let prefix = r.form.get("PathPrefix").unwrap_or("/");
    let mut items: Vec<(String, (String, Option<&str>))> = Vec::new();
    if matches!(scope, "All" | "AWS") && prefix == "/" {
        for (name, _) in managed::all() {
            items.push((
                name.to_string(),
                (format!("{}{name}", managed::ARN_PREFIX), None),
            ));
        }
    }
    if matches!(scope, "All" | "Local") {
        for (name, p) in doc
            .policies
            .iter()
            .filter(|(_, p)| p.path.starts_with(prefix))
        {
            items.push((
                name.clone(),
                (
                    arn::entity(r.account(), "policy", &p.path, name),
                    Some(name.as_str()),
                ),
            ));
        }
    }
    items.retain(|(_, (policy_arn, _))| !only_attached || doc.attachments(policy_arn) > 0);
    let (policies, next) = page(&r.form, items)?;
    let mut a = Answer::new("ListPolicies", IAM_NS);
    a.open("Policies");
    for (policy_arn, own) in policies {
        let count = doc.attachments(&policy_arn);
        match own.and_then(|n| doc.policies.get(n).map(|p| (n, p))) {
            Some((n, p)) => policy(&mut a, "member", r.account(), n, p, count),
            None => {
                a.open("member")
                    .text(
                        "PolicyName",
                        policy_arn.rsplit('/').next().unwrap_or(&policy_arn),
                    )
                    .text("Arn", &policy_arn)
                    .text("Path", "/")
                    .text("DefaultVersionId", "v1")
                    .text("AttachmentCount", &count.to_string())
                    .text("IsAttachable", "true")
                    .close("member");
            }
        }
    }
    a.close("Policies").paging(next.as_deref());
    Ok(a)
}

/// DeletePolicy (attached to nothing, as IAM asks).
pub(super) async fn delete_policy(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (name, _, arn) = own_policy(r, &doc, "iam:DeletePolicy")?;
    let change = IamChange::DeletePolicy {
        name: name.to_string(),
        arn,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("DeletePolicy", IAM_NS))
}

/// `v<n>` → n.
fn version_number(v: &str) -> Result<u32, IamApiError> {
    v.strip_prefix('v')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| IamApiError::validation(format!("Invalid version id {v}")))
}

fn write_version(a: &mut Answer, n: u32, default: bool, created_ms: u64, text: Option<&str>) {
    a.open("PolicyVersion");
    if let Some(t) = text {
        a.text("Document", &document(t));
    }
    a.text("VersionId", &format!("v{n}"))
        .text("IsDefaultVersion", if default { "true" } else { "false" })
        .time("CreateDate", created_ms)
        .close("PolicyVersion");
}

/// CreatePolicyVersion (`SetAsDefault`; at most five versions).
pub(super) async fn create_version(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let text = r.form.required("PolicyDocument")?.to_string();
    Identities::check_document(&text, Scope::Identity)?;
    let set_default = r.form.get("SetAsDefault") == Some("true");
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (name, p, _) = own_policy(r, &doc, "iam:CreatePolicyVersion")?;
    let n = p.next_version;
    let change = IamChange::CreatePolicyVersion {
        name: name.to_string(),
        document: text,
        set_default,
    };
    r.gw.identities.change(r.account(), change).await?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (_, p, _) = own_policy(r, &doc, "iam:CreatePolicyVersion")?;
    let created = p.versions.get(&n).map_or(0, |v| v.created_ms);
    let mut a = Answer::new("CreatePolicyVersion", IAM_NS);
    write_version(&mut a, n, p.default_version == n, created, None);
    Ok(a)
}

/// GetPolicyVersion.
pub(super) async fn get_version(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let n = version_number(r.form.required("VersionId")?)?;
    let policy_arn = r.form.required("PolicyArn")?;
    let mut a = Answer::new("GetPolicyVersion", IAM_NS);
    if let Some(canonical) = managed::canonical(policy_arn) {
        r.authorize("iam:GetPolicyVersion", &canonical)?;
        let text = managed::document(&canonical)
            .filter(|_| n == 1)
            .ok_or_else(|| {
                IamApiError::no_such(format!("Policy {policy_arn} version v{n} does not exist."))
            })?;
        write_version(&mut a, 1, true, 0, Some(text));
        return Ok(a);
    }
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (_, p, _) = own_policy(r, &doc, "iam:GetPolicyVersion")?;
    let v = p.versions.get(&n).ok_or_else(|| {
        IamApiError::no_such(format!("Policy {policy_arn} version v{n} does not exist."))
    })?;
    write_version(
        &mut a,
        n,
        p.default_version == n,
        v.created_ms,
        Some(&v.document),
    );
    Ok(a)
}

/// ListPolicyVersions.
pub(super) async fn list_versions(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (_, p, _) = own_policy(r, &doc, "iam:ListPolicyVersions")?;
    let mut a = Answer::new("ListPolicyVersions", IAM_NS);
    a.open("Versions");
    for (n, v) in p.versions.iter().rev() {
        a.open("member")
            .text("VersionId", &format!("v{n}"))
            .text(
                "IsDefaultVersion",
                if *n == p.default_version {
                    "true"
                } else {
                    "false"
                },
            )
            .time("CreateDate", v.created_ms)
            .close("member");
    }
    a.close("Versions").paging(None);
    Ok(a)
}

/// DeletePolicyVersion (not the one in force).
pub(super) async fn delete_version(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let n = version_number(r.form.required("VersionId")?)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (name, _, _) = own_policy(r, &doc, "iam:DeletePolicyVersion")?;
    let change = IamChange::DeletePolicyVersion {
        name: name.to_string(),
        version: n,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("DeletePolicyVersion", IAM_NS))
}

/// SetDefaultPolicyVersion.
pub(super) async fn set_default_version(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let n = version_number(r.form.required("VersionId")?)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (name, _, _) = own_policy(r, &doc, "iam:SetDefaultPolicyVersion")?;
    let change = IamChange::SetDefaultPolicyVersion {
        name: name.to_string(),
        version: n,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("SetDefaultPolicyVersion", IAM_NS))
}
