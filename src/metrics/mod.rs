//! Every Prometheus metric of the process, in one registry.
//!
//! Metrics are statics so hot paths touch an atomic, not a map; they are
//! registered in [`REGISTRY`] the first time it is used.

use std::sync::LazyLock;

mod build;
mod process;
mod volumes;

use build::{buckets, built, counter, counter_vec, float_gauge, gauge, gauge_vec, histogram};
pub use volumes::*;

use prometheus::{
    Encoder, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

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
/// Bytes the WAL segment files take on disk that no shard needs (records
/// of deleted, replaced or abandoned shards not yet compacted away).
pub static WAL_RECLAIMABLE_BYTES: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_wal_reclaimable_bytes",
        "Bytes of WAL segment files on disk that no live shard uses, until compaction gives them back",
    )
});
/// Fragments whose CRC did not match on read or compaction.
pub static WAL_CORRUPT_FRAGMENTS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_wal_corrupt_fragments_total",
        "Fragments that failed their CRC32C check",
    )
});

/// Pool lookups answered by an open connection.
pub static POOL_HITS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_pool_hits_total",
        "Connection pool lookups answered by an open connection",
    )
});
/// Pool lookups that had to dial.
pub static POOL_MISSES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_pool_misses_total",
        "Connection pool lookups that dialed a new connection",
    )
});
/// Open QUIC connections, by side (`client`: pooled, `server`: accepted).
pub static QUIC_CONNECTIONS: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "predastore_quic_connections",
        "Open QUIC connections",
        &["side"],
    )
});
/// QUIC streams in use, by side; returns to zero when idle.
pub static QUIC_STREAMS_OPEN: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "predastore_quic_streams_open",
        "QUIC streams currently open",
        &["side"],
    )
});
/// QUIC streams ever opened, by side.
pub static QUIC_STREAMS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_quic_streams_total",
        "QUIC streams opened",
        &["side"],
    )
});
/// RPC bytes written to QUIC streams.
pub static QUIC_BYTES_SENT: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_quic_sent_bytes_total",
        "Bytes sent on QUIC streams (headers and bodies)",
    )
});
/// RPC bytes read from QUIC streams.
pub static QUIC_BYTES_RECEIVED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_quic_received_bytes_total",
        "Bytes received on QUIC streams (headers and bodies)",
    )
});

/// Metadata ops carried by one Raft entry.
pub static RAFT_OPS_PER_ENTRY: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "predastore_raft_ops_per_entry",
        "Metadata ops batched into one Raft entry",
        buckets(1.0, 2.0, 14),
    )
});
/// Linearizable reads served by one leadership check on the leader.
pub static RAFT_READS_PER_CHECK: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "predastore_raft_reads_per_leadership_check",
        "Linearizable reads that shared one leadership check (heartbeat round) on the leader",
        buckets(1.0, 2.0, 14),
    )
});
/// Metadata reads this process asked of the metadata group (its own
/// member or the leader), by kind: how many a request costs.
pub static META_READS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_meta_reads_total",
        "Linearizable metadata reads this process made, by kind (bucket, object, access_key, ...)",
        &["read"],
    )
});
/// Request signatures checked (SigV4 or SigV2, header or presigned, and
/// POST form policies).
pub static SIGNATURE_CHECKS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_signature_checks_total",
        "Request signatures verified (SigV4, SigV2, presigned URLs, POST form policies)",
    )
});
/// Linearizable reads answered under the leader's read lease.
pub static RAFT_LEASE_READS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_raft_lease_reads_total",
        "Linearizable reads the leader answered under its read lease, without a leadership check of their own",
    )
});
/// Leadership checks for reads that no quorum answered in time.
pub static RAFT_READ_CHECK_RETRIES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_raft_read_check_retries_total",
        "Leadership checks for linearizable reads that no quorum answered in time and were tried again",
    )
});
/// Raft entries acknowledged by one log sync.
pub static RAFT_ENTRIES_PER_LOG_SYNC: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "predastore_raft_entries_per_log_sync",
        "Raft log appends acknowledged by one fsync",
        buckets(1.0, 2.0, 12),
    )
});
/// Time to apply one Raft entry to the metadata state.
pub static RAFT_APPLY_SECONDS: LazyLock<Histogram> = LazyLock::new(|| {
    histogram(
        "predastore_raft_apply_seconds",
        "Time to apply one Raft entry to the metadata state machine",
        buckets(0.00001, 2.0, 18),
    )
});

