//! The HTTP listener of every role (`/metrics`, `/health/*`; on a gateway
//! also S3 and the admin API), its HTTPS identity, and the stop signal
//! that ends it and the console.

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App};

use crate::actors::core::wal::node::StorageNode;
use crate::admin::api::AdminApi;
use crate::api::listener::{self, HttpsIdentity, ListenerConfig};
use crate::api::Gateway;
use crate::config::Config;
use crate::error::Error;

/// Time a client has to send a request's line and headers.
const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// The S3 endpoint's HTTPS identity, when configured, watched for renewals.
pub fn https_identity(cfg: &Config) -> Result<Option<Arc<HttpsIdentity>>, Error> {
    let Some((cert, key)) = cfg.https()? else {
        return Ok(None);
    };
    let identity = HttpsIdentity::load(&cert, &key)?;
    identity.watch();
    Ok(Some(identity))
}

/// What the HTTP listener serves, by role.
pub(super) struct Front {
    /// The storage node, for its health and metrics routes.
    pub(super) node: Option<web::Data<StorageNode>>,
    /// The S3 gateway, on a gateway.
    pub(super) gateway: Option<web::Data<Gateway>>,
    /// The admin API, beside the gateway.
    pub(super) admin: Option<web::Data<AdminApi>>,
    /// The web console's own server, started with this one.
    pub(super) console: Option<actix_server::Server>,
}

/// Serves `front` on `PREDASTORE_LISTEN` until SIGTERM or SIGINT, then
/// stops the console and this listener gracefully.
pub(super) async fn serve(
    cfg: &Config,
    front: Front,
    https: Option<Arc<HttpsIdentity>>,
) -> Result<(), Error> {
    let Front {
        node,
        gateway,
        admin,
        console,
    } = front;
    let expect_gateway = gateway.clone();
    let app = move || {
        let mut app = App::new();
        if let Some(node) = &node {
            app = app.app_data(node.clone());
        }
        if let Some(admin) = &admin {
            app = app.app_data(admin.clone());
        }
        let app = app.wrap(actix_web::middleware::from_fn(listener::restore_head));
        match &gateway {
            Some(gw) => app
                .app_data(gw.clone())
                .configure(crate::api::configure)
                .configure(crate::admin::api::configure)
                .configure(crate::api::configure_s3),
            None => app.configure(crate::api::configure),
        }
    };
    let listener_config = ListenerConfig {
        workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
        // A client must send its request head within this time (slow-header
        // clients are cut off).
        head_timeout: REQUEST_HEAD_TIMEOUT,
    };
    let scheme = if https.is_some() { "https" } else { "http" };
    tracing::info!(listen = %cfg.http.listen, scheme, "S3 endpoint");
    let server = listener::serve(
        std::net::TcpListener::bind(cfg.http.listen)?,
        listener_config,
        (expect_gateway, https),
        app,
    )?;
    let handle = server.handle();
    let console_handle = console.as_ref().map(|c| c.handle());
    if let Some(console) = console {
        actix_web::rt::spawn(console);
    }
    actix_web::rt::spawn(async move {
        wait_for_stop_signal().await;
        tracing::info!("stopping");
        if let Some(console) = console_handle {
            console.stop(true).await;
        }
        handle.stop(true).await;
    });
    server.await?;
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
async fn wait_for_stop_signal() {
    use actix_web::rt::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            futures::future::select(Box::pin(term.recv()), Box::pin(int.recv())).await;
        }
        _ => {
            tracing::error!("cannot listen for signals; stop with SIGKILL");
            futures::future::pending::<()>().await;
        }
    }
}
