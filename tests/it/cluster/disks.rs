//! Disks failing in a cluster, at default settings (no shortened heal,
//! scrub or node-down timer): three `storage,meta` nodes with three
//! volumes each, 2+1. First a volume of node 2 goes away while it serves
//! (its directory, with every shard in it, moved away, as an unmounted
//! disk leaves it); then node 1 is restarted with a volume directory
//! deleted. Each time: PUTs go on, every object reads byte-identical (a
//! multipart one included, never a 200 with a cut body), the failed
//! volume shows in `/metrics` and `admin status` within a minute, repair
//! rebuilds its shards at once (not at the hourly scan), and then, with
//! another node killed, every object still reads byte-identical. Last, a
//! new disk mounted where the lost one was is taken in through the admin
//! CLI (one with a file on it is refused), and new shards go to it.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use aws_sdk_s3::Client;
use serde_json::Value;

use crate::common::admin::admin;
use crate::common::cluster::Cluster;
use crate::common::heal::{
    assert_objects, create_bucket_when_ready, leader_of, metric, put_object, volume_up, wait_for,
    TestObject, BELOW_REDUNDANCY, SHARDS_HEALED,
};
use crate::common::sdk;

const TOKEN: &str = "disks-admin-token";
/// Failed volumes across the cluster, as the repair leader sees them.
const FAILED_VOLUMES: &str = "predastore_failed_volumes";
const BUCKET: &str = "disks";

