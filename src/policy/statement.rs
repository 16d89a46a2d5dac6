//! One statement: its parsing with AWS's refusals, and whether it applies
//! to a request.

use serde_json::{Map, Value};

use super::actions::{self, ActionId, ActionSet, Kind};
use super::condition::{self, Condition};
use super::error::{self, PolicyError};
use super::pattern::{Pattern, Syntax};
use super::request::{IamKind, PolicyRequest, Principal};
use super::scope::Scope;

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Effect {
    Allow,
    Deny,
}

/// One entry of `Principal`/`NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalEntry {
    /// `*` or `{"AWS": "*"}`: everyone, anonymous included.
    Anyone,
    /// A user id: bare, `arn:aws:iam::<id>:root`, or `CanonicalUser`.
    Id(Box<str>),
    /// `arn:aws:iam::<account>:user/<path/><name>`: the IAM user `<name>`
    /// of `<account>`; for an account root, the account whose display
    /// name (or id) is `<name>` (the names roots had before IAM users).
    User {
        /// The ARN's account part.
        account: Box<str>,
        /// The user name (the path dropped).
        name: Box<str>,
    },
    /// `arn:aws:iam::<account>:role/<path/><name>`: every session of the
    /// role.
    Role {
        /// The ARN's account part.
        account: Box<str>,
        /// The role name (the path dropped).
        name: Box<str>,
    },
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`: one session.
    Session(Box<str>),
    /// A service principal (`{"Service": "logging.s3.amazonaws.com"}`):
    /// accepted, never a caller here.
    Service(Box<str>),
    /// `{"Federated": "arn:aws:iam::<account>:oidc-provider/<host>"}` (or
    /// the bare host) in a trust policy: whoever holds a token of that
    /// OpenID provider (AssumeRoleWithWebIdentity).
    Federated {
        /// The ARN's account part; empty: any (RGW writes none).
        account: Box<str>,
        /// The provider's URL without its scheme.
        host: Box<str>,
    },
}

impl PrincipalEntry {
    /// Whether the entry names `caller` in a statement of `effect`.
    ///
    /// A statement naming an account names its IAM users and roles'
    /// sessions too when it denies, or when it allows in another account's
    /// policy (`account_counts`; in its own, their own policies decide).
    /// An account root is named by its id; `user/<name>` names it by its
    /// display name or id only under an account part that is no account
    /// id of this store (the names roots had before IAM users, as in
    /// `arn:aws:iam::111122223333:user/alice`).
    fn matches(&self, caller: Option<&Principal<'_>>, effect: Effect) -> bool {
        let Some(p) = caller else {
            return *self == PrincipalEntry::Anyone;
        };
        match (self, &p.iam) {
            (PrincipalEntry::Anyone, _) => true,
            (PrincipalEntry::Id(id), None) => &**id == p.user_id,
            (PrincipalEntry::Id(id), Some(iam)) => {
                (iam.account_counts || effect == Effect::Deny) && &**id == p.user_id
            }
            (PrincipalEntry::User { account, name }, None) => {
                !is_account_id(account) && (&**name == p.user_name || &**name == p.user_id)
            }
            (PrincipalEntry::User { account, name }, Some(iam)) => {
                iam.kind == IamKind::User && &**account == p.user_id && &**name == iam.name
            }
            (PrincipalEntry::Role { account, name }, Some(iam)) => {
                iam.kind == IamKind::Role && &**account == p.user_id && &**name == iam.name
            }
            (PrincipalEntry::Session(arn), Some(iam)) => &**arn == iam.arn,
            (PrincipalEntry::Federated { account, host }, Some(iam)) => {
                iam.kind == IamKind::WebIdentity
                    && host.eq_ignore_ascii_case(iam.name)
                    && (account.is_empty() || &**account == p.user_id)
            }
            (
                PrincipalEntry::Role { .. }
                | PrincipalEntry::Session(_)
                | PrincipalEntry::Federated { .. },
                None,
            )
            | (PrincipalEntry::Service(_), _) => false,
        }
    }
}

/// Whether `s` has the form of this store's account ids (an account
/// root's canonical id: 64 hexadecimal digits).
fn is_account_id(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `Principal` (negated: false) or `NotPrincipal` (negated: true).
#[derive(Debug, Clone)]
pub(crate) struct Principals {
    pub(crate) negated: bool,
    pub(crate) entries: Vec<PrincipalEntry>,
}

/// `Action` or `NotAction`, expanded over S3's actions.
#[derive(Debug, Clone)]
pub(crate) struct Actions {
    pub(crate) negated: bool,
    pub(crate) set: ActionSet,
    /// The patterns as written, lower-cased, for a request action that is
    /// not in the table.
    patterns: Vec<Box<str>>,
    /// Whether some pattern has a wildcard.
    pub(crate) wildcard: bool,
}

impl Actions {
    fn matches(&self, id: Option<ActionId>, name: &str) -> bool {
        let hit = match id {
            Some(id) => self.set.contains(id),
            None => {
                let lower = name.to_ascii_lowercase();
                self.patterns
                    .iter()
                    .any(|p| actions::wildcard(p.as_bytes(), lower.as_bytes()))
            }
        };
        hit != self.negated
    }
}

/// A parsed statement.
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    pub(crate) effect: Effect,
    pub(crate) principals: Principals,
    pub(crate) actions: Actions,
    /// `Resource` (false) or `NotResource` (true).
    pub(crate) resources_negated: bool,
    pub(crate) resources: Vec<Pattern>,
    pub(crate) conditions: Vec<Condition>,
}

impl Statement {
    /// Whether the statement applies to `req`, whose action was looked up
    /// as `action`. Cheapest tests first.
    pub(crate) fn applies(&self, req: &PolicyRequest<'_>, action: Option<ActionId>) -> bool {
        if !self.actions.matches(action, req.action) {
            return false;
        }
        let named = self
            .principals
            .entries
            .iter()
            .any(|e| e.matches(req.principal.as_ref(), self.effect));
        if named == self.principals.negated {
            return false;
        }
        let hit = self
            .resources
            .iter()
            .any(|r| r.matches(req.resource, req.context));
        if hit == self.resources_negated {
            return false;
        }
        self.conditions.iter().all(|c| c.holds(req.context))
    }

    /// Parses one statement of a policy of `scope`.
    pub(crate) fn parse(
        value: &Value,
        scope: Scope<'_>,
        variables: bool,
    ) -> Result<Statement, PolicyError> {
        let Value::Object(fields) = value else {
            return Err(PolicyError::new(error::INVALID_JSON));
        };
        for name in fields.keys() {
            if !matches!(
                name.as_str(),
                "Sid"
                    | "Effect"
                    | "Principal"
                    | "NotPrincipal"
                    | "Action"
                    | "NotAction"
                    | "Resource"
                    | "NotResource"
                    | "Condition"
            ) {
                return Err(PolicyError::new(format!("Unknown field {name}")));
            }
        }
        if let Some(sid) = fields.get("Sid") {
            if !sid.is_string() {
                return Err(PolicyError::new(error::INVALID_JSON));
            }
        }
        let effect = match fields.get("Effect") {
            None => return Err(missing("Effect")),
            Some(Value::String(s)) if s == "Allow" => Effect::Allow,
            Some(Value::String(s)) if s == "Deny" => Effect::Deny,
            Some(Value::String(s)) => return Err(PolicyError::new(format!("Invalid effect: {s}"))),
            Some(_) => return Err(PolicyError::new(error::INVALID_JSON)),
        };
        let principals = match scope {
            // An identity policy speaks for its holder alone; a
            // `Principal` in it (IAM refuses one, RGW takes `"*"`) must
            // still be well formed, and still restricts.
            Scope::Identity
                if fields.contains_key("Principal") || fields.contains_key("NotPrincipal") =>
            {
                parse_principals(fields, false)?
            }
            Scope::Identity => Principals {
                negated: false,
                entries: vec![PrincipalEntry::Anyone],
            },
            Scope::Bucket(_) => parse_principals(fields, false)?,
            Scope::Trust => parse_principals(fields, true)?,
        };
        if principals.negated && effect == Effect::Allow {
            // AWS advises against Allow with NotPrincipal and S3 refuses it
            // (it would grant everyone, anonymous included, but a few).
            return Err(PolicyError::new(error::INVALID_PRINCIPAL));
        }
        let actions = parse_actions(fields, scope)?;
        let (resources_negated, resources) = parse_resources(fields, scope, variables)?;
        if let (false, Scope::Bucket(bucket)) = (actions.negated, scope) {
            check_action_resources(&actions, &resources, bucket)?;
        }
        let conditions = match fields.get("Condition") {
            Some(c) => condition::parse(c, variables, other_services(scope))?,
            None => Vec::new(),
        };
        if !actions.negated && !actions.wildcard {
            check_condition_actions(&conditions, &actions.set)?;
        }
        Ok(Statement {
            effect,
            principals,
            actions,
            resources_negated,
            resources,
            conditions,
        })
    }
}

fn missing(field: &str) -> PolicyError {
    PolicyError::new(format!("Missing required field {field}"))
}

/// Exactly one of `name` and `Not<name>`: (negated, value).
fn one_of<'v>(
    fields: &'v Map<String, Value>,
    name: &str,
    not_name: &str,
) -> Result<(bool, &'v Value), PolicyError> {
    match (fields.get(name), fields.get(not_name)) {
        (Some(v), None) => Ok((false, v)),
        (None, Some(v)) => Ok((true, v)),
        (None, None) => Err(missing(name)),
        (Some(_), Some(_)) => Err(PolicyError::new(format!(
            "Statement cannot have both {name} and {not_name}"
        ))),
    }
}

/// A string or a non-empty array of strings; `empty` is the error for
/// an empty string or array.
fn strings<'v>(value: &'v Value, empty: &str) -> Result<Vec<&'v str>, PolicyError> {
    let out: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| PolicyError::new(error::INVALID_JSON))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(PolicyError::new(error::INVALID_JSON)),
    };
    if out.is_empty() || out.iter().any(|s| s.is_empty()) {
        return Err(PolicyError::new(empty));
    }
    Ok(out)
}

/// `federated`: whether `Federated` principals may be named (a trust
/// policy's).
fn parse_principals(
    fields: &Map<String, Value>,
    federated: bool,
) -> Result<Principals, PolicyError> {
    let (negated, value) = one_of(fields, "Principal", "NotPrincipal")?;
    let invalid = || PolicyError::new(error::INVALID_PRINCIPAL);
    let mut entries = Vec::new();
    match value {
        Value::String(s) if s == "*" => entries.push(PrincipalEntry::Anyone),
        Value::Object(kinds) if !kinds.is_empty() => {
            for (kind, v) in kinds {
                for s in strings(v, error::INVALID_PRINCIPAL)? {
                    entries.push(match kind.as_str() {
                        "AWS" => aws_principal(s).ok_or_else(invalid)?,
                        "CanonicalUser" if !s.contains(['*', '?']) => PrincipalEntry::Id(s.into()),
                        "Service" if !s.contains(['*', '?']) => PrincipalEntry::Service(s.into()),
                        "Federated" if federated => federated_principal(s).ok_or_else(invalid)?,
                        _ => return Err(invalid()),
                    });
                }
            }
        }
        _ => return Err(invalid()),
    }
    // "*" stands alone.
    if entries.len() > 1 && entries.contains(&PrincipalEntry::Anyone) {
        return Err(invalid());
    }
    Ok(Principals { negated, entries })
}

/// One `AWS` principal: `*`, a bare user id, `arn:aws:iam::<id>:root`,
/// `arn:aws:iam::<account>:user/[path/]<name>`,
/// `arn:aws:iam::<account>:role/[path/]<name>` or
/// `arn:aws:sts::<account>:assumed-role/<role>/<session>`. Other ARNs name
/// nothing this store has, and AWS refuses principals that do not exist.
fn aws_principal(s: &str) -> Option<PrincipalEntry> {
    if s == "*" {
        return Some(PrincipalEntry::Anyone);
    }
    if s.contains(['*', '?']) || s.chars().any(char::is_whitespace) {
        return None;
    }
    let Some(rest) = s.strip_prefix("arn:") else {
        return Some(PrincipalEntry::Id(s.into()));
    };
    let mut parts = rest.splitn(5, ':');
    let (partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if !partition.starts_with("aws") || !region.is_empty() || account.is_empty() {
        return None;
    }
    if service == "sts" {
        let session = resource.strip_prefix("assumed-role/")?;
        return (session.split('/').count() == 2 && !session.split('/').any(str::is_empty))
            .then(|| PrincipalEntry::Session(s.into()));
    }
    if service != "iam" {
        return None;
    }
    if resource == "root" {
        return Some(PrincipalEntry::Id(account.into()));
    }
    let last = |rest: &str| -> Option<Box<str>> {
        let name = rest.rsplit('/').next()?;
        (!name.is_empty()).then(|| name.into())
    };
    let account = account.into();
    if let Some(rest) = resource.strip_prefix("role/") {
        return Some(PrincipalEntry::Role {
            account,
            name: last(rest)?,
        });
    }
    Some(PrincipalEntry::User {
        account,
        name: last(resource.strip_prefix("user/")?)?,
    })
}

/// A `Federated` principal: an OpenID provider's ARN
/// (`arn:aws:iam::<account>:oidc-provider/<host>`) or its bare host.
fn federated_principal(s: &str) -> Option<PrincipalEntry> {
    if s.contains(['*', '?']) || s.chars().any(char::is_whitespace) {
        return None;
    }
    let (account, host) = match s.strip_prefix("arn:aws:iam::") {
        Some(rest) => rest.split_once(":oidc-provider/")?,
        None if !s.starts_with("arn:") => ("", s),
        None => return None,
    };
    (!host.is_empty()).then(|| PrincipalEntry::Federated {
        account: account.into(),
        host: host.trim_end_matches('/').into(),
    })
}

/// The services whose actions (and condition keys) a policy of `scope`
/// may name besides S3's; a trust policy also takes OpenID providers'
/// claims ([`condition::PROVIDER_KEYS`]).
fn other_services(scope: Scope<'_>) -> &'static [&'static str] {
    match scope {
        Scope::Bucket(_) => &[],
        Scope::Identity => &["iam:", "sts:"],
        Scope::Trust => &["sts:", condition::PROVIDER_KEYS],
    }
}

fn parse_actions(fields: &Map<String, Value>, scope: Scope<'_>) -> Result<Actions, PolicyError> {
    let (negated, value) = one_of(fields, "Action", "NotAction")?;
    let mut set = ActionSet::default();
    let mut patterns = Vec::new();
    let mut wildcard = false;
    for s in strings(value, error::INVALID_ACTION)? {
        let lower = s.to_ascii_lowercase();
        if lower == "*" || lower.starts_with("s3:") {
            if lower.contains(['*', '?']) {
                wildcard = true;
                set.insert_matching(&lower);
            } else {
                let id = actions::lookup(&lower)
                    .ok_or_else(|| PolicyError::new(error::INVALID_ACTION))?;
                set.insert(id);
            }
        } else if other_services(scope).iter().any(|p| lower.starts_with(p)) {
            // Not S3's: matched by its pattern alone.
            wildcard |= lower.contains(['*', '?']);
        } else {
            return Err(PolicyError::new(error::INVALID_ACTION));
        }
        patterns.push(lower.into());
    }
    Ok(Actions {
        negated,
        set,
        patterns,
        wildcard,
    })
}

fn parse_resources(
    fields: &Map<String, Value>,
    scope: Scope<'_>,
    variables: bool,
) -> Result<(bool, Vec<Pattern>), PolicyError> {
    let syntax = Syntax {
        wildcards: true,
        variables,
        ignore_case: false,
    };
    let bucket = match scope {
        Scope::Bucket(bucket) => bucket,
        // A trust policy's resource is the role itself.
        Scope::Trust if !fields.contains_key("Resource") && !fields.contains_key("NotResource") => {
            return Ok((false, vec![Pattern::new("*", syntax)]))
        }
        Scope::Identity | Scope::Trust => {
            let (negated, value) = one_of(fields, "Resource", "NotResource")?;
            let mut out = Vec::new();
            for s in strings(value, error::INVALID_RESOURCE)? {
                if s != "*" && !s.starts_with("arn:") {
                    return Err(PolicyError::new(error::RESOURCE_NOT_ARN));
                }
                out.push(Pattern::new(s, syntax));
            }
            return Ok((negated, out));
        }
    };
    let (negated, value) = one_of(fields, "Resource", "NotResource")?;
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    let object_prefix = format!("{bucket_arn}/");
    let mut out = Vec::new();
    for s in strings(value, error::INVALID_RESOURCE)? {
        let p = Pattern::new(s, syntax);
        let names_us = s == "*"
            || (s.starts_with("arn:")
                && (p.can_match(&bucket_arn, true) || p.can_match(&object_prefix, false)));
        if !names_us {
            return Err(PolicyError::new(error::INVALID_RESOURCE));
        }
        out.push(p);
    }
    Ok((negated, out))
}

/// AWS refuses a statement with an action that applies to none of its
/// resources (`s3:GetObject` on `arn:aws:s3:::bucket`, `s3:ListBucket` on
/// `arn:aws:s3:::bucket/*`). Wildcard actions are not checked.
fn check_action_resources(
    actions: &Actions,
    resources: &[Pattern],
    bucket: &str,
) -> Result<(), PolicyError> {
    if actions.wildcard {
        return Ok(());
    }
    let bucket_arn = format!("arn:aws:s3:::{bucket}");
    let object_prefix = format!("{bucket_arn}/");
    let covers_bucket = resources.iter().any(|r| r.can_match(&bucket_arn, true));
    let covers_objects = resources.iter().any(|r| r.can_match(&object_prefix, false));
    for id in actions.set.iter() {
        let ok = match id.kind() {
            Kind::Bucket => covers_bucket,
            Kind::Object => covers_objects,
            Kind::Account => false,
        };
        if !ok {
            return Err(PolicyError::new(error::ACTION_RESOURCE_MISMATCH));
        }
    }
    Ok(())
}

/// AWS refuses a condition key that no action of the statement supports,
/// for the S3 keys tied to one kind of request (listing parameters, the
/// canned ACL header, a version id).
fn check_condition_actions(conditions: &[Condition], set: &ActionSet) -> Result<(), PolicyError> {
    for c in conditions {
        let allowed: fn(&str) -> bool = match &*c.key {
            "s3:prefix" | "s3:delimiter" | "s3:max-keys" => {
                |a| matches!(a, "s3:ListBucket" | "s3:ListBucketVersions")
            }
            "s3:x-amz-acl" => {
                |a| matches!(a, "s3:PutObject" | "s3:PutObjectAcl" | "s3:PutBucketAcl")
            }
            "s3:versionid" => |a| a.contains("ObjectVersion"),
            _ => continue,
        };
        if set.iter().any(|id| !allowed(id.name())) {
            return Err(PolicyError::new(error::CONDITION_ACTION_MISMATCH));
        }
    }
    Ok(())
}
