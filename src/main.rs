//! The `predastore` binary: one process, its roles from `PREDASTORE_ROLE`.

use actix_web::{web, App, HttpServer};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

use std::path::PathBuf;
use std::sync::Arc;

use actix::Actor;
use predastore::actors::consensus::Consensus;
use predastore::actors::shard_server::StorageService;
use predastore::actors::storage_node::StorageNode;
use predastore::config::{Config, TlsSource};
use predastore::error::Error;
use predastore::net::tls::{self, TlsMaterial};
use predastore::net::{endpoint, rpc};
use predastore::storage::raft::group::{export_metrics, start_single_node};

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
    /// Cluster TLS material.
    Tls {
        #[command(subcommand)]
        command: TlsCommand,
    },
}

#[derive(Subcommand)]
enum TlsCommand {
    /// Write a cluster CA and node certificates into DIR (ca.pem,
    /// node<i>.pem, node<i>-key.pem) for PREDASTORE_TLS_CA/_CERT/_KEY.
    Init {
        /// Output directory.
        dir: PathBuf,
        /// Number of node certificates.
        #[arg(long, default_value_t = 3)]
        nodes: usize,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Some(Command::Tls {
        command: TlsCommand::Init { dir, nodes },
    }) = &cli.command
    {
        match tls::init_cluster_dir(dir, *nodes) {
            Ok(()) => println!(
                "wrote a cluster CA and {nodes} node certificates to {}",
                dir.display()
            ),
            Err(e) => {
                eprintln!("predastore: {e}");
                std::process::exit(1);
            }
        }
        return;
    }
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
    let result = actix_web::rt::System::new().block_on(serve(cfg));
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
    // The cluster transport runs on a tokio runtime of its own.
    let quic = endpoint::runtime(cfg.quic_threads).map_err(transport)?;
    if let Some(node) = &node {
        let tls = match cfg.tls()? {
            TlsSource::Files { ca, cert, key } => TlsMaterial::load(&ca, &cert, &key),
            TlsSource::Dev(dir) => TlsMaterial::dev(&dir),
        }
        .map_err(transport)?;
        let reset_key = endpoint::reset_key(&cfg.data_dir).map_err(transport)?;
        let server =
            endpoint::start_server(quic.handle(), cfg.quic_listen, &tls, &cfg.quic(), reset_key)
                .map_err(transport)?;
        let service = Arc::new(StorageService::new(node.as_ref().clone()));
        let idle = rpc::Idle(std::time::Duration::from_millis(cfg.rpc_timeout_ms));
        rpc::serve(server, service, quic.handle(), idle);
        tracing::info!(quic = %cfg.quic_listen, "shard server listening");
    }
    // The metadata group: for now the one-node group of the all-in-one
    // role (the Raft network between meta nodes is not built yet).
    let meta = if roles.meta {
        let dir = cfg.data_dir.join("meta");
        let node_id = cfg.node_id;
        let (raft, _state) = quic
            .handle()
            .spawn(async move { start_single_node(&dir, node_id).await })
            .await
            .map_err(|e| Error::Meta(e.to_string()))?
            .map_err(Error::Meta)?;
        quic.handle().spawn(export_metrics(raft.clone(), node_id));
        let consensus = Consensus::new(raft.clone(), 100_000).start();
        tracing::info!(node = node_id, "metadata group started (one node)");
        Some((raft, consensus))
    } else {
        None
    };
    tracing::info!(listen = %cfg.listen, role = %cfg.role, "serving");
    let app_node = node.clone();
    let server = HttpServer::new(move || {
        let app = App::new().configure(predastore::api::configure);
        match &app_node {
            Some(node) => app.app_data(node.clone()),
            None => app,
        }
    })
    // Our own signal handling: actix-server's would stop the whole actix
    // System before the storage node had its last sync.
    .disable_signals()
    .bind(cfg.listen)?
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        wait_for_stop_signal().await;
        tracing::info!("stopping");
        handle.stop(true).await;
    });
    server.await?;
    if let Some((raft, _consensus)) = meta {
        let shutdown = quic.handle().spawn(async move { raft.shutdown().await });
        if !matches!(shutdown.await, Ok(Ok(()))) {
            tracing::warn!("metadata group did not shut down cleanly");
        }
    }
    if let Some(node) = node {
        node.into_inner().as_ref().clone().shutdown().await?;
    }
    drop(quic);
    tracing::info!("stopped");
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

fn transport(e: predastore::net::NetError) -> Error {
    Error::Transport(e)
}
