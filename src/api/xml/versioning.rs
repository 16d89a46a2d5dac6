//! The `VersioningConfiguration` document: the body of PutBucketVersioning
//! and the answer of GetBucketVersioning. Values are the store's
//! [`Versioning`]; whether a change is allowed (never back to unversioned,
//! not suspended under object lock) is the handler's and the state
//! machine's to decide.

use serde::{Deserialize, Serialize};

use super::parse_error::XmlParseError;
use super::render::{render, S3_XMLNS, XML_DECLARATION};
use super::requests::{check_document, present, schema};
use crate::storage::meta::lock::Versioning;

/// A parsed PutBucketVersioning body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

#[derive(Deserialize)]
struct RawVersioning {
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "MfaDelete", default)]
    mfa_delete: Option<String>,
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
    Ok(VersioningRequest { status, mfa_delete })
}

fn invalid(element: &'static str, value: String) -> XmlParseError {
    XmlParseError::InvalidValue { element, value }
}

/// The GetBucketVersioning answer: an empty `VersioningConfiguration` for a
/// bucket whose versioning was never turned on (as S3 answers), otherwise
/// its `Status`. `MfaDelete` is not shown: the store does not keep it.
pub(crate) fn versioning_configuration(status: Versioning) -> String {
    #[derive(Serialize)]
    struct Wire {
        #[serde(rename = "Status")]
        status: &'static str,
    }
    let status = match status {
        Versioning::Unversioned => {
            return format!("{XML_DECLARATION}<VersioningConfiguration xmlns=\"{S3_XMLNS}\"/>");
        }
        Versioning::Enabled => "Enabled",
        Versioning::Suspended => "Suspended",
    };
    render("VersioningConfiguration", &Wire { status })
}

#[cfg(test)]
mod tests;
