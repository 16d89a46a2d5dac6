//! What the evaluator is asked about: one request's action, resource,
//! caller and condition keys. Built by the API layer per request, so it
//! borrows everything and allocates only for the condition keys.

/// One request as the policy sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyRequest<'a> {
    /// e.g. "s3:GetObject", "s3:ListBucket", "s3:PutObjectAcl".
    pub(crate) action: &'a str,
    /// "arn:aws:s3:::bucket" or "arn:aws:s3:::bucket/key".
    pub(crate) resource: &'a str,
    /// The caller; None: anonymous.
    pub(crate) principal: Option<Principal<'a>>,
    /// Condition keys of the request.
    pub(crate) context: &'a ConditionContext,
}

/// The authenticated caller, matched against `Principal` entries by id
/// (bare, `arn:aws:iam::<id>:root`, `CanonicalUser`) and by name or id
/// (`arn:aws:iam::<account>:user/<name>`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Principal<'a> {
    /// The account's canonical id (the canonical id of ACLs): the user
    /// itself for an account root.
    pub(crate) user_id: &'a str,
    /// The account's name (display name).
    pub(crate) user_name: &'a str,
    /// For an IAM user or a role's session: who within the account;
    /// `None`: the account root.
    pub(crate) iam: Option<IamPrincipal<'a>>,
}

/// An IAM user or a role's session, within its account.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IamPrincipal<'a> {
    /// A user, or a role's session.
    pub(crate) kind: IamKind,
    /// The user's or the role's name.
    pub(crate) name: &'a str,
    /// The user's ARN, or the session's (`arn:aws:sts::…:assumed-role/…`).
    pub(crate) arn: &'a str,
    /// Whether a statement naming the account itself (its id or
    /// `:root`) counts for this principal: it does in another account's
    /// policy (the account delegates to its identities), not in its own
    /// (there the identity's own policies decide).
    pub(crate) account_counts: bool,
}

/// What kind of identity within an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IamKind {
    /// An IAM user.
    User,
    /// A session of an assumed role.
    Role,
    /// The holder of an OpenID provider's token, asking to assume a role
    /// (its `name` is the provider's host, its `arn` the provider's).
    WebIdentity,
}

/// Condition key -> values of one request. Keys are case-insensitive
/// except the part after the first '/' (tag keys: `s3:ExistingObjectTag/Env`
/// and `.../env` are different keys), as AWS; a key may hold several values
/// (`s3:RequestObjectTagKeys`).
#[derive(Debug, Clone, Default)]
pub(crate) struct ConditionContext {
    /// (normalized key, values); a handful per request, so a vector scan
    /// beats hashing.
    entries: Vec<(String, Vec<String>)>,
}

impl ConditionContext {
    /// Adds `value` to `key` (a key may have several values).
    pub(crate) fn insert(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        if let Some((_, values)) = self.entries.iter_mut().find(|(k, _)| key_eq(k, key)) {
            values.push(value);
        } else {
            self.entries.push((normalize_key(key), vec![value]));
        }
    }

    /// The values of `key`; None when the request has no such key.
    pub(crate) fn get(&self, key: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(k, _)| key_eq(k, key))
            .map(|(_, v)| v.as_slice())
    }

    /// The first value of `key` (policy variables take one value).
    pub(crate) fn first(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|v| v.first()).map(String::as_str)
    }
}

/// A condition key as stored and compared: lower-case up to the first '/',
/// verbatim after it.
pub(crate) fn normalize_key(key: &str) -> String {
    match key.split_once('/') {
        Some((head, tail)) => format!("{}/{}", head.to_ascii_lowercase(), tail),
        None => key.to_ascii_lowercase(),
    }
}

/// Whether the normalized key `stored` names the same key as `key` (any
/// case before the first '/'), without allocating.
fn key_eq(stored: &str, key: &str) -> bool {
    if stored.len() != key.len() {
        return false;
    }
    let head = key.find('/').unwrap_or(key.len());
    stored.as_bytes()[..head].eq_ignore_ascii_case(&key.as_bytes()[..head])
        && stored.as_bytes()[head..] == key.as_bytes()[head..]
}
