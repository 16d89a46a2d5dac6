//! The `AccessControlPolicy` document: the body of PutBucketAcl and
//! PutObjectAcl, and the answer of their Get twins.

use serde::{Deserialize, Serialize};

use super::parse_error::XmlParseError;
use super::render::render;
use super::requests::{check_document, schema};
use crate::storage::meta::acl::{Grant, Grantee, Permission};

/// The group URI of [`Grantee::AllUsers`].
const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
/// The group URI of [`Grantee::AuthenticatedUsers`].
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A parsed `AccessControlPolicy`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct AccessControlPolicy {
    /// The `Owner/ID` it names, if any (it must be the resource's owner).
    pub owner: Option<String>,
    /// The grants, in document order.
    pub grants: Vec<Grant>,
    /// Grants to users named by e-mail address, for the caller to resolve.
    pub by_email: Vec<(String, Permission)>,
}

/// A grant the store cannot keep (an unknown group or permission), as AWS
/// refuses it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AclParseError {
    /// Not an `AccessControlPolicy` document.
    #[error(transparent)]
    Xml(#[from] XmlParseError),
    /// The document does not validate (unknown permission, group, grantee
    /// type, a grantee without its id).
    #[error("the ACL does not validate: {0}")]
    Malformed(String),
}

/// One grant of a document: to a grantee, or to a user named by e-mail.
enum DocumentGrant {
    Grant(Grant),
    ByEmail(String, Permission),
}

/// The permission named `name` (the `Permission` element, or the
/// `x-amz-grant-*` header's suffix).
pub(crate) fn parse_permission(name: &str) -> Option<Permission> {
    Some(match name {
        "FULL_CONTROL" => Permission::FullControl,
        "READ" => Permission::Read,
        "WRITE" => Permission::Write,
        "READ_ACP" => Permission::ReadAcp,
        "WRITE_ACP" => Permission::WriteAcp,
        _ => return None,
    })
}

fn permission_name(p: Permission) -> &'static str {
    match p {
        Permission::FullControl => "FULL_CONTROL",
        Permission::Read => "READ",
        Permission::Write => "WRITE",
        Permission::ReadAcp => "READ_ACP",
        Permission::WriteAcp => "WRITE_ACP",
    }
}

/// The group a URI names.
pub(crate) fn parse_group(uri: &str) -> Option<Grantee> {
    match uri {
        ALL_USERS => Some(Grantee::AllUsers),
        AUTHENTICATED_USERS => Some(Grantee::AuthenticatedUsers),
        _ => None,
    }
}

#[derive(Deserialize)]
struct RawPolicy {
    #[serde(rename = "Owner")]
    owner: Option<RawOwner>,
    #[serde(rename = "AccessControlList")]
    list: Option<RawList>,
}

#[derive(Deserialize)]
struct RawOwner {
    #[serde(rename = "ID")]
    id: Option<String>,
}

#[derive(Deserialize)]
struct RawList {
    #[serde(rename = "Grant", default)]
    grants: Vec<RawGrant>,
}

#[derive(Deserialize)]
struct RawGrant {
    #[serde(rename = "Grantee")]
    grantee: Option<RawGrantee>,
    #[serde(rename = "Permission")]
    permission: Option<String>,
}

/// A grantee: its kind is told by which child it has (`ID`, `URI` or
/// `EmailAddress`), as its `xsi:type` says.
#[derive(Deserialize)]
struct RawGrantee {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "URI")]
    uri: Option<String>,
    #[serde(rename = "EmailAddress")]
    email: Option<String>,
}

