//! The storage node's volumes (disks) and what repair knows of failed
//! ones: state, space and errors per volume.

use std::sync::LazyLock;

use prometheus::{IntCounterVec, IntGauge, IntGaugeVec};

use super::build::{counter_vec, gauge, gauge_vec};

/// Whether each of this storage node's volumes is in service (1) or has
/// failed (0: its directory is gone, or a write or probe met an I/O error
/// other than a full disk).
pub static VOLUME_UP: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "predastore_volume_up",
        "Whether each volume of this storage node is in service (1) or has failed (0)",
        &["volume"],
    )
});
/// Whether each volume is full: still read, but takes no new shard.
pub static VOLUME_FULL: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "predastore_volume_full",
        "Whether each volume of this storage node is full (1): read, but takes no new shard",
        &["volume"],
    )
});
/// Size of each volume's filesystem (0 while it cannot be examined).
pub static VOLUME_CAPACITY: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "predastore_volume_capacity_bytes",
        "Size of the filesystem each volume of this storage node is on, as its last probe found",
        &["volume"],
    )
});
/// Space left on each volume's filesystem for this process.
pub static VOLUME_FREE: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "predastore_volume_free_bytes",
        "Space left for this process on the filesystem each volume of this storage node is on, as its last probe found",
        &["volume"],
    )
});
/// Failed volumes across the storage nodes, as the repair leader last
/// saw them (their shards are rebuilt on the nodes' other volumes).
pub static FAILED_VOLUMES: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_failed_volumes",
        "Failed volumes across the storage nodes, as the repair leader last saw them",
    )
});
/// Failed volumes the repair leader knew of when its last complete scan
/// began: once it equals [`FAILED_VOLUMES`] (and nothing is below
/// redundancy), every failed disk's shards have been rebuilt.
pub static FAILED_VOLUMES_SCANNED: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_failed_volumes_scanned",
        "Failed volumes the repair leader knew of when its last complete scan began",
    )
});
/// I/O errors each volume gave a write or a probe.
pub static VOLUME_IO_ERRORS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_volume_io_errors_total",
        "I/O errors each volume of this storage node gave a write or a probe",
        &["volume"],
    )
});
/// Shards moved back to their own volume once a new disk was taken in
/// for it (the node-local rebalance of a replaced disk).
pub static SHARDS_MOVED_HOME: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_volume_shards_moved_home_total",
        "Shards this storage node moved back to their own volume after its disk was replaced",
        &["volume"],
    )
});
/// Shard bytes moved back to their own volume once a new disk was taken
/// in for it.
pub static BYTES_MOVED_HOME: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_volume_bytes_moved_home_total",
        "Shard bytes this storage node moved back to their own volume after its disk was replaced",
        &["volume"],
    )
});
/// Whether shards are being moved back to a volume whose disk was
/// replaced (1 while the move runs).
pub static SHARDS_MOVING_HOME: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "predastore_volume_moving_home",
        "Whether shards are being moved back to each volume of this storage node after its disk was replaced (1)",
        &["volume"],
    )
});
