//! AWS's policy language: bucket policies, IAM identity policies (users',
//! groups', roles', sessions') and roles' trust policies ([`Scope`]):
//! parsing with AWS's refusals (the `MalformedPolicy` messages),
//! evaluation of one request, and AWS's definition of a public policy.
//!
//! Self-contained on purpose: no HTTP types and no S3 error codes; the API
//! layer builds a [`PolicyRequest`] and maps [`PolicyError`] to
//! `MalformedPolicy`. Everything that can be decided once is decided at
//! parse time (actions expanded to bitsets, patterns split into literal
//! and wildcard pieces, CIDRs and dates parsed), since evaluation runs on
//! every request of a bucket with a policy.
//!
//! Files: `statement.rs` (a statement and its matching), `condition.rs`
//! (operators), `pattern.rs` (wildcards and policy variables),
//! `actions.rs` (S3's action names), `public.rs` (is-public),
//! `request.rs` (what a request brings), `scope.rs` (what a policy is
//! attached to), `error.rs` (AWS's messages),
//! `table.rs` (the permission table: IAM actions and ACL grants per
//! operation).

mod actions;
mod condition;
#[cfg(test)]
mod condition_tests;
mod error;
#[cfg(test)]
mod parse_tests;
mod pattern;
mod public;
mod request;
mod scope;
#[cfg(test)]
mod scope_tests;
mod statement;
pub(crate) mod table;
#[cfg(test)]
mod tests;

use serde_json::Value;

pub(crate) use self::error::PolicyError;
pub(crate) use self::request::{ConditionContext, IamKind, IamPrincipal, PolicyRequest, Principal};
pub(crate) use self::scope::Scope;
use self::statement::{Effect, Statement};

/// The largest policy AWS accepts (20 KiB); the caller checks the size
/// before parsing.
pub(crate) const MAX_POLICY_BYTES: usize = 20 * 1024;

/// A parsed, validated policy (a bucket's, an identity's or a role's trust
/// policy).
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    statements: Vec<Statement>,
}

/// What a policy says of a request: explicit deny beats allow;
/// `Unmatched`: no statement applies (the ACL decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Some matching statement denies: refused whatever the ACL says.
    Deny,
    /// Some matching statement allows and none denies.
    Allow,
    /// No statement applies.
    Unmatched,
}

impl Policy {
    /// Parses `text` as the policy of bucket `bucket`; refuses what AWS
    /// refuses, with AWS's message.
    ///
    /// `Version` "2012-10-17" turns on policy variables (`${aws:username}`);
    /// "2008-10-17" or no version reads them literally, as AWS. Leading
    /// white space is tolerated before the '{'.
    pub(crate) fn parse(text: &str, bucket: &str) -> Result<Policy, PolicyError> {
        Self::parse_in(text, Scope::Bucket(bucket))
    }

    /// Parses `text` as a policy of `scope` (see [`Policy::parse`]).
    pub(crate) fn parse_in(text: &str, scope: Scope<'_>) -> Result<Policy, PolicyError> {
        if !text.trim_start().starts_with('{') {
            return Err(PolicyError::new(error::FIRST_BYTE));
        }
        let doc: Value =
            serde_json::from_str(text).map_err(|_| PolicyError::new(error::INVALID_JSON))?;
        let Value::Object(fields) = &doc else {
            return Err(PolicyError::new(error::INVALID_JSON));
        };
        for name in fields.keys() {
            if !matches!(name.as_str(), "Version" | "Id" | "Statement") {
                return Err(PolicyError::new(format!("Unknown field {name}")));
            }
        }
        let variables = match fields.get("Version") {
            None => false,
            Some(Value::String(v)) if v == "2012-10-17" => true,
            Some(Value::String(v)) if v == "2008-10-17" => false,
            Some(_) => return Err(PolicyError::new(error::INVALID_VERSION)),
        };
        if let Some(id) = fields.get("Id") {
            if !id.is_string() {
                return Err(PolicyError::new(error::INVALID_JSON));
            }
        }
        let statements = match fields.get("Statement") {
            None => return Err(PolicyError::new("Missing required field Statement")),
            Some(Value::Array(items)) if items.is_empty() => {
                return Err(PolicyError::new(error::EMPTY_STATEMENT))
            }
            Some(Value::Array(items)) => items
                .iter()
                .map(|s| Statement::parse(s, scope, variables))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single) => vec![Statement::parse(single, scope, variables)?],
        };
        Ok(Policy { statements })
    }

    /// What the policy says of one request: any applicable `Deny` denies;
    /// else any applicable `Allow` allows; else no statement applies.
    pub(crate) fn evaluate(&self, request: &PolicyRequest<'_>) -> Decision {
        let action = actions::lookup(request.action);
        let mut allowed = false;
        for s in &self.statements {
            // Once allowed, only a Deny can change the answer.
            if allowed && s.effect == Effect::Allow {
                continue;
            }
            if s.applies(request, action) {
                match s.effect {
                    Effect::Deny => return Decision::Deny,
                    Effect::Allow => allowed = true,
                }
            }
        }
        if allowed {
            Decision::Allow
        } else {
            Decision::Unmatched
        }
    }

    /// Whether the policy makes the bucket public, by AWS's definition
    /// (GetBucketPolicyStatus `IsPublic`; `BlockPublicPolicy` refuses such a
    /// policy). See `public.rs` for the rule.
    pub(crate) fn is_public(&self) -> bool {
        self.statements.iter().any(public::statement_is_public)
    }
}
