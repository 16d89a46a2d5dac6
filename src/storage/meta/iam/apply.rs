//! Applying an [`IamChange`] to an account's document, with IAM's
//! refusals (names unique in any case, quotas, what must be gone before a
//! delete). Pure: the state machine reads the document, applies, writes.

use std::collections::{BTreeMap, BTreeSet};

use super::change::{
    Holder, IamChange, MAX_ATTACHED, MAX_GROUPS, MAX_GROUPS_PER_USER, MAX_KEYS_PER_USER,
    MAX_OIDC_PROVIDERS, MAX_POLICIES, MAX_POLICY_VERSIONS, MAX_ROLES, MAX_USERS,
};
use super::error::IamError;
use super::records::{AccountIam, IamGroup, IamRole, IamUser, ManagedPolicy, PolicyVersion};

/// Refuses one more entity where `count` are, at `max` (`what` names the
/// quota as IAM does).
fn quota(count: usize, max: usize, what: &str) -> Result<(), IamError> {
    if count >= max {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for {what}: {max}"
        )));
    }
    Ok(())
}

/// The entry of `map` whose name is `name` in any case.
fn find<'m, T>(map: &'m BTreeMap<String, T>, name: &str) -> Option<&'m str> {
    map.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .map(String::as_str)
}

fn no_such(kind: &str, name: &str) -> IamError {
    IamError::NoSuchEntity(format!("The {kind} with name {name} cannot be found."))
}

fn exists(kind: &str, name: &str) -> IamError {
    IamError::EntityAlreadyExists(format!("{kind} with name {name} already exists."))
}

/// The name `name` is known under in `map` (any case), or `NoSuchEntity`.
fn known<T>(map: &BTreeMap<String, T>, kind: &str, name: &str) -> Result<String, IamError> {
    find(map, name)
        .map(str::to_string)
        .ok_or_else(|| no_such(kind, name))
}

/// Refuses a name taken (in any case) in `map`.
fn free<T>(map: &BTreeMap<String, T>, kind: &str, name: &str) -> Result<(), IamError> {
    match find(map, name) {
        Some(_) => Err(exists(kind, name)),
        None => Ok(()),
    }
}

impl AccountIam {
    /// Applies `change` made at `now_ms`; a refusal leaves `self` as it was.
    pub(crate) fn apply(&mut self, change: &IamChange, now_ms: u64) -> Result<(), IamError> {
        let mut next = self.clone();
        next.apply_to(change, now_ms)?;
        *self = next;
        Ok(())
    }

    /// The key ids of user `name`, or of the root for an empty name.
    fn keys_mut(&mut self, name: &str) -> Result<&mut BTreeSet<String>, IamError> {
        if name.is_empty() {
            return Ok(&mut self.root_keys);
        }
        Ok(&mut self.user_mut(name)?.keys)
    }

    fn user_mut(&mut self, name: &str) -> Result<&mut IamUser, IamError> {
        let k = known(&self.users, "user", name)?;
        self.users.get_mut(&k).ok_or_else(|| no_such("user", name))
    }

    fn group_mut(&mut self, name: &str) -> Result<&mut IamGroup, IamError> {
        let k = known(&self.groups, "group", name)?;
        self.groups
            .get_mut(&k)
            .ok_or_else(|| no_such("group", name))
    }

    fn role_mut(&mut self, name: &str) -> Result<&mut IamRole, IamError> {
        let k = known(&self.roles, "role", name)?;
        self.roles.get_mut(&k).ok_or_else(|| no_such("role", name))
    }

    fn policy_mut(&mut self, name: &str) -> Result<&mut ManagedPolicy, IamError> {
        let k = known(&self.policies, "policy", name)?;
        self.policies
            .get_mut(&k)
            .ok_or_else(|| no_such("policy", name))
    }

    /// The inline policies and attachments of `holder`.
    fn holder_mut(
        &mut self,
        holder: &Holder,
    ) -> Result<(&mut super::records::InlinePolicies, &mut BTreeSet<String>), IamError> {
        Ok(match holder {
            Holder::User(n) => {
                let u = self.user_mut(n)?;
                (&mut u.inline, &mut u.attached)
            }
            Holder::Group(n) => {
                let g = self.group_mut(n)?;
                (&mut g.inline, &mut g.attached)
            }
            Holder::Role(n) => {
                let r = self.role_mut(n)?;
                (&mut r.inline, &mut r.attached)
            }
        })
    }

