//! Self-healing, end to end: writes and reads go on while a storage node
//! is down (its shards go elsewhere, reads fall over to parity), repair
//! brings every object back to full redundancy on its proper nodes when
//! the node returns or rebuilds its shards elsewhere when it does not,
//! scrub finds bit rot and repair rewrites it, and the space of failed
//! PUTs, deleted and replaced versions comes back.
//!
//! Clusters of real processes on 127.0.0.42–45, .52–56, .62–65, .82–88
//! (see `common`); the scrub test is one `all` process on 127.0.0.1.
//! Every wait is a poll with a generous deadline; the only timing asserted
//! is the p99 < 1 s with a node known down.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_s3::Client;

use crate::common::cluster::Cluster;
use crate::common::heal::*;
use crate::common::http::send_presigned;
use crate::common::store::{StoreProcess, MIB, STRIPE};

/// Settings shared by the cluster tests: a dead node costs a request at
/// most one short dial (or one RPC timeout on a stale connection); repair
/// scans every 2 s and deletes unreferenced shards 3 s after it first saw
/// them; replaced and deleted versions are dropped after 1 s; repair
/// writes are not paced.
const FAST_HEAL: &[(&str, &str)] = &[
    ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
    ("PREDASTORE_RPC_TIMEOUT_MS", "3000"),
    ("PREDASTORE_HEAL_SCAN_EVERY", "2s"),
    ("PREDASTORE_ORPHAN_GRACE", "3s"),
    ("PREDASTORE_DROP_GRACE_MS", "1000"),
    ("PREDASTORE_HEAL_MB_S", "0"),
];

/// `FAST_HEAL` plus `extra`.
fn env_with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env: Vec<(&str, &str)> = FAST_HEAL.to_vec();
    env.extend_from_slice(extra);
    env
}

/// A running meta node that does not lead and is not `except`, chosen
/// once a leader is known (while there is none, any node might be about
/// to lead).
async fn follower(cluster: &Cluster, except: Option<usize>) -> usize {
    let leader = wait_leader(cluster).await;
    (0..cluster.meta)
        .find(|&i| i != leader && Some(i) != except && cluster.nodes[i].is_running())
        .expect("a running follower")
}

/// Waits for a metadata leader and returns it.
async fn wait_leader(cluster: &Cluster) -> usize {
    wait_for("a metadata leader", Duration::from_secs(30), |_| {
        cluster.leader()
    })
    .await
}

// ---------------------------------------------------------------------------
// 1. A node killed under load

/// Sizes of the upload loop: 1 B to 3 MiB, inline (≤ 8 KiB by default)
/// and coded, on both sides of the stripe size (1 MiB).
const LOOP_SIZES: &[usize] = &[
    1,
    100,
    8 << 10,
    (8 << 10) + 1,
    64 << 10,
    300_000,
    MIB,
    MIB + 1,
    2 * MIB + 17,
    3 * MIB,
];

/// What one request of the load saw.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Ok,
    /// Failed with this status (0: no response).
    Failed(u16),
    /// A 200 whose body broke off.
    BodyBroken(String),
    /// A whole body that is not the object's.
    WrongBytes {
        len: usize,
        md5: String,
    },
}

/// One request of the load, timed.
#[derive(Clone, Debug)]
struct TimedOp {
    put: bool,
    key: String,
    start: Instant,
    end: Instant,
    outcome: Outcome,
}

type Ops = Arc<Mutex<Vec<TimedOp>>>;

fn record(ops: &Ops, put: bool, key: &str, start: Instant, outcome: Outcome) {
    ops.lock().expect("ops").push(TimedOp {
        put,
        key: key.to_string(),
        start,
        end: Instant::now(),
        outcome,
    });
}

/// GETs `obj` and says how it went.
async fn read_checked(s3: &Client, bucket: &str, obj: &TestObject) -> Outcome {
    match get_md5(s3, bucket, &obj.key).await {
        Ok((len, md5)) if len == obj.len && md5 == obj.md5 => Outcome::Ok,
        Ok((len, md5)) => Outcome::WrongBytes { len, md5 },
        Err(GetFailure::Status(s)) => Outcome::Failed(s),
        Err(GetFailure::Body(e)) => Outcome::BodyBroken(e),
    }
}