/// Volume `volume` of node `node` as `admin status` shows it: as the
/// node answers (`list` "volumes") or as the layout in Raft records it
/// ("recorded_volumes").
fn status_of(gw: SocketAddr, node: u64, volume: u64, list: &str) -> Value {
    let (_, status) = admin(gw, "GET", "/status", Some(TOKEN), "");
    status["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|n| n["id"].as_u64() == Some(node))
        .and_then(|n| n[list].as_array())
        .and_then(|v| v.iter().find(|v| v["slot"].as_u64() == Some(volume)))
        .cloned()
        .unwrap_or(Value::Null)
}

/// Waits until node `node`'s volume shows failed in its `/metrics`, in
/// `admin status` and in the layout; how long that took.
async fn wait_failed(gw: SocketAddr, http: SocketAddr, node: u64, volume: u16) -> Duration {
    let t = Instant::now();
    wait_for("the volume shown failed", Duration::from_secs(60), |note| {
        let up = volume_up(http, volume);
        let shown = status_of(gw, node, u64::from(volume), "volumes");
        let recorded = status_of(gw, node, u64::from(volume), "recorded_volumes");
        *note = format!("/metrics: {up:?}; admin status: {shown}; layout: {recorded}");
        (up == Some(0.0) && shown["state"] == "failed" && recorded["condition"] == "failed")
            .then_some(())
    })
    .await;
    t.elapsed()
}

/// Shards repair on `leader` has healed.
fn healed(leader: SocketAddr) -> f64 {
    metric(leader, SHARDS_HEALED).unwrap_or(0.0)
}

/// Waits until repair on `leader` knows of `failed` failed volumes, has
/// completed a scan that began knowing of them all, healed shards since
/// `healed_before`, and finds nothing below full redundancy: every
/// failed volume's shards rebuilt. How long that took.
async fn wait_rebuilt(leader: SocketAddr, failed: f64, healed_before: f64) -> Duration {
    let t = Instant::now();
    wait_for("the failed volumes' shards rebuilt", Duration::from_secs(180), |note| {
        let known = metric(leader, FAILED_VOLUMES);
        let scanned = metric(leader, "predastore_failed_volumes_scanned");
        let below = metric(leader, BELOW_REDUNDANCY);
        let healed = healed(leader);
        *note = format!(
            "failed volumes {known:?}, scanned {scanned:?}, healed {healed} (from {healed_before}), below redundancy {below:?}"
        );
        let done = known == Some(failed)
            && scanned == Some(failed)
            && healed > healed_before
            && below == Some(0.0);
        done.then_some(())
    })
    .await;
    t.elapsed()
}

/// PUTs `objects`, one at a time, as the failure is under way; the ones
/// that were stored (a failed PUT is not expected to read back).
async fn put_during(s3: &Client, objects: Vec<TestObject>) -> Vec<TestObject> {
    let mut stored = Vec::new();
    for o in objects {
        if put_object(s3, BUCKET, &o).await.is_ok() {
            stored.push(o);
        }
    }
    stored
}

fn objects(prefix: &str, seed: u64, n: usize) -> Vec<TestObject> {
    (0..n)
        .map(|i| {
            let len = 9_000 + (i * 41_017) % 400_000;
            TestObject::new(format!("{prefix}/{i:03}"), seed + i as u64, len)
        })
        .collect()
}

/// A 12 MiB object in three parts.
async fn put_multipart(s3: &Client, key: &str) -> TestObject {
    let object = TestObject::new(key, 7_700, 12 << 20);
    sdk::put_multipart(s3, BUCKET, key, &object.body(), 5 << 20).await;
    object
}

#[tokio::test]
async fn failed_disks_are_gone_around_and_rebuilt_at_default_settings() {
    let mut cluster = Cluster::start(
        152,
        &[
            ("PREDASTORE_ADMIN_TOKEN", TOKEN),
            ("PREDASTORE_VOLUMES", "3"),
        ],
    );
    let gw = cluster.gateway_http();
    let meta = cluster.meta_https();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, BUCKET).await;
    let mut all = objects("before", 100, 60);
    for o in &all {
        put_object(&s3, BUCKET, o).await.expect("PUT before");
    }
    all.push(put_multipart(&s3, "multipart/a").await);

    // The leader stays up throughout (repair's counters are its own);
    // the disks fail on the two other nodes, `x` and `y`.
    let leader = cluster.leader().expect("a metadata leader");
    let leader_http = cluster.nodes[leader].http;
    let (x, y) = match leader {
        0 => (1, 2),
        1 => (0, 2),
        _ => (0, 1),
    };

    // (a) Node x's volume 1 goes away while the node serves.
    let before = healed(leader_http);
    let dir = cluster.nodes[x].data_dir.clone();
    std::fs::rename(dir.join("vol1"), dir.join("vol1.gone")).expect("move vol1 away");
    let during = put_during(&s3, objects("during-a", 300, 100)).await;
    let failed = 100 - during.len();
    assert!(failed <= 1, "{failed} of 100 PUTs failed with a disk gone");
    all.extend(during);
    let shown = wait_failed(gw, cluster.nodes[x].http, x as u64 + 1, 1).await;
    assert_objects(&s3, BUCKET, &all, "with a volume gone").await;
    let rebuilt = wait_rebuilt(leader_http, 1.0, before).await;
    eprintln!("(a) {failed} of 100 PUTs failed; volume failure shown within {shown:?}; rebuilt {rebuilt:?} after");
    cluster.nodes[y].kill();
    assert_objects(&s3, BUCKET, &all, "after the rebuild, another node killed").await;

    // (b) Node y restarted with its volume 2 directory deleted (node x's
    // volume 1 is still gone).
    let before = healed(leader_http);
    let dir = cluster.nodes[y].data_dir.clone();
    std::fs::remove_dir_all(dir.join("vol2")).expect("delete vol2");
    cluster.nodes[y].spawn();
    assert!(
        !dir.join("vol2").exists(),
        "a missing volume is not created again"
    );
    let during = put_during(&s3, objects("during-b", 600, 100)).await;
    let failed = 100 - during.len();
    assert!(failed <= 1, "{failed} of 100 PUTs failed after the restart");
    all.extend(during);
    let shown = wait_failed(gw, cluster.nodes[y].http, y as u64 + 1, 2).await;
    assert_objects(&s3, BUCKET, &all, "with a volume deleted").await;
    let rebuilt = wait_rebuilt(leader_http, 2.0, before).await;
    eprintln!("(b) {failed} of 100 PUTs failed; volume failure shown within {shown:?}; rebuilt {rebuilt:?} after");
    cluster.nodes[x].kill();
    assert_objects(
        &s3,
        BUCKET,
        &all,
        "after the rebuild, the first node killed",
    )
    .await;
    assert_eq!(
        leader_of(&meta),
        Some(leader_http),
        "the leader stayed (its repair did the work)"
    );

    // (c) Node x comes back (its volume 1 still missing) and a new disk is
    // mounted there: a disk holding anything is refused, an empty one is
    // taken in, and new shards go to it.
    cluster.nodes[x].spawn();
    let (id, volume) = ((x + 1).to_string(), "1");
    let replace = |volume: &str| disk_replace(gw, &id, volume);
    let new_disk = cluster.nodes[x].data_dir.join("vol1");
    std::fs::create_dir(&new_disk).expect("mount the new disk");
    std::fs::write(new_disk.join("photo.jpg"), b"someone's file").expect("a file");
    let (ok, said) = replace(volume);
    assert!(
        !ok && said.contains("not empty"),
        "a disk with a file on it: {said}"
    );
    let (ok, said) = replace("0");
    assert!(
        !ok && said.contains("in service"),
        "a volume in service: {said}"
    );
    std::fs::remove_file(new_disk.join("photo.jpg")).expect("empty the disk");
    let (ok, said) = replace(volume);
    assert!(ok, "the new disk refused: {said}");
    assert!(said.contains("ok"), "{said}");
    assert_eq!(status_of(gw, x as u64 + 1, 1, "volumes")["state"], "ok");
    wait_for(
        "the new disk recorded in the layout",
        Duration::from_secs(60),
        |note| {
            let recorded = status_of(gw, x as u64 + 1, 1, "recorded_volumes");
            *note = recorded.to_string();
            (recorded["condition"] == "ok").then_some(())
        },
    )
    .await;
    assert_eq!(volume_up(cluster.nodes[x].http, 1), Some(1.0));
    // Before any new write, the shards of volume 1 kept on the node's
    // other volumes meanwhile move back: the new disk fills.
    let x_http = cluster.nodes[x].http;
    let moved_home = || {
        metric(
            x_http,
            "predastore_volume_shards_moved_home_total{volume=\"1\"}",
        )
    };
    let moving = || metric(x_http, "predastore_volume_moving_home{volume=\"1\"}");
    wait_for(
        "the move back to the new disk",
        Duration::from_secs(120),
        |note| {
            let (moved, running) = (moved_home(), moving());
            *note = format!("moved {moved:?}, running {running:?}");
            (moved.is_some_and(|n| n > 0.0) && running == Some(0.0)).then_some(())
        },
    )
    .await;
    let filled = bytes_under(&new_disk.join("wal"));
    let others = bytes_under(&cluster.nodes[x].data_dir.join("vol0").join("wal"));
    eprintln!(
        "(c) {} shards moved back to the new disk; it holds {filled} bytes, volume 0 {others}",
        moved_home().unwrap_or(0.0)
    );
    // A third of the node's shards are volume 1's own, as many as volume
    // 0's: all of them are back, not a few.
    assert!(
        filled > others / 3,
        "the new disk holds {filled} bytes, volume 0 {others}"
    );
    assert_objects(&s3, BUCKET, &all, "after the move back").await;
    let after = objects("after-c", 900, 60);
    for o in &after {
        put_object(&s3, BUCKET, o)
            .await
            .expect("PUT with the new disk");
    }
    all.extend(after);
    assert!(
        bytes_under(&new_disk.join("wal")) > 0,
        "no shard went to the new disk"
    );
    assert_objects(&s3, BUCKET, &all, "with the new disk").await;

    // (d) Every disk of node y fails (its volume 2 is still gone; 0 and 1
    // go too): the layout records it, the node takes no new shard, and
    // what it held is rebuilt on the two other nodes.
    let before = healed(leader_http);
    let dir = cluster.nodes[y].data_dir.clone();
    for v in ["vol0", "vol1"] {
        std::fs::rename(dir.join(v), dir.join(format!("{v}.gone"))).expect("move a volume away");
    }
    let during = put_during(&s3, objects("during-d", 1200, 100)).await;
    let failed = 100 - during.len();
    assert!(
        failed <= 1,
        "{failed} of 100 PUTs failed with every disk of a node gone"
    );
    all.extend(during);
    for volume in [0, 1] {
        wait_failed(gw, cluster.nodes[y].http, y as u64 + 1, volume).await;
    }
    let rebuilt = wait_rebuilt(leader_http, 3.0, before).await;
    let refused = metric(gw, "predastore_shard_writes_refused_total").unwrap_or(0.0);
    eprintln!("(d) {failed} of 100 PUTs failed ({refused} shard writes refused so far); a node's every disk failed: its shards rebuilt elsewhere {rebuilt:?} after");
    assert_objects(&s3, BUCKET, &all, "with every disk of a node failed").await;
}

/// `predastore admin node disk replace NODE VOLUME` through the gateway
/// at `gw`: whether it succeeded, and what it printed.
fn disk_replace(gw: SocketAddr, node: &str, volume: &str) -> (bool, String) {
    let url = format!("http://{gw}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_predastore"))
        .args(["admin", "--url", &url, "--token", TOKEN])
        .args(["node", "disk", "replace", node, volume])
        .output()
        .expect("run predastore admin");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

/// Bytes of the files under `dir` (sparse segment files count what they
/// hold on disk, so a fresh empty segment counts nothing).
fn bytes_under(dir: &std::path::Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => bytes_under(&e.path()),
            Ok(m) => m.blocks() * 512,
            Err(_) => 0,
        })
        .sum()
}
