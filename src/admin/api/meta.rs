//! `/admin/v1/meta…`: the metadata group's members.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{json, service, AdminApi, AdminHttpError, Authorized};

type Answer = Result<HttpResponse, AdminHttpError>;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/meta", web::get().to(members))
        .route("/meta", web::post().to(add))
        .route("/meta/{id}", web::delete().to(remove));
}

/// A member to add.
#[derive(Deserialize)]
struct NewMember {
    id: u64,
    addr: String,
}

async fn members(_: Authorized, api: web::Data<AdminApi>) -> Answer {
    Ok(json(&service(&api).meta_members().await?))
}

async fn add(_: Authorized, api: web::Data<AdminApi>, m: web::Json<NewMember>) -> Answer {
    Ok(json(&service(&api).add_meta(m.id, &m.addr).await?))
}

async fn remove(_: Authorized, api: web::Data<AdminApi>, id: web::Path<u64>) -> Answer {
    Ok(json(&service(&api).remove_meta(id.into_inner()).await?))
}
