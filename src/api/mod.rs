//! The HTTP edge (actix-web). For now: health and metrics endpoints, and the
//! request authentication (SigV4, aws-chunked bodies) the S3 routes will use.

pub mod chunked;
pub mod sigv4;

use actix_web::{web, HttpResponse};

use crate::actors::storage_node::StorageNode;
use crate::metrics;

/// Registers the operational endpoints.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/health/live", web::get().to(live))
        .route("/health/ready", web::get().to(ready))
        .route("/metrics", web::get().to(metrics_text));
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
