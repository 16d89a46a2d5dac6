//! ListObjectVersions' answer as this store's own clients read it (the
//! console's version list, `predastore-import`): its elements in document
//! order, since versions and delete markers are interleaved, newest first
//! per key, an order that reading them as two lists would lose.

use serde::Deserialize;

/// The answer's elements, in document order.
#[derive(Deserialize, Default)]
#[serde(default)]
struct VersionListing {
    #[serde(rename = "$value")]
    items: Vec<Item>,
}

/// An element read here, or another.
#[derive(Deserialize)]
enum Item {
    Version(Entry),
    DeleteMarker(Entry),
    IsTruncated(bool),
    NextKeyMarker(String),
    NextVersionIdMarker(String),
    #[serde(other)]
    Other,
}

/// A `Version` or `DeleteMarker` element.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct Entry {
    key: String,
    version_id: String,
    is_latest: bool,
    last_modified: String,
    size: u64,
    #[serde(rename = "ETag")]
    etag: String,
}

/// One version or delete marker as listed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListedVersion {
    /// Its key.
    pub key: String,
    /// Its version id (`null` in an unversioned bucket).
    pub version_id: String,
    /// A delete marker rather than a version.
    pub delete_marker: bool,
    /// Its key's current version.
    pub is_latest: bool,
    /// As listed (ISO 8601).
    pub last_modified: String,
    /// Bytes (0 for a delete marker).
    pub size: u64,
    /// ETag without quotes (empty for a delete marker).
    pub etag: String,
}

/// One page: its entries in document order, and where the next page
/// starts (key and version id markers; `None` on the last page).
#[derive(Debug, PartialEq)]
pub struct VersionPage {
    /// Versions and delete markers, newest first per key.
    pub entries: Vec<ListedVersion>,
    /// The next page's `key-marker` and `version-id-marker`.
    pub next: Option<(String, String)>,
}

/// Reads a ListObjectVersions answer. A truncated page without markers
/// goes on after its last entry; one without entries either is refused.
pub fn read_version_page(xml: &[u8]) -> Result<VersionPage, String> {
    let text = std::str::from_utf8(xml).map_err(|e| e.to_string())?;
    let listing: VersionListing = quick_xml::de::from_str(text).map_err(|e| e.to_string())?;
    let (mut truncated, mut key_marker, mut version_marker) = (false, None, String::new());
    let mut entries = Vec::new();
    for item in listing.items {
        let (e, delete_marker) = match item {
            Item::Version(e) => (e, false),
            Item::DeleteMarker(e) => (e, true),
            Item::IsTruncated(t) => {
                truncated = t;
                continue;
            }
            Item::NextKeyMarker(k) => {
                key_marker = Some(k);
                continue;
            }
            Item::NextVersionIdMarker(v) => {
                version_marker = v;
                continue;
            }
            Item::Other => continue,
        };
        entries.push(ListedVersion {
            key: e.key,
            version_id: e.version_id,
            delete_marker,
            is_latest: e.is_latest,
            last_modified: e.last_modified,
            size: if delete_marker { 0 } else { e.size },
            etag: e.etag.trim_matches('"').to_string(),
        });
    }
    let next = match (truncated, key_marker) {
        (false, _) => None,
        (true, Some(k)) => Some((k, version_marker)),
        (true, None) => {
            let last = entries.last().ok_or("a truncated page with no entry")?;
            Some((last.key.clone(), last.version_id.clone()))
        }
    };
    Ok(VersionPage { entries, next })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_keeps_versions_and_delete_markers_in_document_order() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
<Name>b</Name><IsTruncated>true</IsTruncated>
<NextKeyMarker>b</NextKeyMarker><NextVersionIdMarker>v4</NextVersionIdMarker>
<DeleteMarker><Key>a</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest></DeleteMarker>
<Version><Key>a</Key><VersionId>v2</VersionId><ETag>"e2"</ETag><Size>5</Size></Version>
<DeleteMarker><Key>a</Key><VersionId>v1</VersionId></DeleteMarker>
<Version><Key>b</Key><VersionId>v4</VersionId><ETag>&quot;e4-2&quot;</ETag><Size>7</Size><LastModified>2026-11-27T05:00:00.000Z</LastModified></Version>
</ListVersionsResult>"#;
        let page = read_version_page(xml).expect("a page");
        let ids: Vec<(&str, &str, bool, bool)> = page
            .entries
            .iter()
            .map(|v| {
                (
                    v.key.as_str(),
                    v.version_id.as_str(),
                    v.delete_marker,
                    v.is_latest,
                )
            })
            .collect();
        assert_eq!(
            ids,
            [
                ("a", "v3", true, true),
                ("a", "v2", false, false),
                ("a", "v1", true, false),
                ("b", "v4", false, false)
            ]
        );
        assert_eq!(page.entries[3].etag, "e4-2");
        assert_eq!(page.entries[3].size, 7);
        assert_eq!(page.entries[3].last_modified, "2026-11-27T05:00:00.000Z");
        assert_eq!(page.next, Some(("b".into(), "v4".into())));
    }

    #[test]
    fn a_last_page_has_no_next_and_garbage_is_refused() {
        let xml = br#"<ListVersionsResult><IsTruncated>false</IsTruncated></ListVersionsResult>"#;
        let page = read_version_page(xml).expect("an empty page");
        assert!(page.entries.is_empty());
        assert_eq!(page.next, None);
        assert!(read_version_page(b"<ListVersionsResult><Version>").is_err());
        assert!(read_version_page(b"\xff\xfe").is_err());
        let no_marker =
            br#"<ListVersionsResult><IsTruncated>true</IsTruncated></ListVersionsResult>"#;
        assert!(read_version_page(no_marker).is_err());
    }
}
