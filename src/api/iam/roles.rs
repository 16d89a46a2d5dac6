//! Roles: create with a trust policy, read, list, change, delete, tag.

use super::entities::{self, authorized, find, role, ROLE};
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
    let (doc, name) = authorized(r, &ROLE, "iam:GetRole").await?;
    let (stored, ro) = find(&doc.roles, "role", &name)?;
    let mut a = Answer::new("GetRole", IAM_NS);
    role(&mut a, "Role", r.account(), stored, ro);
    Ok(a)
}

/// ListRoles (by `PathPrefix`, paged).
pub(super) async fn list(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    entities::list(r, &ROLE, "ListRoles", "Roles").await
}

/// UpdateRole (`Description`, `MaxSessionDuration`).
pub(super) async fn update(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let max_session_secs = r
        .form
        .number("MaxSessionDuration", SESSION_SECS)?
        .map(|n| n as u32);
    let (_, name) = authorized(r, &ROLE, "iam:UpdateRole").await?;
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
    let (_, name) = authorized(r, &ROLE, "iam:UpdateAssumeRolePolicy").await?;
    let change = IamChange::UpdateTrust {
        name,
        document: trust,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UpdateAssumeRolePolicy", IAM_NS))
}

/// DeleteRole (no policies left): its sessions stop working at once.
pub(super) async fn delete(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (_, name) = authorized(r, &ROLE, "iam:DeleteRole").await?;
    r.gw.identities
        .change(r.account(), IamChange::DeleteRole { name })
        .await?;
    Ok(Answer::new("DeleteRole", IAM_NS))
}

/// TagRole.
pub(super) async fn tag(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let tags = r.form.tags()?;
    let (_, name) = authorized(r, &ROLE, "iam:TagRole").await?;
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
    let (_, name) = authorized(r, &ROLE, "iam:UntagRole").await?;
    let change = IamChange::Untag {
        holder: Holder::Role(name),
        keys,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UntagRole", IAM_NS))
}

/// ListRoleTags.
pub(super) async fn list_tags(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (doc, name) = authorized(r, &ROLE, "iam:ListRoleTags").await?;
    let (_, ro) = find(&doc.roles, "role", &name)?;
    Ok(super::users::tag_list("ListRoleTags", &ro.tags))
}