/// The upload loop's shared state: objects are taken in order while their
/// index is below `limit`.
struct Uploads {
    objects: Vec<TestObject>,
    next: AtomicUsize,
    limit: AtomicUsize,
    acked: Mutex<Vec<usize>>,
}

impl Uploads {
    /// The next object to upload: waits while the limit holds the loop
    /// back; `None` when every object is taken.
    async fn take(&self) -> Option<usize> {
        loop {
            let cur = self.next.load(Ordering::SeqCst);
            if cur >= self.objects.len() {
                return None;
            }
            if cur >= self.limit.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            if self
                .next
                .compare_exchange(cur, cur + 1, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Some(cur);
            }
        }
    }

    fn acked(&self) -> Vec<usize> {
        self.acked.lock().expect("acked").clone()
    }
}

/// One uploader: PUTs objects (a failed PUT is tried again, recorded each
/// time, for 60 s at most), and after each acknowledged PUT reads that
/// object and one written earlier back.
async fn upload_loop(s3: Client, bucket: &'static str, uploads: Arc<Uploads>, ops: Ops) {
    while let Some(i) = uploads.take().await {
        let obj = &uploads.objects[i];
        let give_up = Instant::now() + Duration::from_secs(60);
        let mut acked = false;
        while !acked && Instant::now() < give_up {
            let start = Instant::now();
            let outcome = match put_object(&s3, bucket, obj).await {
                Ok(()) => Outcome::Ok,
                Err(status) => Outcome::Failed(status),
            };
            acked = outcome == Outcome::Ok;
            record(&ops, true, &obj.key, start, outcome);
            if !acked {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        if !acked {
            continue;
        }
        let earlier = {
            let mut acked = uploads.acked.lock().expect("acked");
            acked.push(i);
            acked[(i * 7 + 3) % acked.len()]
        };
        for j in [i, earlier] {
            let obj = &uploads.objects[j];
            let start = Instant::now();
            let outcome = read_checked(&s3, bucket, obj).await;
            record(&ops, false, &obj.key, start, outcome);
        }
    }
}

/// A storage (and meta) node SIGKILLed while three clients upload and read
/// objects of 1 B to 3 MiB. Once the gateway reports it down, every PUT
/// and GET succeeds at the first attempt (the client never retries)
/// without waiting on the down node (every one well under its RPC
/// timeout, 20 s here; the p99 is printed, a second or less on an idle
/// machine), and nothing ever answers 500 or wrong bytes. With
/// it back, repair brings every object to full redundancy on its proper
/// nodes (objects written meanwhile have two shards on one node); then
/// with another node down, every object reads back byte-identical.
///
/// `PREDASTORE_NODE_DOWN_AFTER` is longer than the outage, so repair
/// waits for the node rather than rebuilding its shards elsewhere (the
/// next test covers that).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_node_killed_mid_upload_loop_loses_nothing_and_heals() {
    const BUCKET: &str = "killed-mid-upload";
    /// Objects uploaded before the gateway knows the node is down at most.
    const FIRST_PHASE: usize = 24;
    // A request that waited on the down node would take the RPC timeout:
    // long, so that no busy machine's slow request is mistaken for one.
    const RPC_TIMEOUT: Duration = Duration::from_secs(20);
    let env = env_with(&[
        ("PREDASTORE_NODE_DOWN_AFTER", "120s"),
        ("PREDASTORE_RPC_TIMEOUT_MS", "20000"),
    ]);
    let mut cluster = Cluster::start(42, &env);
    let gateway = cluster.gateway_http();
    let meta = cluster.meta_https();
    create_bucket_when_ready(&cluster.gateway(3), BUCKET).await;
    // No retries: every failed request is seen (and recorded).
    let s3 = cluster.gateway(1);

    let objects: Vec<TestObject> = (0..54u64)
        .map(|i| {
            let len = LOOP_SIZES[i as usize % LOOP_SIZES.len()];
            TestObject::new(format!("obj-{i:02}"), 4200 + i, len)
        })
        .collect();
    let uploads = Arc::new(Uploads {
        objects,
        next: AtomicUsize::new(0),
        limit: AtomicUsize::new(FIRST_PHASE),
        acked: Mutex::new(Vec::new()),
    });
    let ops: Ops = Arc::default();
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            tokio::spawn(upload_loop(
                s3.clone(),
                BUCKET,
                uploads.clone(),
                ops.clone(),
            ))
        })
        .collect();

    // Partway: kill a node that does not lead the metadata group (a leader
    // kill is the consistency test's subject).
    wait_for(
        "the first objects acknowledged",
        Duration::from_secs(60),
        |note| {
            let n = uploads.acked().len();
            *note = format!("{n} acknowledged");
            (n >= 10).then_some(())
        },
    )
    .await;
    let victim = follower(&cluster, None).await;
    let victim_quic = cluster.nodes[victim].quic;
    cluster.nodes[victim].kill();
    let killed_at = Instant::now();

    // The gateway notices (the loop, and reads here, give it traffic).
    let written: Vec<TestObject> = uploads
        .acked()
        .iter()
        .map(|&i| uploads.objects[i].clone())
        .collect();
    let detected_at = wait_peer_down(gateway, victim_quic, &s3, BUCKET, &written).await;
    println!(
        "RESULT failure_detected_s {:.3} s",
        (detected_at - killed_at).as_secs_f64()
    );

    // The rest of the objects are all uploaded with the node known down.
    uploads.limit.store(uploads.objects.len(), Ordering::SeqCst);
    let joined = tokio::time::timeout(Duration::from_secs(180), async {
        for t in tasks {
            t.await.expect("uploader");
        }
    })
    .await;
    assert!(joined.is_ok(), "the upload loop did not finish in 180 s");
    let ops = ops.lock().expect("ops").clone();
    let acked = uploads.acked();
    assert_eq!(
        acked.len(),
        uploads.objects.len(),
        "objects never acknowledged; failures: {:?}",
        ops.iter()
            .filter(|o| o.outcome != Outcome::Ok)
            .collect::<Vec<_>>()
    );

    // Never a 500, never a wrong or cut body, before or after detection
    // (a GET that began before may fail with another status).
    for op in &ops {
        assert!(
            !matches!(
                op.outcome,
                Outcome::Failed(500) | Outcome::WrongBytes { .. } | Outcome::BodyBroken(_)
            ),
            "{} {}: {:?}",
            if op.put { "PUT" } else { "GET" },
            op.key,
            op.outcome
        );
    }
    assert_no_s3_500(gateway, "a node killed mid-load");

    // With the node known down: every request succeeded, fast.
    let after: Vec<&TimedOp> = ops.iter().filter(|o| o.start >= detected_at).collect();
    let failed: Vec<&&TimedOp> = after.iter().filter(|o| o.outcome != Outcome::Ok).collect();
    assert!(
        failed.is_empty(),
        "with node {victim_quic} known down, {} of {} requests failed: {failed:?}",
        failed.len(),
        after.len()
    );
    let latencies = |put: bool| -> Vec<Duration> {
        after
            .iter()
            .filter(|o| o.put == put)
            .map(|o| o.end - o.start)
            .collect()
    };
    let (puts, gets) = (latencies(true), latencies(false));
    assert!(
        puts.len() >= uploads.objects.len() - FIRST_PHASE && gets.len() >= puts.len(),
        "too few requests with the node known down: {} PUTs, {} GETs",
        puts.len(),
        gets.len()
    );
    let (put_p99, get_p99) = (
        percentile(puts.clone(), 99.0),
        percentile(gets.clone(), 99.0),
    );
    println!(
        "RESULT degraded_put_p99_ms {:.1} ms ({} PUTs)\nRESULT degraded_get_p99_ms {:.1} ms ({} GETs)",
        put_p99.as_secs_f64() * 1000.0,
        puts.len(),
        get_p99.as_secs_f64() * 1000.0,
        gets.len()
    );
    let slowest = puts.iter().chain(&gets).max().copied().unwrap_or_default();
    assert!(
        slowest < RPC_TIMEOUT,
        "a request with the node known down took {slowest:?}: it waited on the down node"
    );

    // Repair sees objects below full redundancy while the node is away.
    wait_for(
        "predastore_objects_below_redundancy > 0 during the outage",
        Duration::from_secs(30),
        |note| {
            let below = max_over(&meta, BELOW_REDUNDANCY);
            *note = format!("{below:?}");
            below.filter(|&b| b > 0.0)
        },
    )
    .await;

    // The node returns: everything goes back to full redundancy, each
    // shard on its proper node.
    cluster.nodes[victim].restart();
    wait_repaired(&meta, Duration::from_secs(90), true).await;
    let all = uploads.objects.clone();
    assert_objects(&s3, BUCKET, &all, "all nodes up after repair").await;

    // Another node down: every object, those written during the outage
    // too, still reads back, rebuilt from the others where needed.
    let second = follower(&cluster, Some(victim)).await;
    cluster.nodes[second].kill();
    let degraded_before =
        metric(gateway, DEGRADED_READS).expect("the gateway counts degraded reads");
    assert_objects(
        &cluster.gateway(3),
        BUCKET,
        &all,
        "a second node down after repair",
    )
    .await;
    let degraded = metric(gateway, DEGRADED_READS).unwrap_or(0.0) - degraded_before;
    assert!(
        degraded > 0.0,
        "no read was degraded with node {} down",
        cluster.nodes[second].quic
    );
}