/// Current Raft term of this node.
pub static RAFT_TERM: LazyLock<IntGauge> =
    LazyLock::new(|| gauge("predastore_raft_term", "Current Raft term of this node"));
/// Index of the last entry applied to the metadata state.
pub static RAFT_APPLIED_INDEX: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_raft_applied_index",
        "Index of the last Raft entry applied (committed) on this node",
    )
});
/// Times this node saw the leader change.
pub static RAFT_LEADER_CHANGES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_raft_leader_changes_total",
        "Leader changes this node observed",
    )
});
/// 1 when this node is the metadata leader.
pub static RAFT_IS_LEADER: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_raft_is_leader",
        "1 when this node leads the metadata group",
    )
});

/// Each meta member's wall clock as it last reported it to this leader,
/// less this leader's own (seconds; positive: the member runs ahead).
pub static META_CLOCK_SKEW: LazyLock<GaugeVec> = LazyLock::new(|| {
    built(
        "predastore_meta_clock_skew_seconds",
        GaugeVec::new(
            Opts::new(
                "predastore_meta_clock_skew_seconds",
                "A meta member's reported wall clock less the leader's (seconds)",
            ),
            &["node"],
        ),
    )
});

/// Buckets whose stored policy this gateway cannot read: every request to
/// them but the owner's policy calls is denied (fail closed).
pub static BUCKET_POLICIES_UNREADABLE: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_bucket_policies_unreadable",
        "Buckets whose stored policy does not parse (requests to them are denied)",
    )
});

/// S3 requests by operation and HTTP status.
pub static S3_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_s3_requests_total",
        "S3 requests by operation and status",
        &["op", "status"],
    )
});
/// Requests refused as malformed before they reached a handler (bad
/// framing, a header section too large), by reason.
pub static HTTP_MALFORMED_REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_http_malformed_requests_total",
        "Requests refused as malformed before reaching a handler, by reason",
        &["reason"],
    )
});
/// S3 request latency by operation.
pub static S3_REQUEST_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    let name = "predastore_s3_request_seconds";
    let help = "S3 request latency by operation (to the response head)";
    built(
        name,
        HistogramVec::new(
            HistogramOpts::new(name, help).buckets(buckets(0.0001, 2.0, 18)),
            &["op"],
        ),
    )
});
/// Object bytes received in PUT bodies.
pub static S3_BYTES_IN: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_s3_bytes_in_total",
        "Object bytes received from S3 clients",
    )
});
/// Object bytes sent in GET bodies.
pub static S3_BYTES_OUT: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_s3_bytes_out_total",
        "Object bytes sent to S3 clients",
    )
});

/// Metadata snapshots this node built.
pub static RAFT_SNAPSHOTS_BUILT: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_raft_snapshots_built_total",
        "Metadata snapshots built (the log is purged behind them)",
    )
});
/// Metadata snapshots this node installed from a leader.
pub static RAFT_SNAPSHOTS_INSTALLED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_raft_snapshots_installed_total",
        "Metadata snapshots received from the leader and installed",
    )
});

/// Size of the last metadata snapshot this node sent: it grows with the
/// metadata, and a new member receives all of it.
pub static RAFT_SNAPSHOT_BYTES: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_raft_snapshot_bytes",
        "Size of the last metadata snapshot sent to a lagging or new member",
    )
});

/// Drop-list entries whose data was deleted after the grace period.
pub static DATA_DROPPED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_data_dropped_total",
        "Replaced or deleted versions whose data was deleted after the grace period",
    )
});

