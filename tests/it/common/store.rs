//! A real `predastore` process serving S3 (role `all`, one node, three
//! volumes, erasure coding 2+1), started, killed and restarted at will.

use super::node::{free_port, ready_or_exited, wait_ready};
use super::sdk::client_config_at;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::ResponseChecksumValidation;
use aws_sdk_s3::Client;

/// Access key every test store is started with.
pub const ACCESS_KEY: &str = "PSTESTACCESSKEY00001";
/// Secret key every test store is started with.
pub const SECRET_KEY: &str = "predastore/test/secret/0123456789abcdefgh";
/// Master keys of the tests that encrypt (`PREDASTORE_KMS_KEYS`): two
/// KMS key ids, `test-1` the default.
pub const TEST_KMS_KEYS: &str = "test-1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,test-2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
/// One mebibyte.
pub const MIB: usize = 1 << 20;
/// Stripe size the stores are started with (`PREDASTORE_STRIPE_BYTES`).
pub const STRIPE: usize = MIB;

/// The `predastore` binary under test.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_predastore"))
}

/// Two distinct free ports on `ip` (for HTTP and QUIC).
pub fn free_port_pair(ip: IpAddr) -> (u16, u16) {
    let http = free_port(ip);
    let mut quic = free_port(ip);
    while quic == http {
        quic = free_port(ip);
    }
    (http, quic)
}

/// Runs a store that is expected not to start, with `env` only; its exit
/// status and its stderr, which must name the problem and hold no panic.
pub fn failed_start(env: Vec<(String, String)>) -> (Option<i32>, String) {
    let out = Command::new(binary())
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .output()
        .expect("run predastore");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (out.status.code(), stderr)
}

