//! The POST policy of a form upload: a base64 JSON document the form's
//! signature covers, with an `expiration` and the `conditions` every
//! field of the form must meet. Conditions are `{"field": "value"}` and
//! `["eq", "$field", "value"]` (exact), `["starts-with", "$field",
//! "prefix"]` (an empty prefix: any value) and `["content-length-range",
//! min, max]` (the file's size). Field names are case-insensitive, values
//! are not. Every field of the form but the exempt ones ([`is_exempt`])
//! must be named by a condition, and so must the bucket.
//!
//! Errors are AWS's: a document that cannot be read is
//! `InvalidPolicyDocument` (400), an expired one or a form that breaks it
//! `AccessDenied` (403) "Invalid according to Policy: ...".

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::api::error::{S3Error, S3ErrorCode};

/// A POST policy document, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PostPolicy {
    /// When the policy stops being valid.
    pub expiration: OffsetDateTime,
    /// Its conditions, in order.
    pub conditions: Vec<Condition>,
}

/// One condition of a POST policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Condition {
    /// The field (lower-case name) has exactly this value.
    Eq {
        /// The field's name, lower-case, without `$`.
        field: String,
        /// The value it must have.
        value: String,
    },
    /// The field's value starts with this prefix (any value when empty).
    StartsWith {
        /// The field's name, lower-case, without `$`.
        field: String,
        /// The prefix its value must start with.
        prefix: String,
    },
    /// The file's size in bytes is within `min..=max`.
    LengthRange {
        /// Smallest size allowed.
        min: u64,
        /// Largest size allowed.
        max: u64,
    },
}

impl Condition {
    /// The condition as AWS quotes it in a refusal.
    fn describe(&self) -> String {
        match self {
            Condition::Eq { field, value } => {
                serde_json::json!(["eq", format!("${field}"), value]).to_string()
            }
            Condition::StartsWith { field, prefix } => {
                serde_json::json!(["starts-with", format!("${field}"), prefix]).to_string()
            }
            Condition::LengthRange { min, max } => {
                serde_json::json!(["content-length-range", min, max]).to_string()
            }
        }
    }
}

fn invalid(message: impl AsRef<str>) -> S3Error {
    S3Error::new(S3ErrorCode::InvalidPolicyDocument)
        .with_message(format!("Invalid Policy: {}", message.as_ref()))
}

fn denied(message: impl AsRef<str>) -> S3Error {
    S3Error::new(S3ErrorCode::AccessDenied)
        .with_message(format!("Invalid according to Policy: {}", message.as_ref()))
}

/// Reads a `policy` field: base64, then a JSON object with `expiration`
/// and `conditions` (both required, names as written: `EXPIRATION` is
/// not `expiration`).
pub(crate) fn parse(policy_b64: &str) -> Result<PostPolicy, S3Error> {
    let compact: String = policy_b64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let json = STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| invalid("Invalid Policy Encoding."))?;
    let doc: Value = serde_json::from_slice(&json).map_err(|_| invalid("Invalid JSON."))?;
    let Value::Object(doc) = doc else {
        return Err(invalid("Invalid JSON."));
    };
    let expiration = match doc.get("expiration") {
        None => return Err(invalid("Policy missing expiration.")),
        Some(Value::String(s)) => {
            iso8601_utc(s).ok_or_else(|| invalid(format!("Invalid 'expiration' value: '{s}'")))?
        }
        Some(other) => return Err(invalid(format!("Invalid 'expiration' value: '{other}'"))),
    };
    let conditions = match doc.get("conditions") {
        None => return Err(invalid("Policy missing conditions.")),
        Some(Value::Array(list)) => list
            .iter()
            .map(parse_condition)
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(invalid("Policy conditions must be a list.")),
    };
    Ok(PostPolicy {
        expiration,
        conditions,
    })
}

/// An ISO 8601 UTC time as AWS takes it: `2030-01-01T00:00:00Z`, the
/// fraction of a second optional (not a space for the `T`, nor an offset
/// for the `Z`, which RFC 3339 parsers also take).
fn iso8601_utc(s: &str) -> Option<OffsetDateTime> {
    if s.as_bytes().get(10) != Some(&b'T') || !s.ends_with('Z') {
        return None;
    }
    OffsetDateTime::parse(s, &Rfc3339).ok()
}

/// A field name as a condition gives it (`$key`, or `key` in the simple
/// form), lower-case and without the `$`.
fn field_name(raw: &str) -> String {
    raw.strip_prefix('$').unwrap_or(raw).to_ascii_lowercase()
}

