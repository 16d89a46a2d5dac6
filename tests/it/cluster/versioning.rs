//! Versioned buckets on clusters of real processes: every acknowledged
//! version and delete marker survives Raft leader kills, in the order it
//! was acknowledged; noncurrent versions read back with a storage node
//! down, and scrub and repair heal a noncurrent version's rotten shard.
//!
//! Clusters on 127.0.0.162–165 (leader kills) and 127.0.0.172–175 (a node
//! down, bit rot): three `storage,meta` nodes and a gateway each (see the
//! table in `common`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::operation::RequestId;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use aws_sdk_s3::Client;

use crate::common::cluster::Cluster;
use crate::common::digest::{body_digest, random_bytes, sha256_hex};
use crate::common::heal::*;
use crate::common::sdk::{error_code, error_status};
use crate::common::store::MIB;

/// Creates `bucket` once the cluster takes it, with versioning enabled.
async fn versioned_bucket(s3: &Client, bucket: &str) {
    create_bucket_when_ready(s3, bucket).await;
    let enabled = VersioningConfiguration::builder()
        .status(BucketVersioningStatus::Enabled)
        .build();
    if let Err(e) = s3
        .put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(enabled)
        .send()
        .await
    {
        panic!("enable versioning on {bucket}: {}", DisplayErrorContext(&e));
    }
}

/// GetObject of one version by id, read to the end: (length, hex SHA-256).
async fn read_version(
    s3: &Client,
    bucket: &str,
    key: &str,
    version: &str,
) -> Result<(u64, String), String> {
    let what = format!("GET {key} versionId={version}");
    let out = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .version_id(version)
        .send()
        .await
        .map_err(|e| format!("{what}: {}", DisplayErrorContext(&e)))?;
    if out.version_id() != Some(version) {
        return Err(format!("{what} answered version {:?}", out.version_id()));
    }
    body_digest(out.body)
        .await
        .map_err(|e| format!("{what}: body broke off: {e}"))
}

/// One version or delete marker as ListObjectVersions shows it.
#[derive(Clone, Debug)]
struct Listed {
    key: String,
    version: String,
    latest: bool,
    marker: bool,
}

/// Every version and delete marker of `bucket`, walking ListObjectVersions
/// in pages of 50. Within a page the versions come before the markers (the
/// SDK parses them into two lists), so listing order is kept among
/// versions and among markers, not between the two.
async fn list_versions(s3: &Client, bucket: &str) -> Vec<Listed> {
    let mut all = Vec::new();
    let (mut key_marker, mut version_marker) = (None, None);
    for page_no in 1.. {
        assert!(page_no <= 1000, "the listing of {bucket} does not end");
        let page = s3
            .list_object_versions()
            .bucket(bucket)
            .max_keys(50)
            .set_key_marker(key_marker.take())
            .set_version_id_marker(version_marker.take())
            .send()
            .await
            .unwrap_or_else(|e| panic!("ListObjectVersions page {page_no}: {e:?}"));
        let entry = |key: Option<&str>, version: Option<&str>, latest, marker| Listed {
            key: key.unwrap_or_default().to_string(),
            version: version.unwrap_or_default().to_string(),
            latest: latest == Some(true),
            marker,
        };
        for v in page.versions() {
            all.push(entry(v.key(), v.version_id(), v.is_latest(), false));
        }
        for m in page.delete_markers() {
            all.push(entry(m.key(), m.version_id(), m.is_latest(), true));
        }
        if page.is_truncated() != Some(true) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
        assert!(
            key_marker.is_some(),
            "page {page_no} truncated without NextKeyMarker"
        );
    }
    all
}

// ---------------------------------------------------------------------------
// 1. Leader kills

/// Writers; writer `w` alone writes keys `k{w}` and `k{w + WRITERS}`, so
/// the order of each key's operations is the writer's.
const WRITERS: usize = 3;
/// Operations per writer at most (a bound: the run stops once the kills
/// are done).
const MAX_OPS: usize = 5000;
/// Pause between a writer's operations (and after a failed one, twice
/// that). Short: the more operations are in flight when the leader dies,
/// the more of them the gateway's Consensus actor sends again (a re-sent
/// op that had applied must still answer with its version id); the run
/// writes a few thousand versions.
const PACE: Duration = Duration::from_millis(2);
/// Leader kills.
const KILLS: usize = 3;

