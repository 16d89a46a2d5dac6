//! HTTPS on the S3 endpoint: a store started with `PREDASTORE_HTTPS_CERT`
//! and `PREDASTORE_HTTPS_KEY` (made by `predastore tls init --https-host`),
//! driven by aws-sdk-s3 trusting the test CA and by a plain rustls client;
//! the certificate renewed under a running store; a key that does not fit
//! refusing start-up.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_sdk_s3::Client;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::s3::*;
use crate::common::store::{
    apply_overrides, binary, failed_start, free_port_pair, single_node_env, ACCESS_KEY, SECRET_KEY,
};
use predastore::transport::tls::init_cluster_dir;

/// A store serving HTTPS from the files in `certs`.
struct HttpsStore {
    child: Child,
    addr: SocketAddr,
    _data: tempfile::TempDir,
}

impl HttpsStore {
    fn start(certs: &Path) -> Self {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let (http, quic) = free_port_pair(ip);
        let data = tempfile::tempdir().expect("data dir");
        let addr = SocketAddr::new(ip, http);
        let mut env = single_node_env(
            &data.path().display().to_string(),
            addr,
            SocketAddr::new(ip, quic),
        );
        let cert = certs.join("https.pem").display().to_string();
        let key = certs.join("https-key.pem").display().to_string();
        apply_overrides(
            &mut env,
            &[
                ("PREDASTORE_HTTPS_CERT", &cert),
                ("PREDASTORE_HTTPS_KEY", &key),
                ("PREDASTORE_LOG", "warn"),
            ],
        );
        let child = Command::new(binary())
            .env_clear()
            .envs(env)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start predastore");
        HttpsStore {
            child,
            addr,
            _data: data,
        }
    }
}

impl Drop for HttpsStore {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The CA certificate of `certs`, DER.
fn ca_der(certs: &Path) -> CertificateDer<'static> {
    CertificateDer::from_pem_file(certs.join("ca.pem")).expect("ca.pem")
}

/// An HTTPS GET of `target` trusting `ca`: the status, the body, and the
/// certificate the server presented.
async fn https_get(
    addr: SocketAddr,
    ca: &CertificateDer<'static>,
    target: &str,
) -> std::io::Result<(u16, Vec<u8>, CertificateDer<'static>)> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(ca.clone())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| std::io::Error::other(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    let name = ServerName::IpAddress(addr.ip().into());
    let mut tls = connector.connect(name, tcp).await?;
    let presented = tls
        .get_ref()
        .1
        .peer_certificates()
        .and_then(|c| c.first().cloned())
        .ok_or_else(|| std::io::Error::other("no certificate"))?;
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    tls.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    // A server may close without close_notify; what was read counts.
    let _ = tls.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or_else(Vec::new, |at| raw[at + 4..].to_vec());
    Ok((status, body, presented.into_owned()))
}

/// Waits until the store answers `/health/ready` over HTTPS.
async fn wait_ready(addr: SocketAddr, ca: &CertificateDer<'static>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok((200, _, _)) = https_get(addr, ca, "/health/ready").await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("HTTPS store at {addr} not ready within 20 s");
}

/// aws-sdk-s3 over HTTPS, trusting only the test CA.
fn https_client(addr: SocketAddr, certs: &Path) -> Client {
    let ca = std::fs::read(certs.join("ca.pem")).expect("ca.pem");
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(
            TlsContext::builder()
                .with_trust_store(TrustStore::empty().with_pem_certificate(ca))
                .build()
                .expect("TLS context"),
        )
        .build_https();
    let config = client_config_at(
        &format!("https://{addr}"),
        ACCESS_KEY,
        SECRET_KEY,
        RetryConfig::disabled(),
    )
    .http_client(http)
    .build();
    Client::from_conf(config)
}

