//! README's cluster as real processes: three `storage,meta` nodes and a
//! gateway-only node (last), on four consecutive loopback addresses.

use std::net::IpAddr;

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::Client;

use super::node::{node_list, NodeProcess, NodeTls};
use super::sdk::client_at;
use super::store::{ACCESS_KEY, SECRET_KEY};
use predastore::net::tls::init_cluster_dir;

/// The storage and meta nodes, then the gateway.
pub struct Cluster {
    /// Nodes 1–3 (`storage,meta`) and the gateway (index 3).
    pub nodes: Vec<NodeProcess>,
    _certs: tempfile::TempDir,
    _data: tempfile::TempDir,
}

impl Cluster {
    /// Starts the four nodes on 127.0.0.`first_ip`.. with 2+1 coding and
    /// `env` on every node.
    pub fn start(first_ip: u8, env: &[(&str, &str)]) -> Self {
        let certs = tempfile::tempdir().expect("tempdir");
        init_cluster_dir(certs.path(), 4).expect("certs");
        let data = tempfile::tempdir().expect("tempdir");
        let mut common = vec![
            ("PREDASTORE_EC", "2+1"),
            ("PREDASTORE_ACCESS_KEY", ACCESS_KEY),
            ("PREDASTORE_SECRET_KEY", SECRET_KEY),
        ];
        common.extend_from_slice(env);
        let mut nodes: Vec<NodeProcess> = (0..4)
            .map(|i| {
                NodeProcess::new(
                    IpAddr::from([127, 0, 0, first_ip + i as u8]),
                    &data.path().join(format!("n{}", i + 1)),
                    NodeTls::in_dir(certs.path(), i),
                    &common,
                )
            })
            .collect();
        let peers = node_list(&nodes[..3]);
        for (i, node) in nodes.iter_mut().enumerate() {
            let role = if i < 3 { "storage,meta" } else { "gateway" };
            node.set_env("PREDASTORE_ROLE", role);
            node.set_env("PREDASTORE_NODE_ID", &(i + 1).to_string());
            node.set_env("PREDASTORE_META_PEERS", &peers);
            node.set_env("PREDASTORE_STORAGE_NODES", &peers);
        }
        for node in &mut nodes {
            node.spawn();
        }
        Self {
            nodes,
            _certs: certs,
            _data: data,
        }
    }

    /// An SDK client of the gateway that tries each request `attempts` times.
    pub fn gateway(&self, attempts: u32) -> Client {
        client_at(
            &format!("http://{}", self.nodes[3].http),
            RetryConfig::standard().with_max_attempts(attempts),
        )
    }
}
