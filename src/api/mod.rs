//! The S3 HTTP edge (actix-web). From the top down: [`dispatch`] (every S3
//! request: authentication, routing, access, the handler, CORS and request
//! id on the answer); `router` (which operation, typed arguments);
//! `handlers/` (one file per group of operations); `access` (bucket and
//! object ACLs); `context` (the gateway, the request, the answer
//! conventions: the bottom, importing none of the above). Beside them:
//! `listener/` (HTTP framing, HTTPS, the 100-continue check), `auth/`
//! (SigV2/SigV4, aws-chunked), `request/` (header and parameter
//! validation), `xml/` (documents), `error/` (every S3 error code), the
//! checked body stream (`body`, `spool`, `checksum`), and the health and
//! metrics endpoints below.

pub(crate) mod access;
pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod checksum;
pub(crate) mod client_errors;
pub(crate) mod context;
pub(crate) mod dispatch;
pub(crate) mod error;
pub(crate) mod handlers;
pub(crate) mod listener;
pub(crate) mod post_object;
pub(crate) mod query;
pub(crate) mod request;
pub(crate) mod router;
pub(crate) mod spool;
pub(crate) mod xml;

pub(crate) use context::Gateway;

use actix_web::{web, HttpResponse};

use crate::actors::wal::node::StorageNode;
use crate::metrics;

/// Registers the operational endpoints.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/live", web::get().to(live))
        .route("/health/ready", web::get().to(ready))
        .route("/metrics", web::get().to(metrics_text));
}

/// Registers the S3 API: every request no other route takes.
pub(crate) fn configure_s3(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(dispatch::handle));
}

async fn live() -> HttpResponse {
    HttpResponse::Ok().body("ok\n")
}

async fn ready(node: Option<web::Data<StorageNode>>) -> HttpResponse {
    match node {
        Some(node) if node.sync_state().has_failed() => {
            HttpResponse::ServiceUnavailable().body("storage: a sync failed\n")
        }
        _ => HttpResponse::Ok().body("ready\n"),
    }
}

async fn metrics_text() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics::render())
}
