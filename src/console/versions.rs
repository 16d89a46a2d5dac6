//! A key's versions (ListObjectVersions): each version and delete marker,
//! newest first, with a download link for a version and a delete button
//! for either (the object browser's download and delete, by `version`).

use actix_web::{web, HttpRequest, HttpResponse};
use hyper::Method;
use serde::{Deserialize, Serialize};

use super::context::{console, s3_path, SignedIn};
use super::error::ConsoleError;
use super::gateway::S3Call;
use super::objects::folder_of;
use super::render::page;
use crate::api::xml::version_listing::{read_version_page, VersionPage};

/// Entries asked for per ListObjectVersions page.
const PAGE_VERSIONS: u32 = 1000;
/// Most pages followed for one key (a million versions).
const MAX_PAGES: usize = 1000;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buckets/{bucket}/versions", web::get().to(versions));
}

/// A row of the page.
#[derive(Serialize, Debug, PartialEq)]
struct Row {
    version_id: String,
    modified: String,
    size: u64,
    latest: bool,
    delete_marker: bool,
}

/// One page read: the rows of `key`, and where the next page starts
/// (`None` when done: no more pages, or a later key was reached).
fn rows_of(page: VersionPage, key: &str) -> (Vec<Row>, Option<(String, String)>) {
    let mut rows = Vec::new();
    let mut past = false;
    for entry in page.entries {
        // Keys are listed in order, and `key` is the first of those it
        // prefixes: once another one shows, there are no more of its.
        if entry.key != key {
            past |= entry.key.as_str() > key;
            continue;
        }
        rows.push(Row {
            version_id: entry.version_id,
            modified: entry.last_modified,
            size: entry.size,
            latest: entry.is_latest,
            delete_marker: entry.delete_marker,
        });
    }
    (rows, page.next.filter(|_| !past))
}

/// The key named in the query.
#[derive(Deserialize)]
struct KeyQuery {
    key: String,
}

async fn versions(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    q: web::Query<KeyQuery>,
) -> Result<HttpResponse, ConsoleError> {
    if q.key.is_empty() {
        return Err(ConsoleError::BadRequest("which key? (?key=…)".into()));
    }
    let console = console(&req)?;
    let mut rows = Vec::new();
    let mut marker: Option<(String, String)> = None;
    for _ in 0..MAX_PAGES {
        let mut call = S3Call::new(Method::GET, s3_path(&bucket, None))
            .query("versions", "")
            .query("prefix", q.key.clone())
            .query("max-keys", PAGE_VERSIONS.to_string());
        if let Some((key, version)) = &marker {
            call = call.query("key-marker", key.clone());
            if !version.is_empty() {
                call = call.query("version-id-marker", version.clone());
            }
        }
        let text = console.gateway.text(&session, call).await?;
        let page = read_version_page(text.as_bytes())
            .map_err(|e| ConsoleError::Internal(format!("unexpected S3 answer: {e}")))?;
        let (page_rows, next) = rows_of(page, &q.key);
        rows.extend(page_rows);
        match next {
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            _ => break,
        }
    }
    let head = S3Call::new(Method::HEAD, s3_path(&bucket, Some(&q.key)));
    let encryption = match console.gateway.send(&session, head).await {
        Ok(answer) => encryption_of(answer.status().as_u16(), |name| {
            answer
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        }),
        Err(_) => None,
    };
    Ok(page(
        "versions.html",
        minijinja::context! {
            layout => console.layout(&session),
            bucket => bucket.as_str(),
            key => q.key,
            prefix => folder_of(&q.key),
            versions => rows,
            encryption => encryption,
        },
    ))
}

/// How the current version is encrypted, from its HEAD answer: its
/// status and a header reader. An SSE-C object answers 400 without its
/// key, which the console does not hold.
fn encryption_of(status: u16, header: impl Fn(&str) -> Option<String>) -> Option<String> {
    if status == 400 {
        return Some("SSE-C: a customer-provided key (its data cannot be read here)".into());
    }
    if status != 200 {
        return None;
    }
    match header("x-amz-server-side-encryption").as_deref() {
        Some("AES256") => Some("SSE-S3 (AES-256-GCM, a key the store holds)".into()),
        Some("aws:kms") => Some(format!(
            "SSE-KMS, key {}",
            header("x-amz-server-side-encryption-aws-kms-key-id").unwrap_or_default()
        )),
        _ => Some("none".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_encryption_line_names_the_mode() {
        let headers = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let kms = headers(&[
            ("x-amz-server-side-encryption", "aws:kms"),
            ("x-amz-server-side-encryption-aws-kms-key-id", "k1"),
        ]);
        assert_eq!(encryption_of(200, kms).as_deref(), Some("SSE-KMS, key k1"));
        let s3 = headers(&[("x-amz-server-side-encryption", "AES256")]);
        assert!(encryption_of(200, s3).is_some_and(|e| e.starts_with("SSE-S3")));
        assert!(encryption_of(400, headers(&[])).is_some_and(|e| e.starts_with("SSE-C")));
        assert_eq!(encryption_of(200, headers(&[])).as_deref(), Some("none"));
        assert_eq!(encryption_of(404, headers(&[])), None);
    }

    #[test]
    fn versions_and_markers_are_read_in_order() {
        let xml = "<ListVersionsResult><Name>b</Name><Prefix>k</Prefix><KeyMarker></KeyMarker>\
<VersionIdMarker></VersionIdMarker><NextKeyMarker>k</NextKeyMarker><NextVersionIdMarker>v1</NextVersionIdMarker>\
<MaxKeys>3</MaxKeys><IsTruncated>true</IsTruncated>\
<DeleteMarker><Key>k</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest><LastModified>2026-01-03T00:00:00.000Z</LastModified><Owner><ID>o</ID></Owner></DeleteMarker>\
<Version><Key>k</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest><LastModified>2026-01-02T00:00:00.000Z</LastModified><ETag>\"e\"</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass><Owner><ID>o</ID></Owner></Version>\
<Version><Key>k</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><LastModified>2026-01-01T00:00:00.000Z</LastModified><Size>7</Size></Version>\
</ListVersionsResult>";
        let l = read_version_page(xml.as_bytes()).expect("parse");
        let (rows, next) = rows_of(l, "k");
        let ids: Vec<(&str, bool, bool, u64)> = rows
            .iter()
            .map(|r| (r.version_id.as_str(), r.latest, r.delete_marker, r.size))
            .collect();
        assert_eq!(
            ids,
            [
                ("v3", true, true, 0),
                ("v2", false, false, 5),
                ("v1", false, false, 7)
            ]
        );
        assert_eq!(next, Some(("k".to_string(), "v1".to_string())));
    }

    #[test]
    fn other_keys_under_the_prefix_are_left_out() {
        let xml =
            "<ListVersionsResult><IsTruncated>true</IsTruncated><NextKeyMarker>ka</NextKeyMarker>\
<Version><Key>k</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest></Version>\
<Version><Key>ka</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest></Version>\
</ListVersionsResult>";
        let l = read_version_page(xml.as_bytes()).expect("parse");
        let (rows, next) = rows_of(l, "k");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].version_id, "v1");
        // A later key was reached: no page is read after this one.
        assert_eq!(next, None);
    }
}
