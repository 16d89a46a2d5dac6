//! Consistency under overwrites, deletes and leader failover, as clients
//! see it: a GET that has begun delivers the whole version it began with;
//! a write acknowledged is never lost; a read never returns a value older
//! than a write acknowledged before the read began; nothing answers 500.
//!
//! Every body written is self-describing (`Value`), so a reader can tell
//! which write it got and check every byte of it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::Client;

use crate::common::cluster::Cluster;
use crate::common::heal::assert_no_s3_500;
use crate::common::node::metric_at;
use crate::common::s3::*;
use crate::common::store::StoreProcess;

/// One write's identity, stamped into the first bytes of its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Value {
    writer: u32,
    seq: u32,
    len: u32,
}

impl Value {
    /// The whole body of this write: the stamp, then bytes from its seed.
    fn body(self) -> Vec<u8> {
        let seed = (u64::from(self.writer) << 32) | u64::from(self.seq);
        let mut data = random_bytes(seed, self.len as usize);
        data[..4].copy_from_slice(&self.writer.to_le_bytes());
        data[4..8].copy_from_slice(&self.seq.to_le_bytes());
        data[8..12].copy_from_slice(&self.len.to_le_bytes());
        data
    }

    /// The write a body claims to be, if every byte of it matches.
    fn check(body: &[u8]) -> Option<Value> {
        let word = |i: usize| Some(u32::from_le_bytes(body.get(i..i + 4)?.try_into().ok()?));
        let value = Value {
            writer: word(0)?,
            seq: word(4)?,
            len: word(8)?,
        };
        (value.len as usize == body.len() && value.body() == body).then_some(value)
    }
}

/// What one client operation saw, with when it ran.
#[derive(Clone, Debug)]
struct Op {
    key: usize,
    start: Instant,
    end: Instant,
    kind: OpKind,
}

/// A request that failed: its HTTP status (0: no response) and S3 error
/// code.
#[derive(Clone, Debug, PartialEq)]
struct Failure {
    status: u16,
    code: Option<String>,
}

impl Failure {
    fn of<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> Self {
        Self {
            status: error_status(e).unwrap_or(0),
            code: error_code(e),
        }
    }

    /// A 503 that tells the client to come back later, in S3's words: the
    /// only failure a store may answer while it elects a leader.
    fn is_retry_later(&self) -> bool {
        self.status == 503
            && matches!(
                self.code.as_deref(),
                Some("ServiceUnavailable" | "SlowDown")
            )
    }
}

#[derive(Clone, Debug, PartialEq)]
enum OpKind {
    /// A PUT of this value: acknowledged, or failed.
    Write(Value, Result<(), Failure>),
    /// A GET: the value it delivered whole, or NoSuchKey.
    Read(Option<Value>),
    /// A GET that failed otherwise.
    ReadFailed(Failure),
    /// A GET whose body was not exactly any write.
    Corrupt(usize),
    /// A DELETE, acknowledged.
    Delete,
}

type History = Arc<Mutex<Vec<Op>>>;

/// Records what an operation on `key` begun at `start` saw, ending now.
fn record(history: &History, key: usize, start: Instant, kind: OpKind) {
    let op = Op {
        key,
        start,
        end: Instant::now(),
        kind,
    };
    history.lock().expect("history lock").push(op);
}

/// Writes `value` to `key`.
async fn write(s3: &Client, bucket: &str, key: &str, value: Value) -> Result<(), Failure> {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(value.body().into())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| Failure::of(&e))
}

/// Reads `key` to the last byte and checks it.
async fn read(s3: &Client, bucket: &str, key: &str) -> OpKind {
    let out = match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(out) => out,
        Err(e) if error_code(&e).as_deref() == Some("NoSuchKey") => return OpKind::Read(None),
        Err(e) => return OpKind::ReadFailed(Failure::of(&e)),
    };
    match out.body.collect().await {
        Ok(bytes) => {
            let bytes = bytes.into_bytes();
            match Value::check(&bytes) {
                Some(v) => OpKind::Read(Some(v)),
                None => OpKind::Corrupt(bytes.len()),
            }
        }
        // The status said 200 and the body broke off: what AWS never does.
        Err(_) => OpKind::Corrupt(0),
    }
}