/// Shard writes a storage node failed on its side (its disks, its
/// storage actors), by node, as the writing gateway saw them; new shards
/// avoid the node for a while after each.
pub static SHARD_WRITES_REFUSED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_shard_writes_refused_total",
        "Shard writes a storage node failed on its side (disk, storage actor), by node; new shards avoid it for 10 s after each",
        &["node"],
    )
});
/// Reads that had to do without a shard (missing, corrupt, node down).
pub static DEGRADED_READS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_degraded_reads_total",
        "Object reads that reconstructed from parity because a shard could not be read",
    )
});
/// Objects this gateway sent to the heal queue.
pub static HEAL_REPORTS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_heal_reports_total",
        "Objects written or read below full redundancy and queued for repair",
    )
});
/// Objects below full redundancy, as repair last verified them.
pub static OBJECTS_BELOW_REDUNDANCY: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_objects_below_redundancy",
        "Objects with a shard missing, corrupt, on a down node or sharing a node (repair leader only)",
    )
});
/// Objects fully redundant but not on their proper nodes.
pub static OBJECTS_MISPLACED: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_objects_misplaced",
        "Objects whose shards are intact but not where the ring places them (repair leader only)",
    )
});
/// Entries in the durable heal queue.
pub static HEAL_QUEUE: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_heal_queue_length",
        "Objects waiting in the durable heal queue (repair leader only; counted up to 1000)",
    )
});
/// Shards repair wrote.
pub static SHARDS_HEALED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_shards_healed_total",
        "Shards rebuilt or moved to their node by repair",
    )
});
/// Bytes of shards repair wrote.
pub static HEAL_BYTES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_heal_bytes_total",
        "Bytes of shard data written by repair",
    )
});
/// Shard bytes rebalance moved to the nodes a layout change assigned.
pub static REBALANCE_BYTES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_rebalance_bytes_total",
        "Bytes of shard data moved by rebalance after layout changes (repair leader only)",
    )
});
/// Objects the current rebalance still has to move.
pub static REBALANCE_LEFT: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_rebalance_objects_left",
        "Objects a layout change put on other nodes and that are not moved yet (repair leader only)",
    )
});
/// The cluster layout version this process places by.
pub static LAYOUT_VERSION: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_layout_version",
        "Version of the cluster layout this process follows (0: none)",
    )
});
/// Repairs that failed and will be tried again.
pub static HEAL_FAILURES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_heal_failures_total",
        "Object repairs that failed (tried again later)",
    )
});
/// Shard copies repair could not read cleanly and rebuilt instead.
pub static HEAL_COPY_FALLBACKS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_heal_copy_fallbacks_total",
        "Shards repair meant to copy as they are but whose copy could not be read (damaged, node lost) and rebuilt from the rest of the set",
    )
});
/// Shard copies this storage node made from another node on request
/// (`CopyShard`), by result.
pub static SHARD_COPIES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    let copies = counter_vec(
        "predastore_shard_copies_total",
        "Shards this storage node copied from another node for repair (CopyShard), by result: stored, or failed (the source lacked it, held it damaged or was lost, or the write failed)",
        &["result"],
    );
    // Both series exist from the start, at 0, for the dashboard.
    for result in ["stored", "failed"] {
        copies.with_label_values(&[result]);
    }
    copies
});
/// Whether repair runs at its busy rate because clients use the store.
pub static REPAIR_CLIENTS_ACTIVE: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_repair_clients_active",
        "1 while repair and rebalance give way to clients (a client request within the last 3 s: PREDASTORE_HEAL_MB_S and PREDASTORE_REBALANCE_MB_S apply), 0 while they run at PREDASTORE_REPAIR_IDLE_MB_S (repair leader only)",
    )
});
/// Completed scans of all metadata against the layout.
pub static HEAL_SCANS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_heal_scans_total",
        "Completed repair scans of every object against the layout",
    )
});
/// How long the last complete scan took.
pub static HEAL_SCAN_MILLIS: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_heal_scan_milliseconds",
        "Duration of the last complete repair scan, in milliseconds",
    )
});
/// Referenced shard copies the last complete scan counted.
pub static HEAL_SCAN_LIVE_SHARDS: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_heal_scan_live_shards",
        "Referenced shard copies (object, part, shard, node) the last complete scan counted",
    )
});
/// Memory of the scan's filter of referenced copies.
pub static HEAL_SCAN_FILTER_BYTES: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_heal_scan_filter_bytes",
        "Bytes the last complete scan's filter of referenced shard copies took",
    )
});
/// Shards deleted because nothing pointed to them.
pub static ORPHANS_COLLECTED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_orphans_collected_total",
        "Shards no object, part, upload or drop-list entry pointed to, deleted after the grace period",
    )
});

