//! What the console's pages share: its state ([`Console`]), the signed-in
//! user of a request, CSRF checks and redirects.

use std::future::{ready, Ready};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};

use super::error::ConsoleError;
use super::gateway::GatewayClient;
use super::session::{tokens_match, Session, Sessions, SESSION_COOKIE};
use crate::admin::service::AdminService;
use crate::api::listener::HttpsIdentity;
use crate::api::Gateway;

/// How the console is set up.
pub(crate) struct ConsoleSettings {
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
pub(crate) struct Console {
    pub(super) sessions: Sessions,
    pub(super) gateway: GatewayClient,
    pub(super) keys: web::Data<Gateway>,
    pub(super) admin: Arc<AdminService>,
    pub(super) secure: bool,
    pub(super) s3_port: u16,
    pub(super) s3_url: Option<String>,
    pub(super) grafana_url: Option<String>,
    pub(super) progress: Mutex<Peaks>,
}

impl Console {
    /// The console over this process's gateway and admin service; fails
    /// when no TLS client can be made for an HTTPS listener.
    pub(crate) fn new(
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
            progress: Mutex::new(Peaks::default()),
        })
    }

    /// Values every page's layout needs.
    pub(super) fn layout(&self, session: &Session) -> minijinja::Value {
        minijinja::context! {
            user => session.display_name,
            access_key => session.access_key,
            admin => session.admin,
            csrf => session.csrf,
            grafana_url => self.grafana_url,
        }
    }
}

/// The largest heal queue and rebalance backlog seen since each last ran
/// dry: what their progress bars measure against.
#[derive(Default, Debug)]
pub(super) struct Peaks {
    pub(super) heal: u64,
    pub(super) rebalance: u64,
}

/// The console's shared state in a request.
pub(super) fn console(req: &HttpRequest) -> Result<&web::Data<Console>, ConsoleError> {
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

pub(super) fn signed_in(req: &HttpRequest) -> Result<Session, ConsoleError> {
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
pub(super) fn check_csrf(session: &Session, given: &str) -> Result<(), ConsoleError> {
    if tokens_match(&session.csrf, given) {
        Ok(())
    } else {
        Err(ConsoleError::Csrf)
    }
}

/// Fails unless the request's `X-CSRF-Token` header is the session's token.
pub(super) fn check_csrf_header(session: &Session, req: &HttpRequest) -> Result<(), ConsoleError> {
    let given = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    check_csrf(session, given)
}

/// A redirect after a form was handled.
pub(super) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .finish()
}

/// `/bucket` or `/bucket/key` as a decoded S3 path.
pub(super) fn s3_path(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("/{bucket}/{key}"),
        None => format!("/{bucket}"),
    }
}