/// One acknowledged PUT or DELETE.
#[derive(Clone, Debug)]
struct Ack {
    /// The version id its answer carried (`None`: none, a problem itself).
    version: Option<String>,
    /// SHA-256 of the body written; `None` for a DELETE (a marker).
    sha: Option<String>,
    /// Seconds into the run when it was acknowledged.
    at_s: f64,
}

/// What the writer of one key did and saw.
#[derive(Default)]
struct KeyLog {
    /// Acknowledged PUTs and DELETEs, in acknowledgement order.
    acked: Vec<Ack>,
    /// Every body a PUT was sent with (SHA-256), with how many operations
    /// of the key were acknowledged when it was sent.
    attempted: HashMap<String, usize>,
    /// For each DELETE that failed (it may have added a marker): how many
    /// operations were acknowledged when it was sent.
    failed_deletes: Vec<usize>,
    /// Failed requests: HTTP status (0: no response).
    failed: Vec<u16>,
    /// Answers no store should give.
    problems: Vec<String>,
}

type Logs = Arc<Mutex<HashMap<String, KeyLog>>>;

/// Writer `w`'s operation `n`: a body that says whose it is, 100 B to
/// 20 KB (inline, and erasure-coded across the nodes).
fn writer_body(w: usize, n: usize) -> Vec<u8> {
    let mut body = format!("writer {w} op {n}\n").into_bytes();
    let len = [100, 3000, 20_000][n % 3];
    body.extend(random_bytes(((w as u64) << 32) | n as u64, len));
    body
}

/// One writer: overwrites its two keys with fresh bodies and now and then
/// deletes one (a delete marker), recording what was acknowledged (an
/// acknowledgement without a version id is a problem) and what was only
/// attempted.
async fn writer(s3: Client, bucket: &'static str, w: usize, stop: Arc<AtomicBool>, logs: Logs) {
    let started = Instant::now();
    let keys = [format!("k{w}"), format!("k{}", w + WRITERS)];
    for n in 0..MAX_OPS {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let key = &keys[n % 2];
        let with_log = |f: &mut dyn FnMut(&mut KeyLog)| {
            f(logs.lock().expect("logs").entry(key.clone()).or_default())
        };
        let mut sent_at = 0;
        with_log(&mut |log| sent_at = log.acked.len());
        let (sha, answer) = if n % 7 == 6 {
            let answer = s3.delete_object().bucket(bucket).key(key).send().await;
            let answer = answer.map(|out| match (out.delete_marker(), out.version_id()) {
                (Some(true), Some(v)) => Ok(v.to_string()),
                (marker, _) => Err(format!(
                    "x-amz-delete-marker {marker:?}, request id {:?}",
                    out.request_id()
                )),
            });
            (None, answer.map_err(|e| error_status(&e).unwrap_or(0)))
        } else {
            let body = writer_body(w, n);
            let sha = sha256_hex(&body);
            with_log(&mut |log| {
                log.attempted.insert(sha.clone(), sent_at);
            });
            let answer = s3
                .put_object()
                .bucket(bucket)
                .key(key)
                .body(body.into())
                .send()
                .await;
            let answer = answer.map(|out| {
                out.version_id()
                    .map(str::to_string)
                    .ok_or_else(|| format!("request id {:?}", out.request_id()))
            });
            (Some(sha), answer.map_err(|e| error_status(&e).unwrap_or(0)))
        };
        let at_s = started.elapsed().as_secs_f64();
        let op = if sha.is_some() { "PUT" } else { "DELETE" };
        let failed = answer.is_err();
        with_log(&mut |log| match &answer {
            Ok(version) => {
                if let Err(out) = version {
                    log.problems.push(format!(
                        "{op} {key} (writer {w} op {n}) acknowledged at {at_s:.2} s without a version id: {out}"
                    ));
                }
                let version = version.as_ref().ok().cloned();
                let sha = sha.clone();
                log.acked.push(Ack { version, sha, at_s });
            }
            Err(status) => {
                log.failed.push(*status);
                if sha.is_none() {
                    log.failed_deletes.push(sent_at);
                }
            }
        });
        tokio::time::sleep(if failed { 2 * PACE } else { PACE }).await;
    }
}

