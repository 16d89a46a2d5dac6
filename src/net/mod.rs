//! Plain networking code (no actix): the QUIC endpoint (s2n-quic, mutual
//! TLS), the RPC framing, and the client and server sides of each RPC.

pub(crate) mod addr;
pub mod endpoint;
pub(crate) mod frame;
pub(crate) mod rpc;
pub(crate) mod server;
pub(crate) mod service;
pub(crate) mod shard;
pub mod tls;

pub use addr::PeerAddr;
pub(crate) use frame::Channel;
pub use frame::ErrorKind;
pub use frame::Request;
pub use frame::Response;

/// What goes wrong talking to a peer.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// Certificates or keys cannot be used.
    #[error("TLS setup: {0}")]
    Tls(String),
    /// The endpoint cannot start (bind, configuration).
    #[error("QUIC endpoint: {0}")]
    Endpoint(String),
    /// The connection failed or was closed.
    #[error("connection to {addr}: {message}")]
    Connection {
        /// The peer's transport (QUIC) address.
        addr: PeerAddr,
        /// What happened.
        message: String,
    },
    /// A stream failed (reset by the peer, connection lost).
    #[error("stream: {0}")]
    Stream(String),
    /// The peer sent something that is not a valid frame.
    #[error("protocol: {0}")]
    Protocol(#[from] frame::FrameError),
    /// No answer within the configured time.
    #[error("timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// The peer answered with an error.
    #[error("{kind:?}: {message}")]
    Remote {
        /// Category.
        kind: ErrorKind,
        /// Detail from the peer.
        message: String,
    },
    /// The body given to send failed or had the wrong length.
    #[error("request body: {0}")]
    Body(String),
    /// The pool's failure detector holds the peer down: the call was not
    /// attempted (a background probe marks the peer up when it answers).
    #[error("peer {0} is down")]
    PeerDown(PeerAddr),
}

impl NetError {
    /// Whether the connection this happened on should be dropped from the
    /// pool. [`NetError::PeerDown`] does not: no connection was used.
    pub fn breaks_connection(&self) -> bool {
        matches!(self, NetError::Connection { .. } | NetError::Timeout(_))
    }
}
