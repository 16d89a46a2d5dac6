//! The checks no single value can make alone: across settings, and
//! ranges. They run once, right after loading, so the accessors of a
//! loaded [`Config`] cannot fail.

use std::time::Duration;

use super::error::ConfigError;
use super::load::Config;
use crate::object::erasure::ErasureCodec;
use crate::storage::meta::NO_NODE;
use crate::storage::VolumeConfig;

/// Longest `PREDASTORE_META_OP_TIMEOUT_MS`: well under the two minutes
/// the metadata remembers an applied op's id.
const MAX_META_OP_TIMEOUT_MS: u64 = 50_000;

impl Config {
    /// Checks the loaded settings together; the first problem found is
    /// returned, naming its variable.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        self.console()?;
        self.check_members()?;
        let o = &self.objects;
        ErasureCodec::new(o.ec.data, o.ec.parity, o.stripe_bytes)
            .map_err(|e| ConfigError(format!("PREDASTORE_EC / PREDASTORE_STRIPE_BYTES: {e}")))?;
        self.inline_bytes()?;
        if self.role.gateway && !self.role.storage && self.cluster.storage_nodes.is_empty() {
            return Err(ConfigError(
                "PREDASTORE_STORAGE_NODES: a gateway without the storage role needs the storage nodes listed".into(),
            ));
        }
        if self.http.access_key.is_empty() || self.http.secret_key.is_empty() {
            return Err(ConfigError(
                "PREDASTORE_ACCESS_KEY / PREDASTORE_SECRET_KEY: must not be empty".into(),
            ));
        }
        // An op is re-sent for at most this long, and its id must still be
        // remembered (two minutes) when a late copy or its fence arrives.
        if !(100..=MAX_META_OP_TIMEOUT_MS).contains(&self.cluster.meta_op_timeout_ms) {
            return Err(ConfigError(format!(
                "PREDASTORE_META_OP_TIMEOUT_MS: must be 100 to {MAX_META_OP_TIMEOUT_MS}"
            )));
        }
        let longest_lease = crate::actors::core::consensus::READ_LEASE.as_millis();
        if u128::from(self.cluster.meta_read_lease_ms) > longest_lease {
            return Err(ConfigError(format!(
                "PREDASTORE_META_READ_LEASE_MS: must be 0 (off) to {longest_lease}"
            )));
        }
        if self.http.body_idle_timeout_ms < 100 {
            return Err(ConfigError(
                "PREDASTORE_BODY_IDLE_TIMEOUT_MS: must be at least 100".into(),
            ));
        }
        if self.cluster.raft_snapshot_every == 0 {
            return Err(ConfigError(
                "PREDASTORE_RAFT_SNAPSHOT_EVERY: must be at least 1".into(),
            ));
        }
        self.identity.key_sources()?;
        self.check_wal_format()?;
        self.tls()?;
        self.check_transport()?;
        self.check_upkeep()?;
        if self.wal.sync_interval_ms == 0 {
            return Err(ConfigError(
                "PREDASTORE_SYNC_INTERVAL_MS: must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// Node ids: none is 0, and a meta node is among the meta peers listed.
    fn check_members(&self) -> Result<(), ConfigError> {
        let peers = &self.cluster.meta_peers;
        // Node id 0 means "no node" in shard placements
        // (`storage::meta::NO_NODE`), so no node may carry it.
        if self.node_id == NO_NODE {
            return Err(ConfigError(
                "PREDASTORE_NODE_ID: must be at least 1 (0 means no node)".into(),
            ));
        }
        for (var, list) in [
            ("PREDASTORE_META_PEERS", peers),
            ("PREDASTORE_STORAGE_NODES", &self.cluster.storage_nodes),
        ] {
            if list.0.iter().any(|(id, _)| *id == NO_NODE) {
                return Err(ConfigError(format!(
                    "{var}: node ids must be at least 1 (0 means no node)"
                )));
            }
        }
        if self.role.meta && !peers.is_empty() && !peers.contains(self.node_id) {
            return Err(ConfigError(format!(
                "PREDASTORE_META_PEERS: this meta node (PREDASTORE_NODE_ID={}) is not listed",
                self.node_id
            )));
        }
        Ok(())
    }

    /// Fragment, segment and compaction sizes fit together.
    fn check_wal_format(&self) -> Result<(), ConfigError> {
        let wal = &self.wal;
        if !(512..=(64 << 20)).contains(&wal.fragment_bytes) {
            return Err(ConfigError(
                "PREDASTORE_FRAGMENT_BYTES: must be between 512 and 67108864".into(),
            ));
        }
        let min = VolumeConfig::min_segment_bytes(wal.fragment_bytes);
        if wal.segment_bytes < min {
            return Err(ConfigError(format!(
                "PREDASTORE_SEGMENT_BYTES: must be at least {min} for the configured fragment size"
            )));
        }
        if wal.compact_below_percent > 100 {
            return Err(ConfigError(
                "PREDASTORE_COMPACT_BELOW_PERCENT: must be between 0 and 100".into(),
            ));
        }
        if wal.compact_mb_s > 1 << 20 {
            return Err(ConfigError(
                "PREDASTORE_COMPACT_MB_S: must be at most 1048576".into(),
            ));
        }
        Ok(())
    }

    /// Transport timeouts are not zero and the MTU is one QUIC can use.
    fn check_transport(&self) -> Result<(), ConfigError> {
        let t = &self.transport;
        for (var, ms) in [
            ("PREDASTORE_QUIC_IDLE_TIMEOUT_MS", t.quic_idle_timeout_ms),
            ("PREDASTORE_DIAL_TIMEOUT_MS", t.dial_timeout_ms),
            ("PREDASTORE_RPC_TIMEOUT_MS", t.rpc_timeout_ms),
        ] {
            if ms == 0 {
                return Err(ConfigError(format!("{var}: must be at least 1")));
            }
        }
        if t.quic_max_mtu < 1200 {
            return Err(ConfigError(
                "PREDASTORE_QUIC_MAX_MTU: QUIC needs at least 1200".into(),
            ));
        }
        Ok(())
    }

    /// Background periods are at least a second and rates within range.
    fn check_upkeep(&self) -> Result<(), ConfigError> {
        let u = &self.upkeep;
        for (var, value) in [
            ("PREDASTORE_SCRUB_EVERY", u.scrub_every),
            ("PREDASTORE_HEAL_SCAN_EVERY", u.heal_scan_every),
            ("PREDASTORE_NODE_DOWN_AFTER", u.node_down_after),
            ("PREDASTORE_ORPHAN_GRACE", u.orphan_grace),
        ] {
            if value.get() < Duration::from_secs(1) {
                return Err(ConfigError(format!("{var}: must be at least 1s")));
            }
        }
        for (var, value) in [
            ("PREDASTORE_SCRUB_MB_S", u.scrub_mb_s),
            ("PREDASTORE_HEAL_MB_S", u.heal_mb_s),
            ("PREDASTORE_REBALANCE_MB_S", u.rebalance_mb_s),
            ("PREDASTORE_REPAIR_IDLE_MB_S", u.repair_idle_mb_s),
        ] {
            if value > 1 << 20 {
                return Err(ConfigError(format!("{var}: must be at most 1048576")));
            }
        }
        if u.lifecycle_day_secs == 0 {
            return Err(ConfigError(
                "PREDASTORE_LIFECYCLE_DAY_SECS: must be at least 1".into(),
            ));
        }
        Ok(())
    }
}
