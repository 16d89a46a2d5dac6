//! What an account's IAM holds, as stored: one document per account
//! (its users, groups, managed policies and roles; IAM sizes are small
//! and change at admin rates) and one record per access key of an IAM
//! user or temporary credential, looked up on every request signed
//! with it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Policy documents by name (inline policies).
pub(crate) type InlinePolicies = BTreeMap<String, String>;

/// An account's IAM entities. Names are unique within their kind, case
/// insensitively, as in IAM; the maps are keyed by the name as created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountIam {
    /// IAM users, by name.
    pub users: BTreeMap<String, IamUser>,
    /// Groups, by name.
    pub groups: BTreeMap<String, IamGroup>,
    /// Customer managed policies, by name.
    pub policies: BTreeMap<String, ManagedPolicy>,
    /// Roles, by name.
    pub roles: BTreeMap<String, IamRole>,
    /// Ids of the account root's keys made through IAM (at most two;
    /// keys made by the admin CLI are kept with the account's record).
    pub root_keys: BTreeSet<String>,
    /// OpenID Connect providers whose tokens the account's roles may
    /// trust, by URL without its scheme (the ARN's last part).
    pub oidc_providers: BTreeMap<String, OidcProvider>,
}

/// An OpenID Connect identity provider (IAM's
/// `CreateOpenIDConnectProvider`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcProvider {
    /// Its issuer URL, as given (scheme included).
    pub url: String,
    /// The audiences (client ids) it issues tokens for, in order.
    pub client_ids: Vec<String>,
    /// Thumbprints of its servers' certificates, in order.
    pub thumbprints: Vec<String>,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
}

/// An IAM user of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamUser {
    /// Its unique id (`AIDA…`), which stays through a rename.
    pub id: String,
    /// Its path (`/` or `/division/`).
    pub path: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// Its tags (`aws:PrincipalTag/…`), in order.
    pub tags: Vec<(String, String)>,
    /// Its inline policies.
    pub inline: InlinePolicies,
    /// ARNs of the managed policies attached to it.
    pub attached: BTreeSet<String>,
    /// Names of the groups it belongs to.
    pub groups: BTreeSet<String>,
    /// Ids of its access keys (at most two).
    pub keys: BTreeSet<String>,
}

/// A group of IAM users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamGroup {
    /// Its unique id (`AGPA…`).
    pub id: String,
    /// Its path.
    pub path: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// Its inline policies.
    pub inline: InlinePolicies,
    /// ARNs of the managed policies attached to it.
    pub attached: BTreeSet<String>,
}

/// A customer managed policy and its versions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    /// Its unique id (`ANPA…`).
    pub id: String,
    /// Its path.
    pub path: String,
    /// What it is for, as given at creation.
    pub description: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// The version in force (`v<n>`).
    pub default_version: u32,
    /// The number the next version gets.
    pub next_version: u32,
    /// Its versions by number (at most five).
    pub versions: BTreeMap<u32, PolicyVersion>,
}

impl ManagedPolicy {
    /// The document in force.
    pub fn document(&self) -> Option<&str> {
        self.versions
            .get(&self.default_version)
            .map(|v| v.document.as_str())
    }
}

/// One version of a managed policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    /// The policy document.
    pub document: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
}

/// A role: a set of permissions that a principal its trust policy names
/// takes on for a while (STS AssumeRole).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamRole {
    /// Its unique id (`AROA…`); a session names it, so a role deleted and
    /// made again does not revive the old one's sessions.
    pub id: String,
    /// Its path.
    pub path: String,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// The trust policy: who may assume it.
    pub trust: String,
    /// What it is for.
    pub description: String,
    /// The longest session, in seconds (3600 to 43200).
    pub max_session_secs: u32,
    /// Its tags, in order.
    pub tags: Vec<(String, String)>,
    /// Its inline policies.
    pub inline: InlinePolicies,
    /// ARNs of the managed policies attached to it.
    pub attached: BTreeSet<String>,
}

/// An access key that is not an account root's: an IAM user's, or a
/// temporary credential (STS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamKey {
    /// The public access key id.
    pub access_key_id: String,
    /// The secret that signs with it.
    pub secret: String,
    /// The account (its root's canonical id): the owner of what it creates.
    pub account: String,
    /// The account's display name.
    pub account_name: String,
    /// The id of the IAM user it acts for (`AIDA…`), or of the role a
    /// session assumed (`AROA…`); empty: the account root (its key made
    /// through IAM, or its session).
    pub principal_id: String,
    /// Whether it may sign (a deactivated key is refused).
    pub active: bool,
    /// Creation time, ms since the Unix epoch.
    pub created_ms: u64,
    /// For temporary credentials: the session.
    pub session: Option<Session>,
}

/// A temporary credential's session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The session name (AssumeRole's `RoleSessionName`).
    pub name: String,
    /// When it stops working, ms since the Unix epoch.
    pub expires_ms: u64,
    /// The token every request signed with it must carry
    /// (`x-amz-security-token`).
    pub token: String,
    /// The session policy given with AssumeRole: it only narrows.
    pub policy: Option<String>,
}

/// When and where an access key last signed a request (IAM's
/// GetAccessKeyLastUsed). Gateways gather uses and write them in
/// batches, so it is as fresh as the last batch (AWS's is within hours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyUse {
    /// When, ms since the Unix epoch (the gateway's clock).
    pub at_ms: u64,
    /// The service the request was for: `s3`, `iam` or `sts`.
    pub service: String,
    /// The region it was signed for.
    pub region: String,
}