/// Checks one key's listing against what its writer did; problems go to
/// `problems`. `listed` is the key's entries in listing order; `bodies`
/// the SHA-256 of every listed version, read back by id.
fn check_key(
    key: &str,
    log: &KeyLog,
    listed: &[&Listed],
    bodies: &HashMap<String, String>,
    problems: &mut Vec<String>,
) {
    problems.extend(log.problems.iter().cloned());
    let mut seen = HashSet::new();
    for e in listed {
        if !seen.insert(e.version.as_str()) {
            problems.push(format!("{key}: version id {} listed twice", e.version));
        }
    }
    // An acknowledged PUT whose answer had no version id: the listed
    // version holding its body.
    let resolve = |ack: &Ack| -> Option<String> {
        ack.version.clone().or_else(|| {
            let sha = ack.sha.as_ref()?;
            let e = listed
                .iter()
                .find(|e| bodies.get(&e.version) == Some(sha))?;
            Some(e.version.clone())
        })
    };
    let acked: Vec<Option<String>> = log.acked.iter().map(resolve).collect();
    // Every acknowledged version and marker is listed, as what it was,
    // and in the order acknowledged (newest first).
    let position = |version: &str, marker: bool| {
        listed
            .iter()
            .filter(|e| e.marker == marker)
            .position(|e| e.version == version)
    };
    let mut last_pos: [Option<usize>; 2] = [None, None];
    for (i, (ack, version)) in log.acked.iter().zip(&acked).enumerate() {
        let marker = ack.sha.is_none();
        let kind = if marker { "delete marker" } else { "version" };
        let at = ack.at_s;
        let Some(version) = version else {
            if !marker {
                problems.push(format!(
                    "{key}: no listed version holds the body of op {i}, acknowledged at {at:.2} s"
                ));
            }
            continue;
        };
        let Some(pos) = position(version, marker) else {
            problems.push(format!(
                "{key}: {kind} {version} (op {i} of the key, acknowledged at {at:.2} s) is not listed as one"
            ));
            continue;
        };
        if last_pos[marker as usize].is_some_and(|before| pos >= before) {
            problems.push(format!("{key}: {kind} {version} (op {i}, acknowledged at {at:.2} s) is listed as older than one acknowledged before it"));
        }
        last_pos[marker as usize] = Some(pos);
        if let Some(sha) = &ack.sha {
            if bodies.get(version) != Some(sha) {
                problems.push(format!(
                    "{key}: version {version} reads back as {:?}, written as {sha}",
                    bodies.get(version)
                ));
            }
        }
    }
    // What is listed and was not acknowledged is a failed request that
    // applied anyway: a body that was sent, or one marker per failed
    // DELETE at most.
    let acked_ids: HashSet<&str> = acked.iter().flatten().map(String::as_str).collect();
    let mut unacked_markers = 0;
    for e in listed
        .iter()
        .filter(|e| !acked_ids.contains(e.version.as_str()))
    {
        if e.marker {
            unacked_markers += 1;
        } else if !bodies
            .get(&e.version)
            .is_some_and(|sha| log.attempted.contains_key(sha))
        {
            problems.push(format!(
                "{key}: version {} holds a body no writer sent",
                e.version
            ));
        }
    }
    let unlisted_acked_markers = log
        .acked
        .iter()
        .filter(|a| a.sha.is_none() && a.version.is_none())
        .count();
    if unacked_markers > log.failed_deletes.len() + unlisted_acked_markers {
        problems.push(format!(
            "{key}: {unacked_markers} unacknowledged delete markers, {} DELETEs failed",
            log.failed_deletes.len()
        ));
    }
    // The latest is the last acknowledged operation, or a failed one sent
    // after it (which may have applied).
    let latest: Vec<&&Listed> = listed.iter().filter(|e| e.latest).collect();
    let [latest] = latest[..] else {
        problems.push(format!("{key}: {} entries marked IsLatest", latest.len()));
        return;
    };
    let n = log.acked.len();
    let fine = match acked.last() {
        Some(Some(version)) if *version == latest.version => true,
        // A DELETE acknowledged without its marker's id (reported above).
        Some(None) if latest.marker && log.acked.last().is_some_and(|a| a.sha.is_none()) => true,
        _ if latest.marker => log.failed_deletes.contains(&n),
        _ => bodies
            .get(&latest.version)
            .and_then(|sha| log.attempted.get(sha))
            .is_some_and(|&at| at == n),
    };
    if !fine {
        problems.push(format!(
            "{key}: the latest is {latest:?}, but the last acknowledged operation (of {n}) was {:?}",
            log.acked.last()
        ));
    }
}

