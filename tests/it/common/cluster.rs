//! README's cluster as real processes: storage nodes (the first of them
//! also meta nodes, the rest storage-only) and a gateway-only node (last),
//! on consecutive loopback addresses.

use std::net::{IpAddr, SocketAddr};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::Client;

use super::node::{node_list, NodeProcess, NodeTls};
use super::sdk::client_at;
use super::store::{ACCESS_KEY, SECRET_KEY};
use predastore::transport::tls::init_cluster_dir;

/// The storage nodes (meta ones first), then the gateway.
pub struct Cluster {
    /// Storage nodes 1..=`storage` (ids `i + 1`; the first `meta` of them
    /// `storage,meta`, the others `storage`), then the gateway (last).
    pub nodes: Vec<NodeProcess>,
    /// How many of the first nodes are meta nodes.
    pub meta: usize,
    /// How many nodes are storage nodes (meta ones included).
    pub storage: usize,
    /// Environment every node got (the test's and the cluster's own).
    common: Vec<(String, String)>,
    certs: tempfile::TempDir,
    data: tempfile::TempDir,
}

/// Node certificates made beyond the cluster's own, for nodes a test
/// starts later ([`Cluster::new_node`]).
pub const SPARE_NODES: usize = 2;

impl Cluster {
    /// Starts three `storage,meta` nodes and a gateway on
    /// 127.0.0.`first_ip`.. with 2+1 coding and `env` on every node.
    pub fn start(first_ip: u8, env: &[(&str, &str)]) -> Self {
        Self::start_with(first_ip, 3, 0, "2+1", env)
    }

    /// Starts `storage_meta` `storage,meta` nodes, then `storage_only`
    /// `storage` nodes, then a gateway, on consecutive addresses from
    /// 127.0.0.`first_ip`, with erasure coding `ec` and `env` on every
    /// node. Every storage node is listed in `PREDASTORE_STORAGE_NODES`,
    /// the meta ones in `PREDASTORE_META_PEERS`.
    pub fn start_with(
        first_ip: u8,
        storage_meta: usize,
        storage_only: usize,
        ec: &str,
        env: &[(&str, &str)],
    ) -> Self {
        assert!(storage_meta >= 1, "a cluster needs a meta node");
        let storage = storage_meta + storage_only;
        let total = storage + 1;
        let certs = tempfile::tempdir().expect("tempdir");
        init_cluster_dir(certs.path(), total + SPARE_NODES, &[]).expect("certs");
        let data = tempfile::tempdir().expect("tempdir");
        let mut common = vec![
            ("PREDASTORE_EC", ec),
            ("PREDASTORE_ACCESS_KEY", ACCESS_KEY),
            ("PREDASTORE_SECRET_KEY", SECRET_KEY),
        ];
        common.extend_from_slice(env);
        let mut nodes: Vec<NodeProcess> = (0..total)
            .map(|i| {
                NodeProcess::new(
                    IpAddr::from([127, 0, 0, first_ip + i as u8]),
                    &data.path().join(format!("n{}", i + 1)),
                    NodeTls::in_dir(certs.path(), i),
                    &common,
                )
            })
            .collect();
        let meta_peers = node_list(&nodes[..storage_meta]);
        let storage_nodes = node_list(&nodes[..storage]);
        for (i, node) in nodes.iter_mut().enumerate() {
            let role = if i < storage_meta {
                "storage,meta"
            } else if i < storage {
                "storage"
            } else {
                "gateway"
            };
            node.set_env("PREDASTORE_ROLE", role);
            node.set_env("PREDASTORE_NODE_ID", &(i + 1).to_string());
            node.set_env("PREDASTORE_META_PEERS", &meta_peers);
            node.set_env("PREDASTORE_STORAGE_NODES", &storage_nodes);
        }
        for node in &mut nodes {
            node.spawn();
        }
        Self {
            nodes,
            meta: storage_meta,
            storage,
            common: common
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            certs,
            data,
        }
    }

    /// A node that is not part of the cluster yet (not started): spare
    /// certificate `spare` (below [`SPARE_NODES`]), node id `id`, on
    /// 127.0.0.`ip`, role `role`, with the cluster's environment and its
    /// meta peers (no storage node list: it learns the layout from Raft).
    pub fn new_node(&self, spare: usize, id: u64, ip: u8, role: &str) -> NodeProcess {
        assert!(spare < SPARE_NODES, "only {SPARE_NODES} spare certificates");
        let common: Vec<(&str, &str)> = self
            .common
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut node = NodeProcess::new(
            IpAddr::from([127, 0, 0, ip]),
            &self.data.path().join(format!("n{id}")),
            NodeTls::in_dir(self.certs.path(), self.nodes.len() + spare),
            &common,
        );
        node.set_env("PREDASTORE_ROLE", role);
        node.set_env("PREDASTORE_NODE_ID", &id.to_string());
        // A meta node lists itself too (after the others: the lowest id
        // created the group, and a newcomer waits to be added).
        let mut peers = node_list(&self.nodes[..self.meta]);
        if role.contains("meta") {
            peers.push_str(&format!(",{id}@{}", node.quic));
        }
        node.set_env("PREDASTORE_META_PEERS", &peers);
        node
    }

    /// The gateway-only node (the last one).
    pub fn gateway_node(&self) -> &NodeProcess {
        self.nodes.last().expect("a cluster has a gateway")
    }

    /// The gateway's HTTP address (S3 and `/metrics`).
    pub fn gateway_http(&self) -> SocketAddr {
        self.gateway_node().http
    }

    /// An SDK client of the gateway that tries each request `attempts` times.
    pub fn gateway(&self, attempts: u32) -> Client {
        client_at(
            &format!("http://{}", self.gateway_http()),
            RetryConfig::standard().with_max_attempts(attempts),
        )
    }

    /// HTTP addresses of the meta nodes (running or not).
    pub fn meta_https(&self) -> Vec<SocketAddr> {
        self.nodes[..self.meta].iter().map(|n| n.http).collect()
    }

    /// HTTP addresses of the storage nodes (running or not).
    pub fn storage_https(&self) -> Vec<SocketAddr> {
        self.nodes[..self.storage].iter().map(|n| n.http).collect()
    }

    /// The running meta node that says it leads the metadata group.
    pub fn leader(&self) -> Option<usize> {
        (0..self.meta).find(|&i| {
            self.nodes[i].is_running()
                && self.nodes[i].metric("predastore_raft_is_leader") == Some(1.0)
        })
    }
}
