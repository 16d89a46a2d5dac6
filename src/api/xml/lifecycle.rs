//! The `LifecycleConfiguration` document: the body of
//! PutBucketLifecycleConfiguration (and of the older PutBucketLifecycle,
//! which sends the same elements) and the answer of
//! GetBucketLifecycleConfiguration.
//!
//! Parsing checks what S3 checks before it stores a configuration, with
//! S3's codes: the structure (a `Status` other than `Enabled` or
//! `Disabled`, a rule with both or neither of `Prefix` and `Filter`, a
//! `Filter` with two conditions outside `And`, an `Expiration` with both
//! `Days` and `Date`, a value that is not a number or a date) is
//! `MalformedXML`; values out of range (an id too long or repeated, zero
//! days, a date not at midnight UTC, a delete-marker or upload action with
//! a tag or size filter) are `InvalidArgument`; a rule without an action is
//! `InvalidRequest`. This store has one storage class, so any transition is
//! `InvalidStorageClass`. A rule given without an id gets a random one, as
//! S3 does.
//!
//! Rendering answers the rules in the order and the form they were given
//! (a rule-level `Prefix` or a `Filter`, an `And` or a lone condition), so
//! an SDK reads back what it sent.

use serde::{Deserialize, Serialize};
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, Month, OffsetDateTime, UtcOffset};

use super::parse_error::XmlParseError;
use super::render::render;
use super::requests::{check_document, present, schema};
use crate::clock::format_timestamp;
use crate::storage::meta::lifecycle::{
    Expiration, LifecycleConfig, LifecycleRule, NoncurrentExpiration, RuleFilter, MAX_RULES,
    MAX_RULE_ID_BYTES,
};

/// Most newer noncurrent versions a rule may keep (S3's limit).
pub(crate) const MAX_NEWER_NONCURRENT_VERSIONS: u32 = 100;

/// Why a lifecycle configuration was refused; the handler answers the S3
/// code each variant names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LifecycleParseError {
    /// Not a valid document (`MalformedXML`).
    #[error(transparent)]
    Xml(#[from] XmlParseError),
    /// A value S3 refuses (`InvalidArgument`), with S3's message.
    #[error("{0}")]
    InvalidArgument(String),
    /// A rule S3 refuses as a whole (`InvalidRequest`), with S3's message.
    #[error("{0}")]
    InvalidRequest(String),
    /// A transition to another storage class (`InvalidStorageClass`): this
    /// store has only one.
    #[error("The storage class you specified is not valid")]
    InvalidStorageClass,
}

type Parsed<T> = Result<T, LifecycleParseError>;

fn invalid_argument<T>(message: impl Into<String>) -> Parsed<T> {
    Err(LifecycleParseError::InvalidArgument(message.into()))
}

#[derive(Deserialize, Serialize)]
struct RawConfiguration {
    #[serde(rename = "Rule", default)]
    rules: Vec<RawRule>,
}

