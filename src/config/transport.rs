//! The cluster transport's settings: the QUIC endpoint's address and
//! tuning, and how long a peer may take to connect or answer.

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::actors::core::pool::PoolConfig;
use crate::net::endpoint::QuicSettings;

/// How this node talks to the other nodes over QUIC.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct TransportSettings {
    /// `PREDASTORE_QUIC_LISTEN`: the UDP address of this node's cluster
    /// transport (shards, Raft, metadata ops). Default `127.0.0.1:9100`.
    pub quic_listen: SocketAddr,
    /// `PREDASTORE_QUIC_IDLE_TIMEOUT_MS`: milliseconds after which an idle
    /// connection is closed; at least 1. Default 30000.
    pub quic_idle_timeout_ms: u64,
    /// `PREDASTORE_QUIC_KEEP_ALIVE`: whether pooled connections send
    /// keep-alives so they outlive the idle timeout. Default true.
    pub quic_keep_alive: bool,
    /// `PREDASTORE_QUIC_GSO`: whether UDP segmentation offload is used
    /// where the kernel offers it. Default true.
    pub quic_gso: bool,
    /// `PREDASTORE_QUIC_SOCKET_BUFFER_BYTES`: UDP socket buffer size asked
    /// of the kernel, in bytes. Default 8388608 (8 MiB).
    pub quic_socket_buffer_bytes: usize,
    /// `PREDASTORE_QUIC_STREAM_WINDOW_BYTES`: flow-control window of one
    /// stream, in bytes. Default 16777216 (16 MiB).
    pub quic_stream_window_bytes: u64,
    /// `PREDASTORE_QUIC_CONNECTION_WINDOW_BYTES`: flow-control window of a
    /// whole connection, in bytes. Default 67108864 (64 MiB).
    pub quic_connection_window_bytes: u64,
    /// `PREDASTORE_QUIC_MAX_MTU`: largest UDP payload, in bytes, MTU
    /// discovery may reach; at least 1200. Default 9000.
    pub quic_max_mtu: u16,
    /// `PREDASTORE_QUIC_THREADS`: worker threads of the transport's own
    /// tokio runtime. Default 2.
    pub quic_threads: usize,
    /// `PREDASTORE_DIAL_TIMEOUT_MS`: milliseconds a connection attempt to a
    /// peer may take before the peer counts as down; at least 1. Default
    /// 2000.
    pub dial_timeout_ms: u64,
    /// `PREDASTORE_RPC_TIMEOUT_MS`: milliseconds a request to a peer (and an
    /// idle served stream) may take before it fails; at least 1. Default
    /// 5000.
    pub rpc_timeout_ms: u64,
    /// `PREDASTORE_TEST_PROBE_INTERVAL_MS`: **tests only**, milliseconds
    /// between the failure detector's rounds (heartbeats of watched peers,
    /// probes of down ones) instead of 500, so a test can hold a restarted
    /// peer down until a request looks at it. Default 0 (the built-in
    /// 500 ms); production never sets it.
    pub test_probe_interval_ms: u64,
    /// `PREDASTORE_TEST_HOSTS`: **tests only**, a hosts file (`ip name…`
    /// lines) read on every lookup of a peer's name before DNS, so a test
    /// can give names to processes on loopback and move one. Default
    /// unset; production never sets it.
    pub test_hosts: Option<std::path::PathBuf>,
}

impl Default for TransportSettings {
    fn default() -> Self {
        Self {
            quic_listen: SocketAddr::from(([127, 0, 0, 1], 9100)),
            quic_idle_timeout_ms: 30_000,
            quic_keep_alive: true,
            quic_gso: true,
            quic_socket_buffer_bytes: 8 << 20,
            quic_stream_window_bytes: 16 << 20,
            quic_connection_window_bytes: 64 << 20,
            quic_max_mtu: 9000,
            quic_threads: 2,
            dial_timeout_ms: 2_000,
            rpc_timeout_ms: 5_000,
            test_probe_interval_ms: 0,
            test_hosts: None,
        }
    }
}

impl TransportSettings {
    /// The QUIC endpoint's tuning.
    pub fn quic(&self) -> QuicSettings {
        QuicSettings {
            idle_timeout: Duration::from_millis(self.quic_idle_timeout_ms),
            keep_alive: self.quic_keep_alive,
            gso: self.quic_gso,
            socket_buffer_bytes: self.quic_socket_buffer_bytes,
            stream_window: self.quic_stream_window_bytes,
            connection_window: self.quic_connection_window_bytes,
            max_streams: 1024,
            max_mtu: self.quic_max_mtu,
        }
    }

    /// The connection pool's timeouts.
    pub fn pool(&self) -> PoolConfig {
        PoolConfig {
            dial_timeout: Duration::from_millis(self.dial_timeout_ms),
            rpc_timeout: Duration::from_millis(self.rpc_timeout_ms),
            keep_alive: self.quic_keep_alive,
        }
    }
}
