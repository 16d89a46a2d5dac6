//! HTTPS on the S3 listener: the certificate chain and key named by
//! `PREDASTORE_HTTPS_CERT` / `PREDASTORE_HTTPS_KEY` (PEM), served with
//! rustls on the aws-lc-rs provider (as the cluster transport). The files
//! are watched: a renewed pair is served to new connections without a
//! restart, while connections already open keep theirs; a pair that does
//! not load is logged and the previous one kept.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwap;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// Environment variable naming the certificate chain.
pub(super) const CERT_VAR: &str = "PREDASTORE_HTTPS_CERT";
/// Environment variable naming the private key.
pub(super) const KEY_VAR: &str = "PREDASTORE_HTTPS_KEY";

/// How often the files are checked for a change.
const WATCH_EVERY: Duration = Duration::from_secs(2);

/// Why a certificate/key pair cannot be served; each names the variable
/// to look at.
#[derive(Debug, thiserror::Error)]
pub enum HttpsError {
    /// A file cannot be read.
    #[error("{var}: cannot read {path}: {source}")]
    Read {
        /// The variable that names the file.
        var: &'static str,
        /// The path the variable gave, as configured.
        path: PathBuf,
        /// The I/O error reading it failed with (missing, not allowed, …).
        source: io::Error,
    },
    /// The certificate file holds no PEM certificate.
    #[error("{CERT_VAR}: {0} holds no PEM certificate")]
    NoCertificate(PathBuf),
    /// The key file holds no PEM private key.
    #[error("{KEY_VAR}: {0} holds no PEM private key")]
    NoKey(PathBuf),
    /// The key is not the certificate's, or rustls refuses the pair.
    #[error("{KEY_VAR} does not fit {CERT_VAR}: {0}")]
    Refused(String),
}

/// The files' modification times, to notice a change.
type Stamp = (Option<SystemTime>, Option<SystemTime>);

/// The served certificate and key, and where they come from.
pub struct HttpsIdentity {
    cert: PathBuf,
    key: PathBuf,
    config: ArcSwap<ServerConfig>,
    /// The served end-entity certificate (DER), for [`serves`](Self::serves).
    leaf: ArcSwap<Vec<u8>>,
    stamp: Mutex<Stamp>,
}

impl std::fmt::Debug for HttpsIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpsIdentity")
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn read(var: &'static str, path: &Path) -> Result<Vec<u8>, HttpsError> {
    std::fs::read(path).map_err(|source| HttpsError::Read {
        var,
        path: path.to_path_buf(),
        source,
    })
}

/// A rustls server configuration of the pair in these files, and the
/// end-entity certificate it serves.
fn server_config(cert: &Path, key: &Path) -> Result<(ServerConfig, Vec<u8>), HttpsError> {
    let cert_pem = read(CERT_VAR, cert)?;
    let key_pem = read(KEY_VAR, key)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .filter_map(Result::ok)
        .collect();
    if chain.is_empty() {
        return Err(HttpsError::NoCertificate(cert.to_path_buf()));
    }
    let leaf = chain[0].to_vec();
    let private = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|_| HttpsError::NoKey(key.to_path_buf()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| HttpsError::Refused(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| HttpsError::Refused(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((config, leaf))
}

impl HttpsIdentity {
    /// Loads the pair; an error names the variable to fix.
    pub fn load(cert: &Path, key: &Path) -> Result<Arc<Self>, HttpsError> {
        let stamp = (modified(cert), modified(key));
        let (config, leaf) = server_config(cert, key)?;
        Ok(Arc::new(HttpsIdentity {
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            config: ArcSwap::from_pointee(config),
            leaf: ArcSwap::from_pointee(leaf),
            stamp: Mutex::new(stamp),
        }))
    }

    /// The acceptor for a new connection (the pair loaded last).
    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.config.load_full())
    }

    /// Whether `certificate` (DER) is the end-entity certificate served
    /// now: the console's own calls to this listener trust exactly it.
    pub fn serves(&self, certificate: &[u8]) -> bool {
        self.leaf.load().as_slice() == certificate
    }

    /// Reloads the pair if either file changed since it was loaded; true
    /// when a new pair is served from now on.
    pub fn reload_if_changed(&self) -> bool {
        let now = (modified(&self.cert), modified(&self.key));
        let Ok(mut stamp) = self.stamp.lock() else {
            return false;
        };
        if *stamp == now {
            return false;
        }
        *stamp = now;
        match server_config(&self.cert, &self.key) {
            Ok((config, leaf)) => {
                self.config.store(Arc::new(config));
                self.leaf.store(Arc::new(leaf));
                tracing::info!(cert = %self.cert.display(), "HTTPS certificate reloaded");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "HTTPS certificate not reloaded; the previous one is served");
                false
            }
        }
    }

    /// Checks the files for a change every few seconds, for as long as the
    /// process runs.
    pub fn watch(self: &Arc<Self>) {
        let me = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("https-watch".into())
            .spawn(move || loop {
                std::thread::sleep(WATCH_EVERY);
                me.reload_if_changed();
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "HTTPS certificate files are not watched");
        }
    }
}

#[cfg(test)]
mod tests;
