//! Process configuration, read from `PREDASTORE_*` environment variables.
//!
//! Every field has a default that works on a laptop; README's configuration
//! table lists them all. A bad value stops start-up with a message naming
//! the variable: settings written as text are parsed into their types
//! ([`values`]) as they load, and checks across settings run right after,
//! so the accessors of the parsed settings cannot fail.

pub(crate) mod values;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use figment::providers::{Env, Serialized};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::actors::pool::PoolConfig;
use crate::actors::repair::RepairConfig;
use crate::actors::scrub::ScrubConfig;
use crate::actors::wal::node::StorageConfig;
use crate::net::endpoint::QuicSettings;
use crate::storage::{FsyncMode, VolumeConfig};

pub use values::{ErasureSpec, HumanDuration, NodeList, Roles, Volumes};

/// The whole configuration of one process.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `PREDASTORE_ROLE`: `all`, or a comma list of `gateway`, `storage`, `meta`.
    pub role: Roles,
    /// `PREDASTORE_DATA_DIR`: where the shard index and default volumes live.
    pub data_dir: PathBuf,
    /// `PREDASTORE_LISTEN`: HTTP address (S3 API, `/metrics`, `/health/*`).
    pub listen: SocketAddr,
    /// `PREDASTORE_VOLUMES`: a number of volumes under the data directory, or
    /// a comma list of volume directories (one per disk).
    pub volumes: Volumes,
    /// `PREDASTORE_SEGMENT_BYTES`: size of each preallocated WAL segment.
    pub segment_bytes: u64,
    /// `PREDASTORE_FRAGMENT_BYTES`: payload bytes per CRC-checked fragment.
    pub fragment_bytes: u32,
    /// `PREDASTORE_FSYNC`: `group` (ack after fsync, shared), `interval`
    /// (ack at once, fsync every interval), `serial` or `off` (benchmarks only).
    pub fsync: FsyncMode,
    /// `PREDASTORE_SYNC_INTERVAL_MS`: minimum time between sync rounds.
    pub sync_interval_ms: u64,
    /// `PREDASTORE_SYNC_PENDING_BYTES`: unsynced bytes that trigger a sync.
    pub sync_pending_bytes: u64,
    /// `PREDASTORE_COMPACT_BELOW_PERCENT`: compact a sealed segment whose
    /// live bytes fall below this share of its size.
    pub compact_below_percent: u8,
    /// `PREDASTORE_MAX_SHARD_BYTES`: largest shard a storage node accepts.
    pub max_shard_bytes: u64,
    /// `PREDASTORE_LOG`: tracing filter, e.g. `info` or `predastore=debug`.
    pub log: String,
    /// `PREDASTORE_NODE_ID`: this node's number in the cluster.
    pub node_id: u64,
    /// `PREDASTORE_QUIC_LISTEN`: UDP address of the cluster transport.
    pub quic_listen: SocketAddr,
    /// `PREDASTORE_TLS_CA`: the cluster CA certificate (PEM). With
    /// `PREDASTORE_TLS_CERT` and `PREDASTORE_TLS_KEY`; unset, a development
    /// CA and certificate are generated under the data directory.
    pub tls_ca: Option<PathBuf>,
    /// `PREDASTORE_TLS_CERT`: this node's certificate (PEM).
    pub tls_cert: Option<PathBuf>,
    /// `PREDASTORE_TLS_KEY`: this node's private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// `PREDASTORE_HTTPS_CERT`: the S3 endpoint's certificate chain (PEM);
    /// with `PREDASTORE_HTTPS_KEY`, the endpoint speaks HTTPS.
    pub https_cert: Option<PathBuf>,
    /// `PREDASTORE_HTTPS_KEY`: the private key of `PREDASTORE_HTTPS_CERT`.
    pub https_key: Option<PathBuf>,
    /// `PREDASTORE_QUIC_IDLE_TIMEOUT_MS`: close connections idle this long.
    pub quic_idle_timeout_ms: u64,
    /// `PREDASTORE_QUIC_KEEP_ALIVE`: keep pooled connections open.
    pub quic_keep_alive: bool,
    /// `PREDASTORE_QUIC_GSO`: UDP segmentation offload.
    pub quic_gso: bool,
    /// `PREDASTORE_QUIC_SOCKET_BUFFER_BYTES`: UDP socket buffer size asked for.
    pub quic_socket_buffer_bytes: usize,
    /// `PREDASTORE_QUIC_STREAM_WINDOW_BYTES`: flow-control window per stream.
    pub quic_stream_window_bytes: u64,
    /// `PREDASTORE_QUIC_CONNECTION_WINDOW_BYTES`: flow-control window per connection.
    pub quic_connection_window_bytes: u64,
    /// `PREDASTORE_QUIC_MAX_MTU`: largest UDP payload MTU discovery may reach.
    pub quic_max_mtu: u16,
    /// `PREDASTORE_QUIC_THREADS`: threads of the transport's runtime.
    pub quic_threads: usize,
    /// `PREDASTORE_DIAL_TIMEOUT_MS`: a connection attempt fails after this.
    pub dial_timeout_ms: u64,
    /// `PREDASTORE_RPC_TIMEOUT_MS`: a request to a peer fails after this.
    pub rpc_timeout_ms: u64,
    /// `PREDASTORE_META_PEERS`: the metadata (Raft) nodes as a comma list of
    /// `id@host:port` (their QUIC addresses). Empty: this node alone, when
    /// it is a meta node. On first start the lowest id creates the group.
    pub meta_peers: NodeList,
    /// `PREDASTORE_RAFT_SNAPSHOT_EVERY`: log entries between metadata
    /// snapshots; the log is purged behind each.
    pub raft_snapshot_every: u64,
    /// `PREDASTORE_META_OP_TIMEOUT_MS`: how long a metadata op or read may
    /// wait for a leader before it fails.
    pub meta_op_timeout_ms: u64,
    /// `PREDASTORE_DROP_GRACE_MS`: how long the data of a replaced or
    /// deleted version is kept, so that a GET that began before the change
    /// streams the old version to its last byte.
    pub drop_grace_ms: u64,
    /// `PREDASTORE_ACCESS_KEY`: the S3 access key id.
    pub access_key: String,
    /// `PREDASTORE_SECRET_KEY`: its secret.
    pub secret_key: String,
    /// `PREDASTORE_DOMAIN`: with it, `<bucket>.<domain>` hosts are
    /// virtual-host-style requests.
    pub domain: Option<String>,
    /// `PREDASTORE_REGION`: the region clients sign for and
    /// GetBucketLocation answers.
    pub region: String,
    /// `PREDASTORE_EC`: erasure coding of new objects, `data+parity`.
    pub ec: ErasureSpec,
    /// `PREDASTORE_STRIPE_BYTES`: object bytes per erasure-coded stripe.
    pub stripe_bytes: u32,
    /// `PREDASTORE_MAX_OBJECT_BYTES`: largest single PUT (S3: 5 GiB).
    pub max_object_bytes: u64,
    /// `PREDASTORE_INLINE_BYTES`: single-part objects up to this size are
    /// kept whole in their metadata record (replicated by Raft) instead of
    /// in erasure-coded shards; 0 turns this off.
    pub inline_bytes: u64,
    /// `PREDASTORE_STORAGE_NODES`: `id@host:port,…`, the transport address
    /// of every storage node shards are placed on; empty: this process's
    /// own volumes only.
    pub storage_nodes: NodeList,
    /// `PREDASTORE_SCRUB_MB_S`: MiB per second a storage node's scrubber
    /// reads at most when re-checking its shards; 0 turns scrubbing off.
    pub scrub_mb_s: u64,
    /// `PREDASTORE_SCRUB_EVERY`: time from the start of one scrub pass
    /// over every shard to the start of the next (`30s`, `15m`, `24h`, `7d`).
    pub scrub_every: HumanDuration,
    /// `PREDASTORE_HEAL_MB_S`: MiB per second of shard data repair writes
    /// at most; 0: no limit.
    pub heal_mb_s: u64,
    /// `PREDASTORE_HEAL_SCAN_EVERY`: time between two repair scans of every
    /// object against the layout (which also collect orphans).
    pub heal_scan_every: HumanDuration,
    /// `PREDASTORE_NODE_DOWN_AFTER`: a storage node down this long has its
    /// shards rebuilt on other nodes.
    pub node_down_after: HumanDuration,
    /// `PREDASTORE_ORPHAN_GRACE`: a shard nothing points to is deleted once
    /// scans this far apart both found it so; longer than any PUT.
    pub orphan_grace: HumanDuration,
    /// `PREDASTORE_REBALANCE_MB_S`: MiB per second of shard data moved at
    /// most after a layout change (a node added, drained or removed); 0: no
    /// limit.
    pub rebalance_mb_s: u64,
    /// `PREDASTORE_BODY_IDLE_TIMEOUT_MS`: a request body that pauses this
    /// long is cut off with `RequestTimeout` (a client that stopped short
    /// of its `Content-Length` holds its connection no longer).
    pub body_idle_timeout_ms: u64,
    /// `PREDASTORE_ADMIN_TOKEN`: bearer token of the admin API
    /// (`/admin/v1/…`); unset or empty, every admin call is refused. Never
    /// logged.
    pub admin_token: Option<String>,
    /// `PREDASTORE_CONSOLE_LISTEN`: the web console's address, or `off`.
    /// Unset: `127.0.0.1:9001` for the `all` role (skipped with a warning
    /// when that port is taken), off for the other roles.
    pub console_listen: Option<String>,
    /// `PREDASTORE_CONSOLE_S3_URL`: the S3 endpoint as browsers reach it
    /// (`scheme://host:port`), for the console's share links; unset, the
    /// console's own host name with the S3 listener's port.
    pub console_s3_url: Option<String>,
    /// `PREDASTORE_GRAFANA_URL`: the console links to it when set.
    pub grafana_url: Option<String>,
}

