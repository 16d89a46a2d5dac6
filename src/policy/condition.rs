//! The `Condition` element: operators, their values compiled once, and
//! AWS's evaluation rules (missing keys, `IfExists`, `ForAnyValue:` /
//! `ForAllValues:`, negated operators).

use std::net::IpAddr;

use serde_json::Value;

use super::error::{self, PolicyError};
use super::pattern::{Pattern, Syntax};
use super::request::{normalize_key, ConditionContext};

/// The operator family, negation apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// StringEquals / StringNotEquals.
    StringEquals,
    /// StringEqualsIgnoreCase / StringNotEqualsIgnoreCase.
    StringEqualsIgnoreCase,
    /// StringLike / StringNotLike.
    StringLike,
    /// Numeric*: the comparison the request's value must pass.
    Numeric(Cmp),
    /// Date*.
    Date(Cmp),
    /// Bool.
    Bool,
    /// IpAddress / NotIpAddress.
    IpAddress,
    /// ArnEquals / ArnNotEquals / ArnLike / ArnNotLike (all take
    /// wildcards, per ARN component, as AWS).
    Arn,
    /// Null.
    Null,
}

/// How a request's value compares to the policy's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    fn test<T: PartialOrd>(self, request: T, policy: T) -> bool {
        match self {
            Cmp::Eq => request == policy,
            Cmp::Lt => request < policy,
            Cmp::Le => request <= policy,
            Cmp::Gt => request > policy,
            Cmp::Ge => request >= policy,
        }
    }
}

/// `ForAnyValue:` / `ForAllValues:` or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    /// No prefix: the request's values are tried as ForAnyValue, but a
    /// missing key follows the single-value rules.
    Single,
    /// Some request value must match.
    ForAnyValue,
    /// Every request value must match (true when there is none).
    ForAllValues,
}

/// The policy's values of one condition, parsed for their operator.
#[derive(Debug, Clone)]
pub(crate) enum Values {
    /// String, Bool (case-insensitive) and whole-ARN-less string values.
    Patterns(Vec<Pattern>),
    /// ARN values split into their six components.
    Arns(Vec<Vec<Pattern>>),
    /// Numeric values.
    Numbers(Vec<f64>),
    /// Dates, in nanoseconds since the epoch.
    Dates(Vec<i128>),
    /// CIDR blocks.
    Cidrs(Vec<Cidr>),
    /// Null: true means "the key must be absent".
    Null(Vec<bool>),
}

/// One `"Operator": {"key": values}` pair.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub(crate) op: Op,
    /// A `Not` operator: its result is the negation of the positive one,
    /// and a missing key makes it true.
    pub(crate) negated: bool,
    /// `...IfExists`: a missing key makes the condition true.
    pub(crate) if_exists: bool,
    pub(crate) set: SetOp,
    /// The key, normalized (see [`normalize_key`]).
    pub(crate) key: Box<str>,
    pub(crate) values: Values,
}

/// An IPv4 or IPv6 block, kept as a 128-bit address and mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    pub(crate) v6: bool,
    pub(crate) addr: u128,
    pub(crate) prefix: u8,
}

impl Cidr {
    /// Parses "a.b.c.d/n", "x::y/n" or a bare address.
    pub(crate) fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s, None),
        };
        let (v6, bits, max) = match addr.parse::<IpAddr>().ok()? {
            IpAddr::V4(a) => (false, u32::from(a) as u128, 32),
            IpAddr::V6(a) => (true, u128::from(a), 128),
        };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return None;
        }
        Some(Cidr {
            v6,
            addr: bits & mask(prefix, max),
            prefix,
        })
    }

    /// Whether `ip` is in the block (an IPv4-mapped IPv6 address counts as
    /// IPv4).
    fn contains(&self, ip: IpAddr) -> bool {
        let (v6, bits, max) = match ip {
            IpAddr::V4(a) => (false, u32::from(a) as u128, 32),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => (false, u32::from(v4) as u128, 32),
                None => (true, u128::from(a), 128),
            },
        };
        v6 == self.v6 && bits & mask(self.prefix, max) == self.addr
    }
}

