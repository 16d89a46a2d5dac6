//! IAM users: create, read, list, rename, delete, tag.

use super::entities::{self, authorized, authorized_rename, find, user, USER};
use super::xml::{Answer, IAM_NS};
use super::{IamApiError, IamRequest};
use crate::identity::{arn, new_id};
use crate::storage::meta::iam::{Holder, IamChange};

/// The longest user name.
pub(super) const MAX_NAME: usize = 64;

fn user_arn(r: &IamRequest<'_>, path: &str, name: &str) -> String {
    arn::entity(r.account(), "user", path, name)
}

/// The answer naming user `name` as stored now, under `elem`.
async fn answer_with_user(
    r: &IamRequest<'_>,
    action: &'static str,
    name: &str,
) -> Result<Answer, IamApiError> {
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (name, u) = find(&doc.users, "user", name)?;
    let mut a = Answer::new(action, IAM_NS);
    user(&mut a, "User", r.account(), name, u);
    Ok(a)
}

/// CreateUser.
pub(super) async fn create(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let name = r.form.name("UserName", MAX_NAME)?;
    let path = r.form.path("Path")?;
    r.authorize("iam:CreateUser", &user_arn(r, &path, name))?;
    let change = IamChange::CreateUser {
        name: name.to_string(),
        path,
        id: new_id("AIDA"),
        tags: r.form.tags()?,
    };
    r.gw.identities.change(r.account(), change).await?;
    answer_with_user(r, "CreateUser", name).await
}

/// GetUser: the named user, or without a name the caller (an account
/// root is shown as its account, with a `:root` ARN).
pub(super) async fn get(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let name = match (r.form.get("UserName"), &r.caller.identity) {
        (Some(n), _) if !n.is_empty() => n.to_string(),
        (_, Some(i)) if i.kind == crate::policy::IamKind::User => i.name.clone(),
        (_, Some(_)) => {
            return Err(IamApiError::validation(
                "Must specify userName when calling with non-User credentials",
            ))
        }
        (_, None) => {
            let mut a = Answer::new("GetUser", IAM_NS);
            a.open("User")
                .text("Path", "/")
                .text("UserName", &r.caller.display_name)
                .text("UserId", r.account())
                .text("Arn", &arn::root(r.account()))
                .time("CreateDate", 0)
                .close("User");
            return Ok(a);
        }
    };
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, u) = find(&doc.users, "user", &name)?;
    r.authorize("iam:GetUser", &user_arn(r, &u.path, stored))?;
    let mut a = Answer::new("GetUser", IAM_NS);
    user(&mut a, "User", r.account(), stored, u);
    Ok(a)
}

/// ListUsers (by `PathPrefix`, paged).
pub(super) async fn list(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    entities::list(r, &USER, "ListUsers", "Users").await
}

/// UpdateUser (`NewUserName`, `NewPath`).
pub(super) async fn update(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let new_name = r.form.new_name("NewUserName", MAX_NAME)?;
    let new_path = r.form.new_path("NewPath")?;
    let (_, name) = authorized_rename(
        r,
        &USER,
        "iam:UpdateUser",
        new_name.as_deref(),
        new_path.as_deref(),
    )
    .await?;
    let change = IamChange::UpdateUser {
        name,
        new_name,
        new_path,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UpdateUser", IAM_NS))
}

/// DeleteUser (its keys and policies must be gone; its group
/// memberships go with it).
pub(super) async fn delete(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (_, name) = authorized(r, &USER, "iam:DeleteUser").await?;
    r.gw.identities
        .change(r.account(), IamChange::DeleteUser { name })
        .await?;
    Ok(Answer::new("DeleteUser", IAM_NS))
}

/// TagUser.
pub(super) async fn tag(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let tags = r.form.tags()?;
    let (_, name) = authorized(r, &USER, "iam:TagUser").await?;
    let change = IamChange::Tag {
        holder: Holder::User(name),
        tags,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("TagUser", IAM_NS))
}

/// UntagUser.
pub(super) async fn untag(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (_, name) = authorized(r, &USER, "iam:UntagUser").await?;
    let change = IamChange::Untag {
        holder: Holder::User(name),
        keys: r
            .form
            .list("TagKeys")
            .into_iter()
            .map(str::to_string)
            .collect(),
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UntagUser", IAM_NS))
}

/// ListUserTags.
pub(super) async fn list_tags(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (doc, name) = authorized(r, &USER, "iam:ListUserTags").await?;
    let (_, u) = find(&doc.users, "user", &name)?;
    Ok(tag_list("ListUserTags", &u.tags))
}

/// The answer listing `tags` (ListUserTags, ListRoleTags).
pub(super) fn tag_list(action: &'static str, tags: &[(String, String)]) -> Answer {
    let mut a = Answer::new(action, IAM_NS);
    a.open("Tags");
    for (k, v) in tags {
        a.open("member")
            .text("Key", k)
            .text("Value", v)
            .close("member");
    }
    a.close("Tags").paging(None);
    a
}
