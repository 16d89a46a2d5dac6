//! The whole configuration of one process, and how it loads.
//!
//! [`Config`] holds the process-wide settings and one section per concern
//! (each in its own file). Every variable keeps its flat name
//! (`PREDASTORE_SEGMENT_BYTES`); loading routes it to its section, and an
//! error names the variable whichever section holds it.

use crate::net::PeerAddr;
use std::collections::BTreeMap;
use std::path::PathBuf;

use figment::providers::{Env, Serialized};
use figment::value::Value;
use figment::{Figment, Profile, Provider};
use serde::{Deserialize, Serialize};

use super::cluster::ClusterSettings;
use super::console::{ConsoleConfig, ConsoleListen};
use super::encryption::EncryptionSettings;
use super::error::ConfigError;
use super::http::HttpSettings;
use super::identity::IdentitySettings;
use super::log::DEFAULT_LOG;
use super::objects::ObjectSettings;
use super::tls::{TlsSettings, TlsSource};
use super::transport::TransportSettings;
use super::upkeep::UpkeepSettings;
use super::values::Roles;
use super::wal::WalSettings;
use crate::actors::core::pool::PoolConfig;
use crate::actors::core::scrub::ScrubConfig;
use crate::actors::core::wal::node::StorageConfig;
use crate::actors::upkeep::repair::RepairConfig;
use crate::net::endpoint::QuicSettings;
use crate::storage::meta::ErasureLayout;

/// The whole configuration of one process: who it is, then one section
/// per concern. Section names are not variables: `PREDASTORE_LISTEN` sets
/// `http.listen`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `PREDASTORE_ROLE`: what this process runs, `all` or a comma list of
    /// `gateway`, `storage`, `meta`. Default `all`.
    pub role: Roles,
    /// `PREDASTORE_NODE_ID`: this node's number in the cluster, at least 1
    /// (0 means "no node" in shard placements). Default 1.
    pub node_id: u64,
    /// `PREDASTORE_DATA_DIR`: the directory of the shard index, the
    /// metadata group's store, the development TLS identity and counted
    /// volumes. Default `./data`.
    pub data_dir: PathBuf,
    /// `PREDASTORE_LOG`: tracing filter, e.g. `info` or `predastore=debug`.
    /// Default [`DEFAULT_LOG`]; a filter that does not parse falls back to
    /// `info`.
    pub log: String,
    /// The S3 HTTP listener, its first access key and the admin token.
    pub http: HttpSettings,
    /// A storage node's volumes, WAL segments and syncing.
    pub wal: WalSettings,
    /// The QUIC cluster transport: address, tuning, peer timeouts.
    pub transport: TransportSettings,
    /// The configured metadata group and storage nodes, metadata timing.
    pub cluster: ClusterSettings,
    /// Erasure coding and size limits of new objects.
    pub objects: ObjectSettings,
    /// Scrub, repair and rebalance rates and periods.
    pub upkeep: UpkeepSettings,
    /// Cluster TLS and HTTPS certificate files.
    pub certs: TlsSettings,
    /// The web console's address and links.
    pub console: ConsoleConfig,
    /// Master keys of encryption at rest.
    pub encryption: EncryptionSettings,
    /// Web identity: OpenID providers' keys.
    pub identity: IdentitySettings,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            role: Roles::ALL,
            node_id: 1,
            data_dir: PathBuf::from("./data"),
            log: DEFAULT_LOG.into(),
            http: HttpSettings::default(),
            wal: WalSettings::default(),
            transport: TransportSettings::default(),
            cluster: ClusterSettings::default(),
            objects: ObjectSettings::default(),
            upkeep: UpkeepSettings::default(),
            certs: TlsSettings::default(),
            console: ConsoleConfig::default(),
            encryption: EncryptionSettings::default(),
            identity: IdentitySettings::default(),
        }
    }
}

/// Every setting's key (`segment_bytes`) and its path in [`Config`]
/// (`wal.segment_bytes`), read off the defaults so no list can drift.
fn setting_paths() -> BTreeMap<String, String> {
    let data = Serialized::defaults(Config::default()).data();
    let mut paths = BTreeMap::new();
    let dicts = data.ok().and_then(|mut d| d.remove(&Profile::Default));
    for (key, value) in dicts.into_iter().flatten() {
        match value {
            Value::Dict(_, section) => {
                for leaf in section.into_keys() {
                    paths.insert(leaf.clone(), format!("{key}.{leaf}"));
                }
            }
            _ => {
                paths.insert(key.clone(), key);
            }
        }
    }
    paths
}

