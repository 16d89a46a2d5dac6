//! A real `predastore` store for the bench's tests: the store binary the
//! workspace build put next to this test (`target/<profile>/predastore`),
//! role `all`, one node, three volumes, erasure coding 2+1.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::Client;

/// Access key the store is started with.
pub(crate) const ACCESS_KEY: &str = "PSTESTACCESSKEY00001";
/// Secret key the store is started with.
pub(crate) const SECRET_KEY: &str = "predastore/test/secret/0123456789abcdefgh";

/// The `predastore-bench` binary under test.
pub(crate) fn bench_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_predastore-bench"))
}

/// The `predastore` store binary of this build: in the profile directory
/// this test runs from (`target/<profile>/deps/<test>` →
/// `target/<profile>/predastore`). Panics, saying how to build it, when
/// it is not there.
pub(crate) fn store_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test executable");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("no target directory above {}", exe.display()));
    let store = profile_dir.join("predastore");
    assert!(
        store.is_file(),
        "the store binary {} is missing: these tests run the bench against a real store. \
         Build the workspace first: `cargo test --release --workspace` \
         (or `cargo build --release -p predastore`, then test this package)",
        store.display()
    );
    store
}

/// A free TCP and UDP port on 127.0.0.1 (as far as a quick check goes).
fn free_port() -> u16 {
    for _ in 0..100 {
        let Ok(udp) = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)) else {
            continue;
        };
        let Ok(addr) = udp.local_addr() else { continue };
        if TcpListener::bind((Ipv4Addr::LOCALHOST, addr.port())).is_ok() {
            return addr.port();
        }
    }
    panic!("no free port on 127.0.0.1");
}

/// Whether `GET /health/ready` answers 200 with `ready`.
fn is_ready(addr: SocketAddr) -> bool {
    let Ok(mut s) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if write!(s, "GET /health/ready HTTP/1.0\r\nHost: {addr}\r\n\r\n").is_err() {
        return false;
    }
    let mut out = String::new();
    if s.read_to_string(&mut out).is_err() {
        return false;
    }
    let Some((head, body)) = out.split_once("\r\n\r\n") else {
        return false;
    };
    head.split(' ').nth(1) == Some("200") && body.contains("ready")
}

/// A running single-node store with its data in a temporary directory,
/// killed when dropped.
pub(crate) struct StoreProcess {
    child: Child,
    http: SocketAddr,
    _data: tempfile::TempDir,
}

impl StoreProcess {
    /// Starts a store and waits until it is ready.
    pub(crate) fn start() -> Self {
        let binary = store_binary();
        let data = tempfile::Builder::new()
            .prefix("predastore-bench-")
            .tempdir()
            .expect("create data dir");
        let http = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
        let mut quic = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
        while quic.port() == http.port() {
            quic.set_port(free_port());
        }
        let child = Command::new(&binary)
            .env_clear()
            .env("PREDASTORE_ROLE", "all")
            .env("PREDASTORE_DATA_DIR", data.path())
            .env("PREDASTORE_LISTEN", http.to_string())
            .env("PREDASTORE_QUIC_LISTEN", quic.to_string())
            .env("PREDASTORE_ACCESS_KEY", ACCESS_KEY)
            .env("PREDASTORE_SECRET_KEY", SECRET_KEY)
            .env("PREDASTORE_LOG", "warn")
            .env("PREDASTORE_SEGMENT_BYTES", (64u64 << 20).to_string())
            .env("PREDASTORE_VOLUMES", "3")
            .env("PREDASTORE_EC", "2+1")
            .env("PREDASTORE_STRIPE_BYTES", (1u64 << 20).to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
        let mut store = Self {
            child,
            http,
            _data: data,
        };
        store.wait_ready();
        store
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("predastore exited during start: {status}");
            }
            if is_ready(self.http) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("predastore at {} not ready within 20 s", self.http);
    }

    /// The store's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn endpoint(&self) -> String {
        format!("http://{}", self.http)
    }

    /// An S3 client with the store's credentials (path-style, us-east-1).
    pub(crate) fn client(&self) -> Client {
        let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "bench-tests");
        Client::from_conf(
            aws_sdk_s3::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .endpoint_url(self.endpoint())
                .credentials_provider(credentials)
                .force_path_style(true)
                .build(),
        )
    }
}

impl Drop for StoreProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
