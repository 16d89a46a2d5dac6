//! The admin API: `/admin/v1/…` on the S3 listener, JSON in and out, for
//! `predastore admin` and scripts. Every call needs `Authorization: Bearer
//! <PREDASTORE_ADMIN_TOKEN>`: none is 401, a wrong one (or any, when no
//! token is set) is 403. The token is compared in constant time and never
//! logged.
//!
//! Handlers parse, call the [`AdminService`], render; errors map to HTTP
//! in [`error`].

mod buckets;
mod cluster;
mod error;
mod iam;
mod keys;
mod kms;
mod meta;

use std::future::{ready, Ready};
use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::admin::service::AdminService;
pub(crate) use error::AdminHttpError;

/// What the admin handlers share.
pub(crate) struct AdminApi {
    /// The bearer token; `None` refuses every call.
    pub token: Option<String>,
    /// The admin service every route calls (no logic lives in the routes).
    pub service: Arc<AdminService>,
}

/// Proof that a request carried the admin token: every handler takes one.
pub(crate) struct Authorized;

impl FromRequest for Authorized {
    type Error = AdminHttpError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authorize(req))
    }
}

fn authorize(req: &HttpRequest) -> Result<Authorized, AdminHttpError> {
    let Some(api) = req.app_data::<web::Data<AdminApi>>() else {
        return Err(AdminHttpError::forbidden(
            "the admin API is not served here",
        ));
    };
    let Some(given) = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return Err(AdminHttpError::unauthorized());
    };
    match &api.token {
        Some(token) if bool::from(token.as_bytes().ct_eq(given.trim().as_bytes())) => {
            Ok(Authorized)
        }
        Some(_) => Err(AdminHttpError::forbidden("wrong admin token")),
        None => Err(AdminHttpError::forbidden(
            "the admin API is off: PREDASTORE_ADMIN_TOKEN is not set",
        )),
    }
}

/// A JSON answer.
pub(crate) fn json<T: Serialize>(value: &T) -> HttpResponse {
    HttpResponse::Ok().json(value)
}

/// The service behind a request.
pub(crate) fn service(api: &web::Data<AdminApi>) -> &AdminService {
    &api.service
}

/// Registers `/admin/v1/…`; call before the S3 default service.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin/v1")
            .app_data(web::JsonConfig::default().error_handler(|e, _| {
                AdminHttpError::bad_request(format!("bad JSON body: {e}")).into()
            }))
            .app_data(
                web::PathConfig::default().error_handler(|e, _| {
                    AdminHttpError::bad_request(format!("bad path: {e}")).into()
                }),
            )
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                AdminHttpError::bad_request(format!("bad query: {e}")).into()
            }))
            .configure(cluster::routes)
            .configure(buckets::routes)
            .configure(iam::routes)
            .configure(keys::routes)
            .configure(kms::routes)
            .configure(meta::routes)
            .default_service(web::to(not_found)),
    );
}

async fn not_found(_: Authorized) -> Result<HttpResponse, AdminHttpError> {
    Err(AdminHttpError::not_found("no such admin endpoint"))
}