/// Checks a history per key: no corrupt body, no failed request but (with
/// `retry_later_allowed`) a 503 ServiceUnavailable or SlowDown, no read of
/// a value nobody wrote, and no read older than a write acknowledged
/// before the read began (a register's linearizability, against the
/// acknowledged writes; a write that failed may or may not have applied).
/// GETs that returned a whole object, and PUTs acknowledged, in `history`.
fn whole_reads_and_writes(history: &[Op]) -> (usize, usize) {
    let count = |f: fn(&OpKind) -> bool| history.iter().filter(|op| f(&op.kind)).count();
    (
        count(|k| matches!(k, OpKind::Read(Some(_)))),
        count(|k| matches!(k, OpKind::Write(_, Ok(())))),
    )
}

fn check_history(history: &[Op], retry_later_allowed: bool) -> Result<(), String> {
    let allowed = |f: &Failure| retry_later_allowed && f.is_retry_later();
    let mut writes: BTreeMap<(usize, Value), (Instant, Instant, bool)> = BTreeMap::new();
    let mut acked_by_key: HashMap<usize, Vec<(Instant, Instant)>> = HashMap::new();
    let mut deletes: HashMap<usize, Vec<(Instant, Instant)>> = HashMap::new();
    for op in history {
        match &op.kind {
            OpKind::Write(v, result) => {
                if let Err(f) = result {
                    if !allowed(f) {
                        return Err(format!("a PUT failed: {op:?}"));
                    }
                }
                writes.insert((op.key, *v), (op.start, op.end, result.is_ok()));
                if result.is_ok() {
                    acked_by_key
                        .entry(op.key)
                        .or_default()
                        .push((op.start, op.end));
                }
            }
            OpKind::Delete => deletes.entry(op.key).or_default().push((op.start, op.end)),
            OpKind::Corrupt(len) => {
                return Err(format!(
                    "a GET delivered a cut or wrong body ({len} bytes): {op:?}"
                ))
            }
            OpKind::ReadFailed(f) if !allowed(f) => return Err(format!("a GET failed: {op:?}")),
            OpKind::ReadFailed(_) | OpKind::Read(_) => {}
        }
    }
    for op in history {
        let OpKind::Read(got) = &op.kind else {
            continue;
        };
        let none = Vec::new();
        let acked = acked_by_key.get(&op.key).unwrap_or(&none);
        let dels = deletes.get(&op.key).unwrap_or(&none);
        match got {
            Some(v) => {
                let Some(&(_, v_end, _)) = writes.get(&(op.key, *v)) else {
                    return Err(format!("a GET returned a value never written: {op:?}"));
                };
                // An acknowledged write or delete wholly after v and wholly
                // before the read makes v stale.
                if let Some(newer) = acked
                    .iter()
                    .chain(dels)
                    .find(|(s, e)| *s > v_end && *e < op.start)
                {
                    return Err(format!(
                        "a GET returned {v:?} although a change acknowledged {:?} before the read replaced it: {op:?}",
                        op.start - newer.1
                    ));
                }
            }
            None => {
                // NoSuchKey is stale after an acknowledged write that no
                // delete can have followed before the read ended.
                let stale = acked.iter().any(|(w_start, w_end)| {
                    *w_end < op.start
                        && !dels
                            .iter()
                            .any(|(d_start, d_end)| d_end > w_start && *d_start < op.end)
                });
                if stale {
                    return Err(format!(
                        "a GET answered NoSuchKey after an acknowledged write: {op:?}"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Percentile `p` (0..=100) of durations, in ms.
fn percentile_ms(mut d: Vec<Duration>, p: f64) -> f64 {
    if d.is_empty() {
        return 0.0;
    }
    d.sort();
    let i = ((d.len() as f64 - 1.0) * p / 100.0).round() as usize;
    d[i].as_secs_f64() * 1000.0
}

/// A load: `writers` writers and `readers` readers on `keys` keys; each
/// writer's values are `(writer, seq)` with sizes cycling through `sizes`.
struct Load {
    keys: usize,
    writers: u32,
    readers: usize,
    sizes: &'static [u32],
}

/// Runs `load` on `bucket` until `stop`, recording into `history`.
fn spawn_load(
    s3: &Client,
    bucket: &str,
    load: Load,
    stop: Arc<std::sync::atomic::AtomicBool>,
    history: &History,
) -> Vec<tokio::task::JoinHandle<()>> {
    let Load {
        keys,
        writers,
        readers,
        sizes,
    } = load;
    use std::sync::atomic::Ordering;
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let (s3, bucket, stop, history) = (
            s3.clone(),
            bucket.to_string(),
            stop.clone(),
            history.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut seq = 0u32;
            while !stop.load(Ordering::Relaxed) {
                seq += 1;
                let key = (seq as usize * 7 + writer as usize) % keys;
                let value = Value {
                    writer,
                    seq,
                    len: sizes[seq as usize % sizes.len()],
                };
                let start = Instant::now();
                let result = write(&s3, &bucket, &format!("k{key}"), value).await;
                record(&history, key, start, OpKind::Write(value, result));
            }
        }));
    }
    for reader in 0..readers {
        let (s3, bucket, stop, history) = (
            s3.clone(),
            bucket.to_string(),
            stop.clone(),
            history.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = reader;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let key = n % keys;
                let start = Instant::now();
                let kind = read(&s3, &bucket, &format!("k{key}")).await;
                record(&history, key, start, kind);
            }
        }));
    }
    tasks
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_get_racing_overwrites_and_deletes_delivers_one_whole_version() {
    let store = StoreProcess::start(&[("PREDASTORE_STRIPE_BYTES", "262144")]);
    // Retries off: a 500 (or any failure) the SDK would retry away must
    // show in the history.
    let s3 = Client::from_conf(
        store
            .client_config(ACCESS_KEY, SECRET_KEY, RetryConfig::disabled())
            .build(),
    );
    s3.create_bucket()
        .bucket("race")
        .send()
        .await
        .expect("create bucket");
    let history: History = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Two writers overwrite one key with 2 MiB bodies (eight stripes)
    // while four readers stream it and a deleter removes it now and then.
    static SIZES: &[u32] = &[2 << 20, (2 << 20) + 17];
    let load = Load {
        keys: 1,
        writers: 2,
        readers: 4,
        sizes: SIZES,
    };
    let mut tasks = spawn_load(&s3, "race", load, stop.clone(), &history);
    let deleter = {
        let (s3, stop, history) = (s3.clone(), stop.clone(), history.clone());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_millis(400)).await;
                let start = Instant::now();
                s3.delete_object()
                    .bucket("race")
                    .key("k0")
                    .send()
                    .await
                    .expect("delete");
                record(&history, 0, start, OpKind::Delete);
            }
        })
    };
    // At least 8 s of racing, and on until enough of each op happened
    // (a loaded machine does fewer per second), within a generous deadline.
    let raced = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (whole, writes) = whole_reads_and_writes(&history.lock().expect("history"));
        let enough = whole >= 10 && writes >= 10;
        if (enough && raced.elapsed() >= Duration::from_secs(8))
            || raced.elapsed() >= Duration::from_secs(120)
        {
            break;
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    tasks.push(deleter);
    for t in tasks {
        t.await.expect("load task");
    }
    let history = history.lock().expect("history").clone();
    let (whole, writes) = whole_reads_and_writes(&history);
    assert!(
        whole >= 10 && writes >= 10,
        "too little happened: {whole} whole GETs, {writes} PUTs"
    );
    // Nothing fails here: no fault, no leader change.
    if let Err(e) = check_history(&history, false) {
        panic!("{e}");
    }
    assert_no_s3_500(store.addr(), "overwrites racing reads and deletes");
}

