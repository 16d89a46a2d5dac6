//! The buckets page: the user's buckets with their counts, create, delete.

use actix_web::{web, HttpRequest, HttpResponse};
use futures::future::join_all;
use hyper::Method;
use serde::{Deserialize, Serialize};

use super::context::{check_csrf, console, s3_path, see_other, SignedIn};
use super::error::ConsoleError;
use super::gateway::S3Call;
use super::render::page;

/// The canned ACLs a bucket can be created with.
const CANNED_ACLS: [&str; 4] = [
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
];

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/buckets", web::get().to(list))
        .route("/buckets", web::post().to(create))
        .route("/buckets/{bucket}/delete", web::post().to(delete));
}

/// ListBuckets' answer.
#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ListAllMyBucketsResult {
    buckets: BucketList,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct BucketList {
    bucket: Vec<BucketEntry>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct BucketEntry {
    name: String,
    creation_date: String,
}

/// One row of the page.
#[derive(Serialize)]
struct BucketRow {
    name: String,
    created: String,
    objects: Option<u64>,
    bytes: Option<u64>,
}

async fn list(req: HttpRequest, SignedIn(session): SignedIn) -> Result<HttpResponse, ConsoleError> {
    let console = console(&req)?;
    let answer: ListAllMyBucketsResult = console
        .gateway
        .xml(&session, S3Call::new(Method::GET, "/".into()))
        .await?;
    let rows = join_all(answer.buckets.bucket.into_iter().map(|b| async move {
        let info = console.admin.bucket_info(&b.name).await.ok();
        BucketRow {
            objects: info.as_ref().map(|i| i.objects),
            bytes: info.as_ref().map(|i| i.bytes),
            name: b.name,
            created: b.creation_date,
        }
    }))
    .await;
    Ok(page(
        "buckets.html",
        minijinja::context! {
            layout => console.layout(&session),
            buckets => rows,
            acls => CANNED_ACLS,
        },
    ))
}

/// The create form.
#[derive(Deserialize)]
struct NewBucket {
    name: String,
    acl: String,
    #[serde(default)]
    csrf: String,
}

async fn create(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    form: web::Form<NewBucket>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    if !CANNED_ACLS.contains(&form.acl.as_str()) {
        return Err(ConsoleError::BadRequest(format!(
            "{:?} is not a canned ACL",
            form.acl
        )));
    }
    let name = form.name.trim();
    if name.is_empty() || name.contains('/') {
        return Err(ConsoleError::BadRequest(format!(
            "{name:?} is not a bucket name"
        )));
    }
    let call = S3Call::new(Method::PUT, s3_path(name, None)).header("x-amz-acl", form.acl.clone());
    console(&req)?.gateway.done(&session, call).await?;
    Ok(see_other("/buckets"))
}

/// A form with only its CSRF token.
#[derive(Deserialize)]
pub(super) struct Confirm {
    #[serde(default)]
    pub csrf: String,
}

/// Deletes an empty bucket (as S3 requires; the gateway says
/// `BucketNotEmpty` otherwise).
async fn delete(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    bucket: web::Path<String>,
    form: web::Form<Confirm>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let call = S3Call::new(Method::DELETE, s3_path(&bucket, None));
    console(&req)?.gateway.done(&session, call).await?;
    Ok(see_other("/buckets"))
}