    fn tags_mut(&mut self, holder: &Holder) -> Result<&mut Vec<(String, String)>, IamError> {
        match holder {
            Holder::User(n) => Ok(&mut self.user_mut(n)?.tags),
            Holder::Role(n) => Ok(&mut self.role_mut(n)?.tags),
            Holder::Group(_) => Err(IamError::InvalidInput("groups have no tags".into())),
        }
    }

    /// Whether any user, group or role has `arn` attached.
    pub(crate) fn attachments(&self, arn: &str) -> usize {
        self.users
            .values()
            .filter(|u| u.attached.contains(arn))
            .count()
            + self
                .groups
                .values()
                .filter(|g| g.attached.contains(arn))
                .count()
            + self
                .roles
                .values()
                .filter(|r| r.attached.contains(arn))
                .count()
    }

    fn apply_to(&mut self, change: &IamChange, now_ms: u64) -> Result<(), IamError> {
        match change {
            IamChange::CreateUser {
                name,
                path,
                id,
                tags,
            } => {
                free(&self.users, "User", name)?;
                quota(self.users.len(), MAX_USERS, "UsersPerAccount")?;
                self.users.insert(
                    name.clone(),
                    IamUser {
                        id: id.clone(),
                        path: path.clone(),
                        created_ms: now_ms,
                        tags: tags.clone(),
                        inline: Default::default(),
                        attached: Default::default(),
                        groups: Default::default(),
                        keys: Default::default(),
                    },
                );
            }
            IamChange::UpdateUser {
                name,
                new_name,
                new_path,
            } => {
                let old = known(&self.users, "user", name)?;
                if let Some(new) = new_name {
                    if !new.eq_ignore_ascii_case(&old) {
                        free(&self.users, "User", new)?;
                    }
                }
                let mut user = self
                    .users
                    .remove(&old)
                    .ok_or_else(|| no_such("user", name))?;
                if let Some(p) = new_path {
                    user.path.clone_from(p);
                }
                self.users.insert(new_name.clone().unwrap_or(old), user);
            }
            IamChange::DeleteUser { name } => {
                let k = known(&self.users, "user", name)?;
                let u = &self.users[&k];
                // Its group memberships go with it (as RGW; AWS asks them
                // gone first).
                if !u.keys.is_empty() || !u.inline.is_empty() || !u.attached.is_empty() {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must delete access keys and policies first.".into(),
                    ));
                }
                self.users.remove(&k);
            }
            IamChange::PutInline {
                holder,
                name,
                document,
            } => {
                let (inline, _) = self.holder_mut(holder)?;
                let k = find(inline, name).unwrap_or(name).to_string();
                inline.insert(k, document.clone());
            }
            IamChange::DeleteInline { holder, name } => {
                let (inline, _) = self.holder_mut(holder)?;
                let k = known(inline, "policy", name)?;
                inline.remove(&k);
            }
            IamChange::CreateGroup { name, path, id } => {
                free(&self.groups, "Group", name)?;
                quota(self.groups.len(), MAX_GROUPS, "GroupsPerAccount")?;
                self.groups.insert(
                    name.clone(),
                    IamGroup {
                        id: id.clone(),
                        path: path.clone(),
                        created_ms: now_ms,
                        inline: Default::default(),
                        attached: Default::default(),
                    },
                );
            }
            IamChange::DeleteGroup { name } => {
                let k = known(&self.groups, "group", name)?;
                let g = &self.groups[&k];
                let members = self.users.values().any(|u| u.groups.contains(&k));
                if members || !g.inline.is_empty() || !g.attached.is_empty() {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must remove users and policies from group first."
                            .into(),
                    ));
                }
                self.groups.remove(&k);
            }
            IamChange::AddToGroup { group, user } => {
                let g = known(&self.groups, "group", group)?;
                let u = self.user_mut(user)?;
                if !u.groups.contains(&g) && u.groups.len() >= MAX_GROUPS_PER_USER {
                    return Err(IamError::LimitExceeded(format!(
                        "Cannot exceed quota for GroupsPerUser: {MAX_GROUPS_PER_USER}"
                    )));
                }
                u.groups.insert(g);
            }
            IamChange::RemoveFromGroup { group, user } => {
                let g = known(&self.groups, "group", group)?;
                let u = self.user_mut(user)?;
                if !u.groups.remove(&g) {
                    return Err(IamError::NoSuchEntity(format!(
                        "User {user} is not in group {group}."
                    )));
                }
            }
            IamChange::CreatePolicy {
                name,
                path,
                id,
                description,
                document,
            } => {
                free(&self.policies, "A policy called", name).map_err(|_| {
                    IamError::EntityAlreadyExists(format!(
                        "A policy called {name} already exists. Duplicate names are not allowed."
                    ))
                })?;
                quota(self.policies.len(), MAX_POLICIES, "PoliciesPerAccount")?;
                let versions = [(
                    1,
                    PolicyVersion {
                        document: document.clone(),
                        created_ms: now_ms,
                    },
                )];
                self.policies.insert(
                    name.clone(),
                    ManagedPolicy {
                        id: id.clone(),
                        path: path.clone(),
                        description: description.clone(),
                        created_ms: now_ms,
                        default_version: 1,
                        next_version: 2,
                        versions: versions.into_iter().collect(),
                    },
                );
            }
            IamChange::DeletePolicy { name, arn } => {
                let k = known(&self.policies, "policy", name)?;
                if self.attachments(arn) > 0 {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete a policy attached to entities.".into(),
                    ));
                }
                self.policies.remove(&k);
            }
            IamChange::CreatePolicyVersion {
                name,
                document,
                set_default,
            } => {
                let p = self.policy_mut(name)?;
                if p.versions.len() >= MAX_POLICY_VERSIONS {
                    return Err(IamError::LimitExceeded(format!(
                        "A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you create a new version, you must delete an existing version."
                    )));
                }
                let n = p.next_version;
                p.next_version += 1;
                p.versions.insert(
                    n,
                    PolicyVersion {
                        document: document.clone(),
                        created_ms: now_ms,
                    },
                );
                if *set_default {
                    p.default_version = n;
                }
            }
            IamChange::DeletePolicyVersion { name, version } => {
                let p = self.policy_mut(name)?;
                if p.default_version == *version {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete the default version of a policy.".into(),
                    ));
                }
                if p.versions.remove(version).is_none() {
                    return Err(IamError::NoSuchEntity(format!(
                        "Policy {name} version v{version} does not exist."
                    )));
                }
            }
            IamChange::SetDefaultPolicyVersion { name, version } => {
                let p = self.policy_mut(name)?;
                if !p.versions.contains_key(version) {
                    return Err(IamError::NoSuchEntity(format!(
                        "Policy {name} version v{version} does not exist."
                    )));
                }
                p.default_version = *version;
            }
            IamChange::Attach { holder, arn } => {
                let (_, attached) = self.holder_mut(holder)?;
                if !attached.contains(arn) && attached.len() >= MAX_ATTACHED {
                    return Err(IamError::LimitExceeded(format!(
                        "Cannot exceed quota for PoliciesPerEntity: {MAX_ATTACHED}"
                    )));
                }
                attached.insert(arn.clone());
            }
            IamChange::Detach { holder, arn } => {
                let (_, attached) = self.holder_mut(holder)?;
                if !attached.remove(arn) {
                    return Err(IamError::NoSuchEntity(format!(
                        "Policy {arn} was not found."
                    )));
                }
            }
            IamChange::CreateRole { name, role } => {
                free(&self.roles, "Role", name)?;
                quota(self.roles.len(), MAX_ROLES, "RolesPerAccount")?;
                let mut role = role.clone();
                role.created_ms = now_ms;
                self.roles.insert(name.clone(), role);
            }
            IamChange::DeleteRole { name } => {
                let k = known(&self.roles, "role", name)?;
                let r = &self.roles[&k];
                if !r.inline.is_empty() || !r.attached.is_empty() {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must delete policies first.".into(),
                    ));
                }
                self.roles.remove(&k);
            }
            IamChange::UpdateTrust { name, document } => {
                self.role_mut(name)?.trust.clone_from(document);
            }
            IamChange::UpdateRole {
                name,
                description,
                max_session_secs,
            } => {
                let r = self.role_mut(name)?;
                if let Some(d) = description {
                    r.description.clone_from(d);
                }
                if let Some(m) = max_session_secs {
                    r.max_session_secs = *m;
                }
            }
            IamChange::CreateKey { user, key } => {
                let expected = match user.as_str() {
                    "" => String::new(),
                    name => self.user_mut(name)?.id.clone(),
                };
                if key.principal_id != expected || key.session.is_some() {
                    return Err(IamError::InvalidInput("the key is not the user's".into()));
                }
                let keys = self.keys_mut(user)?;
                if keys.contains(&key.access_key_id) {
                    return Err(IamError::EntityAlreadyExists(format!(
                        "Access key {} already exists.",
                        key.access_key_id
                    )));
                }
                if keys.len() >= MAX_KEYS_PER_USER {
                    return Err(IamError::LimitExceeded(format!(
                        "Cannot exceed quota for AccessKeysPerUser: {MAX_KEYS_PER_USER}"
                    )));
                }
                keys.insert(key.access_key_id.clone());
            }
            IamChange::SetKeyActive {
                user,
                access_key_id,
                ..
            } => {
                if !self.keys_mut(user)?.contains(access_key_id) {
                    return Err(no_key(access_key_id));
                }
            }
            IamChange::DeleteKey {
                user,
                access_key_id,
            } => {
                if !self.keys_mut(user)?.remove(access_key_id) {
                    return Err(no_key(access_key_id));
                }
            }
            IamChange::CreateSession { key } => {
                if key.session.is_none() {
                    return Err(IamError::InvalidInput(
                        "a session key without a session".into(),
                    ));
                }
                let id = key.principal_id.as_str();
                let known = id.is_empty()
                    || self.users.values().any(|u| u.id == id)
                    || self.roles.values().any(|r| r.id == id);
                if !known {
                    return Err(IamError::NoSuchEntity(
                        "The role or user of the session no longer exists.".into(),
                    ));
                }
            }
            IamChange::Tag { holder, tags } => {
                let have = self.tags_mut(holder)?;
                for (k, v) in tags {
                    match have.iter_mut().find(|(hk, _)| hk == k) {
                        Some(t) => t.1.clone_from(v),
                        None => have.push((k.clone(), v.clone())),
                    }
                }
                if have.len() > 50 {
                    return Err(IamError::LimitExceeded(
                        "Cannot exceed quota for TagsPerEntity: 50".into(),
                    ));
                }
            }
            IamChange::UpdateGroup {
                name,
                new_name,
                new_path,
            } => {
                let old = known(&self.groups, "group", name)?;
                if let Some(new) = new_name {
                    if !new.eq_ignore_ascii_case(&old) {
                        free(&self.groups, "Group", new)?;
                    }
                }
                let mut group = self
                    .groups
                    .remove(&old)
                    .ok_or_else(|| no_such("group", name))?;
                if let Some(p) = new_path {
                    group.path.clone_from(p);
                }
                let new = new_name.clone().unwrap_or_else(|| old.clone());
                for u in self.users.values_mut() {
                    if u.groups.remove(&old) {
                        u.groups.insert(new.clone());
                    }
                }
                self.groups.insert(new, group);
            }
            IamChange::CreateOidcProvider { host, provider } => {
                if self.oidc_providers.contains_key(host) {
                    return Err(IamError::EntityAlreadyExists(format!(
                        "Provider with url {} already exists.",
                        provider.url
                    )));
                }
                if self.oidc_providers.len() >= MAX_OIDC_PROVIDERS {
                    return Err(IamError::LimitExceeded(format!(
                        "Cannot exceed quota for OpenIdConnectProvidersPerAccount: {MAX_OIDC_PROVIDERS}"
                    )));
                }
                let mut provider = provider.clone();
                provider.created_ms = now_ms;
                self.oidc_providers.insert(host.clone(), provider);
            }
            IamChange::DeleteOidcProvider { host } => {
                if self.oidc_providers.remove(host).is_none() {
                    return Err(no_provider(host));
                }
            }
            IamChange::UpdateOidcProvider {
                host,
                client_ids,
                thumbprints,
            } => {
                let p = self
                    .oidc_providers
                    .get_mut(host)
                    .ok_or_else(|| no_provider(host))?;
                if let Some(c) = client_ids {
                    p.client_ids.clone_from(c);
                }
                if let Some(t) = thumbprints {
                    p.thumbprints.clone_from(t);
                }
            }
            IamChange::Untag { holder, keys } => {
                self.tags_mut(holder)?.retain(|(k, _)| !keys.contains(k));
            }
        }
        Ok(())
    }
}

fn no_provider(host: &str) -> IamError {
    IamError::NoSuchEntity(format!("OpenIDConnect Provider {host} not found."))
}

fn no_key(id: &str) -> IamError {
    IamError::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
}
