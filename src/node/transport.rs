//! The cluster transport of a process: the QUIC runtime, its TLS identity,
//! the connection pool every role dials through, and (on storage and meta
//! nodes) the endpoint that serves shards, Raft and metadata calls.

use std::sync::Arc;
use std::time::Duration;

use crate::actors::core::consensus::service::{MetaService, RaftService};
use crate::actors::core::consensus::{ConsensusClient, LocalRaft};
use crate::actors::core::pool::health::ProbeConfig;
use crate::actors::core::pool::{PeerClient, Pool};
use crate::actors::core::wal::node::StorageNode;
use crate::actors::core::wal::server::StorageService;
use crate::config::{Config, TlsSource};
use crate::error::Error;
use crate::net::endpoint::{self, EndpointRuntime};
use crate::net::server::{self, MessageService, Services};
use crate::net::shard::ShardService;
use crate::net::tls::TlsMaterial;
use crate::net::{NetError, PeerAddr};

use actix::Actor;

/// A transport failure at start-up.
pub(super) fn transport(e: NetError) -> Error {
    Error::Transport(e)
}

/// The transport every role shares.
pub(super) struct Transport {
    /// The tokio runtime the QUIC endpoints run on, apart from actix's.
    pub(super) quic: EndpointRuntime,
    /// This node's cluster identity, for the client and the server.
    pub(super) tls: TlsMaterial,
    /// Requests to peers, through the pool and its failure detector.
    pub(super) peers: PeerClient,
}

/// Starts the runtime, the client endpoint and the pool, and has the
/// failure detector probe every other configured member from the start.
pub(super) fn start(cfg: &Config) -> Result<Transport, Error> {
    // The cluster transport runs on a tokio runtime of its own.
    let quic = endpoint::runtime(cfg.transport.quic_threads).map_err(transport)?;
    let tls = match cfg.tls()? {
        TlsSource::Files { ca, cert, key } => TlsMaterial::load(&ca, &cert, &key),
        TlsSource::Dev(dir) => TlsMaterial::dev(&dir),
    }
    .map_err(transport)?;
    let listen = cfg.transport.quic_listen;
    let client =
        endpoint::start_client(quic.handle(), listen, &tls, &cfg.quic()).map_err(transport)?;
    let pool = cfg.pool();
    let mut probe = ProbeConfig::default();
    if cfg.transport.test_probe_interval_ms > 0 {
        probe.interval = Duration::from_millis(cfg.transport.test_probe_interval_ms);
        tracing::warn!(
            interval_ms = cfg.transport.test_probe_interval_ms,
            "PREDASTORE_TEST_PROBE_INTERVAL_MS set: the failure detector runs at another pace (tests only)"
        );
    }
    if let Some(hosts) = &cfg.transport.test_hosts {
        tracing::warn!(file = %hosts.display(), "PREDASTORE_TEST_HOSTS set: peers' names are read from this file first (tests only)");
        crate::net::addr::use_test_hosts(hosts.clone());
    }
    let pool = Pool::new(client, pool).with_probe(probe).start();
    let peers = PeerClient::new(pool, cfg.pool().rpc_timeout);
    // The failure detector probes every other member from the start.
    let mut watched: Vec<_> = cfg.meta_peers().iter().map(|(_, addr)| *addr).collect();
    watched.extend(cfg.storage_nodes().into_values());
    let own = cfg.own_addr();
    watched.retain(|addr| *addr != own && *addr != PeerAddr::from(listen));
    watched.sort();
    watched.dedup();
    peers.watch(watched);
    Ok(Transport { quic, tls, peers })
}

/// What the server endpoint of a storage or meta node serves.
pub(super) struct Served<'a> {
    /// The shard server, on a storage node.
    pub(super) node: Option<&'a StorageNode>,
    /// This node's Raft member, on a meta node.
    pub(super) local: Option<&'a LocalRaft>,
    /// Forwarded metadata ops and reads, on a meta node.
    pub(super) consensus: Option<&'a ConsensusClient>,
}

impl Transport {
    /// Listens on `PREDASTORE_QUIC_LISTEN` for what `served` offers.
    pub(super) fn serve(&self, cfg: &Config, served: Served<'_>) -> Result<(), Error> {
        let reset_key = endpoint::reset_key(&cfg.data_dir).map_err(transport)?;
        let listen = cfg.transport.quic_listen;
        let server = endpoint::start_server(
            self.quic.handle(),
            listen,
            &self.tls,
            &cfg.quic(),
            reset_key,
        )
        .map_err(transport)?;
        let services = Services {
            shards: served.node.map(|node| {
                let service = StorageService::new(node.clone(), self.peers.clone());
                Arc::new(service) as Arc<dyn ShardService>
            }),
            raft: served
                .local
                .map(|l| Arc::new(RaftService::new(l)) as Arc<dyn MessageService>),
            meta: served
                .consensus
                .map(|c| Arc::new(MetaService::new(c)) as Arc<dyn MessageService>),
        };
        let idle = crate::net::rpc::Idle(Duration::from_millis(cfg.transport.rpc_timeout_ms));
        server::serve(server, services, self.quic.handle(), idle);
        tracing::info!(quic = %listen, "cluster transport listening");
        Ok(())
    }
}
