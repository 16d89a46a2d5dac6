//! The HTTP edge (actix-web): the S3 API ([`s3`] dispatches to the bucket,
//! object, list and multipart handlers), request authentication (SigV4,
//! aws-chunked bodies, checksums), and the health and metrics endpoints.

pub(crate) mod access;
pub(crate) mod attributes;
pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod bucket;
pub(crate) mod checksum;
pub mod client_errors;
pub(crate) mod cors;
pub(crate) mod error;
pub(crate) mod list;
pub mod listener;
pub(crate) mod multipart;
pub(crate) mod object;
pub(crate) mod part_checksum;
pub(crate) mod query;
pub(crate) mod request;
pub(crate) mod router;
pub mod s3;
pub(crate) mod spool;
pub(crate) mod tagging;
pub(crate) mod xml;

use actix_web::{web, HttpResponse};

use crate::actors::wal::node::StorageNode;
use crate::metrics;

/// Registers the operational endpoints.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/live", web::get().to(live))
        .route("/health/ready", web::get().to(ready))
        .route("/metrics", web::get().to(metrics_text));
}

/// Registers the S3 API: every request no other route takes.
pub fn configure_s3(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(s3::handle));
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
