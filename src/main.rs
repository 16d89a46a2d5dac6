//! The `predastore` binary: one process, its roles from `PREDASTORE_ROLE`.

use actix_web::{web, App};
use clap::{Parser, Subcommand};
use tracing_subscriber::filter::{filter_fn, FilterExt};
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix::Actor;
use predastore::admin::service::AdminService;
use predastore::actors::consensus::network::QuicNetwork;
use predastore::actors::consensus::service::{MetaService, RaftService};
use predastore::actors::consensus::{Consensus, ConsensusConfig, LocalRaft, Submit};
use predastore::object::service::now_ms;
use predastore::object::{ObjectCoordinator, ObjectLimits, ObjectService};
use predastore::actors::pool::{PeerClient, Pool};
use predastore::actors::repair::{LeaderCheck, Repair};
use predastore::actors::ring::Ring;
use predastore::cluster::layout::{layout_members, seed_layout};
use predastore::actors::wal::server::StorageService;
use predastore::actors::wal::node::StorageNode;
use predastore::admin::api::AdminApi;
use predastore::api::client_errors::{is_http_client_error, ClientErrorLayer};
use predastore::console::{self, Console, ConsoleSettings};
use predastore::api::listener::{self, HttpsIdentity, ListenerConfig};
use predastore::api::Gateway;
use predastore::config::{is_raft_peer_noise, Config, ConfigError, ConsoleListen, TlsSource};
use predastore::error::Error;
use predastore::net::rpc::{MessageService, Services, ShardService};
use predastore::net::tls::{self, TlsMaterial};
use predastore::net::{endpoint, rpc};
use predastore::storage::meta::{AccessKey, MetaOp};
use predastore::storage::raft::group::{export_metrics, start_group};

/// mimalloc: requests allocate many small, short-lived buffers across
/// threads, where glibc malloc took about a tenth of the CPU. Built without
/// transparent huge pages (`no_thp`): with them, the memory freed after a
/// burst of large GETs stayed resident in 2 MiB pages (peak RSS 245 → 170
/// MiB in the bench's 1 GiB phase).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Operate a running cluster through a gateway's admin API
    /// (PREDASTORE_ADMIN_URL, PREDASTORE_ADMIN_TOKEN).
    Admin(predastore::admin::cli::AdminArgs),
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
        /// Also write an HTTPS certificate for this host name or IP address
        /// (https.pem, https-key.pem, signed by ca.pem) for
        /// PREDASTORE_HTTPS_CERT/_KEY; repeat for several.
        #[arg(long = "https-host")]
        https_hosts: Vec<String>,
    },
}

/// Time a client has to send a request's line and headers.
const REQUEST_HEAD_TIMEOUT: Duration = Duration::from_secs(10);

