//! The background work that keeps data whole: scrubbing shards, repair
//! scans and rebuilds, orphan collection, and rebalancing after a layout
//! change; each paced by a rate or a period.

use serde::{Deserialize, Serialize};

use super::values::HumanDuration;
use crate::actors::core::scrub::ScrubConfig;
use crate::actors::upkeep::lifecycle::LifecycleWalkConfig;
use crate::actors::upkeep::repair::RepairConfig;

/// Rates and periods of scrub, repair and rebalance.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct UpkeepSettings {
    /// `PREDASTORE_SCRUB_MB_S`: MiB per second a storage node's scrubber
    /// reads at most when re-checking its shards; 0 turns scrubbing off, at
    /// most 1048576. Default 10.
    pub scrub_mb_s: u64,
    /// `PREDASTORE_SCRUB_EVERY`: time from the start of one scrub pass
    /// over every shard to the start of the next (`30s`, `15m`, `24h`,
    /// `7d`); at least 1s. Default `7d`.
    pub scrub_every: HumanDuration,
    /// `PREDASTORE_HEAL_MB_S`: MiB per second of shard data repair writes
    /// at most while clients use the store; 0: no limit, at most 1048576.
    /// Default 16.
    pub heal_mb_s: u64,
    /// `PREDASTORE_REPAIR_IDLE_MB_S`: MiB per second of shard data repair
    /// and rebalance write at most while no client uses the store; 0: no
    /// limit, at most 1048576. Default 0.
    pub repair_idle_mb_s: u64,
    /// `PREDASTORE_HEAL_SCAN_EVERY`: time between two repair scans of every
    /// object against the layout (which also collect orphans); at least 1s.
    /// Default `1h`.
    pub heal_scan_every: HumanDuration,
    /// `PREDASTORE_NODE_DOWN_AFTER`: a storage node down this long has its
    /// shards rebuilt on other nodes; at least 1s. Default `15m`.
    pub node_down_after: HumanDuration,
    /// `PREDASTORE_ORPHAN_GRACE`: a shard nothing points to is deleted once
    /// scans this far apart both found it so; longer than any PUT, at least
    /// 1s. Default `1h`.
    pub orphan_grace: HumanDuration,
    /// `PREDASTORE_REBALANCE_MB_S`: MiB per second of shard data moved at
    /// most after a layout change (a node added, drained or removed) while
    /// clients use the store; 0: no limit, at most 1048576. Default 16.
    pub rebalance_mb_s: u64,
    /// `PREDASTORE_LIFECYCLE_OBJECTS_PER_SEC`: records per second the
    /// lifecycle walk looks at most; 0: no limit. Default 1000.
    pub lifecycle_objects_per_sec: u64,
    /// `PREDASTORE_LIFECYCLE_DAY_SECS`: **for tests only**, the length of a
    /// lifecycle "day" in seconds (as RGW's `rgw_lc_debug_interval`); rule
    /// days, the rounding to midnight and the walk's period (a 24th of a
    /// day, at least 1s) all scale with it. Production leaves the default
    /// 86400.
    pub lifecycle_day_secs: u64,
}

impl Default for UpkeepSettings {
    fn default() -> Self {
        Self {
            scrub_mb_s: 10,
            scrub_every: HumanDuration::secs(7 * 86_400),
            heal_mb_s: 16,
            repair_idle_mb_s: 0,
            heal_scan_every: HumanDuration::secs(3600),
            node_down_after: HumanDuration::secs(15 * 60),
            orphan_grace: HumanDuration::secs(3600),
            rebalance_mb_s: 16,
            lifecycle_objects_per_sec: 1000,
            lifecycle_day_secs: crate::storage::meta::lifecycle::DAY_MS / 1000,
        }
    }
}

impl UpkeepSettings {
    /// How the storage node's scrubber paces itself.
    pub fn scrub(&self) -> ScrubConfig {
        ScrubConfig {
            bytes_per_sec: self.scrub_mb_s << 20,
            every: self.scrub_every.get(),
        }
    }

    /// How repair paces itself and when it gives up on a node.
    pub fn repair(&self) -> RepairConfig {
        RepairConfig {
            rebalance_bytes_per_sec: self.rebalance_mb_s << 20,
            heal_bytes_per_sec: self.heal_mb_s << 20,
            idle_bytes_per_sec: self.repair_idle_mb_s << 20,
            node_down_after: self.node_down_after.get(),
            scan_every: self.heal_scan_every.get(),
            orphan_grace: self.orphan_grace.get(),
        }
    }

    /// The length of a lifecycle day, in milliseconds.
    pub fn lifecycle_day_ms(&self) -> u64 {
        self.lifecycle_day_secs.saturating_mul(1000)
    }

    /// How the lifecycle walk paces itself and how often it runs.
    pub fn lifecycle(&self) -> LifecycleWalkConfig {
        LifecycleWalkConfig {
            objects_per_sec: self.lifecycle_objects_per_sec,
            day_ms: self.lifecycle_day_ms(),
        }
    }
}
