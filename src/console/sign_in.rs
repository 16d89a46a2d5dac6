//! Signing in with an access key id and secret, and out.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::context::{check_csrf, console, see_other, Console, SignedIn};
use super::error::ConsoleError;
use super::render::{html, render_text};
use super::session::{
    cookie, random_token, tokens_match, Session, SESSION_COOKIE, SESSION_LIFETIME, SIGN_IN_COOKIE,
    SIGN_IN_LIFETIME,
};
use crate::api::auth::sigv4::AuthError;

/// Registers the routes.
pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/login", web::get().to(form))
        .route("/login", web::post().to(sign_in))
        .route("/logout", web::post().to(sign_out));
}

/// The sign-in form, with a fresh CSRF pair (a cookie and a field that
/// must match).
fn sign_in_page(console: &Console, status: StatusCode, error: Option<&str>) -> HttpResponse {
    let token = console.sessions.issue_sign_in();
    let context = minijinja::context! {
        csrf => token,
        error => error,
        grafana_url => console.grafana_url,
    };
    match render_text("sign_in.html", context) {
        Ok(body) => {
            let mut res = html(status, body);
            let pair = cookie(SIGN_IN_COOKIE, token, console.secure, SIGN_IN_LIFETIME);
            if let Err(e) = res.add_cookie(&pair) {
                tracing::warn!(error = %e, "console: sign-in cookie not set");
            }
            res
        }
        Err(e) => ConsoleError::Internal(e).error_response(),
    }
}

async fn form(req: HttpRequest) -> Result<HttpResponse, ConsoleError> {
    Ok(sign_in_page(console(&req)?, StatusCode::OK, None))
}

/// The sign-in form's fields.
#[derive(Deserialize)]
struct Credentials {
    access_key_id: String,
    secret: String,
    #[serde(default)]
    csrf: String,
}

async fn sign_in(
    req: HttpRequest,
    form: web::Form<Credentials>,
) -> Result<HttpResponse, ConsoleError> {
    let console = console(&req)?;
    // The pair must match and be one this console issued: a cookie
    // planted by someone else (a sibling site, a script) signs nobody in.
    let paired = req.cookie(SIGN_IN_COOKIE).is_some_and(|c| {
        tokens_match(c.value(), &form.csrf) && console.sessions.take_sign_in(c.value())
    });
    if !paired {
        return Err(ConsoleError::Csrf);
    }
    // A session cookie the browser brought (planted, or an old one) is
    // never taken over: it is closed, and a new id is issued below.
    if let Some(old) = req.cookie(SESSION_COOKIE) {
        console.sessions.close(old.value());
    }
    let client = req
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let key = match console.keys.key_for(form.access_key_id.trim()).await {
        Ok(key) => Some(key),
        // Not a wrong key: the store cannot tell now.
        Err(AuthError::KeysUnreadable) => {
            return Ok(sign_in_page(
                console,
                StatusCode::SERVICE_UNAVAILABLE,
                Some("The store cannot check keys right now; try again shortly."),
            ))
        }
        Err(_) => None,
    };
    // Temporary credentials do not sign in: the console's requests carry
    // no session token.
    let key = key.filter(|k| {
        k.session_token.is_none() && bool::from(k.secret.as_bytes().ct_eq(form.secret.as_bytes()))
    });
    let Some(key) = key else {
        let wait = console.sessions.failed(client);
        tracing::info!(%client, wait_s = wait.as_secs(), "console: failed sign-in");
        actix_web::rt::time::sleep(wait).await;
        return Ok(sign_in_page(
            console,
            StatusCode::UNAUTHORIZED,
            Some("Wrong access key id or secret."),
        ));
    };
    console.sessions.succeeded(client);
    let admin = key.caller.user_id == console.keys.access_key && key.caller.identity.is_none();
    tracing::info!(user = %key.caller.user_id, admin, "console: signed in");
    let id = console.sessions.open(Session {
        access_key: form.access_key_id.trim().to_string(),
        secret: key.secret,
        user_id: key.caller.user_id,
        display_name: key.caller.display_name,
        admin,
        csrf: random_token(),
        expires: std::time::Instant::now(),
    });
    let mut res = see_other("/buckets");
    let session = cookie(SESSION_COOKIE, id, console.secure, SESSION_LIFETIME);
    let spent = cookie(
        SIGN_IN_COOKIE,
        String::new(),
        console.secure,
        Duration::ZERO,
    );
    for c in [session, spent] {
        res.add_cookie(&c)
            .map_err(|e| ConsoleError::Internal(format!("cookie: {e}")))?;
    }
    Ok(res)
}

/// The sign-out form's field.
#[derive(Deserialize)]
struct SignOut {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(
    req: HttpRequest,
    SignedIn(session): SignedIn,
    form: web::Form<SignOut>,
) -> Result<HttpResponse, ConsoleError> {
    check_csrf(&session, &form.csrf)?;
    let console = console(&req)?;
    if let Some(id) = req.cookie(SESSION_COOKIE) {
        console.sessions.close(id.value());
    }
    let mut res = see_other("/login");
    let gone = cookie(
        SESSION_COOKIE,
        String::new(),
        console.secure,
        Duration::ZERO,
    );
    res.add_cookie(&gone)
        .map_err(|e| ConsoleError::Internal(format!("cookie: {e}")))?;
    Ok(res)
}