/// The network mask of `prefix` bits in an address of `max` bits.
fn mask(prefix: u8, max: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        (u128::MAX << (128 - u32::from(prefix))) >> (128 - u32::from(max))
    }
}

/// Parses a statement's `Condition` object.
/// Parses a `Condition` block; `services`: the prefixes (`"sts:"`) of
/// other services' keys the policy may use besides `aws:` and S3's.
pub(crate) fn parse(
    value: &Value,
    variables: bool,
    services: &[&str],
) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = value else {
        return Err(PolicyError::new(error::INVALID_JSON));
    };
    let mut out = Vec::new();
    for (name, keys) in ops {
        let (op, negated, if_exists, set) = parse_operator(name)
            .ok_or_else(|| PolicyError::new(format!("Invalid Condition type : {name}")))?;
        let Value::Object(keys) = keys else {
            return Err(PolicyError::new(error::INVALID_JSON));
        };
        for (key, raw) in keys {
            check_key(key, services)?;
            let strings = value_strings(raw)?;
            let values = parse_values(op, &strings, variables)?;
            out.push(Condition {
                op,
                negated,
                if_exists,
                set,
                key: normalize_key(key).into(),
                values,
            });
        }
    }
    Ok(out)
}

/// `[ForAnyValue:|ForAllValues:]Operator[IfExists]` → (op, negated,
/// if_exists, set); None for an operator AWS does not have. Names are
/// matched case-insensitively.
fn parse_operator(name: &str) -> Option<(Op, bool, bool, SetOp)> {
    let lower = name.to_ascii_lowercase();
    let (set, rest) = if let Some(r) = lower.strip_prefix("foranyvalue:") {
        (SetOp::ForAnyValue, r)
    } else if let Some(r) = lower.strip_prefix("forallvalues:") {
        (SetOp::ForAllValues, r)
    } else {
        (SetOp::Single, lower.as_str())
    };
    let (rest, if_exists) = match rest.strip_suffix("ifexists") {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let (op, negated) = match rest {
        "stringequals" => (Op::StringEquals, false),
        "stringnotequals" => (Op::StringEquals, true),
        "stringequalsignorecase" => (Op::StringEqualsIgnoreCase, false),
        "stringnotequalsignorecase" => (Op::StringEqualsIgnoreCase, true),
        "stringlike" => (Op::StringLike, false),
        "stringnotlike" => (Op::StringLike, true),
        "numericequals" => (Op::Numeric(Cmp::Eq), false),
        "numericnotequals" => (Op::Numeric(Cmp::Eq), true),
        "numericlessthan" => (Op::Numeric(Cmp::Lt), false),
        "numericlessthanequals" => (Op::Numeric(Cmp::Le), false),
        "numericgreaterthan" => (Op::Numeric(Cmp::Gt), false),
        "numericgreaterthanequals" => (Op::Numeric(Cmp::Ge), false),
        "dateequals" => (Op::Date(Cmp::Eq), false),
        "datenotequals" => (Op::Date(Cmp::Eq), true),
        "datelessthan" => (Op::Date(Cmp::Lt), false),
        "datelessthanequals" => (Op::Date(Cmp::Le), false),
        "dategreaterthan" => (Op::Date(Cmp::Gt), false),
        "dategreaterthanequals" => (Op::Date(Cmp::Ge), false),
        "bool" => (Op::Bool, false),
        "ipaddress" => (Op::IpAddress, false),
        "notipaddress" => (Op::IpAddress, true),
        "arnequals" | "arnlike" => (Op::Arn, false),
        "arnnotequals" | "arnnotlike" => (Op::Arn, true),
        // Null takes neither IfExists nor a set prefix.
        "null" if !if_exists && set == SetOp::Single => (Op::Null, false),
        _ => return None,
    };
    Some((op, negated, if_exists, set))
}

/// S3's own condition keys (lower-cased; a trailing '/' or '-' means "and
/// any suffix"). Global `aws:` keys are all accepted; keys of other
/// services cannot apply to S3.
const S3_KEYS: &[&str] = &[
    "s3:accesspointnetworkorigin",
    "s3:authtype",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "s3:delimiter",
    "s3:existingjoboperation",
    "s3:existingjobpriority",
    "s3:existingobjecttag/",
    "s3:jobsuspendedcause",
    "s3:locationconstraint",
    "s3:max-keys",
    "s3:object-lock-legal-hold",
    "s3:object-lock-mode",
    "s3:object-lock-remaining-retention-days",
    "s3:object-lock-retain-until-date",
    "s3:prefix",
    "s3:requestjoboperation",
    "s3:requestjobpriority",
    "s3:requestobjecttag/",
    "s3:requestobjecttagkeys",
    "s3:resourceaccount",
    "s3:signatureage",
    "s3:signatureversion",
    "s3:tlsversion",
    "s3:versionid",
    "s3:x-amz-acl",
    "s3:x-amz-content-sha256",
    "s3:x-amz-copy-source",
    "s3:x-amz-grant-",
    "s3:x-amz-metadata-directive",
    "s3:x-amz-server-side-encryption",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:x-amz-server-side-encryption-customer-algorithm",
    "s3:x-amz-storage-class",
    "s3:x-amz-website-redirect-location",
    "s3:x-amz-object-ownership",
    "s3:x-amz-checksum-",
    "s3:if-match",
    "s3:if-none-match",
];

/// In the services a policy may use: the claims of OpenID providers'
/// tokens, `<provider host>:<claim>` (`accounts.example.com:sub`).
pub(crate) const PROVIDER_KEYS: &str = "<provider>:";

/// Whether `key` is an OpenID provider's claim: `<host>:<claim>`, the host
/// not a service of AWS's.
fn is_provider_key(key: &str) -> bool {
    key.rsplit_once(':').is_some_and(|(host, claim)| {
        !host.is_empty() && !claim.is_empty() && !["aws", "s3", "iam", "sts"].contains(&host)
    })
}

/// Refuses a condition key AWS does not know for S3 (or for `services`).
fn check_key(key: &str, services: &[&str]) -> Result<(), PolicyError> {
    let lower = normalize_key(key);
    let ok = if let Some(service) = services.iter().find(|p| lower.starts_with(**p)) {
        lower.len() > service.len()
    } else if let Some(name) = lower.strip_prefix("aws:") {
        !name.is_empty()
    } else if lower.starts_with("s3:") {
        S3_KEYS.iter().any(|k| match k.strip_suffix(['/', '-']) {
            Some(_) => lower.len() > k.len() && lower.starts_with(k),
            None => lower == *k,
        })
    } else {
        services.contains(&PROVIDER_KEYS) && is_provider_key(&lower)
    };
    if ok {
        Ok(())
    } else {
        Err(PolicyError::new(error::INVALID_CONDITION_KEY))
    }
}

/// A condition's values as strings: a string, number or boolean, or an
/// array of them.
fn value_strings(raw: &Value) -> Result<Vec<String>, PolicyError> {
    let one = |v: &Value| -> Result<String, PolicyError> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err(PolicyError::new(error::INVALID_JSON)),
        }
    };
    match raw {
        Value::Array(items) => items.iter().map(one).collect(),
        v => Ok(vec![one(v)?]),
    }
}

