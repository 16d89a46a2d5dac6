//! The `predastore` binary: one process, its roles from `PREDASTORE_ROLE`.

use actix_web::{web, App, HttpServer};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use predastore::actors::storage_node::StorageNode;
use predastore::config::Config;
use predastore::error::Error;

#[derive(Parser)]
#[command(
    version,
    about = "predastore: a distributed, S3-compatible object store"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the roles named by PREDASTORE_ROLE (the default).
    Serve,
}

fn main() {
    let cli = Cli::parse();
    let cfg = match Config::from_env() {
        Ok(cfg) => cfg,
        Err(e) => {
            eprintln!("predastore: {e}");
            std::process::exit(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&cfg.log).unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => actix_web::rt::System::new().block_on(serve(cfg)),
    };
    if let Err(e) = result {
        tracing::error!("{e}");
        eprintln!("predastore: {e}");
        std::process::exit(1);
    }
}

async fn serve(cfg: Config) -> Result<(), Error> {
    let roles = cfg.roles()?;
    let node = if roles.storage {
        let storage = cfg.storage()?;
        tracing::info!(volumes = storage.volumes.len(), fsync = ?storage.fsync, "starting storage node");
        Some(web::Data::new(StorageNode::start(&storage)?))
    } else {
        None
    };
    tracing::info!(listen = %cfg.listen, role = %cfg.role, "serving");
    let app_node = node.clone();
    // Runs until SIGINT/SIGTERM, then finishes in-flight requests.
    HttpServer::new(move || {
        let app = App::new().configure(predastore::api::configure);
        match &app_node {
            Some(node) => app.app_data(node.clone()),
            None => app,
        }
    })
    .bind(cfg.listen)?
    .run()
    .await?;
    if let Some(node) = node {
        node.into_inner().as_ref().clone().shutdown().await?;
    }
    tracing::info!("stopped");
    Ok(())
}
