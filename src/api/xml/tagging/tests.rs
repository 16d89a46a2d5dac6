//! Unit tests of `api/xml/tagging.rs`.

use super::*;
use crate::api::request::tagging::tags;

#[test]
fn round_trip() {
    let t = tags(&[("project", "blue & <green>"), ("empty", ""), ("é", "✓")]);
    let xml = tagging_to_xml(&t);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(xml.contains("<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"));
    assert!(xml.contains("<Value></Value>"), "{xml}");
    // Rendered in key order, as AWS lists tags.
    let sorted = tags(&[("empty", ""), ("project", "blue & <green>"), ("é", "✓")]);
    assert_eq!(parse_tagging(xml.as_bytes()).unwrap(), sorted);
    let none = tagging_to_xml(&Tags::new());
    assert!(none.contains("<TagSet></TagSet>"), "{none}");
    assert_eq!(parse_tagging(none.as_bytes()).unwrap(), Tags::new());
}

#[test]
fn what_clients_send_parses() {
    let body = br#"<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
            <TagSet>
              <Tag><Key>a</Key><Value>1</Value></Tag>
              <Tag><Key>b</Key><Value/></Tag>
            </TagSet>
          </Tagging>"#;
    assert_eq!(parse_tagging(body).unwrap(), tags(&[("a", "1"), ("b", "")]));
}

#[test]
fn malformed_documents_are_errors() {
    for bad in [
        &b""[..],
        b"<Tagging/>",
        b"<Tagging></Tagging>",
        b"<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>",
        b"<Tagging><TagSet><Tag><Value>a</Value></Tag></TagSet></Tagging>",
        b"<Other><TagSet></TagSet></Other>",
        b"<Tagging><TagSet>",
        b"<!DOCTYPE x [<!ENTITY a \"b\">]><Tagging><TagSet></TagSet></Tagging>",
        b"\xff\xfe",
    ] {
        assert!(
            parse_tagging(bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}