impl Config {
    /// Reads the environment over the defaults and checks the result.
    pub fn from_env() -> Result<Self, ConfigError> {
        let paths = setting_paths();
        let routes = paths.clone();
        // Each variable goes to its section; variables that name no setting
        // are ignored, as they always were.
        let env = Env::prefixed("PREDASTORE_").filter_map(move |key| {
            routes
                .get(&key.as_str().to_ascii_lowercase())
                .map(|path| path.clone().into())
        });
        let cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(env)
            .extract()
            .map_err(|e| {
                let var = e
                    .path
                    .iter()
                    .rev()
                    .find(|k| paths.contains_key(k.as_str()))
                    .map(|k| format!("PREDASTORE_{}", k.to_uppercase()))
                    .unwrap_or_else(|| "a PREDASTORE_* variable".into());
                ConfigError(format!("{var}: {}", e.kind))
            })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Every environment variable the configuration reads, e.g.
    /// `PREDASTORE_LISTEN`: one per setting of [`Config`] and its sections.
    pub fn known_variables() -> Vec<String> {
        // The keys of a BTreeMap come sorted and once each.
        setting_paths()
            .into_keys()
            .map(|k| format!("PREDASTORE_{}", k.to_uppercase()))
            .collect()
    }

    /// The roles named by `PREDASTORE_ROLE`.
    pub fn roles(&self) -> Roles {
        self.role
    }

    /// The meta nodes `PREDASTORE_META_PEERS` names, as (id, address); with
    /// none named, a meta node is alone in its group.
    pub fn meta_peers(&self) -> Vec<(u64, PeerAddr)> {
        self.cluster.meta_peers()
    }

    /// `PREDASTORE_STORAGE_NODES` as (node id, transport address) pairs.
    pub fn storage_nodes(&self) -> BTreeMap<u64, PeerAddr> {
        self.cluster.storage_nodes()
    }

    /// Where other nodes reach this one: the address listed for this
    /// node's id in `PREDASTORE_STORAGE_NODES` (a storage node) or
    /// `PREDASTORE_META_PEERS` (a meta node), a name in Kubernetes while
    /// the node listens on `0.0.0.0`; else its `PREDASTORE_QUIC_LISTEN`. A
    /// gateway's id is no listed node's, whatever its number.
    pub fn own_addr(&self) -> PeerAddr {
        let roles = self.roles();
        let storage = roles
            .storage
            .then(|| self.storage_nodes().get(&self.node_id).copied())
            .flatten();
        let meta = || {
            roles
                .meta
                .then(|| {
                    self.meta_peers()
                        .into_iter()
                        .find_map(|(id, addr)| (id == self.node_id).then_some(addr))
                })
                .flatten()
        };
        storage
            .or_else(meta)
            .unwrap_or_else(|| self.transport.quic_listen.into())
    }

    /// `PREDASTORE_INLINE_BYTES`, checked (see [`ObjectSettings::inline_bytes`]).
    pub fn inline_bytes(&self) -> Result<u64, ConfigError> {
        self.objects.inline_bytes()
    }

    /// The erasure layout `PREDASTORE_EC` and `PREDASTORE_STRIPE_BYTES` name.
    pub fn erasure(&self) -> ErasureLayout {
        self.objects.erasure()
    }

    /// The volume directories `PREDASTORE_VOLUMES` names.
    pub fn volume_dirs(&self) -> Vec<PathBuf> {
        self.wal.volume_dirs(&self.data_dir)
    }

    /// This node's TLS identity: the configured files, or the development
    /// identity under the data directory when none are configured.
    pub fn tls(&self) -> Result<TlsSource, ConfigError> {
        self.certs.tls(&self.data_dir)
    }

    /// The S3 endpoint's HTTPS certificate and key files, if it serves
    /// HTTPS (both variables set; one alone is an error).
    pub fn https(&self) -> Result<Option<(PathBuf, PathBuf)>, ConfigError> {
        self.certs.https()
    }

    /// Where the web console listens (only a gateway serves one).
    pub fn console(&self) -> Result<ConsoleListen, ConfigError> {
        self.console.listen(self.role)
    }

    /// `PREDASTORE_CONSOLE_S3_URL` and `PREDASTORE_GRAFANA_URL`, empty
    /// values as none.
    pub fn console_links(&self) -> (Option<String>, Option<String>) {
        self.console.links()
    }

    /// The admin API's bearer token, if one is set (an empty value is none).
    pub fn admin_token(&self) -> Option<&str> {
        self.http.admin_token()
    }

    /// Transport tuning.
    pub fn quic(&self) -> QuicSettings {
        self.transport.quic()
    }

    /// Connection pool timeouts.
    pub fn pool(&self) -> PoolConfig {
        self.transport.pool()
    }

    /// How the storage node's scrubber paces itself.
    pub fn scrub(&self) -> ScrubConfig {
        self.upkeep.scrub()
    }

    /// How repair paces itself and when it gives up on a node.
    pub fn repair(&self) -> RepairConfig {
        self.upkeep.repair()
    }

    /// The storage node settings.
    pub fn storage(&self) -> StorageConfig {
        self.wal.storage(&self.data_dir)
    }
}