#[derive(Default, Deserialize, Serialize)]
struct RawRule {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    filter: Option<RawFilter>,
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(
        rename = "Expiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    expiration: Option<RawExpiration>,
    #[serde(
        rename = "NoncurrentVersionExpiration",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    noncurrent: Option<RawNoncurrent>,
    #[serde(
        rename = "AbortIncompleteMultipartUpload",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    abort: Option<RawAbort>,
    #[serde(rename = "Transition", default, skip_serializing)]
    transitions: Vec<RawTransition>,
    #[serde(rename = "NoncurrentVersionTransition", default, skip_serializing)]
    noncurrent_transitions: Vec<RawTransition>,
}

/// A `Filter`, or the `And` inside one (which has no `And` itself).
#[derive(Default, Deserialize, Serialize)]
struct RawFilter {
    #[serde(rename = "Prefix", default, skip_serializing_if = "Option::is_none")]
    prefix: Option<String>,
    #[serde(rename = "Tag", default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<RawTag>,
    #[serde(
        rename = "ObjectSizeGreaterThan",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    size_greater_than: Option<String>,
    #[serde(
        rename = "ObjectSizeLessThan",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    size_less_than: Option<String>,
    #[serde(rename = "And", default, skip_serializing_if = "Option::is_none")]
    and: Option<Box<RawFilter>>,
}

#[derive(Deserialize, Serialize)]
struct RawTag {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value")]
    value: String,
}

#[derive(Default, Deserialize, Serialize)]
struct RawExpiration {
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    days: Option<String>,
    #[serde(rename = "Date", default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(
        rename = "ExpiredObjectDeleteMarker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    expired_object_delete_marker: Option<String>,
}

#[derive(Default, Deserialize, Serialize)]
struct RawNoncurrent {
    #[serde(
        rename = "NoncurrentDays",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    days: Option<String>,
    #[serde(
        rename = "NewerNoncurrentVersions",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    newer_versions: Option<String>,
}

#[derive(Default, Deserialize, Serialize)]
struct RawAbort {
    #[serde(
        rename = "DaysAfterInitiation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    days: Option<String>,
}

#[derive(Default, Deserialize)]
struct RawTransition {
    #[serde(rename = "Date", default)]
    date: Option<String>,
}

/// Parses and checks a PutBucketLifecycleConfiguration body.
pub(crate) fn parse_lifecycle(body: &[u8]) -> Parsed<LifecycleConfig> {
    let text = check_document(body, "LifecycleConfiguration")?;
    let raw: RawConfiguration = quick_xml::de::from_str(text).map_err(schema)?;
    if raw.rules.is_empty() {
        return Err(XmlParseError::Missing("Rule").into());
    }
    if raw.rules.len() > MAX_RULES {
        return Err(XmlParseError::Schema(format!(
            "{} rules; at most {MAX_RULES} are allowed",
            raw.rules.len()
        ))
        .into());
    }
    let rules = raw
        .rules
        .into_iter()
        .map(parse_rule)
        .collect::<Parsed<Vec<_>>>()?;
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return invalid_argument("Rule ID must be unique. Found same ID for more than one rule");
    }
    Ok(LifecycleConfig { rules })
}

fn parse_rule(raw: RawRule) -> Parsed<LifecycleRule> {
    let id = match raw.id.filter(|id| !id.is_empty()) {
        Some(id) if id.len() > MAX_RULE_ID_BYTES => {
            return invalid_argument(format!(
                "ID length should not exceed allowed limit of {MAX_RULE_ID_BYTES}"
            ))
        }
        Some(id) => id,
        None => generated_id(),
    };
    let enabled = match present(raw.status) {
        None => return Err(XmlParseError::Missing("Status").into()),
        Some(s) if s == "Enabled" => true,
        Some(s) if s == "Disabled" => false,
        Some(value) => {
            return Err(XmlParseError::InvalidValue {
                element: "Status",
                value,
            }
            .into())
        }
    };
    let (filter, legacy_prefix) = match (raw.prefix, raw.filter) {
        (Some(_), Some(_)) => return Err(XmlParseError::Conflict("Prefix", "Filter").into()),
        (None, None) => return Err(XmlParseError::Missing("Filter").into()),
        (Some(prefix), None) => (
            RuleFilter {
                prefix,
                ..RuleFilter::default()
            },
            true,
        ),
        (None, Some(f)) => (parse_filter(f)?, false),
    };
    let expiration = raw.expiration.map(parse_expiration).transpose()?;
    let noncurrent = raw.noncurrent.map(parse_noncurrent).transpose()?;
    let abort_after_days = match raw.abort {
        Some(a) => Some(positive_days(
            "DaysAfterInitiation",
            a.days,
            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
        )?),
        None => None,
    };
    for t in raw.transitions.iter().chain(&raw.noncurrent_transitions) {
        if let Some(date) = present(t.date.clone()) {
            parse_midnight(&date)?;
        }
    }
    if !raw.transitions.is_empty() || !raw.noncurrent_transitions.is_empty() {
        return Err(LifecycleParseError::InvalidStorageClass);
    }
    if expiration.is_none() && noncurrent.is_none() && abort_after_days.is_none() {
        return Err(LifecycleParseError::InvalidRequest(
            "At least one action needs to be specified in a rule".into(),
        ));
    }
    if expiration.is_some_and(|e| e.expired_object_delete_marker) && !filter.tags.is_empty() {
        return invalid_argument(
            "ExpiredObjectDeleteMarker cannot be specified with a tag-based filter",
        );
    }
    if abort_after_days.is_some() && filter.has_object_conditions() {
        return invalid_argument(
            "AbortIncompleteMultipartUpload cannot be specified with a tag or object size filter",
        );
    }
    Ok(LifecycleRule {
        id,
        enabled,
        filter,
        legacy_prefix,
        expiration,
        noncurrent,
        abort_after_days,
    })
}

