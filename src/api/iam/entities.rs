//! Finding an account's users, groups, roles and policies by name (any
//! case, as IAM), and writing each as IAM's answers show it.

use std::collections::BTreeMap;

use super::form::page;
use super::xml::{document, Answer, IAM_NS};
use super::{IamApiError, IamRequest};
use crate::identity::arn;
use crate::storage::meta::iam::{AccountIam, IamGroup, IamRole, IamUser, ManagedPolicy};

/// Users, groups or roles: how requests name them and where the
/// document keeps them.
pub(crate) struct Kind<T: 'static> {
    /// The word in ARNs and messages (`user`).
    pub word: &'static str,
    /// The parameter naming one (`UserName`).
    pub param: &'static str,
    /// How long a name may be.
    pub max: usize,
    /// Where the document keeps them.
    pub map: fn(&AccountIam) -> &BTreeMap<String, T>,
    /// How an answer shows one, under an element of the given name.
    pub write: fn(&mut Answer, &str, &str, &str, &T),
}

/// IAM users.
pub(crate) const USER: Kind<IamUser> = Kind {
    word: "user",
    param: "UserName",
    max: 64,
    map: |d| &d.users,
    write: user,
};

/// Groups.
pub(crate) const GROUP: Kind<IamGroup> = Kind {
    word: "group",
    param: "GroupName",
    max: 128,
    map: |d| &d.groups,
    write: group,
};

/// Roles.
pub(crate) const ROLE: Kind<IamRole> = Kind {
    word: "role",
    param: "RoleName",
    max: 64,
    map: |d| &d.roles,
    write: role,
};

/// What has a path (users, groups, roles).
pub(crate) trait Pathed {
    /// Its path (`/division/`).
    fn path(&self) -> &str;
}

impl Pathed for IamUser {
    fn path(&self) -> &str {
        &self.path
    }
}

impl Pathed for IamGroup {
    fn path(&self) -> &str {
        &self.path
    }
}

impl Pathed for IamRole {
    fn path(&self) -> &str {
        &self.path
    }
}

/// The ARN of entity `name` of `kind` with `path` in the caller's account.
pub(crate) fn arn_of<T>(r: &IamRequest<'_>, kind: &Kind<T>, path: &str, name: &str) -> String {
    arn::entity(r.account(), kind.word, path, name)
}

/// The document read now and the name, as stored, of the entity of
/// `kind` the form names, once the caller may `action` it.
pub(crate) async fn authorized<T: Pathed>(
    r: &IamRequest<'_>,
    kind: &Kind<T>,
    action: &str,
) -> Result<(AccountIam, String), IamApiError> {
    let asked = r.form.name(kind.param, kind.max)?;
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let (stored, e) = find((kind.map)(&doc), kind.word, asked)?;
    r.authorize(action, &arn_of(r, kind, e.path(), stored))?;
    let stored = stored.to_string();
    Ok((doc, stored))
}

/// The document and stored name of the entity of `kind` the form names,
/// once the caller may `action` it under its present name and path and
/// under the new ones (`new_name`, `new_path`): a rename must not take a
/// name the caller may not act on (principals are named by name).
pub(crate) async fn authorized_rename<T: Pathed>(
    r: &IamRequest<'_>,
    kind: &Kind<T>,
    action: &str,
    new_name: Option<&str>,
    new_path: Option<&str>,
) -> Result<(AccountIam, String), IamApiError> {
    let (doc, name) = authorized(r, kind, action).await?;
    let (_, e) = find((kind.map)(&doc), kind.word, &name)?;
    let path = new_path.unwrap_or(e.path());
    r.authorize(action, &arn_of(r, kind, path, new_name.unwrap_or(&name)))?;
    Ok((doc, name))
}

/// `action` (ListUsers…): the entities of `kind` under `PathPrefix`,
/// paged, in the answer's `list` element.
pub(crate) async fn list<T: Pathed>(
    r: &IamRequest<'_>,
    kind: &Kind<T>,
    action: &'static str,
    list: &str,
) -> Result<Answer, IamApiError> {
    r.authorize(&format!("iam:{action}"), &arn_of(r, kind, "/", "*"))?;
    let prefix = r.form.get("PathPrefix").unwrap_or("/");
    let (_, doc) = r.gw.identities.document(r.account()).await?;
    let items = (kind.map)(&doc)
        .iter()
        .filter(|(_, e)| e.path().starts_with(prefix))
        .map(|(n, e)| (n.clone(), (n, e)))
        .collect();
    let (found, next) = page(&r.form, items)?;
    let mut a = Answer::new(action, IAM_NS);
    a.open(list);
    for (n, e) in found {
        (kind.write)(&mut a, "member", r.account(), n, e);
    }
    a.close(list).paging(next.as_deref());
    Ok(a)
}

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
