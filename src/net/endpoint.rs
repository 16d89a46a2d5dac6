//! The QUIC endpoint: one server and one client per process, on a tokio
//! runtime of their own, mutual TLS always on.

use crate::net::PeerAddr;
use std::net::SocketAddr;
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use s2n_quic::client::Connect;
use s2n_quic::connection::Handle as ConnectionHandle;
use s2n_quic::provider::limits::Limits;
use s2n_quic::provider::{io, tls};
use s2n_quic::{Client, Server};
use s2n_quic_core::stateless_reset::token::{Generator, Token, LEN as TOKEN_LEN};
use sha2::Sha256;

use super::tls::{TlsMaterial, SERVER_NAME};
use super::NetError;

/// Transport tuning, from `PREDASTORE_QUIC_*`.
#[derive(Clone, Debug)]
pub struct QuicSettings {
    /// A connection with no traffic for this long is closed.
    pub idle_timeout: Duration,
    /// Send keep-alives so pooled idle connections stay open.
    pub keep_alive: bool,
    /// Use UDP generic segmentation offload where the kernel has it.
    pub gso: bool,
    /// Requested UDP socket send/receive buffer size.
    pub socket_buffer_bytes: usize,
    /// Flow-control window of one stream.
    pub stream_window: u64,
    /// Flow-control window of a whole connection.
    pub connection_window: u64,
    /// Concurrent streams a peer may open on one connection.
    pub max_streams: u64,
    /// Largest UDP payload path-MTU discovery may grow to (jumbo frames
    /// and loopback allow far more than 1500; discovery falls back safely).
    pub max_mtu: u16,
}

impl Default for QuicSettings {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::from_secs(30),
            keep_alive: true,
            gso: true,
            socket_buffer_bytes: 8 << 20,
            stream_window: 16 << 20,
            connection_window: 64 << 20,
            max_streams: 1024,
            max_mtu: 9000,
        }
    }
}

fn err(e: impl std::fmt::Display) -> NetError {
    NetError::Endpoint(e.to_string())
}

fn limits(s: &QuicSettings) -> Result<Limits, NetError> {
    Limits::new()
        .with_max_idle_timeout(s.idle_timeout)
        .and_then(|l| l.with_data_window(s.connection_window))
        .and_then(|l| l.with_bidirectional_local_data_window(s.stream_window))
        .and_then(|l| l.with_bidirectional_remote_data_window(s.stream_window))
        .and_then(|l| l.with_max_open_local_bidirectional_streams(s.max_streams))
        .and_then(|l| l.with_max_open_remote_bidirectional_streams(s.max_streams))
        // Unidirectional streams are not used; a peer may not open any.
        .and_then(|l| l.with_max_open_remote_unidirectional_streams(0))
        .map_err(err)
}

fn io_provider(
    handle: &tokio::runtime::Handle,
    addr: SocketAddr,
    s: &QuicSettings,
) -> Result<io::tokio::Provider, NetError> {
    io::tokio::Builder::default()
        .with_handle(handle.clone())
        .with_receive_address(addr)
        .and_then(|b| b.with_send_buffer_size(s.socket_buffer_bytes))
        .and_then(|b| b.with_recv_buffer_size(s.socket_buffer_bytes))
        .and_then(|b| b.with_gso(s.gso))
        .and_then(|b| b.with_max_mtu(s.max_mtu))
        .and_then(|b| b.build())
        .map_err(err)
}

/// Stateless reset tokens derived from a key kept in the data directory: a
/// restarted node can tell peers that their old connection is gone, so
/// they reconnect at once instead of waiting for a timeout.
pub struct ResetTokens {
    key: [u8; 32],
}

impl ResetTokens {
    /// Tokens from a node's secret key.
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }
}

impl Generator for ResetTokens {
    fn generate(&mut self, local_connection_id: &[u8]) -> Token {
        let mut out = [0u8; TOKEN_LEN];
        if let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key) {
            mac.update(local_connection_id);
            out.copy_from_slice(&mac.finalize().into_bytes()[..TOKEN_LEN]);
        }
        Token::from(out)
    }
}

impl s2n_quic::provider::stateless_reset_token::Provider for ResetTokens {
    type Generator = Self;
    type Error = std::convert::Infallible;

    fn start(self) -> Result<Self, Self::Error> {
        Ok(self)
    }
}