/// Three writers overwrite and delete six keys of a versioned bucket
/// while the Raft leader is SIGKILLed three times (each time: a new
/// leader elected and serving, then the old one restarted). Afterwards
/// ListObjectVersions holds every acknowledged version and delete marker,
/// each key's in the order they were acknowledged; every version reads
/// back by id as written; nothing is listed that no writer sent; the
/// latest of each key is its last acknowledged operation (or a failed one
/// sent after it); and the gateway never answered 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn leader_kills_lose_no_acknowledged_version_or_marker() {
    const BUCKET: &str = "versioned-kills";
    let env = [
        ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
        ("PREDASTORE_RPC_TIMEOUT_MS", "3000"),
    ];
    let started = Instant::now();
    let mut cluster = Cluster::start(162, &env);
    let gateway = cluster.gateway_http();
    versioned_bucket(&cluster.gateway(3), BUCKET).await;

    // No retries: every failed request is seen.
    let s3 = cluster.gateway(1);
    let logs: Logs = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    // The writers time their acknowledgements from about here.
    let load_started = Instant::now();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| tokio::spawn(writer(s3.clone(), BUCKET, w, stop.clone(), logs.clone())))
        .collect();
    let acked = || -> usize {
        logs.lock()
            .expect("logs")
            .values()
            .map(|l| l.acked.len())
            .sum()
    };

    for round in 1..=KILLS {
        // A while of writes under this leader.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let before = acked();
        wait_for(
            "operations acknowledged under this leader",
            Duration::from_secs(30),
            |note| {
                *note = format!("{} acknowledged, {before} before", acked());
                (acked() >= before + 30).then_some(())
            },
        )
        .await;
        let leader = wait_for("a metadata leader", Duration::from_secs(20), |_| {
            cluster.leader()
        })
        .await;
        cluster.nodes[leader].kill();
        let killed_at = Instant::now();
        wait_for("a new leader", Duration::from_secs(20), |_| {
            cluster.leader()
        })
        .await;
        let elected = killed_at.elapsed();
        let at_election = acked();
        wait_for(
            "operations acknowledged under the new leader",
            Duration::from_secs(30),
            |note| {
                *note = format!("{} acknowledged, {at_election} at the election", acked());
                (acked() >= at_election + 5).then_some(())
            },
        )
        .await;
        println!(
            "RESULT kill{round}_at_s {:.2} s\nRESULT kill{round}_election_s {:.3} s\nRESULT kill{round}_serving_s {:.3} s",
            (killed_at - load_started).as_secs_f64(),
            elected.as_secs_f64(),
            killed_at.elapsed().as_secs_f64()
        );
        tokio::task::block_in_place(|| cluster.nodes[leader].restart());
    }
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        tokio::time::timeout(Duration::from_secs(60), w)
            .await
            .expect("a writer did not stop")
            .expect("writer");
    }
    let logs = std::mem::take(&mut *logs.lock().expect("logs"));
    let (acks, fails): (usize, usize) = logs
        .values()
        .fold((0, 0), |(a, f), l| (a + l.acked.len(), f + l.failed.len()));
    println!("RESULT acknowledged {acks} count\nRESULT failed {fails} count");
    let statuses: HashSet<u16> = logs
        .values()
        .flat_map(|l| l.failed.iter().copied())
        .collect();
    assert!(
        !statuses.contains(&500),
        "a request failed with 500: {statuses:?}"
    );

    // Everything as the cluster, all nodes up, lists it now.
    let s3 = cluster.gateway(3);
    let listed = list_versions(&s3, BUCKET).await;
    let mut problems = Vec::new();
    let mut bodies = HashMap::new();
    for e in listed.iter().filter(|e| !e.marker) {
        match read_version(&s3, BUCKET, &e.key, &e.version).await {
            Ok((_, sha)) => {
                bodies.insert(e.version.clone(), sha);
            }
            Err(err) => problems.push(format!("listed version does not read: {err}")),
        }
    }
    for e in listed.iter().filter(|e| !logs.contains_key(&e.key)) {
        problems.push(format!("listed under a key nobody wrote: {e:?}"));
    }
    for (key, log) in &logs {
        let entries: Vec<&Listed> = listed.iter().filter(|e| &e.key == key).collect();
        check_key(key, log, &entries, &bodies, &mut problems);
        // A plain GET serves the latest: its body, or NoSuchKey under a marker.
        let Some(latest) = entries.iter().find(|e| e.latest) else {
            continue;
        };
        let got = s3.get_object().bucket(BUCKET).key(key).send().await;
        match (latest.marker, got) {
            (true, Err(e)) if error_code(&e).as_deref() == Some("NoSuchKey") => {}
            (false, Ok(out)) => {
                let sha = body_digest(out.body).await.map(|(_, sha)| sha).ok();
                if sha.as_ref() != bodies.get(&latest.version) {
                    problems.push(format!(
                        "GET {key} is not its latest version {}",
                        latest.version
                    ));
                }
            }
            (_, got) => problems.push(format!(
                "GET {key} with latest {latest:?}: {:?}",
                got.map(|_| ())
                    .map_err(|e| DisplayErrorContext(e).to_string())
            )),
        }
    }
    println!("RESULT listed {} versions and markers", listed.len());
    assert!(
        problems.is_empty(),
        "{} problems: {problems:#?}",
        problems.len()
    );
    assert_eq!(s3_answers(gateway, "500"), 0.0, "the gateway answered 500");
    println!(
        "RESULT leader_kill_run_s {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------
// 2. A node down, and bit rot

/// PutObject of `obj`: the version id the store answered with.
async fn put_version(s3: &Client, bucket: &str, obj: &TestObject) -> String {
    let out = s3
        .put_object()
        .bucket(bucket)
        .key(&obj.key)
        .body(obj.body().into())
        .send()
        .await
        .unwrap_or_else(|e| panic!("PUT {}: {}", obj.key, DisplayErrorContext(&e)));
    let version = out.version_id().map(str::to_string);
    version.unwrap_or_else(|| panic!("PUT {} without x-amz-version-id", obj.key))
}

/// Asserts every version reads back by id byte-identical.
async fn assert_versions(s3: &Client, bucket: &str, versions: &[(TestObject, String)], when: &str) {
    for (obj, version) in versions {
        let got = read_version(s3, bucket, &obj.key, version)
            .await
            .unwrap_or_else(|e| panic!("{when}: {e}"));
        let want = (obj.len as u64, sha256_hex(&obj.body()));
        assert_eq!(got, want, "{when}: {} version {version}", obj.key);
    }
}

/// Three versions of each of four keys (256 KiB to 1.3 MiB, all above the
/// 8 KiB inline size, so erasure-coded 2+1 over the three storage nodes).
/// With a storage node down and known down, every version, current and
/// noncurrent, reads back by id byte-identical (some from parity). With it
/// back and every key under a delete marker (so every version with data
/// is noncurrent), one byte is flipped in that node's shard of each
/// version: scrub finds them, repair rewrites them, every version reads
/// back byte-identical and no longer needs parity, and a later scrub pass
/// finds nothing. Removing the markers brings each key's last version back.
///
/// The timers are shortened: scrub passes (`PREDASTORE_SCRUB_EVERY`,
/// default 7d) and repair scans (`PREDASTORE_HEAL_SCAN_EVERY`) every 2 s;
/// the defaults run the same passes, later. Dropped data goes after 1 s
/// (`PREDASTORE_DROP_GRACE_MS`) and unreferenced shards after 3 s
/// (`PREDASTORE_ORPHAN_GRACE`), so noncurrent data taken for garbage
/// would be gone before the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn noncurrent_versions_survive_a_node_down_and_bit_rot() {
    const BUCKET: &str = "versioned-heal";
    const SIZES: [usize; 4] = [256 << 10, 300_000, MIB + 300_000, 700_000];
    let env = [
        ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
        ("PREDASTORE_RPC_TIMEOUT_MS", "3000"),
        ("PREDASTORE_NODE_DOWN_AFTER", "120s"),
        ("PREDASTORE_HEAL_SCAN_EVERY", "2s"),
        ("PREDASTORE_HEAL_MB_S", "0"),
        ("PREDASTORE_SCRUB_EVERY", "2s"),
        ("PREDASTORE_SCRUB_MB_S", "200"),
        ("PREDASTORE_DROP_GRACE_MS", "1000"),
        ("PREDASTORE_ORPHAN_GRACE", "3s"),
    ];
    let mut cluster = Cluster::start(172, &env);
    let gateway = cluster.gateway_http();
    let meta = cluster.meta_https();
    let s3 = cluster.gateway(3);
    versioned_bucket(&s3, BUCKET).await;
    let mut versions: Vec<(TestObject, String)> = Vec::new();
    for i in 0..12u64 {
        let obj = TestObject::new(format!("doc-{}", i % 4), 9100 + i, SIZES[i as usize % 4]);
        let version = put_version(&s3, BUCKET, &obj).await;
        versions.push((obj, version));
    }
    assert_versions(&s3, BUCKET, &versions, "all nodes up").await;

    // A node that does not lead goes down; the gateway learns it.
    let leader = wait_for("a metadata leader", Duration::from_secs(30), |_| {
        cluster.leader()
    })
    .await;
    let victim = (leader + 1) % cluster.meta;
    let node_http = cluster.nodes[victim].http;
    cluster.nodes[victim].kill();
    let current: Vec<TestObject> = versions[8..].iter().map(|(o, _)| o.clone()).collect();
    wait_peer_down(gateway, cluster.nodes[victim].quic, &s3, BUCKET, &current).await;
    let degraded_before =
        metric(gateway, DEGRADED_READS).expect("the gateway counts degraded reads");
    assert_versions(&cluster.gateway(1), BUCKET, &versions, "a node down").await;
    assert!(
        metric(gateway, DEGRADED_READS).unwrap_or(0.0) > degraded_before,
        "no read was degraded with a node down"
    );

    // It returns; every key goes under a delete marker.
    cluster.nodes[victim].restart();
    wait_repaired(&meta, Duration::from_secs(60), true).await;
    let mut markers = Vec::new();
    for obj in &current {
        let out = s3
            .delete_object()
            .bucket(BUCKET)
            .key(&obj.key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("DELETE {}: {}", obj.key, DisplayErrorContext(&e)));
        assert_eq!(out.delete_marker(), Some(true), "DELETE {}", obj.key);
        markers.push((
            obj.key.clone(),
            out.version_id().expect("marker id").to_string(),
        ));
    }

    // Right after a scrub pass of the node ends, a byte of its shard of
    // every version (all noncurrent now) is flipped: in every copy of the
    // shard's record on the volume, since compaction may be copying the
    // records of the segment written before the restart forward (only the
    // index knows which copy is live; a damaged copy is never copied).
    let passes = wait_for("scrub passes counted", Duration::from_secs(30), |_| {
        metric(node_http, SCRUB_PASSES)
    })
    .await;
    wait_for("a scrub pass ended", Duration::from_secs(30), |_| {
        metric(node_http, SCRUB_PASSES).filter(|&p| p > passes)
    })
    .await;
    let corrupt_before = metric(node_http, SCRUB_CORRUPT).expect("scrub counts corrupt shards");
    let healed_before = sum_over(&meta, SHARDS_HEALED).expect("meta nodes count healed shards");
    let volume = cluster.nodes[victim].data_dir.join("vol0");
    let flipped = flip_every_copy_per_object(&volume);
    assert_eq!(
        flipped.len(),
        versions.len(),
        "versions with a shard on node {}",
        victim + 1
    );
    let want = flipped.len() as f64;
    wait_for(
        "scrub found and repair rewrote every flipped shard",
        Duration::from_secs(90),
        |note| {
            let found = metric(node_http, SCRUB_CORRUPT).unwrap_or(0.0) - corrupt_before;
            let healed = sum_over(&meta, SHARDS_HEALED).unwrap_or(0.0) - healed_before;
            *note = format!("found {found}, healed {healed} of {want}");
            (found >= want && healed >= want).then_some(())
        },
    )
    .await;
    // A pass that began after the repair finds the node's shards sound.
    let after = metric(node_http, SCRUB_PASSES).unwrap_or(0.0) + 2.0;
    wait_for(
        "a clean scrub pass after the repair",
        Duration::from_secs(60),
        |note| {
            let clean = metric(node_http, SCRUB_LAST_PASS_CORRUPT) == Some(0.0);
            let passes = metric(node_http, SCRUB_PASSES)?;
            *note = format!("{passes} passes (waiting for {after}), clean: {clean}");
            (clean && passes >= after).then_some(())
        },
    )
    .await;
    let degraded = metric(gateway, DEGRADED_READS);
    assert_versions(
        &cluster.gateway(1),
        BUCKET,
        &versions,
        "after scrub and repair",
    )
    .await;
    assert_eq!(
        metric(gateway, DEGRADED_READS),
        degraded,
        "reads after repair still needed parity"
    );

    // The markers removed, each key's last version is current again.
    for (key, marker) in &markers {
        s3.delete_object()
            .bucket(BUCKET)
            .key(key)
            .version_id(marker)
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("DELETE {key} marker {marker}: {}", DisplayErrorContext(&e))
            });
    }
    assert_objects(&s3, BUCKET, &current, "the markers removed").await;
    assert_eq!(s3_answers(gateway, "500"), 0.0, "the gateway answered 500");
}