/// The environment of a single-node test store: role `all`, the test
/// credentials, three volumes at 2+1 with small segments and stripes, no
/// web console (the console tests give it an address of their own).
pub fn single_node_env(
    data_dir: &str,
    http: SocketAddr,
    quic: SocketAddr,
) -> Vec<(String, String)> {
    [
        ("PREDASTORE_ROLE", "all".to_string()),
        ("PREDASTORE_DATA_DIR", data_dir.to_string()),
        ("PREDASTORE_LISTEN", http.to_string()),
        ("PREDASTORE_QUIC_LISTEN", quic.to_string()),
        ("PREDASTORE_ACCESS_KEY", ACCESS_KEY.to_string()),
        ("PREDASTORE_SECRET_KEY", SECRET_KEY.to_string()),
        ("PREDASTORE_SEGMENT_BYTES", (64u64 << 20).to_string()),
        ("PREDASTORE_VOLUMES", "3".to_string()),
        ("PREDASTORE_EC", "2+1".to_string()),
        ("PREDASTORE_STRIPE_BYTES", STRIPE.to_string()),
        ("PREDASTORE_CONSOLE_LISTEN", "off".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Replaces or adds the variables of `overrides` in `env`.
pub fn apply_overrides(env: &mut Vec<(String, String)>, overrides: &[(&str, &str)]) {
    for (k, v) in overrides {
        env.retain(|(key, _)| key != k);
        env.push((k.to_string(), v.to_string()));
    }
}

/// A running single-node store (gateway, metadata and storage in one
/// process) with its data in a temporary directory.
pub struct StoreProcess {
    child: Option<Child>,
    data: tempfile::TempDir,
    http: SocketAddr,
    quic: SocketAddr,
    env: Vec<(String, String)>,
}

impl StoreProcess {
    /// Starts a store in a fresh data directory and waits until it is
    /// ready; `overrides` replace or add environment variables.
    pub fn start(overrides: &[(&str, &str)]) -> Self {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let (http_port, quic_port) = free_port_pair(ip);
        let data = tempfile::Builder::new()
            .prefix("predastore-s3-")
            .tempdir()
            .expect("create data dir");
        let http = SocketAddr::new(ip, http_port);
        let quic = SocketAddr::new(ip, quic_port);
        let mut env = single_node_env(&data.path().display().to_string(), http, quic);
        env.push(("PREDASTORE_LOG".into(), "warn".into()));
        apply_overrides(&mut env, overrides);
        let mut store = Self {
            child: None,
            data,
            http,
            quic,
            env,
        };
        store.spawn_on_free_ports();
        store
    }

    /// Starts the process; if it exits during start, starts it again on
    /// other ports. Another test (or an outgoing connection's ephemeral
    /// port) can take a port between [`free_port_pair`] and the bind:
    /// the store then exits with "Address already in use". A store that
    /// fails to start for any other reason fails all three tries.
    fn spawn_on_free_ports(&mut self) {
        for attempt in 1..=3 {
            let mut child = self.command().spawn().expect("start predastore");
            match ready_or_exited(&mut child, self.http) {
                Ok(()) => {
                    self.child = Some(child);
                    return;
                }
                Err(status) if attempt < 3 => {
                    eprintln!("predastore exited during start ({status}); again on other ports");
                    let (http, quic) = free_port_pair(self.http.ip());
                    self.http.set_port(http);
                    self.quic.set_port(quic);
                    let (http, quic) = (self.http.to_string(), self.quic.to_string());
                    apply_overrides(
                        &mut self.env,
                        &[
                            ("PREDASTORE_LISTEN", &http),
                            ("PREDASTORE_QUIC_LISTEN", &quic),
                        ],
                    );
                }
                Err(status) => panic!("predastore exited during start: {status}"),
            }
        }
    }

    /// The store's command, with its environment only.
    fn command(&self) -> Command {
        let mut cmd = Command::new(binary());
        cmd.env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn spawn(&mut self) {
        assert!(self.child.is_none(), "store already running");
        self.child = Some(self.command().spawn().expect("start predastore"));
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        if let Some(child) = self.child.as_mut() {
            wait_ready(child, self.http);
        }
    }

    /// SIGKILL, and wait for it (no-op when not running).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills the process if it runs (SIGKILL), then starts it again on the
    /// same addresses and data directory and waits until it is ready.
    /// Clients made before keep pooled connections to the dead process:
    /// make a new one.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Sets a variable for the next (re)start.
    pub fn set_env(&mut self, key: &str, value: &str) {
        apply_overrides(&mut self.env, &[(key, value)]);
    }

    /// The running store's process id.
    pub fn pid(&self) -> u32 {
        self.child
            .as_ref()
            .map(Child::id)
            .expect("store is running")
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.http)
    }

    /// The S3 (HTTP) address.
    pub fn addr(&self) -> SocketAddr {
        self.http
    }

    /// The UDP address of the cluster transport.
    pub fn quic_addr(&self) -> SocketAddr {
        self.quic
    }

    /// `PREDASTORE_DATA_DIR`; volumes are `vol0`, `vol1`, `vol2` in it.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// A client with the store's credentials, configured as the SDK ships
    /// (CRC32 request checksums, aws-chunked trailers for streamed bodies,
    /// response checksums validated, standard retries).
    pub fn client(&self) -> Client {
        Client::from_conf(
            self.client_config(ACCESS_KEY, SECRET_KEY, RetryConfig::standard())
                .build(),
        )
    }

    /// A client that never retries and does not validate response
    /// checksums itself, so a test sees exactly what the store sent (for
    /// reads that may fail with 5xx, or are checked byte by byte).
    pub fn client_unverified(&self) -> Client {
        Client::from_conf(
            self.client_config(ACCESS_KEY, SECRET_KEY, RetryConfig::disabled())
                .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
                .build(),
        )
    }

    /// A client signing with other credentials (never retries).
    pub fn client_with_keys(&self, access_key: &str, secret_key: &str) -> Client {
        Client::from_conf(
            self.client_config(access_key, secret_key, RetryConfig::disabled())
                .build(),
        )
    }

    /// The configuration every client starts from: this endpoint,
    /// path-style, us-east-1, static credentials, latest behavior version.
    pub fn client_config(
        &self,
        access_key: &str,
        secret_key: &str,
        retry: RetryConfig,
    ) -> aws_sdk_s3::config::Builder {
        client_config_at(&self.endpoint(), access_key, secret_key, retry)
    }
}

impl Drop for StoreProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