/// Where the web console listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleListen {
    /// No console.
    Off,
    /// The default address: a taken port is a warning, not an error.
    Default(SocketAddr),
    /// The address asked for.
    At(SocketAddr),
}

/// The default `PREDASTORE_LOG`. openraft logs up to five WARN/ERROR lines
/// for every retry to a member that is down (a normal state): those of
/// `openraft::replication` (all about one failed attempt: off; a storage
/// error met there is still logged by the Raft core) and the WARN lines of
/// its replication progress handler (its ERROR stays). The Raft network
/// logs each member's changes instead (`actors::consensus::network`). See
/// also [`is_raft_peer_noise`].
pub const DEFAULT_LOG: &str = "info,openraft=warn,openraft::replication=off,\
openraft::engine::handler::replication_handler=error,fjall=warn,lsm_tree=warn";

/// Whether `meta` is one of openraft's per-attempt reports of an RPC to one
/// member that failed: the Raft core's WARN/ERROR events with a `target`
/// member and an `error` (in openraft 0.9: a vote, or a leadership check
/// before a read, that got no answer). While a member is down they come
/// with every read and every election round, so the binary's log filter
/// drops them; the Raft network logs the member's state changes instead.
/// The core's own errors (fatal ones, a failed task) carry no such pair
/// and stay.
pub fn is_raft_peer_noise(meta: &tracing::Metadata<'_>) -> bool {
    let fields = meta.fields();
    meta.is_event()
        && *meta.level() <= tracing::Level::WARN
        && meta.target() == "openraft::core::raft_core"
        && fields.field("target").is_some()
        && fields.field("error").is_some()
}

