//! The web console: server-rendered pages on a listener of their own
//! (`PREDASTORE_CONSOLE_LISTEN`), for people rather than programs.
//!
//! It is a client of the same services as everything else: bucket and
//! object pages send S3 requests to this process's own S3 listener,
//! presigned with the signed-in user's key ([`gateway`]), so the gateway's
//! authorization decides what a user sees and does; the cluster and key
//! pages call the [`AdminService`] the admin API calls, for admin users
//! only (the user of `PREDASTORE_ACCESS_KEY`). Pages are rendered from
//! templates embedded in the binary; the one script and the style sheet
//! are embedded too, and a strict Content-Security-Policy forbids anything
//! else.

mod admin_pages;
mod buckets;
mod error;
mod gateway;
mod objects;
mod render;
mod session;
mod sign_in;
mod uploads;

use std::future::{ready, Ready};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, FromRequest, HttpRequest, HttpResponse};

use crate::admin::service::AdminService;
use crate::api::listener::{self, HttpsIdentity, ListenerConfig};
use crate::api::Gateway;
pub use error::ConsoleError;
use gateway::GatewayClient;
use session::{tokens_match, Session, Sessions, SESSION_COOKIE};

/// The Content-Security-Policy of every answer: this origin's script and
/// style only, no inline code, no frames, forms posting here only.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
base-uri 'none'";

/// How the console is set up.
pub struct ConsoleSettings {
    /// Where the S3 listener is bound (the console calls it).
    pub s3_listen: SocketAddr,
    /// The region requests are signed for.
    pub region: String,
    /// The S3 listener's certificate, when it serves HTTPS (the console
    /// then serves HTTPS with it too).
    pub https: Option<Arc<HttpsIdentity>>,
    /// `PREDASTORE_CONSOLE_S3_URL`: the S3 endpoint as browsers reach it,
    /// for share links; by default the console's host name with the S3
    /// listener's port.
    pub s3_url: Option<String>,
    /// `PREDASTORE_GRAFANA_URL`: linked from every page when set.
    pub grafana_url: Option<String>,
}

/// What the console's handlers share.
pub struct Console {
    sessions: Sessions,
    gateway: GatewayClient,
    keys: web::Data<Gateway>,
    admin: Arc<AdminService>,
    secure: bool,
    s3_port: u16,
    s3_url: Option<String>,
    grafana_url: Option<String>,
    progress: Mutex<admin_pages::Peaks>,
}

impl Console {
    /// The console over this process's gateway and admin service; fails
    /// when no TLS client can be made for an HTTPS listener.
    pub fn new(
        settings: ConsoleSettings,
        keys: web::Data<Gateway>,
        admin: Arc<AdminService>,
    ) -> Result<Self, ConsoleError> {
        let secure = settings.https.is_some();
        let gateway = GatewayClient::new(settings.s3_listen, settings.region, settings.https)
            .map_err(|e| ConsoleError::Internal(format!("TLS client of the S3 listener: {e}")))?;
        Ok(Self {
            sessions: Sessions::default(),
            secure,
            gateway,
            keys,
            admin,
            s3_port: settings.s3_listen.port(),
            s3_url: settings.s3_url,
            grafana_url: settings.grafana_url,
            progress: Mutex::new(admin_pages::Peaks::default()),
        })
    }

    /// Values every page's layout needs.
    fn layout(&self, session: &Session) -> minijinja::Value {
        minijinja::context! {
            user => session.display_name,
            access_key => session.access_key,
            admin => session.admin,
            csrf => session.csrf,
            grafana_url => self.grafana_url,
        }
    }
}

/// Serves the console on `listener` (TLS with `https`).
pub fn serve(
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
        .configure(uploads::routes)
        .configure(admin_pages::routes)
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
    let headers = res.headers_mut();
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
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

/// The console's shared state in a request.
fn console(req: &HttpRequest) -> Result<&web::Data<Console>, ConsoleError> {
    req.app_data::<web::Data<Console>>()
        .ok_or_else(|| ConsoleError::Internal("console state missing".into()))
}

/// The signed-in user of a request (others are sent to sign in).
pub(crate) struct SignedIn(pub(crate) Session);

impl FromRequest for SignedIn {
    type Error = ConsoleError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(signed_in(req).map(SignedIn))
    }
}

fn signed_in(req: &HttpRequest) -> Result<Session, ConsoleError> {
    let console = console(req)?;
    let id = req
        .cookie(SESSION_COOKIE)
        .ok_or(ConsoleError::SignInRequired)?;
    console
        .sessions
        .get(id.value())
        .ok_or(ConsoleError::SignInRequired)
}

/// A signed-in admin user.
pub(crate) struct AdminUser(pub(crate) Session);

impl FromRequest for AdminUser {
    type Error = ConsoleError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(signed_in(req).and_then(|s| {
            if s.admin {
                Ok(AdminUser(s))
            } else {
                Err(ConsoleError::NotAdmin)
            }
        }))
    }
}

/// Fails unless `given` is the session's CSRF token.
fn check_csrf(session: &Session, given: &str) -> Result<(), ConsoleError> {
    if tokens_match(&session.csrf, given) {
        Ok(())
    } else {
        Err(ConsoleError::Csrf)
    }
}

/// Fails unless the request's `X-CSRF-Token` header is the session's token.
fn check_csrf_header(session: &Session, req: &HttpRequest) -> Result<(), ConsoleError> {
    let given = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    check_csrf(session, given)
}

/// A redirect after a form was handled.
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .finish()
}

/// `/bucket` or `/bucket/key` as a decoded S3 path.
fn s3_path(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("/{bucket}/{key}"),
        None => format!("/{bucket}"),
    }
}
