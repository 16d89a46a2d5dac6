//! `/admin/v1/kms…`: master keys of encryption at rest.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{json, service, AdminApi, AdminHttpError, Authorized};

type Answer = Result<HttpResponse, AdminHttpError>;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/kms/keys", web::get().to(keys))
        .route("/kms/rewrap", web::post().to(rewrap));
}

/// `POST /kms/rewrap?to=…`: the key to move data keys onto (default: the
/// default key).
#[derive(Deserialize)]
struct RewrapTo {
    to: Option<String>,
}

async fn keys(_: Authorized, api: web::Data<AdminApi>) -> Answer {
    Ok(json(&service(&api).kms_keys()))
}

async fn rewrap(_: Authorized, api: web::Data<AdminApi>, q: web::Query<RewrapTo>) -> Answer {
    Ok(json(&service(&api).rewrap(q.into_inner().to).await?))
}
