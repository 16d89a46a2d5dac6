//! The documents of a bucket's access settings: `OwnershipControls`
//! (Put/GetBucketOwnershipControls), `PublicAccessBlockConfiguration`
//! (Put/GetPublicAccessBlock) and `PolicyStatus` (GetBucketPolicyStatus).
//! The policy itself is JSON, kept as given (`crate::policy`).

use serde::{Deserialize, Serialize};

use super::parse_error::XmlParseError;
use super::render::render;
use super::requests::{check_document, present, schema};
use crate::storage::meta::bucket_access::{ObjectOwnership, PublicAccessBlock};

#[derive(Deserialize)]
struct RawOwnershipControls {
    #[serde(rename = "Rule", default)]
    rules: Vec<RawOwnershipRule>,
}

#[derive(Deserialize)]
struct RawOwnershipRule {
    #[serde(rename = "ObjectOwnership", default)]
    object_ownership: Option<String>,
}

/// Parses a PutBucketOwnershipControls body: exactly one `Rule` with an
/// `ObjectOwnership` S3 defines; anything else is `MalformedXML`.
pub(crate) fn parse_ownership_controls(body: &[u8]) -> Result<ObjectOwnership, XmlParseError> {
    let text = check_document(body, "OwnershipControls")?;
    let raw: RawOwnershipControls = quick_xml::de::from_str(text).map_err(schema)?;
    let [rule] = raw.rules.as_slice() else {
        return Err(XmlParseError::Missing("Rule"));
    };
    let value =
        present(rule.object_ownership.clone()).ok_or(XmlParseError::Missing("ObjectOwnership"))?;
    ObjectOwnership::parse(&value).ok_or(XmlParseError::InvalidValue {
        element: "ObjectOwnership",
        value,
    })
}

/// The GetBucketOwnershipControls answer.
pub(crate) fn ownership_controls_to_xml(ownership: ObjectOwnership) -> String {
    #[derive(Serialize)]
    struct Rule {
        #[serde(rename = "ObjectOwnership")]
        object_ownership: &'static str,
    }
    #[derive(Serialize)]
    struct Wire {
        #[serde(rename = "Rule")]
        rule: Rule,
    }
    render(
        "OwnershipControls",
        &Wire {
            rule: Rule {
                object_ownership: ownership.as_str(),
            },
        },
    )
}

#[derive(Deserialize)]
struct RawPublicAccessBlock {
    #[serde(rename = "BlockPublicAcls", default)]
    block_public_acls: Option<String>,
    #[serde(rename = "IgnorePublicAcls", default)]
    ignore_public_acls: Option<String>,
    #[serde(rename = "BlockPublicPolicy", default)]
    block_public_policy: Option<String>,
    #[serde(rename = "RestrictPublicBuckets", default)]
    restrict_public_buckets: Option<String>,
}

/// Parses a PutPublicAccessBlock body; a switch left out is off, one that
/// is neither `true` nor `false` is `MalformedXML`.
pub(crate) fn parse_public_access_block(body: &[u8]) -> Result<PublicAccessBlock, XmlParseError> {
    let text = check_document(body, "PublicAccessBlockConfiguration")?;
    let raw: RawPublicAccessBlock = quick_xml::de::from_str(text).map_err(schema)?;
    let switch = |element: &'static str, value: Option<String>| match present(value) {
        None => Ok(false),
        Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
        Some(value) => Err(XmlParseError::InvalidValue { element, value }),
    };
    Ok(PublicAccessBlock {
        block_public_acls: switch("BlockPublicAcls", raw.block_public_acls)?,
        ignore_public_acls: switch("IgnorePublicAcls", raw.ignore_public_acls)?,
        block_public_policy: switch("BlockPublicPolicy", raw.block_public_policy)?,
        restrict_public_buckets: switch("RestrictPublicBuckets", raw.restrict_public_buckets)?,
    })
}

/// The GetPublicAccessBlock answer.
pub(crate) fn public_access_block_to_xml(block: PublicAccessBlock) -> String {
    #[derive(Serialize)]
    struct Wire {
        #[serde(rename = "BlockPublicAcls")]
        block_public_acls: bool,
        #[serde(rename = "IgnorePublicAcls")]
        ignore_public_acls: bool,
        #[serde(rename = "BlockPublicPolicy")]
        block_public_policy: bool,
        #[serde(rename = "RestrictPublicBuckets")]
        restrict_public_buckets: bool,
    }
    render(
        "PublicAccessBlockConfiguration",
        &Wire {
            block_public_acls: block.block_public_acls,
            ignore_public_acls: block.ignore_public_acls,
            block_public_policy: block.block_public_policy,
            restrict_public_buckets: block.restrict_public_buckets,
        },
    )
}

/// The GetBucketPolicyStatus answer.
pub(crate) fn policy_status_to_xml(is_public: bool) -> String {
    #[derive(Serialize)]
    struct Wire {
        #[serde(rename = "IsPublic")]
        is_public: bool,
    }
    render("PolicyStatus", &Wire { is_public })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ownership_controls_round_trip_and_bad_ones_are_refused() {
        for o in [
            ObjectOwnership::BucketOwnerEnforced,
            ObjectOwnership::BucketOwnerPreferred,
            ObjectOwnership::ObjectWriter,
        ] {
            let xml = ownership_controls_to_xml(o);
            assert_eq!(
                parse_ownership_controls(xml.as_bytes()).ok(),
                Some(o),
                "{xml}"
            );
        }
        for bad in [
            "<OwnershipControls/>",
            "<OwnershipControls><Rule><ObjectOwnership>Nobody</ObjectOwnership></Rule></OwnershipControls>",
            "<OwnershipControls><Rule/></OwnershipControls>",
            "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>",
            "<Other/>",
            "<OwnershipControls><Rule>",
        ] {
            assert!(parse_ownership_controls(bad.as_bytes()).is_err(), "{bad}");
        }
    }

    #[test]
    fn public_access_block_round_trips_and_bad_switches_are_refused() {
        let block = PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: false,
            block_public_policy: true,
            restrict_public_buckets: false,
        };
        let xml = public_access_block_to_xml(block);
        assert_eq!(
            parse_public_access_block(xml.as_bytes()).ok(),
            Some(block),
            "{xml}"
        );
        let partial = "<PublicAccessBlockConfiguration><RestrictPublicBuckets>TRUE</RestrictPublicBuckets></PublicAccessBlockConfiguration>";
        let parsed = parse_public_access_block(partial.as_bytes()).ok();
        assert_eq!(
            parsed,
            Some(PublicAccessBlock {
                restrict_public_buckets: true,
                ..PublicAccessBlock::default()
            })
        );
        let bad = "<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>";
        assert!(parse_public_access_block(bad.as_bytes()).is_err());
        assert!(parse_public_access_block(b"<PublicAccessBlockConfiguration>").is_err());
    }

    #[test]
    fn policy_status_says_whether_public() {
        assert!(policy_status_to_xml(true).contains("<IsPublic>true</IsPublic>"));
        assert!(policy_status_to_xml(false).contains("<IsPublic>false</IsPublic>"));
    }
}
