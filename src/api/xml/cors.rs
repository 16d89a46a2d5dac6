//! The `CORSConfiguration` document: the body of PutBucketCors and the
//! answer of GetBucketCors.

use serde::{Deserialize, Serialize};

use super::parse_error::XmlParseError;
use super::render::render;
use super::requests::{check_document, schema};
use crate::storage::meta::cors::CorsRule;

/// S3's most rules in one configuration.
pub(crate) const MAX_CORS_RULES: usize = 100;

/// Methods a rule may allow.
const METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "HEAD"];

#[derive(Deserialize, Serialize)]
struct RawConfiguration {
    #[serde(rename = "CORSRule", default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize, Serialize)]
struct RawRule {
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "AllowedHeader", default)]
    allowed_headers: Vec<String>,
    #[serde(rename = "AllowedMethod", default)]
    allowed_methods: Vec<String>,
    #[serde(rename = "AllowedOrigin", default)]
    allowed_origins: Vec<String>,
    #[serde(rename = "ExposeHeader", default)]
    expose_headers: Vec<String>,
    #[serde(
        rename = "MaxAgeSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    max_age_seconds: Option<u32>,
}

/// Why a well-formed configuration is refused (S3's `InvalidRequest` or
/// `MalformedXML`, chosen by the caller).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CorsParseError {
    /// Not a `CORSConfiguration` document, or no rule, or a rule without an
    /// origin or a method.
    #[error(transparent)]
    Xml(#[from] XmlParseError),
    /// A rule S3 refuses: an unknown method, a second `*`, too many rules.
    #[error("{0}")]
    Invalid(String),
}

/// Parses and checks a `CORSConfiguration` body.
pub(crate) fn parse_cors(body: &[u8]) -> Result<Vec<CorsRule>, CorsParseError> {
    let text = check_document(body, "CORSConfiguration")?;
    let raw: RawConfiguration = quick_xml::de::from_str(text).map_err(schema)?;
    if raw.rules.is_empty() {
        return Err(XmlParseError::Missing("CORSRule").into());
    }
    if raw.rules.len() > MAX_CORS_RULES {
        return Err(CorsParseError::Invalid(format!(
            "The number of CORS rules should not exceed allowed limit of {MAX_CORS_RULES} rules."
        )));
    }
    raw.rules
        .into_iter()
        .map(|r| {
            if r.allowed_origins.is_empty() {
                return Err(XmlParseError::Missing("AllowedOrigin").into());
            }
            if r.allowed_methods.is_empty() {
                return Err(XmlParseError::Missing("AllowedMethod").into());
            }
            let trim = |v: Vec<String>| -> Vec<String> {
                v.into_iter().map(|s| s.trim().to_string()).collect()
            };
            let rule = CorsRule {
                id: r.id.map(|s| s.trim().to_string()),
                allowed_origins: trim(r.allowed_origins),
                allowed_methods: trim(r.allowed_methods),
                allowed_headers: trim(r.allowed_headers),
                expose_headers: trim(r.expose_headers),
                max_age_seconds: r.max_age_seconds,
            };
            if let Some(m) = rule
                .allowed_methods
                .iter()
                .find(|m| !METHODS.contains(&m.as_str()))
            {
                return Err(CorsParseError::Invalid(format!(
                    "Found unsupported HTTP method in CORS config. Unsupported method is {m}"
                )));
            }
            let wild = |v: &[String]| v.iter().find(|s| s.matches('*').count() > 1).cloned();
            if let Some(o) = wild(&rule.allowed_origins) {
                return Err(CorsParseError::Invalid(format!(
                    "AllowedOrigin \"{o}\" can not have more than one wildcard."
                )));
            }
            if let Some(h) = wild(&rule.allowed_headers) {
                return Err(CorsParseError::Invalid(format!(
                    "AllowedHeader \"{h}\" can not have more than one wildcard."
                )));
            }
            Ok(rule)
        })
        .collect()
}

/// The GetBucketCors answer.
pub(crate) fn cors_to_xml(rules: &[CorsRule]) -> String {
    let raw = RawConfiguration {
        rules: rules
            .iter()
            .map(|r| RawRule {
                id: r.id.clone(),
                allowed_headers: r.allowed_headers.clone(),
                allowed_methods: r.allowed_methods.clone(),
                allowed_origins: r.allowed_origins.clone(),
                expose_headers: r.expose_headers.clone(),
                max_age_seconds: r.max_age_seconds,
            })
            .collect(),
    };
    render("CORSConfiguration", &raw)
}

#[cfg(test)]
mod tests;
