//! The console's listener: routes, embedded assets and the security
//! headers of every answer.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpResponse};

use super::context::Console;
use super::error::ConsoleError;
use super::post_form::{self, FormAction};
use super::{
    admin_pages, buckets, iam_pages, object_settings, objects, render, settings, sign_in, uploads,
    versions,
};
use crate::api::listener::{self, HttpsIdentity, ListenerConfig};

/// The Content-Security-Policy of every answer: this origin's script and
/// style only, no inline code, no frames, forms posting here only.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
base-uri 'none'";

/// Serves the console on `listener` (TLS with `https`).
pub(crate) fn serve(
    listener: std::net::TcpListener,
    console: web::Data<Console>,
    https: Option<Arc<HttpsIdentity>>,
) -> std::io::Result<actix_server::Server> {
    let config = ListenerConfig {
        workers: 1,
        head_timeout: std::time::Duration::from_secs(10),
    };
    listener::serve(listener, config, (None, https), move || {
        App::new()
            .app_data(console.clone())
            .app_data(
                web::FormConfig::default()
                    .limit(64 << 10)
                    .error_handler(|e, _| {
                        ConsoleError::BadRequest(format!("bad form: {e}")).into()
                    }),
            )
            .app_data(
                web::QueryConfig::default().error_handler(|e, _| {
                    ConsoleError::BadRequest(format!("bad query: {e}")).into()
                }),
            )
            .wrap(from_fn(security_headers))
            .wrap(from_fn(listener::restore_head))
            .configure(routes)
    })
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/assets/console.css", web::get().to(style))
        .route("/assets/console.js", web::get().to(script))
        .configure(sign_in::routes)
        .configure(buckets::routes)
        .configure(objects::routes)
        .configure(post_form::routes)
        .configure(uploads::routes)
        .configure(versions::routes)
        .configure(settings::routes)
        .configure(object_settings::routes)
        .configure(admin_pages::routes)
        .configure(iam_pages::routes)
        .default_service(web::to(not_found));
}

async fn home() -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("location", "/buckets"))
        .finish()
}

async fn not_found() -> HttpResponse {
    render::error_page(actix_web::http::StatusCode::NOT_FOUND, "no such page")
}

async fn style() -> HttpResponse {
    asset(
        "text/css; charset=utf-8",
        include_str!("assets/console.css"),
    )
}

async fn script() -> HttpResponse {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("assets/console.js"),
    )
}

fn asset(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("cache-control", "max-age=300"))
        .body(body)
}

/// Adds the security headers to every answer.
async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    // The upload form's page may post to the S3 endpoint too.
    let csp = match res.response().extensions().get::<FormAction>() {
        Some(FormAction(origin)) => CONTENT_SECURITY_POLICY.replace(
            "form-action 'self'",
            &format!("form-action 'self' {origin}"),
        ),
        None => CONTENT_SECURITY_POLICY.to_string(),
    };
    let headers = res.headers_mut();
    headers.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_str(&csp)
            .unwrap_or_else(|_| HeaderValue::from_static(CONTENT_SECURITY_POLICY)),
    );
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    Ok(res)
}
