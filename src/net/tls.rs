//! Cluster TLS: every node has a certificate from the cluster CA and trusts
//! only that CA, so peers authenticate each other (mutual TLS).
//!
//! Production supplies `PREDASTORE_TLS_CA`, `PREDASTORE_TLS_CERT` and
//! `PREDASTORE_TLS_KEY`; for development a CA and a node certificate are
//! generated into `<data dir>/tls` on first start (a one-node cluster). For
//! several dev nodes, `predastore tls init` writes one CA and a certificate
//! per node.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use super::NetError;

/// The name every node certificate carries and every client checks: the
/// CA signature, not the address, is what identifies a cluster member.
pub const SERVER_NAME: &str = "predastore.cluster";

/// A node's TLS identity and the CA it trusts, as PEM text.
#[derive(Clone)]
pub struct TlsMaterial {
    /// The cluster CA certificate.
    pub ca_pem: String,
    /// This node's certificate.
    pub cert_pem: String,
    /// This node's private key.
    pub key_pem: String,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsMaterial { .. }")
    }
}

fn read(path: &Path) -> Result<String, NetError> {
    fs::read_to_string(path).map_err(|e| NetError::Tls(format!("{}: {e}", path.display())))
}

fn tls_err(e: impl std::fmt::Display) -> NetError {
    NetError::Tls(e.to_string())
}

impl TlsMaterial {
    /// Reads the three PEM files.
    pub fn load(ca: &Path, cert: &Path, key: &Path) -> Result<Self, NetError> {
        Ok(Self {
            ca_pem: read(ca)?,
            cert_pem: read(cert)?,
            key_pem: read(key)?,
        })
    }

    /// The development identity in `dir`, generated on first use.
    pub fn dev(dir: &Path) -> Result<Self, NetError> {
        let files = DevFiles::new(dir);
        if !files.cert.exists() {
            fs::create_dir_all(dir).map_err(tls_err)?;
            let ca = ClusterCa::generate()?;
            ca.write(&files.ca, &files.ca_key)?;
            let (cert, key) = ca.issue_node()?;
            write_private(&files.key, &key)?;
            fs::write(&files.cert, cert).map_err(tls_err)?;
            tracing::info!(dir = %dir.display(), "generated a development cluster CA and node certificate");
        }
        Self::load(&files.ca, &files.cert, &files.key)
    }
}

struct DevFiles {
    ca: PathBuf,
    ca_key: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl DevFiles {
    fn new(dir: &Path) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            ca_key: dir.join("ca-key.pem"),
            cert: dir.join("node.pem"),
            key: dir.join("node-key.pem"),
        }
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), NetError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(tls_err)?;
    f.write_all(text.as_bytes()).map_err(tls_err)
}

/// A cluster certificate authority that issues node certificates.
pub struct ClusterCa {
    params: CertificateParams,
    key: KeyPair,
    pem: String,
}

impl ClusterCa {
    /// What a cluster CA certificate says of itself: the issuer name and
    /// usages every certificate it signs refers to.
    fn params() -> Result<CertificateParams, NetError> {
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(tls_err)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "predastore cluster CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Ok(params)
    }

    /// A new self-signed CA.
    pub fn generate() -> Result<Self, NetError> {
        let params = Self::params()?;
        let key = KeyPair::generate().map_err(tls_err)?;
        let pem = params.self_signed(&key).map_err(tls_err)?.pem();
        Ok(Self { params, key, pem })
    }

    /// The CA in `dir` (`ca.pem` and `ca-key.pem`, as `tls init` and a
    /// store's development identity write them), to issue more node
    /// certificates from: how a store grows by a node.
    pub fn load(dir: &Path) -> Result<Self, NetError> {
        let pem = read(&dir.join("ca.pem"))?;
        let key = KeyPair::from_pem(&read(&dir.join("ca-key.pem"))?).map_err(tls_err)?;
        Ok(Self {
            params: Self::params()?,
            key,
            pem,
        })
    }

    /// The CA certificate, PEM.
    pub fn pem(&self) -> &str {
        &self.pem
    }

