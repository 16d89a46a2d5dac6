//! Start-up that cannot succeed: the operator gets one clear line and an
//! exit status, never a panic.

use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};

use crate::common::store::{failed_start, free_port_pair, single_node_env};

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
