//! A source bucket's versions in S3's own order. ListObjectVersions
//! interleaves versions and delete markers, newest first per key; the
//! SDK's answer splits them into two lists and loses that order (a PUT
//! and a DELETE in one millisecond could not be told apart), so the
//! answer's XML is read as it came, from the SDK's own response
//! (`api::xml::version_listing`, tested there).

use std::sync::{Arc, Mutex};

use aws_sdk_s3::config::interceptors::AfterDeserializationInterceptorContextRef;
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_s3::error::BoxError;
use aws_sdk_s3::Client;

use super::error::{s3_error, ImportError, Side};
use predastore::client::read_version_page;

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

/// One page read: its entries by key, and where the next starts.
struct VersionPage {
    entries: Vec<(String, SourceVersion)>,
    next: Option<(String, String)>,
}

/// Reads a page's XML.
fn parse_page(xml: &[u8]) -> Result<VersionPage, String> {
    let page = read_version_page(xml)?;
    let entries = page
        .entries
        .into_iter()
        .map(|v| {
            let version = SourceVersion {
                version_id: v.version_id,
                delete_marker: v.delete_marker,
                etag: v.etag,
                size: v.size,
            };
            (v.key, version)
        })
        .collect();
    Ok(VersionPage {
        entries,
        next: page.next,
    })
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