/// Shards this storage node holds (live index entries).
pub static SHARDS_STORED: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_shards_stored",
        "Shards this storage node holds (live index entries)",
    )
});
/// Bytes of shard data this storage node holds.
pub static SHARD_BYTES_STORED: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_shard_bytes_stored",
        "Bytes of shard data this storage node holds (live index entries; not the WAL's dead space)",
    )
});

/// Metadata ops waiting for the next Raft entry.
pub static RAFT_PENDING_OPS: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_raft_pending_ops",
        "Metadata ops gathered for the next Raft entry",
    )
});

// Scrub and shard inventory.

/// Bytes the scrubber read and checked.
pub static SCRUB_BYTES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_scrub_bytes_total",
        "Shard bytes the scrubber read and checked",
    )
});
/// Shards the scrubber read.
pub static SCRUB_SHARDS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_scrub_shards_total",
        "Shards the scrubber read and checked",
    )
});
/// Corrupt shards the scrubber found (once per pass that finds one).
pub static SCRUB_CORRUPT_SHARDS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_scrub_corrupt_shards_total",
        "Corrupt shards found by scrub passes",
    )
});
/// Completed scrub passes.
pub static SCRUB_PASSES: LazyLock<IntCounter> =
    LazyLock::new(|| counter("predastore_scrub_passes_total", "Completed scrub passes"));
/// Share of the current scrub pass done, by shards (1 between passes).
pub static SCRUB_PASS_PROGRESS: LazyLock<prometheus::Gauge> = LazyLock::new(|| {
    float_gauge(
        "predastore_scrub_pass_progress",
        "Share of the current scrub pass done, 0 to 1, by shards",
    )
});
/// Corrupt shards the last completed scrub pass found.
pub static SCRUB_LAST_PASS_CORRUPT: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_scrub_last_pass_corrupt",
        "Corrupt shards found by the last completed scrub pass",
    )
});
/// Shards on this node currently marked corrupt (from the shard index).
pub static SHARDS_MARKED_CORRUPT: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_shards_marked_corrupt",
        "Shards on this node marked corrupt and not yet rewritten or deleted",
    )
});
/// Corrupt shards of this node whose objects it queued for repair.
pub static CORRUPT_SHARDS_QUEUED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_corrupt_shards_queued_total",
        "Shards marked corrupt on this node whose objects were put on the heal queue",
    )
});

/// 1 while the pool's failure detector holds a peer up, 0 while it holds
/// it down, by the peer's transport address.
pub static PEER_UP: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge_vec(
        "predastore_peer_up",
        "1 while a peer (by transport address) is up, 0 while the failure detector holds it down",
        &["node"],
    )
});

