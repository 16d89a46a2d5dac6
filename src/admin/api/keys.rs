//! `/admin/v1/keys…`: S3 access keys.

use actix_web::{web, HttpResponse};
use serde_json::json as object;

use super::{json, service, AdminApi, AdminHttpError, Authorized};

type Answer = Result<HttpResponse, AdminHttpError>;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/keys", web::post().to(create_key))
        .route("/keys", web::get().to(list_keys))
        .route("/keys/{id}", web::delete().to(delete_key));
}

/// `POST /keys?name=…&user=…&email=…`: a key for a new user with display
/// name `name` (default: the key id) and e-mail address `email`, or
/// another key of existing user `user`.
#[derive(serde::Deserialize)]
struct KeyFor {
    name: Option<String>,
    user: Option<String>,
    email: Option<String>,
}

async fn create_key(_: Authorized, api: web::Data<AdminApi>, q: web::Query<KeyFor>) -> Answer {
    let q = q.into_inner();
    Ok(json(
        &service(&api).create_key(q.name, q.user, q.email).await?,
    ))
}

async fn list_keys(_: Authorized, api: web::Data<AdminApi>) -> Answer {
    Ok(json(&service(&api).list_keys().await?))
}

async fn delete_key(_: Authorized, api: web::Data<AdminApi>, id: web::Path<String>) -> Answer {
    service(&api).delete_key(&id).await?;
    Ok(json(&object!({ "deleted": id.into_inner() })))
}
