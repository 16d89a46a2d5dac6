//! Certificates: the cluster transport's mutual-TLS identity and the S3
//! endpoint's HTTPS certificate, each checked as a set.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ConfigError;

/// Where the node's TLS identity comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsSource {
    /// Operator-supplied PEM files.
    Files {
        /// The cluster CA certificate every peer's certificate must chain to.
        ca: PathBuf,
        /// This node's certificate, presented to peers both ways.
        cert: PathBuf,
        /// The private key of `cert`.
        key: PathBuf,
    },
    /// A development CA and certificate, generated on first start in this
    /// directory and reused after.
    Dev(PathBuf),
}

/// The certificate files, all optional.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TlsSettings {
    /// `PREDASTORE_TLS_CA`: the cluster CA certificate (PEM). With
    /// `PREDASTORE_TLS_CERT` and `PREDASTORE_TLS_KEY` (all three or none);
    /// default unset: a development CA and certificate are generated under
    /// the data directory.
    pub tls_ca: Option<PathBuf>,
    /// `PREDASTORE_TLS_CERT`: this node's certificate (PEM), signed by
    /// `PREDASTORE_TLS_CA`. Default unset.
    pub tls_cert: Option<PathBuf>,
    /// `PREDASTORE_TLS_KEY`: the private key (PEM) of `PREDASTORE_TLS_CERT`.
    /// Default unset.
    pub tls_key: Option<PathBuf>,
    /// `PREDASTORE_HTTPS_CERT`: the S3 endpoint's certificate chain (PEM);
    /// with `PREDASTORE_HTTPS_KEY`, the endpoint speaks HTTPS. Default
    /// unset: plain HTTP.
    pub https_cert: Option<PathBuf>,
    /// `PREDASTORE_HTTPS_KEY`: the private key (PEM) of
    /// `PREDASTORE_HTTPS_CERT`. Default unset.
    pub https_key: Option<PathBuf>,
}

impl TlsSettings {
    /// This node's TLS identity: the configured files, or the development
    /// identity under `data_dir` when none are configured.
    pub fn tls(&self, data_dir: &Path) -> Result<TlsSource, ConfigError> {
        match (&self.tls_ca, &self.tls_cert, &self.tls_key) {
            (Some(ca), Some(cert), Some(key)) => Ok(TlsSource::Files {
                ca: ca.clone(),
                cert: cert.clone(),
                key: key.clone(),
            }),
            (None, None, None) => Ok(TlsSource::Dev(data_dir.join("tls"))),
            _ => Err(ConfigError(
                "PREDASTORE_TLS_CA, PREDASTORE_TLS_CERT, PREDASTORE_TLS_KEY: set all three or none"
                    .into(),
            )),
        }
    }

    /// The S3 endpoint's HTTPS certificate and key files, if it serves
    /// HTTPS (both variables set; one alone is an error).
    pub fn https(&self) -> Result<Option<(PathBuf, PathBuf)>, ConfigError> {
        match (&self.https_cert, &self.https_key) {
            (Some(cert), Some(key)) => Ok(Some((cert.clone(), key.clone()))),
            (None, None) => Ok(None),
            _ => Err(ConfigError(
                "PREDASTORE_HTTPS_CERT and PREDASTORE_HTTPS_KEY: set both or neither".into(),
            )),
        }
    }
}