// ---------------------------------------------------------------------------
// 2. A node gone for good

/// A storage-only node of four killed for good: once it has been down
/// longer than `PREDASTORE_NODE_DOWN_AFTER` (3 s), repair rebuilds each
/// of its shards on one of the other nodes (at least as many shards healed
/// as it held; the three left hold all three shards of every object, each
/// on its own node). Then, with one of those down as well (a meta node:
/// two of three keep the metadata group going), every object reads back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_removed_for_good_has_its_shards_rebuilt_elsewhere() {
    const BUCKET: &str = "rebuild";
    const OBJECTS: u64 = 30;
    // Nodes 1–3 `storage,meta` on .52–.54, node 4 `storage` on .55, the
    // gateway on .56.
    let env = env_with(&[("PREDASTORE_NODE_DOWN_AFTER", "3s")]);
    let mut cluster = Cluster::start_with(52, 3, 1, "2+1", &env);
    let meta = cluster.meta_https();
    let storage = cluster.storage_https();
    let s3 = cluster.gateway(3);
    create_bucket_when_ready(&s3, BUCKET).await;
    // All above the inline size (8 KiB): each has three shards.
    let objects: Vec<TestObject> = (0..OBJECTS)
        .map(|i| {
            TestObject::new(
                format!("obj-{i:02}"),
                5200 + i,
                (20 << 10) + i as usize * 70_001,
            )
        })
        .collect();
    let shards = 3.0 * OBJECTS as f64;
    put_all_and_count_shards(&s3, BUCKET, &objects, &storage, shards).await;
    let on_gone = metric(storage[3], SHARDS_STORED).expect("node 4 reports its shards");
    assert!(on_gone > 0.0, "node 4 holds no shard");
    let healed_before = sum_over(&meta, SHARDS_HEALED).expect("meta nodes count healed shards");
    let bytes_before = sum_over(&meta, HEAL_BYTES).expect("meta nodes count healed bytes");

    cluster.nodes[3].kill();
    let left = &storage[..3];
    wait_for(
        "node 4's shards rebuilt on the other three",
        Duration::from_secs(90),
        |note| {
            let healed = sum_over(&meta, SHARDS_HEALED);
            let stored = sum_over(left, SHARDS_STORED);
            *note = format!(
                "healed {healed:?} (from {healed_before}, node 4 held {on_gone}), {SHARDS_STORED} on nodes 1-3: {stored:?} (want {shards})"
            );
            (healed? - healed_before >= on_gone && stored == Some(shards)).then_some(())
        },
    )
    .await;
    wait_repaired(&meta, Duration::from_secs(60), false).await;
    let healed_bytes = sum_over(&meta, HEAL_BYTES).unwrap_or(0.0) - bytes_before;
    assert!(healed_bytes > 0.0, "no healed bytes counted");

    // One more node down (a follower, so the metadata keeps its leader):
    // every object still has two shards on the nodes left.
    let second = follower(&cluster, None).await;
    cluster.nodes[second].kill();
    assert_objects(
        &cluster.gateway(3),
        BUCKET,
        &objects,
        "node 4 gone and another node down",
    )
    .await;
}