/// Largest `PREDASTORE_INLINE_BYTES`.
pub const MAX_INLINE_BYTES: u64 = 64 << 10;

impl Default for Config {
    fn default() -> Self {
        Self {
            role: Roles::ALL,
            data_dir: PathBuf::from("./data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 9000)),
            volumes: Volumes::Count(3),
            segment_bytes: 256 << 20,
            fragment_bytes: 64 << 10,
            fsync: FsyncMode::Group,
            sync_interval_ms: 2,
            sync_pending_bytes: 64 << 20,
            compact_below_percent: 50,
            max_shard_bytes: 5 << 30,
            log: DEFAULT_LOG.into(),
            node_id: 1,
            quic_listen: SocketAddr::from(([127, 0, 0, 1], 9100)),
            tls_ca: None,
            tls_cert: None,
            tls_key: None,
            https_cert: None,
            https_key: None,
            quic_idle_timeout_ms: 30_000,
            quic_keep_alive: true,
            quic_gso: true,
            quic_socket_buffer_bytes: 8 << 20,
            quic_stream_window_bytes: 16 << 20,
            quic_connection_window_bytes: 64 << 20,
            quic_max_mtu: 9000,
            quic_threads: 2,
            dial_timeout_ms: 2_000,
            rpc_timeout_ms: 5_000,
            meta_peers: NodeList::default(),
            raft_snapshot_every: 50_000,
            meta_op_timeout_ms: 10_000,
            drop_grace_ms: 3_600_000,
            access_key: "predastore".into(),
            secret_key: "predastore-secret".into(),
            domain: None,
            region: "us-east-1".into(),
            ec: ErasureSpec { data: 2, parity: 1 },
            stripe_bytes: 1 << 20,
            max_object_bytes: 5 << 30,
            inline_bytes: 8 << 10,
            storage_nodes: NodeList::default(),
            scrub_mb_s: 10,
            scrub_every: HumanDuration::secs(7 * 86_400),
            heal_mb_s: 32,
            heal_scan_every: HumanDuration::secs(3600),
            node_down_after: HumanDuration::secs(15 * 60),
            orphan_grace: HumanDuration::secs(3600),
            rebalance_mb_s: 64,
            body_idle_timeout_ms: 20_000,
            admin_token: None,
            console_listen: None,
            console_s3_url: None,
            grafana_url: None,
        }
    }
}

/// A setting that cannot be used; the message names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Where the node's TLS identity comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsSource {
    /// Operator-supplied PEM files.
    Files {
        /// CA certificate.
        ca: PathBuf,
        /// Node certificate.
        cert: PathBuf,
        /// Node key.
        key: PathBuf,
    },
    /// Development identity generated in this directory.
    Dev(PathBuf),
}

