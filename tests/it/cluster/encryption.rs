//! Encrypted objects in a cluster: their shards hold encrypted bytes, so
//! repair rebuilds them like any other. A storage node killed for good has
//! its shards of SSE-S3, SSE-KMS (multipart) and SSE-C objects rebuilt on
//! the others, and with a second node down every object still reads back,
//! byte for byte, with its key.
//!
//! Nodes 1–3 `storage,meta` on 127.0.0.182–184, node 4 `storage` on .185,
//! the gateway on .186.

use std::time::Duration;

use crate::common::cluster::Cluster;
use crate::common::digest::{random_bytes, sha256_hex};
use crate::common::heal::*;
use crate::common::sse::{get_as, put_as, put_multipart_as, Mode};
use crate::common::store::{MIB, TEST_KMS_KEYS};

const BUCKET: &str = "sealed";

/// The customer key of the SSE-C objects.
const KEY: [u8; 32] = [0x42; 32];

/// SSE-C for the objects marked so, SSE-S3 for the others.
fn mode_of(customer: bool) -> Mode {
    if customer {
        Mode::Customer(KEY)
    } else {
        Mode::S3
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_objects_are_rebuilt_and_read_with_nodes_down() {
    let env = [
        ("PREDASTORE_KMS_KEYS", TEST_KMS_KEYS),
        ("PREDASTORE_SSE_C_ALLOW_HTTP", "true"),
        ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
        ("PREDASTORE_RPC_TIMEOUT_MS", "3000"),
        ("PREDASTORE_HEAL_SCAN_EVERY", "2s"),
        ("PREDASTORE_NODE_DOWN_AFTER", "3s"),
        ("PREDASTORE_HEAL_MB_S", "0"),
    ];
    let mut cluster = Cluster::start_with(182, 3, 1, "2+1", &env);
    let meta = cluster.meta_https();
    let storage = cluster.storage_https();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, BUCKET).await;
    // (key, data, SSE-C?): all above the inline size, so all in shards.
    let objects: Vec<(String, Vec<u8>, bool)> = (0..8u64)
        .map(|i| {
            let data = random_bytes(900 + i, 100_000 + i as usize * 150_001);
            (format!("obj-{i}"), data, i % 2 == 1)
        })
        .collect();
    for (key, data, customer) in &objects {
        put_as(&s3, BUCKET, key, data, mode_of(*customer)).await;
    }
    let multipart = random_bytes(999, 7 * MIB + 3);
    put_multipart_as(
        &s3,
        BUCKET,
        "multi",
        &multipart,
        5 * MIB,
        Mode::Kms("test-2"),
    )
    .await;
    // 8 objects and 2 parts, three shards each.
    let shards = 3.0 * 10.0;
    wait_for("every shard counted", Duration::from_secs(30), |note| {
        let stored = sum_over(&storage, SHARDS_STORED);
        *note = format!("{stored:?} of {shards}");
        (stored == Some(shards)).then_some(())
    })
    .await;
    let on_gone = metric(storage[3], SHARDS_STORED).expect("node 4 reports its shards");
    assert!(on_gone > 0.0, "node 4 holds no shard");
    let healed_before = sum_over(&meta, SHARDS_HEALED).expect("healed shards counted");

    cluster.nodes[3].kill();
    let left = &storage[..3];
    wait_for("node 4's shards rebuilt", Duration::from_secs(90), |note| {
        let healed = sum_over(&meta, SHARDS_HEALED);
        let stored = sum_over(left, SHARDS_STORED);
        *note = format!(
            "healed {healed:?} (from {healed_before}, node 4 held {on_gone}), stored {stored:?}"
        );
        (healed? - healed_before >= on_gone && stored == Some(shards)).then_some(())
    })
    .await;
    wait_repaired(&meta, Duration::from_secs(60), false).await;

    // A second node down (a follower: the metadata group keeps its
    // leader): every object reads from the two left, rebuilt shards too.
    let leader = wait_for("a leader", Duration::from_secs(30), |_| cluster.leader()).await;
    let second = (0..3).find(|&i| i != leader).expect("a follower");
    cluster.nodes[second].kill();
    let s3 = cluster.gateway(3);
    for (key, data, customer) in &objects {
        let got = get_as(&s3, BUCKET, key, mode_of(*customer), None).await;
        assert_eq!(sha256_hex(&got), sha256_hex(data), "{key}");
    }
    let got = get_as(&s3, BUCKET, "multi", Mode::Kms("test-2"), None).await;
    assert_eq!(sha256_hex(&got), sha256_hex(&multipart), "multi");
}
