//! Unit tests of `api/xml/acl.rs`.

use super::*;
use crate::storage::meta::acl::CannedAcl;

#[test]
fn round_trip() {
    let acl = CannedAcl::PublicReadWrite.grants("alice-id", "alice-id");
    let mut grants = acl.grants;
    grants.push(Grant {
        grantee: Grantee::AuthenticatedUsers,
        permission: Permission::ReadAcp,
    });
    let xml = acl_to_xml("alice-id", &grants, |id| format!("name of {id}"));
    assert!(
        xml.contains("<DisplayName>name of alice-id</DisplayName>"),
        "{xml}"
    );
    assert!(xml.contains("xsi:type=\"Group\""), "{xml}");
    let parsed = parse_access_control_policy(xml.as_bytes()).expect("parse");
    assert_eq!(parsed.owner.as_deref(), Some("alice-id"));
    assert_eq!(parsed.grants, grants);
}

#[test]
fn what_aws_refuses_is_refused() {
    let doc = |grantee: &str, permission: &str| {
        format!(
                "<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant>\
                 <Grantee xmlns:xsi=\"{XSI}\" {grantee}</Grantee>\
                 <Permission>{permission}</Permission></Grant></AccessControlList></AccessControlPolicy>"
            )
    };
    let user = "xsi:type=\"CanonicalUser\"><ID>bob</ID>";
    assert!(parse_access_control_policy(doc(user, "READ").as_bytes()).is_ok());
    assert!(matches!(
        parse_access_control_policy(doc(user, "EVERYTHING").as_bytes()),
        Err(AclParseError::Malformed(_))
    ));
    let email = "xsi:type=\"AmazonCustomerByEmail\"><EmailAddress>a@b</EmailAddress>";
    let policy = parse_access_control_policy(doc(email, "READ").as_bytes());
    assert_eq!(
        policy.map(|p| (p.grants.len(), p.by_email)),
        Ok((0, vec![("a@b".to_string(), Permission::Read)]))
    );
    let group = "xsi:type=\"Group\"><URI>http://example.com/everyone</URI>";
    assert!(matches!(
        parse_access_control_policy(doc(group, "READ").as_bytes()),
        Err(AclParseError::Malformed(_))
    ));
    assert!(matches!(
        parse_access_control_policy(b"<Tagging/>"),
        Err(AclParseError::Xml(_))
    ));
    assert!(matches!(
        parse_access_control_policy(b"<AccessControlPolicy><Owner>"),
        Err(AclParseError::Xml(_))
    ));
    let empty = parse_access_control_policy(
        b"<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList/></AccessControlPolicy>",
    )
    .expect("an empty list is valid");
    assert!(empty.grants.is_empty());
}