/// Longest `PREDASTORE_META_OP_TIMEOUT_MS`: well under the two minutes
/// the metadata remembers an applied op's id.
const MAX_META_OP_TIMEOUT_MS: u64 = 50_000;

impl Config {
    /// Reads the environment over the defaults and checks the result.
    pub fn from_env() -> Result<Self, ConfigError> {
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Env::prefixed("PREDASTORE_"))
            .extract()
            .map_err(|e| {
                let var = e
                    .path
                    .first()
                    .map(|k| format!("PREDASTORE_{}", k.to_uppercase()))
                    .unwrap_or_else(|| "a PREDASTORE_* variable".into());
                ConfigError(format!("{var}: {}", e.kind))
            })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The checks no single value can make alone: across settings, and
    /// ranges.
    fn validate(&self) -> Result<(), ConfigError> {
        self.console()?;
        let roles = self.role;
        let peers = &self.meta_peers;
        // Node id 0 means "no node" in shard placements
        // (`storage::meta::NO_NODE`), so no node may carry it.
        if self.node_id == crate::storage::meta::NO_NODE {
            return Err(ConfigError(
                "PREDASTORE_NODE_ID: must be at least 1 (0 means no node)".into(),
            ));
        }
        for (var, list) in [
            ("PREDASTORE_META_PEERS", peers),
            ("PREDASTORE_STORAGE_NODES", &self.storage_nodes),
        ] {
            if list
                .0
                .iter()
                .any(|(id, _)| *id == crate::storage::meta::NO_NODE)
            {
                return Err(ConfigError(format!(
                    "{var}: node ids must be at least 1 (0 means no node)"
                )));
            }
        }
        if roles.meta && !peers.is_empty() && !peers.contains(self.node_id) {
            return Err(ConfigError(format!(
                "PREDASTORE_META_PEERS: this meta node (PREDASTORE_NODE_ID={}) is not listed",
                self.node_id
            )));
        }
        crate::object::erasure::ErasureCodec::new(self.ec.data, self.ec.parity, self.stripe_bytes)
            .map_err(|e| ConfigError(format!("PREDASTORE_EC / PREDASTORE_STRIPE_BYTES: {e}")))?;
        self.inline_bytes()?;
        if roles.gateway && !roles.storage && self.storage_nodes.is_empty() {
            return Err(ConfigError(
                "PREDASTORE_STORAGE_NODES: a gateway without the storage role needs the storage nodes listed".into(),
            ));
        }
        if self.access_key.is_empty() || self.secret_key.is_empty() {
            return Err(ConfigError(
                "PREDASTORE_ACCESS_KEY / PREDASTORE_SECRET_KEY: must not be empty".into(),
            ));
        }
        // An op is re-sent for at most this long, and its id must still be
        // remembered (two minutes) when a late copy or its fence arrives.
        if !(100..=MAX_META_OP_TIMEOUT_MS).contains(&self.meta_op_timeout_ms) {
            return Err(ConfigError(format!(
                "PREDASTORE_META_OP_TIMEOUT_MS: must be 100 to {MAX_META_OP_TIMEOUT_MS}"
            )));
        }
        if self.body_idle_timeout_ms < 100 {
            return Err(ConfigError(
                "PREDASTORE_BODY_IDLE_TIMEOUT_MS: must be at least 100".into(),
            ));
        }
        if self.raft_snapshot_every == 0 {
            return Err(ConfigError(
                "PREDASTORE_RAFT_SNAPSHOT_EVERY: must be at least 1".into(),
            ));
        }
        if !(512..=(64 << 20)).contains(&self.fragment_bytes) {
            return Err(ConfigError(
                "PREDASTORE_FRAGMENT_BYTES: must be between 512 and 67108864".into(),
            ));
        }
        let min = VolumeConfig::min_segment_bytes(self.fragment_bytes);
        if self.segment_bytes < min {
            return Err(ConfigError(format!(
                "PREDASTORE_SEGMENT_BYTES: must be at least {min} for the configured fragment size"
            )));
        }
        if self.compact_below_percent > 100 {
            return Err(ConfigError(
                "PREDASTORE_COMPACT_BELOW_PERCENT: must be between 0 and 100".into(),
            ));
        }
        self.tls()?;
        for (var, ms) in [
            ("PREDASTORE_QUIC_IDLE_TIMEOUT_MS", self.quic_idle_timeout_ms),
            ("PREDASTORE_DIAL_TIMEOUT_MS", self.dial_timeout_ms),
            ("PREDASTORE_RPC_TIMEOUT_MS", self.rpc_timeout_ms),
        ] {
            if ms == 0 {
                return Err(ConfigError(format!("{var}: must be at least 1")));
            }
        }
        if self.quic_max_mtu < 1200 {
            return Err(ConfigError(
                "PREDASTORE_QUIC_MAX_MTU: QUIC needs at least 1200".into(),
            ));
        }
        for (var, value) in [
            ("PREDASTORE_SCRUB_EVERY", self.scrub_every),
            ("PREDASTORE_HEAL_SCAN_EVERY", self.heal_scan_every),
            ("PREDASTORE_NODE_DOWN_AFTER", self.node_down_after),
            ("PREDASTORE_ORPHAN_GRACE", self.orphan_grace),
        ] {
            if value.get() < Duration::from_secs(1) {
                return Err(ConfigError(format!("{var}: must be at least 1s")));
            }
        }
        for (var, value) in [
            ("PREDASTORE_SCRUB_MB_S", self.scrub_mb_s),
            ("PREDASTORE_HEAL_MB_S", self.heal_mb_s),
        ] {
            if value > 1 << 20 {
                return Err(ConfigError(format!("{var}: must be at most 1048576")));
            }
        }
        if self.sync_interval_ms == 0 {
            return Err(ConfigError(
                "PREDASTORE_SYNC_INTERVAL_MS: must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// The meta nodes `PREDASTORE_META_PEERS` names, as (id, address); with
    /// none named, a meta node is alone in its group.
    pub fn meta_peers(&self) -> Vec<(u64, SocketAddr)> {
        self.meta_peers.0.clone()
    }

    /// `PREDASTORE_STORAGE_NODES` as (node id, transport address) pairs.
    pub fn storage_nodes(&self) -> BTreeMap<u64, SocketAddr> {
        self.storage_nodes.0.iter().copied().collect()
    }

    /// `PREDASTORE_INLINE_BYTES`, checked: at most [`MAX_INLINE_BYTES`], so
    /// a Raft entry of many small PUTs stays small.
    pub fn inline_bytes(&self) -> Result<u64, ConfigError> {
        if self.inline_bytes > MAX_INLINE_BYTES {
            return Err(ConfigError(format!(
                "PREDASTORE_INLINE_BYTES: {} is over the limit of {MAX_INLINE_BYTES}",
                self.inline_bytes
            )));
        }
        Ok(self.inline_bytes)
    }

    /// The erasure layout `PREDASTORE_EC` and `PREDASTORE_STRIPE_BYTES` name.
    pub fn erasure(&self) -> crate::storage::meta::ErasureLayout {
        crate::storage::meta::ErasureLayout {
            data: self.ec.data,
            parity: self.ec.parity,
            stripe_bytes: self.stripe_bytes,
        }
    }

    /// The roles named by `PREDASTORE_ROLE`.
    pub fn roles(&self) -> Roles {
        self.role
    }

    /// The volume directories `PREDASTORE_VOLUMES` names.
    pub fn volume_dirs(&self) -> Vec<PathBuf> {
        match &self.volumes {
            Volumes::Count(n) => (0..*n)
                .map(|i| self.data_dir.join(format!("vol{i}")))
                .collect(),
            Volumes::Dirs(dirs) => dirs.clone(),
        }
    }

    /// This node's TLS identity: the configured files, or the development
    /// identity under the data directory when none are configured.
    pub fn tls(&self) -> Result<TlsSource, ConfigError> {
        match (&self.tls_ca, &self.tls_cert, &self.tls_key) {
            (Some(ca), Some(cert), Some(key)) => Ok(TlsSource::Files {
                ca: ca.clone(),
                cert: cert.clone(),
                key: key.clone(),
            }),
            (None, None, None) => Ok(TlsSource::Dev(self.data_dir.join("tls"))),
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

    /// Where the web console listens (only a gateway serves one).
    pub fn console(&self) -> Result<ConsoleListen, ConfigError> {
        let value = self.console_listen.as_deref().map(str::trim);
        match value {
            _ if !self.role.gateway => Ok(ConsoleListen::Off),
            Some("off") => Ok(ConsoleListen::Off),
            Some(v) if !v.is_empty() => v.parse().map(ConsoleListen::At).map_err(|_| {
                ConfigError(format!(
                    "PREDASTORE_CONSOLE_LISTEN: {v:?} is neither an address (host:port) nor off"
                ))
            }),
            _ if self.role == Roles::ALL => Ok(ConsoleListen::Default(SocketAddr::from((
                [127, 0, 0, 1],
                9001,
            )))),
            _ => Ok(ConsoleListen::Off),
        }
    }

    /// `PREDASTORE_CONSOLE_S3_URL` and `PREDASTORE_GRAFANA_URL`, empty
    /// values as none.
    pub fn console_links(&self) -> (Option<String>, Option<String>) {
        let set = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        (set(&self.console_s3_url), set(&self.grafana_url))
    }

    /// Transport tuning.
    pub fn quic(&self) -> QuicSettings {
        QuicSettings {
            idle_timeout: Duration::from_millis(self.quic_idle_timeout_ms),
            keep_alive: self.quic_keep_alive,
            gso: self.quic_gso,
            socket_buffer_bytes: self.quic_socket_buffer_bytes,
            stream_window: self.quic_stream_window_bytes,
            connection_window: self.quic_connection_window_bytes,
            max_streams: 1024,
            max_mtu: self.quic_max_mtu,
        }
    }

    /// Connection pool timeouts.
    pub fn pool(&self) -> PoolConfig {
        PoolConfig {
            dial_timeout: Duration::from_millis(self.dial_timeout_ms),
            rpc_timeout: Duration::from_millis(self.rpc_timeout_ms),
            keep_alive: self.quic_keep_alive,
        }
    }

    /// How the storage node's scrubber paces itself.
    pub fn scrub(&self) -> ScrubConfig {
        ScrubConfig {
            bytes_per_sec: self.scrub_mb_s << 20,
            every: self.scrub_every.get(),
        }
    }

    /// Every environment variable the configuration reads, e.g.
    /// `PREDASTORE_LISTEN`: one per field of [`Config`].
    pub fn known_variables() -> Vec<String> {
        let data = figment::Provider::data(&Serialized::defaults(Config::default()));
        let mut names: Vec<String> = data
            .ok()
            .into_iter()
            .flat_map(|profiles| profiles.into_values())
            .flat_map(|dict| dict.into_keys())
            .map(|k| format!("PREDASTORE_{}", k.to_uppercase()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// The admin API's bearer token, if one is set (an empty value is none).
    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref().filter(|t| !t.is_empty())
    }

    /// How repair paces itself and when it gives up on a node.
    pub fn repair(&self) -> RepairConfig {
        RepairConfig {
            rebalance_bytes_per_sec: self.rebalance_mb_s << 20,
            heal_bytes_per_sec: self.heal_mb_s << 20,
            node_down_after: self.node_down_after.get(),
            scan_every: self.heal_scan_every.get(),
            orphan_grace: self.orphan_grace.get(),
        }
    }

    /// The storage node settings.
    pub fn storage(&self) -> StorageConfig {
        StorageConfig {
            index_dir: self.data_dir.join("shard-index"),
            volumes: self.volume_dirs(),
            volume: VolumeConfig {
                segment_bytes: self.segment_bytes,
                fragment_bytes: self.fragment_bytes,
                compact_below: f64::from(self.compact_below_percent) / 100.0,
                max_shard_bytes: self.max_shard_bytes,
            },
            fsync: self.fsync,
            sync_interval: Duration::from_millis(self.sync_interval_ms),
            sync_pending_bytes: self.sync_pending_bytes,
            slow_sync: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(cfg.volumes, Volumes::Count(3));
        assert_eq!(cfg.ec, ErasureSpec { data: 2, parity: 1 });
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
    fn bad_values_name_their_variable() {
        let cfg = Config {
            segment_bytes: 100,
            ..Config::default()
        };
        let err = cfg.validate().map(|_| ()).unwrap_err().to_string();
        assert!(err.contains("PREDASTORE_SEGMENT_BYTES"), "{err}");
        let err = load_err(&[("PREDASTORE_ROLE", "gateway,bogus")]);
        assert!(err.contains("PREDASTORE_ROLE"), "{err}");
        for (var, bad) in [
            ("PREDASTORE_EC", "2x1"),
            ("PREDASTORE_EC", "0+1"),
            ("PREDASTORE_VOLUMES", "0"),
            ("PREDASTORE_VOLUMES", ","),
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
                .parse::<SocketAddr>()
                .map_err(|e| ConfigError(e.to_string()))?
        );
        for bad in ["1@nowhere", "x@127.0.0.1:1", "1@127.0.0.1:1,1@127.0.0.2:1"] {
            let err = load_err(&[("PREDASTORE_STORAGE_NODES", bad)]);
            assert!(err.contains("PREDASTORE_STORAGE_NODES"), "{bad}: {err}");
        }
        let err = load_err(&[("PREDASTORE_ROLE", "gateway")]);
        assert!(err.contains("PREDASTORE_STORAGE_NODES"), "{err}");
        let big_inline = Config {
            inline_bytes: MAX_INLINE_BYTES + 1,
            ..Config::default()
        };
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
            assert_eq!(cfg.fsync, FsyncMode::Interval);
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
        let filter = tracing_subscriber::EnvFilter::new(DEFAULT_LOG)
            .and(filter_fn(|m| !is_raft_peer_noise(m)));
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
            tracing::warn!(target: "predastore::actors::pool::detector", "peer down");
            tracing::info!(target: "predastore::actors::consensus::network", "meta member reachable again");
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
}
