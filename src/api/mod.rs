//! The S3 HTTP edge (actix-web).
//!
//! Floors, top to bottom (checked by `scripts/import-cycles.py`):
//!
//! 1. `dispatch`, `listener`: every S3 request (authentication, routing,
//!    access, the handler, CORS and request id on the answer); HTTP
//!    framing, HTTPS and the 100-continue check
//! 2. `handlers`, `post_object`, `iam`: one file per group of operations;
//!    the IAM and STS query APIs
//! 3. `access`: who may do what (ACLs, bucket policy, the permission table)
//! 4. `router`: which operation, with typed arguments
//! 5. `context`: the gateway, the authenticated request (`identity`), the
//!    parsed bucket policies, the answer conventions
//! 6. `xml`, `body`, `spool`, `client_errors`: documents, the checked body
//!    stream
//! 7. `error`: every S3 error code, mapped from the errors below and
//!    from the layers under `api`
//! 8. `auth`, `request`, `checksum`, `query`: signatures, header and
//!    parameter validation, each with an error type of its own
//!
//! The health and metrics endpoints are below.

pub(crate) mod access;
pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod checksum;
pub(crate) mod client_errors;
pub(crate) mod context;
pub(crate) mod dispatch;
pub(crate) mod error;
pub(crate) mod handlers;
pub(crate) mod iam;
pub(crate) mod listener;
pub(crate) mod post_object;
pub(crate) mod query;
pub(crate) mod request;
pub(crate) mod router;
pub(crate) mod spool;
pub(crate) mod xml;

pub(crate) use context::Gateway;

use actix_web::{web, HttpResponse};

use crate::actors::core::wal::node::StorageNode;
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