/// A made-up rule id, as S3 makes one: 48 characters, the base64 of a
/// random UUID's text.
fn generated_id() -> String {
    use base64::Engine;
    let n: u128 = rand::random();
    let hex = format!("{n:032x}");
    let uuid = format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    );
    base64::engine::general_purpose::STANDARD.encode(uuid)
}

/// A `Filter`: one condition, an `And` of several, or none (every object).
fn parse_filter(raw: RawFilter) -> Parsed<RuleFilter> {
    let conditions = usize::from(raw.prefix.is_some())
        + raw.tags.len()
        + usize::from(raw.size_greater_than.is_some())
        + usize::from(raw.size_less_than.is_some())
        + usize::from(raw.and.is_some());
    if conditions > 1 {
        return Err(XmlParseError::Schema(
            "a Filter holds one condition; several go in an And".into(),
        )
        .into());
    }
    match raw.and {
        Some(and) => {
            if and.and.is_some() {
                return Err(XmlParseError::Schema("an And inside an And".into()).into());
            }
            let empty = and.prefix.is_none()
                && and.tags.is_empty()
                && and.size_greater_than.is_none()
                && and.size_less_than.is_none();
            if empty {
                return Err(XmlParseError::Missing("Tag").into());
            }
            Ok(RuleFilter {
                and: true,
                ..conditions_of(*and)?
            })
        }
        None => conditions_of(raw),
    }
}

/// The conditions of a `Filter` or an `And`, checked.
fn conditions_of(raw: RawFilter) -> Parsed<RuleFilter> {
    let size = |element, value: Option<String>| match present(value) {
        None => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) => u64::try_from(n).map(Some).or_else(|_| {
                invalid_argument(format!("'{element}' must be a non-negative integer"))
            }),
            Err(_) => Err(XmlParseError::InvalidValue { element, value: v }.into()),
        },
    };
    let greater = size("ObjectSizeGreaterThan", raw.size_greater_than)?;
    let less = size("ObjectSizeLessThan", raw.size_less_than)?;
    if less == Some(0) {
        return invalid_argument("'ObjectSizeLessThan' must be a positive integer");
    }
    if let (Some(g), Some(l)) = (greater, less) {
        if g >= l {
            return invalid_argument(
                "'ObjectSizeGreaterThan' must be less than 'ObjectSizeLessThan'",
            );
        }
    }
    Ok(RuleFilter {
        prefix_given: raw.prefix.is_some(),
        prefix: raw.prefix.unwrap_or_default(),
        tags: raw.tags.into_iter().map(|t| (t.key, t.value)).collect(),
        size_greater_than: greater,
        size_less_than: less,
        and: false,
    })
}

fn parse_expiration(raw: RawExpiration) -> Parsed<Expiration> {
    let (days, date, marker) = (
        present(raw.days),
        present(raw.date),
        present(raw.expired_object_delete_marker),
    );
    match (&days, &date, &marker) {
        (Some(_), Some(_), _) => return Err(XmlParseError::Conflict("Days", "Date").into()),
        (Some(_), _, Some(_)) => {
            return Err(XmlParseError::Conflict("Days", "ExpiredObjectDeleteMarker").into())
        }
        (_, Some(_), Some(_)) => {
            return Err(XmlParseError::Conflict("Date", "ExpiredObjectDeleteMarker").into())
        }
        (None, None, None) => return Err(XmlParseError::Missing("Days").into()),
        _ => {}
    }
    let expired_object_delete_marker = match marker.as_deref() {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(v) => {
            return Err(XmlParseError::InvalidValue {
                element: "ExpiredObjectDeleteMarker",
                value: v.to_owned(),
            }
            .into())
        }
    };
    let days = match days {
        Some(d) => Some(positive_days(
            "Days",
            Some(d),
            "'Days' for Expiration action must be a positive integer",
        )?),
        None => None,
    };
    let date_ms = date.as_deref().map(parse_midnight).transpose()?;
    Ok(Expiration {
        days,
        date_ms,
        expired_object_delete_marker,
    })
}

