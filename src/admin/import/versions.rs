//! A source bucket's versions in S3's own order. ListObjectVersions
//! interleaves versions and delete markers, newest first per key; the
//! SDK's answer splits them into two lists and loses that order (a PUT
//! and a DELETE in one millisecond could not be told apart), so the
//! answer's XML is read as it came, from the SDK's own response.

use std::sync::{Arc, Mutex};

use aws_sdk_s3::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use aws_sdk_s3::Client;
use serde::Deserialize;

use super::error::{s3_error, ImportError, Side};

/// Entries asked for per page.
const PAGE_ENTRIES: i32 = 1000;

/// One version or delete marker of a key.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SourceVersion {
    /// Its id at the source (`null` in an unversioned bucket).
    pub(super) version_id: String,
    /// A delete marker rather than a version.
    pub(super) delete_marker: bool,
    /// ETag without quotes (empty for a delete marker).
    pub(super) etag: String,
    /// Size in bytes.
    pub(super) size: u64,
}

/// A key with all its versions, oldest first: the order they are written in.
#[derive(Debug, PartialEq)]
pub(super) struct KeyVersions {
    /// The key.
    pub(super) key: String,
    /// Its versions and delete markers, oldest first.
    pub(super) versions: Vec<SourceVersion>,
}

/// ListObjectVersions' answer, its elements in document order.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ListVersionsResult {
    #[serde(rename = "$value")]
    items: Vec<Item>,
}

/// An element of [`ListVersionsResult`] read here, or another.
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
    #[serde(rename = "ETag")]
    etag: String,
    size: u64,
}

/// One page: its entries newest first per key, and where the next starts.
#[derive(Debug, PartialEq)]
struct VersionPage {
    entries: Vec<(String, SourceVersion)>,
    next: Option<(String, String)>,
}

/// Reads a page's XML.
fn parse_page(xml: &[u8]) -> Result<VersionPage, String> {
    let text = std::str::from_utf8(xml).map_err(|e| e.to_string())?;
    let listing: ListVersionsResult = quick_xml::de::from_str(text).map_err(|e| e.to_string())?;
    let (mut truncated, mut key_marker, mut version_marker) = (false, None, String::new());
    let mut entries = Vec::new();
    for item in listing.items {
        let (entry, delete_marker) = match item {
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
        entries.push((
            entry.key,
            SourceVersion {
                version_id: entry.version_id,
                delete_marker,
                etag: entry.etag.trim_matches('"').to_string(),
                size: entry.size,
            },
        ));
    }
    let next = match (truncated, key_marker) {
        (false, _) => None,
        (true, Some(k)) => Some((k, version_marker)),
        // Truncated without a marker: go on after the last entry read.
        (true, None) => {
            let (key, last) = entries.last().ok_or("a truncated page with no entry")?;
            Some((key.clone(), last.version_id.clone()))
        }
    };
    Ok(VersionPage { entries, next })
}

/// Keeps the raw body of the answer it is attached to.
#[derive(Debug, Clone, Default)]
struct KeepBody(Arc<Mutex<Option<Vec<u8>>>>);

impl Intercept for KeepBody {
    fn name(&self) -> &'static str {
        "KeepBody"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context.response().body().bytes().map(<[u8]>::to_vec);
        if let Ok(mut slot) = self.0.lock() {
            *slot = body;
        }
        Ok(())
    }
}

/// Walks a bucket's keys with their versions, in key order.
pub(super) struct VersionLister {
    client: Client,
    bucket: String,
    /// Where the next page starts (`None`: the beginning, or done).
    marker: Option<(String, String)>,
    /// No page left to read.
    done: bool,
    /// The last key read, whose versions may go on in the next page
    /// (newest first, as listed).
    open: Option<KeyVersions>,
}

impl VersionLister {
    /// A walk of the keys after `after` (all keys if `None`).
    pub(super) fn after(client: Client, bucket: &str, after: Option<String>) -> Self {
        Self {
            client,
            bucket: bucket.to_string(),
            marker: after.map(|k| (k, String::new())),
            done: false,
            open: None,
        }
    }

    /// The next keys whose versions are all known, in key order (`None`
    /// once the bucket is walked).
    pub(super) async fn next_keys(&mut self) -> Result<Option<Vec<KeyVersions>>, ImportError> {
        loop {
            if self.done {
                return Ok(self.open.take().map(|k| vec![oldest_first(k)]));
            }
            let page = self.page().await?;
            self.done = page.next.is_none();
            self.marker = page.next;
            let mut whole = Vec::new();
            for (key, version) in page.entries {
                match &mut self.open {
                    Some(open) if open.key == key => open.versions.push(version),
                    _ => {
                        let next = KeyVersions {
                            key,
                            versions: vec![version],
                        };
                        if let Some(finished) = self.open.replace(next) {
                            whole.push(oldest_first(finished));
                        }
                    }
                }
            }
            if !whole.is_empty() {
                return Ok(Some(whole));
            }
        }
    }

    /// Reads one page.
    async fn page(&self) -> Result<VersionPage, ImportError> {
        let body = KeepBody::default();
        let mut call = self
            .client
            .list_object_versions()
            .bucket(&self.bucket)
            .max_keys(PAGE_ENTRIES);
        if let Some((key, version)) = &self.marker {
            call = call.key_marker(key);
            if !version.is_empty() {
                call = call.version_id_marker(version);
            }
        }
        call.customize()
            .interceptor(body.clone())
            .send()
            .await
            .map_err(|e| {
                s3_error(
                    Side::Source,
                    &format!("list versions of {}", self.bucket),
                    e,
                )
            })?;
        let xml = body
            .0
            .lock()
            .ok()
            .and_then(|mut b| b.take())
            .unwrap_or_default();
        parse_page(&xml).map_err(|message| ImportError::Unreadable {
            what: format!("the source's version list of {}", self.bucket),
            message,
        })
    }
}

/// A key's versions as listed (newest first) turned oldest first.
fn oldest_first(mut key: KeyVersions) -> KeyVersions {
    key.versions.reverse();
    key
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
<Version><Key>b</Key><VersionId>v4</VersionId><ETag>&quot;e4-2&quot;</ETag><Size>7</Size></Version>
</ListVersionsResult>"#;
        let page = parse_page(xml).expect("a page");
        let ids: Vec<(&str, &str, bool)> = page
            .entries
            .iter()
            .map(|(k, v)| (k.as_str(), v.version_id.as_str(), v.delete_marker))
            .collect();
        assert_eq!(
            ids,
            [
                ("a", "v3", true),
                ("a", "v2", false),
                ("a", "v1", true),
                ("b", "v4", false)
            ]
        );
        assert_eq!(page.entries[3].1.etag, "e4-2");
        assert_eq!(page.entries[3].1.size, 7);
        assert_eq!(page.next, Some(("b".into(), "v4".into())));
    }

    #[test]
    fn a_last_page_has_no_next_and_garbage_is_refused() {
        let xml = br#"<ListVersionsResult><IsTruncated>false</IsTruncated></ListVersionsResult>"#;
        let page = parse_page(xml).expect("an empty page");
        assert!(page.entries.is_empty());
        assert_eq!(page.next, None);
        assert!(parse_page(b"<ListVersionsResult><Version>").is_err());
        assert!(parse_page(b"\xff\xfe").is_err());
        let no_marker =
            br#"<ListVersionsResult><IsTruncated>true</IsTruncated></ListVersionsResult>"#;
        assert!(parse_page(no_marker).is_err());
    }
}