/// Starts the server side on `listen`; it accepts only peers whose
/// certificate the cluster CA signed.
pub fn start_server(
    handle: &tokio::runtime::Handle,
    listen: SocketAddr,
    tls: &TlsMaterial,
    settings: &QuicSettings,
    reset_key: [u8; 32],
) -> Result<Server, NetError> {
    let tls = tls::default::Server::builder()
        .with_empty_trust_store()
        .and_then(|b| b.with_trusted_certificate(tls.ca_pem.as_str()))
        .and_then(|b| b.with_certificate(tls.cert_pem.as_str(), tls.key_pem.as_str()))
        .and_then(|b| b.with_client_authentication())
        .and_then(|b| b.build())
        .map_err(|e| NetError::Tls(e.to_string()))?;
    let _guard = handle.enter();
    Server::builder()
        .with_tls(tls)
        .map_err(err)?
        .with_io(io_provider(handle, listen, settings)?)
        .map_err(err)?
        .with_limits(limits(settings)?)
        .map_err(err)?
        .with_stateless_reset_token(ResetTokens::new(reset_key))
        .map_err(err)?
        .start()
        .map_err(err)
}

/// Starts the client side, bound to an ephemeral port on `bind`'s address.
pub fn start_client(
    handle: &tokio::runtime::Handle,
    bind: SocketAddr,
    tls: &TlsMaterial,
    settings: &QuicSettings,
) -> Result<Client, NetError> {
    let tls = tls::default::Client::builder()
        .with_empty_trust_store()
        .and_then(|b| b.with_certificate(tls.ca_pem.as_str()))
        .and_then(|b| b.with_client_identity(tls.cert_pem.as_str(), tls.key_pem.as_str()))
        .and_then(|b| b.build())
        .map_err(|e| NetError::Tls(e.to_string()))?;
    let _guard = handle.enter();
    Client::builder()
        .with_tls(tls)
        .map_err(err)?
        .with_io(io_provider(
            handle,
            SocketAddr::new(bind.ip(), 0),
            settings,
        )?)
        .map_err(err)?
        .with_limits(limits(settings)?)
        .map_err(err)?
        .start()
        .map_err(err)
}

/// Opens a connection to `addr` (a name looked up now, so a peer that
/// moved is found where it is), failing after `timeout`.
pub async fn connect(
    client: &Client,
    addr: PeerAddr,
    timeout: Duration,
    keep_alive: bool,
) -> Result<ConnectionHandle, NetError> {
    let failed = |message: String| NetError::Connection { addr, message };
    let attempt = async {
        let local = client.local_addr().map_err(|e| failed(e.to_string()))?;
        let socket = addr
            .resolve(local)
            .await
            .map_err(|e| failed(e.to_string()))?;
        client
            .connect(Connect::new(socket).with_server_name(SERVER_NAME))
            .await
            .map_err(|e| failed(e.to_string()))
    };
    let mut conn = tokio::time::timeout(timeout, attempt)
        .await
        .map_err(|_| NetError::Timeout(timeout))??;
    conn.keep_alive(keep_alive)
        .map_err(|e| failed(e.to_string()))?;
    // The connection lives as long as a handle to it does.
    Ok(conn.handle())
}

/// The endpoint's own tokio runtime, apart from the actix one. Dropping
/// it (even from async code) stops its tasks without waiting.
pub struct EndpointRuntime(Option<tokio::runtime::Runtime>);

impl EndpointRuntime {
    /// Where endpoint tasks are spawned.
    pub fn handle(&self) -> &tokio::runtime::Handle {
        match &self.0 {
            Some(rt) => rt.handle(),
            None => unreachable!("the runtime is only taken in drop"),
        }
    }

    /// Stops the runtime and waits (up to 5 s) until its threads are gone,
    /// so no task answers after it returns: a test's SIGKILL. It blocks:
    /// call it from a thread of its own, not from async code.
    #[cfg(test)]
    pub(crate) fn stop_now(mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

impl Drop for EndpointRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Starts the endpoint runtime with `threads` worker threads.
pub fn runtime(threads: usize) -> Result<EndpointRuntime, NetError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("quic")
        .enable_all()
        .build()
        .map(|rt| EndpointRuntime(Some(rt)))
        .map_err(err)
}

/// The node's stateless-reset key, created in `dir` on first start and
/// kept, so a restarted node can reset connections its former self had.
pub fn reset_key(dir: &std::path::Path) -> Result<[u8; 32], NetError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join("quic-reset.key");
    if let Ok(bytes) = std::fs::read(&path) {
        if let Ok(key) = <[u8; 32]>::try_from(bytes.as_slice()) {
            return Ok(key);
        }
    }
    std::fs::create_dir_all(dir).map_err(err)?;
    let key: [u8; 32] = rand::random();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .map_err(err)?;
    f.write_all(&key).map_err(err)?;
    Ok(key)
}