fn parse_noncurrent(raw: RawNoncurrent) -> Parsed<NoncurrentExpiration> {
    let days = positive_days(
        "NoncurrentDays",
        raw.days,
        "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    )?;
    let newer_versions = match present(raw.newer_versions) {
        None => None,
        Some(v) => {
            let n = positive_days(
                "NewerNoncurrentVersions",
                Some(v),
                "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer",
            )?;
            if n > MAX_NEWER_NONCURRENT_VERSIONS {
                return invalid_argument(format!(
                    "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must not exceed {MAX_NEWER_NONCURRENT_VERSIONS}"
                ));
            }
            Some(n)
        }
    };
    Ok(NoncurrentExpiration {
        days,
        newer_versions,
    })
}

/// A count that must be given (else `MalformedXML`), be an integer (else
/// `MalformedXML`) and be positive (else `InvalidArgument` with
/// `message`).
fn positive_days(element: &'static str, value: Option<String>, message: &str) -> Parsed<u32> {
    let v = present(value).ok_or(XmlParseError::Missing(element))?;
    match v.parse::<i64>() {
        Ok(n) if n > 0 => u32::try_from(n).or_else(|_| invalid_argument(message)),
        Ok(_) => invalid_argument(message),
        Err(e) if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) => {
            invalid_argument(message)
        }
        Err(e) if matches!(e.kind(), std::num::IntErrorKind::NegOverflow) => {
            invalid_argument(message)
        }
        Err(_) => Err(XmlParseError::InvalidValue { element, value: v }.into()),
    }
}

/// Milliseconds since the epoch of a lifecycle `Date`: an ISO 8601 date
/// (`2017-09-27`) or date-time (`2017-09-27T00:00:00Z`, with or without
/// fractional seconds or with an offset) that is midnight UTC. Not a
/// date: `MalformedXML`; another instant, or one before 1970:
/// `InvalidArgument`.
fn parse_midnight(text: &str) -> Parsed<u64> {
    let t = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .ok()
        .or_else(|| plain_date(text))
        .ok_or_else(|| XmlParseError::InvalidValue {
            element: "Date",
            value: text.to_owned(),
        })?;
    let t = t.to_offset(UtcOffset::UTC);
    if t.time() != time::Time::MIDNIGHT {
        return invalid_argument("'Date' must be at midnight GMT");
    }
    let ms = t.unix_timestamp_nanos() / 1_000_000;
    u64::try_from(ms).or_else(|_| invalid_argument("'Date' must be at midnight GMT"))
}

/// Midnight UTC of a calendar date written `YYYY-MM-DD`.
fn plain_date(text: &str) -> Option<OffsetDateTime> {
    let mut parts = text.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(y, 4) || !digits(m, 2) || !digits(d, 2) {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    let date = Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()?;
    Some(date.midnight().assume_offset(UtcOffset::UTC))
}

/// The GetBucketLifecycleConfiguration answer.
pub(crate) fn lifecycle_to_xml(config: &LifecycleConfig) -> String {
    let raw = RawConfiguration {
        rules: config.rules.iter().map(raw_rule).collect(),
    };
    render("LifecycleConfiguration", &raw)
}

fn raw_rule(rule: &LifecycleRule) -> RawRule {
    let (prefix, filter) = if rule.legacy_prefix {
        (Some(rule.filter.prefix.clone()), None)
    } else {
        (None, Some(raw_filter(&rule.filter)))
    };
    RawRule {
        id: Some(rule.id.clone()),
        prefix,
        filter,
        status: Some(if rule.enabled { "Enabled" } else { "Disabled" }.to_owned()),
        expiration: rule.expiration.map(|e| RawExpiration {
            days: e.days.map(|d| d.to_string()),
            date: e.date_ms.map(format_timestamp),
            expired_object_delete_marker: (e.days.is_none() && e.date_ms.is_none())
                .then(|| e.expired_object_delete_marker.to_string()),
        }),
        noncurrent: rule.noncurrent.map(|n| RawNoncurrent {
            days: Some(n.days.to_string()),
            newer_versions: n.newer_versions.map(|v| v.to_string()),
        }),
        abort: rule.abort_after_days.map(|d| RawAbort {
            days: Some(d.to_string()),
        }),
        ..RawRule::default()
    }
}

/// A filter in the shape it was given: an `And`, or its one condition, or
/// nothing.
fn raw_filter(f: &RuleFilter) -> RawFilter {
    let conditions = RawFilter {
        prefix: (f.prefix_given || !f.prefix.is_empty()).then(|| f.prefix.clone()),
        tags: f
            .tags
            .iter()
            .map(|(key, value)| RawTag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
        size_greater_than: f.size_greater_than.map(|n| n.to_string()),
        size_less_than: f.size_less_than.map(|n| n.to_string()),
        and: None,
    };
    if f.and {
        RawFilter {
            and: Some(Box::new(conditions)),
            ..RawFilter::default()
        }
    } else {
        conditions
    }
}

#[cfg(test)]
mod tests;
