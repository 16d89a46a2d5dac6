//! `ServerSideEncryptionConfiguration`: a bucket's default encryption
//! (Put/GetBucketEncryption).

use serde::{Deserialize, Serialize};

use super::parse_error::XmlParseError;
use super::render::render;
use super::requests::{check_document, present, schema};
use crate::storage::meta::encryption::{DefaultEncryption, SSE_KMS, SSE_S3};

#[derive(Deserialize)]
struct RawConfiguration {
    #[serde(rename = "Rule", default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
struct RawRule {
    #[serde(rename = "ApplyServerSideEncryptionByDefault", default)]
    default: Option<RawDefault>,
    #[serde(rename = "BucketKeyEnabled", default)]
    bucket_key: Option<String>,
}

#[derive(Deserialize)]
struct RawDefault {
    #[serde(rename = "SSEAlgorithm", default)]
    algorithm: Option<String>,
    #[serde(rename = "KMSMasterKeyID", default)]
    kms_key_id: Option<String>,
}

/// Parses a PutBucketEncryption body: one `Rule` whose default names
/// `AES256` or `aws:kms` (a KMS key only with `aws:kms`); anything else is
/// `MalformedXML` (or `InvalidValue` for an unknown algorithm).
pub(crate) fn parse_encryption(body: &[u8]) -> Result<DefaultEncryption, XmlParseError> {
    let text = check_document(body, "ServerSideEncryptionConfiguration")?;
    let raw: RawConfiguration = quick_xml::de::from_str(text).map_err(schema)?;
    let [rule] = raw.rules.as_slice() else {
        return Err(XmlParseError::Missing("Rule"));
    };
    let default = rule
        .default
        .as_ref()
        .ok_or(XmlParseError::Missing("ApplyServerSideEncryptionByDefault"))?;
    let algorithm =
        present(default.algorithm.clone()).ok_or(XmlParseError::Missing("SSEAlgorithm"))?;
    let kms_key_id = present(default.kms_key_id.clone());
    let kms = match algorithm.as_str() {
        SSE_S3 if kms_key_id.is_none() => false,
        SSE_KMS => true,
        _ => {
            return Err(XmlParseError::InvalidValue {
                element: "SSEAlgorithm",
                value: algorithm,
            })
        }
    };
    let bucket_key = match present(rule.bucket_key.clone()).as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(XmlParseError::InvalidValue {
                element: "BucketKeyEnabled",
                value: other.to_string(),
            })
        }
    };
    Ok(DefaultEncryption {
        kms,
        kms_key_id,
        bucket_key,
    })
}

/// The GetBucketEncryption answer.
pub(crate) fn encryption_to_xml(config: &DefaultEncryption) -> String {
    #[derive(Serialize)]
    struct Default<'a> {
        #[serde(rename = "SSEAlgorithm")]
        algorithm: &'static str,
        #[serde(rename = "KMSMasterKeyID", skip_serializing_if = "Option::is_none")]
        kms_key_id: Option<&'a str>,
    }
    #[derive(Serialize)]
    struct Rule<'a> {
        #[serde(rename = "ApplyServerSideEncryptionByDefault")]
        default: Default<'a>,
        #[serde(rename = "BucketKeyEnabled")]
        bucket_key: bool,
    }
    #[derive(Serialize)]
    struct Wire<'a> {
        #[serde(rename = "Rule")]
        rule: Rule<'a>,
    }
    render(
        "ServerSideEncryptionConfiguration",
        &Wire {
            rule: Rule {
                default: Default {
                    algorithm: if config.kms { SSE_KMS } else { SSE_S3 },
                    kms_key_id: config.kms_key_id.as_deref(),
                },
                bucket_key: config.bucket_key,
            },
        },
    )
}

#[cfg(test)]
mod tests;