    /// A node certificate and its key (PEM), valid as server and client.
    pub fn issue_node(&self) -> Result<(String, String), NetError> {
        let mut params = CertificateParams::new(vec![SERVER_NAME.to_string()]).map_err(tls_err)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "predastore node");
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().map_err(tls_err)?;
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(tls_err)?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    /// An HTTPS server certificate for `hosts` (DNS names or IP
    /// addresses) and its key (PEM).
    pub fn issue_server(&self, hosts: &[String]) -> Result<(String, String), NetError> {
        let mut params = CertificateParams::new(hosts.to_vec()).map_err(tls_err)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "predastore S3 endpoint");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().map_err(tls_err)?;
        let issuer = Issuer::from_params(&self.params, &self.key);
        let cert = params.signed_by(&key, &issuer).map_err(tls_err)?;
        Ok((cert.pem(), key.serialize_pem()))
    }

    /// A node identity trusting this CA.
    pub fn node_material(&self) -> Result<TlsMaterial, NetError> {
        let (cert_pem, key_pem) = self.issue_node()?;
        Ok(TlsMaterial {
            ca_pem: self.pem.clone(),
            cert_pem,
            key_pem,
        })
    }

    /// Writes the CA certificate and key.
    pub fn write(&self, cert: &Path, key: &Path) -> Result<(), NetError> {
        fs::write(cert, &self.pem).map_err(tls_err)?;
        write_private(key, &self.key.serialize_pem())
    }
}

/// Writes a CA and `nodes` node identities into `dir` (`ca.pem`,
/// `node<i>.pem`, `node<i>-key.pem`), for a development cluster; with
/// `https_hosts`, also an HTTPS certificate for them signed by the same CA
/// (`https.pem`, `https-key.pem`).
pub fn init_cluster_dir(dir: &Path, nodes: usize, https_hosts: &[String]) -> Result<(), NetError> {
    fs::create_dir_all(dir).map_err(tls_err)?;
    let ca = ClusterCa::generate()?;
    ca.write(&dir.join("ca.pem"), &dir.join("ca-key.pem"))?;
    for i in 0..nodes {
        let (cert, key) = ca.issue_node()?;
        fs::write(dir.join(format!("node{i}.pem")), cert).map_err(tls_err)?;
        write_private(&dir.join(format!("node{i}-key.pem")), &key)?;
    }
    if !https_hosts.is_empty() {
        let (cert, key) = ca.issue_server(https_hosts)?;
        fs::write(dir.join("https.pem"), cert).map_err(tls_err)?;
        write_private(&dir.join("https-key.pem"), &key)?;
    }
    Ok(())
}

/// Writes a node identity issued by the CA in `ca_dir` into `dir` as the
/// files a node's development identity reads (`ca.pem`, `node.pem`,
/// `node-key.pem`): `<data dir>/tls` of a node joining a store that
/// started with its own development CA. An identity already in `dir` is
/// kept (an error), never overwritten.
pub fn issue_node_dir(ca_dir: &Path, dir: &Path) -> Result<(), NetError> {
    let ca = ClusterCa::load(ca_dir)?;
    let files = DevFiles::new(dir);
    if files.cert.exists() {
        return Err(NetError::Tls(format!(
            "{} exists: this node has an identity already",
            files.cert.display()
        )));
    }
    fs::create_dir_all(dir).map_err(tls_err)?;
    let (cert, key) = ca.issue_node()?;
    fs::write(&files.ca, ca.pem()).map_err(tls_err)?;
    write_private(&files.key, &key)?;
    fs::write(&files.cert, cert).map_err(tls_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_ca_issues_certificates_the_first_node_trusts() -> Result<(), NetError> {
        let first = tempfile::tempdir().map_err(tls_err)?;
        let own = TlsMaterial::dev(first.path())?;
        let second = tempfile::tempdir().map_err(tls_err)?;
        issue_node_dir(first.path(), second.path())?;
        let joined = TlsMaterial::dev(second.path())?;
        assert_eq!(joined.ca_pem, own.ca_pem);
        assert_ne!(joined.cert_pem, own.cert_pem);
        // The new certificate names the first node's CA as its issuer and
        // is signed by its key: rustls's verifier accepts it.
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::CertificateDer;
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(own.ca_pem.as_bytes()).map_err(tls_err)?)
            .map_err(tls_err)?;
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            std::sync::Arc::new(roots),
            provider,
        )
        .build()
        .map_err(tls_err)?;
        let cert = CertificateDer::from_pem_slice(joined.cert_pem.as_bytes()).map_err(tls_err)?;
        verifier
            .verify_client_cert(&cert, &[], rustls::pki_types::UnixTime::now())
            .map_err(tls_err)?;
        // A second identity is never written over the first.
        assert!(issue_node_dir(first.path(), second.path()).is_err());
        assert!(ClusterCa::load(second.path()).is_err(), "no CA key there");
        Ok(())
    }

    #[test]
    fn dev_identity_is_generated_once_and_reused() -> Result<(), NetError> {
        let dir = tempfile::tempdir().map_err(tls_err)?;
        let first = TlsMaterial::dev(dir.path())?;
        let second = TlsMaterial::dev(dir.path())?;
        assert_eq!(first.cert_pem, second.cert_pem);
        assert!(first.ca_pem.contains("BEGIN CERTIFICATE"));
        assert!(first.key_pem.contains("PRIVATE KEY"));
        Ok(())
    }
}
