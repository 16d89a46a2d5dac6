//! Changes to an account's IAM document and IAM's quotas; applying one
//! is `apply.rs`. The state machine reads the document, applies, and
//! writes it back with the key records the change names
//! ([`IamChange::key_effect`]).

use serde::{Deserialize, Serialize};

use super::records::{IamKey, IamRole, OidcProvider};

/// Access keys an IAM user may hold.
pub(crate) const MAX_KEYS_PER_USER: usize = 2;
/// Managed policies attached to one user, group or role.
pub(crate) const MAX_ATTACHED: usize = 10;
/// Versions kept of one managed policy.
pub(crate) const MAX_POLICY_VERSIONS: usize = 5;
/// Groups one user may belong to.
pub(crate) const MAX_GROUPS_PER_USER: usize = 10;
/// OpenID Connect providers of one account.
pub(crate) const MAX_OIDC_PROVIDERS: usize = 100;
/// IAM users of one account.
pub(crate) const MAX_USERS: usize = 5000;
/// Groups of one account.
pub(crate) const MAX_GROUPS: usize = 300;
/// Roles of one account.
pub(crate) const MAX_ROLES: usize = 1000;
/// Customer managed policies of one account.
pub(crate) const MAX_POLICIES: usize = 1500;

/// What an attachment or inline policy belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holder {
    /// An IAM user, by name.
    User(String),
    /// A group, by name.
    Group(String),
    /// A role, by name.
    Role(String),
}

