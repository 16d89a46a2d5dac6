//! Groups of IAM users: create, read (with members), list, rename,
//! delete, membership.

use super::entities::{self, authorized, authorized_rename, find, group, user, GROUP};
use super::form::page;
use super::users::MAX_NAME as MAX_USER_NAME;
use super::xml::{Answer, IAM_NS};
use super::{IamApiError, IamRequest};
use crate::identity::{arn, new_id};
use crate::storage::meta::iam::IamChange;

/// The longest group name.
const MAX_NAME: usize = 128;

fn group_arn(r: &IamRequest<'_>, path: &str, name: &str) -> String {
    arn::entity(r.account(), "group", path, name)
}

/// CreateGroup.
pub(super) async fn create(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let name = r.form.name("GroupName", MAX_NAME)?;
    let path = r.form.path("Path")?;
    r.authorize("iam:CreateGroup", &group_arn(r, &path, name))?;
    let change = IamChange::CreateGroup {
        name: name.to_string(),
        path,
        id: new_id("AGPA"),
    };
    r.gw.identities.change(r.account(), change).await?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, g) = find(&doc.groups, "group", name)?;
    let mut a = Answer::new("CreateGroup", IAM_NS);
    group(&mut a, "Group", r.account(), stored, g);
    Ok(a)
}

/// GetGroup: the group and its members.
pub(super) async fn get(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (doc, name) = authorized(r, &GROUP, "iam:GetGroup").await?;
    let (stored, g) = find(&doc.groups, "group", &name)?;
    let members = doc
        .users
        .iter()
        .filter(|(_, u)| u.groups.contains(stored))
        .map(|(n, u)| (n.clone(), (n, u)))
        .collect();
    let (members, next) = page(&r.form, members)?;
    let mut a = Answer::new("GetGroup", IAM_NS);
    group(&mut a, "Group", r.account(), stored, g);
    a.open("Users");
    for (n, u) in members {
        user(&mut a, "member", r.account(), n, u);
    }
    a.close("Users").paging(next.as_deref());
    Ok(a)
}

/// ListGroups (by `PathPrefix`, paged).
pub(super) async fn list(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    entities::list(r, &GROUP, "ListGroups", "Groups").await
}

/// UpdateGroup (`NewGroupName`, `NewPath`).
pub(super) async fn update(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let new_name = r.form.new_name("NewGroupName", MAX_NAME)?;
    let new_path = r.form.new_path("NewPath")?;
    let (_, name) = authorized_rename(
        r,
        &GROUP,
        "iam:UpdateGroup",
        new_name.as_deref(),
        new_path.as_deref(),
    )
    .await?;
    let change = IamChange::UpdateGroup {
        name,
        new_name,
        new_path,
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new("UpdateGroup", IAM_NS))
}

/// DeleteGroup (no members, no policies).
pub(super) async fn delete(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let (_, name) = authorized(r, &GROUP, "iam:DeleteGroup").await?;
    r.gw.identities
        .change(r.account(), IamChange::DeleteGroup { name })
        .await?;
    Ok(Answer::new("DeleteGroup", IAM_NS))
}

/// AddUserToGroup or RemoveUserFromGroup.
async fn membership(
    r: &IamRequest<'_>,
    action: &'static str,
    add: bool,
) -> Result<Answer, IamApiError> {
    let name = r.form.name("GroupName", MAX_NAME)?;
    let user_name = r.form.name("UserName", MAX_USER_NAME)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, g) = find(&doc.groups, "group", name)?;
    let (user_stored, _) = find(&doc.users, "user", user_name)?;
    r.authorize(&format!("iam:{action}"), &group_arn(r, &g.path, stored))?;
    let (group, user) = (stored.to_string(), user_stored.to_string());
    let change = if add {
        IamChange::AddToGroup { group, user }
    } else {
        IamChange::RemoveFromGroup { group, user }
    };
    r.gw.identities.change(r.account(), change).await?;
    Ok(Answer::new(action, IAM_NS))
}

/// AddUserToGroup.
pub(super) async fn add_user(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    membership(r, "AddUserToGroup", true).await
}

/// RemoveUserFromGroup.
pub(super) async fn remove_user(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    membership(r, "RemoveUserFromGroup", false).await
}

/// ListGroupsForUser.
pub(super) async fn for_user(r: &IamRequest<'_>) -> Result<Answer, IamApiError> {
    let user_name = r.form.name("UserName", MAX_USER_NAME)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, u) = find(&doc.users, "user", user_name)?;
    r.authorize(
        "iam:ListGroupsForUser",
        &arn::entity(r.account(), "user", &u.path, stored),
    )?;
    let items = u
        .groups
        .iter()
        .filter_map(|n| doc.groups.get(n).map(|g| (n.clone(), (n, g))))
        .collect();
    let (groups, next) = page(&r.form, items)?;
    let mut a = Answer::new("ListGroupsForUser", IAM_NS);
    a.open("Groups");
    for (n, g) in groups {
        group(&mut a, "member", r.account(), n, g);
    }
    a.close("Groups").paging(next.as_deref());
    Ok(a)
}