fn parse_values(op: Op, strings: &[String], variables: bool) -> Result<Values, PolicyError> {
    let syntax = |wildcards, ignore_case| Syntax {
        wildcards,
        variables,
        ignore_case,
    };
    Ok(match op {
        Op::StringEquals => Values::Patterns(
            strings
                .iter()
                .map(|s| Pattern::new(s, syntax(false, false)))
                .collect(),
        ),
        Op::StringEqualsIgnoreCase | Op::Bool => Values::Patterns(
            strings
                .iter()
                .map(|s| Pattern::new(s, syntax(false, true)))
                .collect(),
        ),
        Op::StringLike => Values::Patterns(
            strings
                .iter()
                .map(|s| Pattern::new(s, syntax(true, false)))
                .collect(),
        ),
        Op::Arn => Values::Arns(
            strings
                .iter()
                .map(|s| {
                    s.splitn(6, ':')
                        .map(|part| Pattern::new(part, syntax(true, false)))
                        .collect()
                })
                .collect(),
        ),
        Op::Numeric(_) => Values::Numbers(
            strings
                .iter()
                .map(|s| {
                    s.trim().parse::<f64>().map_err(|_| {
                        PolicyError::new(format!("Invalid numeric value in Conditions: {s}"))
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        Op::Date(_) => Values::Dates(
            strings
                .iter()
                .map(|s| {
                    parse_date(s).ok_or_else(|| {
                        PolicyError::new(format!("Invalid date value in Conditions: {s}"))
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        Op::IpAddress => Values::Cidrs(
            strings
                .iter()
                .map(|s| Cidr::parse(s).ok_or_else(|| PolicyError::new(error::INVALID_IP)))
                .collect::<Result<_, _>>()?,
        ),
        Op::Null => Values::Null(
            strings
                .iter()
                .map(|s| s.eq_ignore_ascii_case("true"))
                .collect(),
        ),
    })
}

/// An ISO 8601 date-time (offset optional, UTC assumed), a bare date, or
/// epoch seconds, as nanoseconds since the epoch.
pub(crate) fn parse_date(s: &str) -> Option<i128> {
    use time::format_description::well_known::Iso8601;
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s
            .parse::<i64>()
            .ok()
            .map(|secs| i128::from(secs) * 1_000_000_000);
    }
    if let Ok(t) = time::OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = time::PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.assume_utc().unix_timestamp_nanos());
    }
    time::Date::parse(s, &Iso8601::DEFAULT)
        .ok()
        .map(|d| d.midnight().assume_utc().unix_timestamp_nanos())
}

impl Condition {
    /// Whether the request's context satisfies this condition.
    pub(crate) fn holds(&self, ctx: &ConditionContext) -> bool {
        let found = ctx.get(&self.key).filter(|v| !v.is_empty());
        if let Values::Null(wants_absent) = &self.values {
            let absent = found.is_none();
            return wants_absent.contains(&absent);
        }
        let Some(request) = found else {
            return match self.set {
                SetOp::Single => self.if_exists || self.negated,
                SetOp::ForAnyValue => self.if_exists,
                SetOp::ForAllValues => true,
            };
        };
        // `one`: the operator's verdict on one request value, negation
        // applied (a negated operator: the value matches none).
        let one = |v: &str| self.matches_any(v, ctx) != self.negated;
        match self.set {
            SetOp::Single => {
                let any = request.iter().any(|v| self.matches_any(v, ctx));
                any != self.negated
            }
            SetOp::ForAnyValue => request.iter().any(|v| one(v)),
            SetOp::ForAllValues => request.iter().all(|v| one(v)),
        }
    }

    /// Whether request value `v` matches one of the policy's values under
    /// the positive operator.
    fn matches_any(&self, v: &str, ctx: &ConditionContext) -> bool {
        match (&self.values, self.op) {
            (Values::Patterns(ps), _) => ps.iter().any(|p| p.matches(v, ctx)),
            (Values::Arns(arns), _) => arns.iter().any(|parts| {
                let mut req = v.splitn(6, ':');
                let ok = parts
                    .iter()
                    .all(|p| req.next().is_some_and(|r| p.matches(r, ctx)));
                ok && req.next().is_none()
            }),
            (Values::Numbers(ns), Op::Numeric(cmp)) => match v.trim().parse::<f64>() {
                Ok(x) => ns.iter().any(|&n| cmp.test(x, n)),
                Err(_) => false,
            },
            (Values::Dates(ds), Op::Date(cmp)) => match parse_date(v) {
                Some(x) => ds.iter().any(|&d| cmp.test(x, d)),
                None => false,
            },
            (Values::Cidrs(cs), _) => match v.trim().parse::<IpAddr>() {
                Ok(ip) => cs.iter().any(|c| c.contains(ip)),
                Err(_) => false,
            },
            _ => false,
        }
    }
}