/// A size bound of `content-length-range`: a non-negative integer (JSON
/// number, or a string holding one).
fn size_bound(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn parse_condition(c: &Value) -> Result<Condition, S3Error> {
    match c {
        Value::Object(map) => {
            let mut entries = map.iter();
            let (Some((name, value)), None) = (entries.next(), entries.next()) else {
                return Err(invalid(
                    "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
                ));
            };
            let Value::String(value) = value else {
                return Err(invalid(format!(
                    "Invalid Simple-Condition: value of '{name}' must be a string."
                )));
            };
            Ok(Condition::Eq {
                field: field_name(name),
                value: value.clone(),
            })
        }
        Value::Array(items) => {
            let op = match items.first() {
                Some(Value::String(op)) => op.to_ascii_lowercase(),
                _ => return Err(invalid(format!("Invalid Condition: {c}"))),
            };
            match op.as_str() {
                "content-length-range" => match items.as_slice() {
                    [_, min, max] => match (size_bound(min), size_bound(max)) {
                        (Some(min), Some(max)) => Ok(Condition::LengthRange { min, max }),
                        _ => Err(invalid(format!(
                            "Invalid 'content-length-range' condition: {c}"
                        ))),
                    },
                    _ => Err(invalid(format!(
                        "Invalid 'content-length-range' condition: {c}"
                    ))),
                },
                "eq" | "starts-with" => match items.as_slice() {
                    [_, Value::String(field), Value::String(value)] if field.starts_with('$') => {
                        let field = field_name(field);
                        let value = value.clone();
                        Ok(if op == "eq" {
                            Condition::Eq { field, value }
                        } else {
                            Condition::StartsWith {
                                field,
                                prefix: value,
                            }
                        })
                    }
                    _ => Err(invalid(format!("Invalid Condition: {c}"))),
                },
                _ => Err(invalid(format!(
                    "Invalid Condition: unknown operation '{op}'."
                ))),
            }
        }
        _ => Err(invalid(format!("Invalid Condition: {c}"))),
    }
}

/// Fields no condition needs to name: the policy and signature fields,
/// the file, `x-ignore-*`, and the checksum of the file (the Ceph
/// conformance suite sends `x-amz-checksum-*` outside the policy; it
/// only makes the upload stricter).
pub(crate) fn is_exempt(name: &str) -> bool {
    matches!(
        name,
        "policy" | "signature" | "awsaccesskeyid" | "x-amz-signature" | "file"
    ) || name.starts_with("x-ignore-")
        || name.starts_with("x-amz-checksum-")
}

impl PostPolicy {
    /// Checks the form's `fields` (lower-case names; the key with
    /// `${filename}` already replaced) and the addressed `bucket` against
    /// the policy at time `now`. The file's size is checked once read
    /// ([`PostPolicy::length_range`]).
    pub(crate) fn check(
        &self,
        fields: &[(String, String)],
        bucket: &str,
        now: OffsetDateTime,
    ) -> Result<(), S3Error> {
        if now > self.expiration {
            return Err(denied("Policy expired."));
        }
        let value_of = |name: &str| -> Vec<&str> {
            if name == "bucket" {
                return vec![bucket];
            }
            let values: Vec<&str> = fields
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            if values.is_empty() {
                vec![""]
            } else {
                values
            }
        };
        for c in &self.conditions {
            let holds = match c {
                Condition::Eq { field, value } => value_of(field).iter().all(|v| v == value),
                Condition::StartsWith { field, prefix } => value_of(field)
                    .iter()
                    .all(|v| starts_with(field, v, prefix)),
                Condition::LengthRange { .. } => true,
            };
            if !holds {
                return Err(denied(format!("Policy Condition failed: {}", c.describe())));
            }
        }
        let named = |name: &str| {
            self.conditions.iter().any(|c| match c {
                Condition::Eq { field, .. } | Condition::StartsWith { field, .. } => field == name,
                Condition::LengthRange { .. } => false,
            })
        };
        let mut extra: Vec<&str> = Vec::new();
        for name in std::iter::once("bucket").chain(fields.iter().map(|(n, _)| n.as_str())) {
            if !is_exempt(name) && !named(name) && !extra.contains(&name) {
                extra.push(name);
            }
        }
        if !extra.is_empty() {
            return Err(denied(format!("Extra input fields: {}", extra.join(", "))));
        }
        Ok(())
    }

    /// The file sizes the policy allows (`content-length-range`; the
    /// narrowest when there are several), if it bounds them.
    pub(crate) fn length_range(&self) -> Option<(u64, u64)> {
        self.conditions
            .iter()
            .filter_map(|c| match c {
                Condition::LengthRange { min, max } => Some((*min, *max)),
                _ => None,
            })
            .reduce(|(a, b), (c, d)| (a.max(c), b.min(d)))
    }
}

/// `starts-with` as AWS applies it: a `Content-Type` holding a list
/// (`a, b`) must have every element start with the prefix.
fn starts_with(field: &str, value: &str, prefix: &str) -> bool {
    if field == "content-type" {
        value.split(',').all(|v| v.trim().starts_with(prefix))
    } else {
        value.starts_with(prefix)
    }
}