#[tokio::test]
async fn the_whole_object_lifecycle_over_https_and_a_renewed_certificate() {
    let certs = tempfile::tempdir().expect("certs");
    init_cluster_dir(certs.path(), 0, &["127.0.0.1".to_string()]).expect("tls init");
    let ca = ca_der(certs.path());
    let store = HttpsStore::start(certs.path());
    wait_ready(store.addr, &ca).await;
    let s3 = https_client(store.addr, certs.path());

    s3.create_bucket()
        .bucket("tls")
        .send()
        .await
        .expect("create bucket over HTTPS");
    let small = random_bytes(81, 10_000);
    put(&s3, "tls", "small", &small).await;
    assert_object(&s3, "tls", "small", &small).await;

    // 64 MiB in eight parts.
    const PART: usize = 8 << 20;
    let id = s3
        .create_multipart_upload()
        .bucket("tls")
        .key("big")
        .send()
        .await
        .expect("create upload")
        .upload_id()
        .unwrap_or_default()
        .to_string();
    let mut whole = Vec::with_capacity(8 * PART);
    let mut parts = CompletedMultipartUpload::builder();
    for n in 1..=8 {
        let data = random_bytes(100 + n as u64, PART);
        let out = s3
            .upload_part()
            .bucket("tls")
            .key("big")
            .upload_id(&id)
            .part_number(n)
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .expect("upload part");
        parts = parts.parts(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(out.e_tag().unwrap_or_default())
                .build(),
        );
        whole.extend_from_slice(&data);
    }
    s3.complete_multipart_upload()
        .bucket("tls")
        .key("big")
        .upload_id(&id)
        .multipart_upload(parts.build())
        .send()
        .await
        .expect("complete");
    assert_object(&s3, "tls", "big", &whole).await;

    // A presigned GET over HTTPS.
    let presigned = s3
        .get_object()
        .bucket("tls")
        .key("small")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(300)).expect("expiry"))
        .await
        .expect("presign");
    let url = presigned.uri();
    let target = &url[url.find("/tls/").expect("path in the URL")..];
    let (status, body, first) = https_get(store.addr, &ca, target).await.expect("GET");
    assert_eq!(status, 200);
    assert_eq!(body, small);

    // Renewed files (here from another CA): a new connection gets the new
    // certificate, with no restart.
    let renewal = tempfile::tempdir().expect("renewal");
    init_cluster_dir(renewal.path(), 0, &["127.0.0.1".to_string()]).expect("tls init");
    for file in ["https.pem", "https-key.pem"] {
        std::fs::copy(renewal.path().join(file), certs.path().join(file)).expect("renew");
    }
    let new_ca = ca_der(renewal.path());
    let new_cert = CertificateDer::from_pem_file(renewal.path().join("https.pem")).expect("DER");
    assert_ne!(first, new_cert);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok((status, _, presented)) = https_get(store.addr, &new_ca, "/health/ready").await {
            assert_eq!((status, presented == new_cert), (200, true));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the renewed certificate is not served"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let renewed_client = https_client(store.addr, renewal.path());
    assert_object(&renewed_client, "tls", "big", &whole).await;
}

#[test]
fn a_key_that_does_not_fit_the_certificate_stops_start_up() {
    let certs = tempfile::tempdir().expect("certs");
    init_cluster_dir(certs.path(), 1, &["127.0.0.1".to_string()]).expect("tls init");
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let (http, quic) = free_port_pair(ip);
    let data = tempfile::tempdir().expect("data dir");
    let mut env = single_node_env(
        &data.path().display().to_string(),
        SocketAddr::new(ip, http),
        SocketAddr::new(ip, quic),
    );
    let cert = certs.path().join("https.pem").display().to_string();
    let wrong_key = certs.path().join("node0-key.pem").display().to_string();
    apply_overrides(
        &mut env,
        &[
            ("PREDASTORE_HTTPS_CERT", &cert),
            ("PREDASTORE_HTTPS_KEY", &wrong_key),
        ],
    );
    let (status, stderr) = failed_start(env);
    assert_eq!(status, Some(2));
    assert!(
        stderr.contains("PREDASTORE_HTTPS_KEY does not fit PREDASTORE_HTTPS_CERT"),
        "{stderr}"
    );
}
