//! Every Prometheus metric of the process, in one registry.
//!
//! Metrics are statics so hot paths touch an atomic, not a map; they are
//! registered in [`REGISTRY`] the first time it is used.

use std::sync::LazyLock;

use prometheus::{
    exponential_buckets, Encoder, Histogram, HistogramOpts, IntCounter, IntGauge, Opts, Registry,
    TextEncoder,
};

fn counter(name: &str, help: &str) -> IntCounter {
    IntCounter::with_opts(Opts::new(name, help)).unwrap_or_else(|e| panic!("metric {name}: {e}"))
}

fn gauge(name: &str, help: &str) -> IntGauge {
    IntGauge::with_opts(Opts::new(name, help)).unwrap_or_else(|e| panic!("metric {name}: {e}"))
}

fn histogram(name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
    Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))
        .unwrap_or_else(|e| panic!("metric {name}: {e}"))
}

fn buckets(start: f64, factor: f64, count: usize) -> Vec<f64> {
    exponential_buckets(start, factor, count).unwrap_or_default()
}

/// Payload bytes appended to WAL segments.
pub static WAL_APPENDED_BYTES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_wal_appended_bytes_total",
        "Payload bytes appended to WAL segments",
    )
});
/// Records (extents and tombstones) appended.
pub static WAL_RECORDS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_wal_records_total",
        "Records appended to WAL segments",
    )
});
/// fdatasync rounds of the syncer.
pub static WAL_FSYNCS: LazyLock<IntCounter> =
    LazyLock::new(|| counter("predastore_wal_fsyncs_total", "Group-commit fsync rounds"));
/// Time one sync round takes.
pub static WAL_FSYNC_SECONDS: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "predastore_wal_fsync_seconds",
        "Duration of one group-commit sync (segments and index)",
        buckets(0.0001, 2.0, 16),
    )
});
/// Appends made durable by one sync round.
pub static WAL_RECORDS_PER_FSYNC: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "predastore_wal_records_per_fsync",
        "Appends acknowledged by one group-commit sync",
        buckets(1.0, 2.0, 12),
    )
});
/// Segment files present.
pub static WAL_SEGMENTS_LIVE: LazyLock<IntGauge> =
    LazyLock::new(|| gauge("predastore_wal_segments_live", "WAL segment files on disk"));
/// Segments deleted after compaction.
pub static WAL_SEGMENTS_RECLAIMED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_wal_segments_reclaimed_total",
        "WAL segments deleted after their live records were copied forward",
    )
});
/// Fragments whose CRC did not match on read or compaction.
pub static WAL_CORRUPT_FRAGMENTS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_wal_corrupt_fragments_total",
        "Fragments that failed their CRC32C check",
    )
});

/// The registry `/metrics` exposes.
pub static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let registry = Registry::new();
    let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
        Box::new(WAL_APPENDED_BYTES.clone()),
        Box::new(WAL_RECORDS.clone()),
        Box::new(WAL_FSYNCS.clone()),
        Box::new(WAL_FSYNC_SECONDS.clone()),
        Box::new(WAL_RECORDS_PER_FSYNC.clone()),
        Box::new(WAL_SEGMENTS_LIVE.clone()),
        Box::new(WAL_SEGMENTS_RECLAIMED.clone()),
        Box::new(WAL_CORRUPT_FRAGMENTS.clone()),
    ];
    for c in collectors {
        if let Err(e) = registry.register(c) {
            tracing::error!(error = %e, "metric registration failed");
        }
    }
    registry
});

/// The Prometheus text exposition of every metric.
pub fn render() -> String {
    let mut out = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&REGISTRY.gather(), &mut out) {
        tracing::error!(error = %e, "metric encoding failed");
    }
    String::from_utf8(out).unwrap_or_default()
}
