//! Identities within an account: IAM users and roles' sessions, as a
//! request meets them. A gateway resolves the key a request is signed
//! with to an [`Identity`] (who, and the policies that speak for it),
//! from the account's IAM document it keeps cached by generation: the
//! per-request credential read answers the generation, so a change made
//! through any gateway is seen by every gateway at its next request,
//! without another metadata read per request. Changes to IAM go through
//! [`Identities::change`], which checks them against the document first
//! (IAM's exact refusal) and then commits them through Raft (where the
//! same check runs again, against concurrent changes).

pub(crate) mod arn;
mod error;
pub(crate) mod key_use;
pub(crate) mod managed;
pub(crate) mod oidc;
mod policies;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub(crate) use error::IdentityError;
pub(crate) use policies::PolicySet;

use crate::clock::now_ms;
use crate::object::{ObjectError, ObjectService};
use crate::policy::{Decision, IamKind, Policy, PolicyRequest, Scope};
use crate::storage::meta::iam::{AccountIam, IamChange, IamError, IamErrorKind, IamKey, KeyUse};
use crate::storage::meta::{MetaOp, MetaOpError, MetaRead, MetaReadResult};

/// The longest policy document IAM takes (managed policies: 6,144
/// characters; inline ones are limited per holder, this is the largest).
pub(crate) const MAX_DOCUMENT_BYTES: usize = 10_240;

/// An IAM user, or a role's session, as a request acts for it.
#[derive(Debug)]
pub(crate) struct Identity {
    /// A user or a role.
    pub kind: IamKind,
    /// The user's or role's name.
    pub name: String,
    /// The user's id (`AIDA…`), or the role's id and the session name
    /// (`AROA…:session`): `aws:userid`.
    pub id: String,
    /// The user's ARN, or the session's.
    pub arn: String,
    /// The user's ARN, or the role's (`aws:PrincipalArn`).
    pub principal_arn: String,
    /// The user's or role's tags (`aws:PrincipalTag/…`).
    pub tags: Vec<(String, String)>,
    /// The policies that speak for it.
    pub policies: Arc<PolicySet>,
    /// A session policy (AssumeRole's `Policy`): it only narrows.
    pub session_policy: Option<Policy>,
}

impl PartialEq for Identity {
    fn eq(&self, other: &Self) -> bool {
        self.arn == other.arn && self.id == other.id
    }
}

impl Eq for Identity {}

impl Identity {
    /// Whether the session policy, if any, allows `request` (a bucket
    /// policy's grant to a session counts only then).
    pub(crate) fn session_allows(&self, request: &PolicyRequest<'_>) -> bool {
        self.session_policy
            .as_ref()
            .is_none_or(|p| p.evaluate(request) == Decision::Allow)
    }

    /// What its policies say of `request`: a deny in the identity's
    /// policies or the session policy wins; an allow counts only if the
    /// session policy (if any) allows too.
    pub(crate) fn decide(&self, request: &PolicyRequest<'_>) -> Decision {
        let own = self.policies.evaluate(request);
        match (&self.session_policy, own) {
            (_, Decision::Deny) => Decision::Deny,
            (None, d) => d,
            (Some(p), d) => match p.evaluate(request) {
                Decision::Deny => Decision::Deny,
                Decision::Allow => d,
                Decision::Unmatched => Decision::Unmatched,
            },
        }
    }
}

/// Why a key cannot act (the API layer says so to the client).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyRefusal {
    /// Deactivated, or its user is gone.
    Inactive,
    /// A temporary credential past its expiry.
    Expired,
    /// A session whose role was deleted.
    Revoked,
}

/// What a key acts as, once resolved against the document: the same
/// for every request it signs while the document stays (a key record
/// changes only in `active`, checked per request).
type Resolved = Result<Option<Arc<Identity>>, KeyRefusal>;

/// An account's IAM document as a gateway keeps it, with each
/// principal's policies parsed, and each key's identity built, on first
/// use.
pub(crate) struct AccountView {
    /// The document's generation.
    pub generation: u64,
    /// The document.
    pub doc: AccountIam,
    parsed: Mutex<HashMap<String, Arc<PolicySet>>>,
    resolved: Mutex<HashMap<String, Resolved>>,
}

impl AccountView {
    /// Keys' identities kept before that map is cleared (sessions come
    /// and go).
    const MAX_RESOLVED: usize = 65_536;

    fn new(generation: u64, doc: AccountIam) -> Self {
        AccountView {
            generation,
            doc,
            parsed: Mutex::new(HashMap::new()),
            resolved: Mutex::new(HashMap::new()),
        }
    }

