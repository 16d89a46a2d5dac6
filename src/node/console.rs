//! The web console's start on a gateway: its own listener, off unless
//! asked for or the `all` role's default port is free.

use std::sync::Arc;

use actix_web::web;

use crate::admin::service::AdminService;
use crate::api::listener::HttpsIdentity;
use crate::api::Gateway;
use crate::config::{Config, ConfigError, ConsoleListen};
use crate::console::{self, Console, ConsoleSettings};
use crate::error::Error;

/// The web console, when configured and its address can be had (a taken
/// default port is a warning; a taken chosen one stops start-up).
pub(super) fn start(
    cfg: &Config,
    gateway: web::Data<Gateway>,
    admin: Arc<AdminService>,
    https: Option<Arc<HttpsIdentity>>,
) -> Result<Option<actix_server::Server>, Error> {
    let (addr, chosen) = match cfg.console()? {
        ConsoleListen::Off => return Ok(None),
        ConsoleListen::Default(addr) => (addr, false),
        ConsoleListen::At(addr) => (addr, true),
    };
    let listener = match std::net::TcpListener::bind(addr) {
        Ok(listener) => listener,
        Err(e) if !chosen => {
            tracing::warn!(%addr, error = %e, "web console off: its default address is taken (set PREDASTORE_CONSOLE_LISTEN)");
            return Ok(None);
        }
        Err(e) => {
            return Err(Error::Config(ConfigError(format!(
                "PREDASTORE_CONSOLE_LISTEN: cannot listen on {addr}: {e}"
            ))))
        }
    };
    let (s3_url, grafana_url) = cfg.console_links();
    let settings = ConsoleSettings {
        s3_listen: cfg.http.listen,
        region: cfg.http.region.clone(),
        https: https.clone(),
        s3_url,
        grafana_url,
    };
    let console = Console::new(settings, gateway, admin)
        .map_err(|e| Error::Config(ConfigError(format!("web console: {e}"))))?;
    let console = web::Data::new(console);
    let scheme = if https.is_some() { "https" } else { "http" };
    tracing::info!(listen = %addr, scheme, "web console");
    Ok(Some(console::serve(listener, console, https)?))
}
