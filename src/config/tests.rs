//! The configuration's tests: defaults, each variable's parsing and the
//! error that names it, the console's address by role, and what the
//! default log filter lets through.

use std::net::SocketAddr;
use std::time::Duration;

use crate::actors::core::scrub::ScrubConfig;
use crate::config::console::ConsoleListen;
use crate::config::error::ConfigError;
use crate::config::load::Config;
use crate::config::log::{is_raft_peer_noise, DEFAULT_LOG};
use crate::config::objects::MAX_INLINE_BYTES;
use crate::config::values::{ErasureSpec, Roles, Volumes};
use crate::storage::FsyncMode;

/// Loads the configuration from these `PREDASTORE_*` variables over the
/// defaults, as start-up does.
// figment's Jail fixes the closure's error type.
#[allow(clippy::result_large_err)]
fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let mut loaded = None;
    figment::Jail::expect_with(|jail| {
        for (name, value) in vars {
            jail.set_env(name, value);
        }
        loaded = Some(Config::from_env());
        Ok(())
    });
    loaded.unwrap_or_else(|| Err(ConfigError("figment's jail did not run".into())))
}

/// The message of the error [`load`] must fail with.
fn load_err(vars: &[(&str, &str)]) -> String {
    load(vars).map(|_| ()).unwrap_err().to_string()
}

#[test]
fn the_console_listens_by_role_and_choice() -> Result<(), ConfigError> {
    let default = SocketAddr::from(([127, 0, 0, 1], 9001));
    assert_eq!(load(&[])?.console()?, ConsoleListen::Default(default));
    let off = load(&[("PREDASTORE_CONSOLE_LISTEN", "off")])?;
    assert_eq!(off.console()?, ConsoleListen::Off);
    let at = load(&[("PREDASTORE_CONSOLE_LISTEN", "0.0.0.0:9901")])?;
    assert_eq!(
        at.console()?,
        ConsoleListen::At("0.0.0.0:9901".parse().expect("addr"))
    );
    let storage = load(&[
        ("PREDASTORE_ROLE", "storage"),
        ("PREDASTORE_CONSOLE_LISTEN", "127.0.0.1:9901"),
    ])?;
    assert_eq!(storage.console()?, ConsoleListen::Off);
    let message = load_err(&[("PREDASTORE_CONSOLE_LISTEN", "nine")]);
    assert!(message.contains("PREDASTORE_CONSOLE_LISTEN"), "{message}");
    Ok(())
}

#[test]
fn defaults_are_valid() -> Result<(), ConfigError> {
    let cfg = Config::default();
    cfg.validate()?;
    assert_eq!(cfg.volume_dirs().len(), 3);
    assert!(cfg.roles().storage);
    // The typed defaults survive figment's round trip.
    let cfg = load(&[])?;
    assert_eq!(cfg.roles(), Roles::ALL);
    assert_eq!(cfg.wal.volumes, Volumes::Count(3));
    assert_eq!(cfg.objects.ec, ErasureSpec { data: 2, parity: 1 });
    assert!(cfg.meta_peers().is_empty() && cfg.storage_nodes().is_empty());
    assert_eq!(
        cfg.scrub(),
        ScrubConfig {
            bytes_per_sec: 10 << 20,
            every: Duration::from_secs(7 * 86_400)
        }
    );
    Ok(())
}

#[test]
fn scrub_settings_parse_and_are_checked() -> Result<(), ConfigError> {
    let cfg = load(&[
        ("PREDASTORE_SCRUB_MB_S", "0"),
        ("PREDASTORE_SCRUB_EVERY", "30s"),
    ])?;
    assert!(!cfg.scrub().periodic());
    assert_eq!(cfg.scrub().every, Duration::from_secs(30));
    let cfg = load(&[("PREDASTORE_SCRUB_EVERY", "24h")])?;
    assert_eq!(cfg.scrub().every, Duration::from_secs(86_400));
    let cfg = load(&[("PREDASTORE_SCRUB_EVERY", "90")])?;
    assert_eq!(cfg.scrub().every, Duration::from_secs(90));
    for (var, bad) in [
        ("PREDASTORE_SCRUB_EVERY", "0s"),
        ("PREDASTORE_SCRUB_EVERY", "soon"),
        ("PREDASTORE_SCRUB_MB_S", "fast"),
    ] {
        let err = load_err(&[(var, bad)]);
        assert!(err.contains(var), "{bad}: {err}");
    }
    Ok(())
}

