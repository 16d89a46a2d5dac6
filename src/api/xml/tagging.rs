//! The `Tagging` document: the body of PutObjectTagging and
//! PutBucketTagging, and the answer of their Get twins.

use serde::{Deserialize, Serialize};

use super::requests::{check_document, schema};
use super::{render, XmlParseError};
use crate::storage::meta::Tags;

#[derive(Deserialize)]
struct RawTagging {
    #[serde(rename = "TagSet")]
    tag_set: RawTagSet,
}

#[derive(Deserialize, Serialize)]
struct RawTagSet {
    #[serde(rename = "Tag", default)]
    tags: Vec<RawTag>,
}

#[derive(Deserialize, Serialize)]
struct RawTag {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value")]
    value: String,
}

/// Parses a `Tagging` body into its tags, in document order. A missing
/// `TagSet`, or a `Tag` without `Key` or `Value`, is malformed; the tag
/// rules (count, lengths, duplicates) are the caller's to check.
pub(crate) fn parse_tagging(body: &[u8]) -> Result<Tags, XmlParseError> {
    let text = check_document(body, "Tagging")?;
    let raw: RawTagging = quick_xml::de::from_str(text).map_err(schema)?;
    Ok(raw
        .tag_set
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect())
}

/// The GetObjectTagging / GetBucketTagging answer.
pub(crate) fn tagging_to_xml(tags: &Tags) -> String {
    #[derive(Serialize)]
    struct Wire {
        #[serde(rename = "TagSet")]
        tag_set: RawTagSet,
    }
    // Sorted by key, as AWS answers whatever order the tags were given in.
    let mut sorted: Vec<&(String, String)> = tags.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let tag_set = RawTagSet {
        tags: sorted
            .into_iter()
            .map(|(key, value)| RawTag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
    };
    render("Tagging", &Wire { tag_set })
}

#[cfg(test)]
mod tests {
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
}
