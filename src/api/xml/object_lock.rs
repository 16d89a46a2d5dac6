//! The Object Lock documents: `ObjectLockConfiguration` (the body of
//! PutObjectLockConfiguration and the answer of its Get twin), `Retention`
//! (PutObjectRetention, GetObjectRetention) and `LegalHold`
//! (PutObjectLegalHold, GetObjectLegalHold). Parsed values are the store's
//! lock types; what the handler still checks (a retain-until date in the
//! future, the bucket having object lock, may the change be made) needs the
//! bucket, the version or the clock, so it is not here.
//!
//! Errors follow S3's recorded answers: every structural fault, an unknown
//! value and a missing or conflicting element is `MalformedXML`
//! ([`XmlParseError`]); only a default retention period out of range is
//! `InvalidArgument` ([`ObjectLockParseError::InvalidPeriod`]).

use serde::{Deserialize, Serialize};
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::OffsetDateTime;

use super::parse_error::XmlParseError;
use super::render::render;
use super::requests::{check_document, present, schema};
use crate::clock::format_timestamp;
use crate::storage::meta::lock::{
    DefaultRetention, LockMode, ObjectLockConfig, Retention, RetentionPeriod,
};

/// Longest default retention in days (100 years of 365 days, S3's maximum
/// retention).
pub(crate) const MAX_RETENTION_DAYS: u32 = 36_500;

/// Longest default retention in years.
pub(crate) const MAX_RETENTION_YEARS: u32 = 100;

/// Why a PutObjectLockConfiguration body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ObjectLockParseError {
    /// Not a valid configuration document (`MalformedXML`): no or another
    /// `ObjectLockEnabled` than `Enabled`, an empty `Rule`, a
    /// `DefaultRetention` without `Mode` or without a period or with both
    /// `Days` and `Years`, an unknown mode, a period that is not an integer.
    #[error(transparent)]
    Xml(#[from] XmlParseError),
    /// `Days` or `Years` is an integer out of range: S3 answers
    /// `InvalidArgument` with this message, `ArgumentName` `argument` and
    /// `ArgumentValue` `value`.
    #[error("{message}")]
    InvalidPeriod {
        /// `Days` or `Years`.
        argument: &'static str,
        /// The value as sent (trimmed).
        value: String,
        /// S3's message: the period must be positive, or is too large.
        message: &'static str,
    },
}

#[derive(Deserialize, Serialize)]
struct RawLockConfiguration {
    #[serde(
        rename = "ObjectLockEnabled",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    enabled: Option<String>,
    #[serde(rename = "Rule", default, skip_serializing_if = "Vec::is_empty")]
    rules: Vec<RawRule>,
}

#[derive(Deserialize, Serialize)]
struct RawRule {
    #[serde(
        rename = "DefaultRetention",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    default_retention: Option<RawDefaultRetention>,
}