#[test]
fn repair_rates_default_to_giving_way_to_clients_and_are_checked() -> Result<(), ConfigError> {
    let repair = Config::default().repair();
    assert_eq!(repair.heal_bytes_per_sec, 16 << 20);
    assert_eq!(repair.rebalance_bytes_per_sec, 16 << 20);
    assert_eq!(repair.idle_bytes_per_sec, 0, "no limit with no client");
    let cfg = load(&[
        ("PREDASTORE_REPAIR_IDLE_MB_S", "200"),
        ("PREDASTORE_REBALANCE_MB_S", "8"),
    ])?;
    assert_eq!(cfg.repair().idle_bytes_per_sec, 200 << 20);
    assert_eq!(cfg.repair().rebalance_bytes_per_sec, 8 << 20);
    for var in [
        "PREDASTORE_HEAL_MB_S",
        "PREDASTORE_REBALANCE_MB_S",
        "PREDASTORE_REPAIR_IDLE_MB_S",
    ] {
        let err = load_err(&[(var, "1048577")]);
        assert!(err.contains(var), "{var}: {err}");
    }
    Ok(())
}

#[test]
fn bad_values_name_their_variable() {
    let mut cfg = Config::default();
    cfg.wal.segment_bytes = 100;
    let err = cfg.validate().map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("PREDASTORE_SEGMENT_BYTES"), "{err}");
    let err = load_err(&[("PREDASTORE_ROLE", "gateway,bogus")]);
    assert!(err.contains("PREDASTORE_ROLE"), "{err}");
    for (var, bad) in [
        ("PREDASTORE_EC", "2x1"),
        ("PREDASTORE_EC", "0+1"),
        ("PREDASTORE_VOLUMES", "0"),
        ("PREDASTORE_VOLUMES", ","),
        ("PREDASTORE_COMPACT_MB_S", "1048577"),
        ("PREDASTORE_META_READ_LEASE_MS", "301"),
    ] {
        let err = load_err(&[(var, bad)]);
        assert!(err.contains(var), "{bad}: {err}");
    }
}

#[test]
fn meta_peers_parse_and_must_include_a_meta_node() -> Result<(), ConfigError> {
    let cfg = load(&[(
        "PREDASTORE_META_PEERS",
        "1@127.0.0.1:9100, 2@127.0.0.2:9100,3@127.0.0.3:9100",
    )])?;
    let peers = cfg.meta_peers();
    assert_eq!(peers.len(), 3);
    assert_eq!(
        peers[1],
        (
            2,
            "127.0.0.2:9100"
                .parse()
                .map_err(|_| ConfigError("addr".into()))?
        )
    );
    for bad in [
        "1@nowhere",
        "x@127.0.0.1:1",
        "127.0.0.1:1",
        "1@127.0.0.1:1,1@127.0.0.2:1",
    ] {
        let err = load_err(&[("PREDASTORE_META_PEERS", bad)]);
        assert!(err.contains("PREDASTORE_META_PEERS"), "{bad}: {err}");
    }
    let err = load_err(&[("PREDASTORE_META_PEERS", "2@127.0.0.2:9100")]);
    assert!(err.contains("not listed"), "{err}");
    Ok(())
}