fn main() {
    let cli = Cli::parse();
    if let Some(Command::Admin(args)) = cli.command {
        std::process::exit(predastore::admin::cli::run(args));
    }
    if let Some(Command::Tls {
        command:
            TlsCommand::Init {
                dir,
                nodes,
                https_hosts,
            },
    }) = &cli.command
    {
        match tls::init_cluster_dir(dir, *nodes, https_hosts) {
            Ok(()) => println!(
                "wrote a cluster CA, {nodes} node certificates{} to {}",
                if https_hosts.is_empty() {
                    ""
                } else {
                    " and an HTTPS certificate"
                },
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
    let filter = EnvFilter::try_new(&cfg.log).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                // Colours only for a person at a terminal, never in files
                // or log collectors.
                .with_ansi(std::io::stdout().is_terminal())
                .with_filter(filter.and(filter_fn(|m| {
                    !is_raft_peer_noise(m) && !is_http_client_error(m)
                }))),
        )
        .with(ClientErrorLayer)
        .init();
    // A certificate that cannot be served stops start-up before anything
    // else starts.
    let https = match https_identity(&cfg) {
        Ok(https) => https,
        Err(e) => {
            eprintln!("predastore: {e}");
            std::process::exit(2);
        }
    };
    let result = actix_web::rt::System::new().block_on(serve(cfg, https));
    if let Err(e) = result {
        tracing::error!("{e}");
        eprintln!("predastore: {e}");
        std::process::exit(1);
    }
}

/// The S3 endpoint's HTTPS identity, when configured, watched for renewals.
fn https_identity(cfg: &Config) -> Result<Option<Arc<HttpsIdentity>>, Error> {
    let Some((cert, key)) = cfg.https()? else {
        return Ok(None);
    };
    let identity = HttpsIdentity::load(&cert, &key)?;
    identity.watch();
    Ok(Some(identity))
}

async fn serve(cfg: Config, https: Option<Arc<HttpsIdentity>>) -> Result<(), Error> {
    let roles = cfg.roles();
    let meta_peers = cfg.meta_peers();
    let node = if roles.storage {
        let storage = cfg.storage();
        tracing::info!(volumes = storage.volumes.len(), fsync = ?storage.fsync, "starting storage node");
        let node = StorageNode::start(&storage)?;
        node.start_scrubber(cfg.scrub());
        Some(web::Data::new(node))
    } else {
        None
    };
    // The cluster transport runs on a tokio runtime of its own.
    let quic = endpoint::runtime(cfg.quic_threads).map_err(transport)?;
    let tls = match cfg.tls()? {
        TlsSource::Files { ca, cert, key } => TlsMaterial::load(&ca, &cert, &key),
        TlsSource::Dev(dir) => TlsMaterial::dev(&dir),
    }
    .map_err(transport)?;
    let client = endpoint::start_client(quic.handle(), cfg.quic_listen, &tls, &cfg.quic())
        .map_err(transport)?;
    let pool = cfg.pool();
    let peers = PeerClient::new(Pool::new(client, pool).start(), pool.rpc_timeout);
    // The failure detector probes every other member from the start.
    let mut watched: Vec<_> = meta_peers.iter().map(|(_, addr)| *addr).collect();
    watched.extend(cfg.storage_nodes().into_values());
    watched.retain(|addr| *addr != cfg.quic_listen);
    watched.sort();
    watched.dedup();
    peers.watch(watched);

    // This node's member of the metadata group.
    let local = if roles.meta {
        let mut members: BTreeMap<u64, String> = meta_peers
            .iter()
            .map(|(id, addr)| (*id, addr.to_string()))
            .collect();
        if members.is_empty() {
            members.insert(cfg.node_id, cfg.quic_listen.to_string());
        }
        let (dir, node_id, every) = (
            cfg.data_dir.join("meta"),
            cfg.node_id,
            cfg.raft_snapshot_every,
        );
        let network = QuicNetwork::new(peers.clone());
        let (raft, state) = quic
            .handle()
            .spawn(async move { start_group(&dir, node_id, &members, network, every).await })
            .await
            .map_err(|e| Error::Meta(e.to_string()))?
            .map_err(Error::Meta)?;
        quic.handle().spawn(export_metrics(raft.clone(), node_id));
        tracing::info!(
            node = node_id,
            members = meta_peers.len().max(1),
            "metadata group member started"
        );
        Some(LocalRaft { raft, state })
    } else {
        None
    };
    let consensus = (roles.meta || roles.gateway).then(|| {
        let limits = ConsensusConfig {
            op_timeout: Duration::from_millis(cfg.meta_op_timeout_ms),
            ..ConsensusConfig::default()
        };
        Consensus::new(
            cfg.node_id,
            local.clone(),
            Some(peers.clone()),
            meta_peers.clone(),
            limits,
        )
        .start()
    });

    if roles.storage || roles.meta {
        let reset_key = endpoint::reset_key(&cfg.data_dir).map_err(transport)?;
        let server =
            endpoint::start_server(quic.handle(), cfg.quic_listen, &tls, &cfg.quic(), reset_key)
                .map_err(transport)?;
        let services = Services {
            shards: node.as_ref().map(|node| {
                Arc::new(StorageService::new(node.as_ref().clone())) as Arc<dyn ShardService>
            }),
            raft: local
                .as_ref()
                .map(|l| Arc::new(RaftService::new(l.raft.clone())) as Arc<dyn MessageService>),
            meta: consensus
                .as_ref()
                .filter(|_| roles.meta)
                .map(|c| Arc::new(MetaService::new(c.clone())) as Arc<dyn MessageService>),
        };
        let idle = rpc::Idle(Duration::from_millis(cfg.rpc_timeout_ms));
        rpc::serve(server, services, quic.handle(), idle);
        tracing::info!(quic = %cfg.quic_listen, "cluster transport listening");
    }
    tracing::info!(listen = %cfg.listen, role = %cfg.role, "serving");
    // The object service, for the gateway and for repair: every meta node
    // runs it (a meta-only node learns the storage nodes from the layout
    // in Raft; until there are any, its repair has nothing to do).
    let objects = match &consensus {
        Some(consensus) if roles.gateway || roles.meta => Some(start_objects(
            &cfg,
            consensus.clone(),
            node.as_ref().map(|n| n.get_ref()),
            peers.clone(),
        )?),
        _ => None,
    };
    if let (Some(objects), Some(local)) = (&objects, &local) {
        let (raft, me) = (local.raft.clone(), cfg.node_id);
        let is_leader: LeaderCheck =
            Arc::new(move || raft.metrics().borrow().current_leader == Some(me));
        Repair::new(objects.clone(), is_leader, cfg.repair()).start();
    }
    let gateway =
        match (&objects, &consensus) {
            (Some(objects), Some(consensus)) if roles.gateway => Some(web::Data::new(
                start_gateway(&cfg, consensus.clone(), objects.clone()),
            )),
            _ => None,
        };
    let admin = match (&gateway, &consensus) {
        (Some(gw), Some(consensus)) => {
            if cfg.admin_token().is_none() {
                tracing::info!("admin API off: PREDASTORE_ADMIN_TOKEN is not set");
            }
            Some(web::Data::new(AdminApi {
                token: cfg.admin_token().map(str::to_string),
                service: Arc::new(AdminService::new(
                    gw.objects.clone(),
                    consensus.clone(),
                    peers.clone(),
                    cfg.access_key.clone(),
                )),
            }))
        }
        _ => None,
    };
    let console = match (&gateway, &admin) {
        (Some(gw), Some(admin)) => {
            start_console(&cfg, gw.clone(), admin.service.clone(), https.clone())?
        }
        _ => None,
    };
    let app_node = node.clone();
    let expect_gateway = gateway.clone();
    let app = move || {
        let mut app = App::new();
        if let Some(node) = &app_node {
            app = app.app_data(node.clone());
        }
        if let Some(admin) = &admin {
            app = app.app_data(admin.clone());
        }
        let app = app.wrap(actix_web::middleware::from_fn(listener::restore_head));
        match &gateway {
            Some(gw) => app
                .app_data(gw.clone())
                .configure(predastore::api::configure)
                .configure(predastore::admin::api::configure)
                .configure(predastore::api::configure_s3),
            None => app.configure(predastore::api::configure),
        }
    };
    let listener_config = ListenerConfig {
        workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
        // A client must send its request head within this time (slow-header
        // clients are cut off).
        head_timeout: REQUEST_HEAD_TIMEOUT,
    };
    let scheme = if https.is_some() { "https" } else { "http" };
    tracing::info!(listen = %cfg.listen, scheme, "S3 endpoint");
    let server = listener::serve(
        std::net::TcpListener::bind(cfg.listen)?,
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
    drop(consensus);
    if let Some(LocalRaft { raft, .. }) = local {
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

/// The object service over this node's storage and the storage nodes
/// listed: what the S3 gateway and repair both drive.
fn start_objects(
    cfg: &Config,
    consensus: actix::Addr<Consensus>,
    node: Option<&StorageNode>,
    peers: PeerClient,
) -> Result<Arc<ObjectService>, Error> {
    let layout = cfg.erasure();
    // The configured storage nodes seed the first layout; from then on the
    // layout in Raft decides (the ring follows it).
    let storage_nodes = cfg.storage_nodes();
    let seed = (!storage_nodes.is_empty()).then(|| seed_layout(storage_nodes));
    let members = seed.as_ref().map(layout_members).unwrap_or_default();
    let config_error = |e: String| {
        Error::Config(ConfigError(format!(
            "PREDASTORE_EC / PREDASTORE_STORAGE_NODES: {e}"
        )))
    };
    let (ring, ring_view) = Ring::new(members).map_err(|e| config_error(e.to_string()))?;
    ring.follow(consensus.clone(), seed, peers.clone(), cfg.quic_listen)
        .start();
    let coordinator = ObjectCoordinator::new(node.cloned(), cfg.node_id, ring_view, peers, layout)
        .map_err(|e| config_error(e.to_string()))?;
    let limits = ObjectLimits {
        max_object_bytes: cfg.max_object_bytes,
        inline_bytes: cfg.inline_bytes()?,
        drop_grace: Duration::from_millis(cfg.drop_grace_ms),
    };
    let objects = Arc::new(ObjectService::new(consensus, coordinator, limits));
    objects.start_drops();
    Ok(objects)
}

/// The S3 gateway over `objects`; the configured access key is recorded
/// in metadata in the background.
fn start_gateway(
    cfg: &Config,
    consensus: actix::Addr<Consensus>,
    objects: Arc<ObjectService>,
) -> Gateway {
    // The configured key's user (the first admin) is named by its id.
    let key = AccessKey {
        access_key_id: cfg.access_key.clone(),
        secret: cfg.secret_key.clone(),
        created_ms: now_ms(),
        user_id: cfg.access_key.clone(),
        display_name: cfg.access_key.clone(),
        email: None,
    };
    actix_web::rt::spawn(async move {
        match consensus.send(Submit(MetaOp::PutAccessKey { key })).await {
            Ok(Ok(Ok(_))) => {}
            other => {
                tracing::warn!(result = ?other.map(|r| r.map(|_| ())), "could not record the access key in metadata")
            }
        }
    });
    tracing::info!(ec = %cfg.ec, access_key = %cfg.access_key, "S3 gateway ready");
    Gateway {
        objects,
        access_key: cfg.access_key.clone(),
        secret_key: cfg.secret_key.clone(),
        domain: cfg.domain.clone(),
        region: cfg.region.clone(),
        body_idle: Duration::from_millis(cfg.body_idle_timeout_ms),
    }
}

/// The web console, when configured and its address can be had (a taken
/// default port is a warning; a taken chosen one stops start-up).
fn start_console(
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
        s3_listen: cfg.listen,
        region: cfg.region.clone(),
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
