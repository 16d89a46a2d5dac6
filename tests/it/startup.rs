//! Start-up: what cannot succeed gets one clear line and an exit status,
//! never a panic; what the process may fix for itself, it fixes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};
use std::process::{Command, Stdio};

use crate::common::node::{http_get, wait_ready};
use crate::common::store::{binary, failed_start, free_port_pair, single_node_env};

#[test]
fn an_s3_port_in_use_is_a_clear_error_not_a_panic() {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let (_, quic) = free_port_pair(ip);
    // Someone else holds the S3 port.
    let taken = TcpListener::bind((ip, 0)).expect("bind a port");
    let http = taken.local_addr().expect("its address");
    let data = tempfile::tempdir().expect("data dir");
    let env = single_node_env(
        &data.path().display().to_string(),
        http,
        SocketAddr::new(ip, quic),
    );
    let (status, stderr) = failed_start(env);
    assert_eq!(status, Some(1));
    assert!(stderr.contains("Address already in use"), "{stderr}");
}

/// The soft and hard "Max open files" of process `pid`.
fn open_file_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("read limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a Max open files line");
    let mut fields = line["Max open files".len()..].split_whitespace();
    let soft = fields.next().expect("soft limit").to_string();
    let hard = fields.next().expect("hard limit").to_string();
    (soft, hard)
}

#[test]
fn a_store_started_with_a_low_soft_open_file_limit_raises_it_to_the_hard_one() {
    let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let (http, quic) = free_port_pair(ip);
    let (http, quic) = (SocketAddr::new(ip, http), SocketAddr::new(ip, quic));
    let data = tempfile::tempdir().expect("data dir");
    let env = single_node_env(&data.path().display().to_string(), http, quic);
    // As a shell or a container runtime would start it: 1,024 soft.
    // prlimit execs the store, so the child's pid is the store's.
    let mut child = Command::new("prlimit")
        .arg("--nofile=1024:")
        .arg(binary())
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run prlimit (util-linux)");
    wait_ready(&mut child, http);
    let (soft, hard) = open_file_limits(child.id());
    let metrics = http_get(http, "/metrics");
    let _ = child.kill();
    let _ = child.wait();
    // An unlimited hard limit is raised to Linux's own ceiling.
    let expected = if hard == "unlimited" {
        "1048576"
    } else {
        &hard
    };
    assert_eq!(soft, expected, "soft limit left at {soft}");
    assert_ne!(
        soft, "1024",
        "the hard limit is 1024: the test shows nothing"
    );
    // Operators see the limit and the use in /metrics.
    let metrics = metrics.expect("/metrics answers");
    let value = |name: &str| {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .map(str::to_string)
    };
    assert_eq!(value("process_max_fds").as_deref(), Some(expected));
    let open: u64 = value("process_open_fds")
        .and_then(|v| v.parse().ok())
        .expect("process_open_fds");
    assert!(open > 3, "{open} open files");
}
