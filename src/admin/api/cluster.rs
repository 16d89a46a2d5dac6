//! `/admin/v1/status`, `/admin/v1/layout` and `/admin/v1/nodes…`.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{json, service, AdminApi, AdminHttpError, Authorized};
use crate::admin::service::NewNode;

type Answer = Result<HttpResponse, AdminHttpError>;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/status", web::get().to(status))
        .route("/layout", web::get().to(layout))
        .route("/nodes", web::post().to(add_node))
        .route("/nodes/{id}/drain", web::post().to(drain_node))
        .route(
            "/nodes/{id}/volumes/{slot}/replace",
            web::post().to(replace_disk),
        )
        .route("/nodes/{id}", web::delete().to(remove_node));
}

async fn status(_: Authorized, api: web::Data<AdminApi>) -> Answer {
    Ok(json(&service(&api).status().await?))
}

async fn layout(_: Authorized, api: web::Data<AdminApi>) -> Answer {
    Ok(json(&service(&api).layout().await?))
}

async fn add_node(_: Authorized, api: web::Data<AdminApi>, node: web::Json<NewNode>) -> Answer {
    Ok(json(&service(&api).add_node(node.into_inner()).await?))
}

async fn drain_node(_: Authorized, api: web::Data<AdminApi>, id: web::Path<u64>) -> Answer {
    Ok(json(&service(&api).drain_node(id.into_inner()).await?))
}

async fn replace_disk(
    _: Authorized,
    api: web::Data<AdminApi>,
    path: web::Path<(u64, u16)>,
) -> Answer {
    let (id, slot) = path.into_inner();
    Ok(json(&service(&api).replace_disk(id, slot).await?))
}

/// `?force=true` removes a node that still holds shards.
#[derive(Deserialize)]
struct RemoveQuery {
    #[serde(default)]
    force: bool,
}

async fn remove_node(
    _: Authorized,
    api: web::Data<AdminApi>,
    id: web::Path<u64>,
    q: web::Query<RemoveQuery>,
) -> Answer {
    Ok(json(
        &service(&api).remove_node(id.into_inner(), q.force).await?,
    ))
}
