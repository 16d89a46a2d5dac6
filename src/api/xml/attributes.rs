//! The GetObjectAttributes answer.

use serde::Serialize;

use super::render::render;
use super::responses::Checksums;

/// One part in `ObjectParts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AttributesPart {
    /// The part's number, 1..=10,000.
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    /// The part's size in bytes, as uploaded.
    #[serde(rename = "Size")]
    pub size: u64,
    /// Its checksum, if it has one (`checksum_type` unset).
    #[serde(flatten)]
    pub checksums: Checksums,
}

/// `ObjectParts`: a page of the parts of a multipart object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ObjectParts {
    /// How many parts the object was completed with, over all pages.
    #[serde(rename = "PartsCount")]
    pub parts_count: usize,
    /// The marker the page starts after.
    #[serde(rename = "PartNumberMarker")]
    pub part_number_marker: u32,
    /// The marker for the next page.
    #[serde(rename = "NextPartNumberMarker")]
    pub next_part_number_marker: u32,
    /// Most parts in a page.
    #[serde(rename = "MaxParts")]
    pub max_parts: u32,
    /// More parts follow.
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    /// The parts of this page, by ascending number.
    #[serde(rename = "Part")]
    pub parts: Vec<AttributesPart>,
}

/// GetObjectAttributes answer; only the attributes asked for are set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct ObjectAttributes {
    /// The ETag, unquoted (as AWS shows it here).
    #[serde(rename = "ETag", skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The whole object's checksum, if one was stored.
    #[serde(rename = "Checksum", skip_serializing_if = "Option::is_none")]
    pub checksum: Option<Checksums>,
    /// Parts of a multipart object.
    #[serde(rename = "ObjectParts", skip_serializing_if = "Option::is_none")]
    pub object_parts: Option<ObjectParts>,
    /// Always `STANDARD`.
    #[serde(rename = "StorageClass", skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<&'static str>,
    /// The whole object's size in bytes.
    #[serde(rename = "ObjectSize", skip_serializing_if = "Option::is_none")]
    pub object_size: Option<u64>,
}

impl ObjectAttributes {
    /// The response document.
    pub(crate) fn to_xml(&self) -> String {
        render("GetObjectAttributesResponse", self)
    }
}

#[cfg(test)]
mod tests;
