//! Three (or more) real meta-node processes on 127.0.0.x, and this test
//! process as a gateway that forwards to them through its own Consensus
//! actor over the cluster transport.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use actix::prelude::*;

use super::node::{node_list, NodeProcess, NodeTls};
use predastore::meta::{Consensus, ConsensusConfig};
use predastore::transport::endpoint::{self, EndpointRuntime, QuicSettings};
use predastore::transport::tls::{init_cluster_dir, TlsMaterial};
use predastore::transport::{PeerClient, Pool, PoolConfig};

/// A metadata group of real processes.
pub struct MetaCluster {
    /// The nodes; node `i` has id `i + 1`.
    pub nodes: Vec<NodeProcess>,
    certs: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl MetaCluster {
    /// Starts `n` meta nodes (ids 1..=n on 127.0.0.2, .3, …) with `env`
    /// on top of the defaults.
    pub fn start(n: usize, env: &[(&str, &str)]) -> Self {
        let certs = tempfile::tempdir().expect("tempdir");
        // One identity more than nodes: the test's own client.
        init_cluster_dir(certs.path(), n + 1, &[]).expect("certs");
        let data = tempfile::tempdir().expect("tempdir");
        let mut nodes: Vec<NodeProcess> = (0..n)
            .map(|i| {
                let ip = IpAddr::from([127, 0, 0, 2 + i as u8]);
                NodeProcess::new(
                    ip,
                    &data.path().join(format!("n{}", i + 1)),
                    NodeTls::in_dir(certs.path(), i),
                    env,
                )
            })
            .collect();
        let peers = node_list(&nodes);
        for (i, node) in nodes.iter_mut().enumerate() {
            node.set_env("PREDASTORE_ROLE", "meta");
            node.set_env("PREDASTORE_NODE_ID", &(i + 1).to_string());
            node.set_env("PREDASTORE_META_PEERS", &peers);
        }
        for node in &mut nodes {
            node.spawn();
        }
        Self {
            nodes,
            certs,
            _data: data,
        }
    }

    /// (id, transport address) of every node.
    pub fn peers(&self) -> Vec<(u64, SocketAddr)> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u64 + 1, n.quic))
            .collect()
    }

    /// Index into `nodes` of the running node that reports it leads, if any.
    pub fn leader(&self) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.is_running() && n.metric("predastore_raft_is_leader") == Some(1.0))
    }

    /// Waits up to `limit` for a leader.
    pub fn wait_leader(&self, limit: Duration) -> Option<usize> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(l) = self.leader() {
                return Some(l);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// A gateway-side client: a pool and a Consensus actor that forwards
    /// to this group. Call inside an actix system.
    pub fn client(&self, op_timeout: Duration) -> MetaClient {
        self.client_of(op_timeout, self.peers())
    }

    /// A gateway-side client that knows only node `i`: everything it sends
    /// goes there, whoever leads.
    pub fn client_pinned_to(&self, op_timeout: Duration, i: usize) -> MetaClient {
        let peer = self.peers()[i];
        self.client_of(op_timeout, vec![peer])
    }

    fn client_of(&self, op_timeout: Duration, peers: Vec<(u64, SocketAddr)>) -> MetaClient {
        let n = self.nodes.len();
        let material = TlsMaterial::load(
            &self.certs.path().join("ca.pem"),
            &self.certs.path().join(format!("node{n}.pem")),
            &self.certs.path().join(format!("node{n}-key.pem")),
        )
        .expect("client tls");
        let rt = endpoint::runtime(1).expect("runtime");
        let quic = endpoint::start_client(
            rt.handle(),
            ([127, 0, 0, 1], 0).into(),
            &material,
            &QuicSettings::default(),
        )
        .expect("client");
        let cfg = PoolConfig {
            dial_timeout: Duration::from_millis(500),
            rpc_timeout: Duration::from_secs(2),
            keep_alive: true,
        };
        let limits = ConsensusConfig {
            op_timeout,
            ..ConsensusConfig::default()
        };
        let pool = PeerClient::new(Pool::new(quic, cfg).start(), cfg.rpc_timeout);
        let peers = peers
            .into_iter()
            .map(|(id, addr)| (id, addr.into()))
            .collect();
        let consensus = Consensus::new(1000, None, Some(pool), peers, limits).start();
        MetaClient { consensus, _rt: rt }
    }
}

/// The gateway side of a test.
pub struct MetaClient {
    /// Where ops and reads go.
    pub consensus: Addr<Consensus>,
    _rt: EndpointRuntime,
}