// ---------------------------------------------------------------------------
// 3. Bit rot

/// One process (`all`, three volumes, 2+1: the three shards of an object
/// are on three different volumes). One payload byte flipped in one shard
/// of each of 100 objects on volume 0 (the live process's segment files,
/// written in place), right after a scrub pass ended: the next scrub pass
/// finds exactly the 100 corrupt shards; every GET still returns the right
/// bytes; repair rewrites them; a later pass finds none, and reads no
/// longer need parity.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scrub_finds_every_flipped_shard_and_heal_rewrites_them() {
    const BUCKET: &str = "scrub";
    const OBJECTS: u64 = 100;
    let store = StoreProcess::start(&[
        ("PREDASTORE_EC", "2+1"),
        ("PREDASTORE_INLINE_BYTES", "0"),
        ("PREDASTORE_SCRUB_EVERY", "2s"),
        ("PREDASTORE_SCRUB_MB_S", "200"),
        ("PREDASTORE_HEAL_SCAN_EVERY", "2s"),
        ("PREDASTORE_ORPHAN_GRACE", "3s"),
        ("PREDASTORE_DROP_GRACE_MS", "1000"),
        ("PREDASTORE_HEAL_MB_S", "0"),
    ]);
    let http = store.addr();
    let setup = store.client();
    setup
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("create bucket");
    // 20–120 KB: one record per shard (shards of 10–60 KB).
    let objects: Vec<TestObject> = (0..OBJECTS)
        .map(|i| TestObject::new(format!("obj-{i:03}"), 6300 + i, 20_000 + i as usize * 1009))
        .collect();
    for obj in &objects {
        put_object(&setup, BUCKET, obj)
            .await
            .unwrap_or_else(|s| panic!("PUT {}: status {s}", obj.key));
    }

    // Flip right after a pass ends, so the next pass starts after every
    // flip (passes are `PREDASTORE_SCRUB_EVERY` apart; flipping takes a
    // few ms).
    let passes = metric(http, SCRUB_PASSES);
    let started = Instant::now();
    let ended = loop {
        let now = metric(http, SCRUB_PASSES);
        if now.is_some() && now > passes {
            break now.unwrap_or_default();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no scrub pass ended in 30 s ({SCRUB_PASSES}: {now:?})"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let pass_ended = Instant::now();
    let corrupt_before = metric(http, SCRUB_CORRUPT).expect("scrub counts corrupt shards");
    let healed_before = metric(http, SHARDS_HEALED).expect("repair counts healed shards");
    let degraded_before = metric(http, DEGRADED_READS).expect("degraded reads are counted");
    let flips = flip_one_payload_byte_per_object(&store.data_dir().join("vol0"));
    println!(
        "RESULT flipped {} shards {:.1} ms after a scrub pass ended",
        flips.len(),
        pass_ended.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(
        flips.len() as u64,
        OBJECTS,
        "objects with a shard on volume 0 (each object has one there)"
    );

    // The next pass finds all of them, and only them. Nothing reads the
    // objects before it ends: a degraded read queues the object for repair,
    // which could rewrite a shard before scrub gets to it. The counter and
    // the gauge are read as soon as the pass is counted (allowing them up
    // to a second to catch up), long before the pass after it.
    let started = Instant::now();
    let mut counted_at = None;
    let (found, last_pass) = loop {
        if metric(http, SCRUB_PASSES).is_some_and(|p| p >= ended + 1.0) {
            let at = *counted_at.get_or_insert_with(Instant::now);
            let found = metric(http, SCRUB_CORRUPT).unwrap_or(0.0) - corrupt_before;
            let last_pass = metric(http, SCRUB_LAST_PASS_CORRUPT);
            let caught_up = found >= OBJECTS as f64 && last_pass == Some(OBJECTS as f64);
            if caught_up || at.elapsed() > Duration::from_secs(1) {
                break (found, last_pass);
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no scrub pass after the flips in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(
        found, OBJECTS as f64,
        "corrupt shards scrub found after one byte was flipped in {OBJECTS} shards"
    );
    assert_eq!(
        last_pass,
        Some(OBJECTS as f64),
        "corrupt shards the pass after the flips reports"
    );

    // Every object reads back right (a client that never retries), from
    // parity where repair has not rewritten the shard yet.
    let s3 = store.client_unverified();
    assert_objects(&s3, BUCKET, &objects, "one shard of each flipped").await;
    println!(
        "RESULT degraded_reads {} of {OBJECTS}",
        metric(http, DEGRADED_READS).unwrap_or(0.0) - degraded_before
    );

    // Repair rewrites them; a later pass finds nothing.
    wait_for(
        "repair rewrote the corrupt shards",
        Duration::from_secs(60),
        |note| {
            let healed = metric(http, SHARDS_HEALED)? - healed_before;
            *note = format!("{healed} healed");
            (healed >= OBJECTS as f64).then_some(())
        },
    )
    .await;
    let passes = metric(http, SCRUB_PASSES).unwrap_or(0.0);
    wait_for(
        "a scrub pass that began after the repair finding no corrupt shard",
        Duration::from_secs(60),
        |note| {
            let now = metric(http, SCRUB_PASSES)?;
            let last = metric(http, SCRUB_LAST_PASS_CORRUPT);
            *note = format!("passes {passes} -> {now}, last pass found {last:?}");
            (now >= passes + 2.0 && last == Some(0.0)).then_some(())
        },
    )
    .await;
    let degraded = metric(http, DEGRADED_READS).expect("degraded reads are counted");
    assert_objects(&s3, BUCKET, &objects, "after repair").await;
    assert_eq!(
        metric(http, DEGRADED_READS),
        Some(degraded),
        "reads after repair still needed parity"
    );
}

// ---------------------------------------------------------------------------
// 4. Space

/// Shard bytes the objects need with 2+1 coding and 1 MiB stripes: each
/// object has three shards of `shard_len` bytes.
fn bytes_needed(objects: &[&TestObject]) -> f64 {
    objects
        .iter()
        .map(|o| 3 * shard_len(o.len as u64, 2, STRIPE as u64))
        .sum::<u64>() as f64
}

/// Waits until the storage nodes together hold exactly `want` bytes of
/// shard data.
async fn wait_bytes_stored(storage: &[std::net::SocketAddr], want: f64, what: &str) {
    wait_for(what, Duration::from_secs(90), |note| {
        let per_node: Vec<Option<f64>> = storage
            .iter()
            .map(|&h| metric(h, SHARD_BYTES_STORED))
            .collect();
        let sum = sum_over(storage, SHARD_BYTES_STORED);
        *note = format!("{SHARD_BYTES_STORED} per node {per_node:?}, sum {sum:?}, want {want}");
        (sum == Some(want)).then_some(())
    })
    .await;
}

/// With a node down: deletes, overwrites, and PUTs cut off mid-body (new
/// keys, and one over an existing object). Once the node is back, the
/// storage nodes hold exactly the shard bytes the live objects need:
/// dropped versions, deletes the down node missed, the doubled-up shards
/// written meanwhile and whatever the cut-off PUTs stored are all gone.
///
/// How much the live objects need is computed from the erasure layout
/// (every object is coded: `PREDASTORE_INLINE_BYTES=0`), and the same
/// computation is checked against `predastore_shard_bytes_stored` before
/// any fault, on the objects written so far: so a mismatch at the end is
/// space not given back, not a wrong formula.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn space_returns_after_failed_puts_and_deletes_with_a_node_down() {
    const BUCKET: &str = "space";
    let stripe = STRIPE.to_string();
    let env = env_with(&[
        ("PREDASTORE_NODE_DOWN_AFTER", "120s"),
        ("PREDASTORE_INLINE_BYTES", "0"),
        ("PREDASTORE_STRIPE_BYTES", &stripe),
    ]);
    let mut cluster = Cluster::start(62, &env);
    let gateway = cluster.gateway_http();
    let storage = cluster.storage_https();
    let setup = cluster.gateway(3);
    create_bucket_when_ready(&setup, BUCKET).await;

    let set = |prefix: &str, seed: u64, sizes: &[usize]| -> Vec<TestObject> {
        sizes
            .iter()
            .enumerate()
            .map(|(i, &len)| TestObject::new(format!("{prefix}-{i}"), seed + i as u64, len))
            .collect()
    };
    let keep = set(
        "keep",
        7100,
        &[17, 100_000, MIB - 1, MIB + 1, 2 * MIB + 3, 3 * MIB],
    );
    let doomed = set(
        "del",
        7200,
        &[5_000, 200_000, 700_000, MIB, 1_500_000, 2 * MIB],
    );
    let replaced = set(
        "over",
        7300,
        &[50_000, 300_000, MIB + 100, 1_000_000, 2 * MIB, 2_500_000],
    );
    let replacements = set(
        "over",
        7400,
        &[10, 400_000, 900_000, 2 * MIB + 1, 3 * MIB, 60_000],
    );
    for obj in keep.iter().chain(&doomed).chain(&replaced) {
        put_object(&setup, BUCKET, obj)
            .await
            .unwrap_or_else(|s| panic!("PUT {}: status {s}", obj.key));
    }
    // The raw presigned PUT the cut-off ones use, sent whole, stores the
    // object (so a cut-off one fails for being cut off).
    let whole = TestObject::new("raw-whole", 7500, 1_234_567);
    let presigned = setup
        .put_object()
        .bucket(BUCKET)
        .key(&whole.key)
        .presigned(
            aws_sdk_s3::presigning::PresigningConfig::expires_in(Duration::from_secs(300))
                .expect("config"),
        )
        .await
        .expect("presign");
    let body = whole.body();
    let raw = tokio::task::spawn_blocking(move || send_presigned(gateway, &presigned, &[], &body))
        .await
        .expect("raw PUT")
        .expect("raw PUT");
    assert_eq!(raw.status, 200, "a whole presigned PUT: {raw:?}");

    // Before any fault: the bytes stored are what the layout says.
    let before: Vec<&TestObject> = keep
        .iter()
        .chain(&doomed)
        .chain(&replaced)
        .chain([&whole])
        .collect();
    wait_bytes_stored(
        &storage,
        bytes_needed(&before),
        "shard bytes of the objects written, before any fault",
    )
    .await;

    // A node down, and known down.
    let victim = follower(&cluster, None).await;
    cluster.nodes[victim].kill();
    let s3 = cluster.gateway(1);
    wait_peer_down(gateway, cluster.nodes[victim].quic, &s3, BUCKET, &keep).await;

    for obj in &doomed {
        s3.delete_object()
            .bucket(BUCKET)
            .key(&obj.key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DELETE {}: {e:?}", obj.key));
    }
    for obj in &replacements {
        put_object(&s3, BUCKET, obj)
            .await
            .unwrap_or_else(|s| panic!("overwrite {} with a node down: status {s}", obj.key));
    }
    // Cut off after 1.5 of 3 MiB: a whole stripe went to the storage
    // nodes before the body ended.
    let cut_body = TestObject::new("cut", 7600, 3 * MIB + 5).body();
    let cut_keys: Vec<String> = (0..3).map(|i| format!("cut-{i}")).collect();
    for key in cut_keys.iter().chain([&keep[3].key]) {
        put_cut_off(&s3, gateway, BUCKET, key, &cut_body, 3 * MIB / 2).await;
    }
    for key in &cut_keys {
        assert_no_such_key(&s3, BUCKET, key, "after a PUT cut off mid-body").await;
    }
    assert_objects(&s3, BUCKET, &keep, "a PUT over keep-3 cut off mid-body").await;

    // The node returns; the space of everything not live comes back.
    cluster.nodes[victim].restart();
    let live: Vec<&TestObject> = keep.iter().chain(&replacements).chain([&whole]).collect();
    wait_bytes_stored(
        &storage,
        bytes_needed(&live),
        "shard bytes back to what the live objects need",
    )
    .await;
    let live: Vec<TestObject> = live.into_iter().cloned().collect();
    assert_objects(&s3, BUCKET, &live, "after the space came back").await;
    for obj in &doomed {
        assert_no_such_key(&s3, BUCKET, &obj.key, "deleted with a node down").await;
    }
}

// ---------------------------------------------------------------------------
// 5. Two of six down

/// 4+2 over six storage nodes (three `storage,meta`, three `storage`):
/// with two storage-only nodes down (and known down), every object reads
/// back at the first attempt, and new PUTs of several sizes succeed at the
/// first attempt and read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_nodes_four_plus_two_survive_two_down() {
    const BUCKET: &str = "wide";
    // Nodes 1–3 `storage,meta` on .82–.84, 4–6 `storage` on .85–.87, the
    // gateway on .88.
    let env = [
        ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
        ("PREDASTORE_RPC_TIMEOUT_MS", "3000"),
    ];
    let mut cluster = Cluster::start_with(82, 3, 3, "4+2", &env);
    let gateway = cluster.gateway_http();
    let setup = cluster.gateway(3);
    create_bucket_when_ready(&setup, BUCKET).await;
    let sizes = [
        1,
        5_000,
        100_000,
        300_000,
        MIB - 3,
        MIB,
        4 * MIB + 1,
        6 * MIB + 7,
    ];
    let objects: Vec<TestObject> = (0..16u64)
        .map(|i| {
            TestObject::new(
                format!("obj-{i:02}"),
                8200 + i,
                sizes[i as usize % sizes.len()],
            )
        })
        .collect();
    for obj in &objects {
        put_object(&setup, BUCKET, obj)
            .await
            .unwrap_or_else(|s| panic!("PUT {}: status {s}", obj.key));
    }
    assert_objects(&setup, BUCKET, &objects, "all six nodes up").await;

    cluster.nodes[4].kill();
    cluster.nodes[5].kill();
    let s3 = cluster.gateway(1);
    for down in [4, 5] {
        wait_peer_down(gateway, cluster.nodes[down].quic, &s3, BUCKET, &objects).await;
    }
    let degraded_before =
        metric(gateway, DEGRADED_READS).expect("the gateway counts degraded reads");
    assert_objects(&s3, BUCKET, &objects, "nodes 5 and 6 down").await;
    assert!(
        metric(gateway, DEGRADED_READS).unwrap_or(0.0) > degraded_before,
        "no read was degraded with two of six nodes down"
    );

    let fresh: Vec<TestObject> = [1, 20_000, 300_000, MIB + 3, 4 * MIB + 1, 6 * MIB]
        .into_iter()
        .enumerate()
        .map(|(i, len)| TestObject::new(format!("new-{i}"), 8300 + i as u64, len))
        .collect();
    for obj in &fresh {
        put_object(&s3, BUCKET, obj)
            .await
            .unwrap_or_else(|s| panic!("PUT {} with two of six down: status {s}", obj.key));
    }
    assert_objects(&s3, BUCKET, &fresh, "written with two of six down").await;
    assert_objects(&s3, BUCKET, &objects, "nodes 5 and 6 still down").await;
    assert_no_s3_500(gateway, "two of six nodes down");
}