#[derive(Deserialize, Serialize)]
struct RawDefaultRetention {
    #[serde(rename = "Mode", default, skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    #[serde(rename = "Days", default, skip_serializing_if = "Option::is_none")]
    days: Option<String>,
    #[serde(rename = "Years", default, skip_serializing_if = "Option::is_none")]
    years: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct RawRetention {
    #[serde(rename = "Mode", default, skip_serializing_if = "Option::is_none")]
    mode: Option<String>,
    #[serde(
        rename = "RetainUntilDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    retain_until_date: Option<String>,
}

#[derive(Deserialize, Serialize)]
struct RawLegalHold {
    #[serde(rename = "Status", default)]
    status: Option<String>,
}

fn invalid(element: &'static str, value: String) -> XmlParseError {
    XmlParseError::InvalidValue { element, value }
}

/// `GOVERNANCE` or `COMPLIANCE`, case-sensitive as S3 is.
fn parse_mode(mode: String) -> Result<LockMode, XmlParseError> {
    LockMode::parse(&mode).ok_or_else(|| invalid("Mode", mode))
}

/// Parses a PutObjectLockConfiguration body into the bucket's new
/// configuration. `ObjectLockEnabled` must be `Enabled` (S3 refuses a
/// body without it), so a successful parse always means "enabled"; a body
/// without `Rule` removes the default retention.
pub(crate) fn parse_object_lock_configuration(
    body: &[u8],
) -> Result<ObjectLockConfig, ObjectLockParseError> {
    let text = check_document(body, "ObjectLockConfiguration")?;
    let raw: RawLockConfiguration = quick_xml::de::from_str(text).map_err(schema)?;
    match present(raw.enabled) {
        None => return Err(XmlParseError::Missing("ObjectLockEnabled").into()),
        Some(e) if e == "Enabled" => {}
        Some(e) => return Err(invalid("ObjectLockEnabled", e).into()),
    }
    let mut rules = raw.rules.into_iter();
    let rule = rules.next();
    if rules.next().is_some() {
        return Err(XmlParseError::Schema("more than one <Rule>".into()).into());
    }
    let Some(rule) = rule else {
        return Ok(ObjectLockConfig::default());
    };
    let retention = rule
        .default_retention
        .ok_or(XmlParseError::Missing("DefaultRetention"))?;
    let mode = present(retention.mode).ok_or(XmlParseError::Missing("Mode"))?;
    let mode = parse_mode(mode)?;
    let period = match (present(retention.days), present(retention.years)) {
        (Some(_), Some(_)) => return Err(XmlParseError::Conflict("Days", "Years").into()),
        (None, None) => return Err(XmlParseError::Missing("Days").into()),
        (Some(d), None) => RetentionPeriod::Days(parse_period("Days", d, MAX_RETENTION_DAYS)?),
        (None, Some(y)) => RetentionPeriod::Years(parse_period("Years", y, MAX_RETENTION_YEARS)?),
    };
    Ok(ObjectLockConfig {
        default_retention: Some(DefaultRetention { mode, period }),
    })
}

/// A period of `Days` or `Years`: an integer (else `MalformedXML`) in
/// `1..=max` (else `InvalidArgument`).
fn parse_period(
    argument: &'static str,
    value: String,
    max: u32,
) -> Result<u32, ObjectLockParseError> {
    let out_of_range = |value: String, message| ObjectLockParseError::InvalidPeriod {
        argument,
        value,
        message,
    };
    let positive = "Default retention period must be a positive integer value.";
    let too_large = "Default retention period too large.";
    let n = match value.parse::<i64>() {
        Ok(n) => n,
        Err(e) => {
            return Err(match e.kind() {
                std::num::IntErrorKind::PosOverflow => out_of_range(value, too_large),
                std::num::IntErrorKind::NegOverflow => out_of_range(value, positive),
                _ => invalid(argument, value).into(),
            })
        }
    };
    if n <= 0 {
        return Err(out_of_range(value, positive));
    }
    match u32::try_from(n) {
        Ok(n) if n <= max => Ok(n),
        _ => Err(out_of_range(value, too_large)),
    }
}

/// The GetObjectLockConfiguration answer of a bucket with object lock:
/// `ObjectLockEnabled` `Enabled`, and its default retention as a `Rule`
/// when it has one.
pub(crate) fn object_lock_configuration_to_xml(config: &ObjectLockConfig) -> String {
    let rules = config
        .default_retention
        .iter()
        .map(|d| {
            let (days, years) = match d.period {
                RetentionPeriod::Days(n) => (Some(n.to_string()), None),
                RetentionPeriod::Years(n) => (None, Some(n.to_string())),
            };
            RawRule {
                default_retention: Some(RawDefaultRetention {
                    mode: Some(d.mode.as_str().to_owned()),
                    days,
                    years,
                }),
            }
        })
        .collect();
    let raw = RawLockConfiguration {
        enabled: Some("Enabled".to_owned()),
        rules,
    };
    render("ObjectLockConfiguration", &raw)
}

/// Parses a PutObjectRetention body. Both `Mode` and `RetainUntilDate`:
/// the new retention. Neither (`<Retention/>`): `None`, removing the
/// retention, as S3 reads it. Only one, an unknown mode or a date that is
/// not an ISO 8601 date-time with an offset: `MalformedXML`. Whether the
/// date is in the future is the caller's to check (`InvalidArgument`, "The
/// retain until date must be in the future!"); a date before 1970 reads as
/// the epoch, in the past.
pub(crate) fn parse_retention(body: &[u8]) -> Result<Option<Retention>, XmlParseError> {
    let text = check_document(body, "Retention")?;
    let raw: RawRetention = quick_xml::de::from_str(text).map_err(schema)?;
    match (present(raw.mode), present(raw.retain_until_date)) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(XmlParseError::Missing("RetainUntilDate")),
        (None, Some(_)) => Err(XmlParseError::Missing("Mode")),
        (Some(mode), Some(date)) => {
            let mode = parse_mode(mode)?;
            let until_ms = parse_date_ms(&date).ok_or_else(|| invalid("RetainUntilDate", date))?;
            Ok(Some(Retention { mode, until_ms }))
        }
    }
}

/// Milliseconds since the epoch of an ISO 8601 date-time with `Z` or an
/// offset, with or without fractional seconds (`2030-01-01T00:00:00Z`,
/// `2030-01-01T01:00:00.5+01:00`); sub-millisecond digits are dropped and
/// dates before the epoch read as 0.
fn parse_date_ms(text: &str) -> Option<u64> {
    let t = OffsetDateTime::parse(text, &Rfc3339)
        .or_else(|_| OffsetDateTime::parse(text, &Iso8601::DEFAULT))
        .ok()?;
    let ms = (t.unix_timestamp_nanos() / 1_000_000).max(0);
    u64::try_from(ms).ok()
}

/// The GetObjectRetention answer: the version's mode and retain-until date
/// (as S3 writes times, `2030-01-01T00:00:00.000Z`).
pub(crate) fn retention_to_xml(retention: &Retention) -> String {
    let raw = RawRetention {
        mode: Some(retention.mode.as_str().to_owned()),
        retain_until_date: Some(format_timestamp(retention.until_ms)),
    };
    render("Retention", &raw)
}

/// Parses a PutObjectLegalHold body: `true` for `ON`, `false` for `OFF`;
/// any other or no `Status` is `MalformedXML`.
pub(crate) fn parse_legal_hold(body: &[u8]) -> Result<bool, XmlParseError> {
    let text = check_document(body, "LegalHold")?;
    let raw: RawLegalHold = quick_xml::de::from_str(text).map_err(schema)?;
    match present(raw.status) {
        None => Err(XmlParseError::Missing("Status")),
        Some(s) if s == "ON" => Ok(true),
        Some(s) if s == "OFF" => Ok(false),
        Some(s) => Err(invalid("Status", s)),
    }
}

/// The GetObjectLegalHold answer: `Status` `ON` or `OFF`.
pub(crate) fn legal_hold_to_xml(on: bool) -> String {
    let raw = RawLegalHold {
        status: Some(if on { "ON" } else { "OFF" }.to_owned()),
    };
    render("LegalHold", &raw)
}

#[cfg(test)]
mod tests;
