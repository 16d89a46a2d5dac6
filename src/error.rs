//! The crate-level error: what start-up and the top of each role report.
//! Each layer keeps its own error type; this one only gathers them.

use crate::config::ConfigError;
use crate::net::NetError;
use crate::storage::StorageError;

/// A failure that stops a process or a role.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A setting is invalid.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// The storage engine failed.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// The cluster transport failed to start.
    #[error("transport: {0}")]
    Transport(#[from] NetError),
    /// The metadata group failed to start.
    #[error("metadata: {0}")]
    Meta(String),
    /// Binding or serving a socket failed.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    /// The S3 endpoint's HTTPS certificate or key cannot be served.
    #[error("HTTPS: {0}")]
    Https(#[from] crate::api::listener::HttpsError),
}

impl Error {
    /// Whether retrying the same operation later can succeed.
    pub fn is_retriable(&self) -> bool {
        match self {
            Error::Storage(e) => e.is_retriable(),
            Error::Config(_)
            | Error::Io(_)
            | Error::Transport(_)
            | Error::Meta(_)
            | Error::Https(_) => false,
        }
    }
}
