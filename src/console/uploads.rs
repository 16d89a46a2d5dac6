//! Uploads from the browser: the page's script slices a file into parts
//! and sends them one by one; each part streams through to the gateway as
//! an UploadPart of a multipart upload, so no file is ever held whole.

use actix_web::{web, HttpRequest, HttpResponse};
use futures::TryStreamExt;
use hyper::Method;
use serde::Deserialize;

use super::context::{check_csrf_header, console, s3_path};
use super::error::ConsoleError;
use super::error::JsonError;
use super::gateway::S3Call;

type Answer = Result<HttpResponse, JsonError>;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/buckets/{bucket}/uploads", web::post().to(create))
        .route(
            "/api/buckets/{bucket}/uploads/{upload}/parts/{part}",
            web::put().to(part),
        )
        .route(
            "/api/buckets/{bucket}/uploads/{upload}/complete",
            web::post().to(complete),
        )
        .route(
            "/api/buckets/{bucket}/uploads/{upload}",
            web::delete().to(abort),
        );
}

/// The object an upload writes.
#[derive(Deserialize)]
struct KeyQuery {
    key: String,
}

/// CreateMultipartUpload's answer.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Initiated {
    upload_id: String,
}

/// CompleteMultipartUpload's answer.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Completed {
    #[serde(rename = "ETag")]
    etag: String,
}

/// A signed-in user whose request carries its CSRF header.
fn checked(req: &HttpRequest) -> Result<super::session::Session, ConsoleError> {
    let session = super::context::signed_in(req)?;
    check_csrf_header(&session, req)?;
    Ok(session)
}

async fn create(req: HttpRequest, bucket: web::Path<String>, q: web::Query<KeyQuery>) -> Answer {
    let session = checked(&req)?;
    if q.key.is_empty() {
        return Err(ConsoleError::BadRequest("an object needs a name".into()).into());
    }
    let mut call = S3Call::new(Method::POST, s3_path(&bucket, Some(&q.key))).query("uploads", "");
    if let Some(kind) = req
        .headers()
        .get("x-file-type")
        .and_then(|v| v.to_str().ok())
    {
        if !kind.is_empty() {
            call = call.header("content-type", kind.to_string());
        }
    }
    let started: Initiated = console(&req)?.gateway.xml(&session, call).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "upload_id": started.upload_id })))
}

async fn part(
    req: HttpRequest,
    path: web::Path<(String, String, u32)>,
    q: web::Query<KeyQuery>,
    payload: web::Payload,
) -> Answer {
    let session = checked(&req)?;
    let (bucket, upload, number) = path.into_inner();
    let length = req
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .ok_or_else(|| ConsoleError::BadRequest("a part needs a Content-Length".into()))?;
    let body = payload.map_err(std::io::Error::other);
    let call = S3Call::new(Method::PUT, s3_path(&bucket, Some(&q.key)))
        .query("partNumber", number.to_string())
        .query("uploadId", upload)
        .stream(length, body);
    let answer = console(&req)?.gateway.ok(&session, call).await?;
    let etag = answer
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "etag": etag })))
}

/// One part as the script lists it.
#[derive(Deserialize)]
struct PartDone {
    part: u32,
    etag: String,
}

/// The CompleteMultipartUpload document of `parts`.
fn complete_document(parts: &[PartDone]) -> String {
    let mut xml = String::from("<CompleteMultipartUpload>");
    for p in parts {
        xml.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>",
            p.part,
            quick_xml::escape::escape(p.etag.as_str())
        ));
    }
    xml.push_str("</CompleteMultipartUpload>");
    xml
}

async fn complete(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<KeyQuery>,
    parts: web::Json<Vec<PartDone>>,
) -> Answer {
    let session = checked(&req)?;
    let (bucket, upload) = path.into_inner();
    let call = S3Call::new(Method::POST, s3_path(&bucket, Some(&q.key)))
        .query("uploadId", upload)
        .body(complete_document(&parts));
    let done: Completed = console(&req)?.gateway.xml(&session, call).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "etag": done.etag })))
}

async fn abort(
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: web::Query<KeyQuery>,
) -> Answer {
    let session = checked(&req)?;
    let (bucket, upload) = path.into_inner();
    let call =
        S3Call::new(Method::DELETE, s3_path(&bucket, Some(&q.key))).query("uploadId", upload);
    console(&req)?.gateway.done(&session, call).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "aborted": true })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_complete_document_lists_parts_escaped() {
        let parts = [
            PartDone {
                part: 1,
                etag: "\"a\"".into(),
            },
            PartDone {
                part: 2,
                etag: "<x>".into(),
            },
        ];
        assert_eq!(
            complete_document(&parts),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&quot;</ETag></Part>\
<Part><PartNumber>2</PartNumber><ETag>&lt;x&gt;</ETag></Part></CompleteMultipartUpload>"
        );
    }
}