/// Object versions the lifecycle expired (current and noncurrent).
pub static LIFECYCLE_EXPIRED_OBJECTS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_lifecycle_expired_objects_total",
        "Object versions expired by lifecycle rules (current ones get a delete marker on a versioned bucket)",
    )
});
/// Bytes of the versions the lifecycle expired and uploads it aborted.
pub static LIFECYCLE_EXPIRED_BYTES: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_lifecycle_expired_bytes_total",
        "Bytes of object versions expired and upload parts aborted by lifecycle rules",
    )
});
/// Lone delete markers the lifecycle removed.
pub static LIFECYCLE_MARKERS_REMOVED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_lifecycle_delete_markers_removed_total",
        "Expired object delete markers removed by lifecycle rules",
    )
});
/// Incomplete multipart uploads the lifecycle aborted.
pub static LIFECYCLE_UPLOADS_ABORTED: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_lifecycle_uploads_aborted_total",
        "Incomplete multipart uploads aborted by lifecycle rules",
    )
});
/// Records the lifecycle walk in progress has looked at.
pub static LIFECYCLE_WALK_EXAMINED: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_lifecycle_walk_examined",
        "Records the lifecycle walk in progress has looked at (0 between walks)",
    )
});
/// Buckets with lifecycle rules the walk in progress has finished.
pub static LIFECYCLE_WALK_BUCKETS_DONE: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_lifecycle_walk_buckets_done",
        "Buckets the lifecycle walk in progress has finished",
    )
});
/// Buckets with lifecycle rules.
pub static LIFECYCLE_BUCKETS: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_lifecycle_buckets",
        "Buckets with lifecycle rules, as of the last walk",
    )
});
/// When the last lifecycle walk finished (Unix seconds).
pub static LIFECYCLE_LAST_COMPLETED: LazyLock<IntGauge> = LazyLock::new(|| {
    gauge(
        "predastore_lifecycle_last_completed_timestamp_seconds",
        "When the last complete lifecycle walk finished, Unix seconds (0: none yet)",
    )
});
/// Writes refused because they would take a bucket past its quota.
pub static QUOTA_REFUSALS: LazyLock<IntCounter> = LazyLock::new(|| {
    counter(
        "predastore_quota_refusals_total",
        "Writes refused with QuotaExceeded because they would take a bucket past its quota",
    )
});
/// New versions and uploads written encrypted, by mode (`s3`, `kms`, `c`).
pub static SSE_WRITES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter_vec(
        "predastore_sse_writes_total",
        "New object versions and multipart uploads encrypted at rest, by mode (s3, kms, c)",
        &["mode"],
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
        Box::new(WAL_RECLAIMABLE_BYTES.clone()),
        Box::new(WAL_CORRUPT_FRAGMENTS.clone()),
        Box::new(RAFT_OPS_PER_ENTRY.clone()),
        Box::new(RAFT_READS_PER_CHECK.clone()),
        Box::new(RAFT_LEASE_READS.clone()),
        Box::new(RAFT_READ_CHECK_RETRIES.clone()),
        Box::new(META_READS.clone()),
        Box::new(SIGNATURE_CHECKS.clone()),
        Box::new(RAFT_ENTRIES_PER_LOG_SYNC.clone()),
        Box::new(RAFT_APPLY_SECONDS.clone()),
        Box::new(RAFT_PENDING_OPS.clone()),
        Box::new(DATA_DROPPED.clone()),
        Box::new(DEGRADED_READS.clone()),
        Box::new(SHARD_WRITES_REFUSED.clone()),
        Box::new(HEAL_REPORTS.clone()),
        Box::new(OBJECTS_BELOW_REDUNDANCY.clone()),
        Box::new(OBJECTS_MISPLACED.clone()),
        Box::new(HEAL_QUEUE.clone()),
        Box::new(SHARDS_HEALED.clone()),
        Box::new(HEAL_BYTES.clone()),
        Box::new(HEAL_FAILURES.clone()),
        Box::new(HEAL_COPY_FALLBACKS.clone()),
        Box::new(SHARD_COPIES.clone()),
        Box::new(REPAIR_CLIENTS_ACTIVE.clone()),
        Box::new(REBALANCE_BYTES.clone()),
        Box::new(REBALANCE_LEFT.clone()),
        Box::new(LAYOUT_VERSION.clone()),
        Box::new(HEAL_SCANS.clone()),
        Box::new(HEAL_SCAN_MILLIS.clone()),
        Box::new(HEAL_SCAN_LIVE_SHARDS.clone()),
        Box::new(HEAL_SCAN_FILTER_BYTES.clone()),
        Box::new(ORPHANS_COLLECTED.clone()),
        Box::new(VOLUME_UP.clone()),
        Box::new(VOLUME_FULL.clone()),
        Box::new(VOLUME_IO_ERRORS.clone()),
        Box::new(VOLUME_CAPACITY.clone()),
        Box::new(FAILED_VOLUMES.clone()),
        Box::new(FAILED_VOLUMES_SCANNED.clone()),
        Box::new(VOLUME_FREE.clone()),
        Box::new(SHARDS_MOVED_HOME.clone()),
        Box::new(BYTES_MOVED_HOME.clone()),
        Box::new(SHARDS_MOVING_HOME.clone()),
        Box::new(SHARDS_STORED.clone()),
        Box::new(SHARD_BYTES_STORED.clone()),
        Box::new(RAFT_TERM.clone()),
        Box::new(RAFT_APPLIED_INDEX.clone()),
        Box::new(RAFT_LEADER_CHANGES.clone()),
        Box::new(RAFT_IS_LEADER.clone()),
        Box::new(RAFT_SNAPSHOTS_BUILT.clone()),
        Box::new(META_CLOCK_SKEW.clone()),
        Box::new(BUCKET_POLICIES_UNREADABLE.clone()),
        Box::new(S3_REQUESTS.clone()),
        Box::new(HTTP_MALFORMED_REQUESTS.clone()),
        Box::new(S3_REQUEST_SECONDS.clone()),
        Box::new(S3_BYTES_IN.clone()),
        Box::new(S3_BYTES_OUT.clone()),
        Box::new(RAFT_SNAPSHOTS_INSTALLED.clone()),
        Box::new(RAFT_SNAPSHOT_BYTES.clone()),
        Box::new(POOL_HITS.clone()),
        Box::new(POOL_MISSES.clone()),
        Box::new(QUIC_CONNECTIONS.clone()),
        Box::new(QUIC_STREAMS_OPEN.clone()),
        Box::new(QUIC_STREAMS.clone()),
        Box::new(QUIC_BYTES_SENT.clone()),
        Box::new(QUIC_BYTES_RECEIVED.clone()),
        // Scrub and shard inventory.
        Box::new(SCRUB_BYTES.clone()),
        Box::new(SCRUB_SHARDS.clone()),
        Box::new(SCRUB_CORRUPT_SHARDS.clone()),
        Box::new(SCRUB_PASSES.clone()),
        Box::new(SCRUB_PASS_PROGRESS.clone()),
        Box::new(SCRUB_LAST_PASS_CORRUPT.clone()),
        Box::new(SHARDS_MARKED_CORRUPT.clone()),
        Box::new(CORRUPT_SHARDS_QUEUED.clone()),
        Box::new(PEER_UP.clone()),
        // Lifecycle and quotas.
        Box::new(LIFECYCLE_EXPIRED_OBJECTS.clone()),
        Box::new(LIFECYCLE_EXPIRED_BYTES.clone()),
        Box::new(LIFECYCLE_MARKERS_REMOVED.clone()),
        Box::new(LIFECYCLE_UPLOADS_ABORTED.clone()),
        Box::new(LIFECYCLE_WALK_EXAMINED.clone()),
        Box::new(LIFECYCLE_WALK_BUCKETS_DONE.clone()),
        Box::new(LIFECYCLE_BUCKETS.clone()),
        Box::new(LIFECYCLE_LAST_COMPLETED.clone()),
        Box::new(QUOTA_REFUSALS.clone()),
        Box::new(SSE_WRITES.clone()),
        Box::new(process::OPEN_FDS.clone()),
        Box::new(process::MAX_FDS.clone()),
    ];
    // Both sides show up (at zero) before any traffic.
    for mode in ["s3", "kms", "c"] {
        SSE_WRITES.with_label_values(&[mode]);
    }
    for side in ["client", "server"] {
        QUIC_CONNECTIONS.with_label_values(&[side]);
        QUIC_STREAMS_OPEN.with_label_values(&[side]);
        QUIC_STREAMS.with_label_values(&[side]);
    }
    for c in collectors {
        if let Err(e) = registry.register(c) {
            tracing::error!(error = %e, "metric registration failed");
        }
    }
    registry
});

/// The Prometheus text exposition of every metric.
pub fn render() -> String {
    process::update();
    let mut out = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&REGISTRY.gather(), &mut out) {
        tracing::error!(error = %e, "metric encoding failed");
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_renders() {
        // Registering builds every metric: one that cannot be built panics here.
        let text = render();
        for family in [
            "predastore_wal_appended_bytes_total",
            "predastore_pool_misses_total",
            "predastore_quic_streams_open",
        ] {
            assert!(
                text.contains(&format!("# HELP {family} ")),
                "{family} missing from:\n{text}"
            );
        }
    }
}