#[test]
fn nodes_may_be_listed_by_name_and_a_node_is_reached_where_it_is_listed() -> Result<(), ConfigError>
{
    // Kubernetes: each pod listens on every interface and is reached by
    // its StatefulSet name.
    let names = "1@predastore-0.predastore-nodes:9100,2@predastore-1.predastore-nodes:9100";
    let cfg = load(&[
        ("PREDASTORE_NODE_ID", "2"),
        ("PREDASTORE_QUIC_LISTEN", "0.0.0.0:9100"),
        ("PREDASTORE_META_PEERS", names),
        ("PREDASTORE_STORAGE_NODES", names),
    ])?;
    assert_eq!(
        cfg.meta_peers()[0].1.to_string(),
        "predastore-0.predastore-nodes:9100"
    );
    assert_eq!(
        cfg.own_addr().to_string(),
        "predastore-1.predastore-nodes:9100"
    );
    // Not listed: its listening address.
    let alone = load(&[("PREDASTORE_QUIC_LISTEN", "127.0.0.9:9100")])?;
    assert_eq!(alone.own_addr().to_string(), "127.0.0.9:9100");
    // A gateway left at the default id 1 is not storage node 1.
    let gateway = load(&[
        ("PREDASTORE_ROLE", "gateway"),
        ("PREDASTORE_QUIC_LISTEN", "127.0.0.10:9100"),
        ("PREDASTORE_META_PEERS", names),
        ("PREDASTORE_STORAGE_NODES", names),
    ])?;
    assert_eq!(gateway.own_addr().to_string(), "127.0.0.10:9100");
    for bad in [
        "1@predastore-0:",
        "1@bad name:9100",
        "1@-x:9100",
        "1@host:0",
    ] {
        let err = load_err(&[("PREDASTORE_STORAGE_NODES", bad)]);
        assert!(err.contains("PREDASTORE_STORAGE_NODES"), "{bad}: {err}");
    }
    Ok(())
}

#[test]
fn storage_nodes_parse_and_a_gateway_alone_needs_them() -> Result<(), ConfigError> {
    let cfg = load(&[
        ("PREDASTORE_ROLE", "gateway"),
        (
            "PREDASTORE_STORAGE_NODES",
            "3@127.0.0.4:9100,1@127.0.0.2:9100",
        ),
    ])?;
    let nodes = cfg.storage_nodes();
    assert_eq!(nodes.keys().copied().collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(
        nodes[&3],
        "127.0.0.4:9100"
            .parse::<crate::net::PeerAddr>()
            .map_err(|e| ConfigError(e.to_string()))?
    );
    for bad in ["1@nowhere", "x@127.0.0.1:1", "1@127.0.0.1:1,1@127.0.0.2:1"] {
        let err = load_err(&[("PREDASTORE_STORAGE_NODES", bad)]);
        assert!(err.contains("PREDASTORE_STORAGE_NODES"), "{bad}: {err}");
    }
    let err = load_err(&[("PREDASTORE_ROLE", "gateway")]);
    assert!(err.contains("PREDASTORE_STORAGE_NODES"), "{err}");
    let mut big_inline = Config::default();
    big_inline.objects.inline_bytes = MAX_INLINE_BYTES + 1;
    let err = big_inline.validate().map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("PREDASTORE_INLINE_BYTES"), "{err}");
    Ok(())
}

#[test]
fn node_id_zero_is_refused() {
    for (var, bad) in [
        ("PREDASTORE_NODE_ID", "0"),
        ("PREDASTORE_META_PEERS", "1@127.0.0.1:9100,0@127.0.0.2:9100"),
        (
            "PREDASTORE_STORAGE_NODES",
            "0@127.0.0.4:9100,1@127.0.0.2:9100",
        ),
    ] {
        let err = load_err(&[(var, bad)]);
        assert!(err.contains(var), "{bad}: {err}");
        assert!(err.contains("at least 1"), "{bad}: {err}");
    }
}

#[test]
// figment's Jail fixes the closure's error type.
#[allow(clippy::result_large_err)]
fn env_parse_errors_name_the_variable() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("PREDASTORE_SEGMENT_BYTES", "lots");
        let err = Config::from_env().map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("PREDASTORE_SEGMENT_BYTES"), "{err}");
        jail.set_env("PREDASTORE_SEGMENT_BYTES", "1048576");
        jail.set_env("PREDASTORE_FSYNC", "sometimes");
        let err = Config::from_env().map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("PREDASTORE_FSYNC"), "{err}");
        jail.set_env("PREDASTORE_FSYNC", "interval");
        jail.set_env("PREDASTORE_VOLUMES", "2");
        let cfg = Config::from_env().map_err(|e| e.to_string())?;
        assert_eq!(cfg.volume_dirs().len(), 2);
        jail.set_env("PREDASTORE_VOLUMES", "/a, /b");
        let cfg = Config::from_env().map_err(|e| e.to_string())?;
        assert_eq!(cfg.wal.fsync, FsyncMode::Interval);
        assert_eq!(cfg.volume_dirs().len(), 2);
        Ok(())
    });
}

