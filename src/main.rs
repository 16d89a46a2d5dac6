//! The `predastore` binary: one process, its roles from `PREDASTORE_ROLE`.
//!
//! Parses the command line, loads the configuration, sets up the log and
//! hands over to [`predastore::serve`], which assembles the roles.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use predastore::transport::tls;
use predastore::Config;

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
    Admin(predastore::AdminArgs),
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
    /// Issue a node certificate from an existing CA (a store's own
    /// `<data dir>/tls`, or a `tls init` directory) into DIR, as the
    /// identity a node with data directory D reads from D/tls: how a
    /// single store takes more nodes.
    Node {
        /// Directory holding the CA (ca.pem, ca-key.pem).
        #[arg(long)]
        ca: PathBuf,
        /// Output directory (the new node's `<data dir>/tls`).
        dir: PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Some(Command::Admin(args)) = cli.command {
        std::process::exit(predastore::run_admin(args));
    }
    if let Some(Command::Tls { command }) = &cli.command {
        let done = match command {
            TlsCommand::Init {
                dir,
                nodes,
                https_hosts,
            } => tls::init_cluster_dir(dir, *nodes, https_hosts).map(|()| {
                format!(
                    "wrote a cluster CA, {nodes} node certificates{} to {}",
                    if https_hosts.is_empty() {
                        ""
                    } else {
                        " and an HTTPS certificate"
                    },
                    dir.display()
                )
            }),
            TlsCommand::Node { ca, dir } => tls::issue_node_dir(ca, dir).map(|()| {
                format!(
                    "wrote a node certificate from {} to {}",
                    ca.display(),
                    dir.display()
                )
            }),
        };
        match done {
            Ok(said) => println!("{said}"),
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
    predastore::init_logging(&cfg);
    // A certificate that cannot be served stops start-up before anything
    // else starts.
    let https = match predastore::https_identity(&cfg) {
        Ok(https) => https,
        Err(e) => {
            eprintln!("predastore: {e}");
            std::process::exit(2);
        }
    };
    let system = actix_web::rt::System::new();
    let result = system.block_on(predastore::serve(cfg, https));
    if let Err(e) = result {
        tracing::error!("{e}");
        eprintln!("predastore: {e}");
        // Exit with the runtime still alive: dropping it would poll the
        // actors started before the failure (an S3 port already in use)
        // outside any runtime, and they would panic on their way out.
        std::process::exit(1);
    }
    drop(system);
}
