//! Repair moves a shard that is whole but shares a node by copying it as
//! it is (one shard read, nothing decoded), and a copy that cannot be read
//! cleanly is rebuilt from the rest of the set instead: a damaged shard is
//! never spread to a new node under fresh checksums.
//!
//! Six storage nodes (the first three also meta) and a gateway on
//! 127.0.0.222–228 (see `common`).

use std::time::Duration;

use crate::common::cluster::Cluster;
use crate::common::heal::*;
use crate::common::store::MIB;

/// Shards repair could not copy and rebuilt instead (counter, repair
/// leader).
const COPY_FALLBACKS: &str = "predastore_heal_copy_fallbacks_total";

/// 4+2 over six nodes, two of them down while 24 objects are written: each
/// object's six shards land on the four nodes up, two nodes holding two.
/// Every shard node 4 holds is then damaged on disk (scrub is off, nobody
/// reads, so nothing marks them). The two nodes come back, and repair
/// moves one shard of each doubled pair to them: those on node 4 cannot be
/// copied and are rebuilt from the others (counted), the rest are copied.
/// Then node 4 and a metadata follower are killed: every object must read
/// back byte-identical from exactly the four shards left, the moved ones
/// among them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_shard_is_rebuilt_not_copied_when_repair_moves_it() {
    const BUCKET: &str = "moves";
    let env = [
        ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
        ("PREDASTORE_RPC_TIMEOUT_MS", "3000"),
        ("PREDASTORE_HEAL_SCAN_EVERY", "2s"),
        ("PREDASTORE_SCRUB_MB_S", "0"),
    ];
    let mut cluster = Cluster::start_with(222, 3, 3, "4+2", &env);
    let gateway = cluster.gateway_http();
    let meta = cluster.meta_https();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, BUCKET).await;

    cluster.nodes[4].kill();
    cluster.nodes[5].kill();
    for down in [4, 5] {
        wait_peer_down(gateway, cluster.nodes[down].quic, &s3, BUCKET, &[]).await;
    }
    let sizes = [100_000, 300_000, MIB - 3, MIB, 4 * MIB + 1, 6 * MIB + 7];
    let objects: Vec<TestObject> = (0..24u64)
        .map(|i| TestObject::new(format!("obj-{i:02}"), 2220 + i, sizes[i as usize % 6]))
        .collect();
    for obj in &objects {
        put_object(&s3, BUCKET, obj)
            .await
            .unwrap_or_else(|s| panic!("PUT {} with two of six down: status {s}", obj.key));
    }

    let damaged = flip_every_copy_per_object(&cluster.nodes[3].data_dir.join("vol0"));
    assert!(!damaged.is_empty(), "node 4 holds no shard of any object");
    let fallbacks_before = sum_over(&meta, COPY_FALLBACKS).expect("meta nodes count fallbacks");

    cluster.nodes[4].spawn();
    cluster.nodes[5].spawn();
    wait_repaired(&meta, Duration::from_secs(120), true).await;
    let fallbacks = sum_over(&meta, COPY_FALLBACKS).unwrap_or(0.0) - fallbacks_before;
    assert!(
        fallbacks >= 1.0,
        "no shard move read a damaged copy (node 4 doubled no object?)"
    );
    // Moves between two nodes other than the leader went node to node.
    let copied: f64 = cluster
        .nodes
        .iter()
        .filter_map(|n| n.metric("predastore_shard_copies_total{result=\"stored\"}"))
        .sum();
    assert!(copied >= 1.0, "no shard was copied node to node");

    let follower = cluster
        .leader()
        .map(|leader| (leader + 1) % cluster.meta)
        .expect("a metadata leader");
    cluster.nodes[3].kill();
    cluster.nodes[follower].kill();
    assert_objects(
        &s3,
        BUCKET,
        &objects,
        "node 4 and a meta node down after repair",
    )
    .await;
    assert_no_s3_500(gateway, "after repair, two of six down");
}