/// What the default log filter lets through of these events, as the
/// binary sets it up.
fn logged(emit: impl FnOnce()) -> String {
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::filter::{filter_fn, FilterExt};
    use tracing_subscriber::prelude::*;

    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let out = buf.clone();
    let filter =
        tracing_subscriber::EnvFilter::new(DEFAULT_LOG).and(filter_fn(|m| !is_raft_peer_noise(m)));
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(move || out.clone())
        .with_filter(filter);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), emit);
    let bytes = buf.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn the_default_log_drops_openraft_retries_to_a_down_member_but_not_real_errors() {
    let out = logged(|| {
        // What openraft 0.9 logs on every retry to a member that is down.
        tracing::warn!(target: "openraft::replication", error = "Unreachable node", "error replication to target=2");
        tracing::error!(target: "openraft::replication", err = "Unreachable node", "RPCError");
        tracing::warn!(target: "openraft::replication", interval = 1, "backoff mode");
        tracing::warn!(target: "openraft::engine::handler::replication_handler", result = "Unreachable node", "update progress error");
        tracing::warn!(target: "openraft::engine::handler::replication_handler", "heartbeat error: Unreachable node");
        tracing::error!(target: "openraft::engine::handler::replication_handler", error = "bad", "update_matching");
        tracing::error!(target: "openraft::core::raft_core", target = 2, error = "Unreachable node", "timeout while confirming leadership for read request");
        tracing::error!(target: "openraft::core::raft_core", target = 2, error = "Unreachable node", "while requesting vote");
        // Real errors, and our own state changes.
        tracing::error!(target: "openraft::core::raft_core", error = "disk", "quit RaftCore::main on error");
        tracing::error!(target: "openraft::core::raft_core", error = "disk", "received Notify::ReplicationStorageError");
        tracing::error!(target: "openraft::core::raft_core", target = 2, "fail to join task: panic");
        tracing::warn!(target: "openraft::core::sm::worker", "state machine trouble");
        tracing::warn!(target: "predastore::actors::core::pool::detector", "peer down");
        tracing::info!(target: "predastore::actors::core::consensus::network", "meta member reachable again");
        tracing::info!(target: "openraft::core::raft_core", "chatty info");
    });
    for quiet in [
        "error replication",
        "RPCError",
        "backoff mode",
        "update progress error",
        "heartbeat error",
        "confirming leadership",
        "requesting vote",
        "chatty info",
    ] {
        assert!(!out.contains(quiet), "{quiet:?} logged:\n{out}");
    }
    for kept in [
        "quit RaftCore::main",
        "ReplicationStorageError",
        "fail to join task",
        "update_matching",
        "state machine trouble",
        "peer down",
        "reachable again",
    ] {
        assert!(out.contains(kept), "{kept:?} not logged:\n{out}");
    }
}

