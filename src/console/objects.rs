//! The object browser: a bucket's keys as folders and files, a page at a
//! time; download, delete, and share links (presigned GETs).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpRequest, HttpResponse};
use hyper::Method;
use serde::{Deserialize, Serialize};

use super::context::{check_csrf, console, s3_path, see_other, Console, SignedIn};
use super::error::ConsoleError;
use super::gateway::{body_stream, S3Call};
use super::render::page;
use crate::api::auth::sigv4::{presign, PresignRequest};
use crate::api::error::S3ErrorCode;

/// Keys on one page of the browser.
const PAGE_KEYS: u32 = 100;
/// Share link lifetimes offered, in seconds (an hour, a day, a week).
pub(super) const SHARE_EXPIRIES: [u64; 3] = [3600, 86_400, 604_800];

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buckets/{bucket}", web::get().to(browse))
        .route("/buckets/{bucket}/download", web::get().to(download))
        .route("/buckets/{bucket}/objects/delete", web::post().to(delete))
        .route("/buckets/{bucket}/share", web::post().to(share));
}

/// ListObjectsV2's answer.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ListBucketResult {
    contents: Vec<ObjectEntry>,
    common_prefixes: Vec<PrefixEntry>,
    is_truncated: bool,
    next_continuation_token: Option<String>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ObjectEntry {
    key: String,
    last_modified: String,
    size: u64,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PrefixEntry {
    prefix: String,
}

/// GetBucketCors' answer.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CorsConfiguration {
    #[serde(rename = "CORSRule")]
    rules: Vec<CorsRule>,
}

#[derive(Deserialize, Serialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct CorsRule {
    #[serde(rename = "ID")]
    id: Option<String>,
    allowed_origin: Vec<String>,
    allowed_method: Vec<String>,
    allowed_header: Vec<String>,
    expose_header: Vec<String>,
    max_age_seconds: Option<u64>,
}

/// Where in a bucket to look.
#[derive(Deserialize)]
struct Place {
    #[serde(default)]
    prefix: String,
    /// The continuation token of the page.
    #[serde(default)]
    token: Option<String>,
}

/// A folder or file row.
#[derive(Serialize)]
struct Row {
    /// The whole key or prefix.
    path: String,
    /// The part under the current prefix.
    name: String,
    size: u64,
    modified: String,
}

/// A step of the breadcrumb trail.
#[derive(Serialize)]
struct Crumb {
    name: String,
    prefix: String,
}

fn crumbs(prefix: &str) -> Vec<Crumb> {
    let mut out = Vec::new();
    let mut upto = String::new();
    for part in prefix.split_terminator('/') {
        upto.push_str(part);
        upto.push('/');
        out.push(Crumb {
            name: part.to_string(),
            prefix: upto.clone(),
        });
    }
    out
}

/// The bucket's CORS rules; `None` when the user may not read them.
async fn cors_rules(
    console: &Console,
    session: &super::session::Session,
    bucket: &str,
) -> Result<Option<Vec<CorsRule>>, ConsoleError> {
    let call = S3Call::new(Method::GET, s3_path(bucket, None)).query("cors", "");
    match console
        .gateway
        .xml::<CorsConfiguration>(session, call)
        .await
    {
        Ok(config) => Ok(Some(config.rules)),
        Err(e) if e.gateway_code() == Some(S3ErrorCode::NoSuchCORSConfiguration.as_str()) => {
            Ok(Some(Vec::new()))
        }
        Err(e) if e.gateway_code() == Some(S3ErrorCode::AccessDenied.as_str()) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn browse(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    place: web::Query<Place>,
) -> Result<HttpResponse, ConsoleError> {
    let console = console(&req)?;
    let mut call = S3Call::new(Method::GET, s3_path(&bucket, None))
        .query("list-type", "2")
        .query("delimiter", "/")
        .query("max-keys", PAGE_KEYS.to_string())
        .query("prefix", place.prefix.clone());
    if let Some(token) = &place.token {
        call = call.query("continuation-token", token.clone());
    }
    let listing: ListBucketResult = console.gateway.xml(&session, call).await?;
    let under = |path: &str| path.strip_prefix(&place.prefix).unwrap_or(path).to_string();
    let folders: Vec<Row> = listing
        .common_prefixes
        .into_iter()
        .map(|p| Row {
            name: under(&p.prefix),
            path: p.prefix,
            size: 0,
            modified: String::new(),
        })
        .collect();
    let files: Vec<Row> = listing
        .contents
        .into_iter()
        .map(|o| Row {
            name: under(&o.key),
            path: o.key,
            size: o.size,
            modified: o.last_modified,
        })
        .collect();
    let cors = cors_rules(console, &session, &bucket).await?;
    let next = listing
        .next_continuation_token
        .filter(|_| listing.is_truncated);
    Ok(page(
        "bucket.html",
        minijinja::context! {
            layout => console.layout(&session),
            bucket => bucket.as_str(),
            prefix => place.prefix,
            crumbs => crumbs(&place.prefix),
            folders => folders,
            files => files,
            next => next,
            cors => cors,
            share_expiries => SHARE_EXPIRIES,
            usage => super::buckets::usage_view(console, &bucket).await,
        },
    ))
}

/// An object named in the query, and the version to read (the latest
/// when absent).
#[derive(Deserialize)]
struct KeyQuery {
    key: String,
    #[serde(default)]
    version: Option<String>,
}

/// `call` for `version` (`?versionId=`), when one is named.
pub(super) fn at_version(call: S3Call, version: Option<&str>) -> S3Call {
    match version.filter(|v| !v.is_empty()) {
        Some(v) => call.query("versionId", v),
        None => call,
    }
}

async fn download(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    q: web::Query<KeyQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let console = console(&req)?;
    let call = at_version(
        S3Call::new(Method::GET, s3_path(&bucket, Some(&q.key))),
        q.version.as_deref(),
    );
    let answer = console.gateway.ok(&session, call).await?;
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let length = header("content-length").and_then(|v| v.parse::<u64>().ok());
    let file_name = q.key.rsplit('/').next().unwrap_or(&q.key).to_string();
    let mut res = HttpResponse::Ok();
    res.insert_header(ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(file_name)],
    });
    res.insert_header(("cache-control", "no-store"));
    for name in ["content-type", "etag", "last-modified"] {
        if let Some(value) = header(name) {
            res.insert_header((name, value));
        }
    }
    let stream = body_stream(answer);
    Ok(match length {
        Some(length) => res.no_chunking(length).streaming(stream),
        None => res.streaming(stream),
    })
}