/// One change to an account's IAM. Ids and times are chosen by the
/// caller, so every replica applies the same.
///
/// New variants are only ever appended (postcard encodes the position).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IamChange {
    /// Creates an IAM user.
    CreateUser {
        /// Its name.
        name: String,
        /// Its path.
        path: String,
        /// Its unique id.
        id: String,
        /// Its tags.
        tags: Vec<(String, String)>,
    },
    /// Renames a user or changes its path.
    UpdateUser {
        /// Its name.
        name: String,
        /// The new name, if changed.
        new_name: Option<String>,
        /// The new path, if changed.
        new_path: Option<String>,
    },
    /// Deletes a user that holds no keys or policies.
    DeleteUser {
        /// Its name.
        name: String,
    },
    /// Adds or replaces an inline policy.
    PutInline {
        /// Whose.
        holder: Holder,
        /// The policy's name.
        name: String,
        /// The document (checked by the caller).
        document: String,
    },
    /// Removes an inline policy.
    DeleteInline {
        /// Whose.
        holder: Holder,
        /// The policy's name.
        name: String,
    },
    /// Creates a group.
    CreateGroup {
        /// Its name.
        name: String,
        /// Its path.
        path: String,
        /// Its unique id.
        id: String,
    },
    /// Deletes a group with no members and no policies.
    DeleteGroup {
        /// Its name.
        name: String,
    },
    /// Puts a user in a group (nothing if it is in already).
    AddToGroup {
        /// The group.
        group: String,
        /// The user.
        user: String,
    },
    /// Takes a user out of a group.
    RemoveFromGroup {
        /// The group.
        group: String,
        /// The user.
        user: String,
    },
    /// Creates a managed policy with its first version.
    CreatePolicy {
        /// Its name.
        name: String,
        /// Its path.
        path: String,
        /// Its unique id.
        id: String,
        /// What it is for.
        description: String,
        /// Its first document (checked by the caller).
        document: String,
    },
    /// Deletes a managed policy attached to nothing.
    DeletePolicy {
        /// Its name.
        name: String,
        /// Its ARN, as attachments keep it.
        arn: String,
    },
    /// Adds a version to a managed policy.
    CreatePolicyVersion {
        /// The policy's name.
        name: String,
        /// The document (checked by the caller).
        document: String,
        /// Whether it becomes the version in force.
        set_default: bool,
    },
    /// Deletes a version that is not the one in force.
    DeletePolicyVersion {
        /// The policy's name.
        name: String,
        /// The version's number.
        version: u32,
    },
    /// Puts a version in force.
    SetDefaultPolicyVersion {
        /// The policy's name.
        name: String,
        /// The version's number.
        version: u32,
    },
    /// Attaches a managed policy (the caller checked that its ARN names
    /// one that exists: this account's or AWS's).
    Attach {
        /// To what.
        holder: Holder,
        /// The policy's ARN.
        arn: String,
    },
    /// Detaches a managed policy.
    Detach {
        /// From what.
        holder: Holder,
        /// The policy's ARN.
        arn: String,
    },
    /// Creates a role.
    CreateRole {
        /// The role (its inline and attached policies empty).
        name: String,
        /// Its record.
        role: IamRole,
    },
    /// Deletes a role with no policies.
    DeleteRole {
        /// Its name.
        name: String,
    },
    /// Replaces a role's trust policy.
    UpdateTrust {
        /// The role's name.
        name: String,
        /// The document (checked by the caller).
        document: String,
    },
    /// Changes a role's description or longest session.
    UpdateRole {
        /// Its name.
        name: String,
        /// The new description, if changed.
        description: Option<String>,
        /// The new longest session, if changed.
        max_session_secs: Option<u32>,
    },
    /// Gives a user (or the account root) a new access key.
    CreateKey {
        /// The user's name; empty: the account root.
        user: String,
        /// The key (its principal id the user's).
        key: IamKey,
    },
    /// Activates or deactivates a user's (or the root's) key.
    SetKeyActive {
        /// The user's name; empty: the account root.
        user: String,
        /// The key's id.
        access_key_id: String,
        /// Active or not.
        active: bool,
    },
    /// Deletes a user's (or the root's) key.
    DeleteKey {
        /// The user's name; empty: the account root.
        user: String,
        /// The key's id.
        access_key_id: String,
    },
    /// Stores a temporary credential (its role or user checked to exist).
    CreateSession {
        /// The credential.
        key: IamKey,
    },
    /// Renames a group or changes its path (its members follow).
    UpdateGroup {
        /// Its name.
        name: String,
        /// The new name, if changed.
        new_name: Option<String>,
        /// The new path, if changed.
        new_path: Option<String>,
    },
    /// Adds an OpenID Connect provider.
    CreateOidcProvider {
        /// Its URL without the scheme (its key and ARN).
        host: String,
        /// The provider.
        provider: OidcProvider,
    },
    /// Deletes an OpenID Connect provider.
    DeleteOidcProvider {
        /// Its URL without the scheme.
        host: String,
    },
    /// Replaces a provider's client ids (`client_ids`) or thumbprints.
    UpdateOidcProvider {
        /// Its URL without the scheme.
        host: String,
        /// The new client ids, if changed.
        client_ids: Option<Vec<String>>,
        /// The new thumbprints, if changed.
        thumbprints: Option<Vec<String>>,
    },
    /// Tags a user or a role (a tag with an existing key replaces it).
    Tag {
        /// What.
        holder: Holder,
        /// The tags.
        tags: Vec<(String, String)>,
    },
    /// Removes tags of a user or a role by key.
    Untag {
        /// What.
        holder: Holder,
        /// The tag keys.
        keys: Vec<String>,
    },
}

/// What a change does to the access key records besides the document.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum KeyEffect<'a> {
    /// Nothing.
    None,
    /// Stores this key.
    Put(&'a IamKey),
    /// Sets a stored key's state.
    SetActive(&'a str, bool),
    /// Deletes a stored key.
    Delete(&'a str),
}

impl IamChange {
    /// The key record the change writes, if any.
    pub(crate) fn key_effect(&self) -> KeyEffect<'_> {
        match self {
            IamChange::CreateKey { key, .. } | IamChange::CreateSession { key } => {
                KeyEffect::Put(key)
            }
            IamChange::SetKeyActive {
                access_key_id,
                active,
                ..
            } => KeyEffect::SetActive(access_key_id, *active),
            IamChange::DeleteKey { access_key_id, .. } => KeyEffect::Delete(access_key_id),
            _ => KeyEffect::None,
        }
    }

    /// Whether the change leaves the document as it was (a session is
    /// only a key record), so caches of it stay good.
    pub(crate) fn keeps_document(&self) -> bool {
        matches!(self, IamChange::CreateSession { .. })
    }
}
