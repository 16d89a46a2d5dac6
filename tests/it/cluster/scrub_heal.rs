//! Scrub heals at default settings: a shard scrub finds corrupt goes to
//! the heal queue when it is found, and repair rewrites it within a
//! minute, not at its next periodic scan (`PREDASTORE_HEAL_SCAN_EVERY`,
//! 1 h by default).
//!
//! Three `storage,meta` nodes and a gateway on 127.0.0.202–205 (see
//! `common`). Only `PREDASTORE_SCRUB_EVERY` is shortened (default 7d: a
//! user's pass comes later, and what follows it is the same); every other
//! setting, the heal scan's hour included, is the default.

use std::time::{Duration, Instant};

use crate::common::cluster::Cluster;
use crate::common::heal::*;

/// Shards a storage node holds marked corrupt (gauge, storage node).
const MARKED_CORRUPT: &str = "predastore_shards_marked_corrupt";
/// Corrupt shards whose objects a storage node queued for repair
/// (counter, storage node).
const CORRUPT_QUEUED: &str = "predastore_corrupt_shards_queued_total";

/// 60 objects (20–80 KB, above the 8 KiB inline size, so coded 2+1 over
/// the three nodes: one shard of each on every node). Right after a scrub
/// pass of one node ends, one payload byte of its shard of every object is
/// flipped; nobody reads. The node's next pass finds all 60; within 60 s
/// of that pass the node has queued them for repair, repair has rewritten
/// them, the node holds no corrupt mark and a pass that began after finds
/// nothing. Then another node is killed: every object reads back
/// byte-identical from the two left — which needs the rewritten shards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrub_finds_bit_rot_and_repair_rewrites_it_within_a_minute_at_defaults() {
    const BUCKET: &str = "scrub-heal";
    const OBJECTS: u64 = 60;
    let mut cluster = Cluster::start(202, &[("PREDASTORE_SCRUB_EVERY", "5s")]);
    let gateway = cluster.gateway_http();
    let meta = cluster.meta_https();
    let storage = cluster.storage_https();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, BUCKET).await;
    let objects: Vec<TestObject> = (0..OBJECTS)
        .map(|i| TestObject::new(format!("obj-{i:03}"), 2020 + i, 20_000 + i as usize * 1009))
        .collect();
    let shards = 3.0 * OBJECTS as f64;
    put_all_and_count_shards(&s3, BUCKET, &objects, &storage, shards).await;

    // The damaged node is a follower; the node killed at the end is the
    // other follower, so the metadata keeps its leader throughout.
    let leader = wait_for("a metadata leader", Duration::from_secs(30), |_| {
        cluster.leader()
    })
    .await;
    let victim = (leader + 1) % cluster.meta;
    let other = (leader + 2) % cluster.meta;
    let node_http = cluster.nodes[victim].http;

    // Flip right after a pass of the victim ends, so its next pass (5 s
    // after the last began) comes after every flip. Every copy of each
    // shard's record on the volume is flipped (compaction may have copied
    // one forward; only the index knows which copy is live).
    let passes = wait_for("scrub passes counted", Duration::from_secs(90), |_| {
        metric(node_http, SCRUB_PASSES)
    })
    .await;
    let ended = wait_for("a scrub pass ended", Duration::from_secs(90), |_| {
        metric(node_http, SCRUB_PASSES).filter(|&p| p > passes)
    })
    .await;
    let corrupt_before = metric(node_http, SCRUB_CORRUPT).expect("scrub counts corrupt shards");
    let queued_before = metric(node_http, CORRUPT_QUEUED).expect("the node counts queued shards");
    let healed_before = sum_over(&meta, SHARDS_HEALED).expect("meta nodes count healed shards");
    let volume = cluster.nodes[victim].data_dir.join("vol0");
    let flipped = flip_every_copy_per_object(&volume);
    let want = flipped.len() as f64;
    assert_eq!(
        want,
        OBJECTS as f64,
        "objects with a shard on node {}",
        victim + 1
    );

    // The next pass finds them all.
    let found_at = wait_for(
        "the scrub pass after the flips found every flipped shard",
        Duration::from_secs(60),
        |note| {
            let passes = metric(node_http, SCRUB_PASSES)?;
            let found = metric(node_http, SCRUB_CORRUPT)? - corrupt_before;
            *note = format!("passes {ended} -> {passes}, found {found} of {want}");
            (passes > ended && found >= want).then(Instant::now)
        },
    )
    .await;

    // Within a minute: queued, rewritten, no mark left, every shard there.
    wait_for(
        "the flipped shards queued, rewritten and their marks cleared",
        Duration::from_secs(60),
        |note| {
            let queued = metric(node_http, CORRUPT_QUEUED)? - queued_before;
            let healed = sum_over(&meta, SHARDS_HEALED)? - healed_before;
            let marked = metric(node_http, MARKED_CORRUPT)?;
            let stored = sum_over(&storage, SHARDS_STORED)?;
            *note = format!(
                "queued {queued}, healed {healed} of {want}, {marked} marked corrupt, {stored} of {shards} shards stored"
            );
            (queued >= want && healed >= want && marked == 0.0 && stored == shards).then_some(())
        },
    )
    .await;
    println!(
        "RESULT {want} corrupt shards rewritten {:.1} s after the scrub pass that found them (default PREDASTORE_HEAL_SCAN_EVERY)",
        found_at.elapsed().as_secs_f64()
    );

    // A pass that began after the repair finds the node's shards sound.
    let after = metric(node_http, SCRUB_PASSES).unwrap_or(0.0) + 2.0;
    wait_for(
        "a clean scrub pass after the repair",
        Duration::from_secs(60),
        |note| {
            let last = metric(node_http, SCRUB_LAST_PASS_CORRUPT);
            let passes = metric(node_http, SCRUB_PASSES)?;
            *note = format!("{passes} passes (waiting for {after}), last found {last:?}");
            (last == Some(0.0) && passes >= after).then_some(())
        },
    )
    .await;

    // Another node down (and known down to the gateway): two shards of
    // each object are left, the victim's rewritten one among them.
    cluster.nodes[other].kill();
    wait_peer_down(gateway, cluster.nodes[other].quic, &s3, BUCKET, &objects).await;
    assert_objects(
        &s3,
        BUCKET,
        &objects,
        "the damaged node healed, another down",
    )
    .await;
    assert!(
        s3_answers(gateway, "2") > 0.0,
        "the gateway counted no 2xx answer"
    );
    assert_eq!(s3_answers(gateway, "500"), 0.0, "the gateway answered 500");
}