    /// The policies of the principal `id`, parsed once.
    fn policies(&self, id: &str, make: impl FnOnce() -> PolicySet) -> Arc<PolicySet> {
        if let Some(p) = self.parsed.lock().ok().and_then(|m| m.get(id).cloned()) {
            return p;
        }
        let set = Arc::new(make());
        if let Ok(mut m) = self.parsed.lock() {
            m.insert(id.to_string(), set.clone());
        }
        set
    }

    /// The identity `key` acts for at `now_ms`, or why it cannot act;
    /// `None` for a root's session (the account root itself). Built once
    /// per key (and document); its state and expiry are checked every
    /// time.
    pub(crate) fn identity(
        &self,
        key: &IamKey,
        now_ms: u64,
    ) -> Result<Option<Arc<Identity>>, KeyRefusal> {
        if !key.active {
            return Err(KeyRefusal::Inactive);
        }
        if let Some(s) = &key.session {
            if now_ms >= s.expires_ms {
                return Err(KeyRefusal::Expired);
            }
        }
        let id = &key.access_key_id;
        if let Some(r) = self.resolved.lock().ok().and_then(|m| m.get(id).cloned()) {
            return r;
        }
        let r = self.resolve(key);
        if let Ok(mut m) = self.resolved.lock() {
            if m.len() >= Self::MAX_RESOLVED {
                m.clear();
            }
            m.insert(id.clone(), r.clone());
        }
        r
    }

    /// [`AccountView::identity`] built from the document.
    fn resolve(&self, key: &IamKey) -> Resolved {
        let account = key.account.as_str();
        let session_policy = key
            .session
            .as_ref()
            .and_then(|s| s.policy.as_deref())
            .map(|p| Policy::parse_in(p, Scope::Identity));
        let session_policy = match session_policy {
            None => None,
            Some(Ok(p)) => Some(p),
            // Checked when the session was made: fail closed.
            Some(Err(_)) => return Err(KeyRefusal::Revoked),
        };
        if key.principal_id.is_empty() {
            return Ok(None);
        }
        if let Some((name, user)) = self
            .doc
            .users
            .iter()
            .find(|(_, u)| u.id == key.principal_id)
        {
            let policies = self.policies(&user.id, || {
                PolicySet::of_user(&self.doc, account, name, user)
            });
            return Ok(Some(Arc::new(Identity {
                kind: IamKind::User,
                name: name.clone(),
                id: user.id.clone(),
                arn: arn::entity(account, "user", &user.path, name),
                principal_arn: arn::entity(account, "user", &user.path, name),
                tags: user.tags.clone(),
                policies,
                session_policy,
            })));
        }
        let found = self
            .doc
            .roles
            .iter()
            .find(|(_, r)| r.id == key.principal_id);
        let (Some((name, role)), Some(session)) = (found, &key.session) else {
            // A user key whose user is gone, or a session whose role is.
            return Err(if key.session.is_some() {
                KeyRefusal::Revoked
            } else {
                KeyRefusal::Inactive
            });
        };
        let policies = self.policies(&role.id, || {
            PolicySet::of_role(&self.doc, account, name, role)
        });
        Ok(Some(Arc::new(Identity {
            kind: IamKind::Role,
            name: name.clone(),
            id: format!("{}:{}", role.id, session.name),
            arn: arn::session(account, name, &session.name),
            principal_arn: arn::entity(account, "role", &role.path, name),
            tags: role.tags.clone(),
            policies,
            session_policy,
        })))
    }
}

/// The identity service: IAM documents cached by generation, and IAM
/// changes.
pub(crate) struct Identities {
    objects: Arc<ObjectService>,
    accounts: Mutex<HashMap<String, Arc<AccountView>>>,
    /// Keys' uses noted here and not yet written.
    pub uses: Arc<key_use::KeyUses>,
}

impl Identities {
    /// Accounts whose documents are kept before the cache is cleared.
    const MAX_ACCOUNTS: usize = 4096;

    /// A service over `objects`' metadata.
    pub(crate) fn new(objects: Arc<ObjectService>) -> Self {
        Identities {
            objects,
            accounts: Mutex::new(HashMap::new()),
            uses: Arc::default(),
        }
    }

    /// `account`'s document as of `generation` (the credential read
    /// answered it): the cached one if it is that generation, else read
    /// now and cached.
    pub(crate) async fn view(
        &self,
        account: &str,
        generation: u64,
    ) -> Result<Arc<AccountView>, IdentityError> {
        let cached = self
            .accounts
            .lock()
            .ok()
            .and_then(|m| m.get(account).cloned());
        if let Some(v) = cached.filter(|v| v.generation >= generation) {
            return Ok(v);
        }
        let (generation, doc) = self.document(account).await?;
        let view = Arc::new(AccountView::new(generation, doc));
        if let Ok(mut m) = self.accounts.lock() {
            if m.len() >= Self::MAX_ACCOUNTS {
                m.clear();
            }
            let newer = m.get(account).is_some_and(|v| v.generation > generation);
            if !newer {
                m.insert(account.to_string(), view.clone());
            }
        }
        Ok(view)
    }

