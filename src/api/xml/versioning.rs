//! The `VersioningConfiguration` document: the body of PutBucketVersioning
//! and the answer of GetBucketVersioning. Values are the store's
//! [`Versioning`]; whether a change is allowed (never back to unversioned,
//! not suspended under object lock) is the handler's and the state
//! machine's to decide.

use serde::{Deserialize, Serialize};

use super::parse_error::XmlParseError;
use super::render::{render, S3_XMLNS, XML_DECLARATION};
use super::requests::{check_document, present, schema};
use crate::storage::meta::lock::{Versioning, VersioningExclusions};

/// A parsed PutBucketVersioning body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VersioningRequest {
    /// `Enabled` or `Suspended` (never `Unversioned`). `None` when `Status`
    /// is absent or empty, which S3 answers with
    /// `IllegalVersioningConfigurationException` ("The Versioning element
    /// must be specified"), not `MalformedXML`.
    pub status: Option<Versioning>,
    /// `MfaDelete`: `Some(true)` for `Enabled`, `Some(false)` for
    /// `Disabled`, `None` when absent. Enabling it needs the `x-amz-mfa`
    /// header, which the handler checks.
    pub mfa_delete: Option<bool>,
    /// MinIO's `ExcludedPrefixes` and `ExcludeFolders` (empty: none).
    pub exclusions: VersioningExclusions,
}

#[derive(Deserialize)]
struct RawVersioning {
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "MfaDelete", default)]
    mfa_delete: Option<String>,
    #[serde(rename = "ExcludedPrefixes", default)]
    excluded_prefixes: Vec<RawExcludedPrefix>,
    #[serde(rename = "ExcludeFolders", default)]
    exclude_folders: Option<String>,
}

/// One `ExcludedPrefixes` element (MinIO writes one `Prefix` in each).
#[derive(Deserialize, Serialize)]
struct RawExcludedPrefix {
    #[serde(rename = "Prefix", default)]
    prefix: Vec<String>,
}

/// Parses a PutBucketVersioning body. A `Status` other than `Enabled` or
/// `Suspended`, or an `MfaDelete` other than `Enabled` or `Disabled`
/// (case matters: S3 refuses `enabled`), is
/// [`XmlParseError::InvalidValue`], answered `MalformedXML`.
pub(crate) fn parse_versioning(body: &[u8]) -> Result<VersioningRequest, XmlParseError> {
    let text = check_document(body, "VersioningConfiguration")?;
    let raw: RawVersioning = quick_xml::de::from_str(text).map_err(schema)?;
    let status = match present(raw.status) {
        None => None,
        Some(s) => Some(match s.as_str() {
            "Enabled" => Versioning::Enabled,
            "Suspended" => Versioning::Suspended,
            _ => return Err(invalid("Status", s)),
        }),
    };
    let mfa_delete = match present(raw.mfa_delete) {
        None => None,
        Some(m) => Some(match m.as_str() {
            "Enabled" => true,
            "Disabled" => false,
            _ => return Err(invalid("MfaDelete", m)),
        }),
    };
    let folders = match present(raw.exclude_folders) {
        None => false,
        Some(f) => match f.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(invalid("ExcludeFolders", f)),
        },
    };
    let exclusions = VersioningExclusions {
        prefixes: raw
            .excluded_prefixes
            .into_iter()
            .flat_map(|e| e.prefix)
            .filter(|p| !p.is_empty())
            .collect(),
        folders,
    };
    Ok(VersioningRequest {
        status,
        mfa_delete,
        exclusions,
    })
}

fn invalid(element: &'static str, value: String) -> XmlParseError {
    XmlParseError::InvalidValue { element, value }
}

/// The GetBucketVersioning answer: an empty `VersioningConfiguration` for a
/// bucket whose versioning was never turned on (as S3 answers), otherwise
/// its `Status`, and MinIO's exclusions if it has any. `MfaDelete` is not
/// shown: the store does not keep it.
pub(crate) fn versioning_configuration(versioning: &Versioning) -> String {
    #[derive(Serialize)]
    struct Wire {
        #[serde(rename = "Status")]
        status: &'static str,
        #[serde(rename = "ExcludedPrefixes")]
        excluded_prefixes: Vec<RawExcludedPrefix>,
        #[serde(rename = "ExcludeFolders", skip_serializing_if = "std::ops::Not::not")]
        exclude_folders: bool,
    }
    let status = match versioning.status() {
        Versioning::Unversioned => {
            return format!("{XML_DECLARATION}<VersioningConfiguration xmlns=\"{S3_XMLNS}\"/>");
        }
        Versioning::Suspended => "Suspended",
        _ => "Enabled",
    };
    let exclusions = versioning.exclusions().cloned().unwrap_or_default();
    let wire = Wire {
        status,
        excluded_prefixes: exclusions
            .prefixes
            .into_iter()
            .map(|p| RawExcludedPrefix { prefix: vec![p] })
            .collect(),
        exclude_folders: exclusions.folders,
    };
    render("VersioningConfiguration", &wire)
}

#[cfg(test)]
mod tests;
