//! Real `predastore` processes for multi-node tests: each on its own
//! 127.0.0.x address, killed (or stopped) at will.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A free port on `ip` (UDP and TCP both, as far as a quick check goes),
/// below the kernel's ephemeral range: a process's own client socket,
/// bound to its address with port 0, can then never take the port its
/// server is about to listen on (a node failed to start so).
pub fn free_port(ip: IpAddr) -> u16 {
    let ephemeral_from = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let low = 10_000.min(ephemeral_from / 2);
    for _ in 0..1000 {
        let port = rand::random_range(low..ephemeral_from);
        if UdpSocket::bind((ip, port)).is_ok() && std::net::TcpListener::bind((ip, port)).is_ok() {
            return port;
        }
    }
    panic!("no free port on {ip}");
}

/// TLS files of one node.
#[derive(Clone, Debug)]
pub struct NodeTls {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl NodeTls {
    /// No TLS files given: the node uses (and on first start writes) its
    /// development identity in `<data dir>/tls`, as a store started with
    /// README's first command does.
    pub fn own_identity() -> Self {
        Self {
            ca: PathBuf::new(),
            cert: PathBuf::new(),
            key: PathBuf::new(),
        }
    }

    /// Node `i`'s files in a directory written by `predastore tls init`.
    pub fn in_dir(dir: &Path, i: usize) -> Self {
        Self {
            ca: dir.join("ca.pem"),
            cert: dir.join(format!("node{i}.pem")),
            key: dir.join(format!("node{i}-key.pem")),
        }
    }
}

/// Waits until the process `child` answers `/health/ready` on `http`;
/// panics if it exits first or is not ready within 20 s.
pub fn wait_ready(child: &mut Child, http: SocketAddr) {
    if let Err(status) = ready_or_exited(child, http) {
        panic!("predastore exited during start: {status}");
    }
}

/// [`wait_ready`], with an exit during start returned rather than a panic.
pub fn ready_or_exited(child: &mut Child, http: SocketAddr) -> Result<(), ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(status);
        }
        if http_get(http, "/health/ready").is_some_and(|b| b.contains("ready")) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("predastore at {http} not ready within 20 s");
}

/// `1@addr,2@addr,…`: the transport addresses of `nodes`, with ids from 1,
/// as `PREDASTORE_META_PEERS` and `PREDASTORE_STORAGE_NODES` take them.
pub fn node_list(nodes: &[NodeProcess]) -> String {
    nodes
        .iter()
        .enumerate()
        .map(|(i, node)| format!("{}@{}", i + 1, node.quic))
        .collect::<Vec<_>>()
        .join(",")
}

/// A running storage node process.
pub struct NodeProcess {
    child: Option<Child>,
    pub data_dir: PathBuf,
    pub http: SocketAddr,
    pub quic: SocketAddr,
    tls: NodeTls,
    extra_env: Vec<(String, String)>,
}

impl NodeProcess {
    /// Starts a storage node on `ip` with data in `data_dir`.
    pub fn start(ip: IpAddr, data_dir: &Path, tls: NodeTls, extra_env: &[(&str, &str)]) -> Self {
        let mut node = Self::new(ip, data_dir, tls, extra_env);
        node.spawn();
        node
    }

    /// A node on `ip` with its addresses chosen, not started yet (see
    /// [`NodeProcess::spawn`]); `extra_env` overrides the defaults, role
    /// included.
    pub fn new(ip: IpAddr, data_dir: &Path, tls: NodeTls, extra_env: &[(&str, &str)]) -> Self {
        Self {
            child: None,
            data_dir: data_dir.to_path_buf(),
            http: SocketAddr::new(ip, free_port(ip)),
            quic: SocketAddr::new(ip, free_port(ip)),
            tls,
            extra_env: extra_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// Sets (or replaces) an environment variable for later starts.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.extra_env.retain(|(k, _)| k != key);
        self.extra_env.push((key.to_string(), value.to_string()));
    }

    /// Starts the process and waits until it is ready.
    pub fn spawn(&mut self) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_predastore"));
        cmd.env_clear()
            .env("PREDASTORE_ROLE", "storage")
            .env("PREDASTORE_DATA_DIR", &self.data_dir)
            .env("PREDASTORE_LISTEN", self.http.to_string())
            .env("PREDASTORE_QUIC_LISTEN", self.quic.to_string())
            .env("PREDASTORE_VOLUMES", "1")
            .env("PREDASTORE_SEGMENT_BYTES", (64u64 << 20).to_string())
            .env(
                "PREDASTORE_LOG",
                std::env::var("PREDASTORE_TEST_NODE_LOG_LEVEL").unwrap_or_else(|_| "warn".into()),
            )
            .stdout(node_log(self.http))
            .stderr(Stdio::inherit());
        if !self.tls.ca.as_os_str().is_empty() {
            cmd.env("PREDASTORE_TLS_CA", &self.tls.ca)
                .env("PREDASTORE_TLS_CERT", &self.tls.cert)
                .env("PREDASTORE_TLS_KEY", &self.tls.key);
        }
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start predastore");
        self.child = Some(child);
        self.wait_ready();
    }

    fn wait_ready(&mut self) {
        if let Some(child) = self.child.as_mut() {
            wait_ready(child, self.http);
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, |c| c.id())
    }

    /// SIGKILL, and wait for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the process is running (not killed).
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Starts again on the same addresses and data.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Sends a signal by name (`STOP`, `CONT`); for `STOP`, returns once
    /// the kernel reports the process stopped.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
        if name == "STOP" {
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.state() != Some('T') && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            assert_eq!(self.state(), Some('T'), "process did not stop");
        }
    }

    /// The process state letter from /proc (`T` when stopped).
    fn state(&self) -> Option<char> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        stat.rsplit(')').next()?.trim_start().chars().next()
    }

    /// A metric's value from the node's `/metrics` (sum over matching lines).
    pub fn metric(&self, name_and_labels: &str) -> Option<f64> {
        metric_at(self.http, name_and_labels, "")
    }
}

/// A metric from the `/metrics` of the process at `http`: the sum over
/// the lines that start with `name_and_labels` and contain `also` (e.g. a
/// label in the middle of the set).
pub fn metric_at(http: SocketAddr, name_and_labels: &str, also: &str) -> Option<f64> {
    let text = http_get(http, "/metrics")?;
    text.lines()
        .filter(|l| l.starts_with(name_and_labels) && l.contains(also))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .reduce(|a, b| a + b)
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_ref() {
            // A stopped process must be continued to be killable cleanly.
            let _ = Command::new("kill")
                .arg("-CONT")
                .arg(child.id().to_string())
                .status();
        }
        self.kill();
    }
}

/// A bare HTTP/1.0 GET; the body, if the answer is 200.
pub fn http_get(addr: SocketAddr, path: &str) -> Option<String> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    let (head, body) = out.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?;
    (status == "200").then(|| body.to_string())
}

/// Where a node's log goes: nowhere, or, when `PREDASTORE_TEST_NODE_LOGS`
/// names a directory (to debug a failing test), appended to
/// `<dir>/<http address>.log` there (at `PREDASTORE_TEST_NODE_LOG_LEVEL`,
/// `warn` by default).
fn node_log(http: SocketAddr) -> Stdio {
    let Some(dir) = std::env::var_os("PREDASTORE_TEST_NODE_LOGS") else {
        return Stdio::null();
    };
    let path = Path::new(&dir).join(format!("{http}.log"));
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_or_else(|_| Stdio::null(), Stdio::from)
}