    /// `account`'s document and generation, read now.
    pub(crate) async fn document(&self, account: &str) -> Result<(u64, AccountIam), IdentityError> {
        match self
            .objects
            .read(MetaRead::AccountIam(account.to_string()))
            .await?
        {
            MetaReadResult::AccountIam(g, doc) => Ok((g, doc)),
            _ => Err(ObjectError::Internal("unexpected answer to an IAM read").into()),
        }
    }

    /// The key records `ids` names that exist.
    pub(crate) async fn keys(&self, ids: Vec<String>) -> Result<Vec<IamKey>, IdentityError> {
        match self.objects.read(MetaRead::IamKeys(ids)).await? {
            MetaReadResult::IamKeys(keys) => Ok(keys),
            _ => Err(ObjectError::Internal("unexpected answer to an IAM key read").into()),
        }
    }

    /// When `access_key_id` was last used: the later of what was written
    /// and what this gateway noted since.
    pub(crate) async fn last_use(
        &self,
        access_key_id: &str,
    ) -> Result<Option<KeyUse>, IdentityError> {
        let written = match self
            .objects
            .read(MetaRead::KeyUse(access_key_id.to_string()))
            .await?
        {
            MetaReadResult::KeyUse(u) => u,
            _ => return Err(ObjectError::Internal("unexpected answer to a key use read").into()),
        };
        let unwritten = self.uses.unwritten(access_key_id);
        Ok(match (written, unwritten) {
            (Some(w), Some(u)) if w.at_ms > u.at_ms => Some(w),
            (w, u) => u.or(w),
        })
    }

    /// Makes `change` to `account`'s IAM: refused as IAM would (checked
    /// on the document read now, then again as it commits).
    pub(crate) async fn change(
        &self,
        account: &str,
        change: IamChange,
    ) -> Result<(), IdentityError> {
        let (_, mut doc) = self.document(account).await?;
        doc.apply(&change, now_ms())?;
        let op = MetaOp::Iam {
            account: account.to_string(),
            change,
        };
        match self.objects.submit(op).await {
            Ok(_) => Ok(()),
            Err(ObjectError::Refused(MetaOpError::Iam(kind))) => Err(IamError {
                kind,
                message: match kind {
                    IamErrorKind::NoSuchEntity => {
                        "The entity changed meanwhile and no longer exists."
                    }
                    IamErrorKind::EntityAlreadyExists => "The entity was created meanwhile.",
                    IamErrorKind::DeleteConflict => "The entity is in use.",
                    IamErrorKind::LimitExceeded => "A quota was reached meanwhile.",
                    IamErrorKind::InvalidInput => "The change is not valid.",
                }
                .to_string(),
            }
            .into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks a policy document of `scope` as IAM does.
    pub(crate) fn check_document(text: &str, scope: Scope<'_>) -> Result<(), IdentityError> {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Err(IdentityError::MalformedPolicy(format!(
                "Cannot exceed quota for PolicySize: {MAX_DOCUMENT_BYTES}"
            )));
        }
        Policy::parse_in(text, scope)
            .map(drop)
            .map_err(|e| IdentityError::MalformedPolicy(e.message))
    }
}

/// Characters of a generated access key id (AWS's ids are 20).
pub(crate) const KEY_ID_CHARS: usize = 20;

/// An access key id: `prefix` (`PK` keys, `PT` temporary credentials)
/// and upper-case letters and digits, 20 characters in all.
pub(crate) fn new_key_id(prefix: &str) -> String {
    random_tail(prefix, KEY_ID_CHARS.saturating_sub(prefix.len()))
}

/// A secret access key: 40 random letters and digits, as AWS's.
pub(crate) fn new_secret() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 40)
}

/// `prefix` and `n` random characters of `A-Z2-7`.
fn random_tail(prefix: &str, n: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut rng = rand::rng();
    let tail: String = (0..n)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect();
    format!("{prefix}{tail}")
}

/// A new unique id for an IAM entity: `prefix` (`AIDA` users, `AGPA`
/// groups, `ANPA` policies, `AROA` roles) and 17 random characters, as
/// IAM's.
pub(crate) fn new_id(prefix: &str) -> String {
    random_tail(prefix, 17)
}

#[cfg(test)]
mod tests;
