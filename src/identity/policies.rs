//! The identity policies of one principal, parsed once per change of its
//! account, and how they decide a request.

use crate::policy::{Decision, Policy, PolicyRequest, Scope};
use crate::storage::meta::iam::{AccountIam, IamRole, IamUser};

use super::managed;

/// Every policy that speaks for one principal: its inline policies and
/// attached managed ones (and its groups', for a user).
#[derive(Debug, Default)]
pub(crate) struct PolicySet {
    policies: Vec<Policy>,
    /// Some stored document did not parse (or an attached policy is
    /// gone): its denies cannot be known, so everything is denied.
    unreadable: bool,
}

impl PolicySet {
    /// An explicit deny in any policy wins; else an allow in any allows.
    pub(crate) fn evaluate(&self, request: &PolicyRequest<'_>) -> Decision {
        if self.unreadable {
            return Decision::Deny;
        }
        let mut allowed = false;
        for p in &self.policies {
            match p.evaluate(request) {
                Decision::Deny => return Decision::Deny,
                Decision::Allow => allowed = true,
                Decision::Unmatched => {}
            }
        }
        if allowed {
            Decision::Allow
        } else {
            Decision::Unmatched
        }
    }

    /// How many policies speak.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.policies.len()
    }

    fn add(&mut self, document: Option<&str>, whose: &str) {
        match document.map(|d| Policy::parse_in(d, Scope::Identity)) {
            Some(Ok(p)) => self.policies.push(p),
            Some(Err(e)) => {
                tracing::error!(%whose, error = %e, "stored identity policy does not parse: every request of this identity is denied until it is replaced");
                self.unreadable = true;
            }
            None => {
                tracing::error!(%whose, "attached policy not found: every request of this identity is denied until it is detached");
                self.unreadable = true;
            }
        }
    }

    fn add_all<'a>(
        &mut self,
        doc: &AccountIam,
        account: &str,
        inline: impl IntoIterator<Item = &'a String>,
        attached: impl IntoIterator<Item = &'a String>,
        whose: &str,
    ) {
        for d in inline {
            self.add(Some(d), whose);
        }
        for arn in attached {
            self.add(attached_document(doc, account, arn), whose);
        }
    }

    /// The policies of user `user` of `account` (its own and its groups').
    pub(crate) fn of_user(doc: &AccountIam, account: &str, name: &str, user: &IamUser) -> Self {
        let mut set = PolicySet::default();
        set.add_all(doc, account, user.inline.values(), &user.attached, name);
        for g in &user.groups {
            if let Some(group) = doc.groups.get(g) {
                set.add_all(doc, account, group.inline.values(), &group.attached, g);
            }
        }
        set
    }

    /// The policies of role `role` of `account`.
    pub(crate) fn of_role(doc: &AccountIam, account: &str, name: &str, role: &IamRole) -> Self {
        let mut set = PolicySet::default();
        set.add_all(doc, account, role.inline.values(), &role.attached, name);
        set
    }
}

/// The document in force of the managed policy `arn` as `account` sees
/// it: AWS's, or one of the account's own.
pub(crate) fn attached_document<'d>(
    doc: &'d AccountIam,
    account: &str,
    arn: &str,
) -> Option<&'d str> {
    if let Some(d) = managed::document(arn) {
        return Some(d);
    }
    let (owner, name) = super::arn::split(arn, "policy")?;
    if owner != account && !owner.is_empty() {
        return None;
    }
    doc.policies.get(name)?.document()
}