#[test]
fn every_variable_keeps_its_flat_name_whatever_its_section() -> Result<(), ConfigError> {
    let known = Config::known_variables();
    let expected = "PREDASTORE_ACCESS_KEY PREDASTORE_ADMIN_TOKEN PREDASTORE_BODY_IDLE_TIMEOUT_MS PREDASTORE_COMPACT_BELOW_PERCENT PREDASTORE_COMPACT_MB_S PREDASTORE_CONSOLE_LISTEN PREDASTORE_CONSOLE_S3_URL PREDASTORE_DATA_DIR PREDASTORE_DIAL_TIMEOUT_MS PREDASTORE_DOMAIN PREDASTORE_DROP_GRACE_MS PREDASTORE_EC PREDASTORE_FRAGMENT_BYTES PREDASTORE_FSYNC PREDASTORE_GRAFANA_URL PREDASTORE_HEAL_MB_S PREDASTORE_HEAL_SCAN_EVERY PREDASTORE_HTTPS_CERT PREDASTORE_HTTPS_KEY PREDASTORE_INLINE_BYTES PREDASTORE_KMS_DEFAULT_KEY PREDASTORE_KMS_KEY_FILE PREDASTORE_KMS_KEYS PREDASTORE_LIFECYCLE_DAY_SECS PREDASTORE_LIFECYCLE_OBJECTS_PER_SEC PREDASTORE_LISTEN PREDASTORE_LOG PREDASTORE_MAX_OBJECT_BYTES PREDASTORE_MAX_SHARD_BYTES PREDASTORE_META_OP_TIMEOUT_MS PREDASTORE_META_PEERS PREDASTORE_META_READ_LEASE_MS PREDASTORE_NEW_BUCKET_DEFAULTS PREDASTORE_NODE_DOWN_AFTER PREDASTORE_NODE_ID PREDASTORE_OIDC_JWKS PREDASTORE_ORPHAN_GRACE PREDASTORE_PAGE_CACHE_READS PREDASTORE_QUIC_CONNECTION_WINDOW_BYTES PREDASTORE_QUIC_GSO PREDASTORE_QUIC_IDLE_TIMEOUT_MS PREDASTORE_QUIC_KEEP_ALIVE PREDASTORE_QUIC_LISTEN PREDASTORE_QUIC_MAX_MTU PREDASTORE_QUIC_SOCKET_BUFFER_BYTES PREDASTORE_QUIC_STREAM_WINDOW_BYTES PREDASTORE_QUIC_THREADS PREDASTORE_RAFT_SNAPSHOT_EVERY PREDASTORE_REBALANCE_MB_S PREDASTORE_REGION PREDASTORE_REPAIR_IDLE_MB_S PREDASTORE_ROLE PREDASTORE_RPC_TIMEOUT_MS PREDASTORE_SCRUB_EVERY PREDASTORE_SCRUB_MB_S PREDASTORE_SECRET_KEY PREDASTORE_SEGMENT_BYTES PREDASTORE_SSE_C_ALLOW_HTTP PREDASTORE_STORAGE_NODES PREDASTORE_STRIPE_BYTES PREDASTORE_SYNC_INTERVAL_MS PREDASTORE_SYNC_PENDING_BYTES PREDASTORE_TEST_CLOCK_OFFSET_MS PREDASTORE_TEST_HOSTS PREDASTORE_TEST_PROBE_INTERVAL_MS PREDASTORE_TEST_UNCHECKED_POLICIES PREDASTORE_TLS_CA PREDASTORE_TLS_CERT PREDASTORE_TLS_KEY PREDASTORE_VOLUMES";
    assert_eq!(known.join(" "), expected);
    // A section's name is no variable, and does not break loading.
    let cfg = load(&[
        ("PREDASTORE_WAL", "x"),
        ("PREDASTORE_LISTEN", "0.0.0.0:9009"),
        ("PREDASTORE_QUIC_THREADS", "5"),
        ("PREDASTORE_ADMIN_URL", "http://127.0.0.1:9000"),
    ])?;
    assert_eq!(cfg.http.listen, SocketAddr::from(([0, 0, 0, 0], 9009)));
    assert_eq!(cfg.transport.quic_threads, 5);
    Ok(())
}

#[test]
fn openid_key_sources_parse_or_name_their_variable() -> Result<(), ConfigError> {
    let cfg = load(&[(
        "PREDASTORE_OIDC_JWKS",
        "https://sso.example.com/realms/main=/etc/predastore/jwks.json",
    )])?;
    assert!(cfg.identity.key_sources().is_ok());
    let err = load_err(&[("PREDASTORE_OIDC_JWKS", "sso.example.com=/etc/jwks.json")]);
    assert!(err.contains("PREDASTORE_OIDC_JWKS"), "{err}");
    Ok(())
}
