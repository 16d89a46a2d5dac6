//! Finding an account's users, groups, roles and policies by name (any
//! case, as IAM), and writing each as IAM's answers show it.

use std::collections::BTreeMap;

use super::xml::{document, Answer};
use super::IamApiError;
use crate::identity::arn;
use crate::storage::meta::iam::{IamGroup, IamRole, IamUser, ManagedPolicy};

/// The entry of `map` named `name` in any case, with its name as stored;
/// `NoSuchEntity` naming `kind` if there is none.
pub(crate) fn find<'d, T>(
    map: &'d BTreeMap<String, T>,
    kind: &str,
    name: &str,
) -> Result<(&'d str, &'d T), IamApiError> {
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(k, v)| (k.as_str(), v))
        .ok_or_else(|| {
            IamApiError::no_such(format!("The {kind} with name {name} cannot be found."))
        })
}

/// Writes `<name>` of user `user_name` of `account`.
pub(crate) fn user(a: &mut Answer, elem: &str, account: &str, name: &str, u: &IamUser) {
    a.open(elem)
        .text("Path", &u.path)
        .text("UserName", name)
        .text("UserId", &u.id)
        .text("Arn", &arn::entity(account, "user", &u.path, name))
        .time("CreateDate", u.created_ms)
        .tags(&u.tags)
        .close(elem);
}

/// Writes `<name>` of group `name` of `account`.
pub(crate) fn group(a: &mut Answer, elem: &str, account: &str, name: &str, g: &IamGroup) {
    a.open(elem)
        .text("Path", &g.path)
        .text("GroupName", name)
        .text("GroupId", &g.id)
        .text("Arn", &arn::entity(account, "group", &g.path, name))
        .time("CreateDate", g.created_ms)
        .close(elem);
}

/// Writes `<name>` of role `name` of `account`.
pub(crate) fn role(a: &mut Answer, elem: &str, account: &str, name: &str, r: &IamRole) {
    a.open(elem)
        .text("Path", &r.path)
        .text("RoleName", name)
        .text("RoleId", &r.id)
        .text("Arn", &arn::entity(account, "role", &r.path, name))
        .time("CreateDate", r.created_ms)
        .text("AssumeRolePolicyDocument", &document(&r.trust))
        .text("Description", &r.description)
        .text("MaxSessionDuration", &r.max_session_secs.to_string())
        .tags(&r.tags)
        .close(elem);
}

/// Writes `<name>` of managed policy `name` of `account`, attached to
/// `attachments` entities.
pub(crate) fn policy(
    a: &mut Answer,
    elem: &str,
    account: &str,
    name: &str,
    p: &ManagedPolicy,
    attachments: usize,
) {
    let updated = p
        .versions
        .get(&p.default_version)
        .map_or(p.created_ms, |v| v.created_ms);
    a.open(elem)
        .text("PolicyName", name)
        .text("PolicyId", &p.id)
        .text("Arn", &arn::entity(account, "policy", &p.path, name))
        .text("Path", &p.path)
        .text("DefaultVersionId", &format!("v{}", p.default_version))
        .text("AttachmentCount", &attachments.to_string())
        .text("PermissionsBoundaryUsageCount", "0")
        .text("IsAttachable", "true")
        .text("Description", &p.description)
        .time("CreateDate", p.created_ms)
        .time("UpdateDate", updated)
        .close(elem);
}

/// The name a managed policy's ARN gives, if it is `account`'s own
/// (an empty account part is the caller's own, as RGW writes it).
pub(crate) fn own_policy_name<'a>(account: &str, policy_arn: &'a str) -> Option<&'a str> {
    let (owner, name) = arn::split(policy_arn, "policy")?;
    (owner == account || owner.is_empty()).then_some(name)
}