impl RawGrant {
    fn check(self) -> Result<DocumentGrant, AclParseError> {
        let malformed = |m: &str| AclParseError::Malformed(m.into());
        let g = self
            .grantee
            .ok_or_else(|| malformed("a grant needs a Grantee"))?;
        let permission = self
            .permission
            .as_deref()
            .map(str::trim)
            .and_then(parse_permission)
            .ok_or_else(|| malformed("unknown or missing Permission"))?;
        let grantee = match (g.id, g.uri, g.email) {
            (None, None, Some(email)) if !email.trim().is_empty() => {
                return Ok(DocumentGrant::ByEmail(email.trim().into(), permission))
            }
            (Some(id), None, None) if !id.trim().is_empty() => Grantee::User(id.trim().into()),
            (None, Some(uri), None) => {
                parse_group(uri.trim()).ok_or_else(|| malformed("unknown group URI"))?
            }
            _ => return Err(malformed("a grantee needs its ID, URI or EmailAddress")),
        };
        Ok(DocumentGrant::Grant(Grant {
            grantee,
            permission,
        }))
    }
}

/// Parses an `AccessControlPolicy` body.
pub(crate) fn parse_access_control_policy(
    body: &[u8],
) -> Result<AccessControlPolicy, AclParseError> {
    let text = check_document(body, "AccessControlPolicy")?;
    let raw: RawPolicy = quick_xml::de::from_str(text).map_err(schema)?;
    let list = raw
        .list
        .ok_or_else(|| AclParseError::Malformed("no AccessControlList".into()))?;
    let mut grants = Vec::new();
    let mut by_email = Vec::new();
    for g in list.grants {
        match g.check()? {
            DocumentGrant::Grant(g) => grants.push(g),
            DocumentGrant::ByEmail(email, permission) => by_email.push((email, permission)),
        }
    }
    Ok(AccessControlPolicy {
        owner: raw.owner.and_then(|o| o.id).map(|id| id.trim().to_string()),
        grants,
        by_email,
    })
}

#[derive(Serialize)]
struct WireOwner {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "DisplayName")]
    display_name: String,
}

#[derive(Serialize)]
struct WireGrantee {
    #[serde(rename = "@xmlns:xsi")]
    xmlns_xsi: &'static str,
    #[serde(rename = "@xsi:type")]
    kind: &'static str,
    #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(rename = "DisplayName", skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    #[serde(rename = "URI", skip_serializing_if = "Option::is_none")]
    uri: Option<&'static str>,
}

#[derive(Serialize)]
struct WireGrant {
    #[serde(rename = "Grantee")]
    grantee: WireGrantee,
    #[serde(rename = "Permission")]
    permission: &'static str,
}

#[derive(Serialize)]
struct WireList {
    #[serde(rename = "Grant")]
    grants: Vec<WireGrant>,
}

#[derive(Serialize)]
struct WirePolicy {
    #[serde(rename = "Owner")]
    owner: WireOwner,
    #[serde(rename = "AccessControlList")]
    list: WireList,
}

/// The GetBucketAcl / GetObjectAcl answer; `display_name` gives a user's
/// display name from its id.
pub(crate) fn acl_to_xml(
    owner: &str,
    grants: &[Grant],
    display_name: impl Fn(&str) -> String,
) -> String {
    let grants = grants
        .iter()
        .map(|g| {
            let (kind, id, uri) = match &g.grantee {
                Grantee::User(id) => ("CanonicalUser", Some(id.clone()), None),
                Grantee::AllUsers => ("Group", None, Some(ALL_USERS)),
                Grantee::AuthenticatedUsers => ("Group", None, Some(AUTHENTICATED_USERS)),
            };
            WireGrant {
                grantee: WireGrantee {
                    xmlns_xsi: XSI,
                    kind,
                    display_name: id.as_deref().map(&display_name),
                    id,
                    uri,
                },
                permission: permission_name(g.permission),
            }
        })
        .collect();
    let policy = WirePolicy {
        owner: WireOwner {
            id: owner.to_string(),
            display_name: display_name(owner),
        },
        list: WireList { grants },
    };
    render("AccessControlPolicy", &policy)
}

#[cfg(test)]
mod tests;
