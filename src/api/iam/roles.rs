//! Roles: create with a trust policy, read, list, change, delete, tag.

use super::entities::{find, role};
use super::form::page;
use super::xml::{Answer, IAM_NS};
use super::{IamApiError, IamRequest};
use crate::identity::{arn, new_id, Identities};
use crate::policy::Scope;
use crate::storage::meta::iam::{Holder, IamChange, IamRole};

/// The longest role name.
const MAX_NAME: usize = 64;
/// The longest session a role may allow, and the shortest, in seconds.
const SESSION_SECS: std::ops::RangeInclusive<u64> = 3600..=43_200;

fn role_arn(r: &IamRequest<'_>, path: &str, name: &str) -> String {
    arn::entity(r.account(), "role", path, name)
}

/// The answer naming role `name` as stored now, under `elem`.
async fn answer_with_role(
    r: &IamRequest<'_>,
    action: &'static str,
    name: &str,
) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, ro) = find(&doc.roles, "role", name)?;
    let mut a = Answer::new(action, IAM_NS);
    role(&mut a, "Role", r.account(), stored, ro);
    Ok(a)
}

/// CreateRole.
pub(super) async fn create(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let name = r.form.name("RoleName", MAX_NAME)?;
    let path = r.form.path("Path")?;
    let trust = r.form.required("AssumeRolePolicyDocument")?.to_string();
    Identities::check_document(&trust, Scope::Trust)?;
    let max_session_secs = r
        .form
        .number("MaxSessionDuration", SESSION_SECS)?
        .unwrap_or(3600) as u32;
    r.authorize("iam:CreateRole", &role_arn(r, &path, name))?;
    let change = IamChange::CreateRole {
        name: name.to_string(),
        role: IamRole {
            id: new_id("AROA"),
            path,
            created_ms: 0,
            trust,
            description: r.form.get("Description").unwrap_or_default().to_string(),
            max_session_secs,
            tags: r.form.tags()?,
            inline: Default::default(),
            attached: Default::default(),
        },
    };
    r.gw.identities.change(r.account(), change).await?;
    answer_with_role(r, "CreateRole", name).await
}

/// GetRole.
pub(super) async fn get(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let name = r.form.name("RoleName", MAX_NAME)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, ro) = find(&doc.roles, "role", name)?;
    r.authorize("iam:GetRole", &role_arn(r, &ro.path, stored))?;
    let mut a = Answer::new("GetRole", IAM_NS);
    role(&mut a, "Role", r.account(), stored, ro);
    Ok(a)
}

/// ListRoles (by `PathPrefix`, paged).
pub(super) async fn list(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    r.authorize("iam:ListRoles", &role_arn(r, "/", "*"))?;
    let prefix = r.form.get("PathPrefix").unwrap_or("/");
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let items = doc
        .roles
        .iter()
        .filter(|(_, ro)| ro.path.starts_with(prefix))
        .map(|(n, ro)| (n.clone(), (n, ro)))
        .collect();
    let (roles, next) = page(&r.form, items)?;
    let mut a = Answer::new("ListRoles", IAM_NS);
    a.open("Roles");
    for (n, ro) in roles {
        role(&mut a, "member", r.account(), n, ro);
    }
    a.close("Roles").paging(next.as_deref());
    Ok(a)
}

/// The role named by `RoleName`, as stored, once the caller may `action`
/// it.
async fn authorized_role(r: &IamRequest<'_>, action: &str) -> Result<String, IamApiError> {
    let name = r.form.name("RoleName", MAX_NAME)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, ro) = find(&doc.roles, "role", name)?;
    r.authorize(action, &role_arn(r, &ro.path, stored))?;
    Ok(stored.to_string())
}

/// UpdateRole (`Description`, `MaxSessionDuration`).
pub(super) async fn update(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let max_session_secs = r
        .form
        .number("MaxSessionDuration", SESSION_SECS)?
        .map(|n| n as u32);
    let name = authorized_role(r, "iam:UpdateRole").await?;
    let change = IamChange::UpdateRole {
        name,
        description: r.form.get("Description").map(str::to_string),
        max_session_secs,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UpdateRole", IAM_NS))
}

/// UpdateAssumeRolePolicy: a new trust policy.
pub(super) async fn update_trust(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let trust = r.form.required("PolicyDocument")?.to_string();
    Identities::check_document(&trust, Scope::Trust)?;
    let name = authorized_role(r, "iam:UpdateAssumeRolePolicy").await?;
    let change = IamChange::UpdateTrust {
        name,
        document: trust,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UpdateAssumeRolePolicy", IAM_NS))
}

/// DeleteRole (no policies left): its sessions stop working at once.
pub(super) async fn delete(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let name = authorized_role(r, "iam:DeleteRole").await?;
    r.gw.identities
        .change(r.account(), IamChange::DeleteRole { name })
        .await?;
    Ok(Answer::new("DeleteRole", IAM_NS))
}

/// TagRole.
pub(super) async fn tag(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let tags = r.form.tags()?;
    let name = authorized_role(r, "iam:TagRole").await?;
    let change = IamChange::Tag {
        holder: Holder::Role(name),
        tags,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("TagRole", IAM_NS))
}

/// UntagRole.
pub(super) async fn untag(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let keys = r
        .form
        .list("TagKeys")
        .into_iter()
        .map(str::to_string)
        .collect();
    let name = authorized_role(r, "iam:UntagRole").await?;
    let change = IamChange::Untag {
        holder: Holder::Role(name),
        keys,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UntagRole", IAM_NS))
}

/// ListRoleTags.
pub(super) async fn list_tags(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let name = authorized_role(r, "iam:ListRoleTags").await?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (_, ro) = find(&doc.roles, "role", &name)?;
    let mut a = Answer::new("ListRoleTags", IAM_NS);
    a.open("Tags");
    for (k, v) in &ro.tags {
        a.open("member")
            .text("Key", k)
            .text("Value", v)
            .close("member");
    }
    a.close("Tags").paging(None);
    Ok(a)
}
