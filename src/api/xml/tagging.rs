//! The `Tagging` document: the body of PutObjectTagging and
//! PutBucketTagging, and the answer of their Get twins.

use serde::{Deserialize, Serialize};

use super::parse_error::XmlParseError;
use super::render::render;
use super::requests::{check_document, schema};
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
mod tests;