#[tokio::test]
async fn replaced_and_deleted_data_is_dropped_after_the_grace_period() {
    let store = StoreProcess::start(&[
        ("PREDASTORE_DROP_GRACE_MS", "300"),
        ("PREDASTORE_INLINE_BYTES", "0"),
    ]);
    let s3 = store.client();
    s3.create_bucket()
        .bucket("drops")
        .send()
        .await
        .expect("create bucket");
    let dropped = || metric_at(store.addr(), "predastore_data_dropped_total", "").unwrap_or(0.0);
    let before = dropped();
    for i in 0..3u64 {
        put(&s3, "drops", "k", &random_bytes(i, 100_000)).await;
    }
    s3.delete_object()
        .bucket("drops")
        .key("k")
        .send()
        .await
        .expect("delete");
    // Two overwrites and a delete leave three versions to drop.
    let deadline = Instant::now() + Duration::from_secs(20);
    while dropped() < before + 3.0 {
        assert!(
            Instant::now() < deadline,
            "dropped {} of 3 versions",
            dropped() - before
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_s3_error(
        s3.get_object().bucket("drops").key("k").send().await,
        "NoSuchKey",
        404,
    );
}

/// Polls (every 50 ms, `timeout` at most) for a running meta node that
/// says it leads; when `kill`, SIGKILLs it in the same look. Returns the
/// node and how long the wait took; `None` if no node led in time.
async fn find_leader(
    cluster: &Arc<Mutex<Cluster>>,
    timeout: Duration,
    kill: bool,
) -> Option<(usize, Duration)> {
    let at = Instant::now();
    while at.elapsed() < timeout {
        let c = cluster.clone();
        let found = tokio::task::spawn_blocking(move || {
            let mut c = c.lock().expect("cluster");
            let leader = c.leader()?;
            if kill {
                c.nodes[leader].kill();
            }
            Some(leader)
        })
        .await
        .expect("poll the leader");
        if let Some(i) = found {
            return Some((i, at.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// Reads an env knob of the failover run (longer runs for the bench).
fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The Raft leader SIGKILLed again and again (then restarted) under
/// writers and readers of a few keys; the history is checked per key and
/// the failover figures printed (`PREDASTORE_NEMESIS_SECS`,
/// `PREDASTORE_NEMESIS_KILL_EVERY_SECS`, 0 for no kills: README's bench).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_leader_loses_no_acknowledged_write_and_serves_no_stale_read() {
    let run_for = Duration::from_secs(knob("PREDASTORE_NEMESIS_SECS", 40));
    let kill_every = Duration::from_secs(knob("PREDASTORE_NEMESIS_KILL_EVERY_SECS", 9));
    // Three `storage,meta` nodes on 127.0.0.32–34 and a gateway on .35.
    let env = [
        ("PREDASTORE_STRIPE_BYTES", "262144"),
        ("PREDASTORE_DIAL_TIMEOUT_MS", "500"),
        ("PREDASTORE_RPC_TIMEOUT_MS", "3000"),
    ];
    let cluster = Arc::new(Mutex::new(Cluster::start(32, &env)));
    let (s3, gateway) = {
        let c = cluster.lock().expect("cluster");
        (c.gateway(3), c.gateway_http())
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while s3.create_bucket().bucket("nemesis").send().await.is_err() {
        assert!(
            Instant::now() < deadline,
            "the cluster never took the bucket"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let history: History = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    static SIZES: &[u32] = &[3000, 300_000, 1_100_000];
    let load = Load {
        keys: 6,
        writers: 3,
        readers: 3,
        sizes: SIZES,
    };
    let tasks = spawn_load(&s3, "nemesis", load, stop.clone(), &history);

    // The nemesis: kill the leader, time the election, restart it. Every
    // round kills a leader (there must be one to kill) and a new one must
    // be elected: a round that found none would test nothing.
    let started = Instant::now();
    let mut kills: Vec<(Instant, Duration)> = Vec::new();
    while !kill_every.is_zero() && started.elapsed() + kill_every < run_for {
        tokio::time::sleep(kill_every).await;
        let round = kills.len() + 1;
        let (killed, _) = find_leader(&cluster, Duration::from_secs(30), true)
            .await
            .unwrap_or_else(|| panic!("kill {round}: no meta node led within 30 s"));
        let at = Instant::now();
        let (_, took) = find_leader(&cluster, Duration::from_secs(30), false)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "kill {round}: no new leader within 30 s of killing node {}",
                    killed + 1
                )
            });
        kills.push((at, took));
        tokio::time::sleep(Duration::from_secs(2)).await;
        let c = cluster.clone();
        tokio::task::spawn_blocking(move || c.lock().expect("cluster").nodes[killed].restart())
            .await
            .expect("restart");
    }
    let remaining = run_for.saturating_sub(started.elapsed());
    tokio::time::sleep(remaining).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for t in tasks {
        t.await.expect("load task");
    }
    // All nodes up: every key reads, and not older than its last
    // acknowledged write.
    for key in 0..6 {
        let start = Instant::now();
        let kind = read(&s3, "nemesis", &format!("k{key}")).await;
        assert!(
            matches!(kind, OpKind::Read(Some(_))),
            "k{key} after the run: {kind:?}"
        );
        record(&history, key, start, kind);
    }
    // The SDK retries a 500 and would hide it: the gateway's own count
    // must show none.
    assert_no_s3_500(gateway, "leader kills");
    let history = history.lock().expect("history").clone();
    report(&history, &kills);
    if !kill_every.is_zero() {
        assert!(!kills.is_empty(), "the run of {run_for:?} killed no leader");
    }
    // A client may see 503 while there is no leader, and nothing else.
    if let Err(e) = check_history(&history, true) {
        panic!("{e}");
    }
    let acked = history
        .iter()
        .filter(|op| matches!(op.kind, OpKind::Write(_, Ok(()))))
        .count();
    assert!(acked >= 20, "only {acked} PUTs acknowledged");
    if let Some((last_kill, _)) = kills.last() {
        let after = history
            .iter()
            .filter(|op| op.end > *last_kill && matches!(op.kind, OpKind::Write(_, Ok(()))))
            .count();
        assert!(after > 0, "no PUT was acknowledged after the last kill");
    }
}

/// Prints the failover figures as `RESULT` lines.
fn report(history: &[Op], kills: &[(Instant, Duration)]) {
    let mut acked_puts: Vec<Instant> = history
        .iter()
        .filter(|op| matches!(op.kind, OpKind::Write(_, Ok(()))))
        .map(|op| op.end)
        .collect();
    acked_puts.sort();
    for (i, (at, elected)) in kills.iter().enumerate() {
        let first = acked_puts
            .iter()
            .find(|t| *t > at)
            .map(|t| (*t - *at).as_secs_f64());
        println!(
            "RESULT kill{}_election_s {:.3} s\nRESULT kill{}_first_put_s {:.3} s",
            i + 1,
            elected.as_secs_f64(),
            i + 1,
            first.unwrap_or(f64::NAN)
        );
    }
    let gap = acked_puts
        .windows(2)
        .map(|w| w[1] - w[0])
        .max()
        .unwrap_or_default();
    let latencies = |f: fn(&OpKind) -> bool| {
        history
            .iter()
            .filter(|op| f(&op.kind))
            .map(|op| op.end - op.start)
            .collect::<Vec<_>>()
    };
    let puts = latencies(|k| matches!(k, OpKind::Write(_, Ok(()))));
    let gets = latencies(|k| matches!(k, OpKind::Read(_)));
    let failed = history
        .iter()
        .filter(|op| matches!(op.kind, OpKind::Write(_, Err(_)) | OpKind::ReadFailed(_)))
        .count();
    println!("RESULT kills {} count", kills.len());
    println!("RESULT longest_put_gap_s {:.3} s", gap.as_secs_f64());
    println!(
        "RESULT put_p99_ms {:.1} ms ({} acknowledged)",
        percentile_ms(puts.clone(), 99.0),
        puts.len()
    );
    println!(
        "RESULT get_p99_ms {:.1} ms ({} answered)",
        percentile_ms(gets.clone(), 99.0),
        gets.len()
    );
    println!("RESULT failed_requests {failed} count");
}

/// The history check refuses what a client must never see: a failure
/// other than a 503 asking it to come back later (a 404 NoSuchBucket, a
/// 403, a 500, a 503 without S3's code, no answer at all), and any failure
/// where no fault was injected.
#[test]
fn the_history_check_allows_only_a_503_and_only_under_faults() {
    let now = Instant::now();
    let op = |kind: OpKind| Op {
        key: 0,
        start: now,
        end: now,
        kind,
    };
    let failure = |status: u16, code: Option<&str>| Failure {
        status,
        code: code.map(str::to_string),
    };
    let value = Value {
        writer: 0,
        seq: 1,
        len: 16,
    };
    let kinds = |f: Failure| [OpKind::ReadFailed(f.clone()), OpKind::Write(value, Err(f))];
    for f in [
        failure(503, Some("ServiceUnavailable")),
        failure(503, Some("SlowDown")),
    ] {
        for kind in kinds(f) {
            let history = [op(kind.clone())];
            assert!(
                check_history(&history, true).is_ok(),
                "{kind:?} refused under faults"
            );
            assert!(
                check_history(&history, false).is_err(),
                "{kind:?} passed with no fault"
            );
        }
    }
    for f in [
        failure(404, Some("NoSuchBucket")),
        failure(403, Some("AccessDenied")),
        failure(500, Some("InternalError")),
        failure(503, None),
        failure(0, None),
    ] {
        for kind in kinds(f) {
            let history = [op(kind.clone())];
            assert!(
                check_history(&history, true).is_err(),
                "{kind:?} passed under faults"
            );
        }
    }
}
