//! Reads use every shard that exists: right after a killed storage node
//! restarts, while the gateway's failure detector may still hold it down,
//! GETs of objects whose other copy is corrupt deliver the right bytes
//! (the read dials the node it believes down rather than give up); and an
//! object that truly cannot be read (one shard's node down, another shard
//! corrupt) is answered `503 ServiceUnavailable` with `Retry-After`, not a
//! `200` whose body breaks off.
//!
//! Three `storage,meta` nodes and a gateway (2+1) on 127.0.0.212–215 with
//! default settings but a slow failure detector (below): the corrupt
//! shards are found by the reads themselves
//! (a read that meets damaged bytes marks the shard corrupt on its node),
//! not by scrub.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::common::cluster::Cluster;
use crate::common::heal::*;
use crate::common::http::{presign_get, send_presigned, RawResponse};
use crate::common::store::{MIB, STRIPE};

/// An object of one stripe (its damage is met before the first byte
/// can be sent) and one of several (met part way, the first time).
const SIZES: [usize; 2] = [STRIPE / 3, 2 * MIB + 300_000];

/// A raw presigned GET of `key` (no retries: the answer the gateway gave).
async fn raw_get(s3: &aws_sdk_s3::Client, gateway: std::net::SocketAddr, key: &str) -> RawResponse {
    let presigned = presign_get(s3, BUCKET, key).await;
    tokio::task::spawn_blocking(move || send_presigned(gateway, &presigned, &[], &[]))
        .await
        .expect("raw GET task")
        .unwrap_or_else(|e| panic!("raw GET {key}: {e}"))
}

const BUCKET: &str = "restart-read";

/// Asserts `r` is the answer for an object that cannot be read now: 503
/// ServiceUnavailable with Retry-After in S3 XML, its status line not a
/// 200 (whose body would then break off).
fn assert_unavailable(r: &RawResponse, key: &str, when: &str) {
    assert_eq!(
        r.status,
        503,
        "{when}: GET {key} answered {} (a {}-byte body, Retry-After {:?})",
        r.status,
        r.body.len(),
        r.header("retry-after")
    );
    assert!(
        r.header("retry-after")
            .is_some_and(|v| v.parse::<u64>().is_ok()),
        "{when}: GET {key}: 503 without a Retry-After in seconds: {:?}",
        r.headers
    );
    assert_eq!(
        r.error_code().as_deref(),
        Some("ServiceUnavailable"),
        "{when}: GET {key}: {}",
        String::from_utf8_lossy(&r.body)
    );
}

/// Objects on three nodes. The failure detectors run every ten minutes
/// (`PREDASTORE_TEST_PROBE_INTERVAL_MS`), so a restarted node stays held
/// down until a request looks at it: the reads after C's restart are made
/// while the gateway believes C down, which is the case this test is
/// about (at the default 500 ms pace a probe may find C up first, and
/// the reads are then ordinary ones). One node (C) is killed and the
/// gateway learns it (its reads to C fail); one byte is flipped in every extent of another node's (B's) shard
/// of every object. Now every object has one readable shard: each GET
/// answers 503 with Retry-After before any body byte — for an object of
/// one stripe at once, for a longer one at the latest once a read has met
/// the damage (which marks the shard corrupt: the next read leaves it out
/// before it starts). C restarts and every object is GET at once, all
/// together: each reads back byte-identical from A and C, whether or not
/// the gateway still holds C down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_right_after_a_restart_use_the_restarted_node_and_unreadable_is_503() {
    let mut cluster = Cluster::start(212, &[("PREDASTORE_TEST_PROBE_INTERVAL_MS", "600000")]);
    let gateway = cluster.gateway_http();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, BUCKET).await;
    let objects: Vec<TestObject> = (0..16u64)
        .map(|i| TestObject::new(format!("obj-{i:02}"), 21_200 + i, SIZES[i as usize % 2]))
        .collect();
    for obj in &objects {
        put_object(&s3, BUCKET, obj)
            .await
            .unwrap_or_else(|status| panic!("PUT {}: {status}", obj.key));
    }
    assert_objects(&s3, BUCKET, &objects, "all nodes up").await;

    // C, a node that does not lead, goes down; the gateway learns it.
    let leader = wait_for("a metadata leader", Duration::from_secs(30), |_| {
        cluster.leader()
    })
    .await;
    let c = (leader + 1) % cluster.meta;
    let b = (c + 1) % cluster.meta;
    cluster.nodes[c].kill();
    let c_quic = cluster.nodes[c].quic;
    wait_peer_down(gateway, c_quic, &s3, BUCKET, &objects).await;

    // Every extent of B's shard of every object gets a flipped byte.
    let volume = cluster.nodes[b].data_dir.join("vol0");
    let mut damaged = HashSet::new();
    for round in 0.. {
        assert!(
            round < 50,
            "intact extents keep appearing on {}",
            volume.display()
        );
        let flips = flip_one_payload_byte_per_object(&volume);
        if flips.is_empty() {
            break;
        }
        damaged.extend(flips.iter().map(|f| f.object));
    }
    assert_eq!(
        damaged.len(),
        objects.len(),
        "objects with a shard on node {}",
        b + 1
    );

    // One readable shard of two needed: 503 before any body byte.
    let raw = cluster.gateway(1);
    for (i, obj) in objects.iter().enumerate() {
        let first = raw_get(&raw, gateway, &obj.key).await;
        if obj.len <= STRIPE {
            assert_unavailable(&first, &obj.key, "C down, B's shard corrupt");
        } else {
            // Damage nobody knew of may be met part way: then the status
            // is out already, and the body must break off short.
            assert!(
                first.status == 503 || (first.status == 200 && first.body.len() < obj.len),
                "GET {} with C down and B's shard corrupt answered {} with {} of {} bytes",
                obj.key,
                first.status,
                first.body.len(),
                obj.len
            );
        }
        let again = raw_get(&raw, gateway, &obj.key).await;
        assert_unavailable(
            &again,
            &obj.key,
            &format!("read {i} again, B's shard known corrupt"),
        );
    }

    // C comes back; every object is read at once, all together.
    tokio::task::block_in_place(|| cluster.nodes[c].restart());
    let ready_at = Instant::now();
    assert_eq!(
        peer_up(gateway, c_quic),
        Some(0.0),
        "the gateway found C up before any read looked at it"
    );
    let reads = objects.iter().map(|obj| {
        let raw = raw.clone();
        async move { (obj, get_md5(&raw, BUCKET, &obj.key).await) }
    });
    let results = futures::future::join_all(reads).await;
    let took = ready_at.elapsed();
    println!("RESULT restart_read_all_gets_s {:.3} s", took.as_secs_f64());
    for (obj, got) in results {
        match got {
            Ok((len, md5)) => assert_eq!(
                (len, md5.as_str()),
                (obj.len, obj.md5.as_str()),
                "GET {} right after C restarted: wrong bytes",
                obj.key
            ),
            Err(e) => panic!(
                "GET {} right after C restarted, held down by the gateway: {e:?}",
                obj.key
            ),
        }
    }
    assert_objects(&raw, BUCKET, &objects, "C back, B's shards corrupt").await;
    assert_no_s3_500(gateway, "C restarted, B's shards corrupt");
}