/// The delete form.
#[derive(Deserialize)]
struct DeleteObject {
    key: String,
    /// The version to delete (`?versionId=`); without it, S3's plain
    /// delete (a delete marker in a versioned bucket).
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    csrf: String,
}

async fn delete(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    form: web::Form<DeleteObject>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let version = form.version.as_deref().filter(|v| !v.is_empty());
    let call = at_version(
        S3Call::new(Method::DELETE, s3_path(&bucket, Some(&form.key))),
        version,
    );
    console(&req)?.gateway.done(&session, call).await?;
    if version.is_some() {
        let key = url_query_value(&form.key);
        return Ok(see_other(&format!("/buckets/{bucket}/versions?key={key}")));
    }
    let prefix = url_query_value(folder_of(&form.key));
    Ok(see_other(&format!("/buckets/{bucket}?prefix={prefix}")))
}

/// The folder (prefix up to the last `/`) a key is listed in.
pub(super) fn folder_of(key: &str) -> &str {
    key.rfind('/').map_or("", |i| &key[..=i])
}

/// `value` encoded for a query string.
fn url_query_value(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The share form.
#[derive(Deserialize)]
struct Share {
    key: String,
    expires: u64,
    #[serde(default)]
    csrf: String,
}

/// The S3 endpoint as the browser reaches it: `PREDASTORE_CONSOLE_S3_URL`,
/// or the console's host with the S3 listener's port.
pub(super) fn public_s3(console: &Console, req: &HttpRequest) -> (String, String) {
    if let Some(url) = &console.s3_url {
        let url = url.trim_end_matches('/');
        let (scheme, authority) = url.split_once("://").unwrap_or(("http", url));
        return (scheme.to_string(), authority.to_string());
    }
    let info = req.connection_info();
    let host = info.host();
    let name = match host.rfind(':') {
        Some(i) if !host[i..].contains(']') => &host[..i],
        _ => host,
    };
    let scheme = if console.secure { "https" } else { "http" };
    (scheme.to_string(), format!("{name}:{}", console.s3_port))
}

async fn share(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    form: web::Form<Share>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    if !SHARE_EXPIRIES.contains(&form.expires) {
        return Err(ConsoleError::BadRequest(format!(
            "a share link lasts one of {SHARE_EXPIRIES:?} seconds"
        )));
    }
    let console = console(&req)?;
    // The link is signed with the user's key: it works only if the user
    // may read the object, which a HEAD shows now rather than later.
    let path = s3_path(&bucket, Some(&form.key));
    let head = S3Call::new(Method::HEAD, path.clone());
    console.gateway.done(&session, head).await?;
    let (scheme, authority) = public_s3(console, &req);
    let target = presign(&PresignRequest {
        method: "GET",
        host: &authority,
        headers: &[],
        path: &path,
        query: &[],
        access_key: &session.access_key,
        secret: &session.secret,
        region: console.gateway.region(),
        now: time::OffsetDateTime::now_utc(),
        expires: form.expires,
    });
    Ok(page(
        "share.html",
        minijinja::context! {
            layout => console.layout(&session),
            bucket => bucket.as_str(),
            key => form.key,
            prefix => folder_of(&form.key),
            url => format!("{scheme}://{authority}{target}"),
            hours => form.expires / 3600,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crumbs_follow_the_prefix() {
        let c = crumbs("a/b/");
        let pairs: Vec<(&str, &str)> = c
            .iter()
            .map(|c| (c.name.as_str(), c.prefix.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "a/"), ("b", "a/b/")]);
        assert!(crumbs("").is_empty());
    }

    #[test]
    fn listings_are_read() {
        let xml = "<ListBucketResult><Name>b</Name><Prefix>d/</Prefix><KeyCount>2</KeyCount>\
<IsTruncated>true</IsTruncated><Contents><Key>d/x</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>\"e\"</ETag><Size>5</Size></Contents>\
<CommonPrefixes><Prefix>d/e/</Prefix></CommonPrefixes><Contents><Key>d/y</Key><Size>7</Size></Contents>\
<NextContinuationToken>t</NextContinuationToken></ListBucketResult>";
        let l: ListBucketResult = quick_xml::de::from_str(xml).expect("parse");
        assert_eq!(l.contents.len(), 2);
        assert_eq!(l.contents[1].size, 7);
        assert_eq!(l.common_prefixes[0].prefix, "d/e/");
        assert!(l.is_truncated);
        assert_eq!(l.next_continuation_token.as_deref(), Some("t"));
    }

    #[test]
    fn cors_rules_are_read() {
        let xml = "<CORSConfiguration><CORSRule><ID>r</ID><AllowedOrigin>https://a</AllowedOrigin>\
<AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>";
        let c: CorsConfiguration = quick_xml::de::from_str(xml).expect("parse");
        assert_eq!(c.rules[0].allowed_method, ["GET", "PUT"]);
        assert_eq!(c.rules[0].max_age_seconds, Some(60));
    }
}
