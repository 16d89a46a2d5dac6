//! What the self-healing tests share: the metrics they read (by exact
//! name, combined over nodes), polling with a deadline, objects with known
//! digests, a PUT cut off mid-body, shard sizes, and a walker that flips
//! one payload byte of a shard in a volume's WAL.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_sdk_s3::error::DisplayErrorContext;
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::Client;

use super::digest::{md5_hex, random_bytes};
use super::http::path_and_query;
use super::node::{http_get, metric_at};
use super::sdk::error_status;
use predastore::shards::RecordKind;
use predastore::shards::{list_segments, scan_segment, segment_path};

// ---------------------------------------------------------------------------
// The metrics the healing features expose (every process serves all of
// them at `/metrics`; see each test for which process's value counts).

/// `{node="<quic addr>"}`: 1 while this process thinks the peer is up, 0
/// once its connection pool has marked it down.
pub const PEER_UP: &str = "predastore_peer_up";
/// Objects below full redundancy (nonzero only on the Raft leader).
pub const BELOW_REDUNDANCY: &str = "predastore_objects_below_redundancy";
/// Objects fully redundant but not on their proper nodes (leader).
pub const MISPLACED: &str = "predastore_objects_misplaced";
/// Shards repair rebuilt or moved (counter, leader).
pub const SHARDS_HEALED: &str = "predastore_shards_healed_total";
/// Bytes of shards repair wrote (counter, leader).
pub const HEAL_BYTES: &str = "predastore_heal_bytes_total";
/// Completed repair scans (counter, leader).
pub const HEAL_SCANS: &str = "predastore_heal_scans_total";
/// Reads that reconstructed from parity (counter, gateway).
pub const DEGRADED_READS: &str = "predastore_degraded_reads_total";
/// Corrupt shards scrub found (counter, storage node).
pub const SCRUB_CORRUPT: &str = "predastore_scrub_corrupt_shards_total";
/// Completed scrub passes (counter, storage node).
pub const SCRUB_PASSES: &str = "predastore_scrub_passes_total";
/// Corrupt shards the last completed scrub pass found (gauge).
pub const SCRUB_LAST_PASS_CORRUPT: &str = "predastore_scrub_last_pass_corrupt";
/// Bytes of shard data a storage node holds, live index entries only.
pub const SHARD_BYTES_STORED: &str = "predastore_shard_bytes_stored";
/// Shards a storage node holds, live index entries only.
pub const SHARDS_STORED: &str = "predastore_shards_stored";
/// S3 requests by `op` and `status` (gateway).
pub const S3_REQUESTS: &str = "predastore_s3_requests_total";

/// The metric `name` (exactly that name, any labels) of the process at
/// `http`, summed over its label sets; `None` if the process does not
/// answer or does not have it.
pub fn metric(http: SocketAddr, name: &str) -> Option<f64> {
    let text = http_get(http, "/metrics")?;
    text.lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .reduce(|a, b| a + b)
}

/// The largest value of `name` among the processes that answer; `None`
/// if none does.
pub fn max_over(https: &[SocketAddr], name: &str) -> Option<f64> {
    https
        .iter()
        .filter_map(|&h| metric(h, name))
        .reduce(f64::max)
}

/// The sum of `name` over every process; `None` unless all answer with it.
pub fn sum_over(https: &[SocketAddr], name: &str) -> Option<f64> {
    https.iter().map(|&h| metric(h, name)).sum()
}

/// `predastore_peer_up` for the peer whose transport address is `peer`,
/// as the process at `http` sees it.
pub fn peer_up(http: SocketAddr, peer: SocketAddr) -> Option<f64> {
    metric_at(http, "predastore_peer_up{", &format!("node=\"{peer}\""))
}

/// S3 requests the gateway at `http` answered with a status starting with
/// `status_prefix` (`"500"`, or `"5"` for every 5xx); 0 when none did.
///
/// Panics when the gateway does not answer `/metrics`, has no
/// `predastore_s3_requests_total`, or none of its series has a `status`
/// label: a renamed metric or label must fail the check, not read as "no
/// such answer".
pub fn s3_answers(http: SocketAddr, status_prefix: &str) -> f64 {
    let text =
        http_get(http, "/metrics").unwrap_or_else(|| panic!("{http} does not answer /metrics"));
    count_s3_answers(&text, status_prefix).unwrap_or_else(|e| panic!("{http}: {e}"))
}

/// [`s3_answers`] on the text of a `/metrics` page.
fn count_s3_answers(metrics: &str, status_prefix: &str) -> Result<f64, String> {
    let family = format!("{S3_REQUESTS}{{");
    let series: Vec<&str> = metrics.lines().filter(|l| l.starts_with(&family)).collect();
    if !series.iter().any(|l| l.contains("status=\"")) {
        return Err(format!(
            "no {S3_REQUESTS} series with a status label (series: {series:?})"
        ));
    }
    let wanted = format!("status=\"{status_prefix}");
    series
        .iter()
        .filter(|l| l.contains(&wanted))
        .map(|l| {
            l.rsplit(' ')
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .ok_or_else(|| format!("unreadable series {l}"))
        })
        .sum()
}

/// A missing metric or a renamed label is an error, not "no 500".
#[test]
fn counting_s3_answers_refuses_a_missing_metric_or_label() {
    let page = "predastore_s3_requests_total{op=\"GetObject\",status=\"200\"} 7\n\
                predastore_s3_requests_total{op=\"PutObject\",status=\"503\"} 2\n";
    assert_eq!(count_s3_answers(page, "2"), Ok(7.0));
    assert_eq!(count_s3_answers(page, "5"), Ok(2.0));
    assert_eq!(count_s3_answers(page, "500"), Ok(0.0));
    let relabelled = page.replace("status=", "code=");
    assert!(count_s3_answers(&relabelled, "500").is_err());
    let renamed = page.replace("s3_requests_total", "s3_requests");
    assert!(count_s3_answers(&renamed, "500").is_err());
    assert!(count_s3_answers("", "500").is_err());
}

/// Asserts the gateway at `http` answered no S3 request with 500, and, so
/// that a count that is not kept cannot pass for none, that it did count
/// some 2xx answers. `when` names the moment for the message.
pub fn assert_no_s3_500(http: SocketAddr, when: &str) {
    let ok = s3_answers(http, "2");
    assert!(
        ok > 0.0,
        "{when}: the gateway at {http} counted no 2xx answer, so its 500 count proves nothing"
    );
    assert_eq!(
        s3_answers(http, "500"),
        0.0,
        "{when}: the gateway at {http} answered 500 ({ok} 2xx answers)"
    );
}

/// The meta node (of `meta`, HTTP addresses) that says it leads.
pub fn leader_of(meta: &[SocketAddr]) -> Option<SocketAddr> {
    meta.iter()
        .copied()
        .find(|&h| metric(h, "predastore_raft_is_leader") == Some(1.0))
}

// ---------------------------------------------------------------------------
// Waiting

/// Polls `f` every 100 ms until it gives a value, and returns it; panics
/// with `what` (and the last `note` `f` left) after `timeout`.
pub async fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut f: impl FnMut(&mut String) -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    let mut note = String::new();
    loop {
        if let Some(v) = f(&mut note) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {timeout:?} (last seen: {note})"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the gateway at `gateway` reports the peer at `peer` (a
/// transport address) down, reading `objects` of `bucket` through `s3`
/// meanwhile so that it has traffic to that peer (a read may fail with an
/// error status while the peer is not yet known down; one that answers
/// 200 must deliver the right bytes, whole); returns when it saw the peer
/// down.
pub async fn wait_peer_down(
    gateway: SocketAddr,
    peer: SocketAddr,
    s3: &Client,
    bucket: &str,
    objects: &[TestObject],
) -> Instant {
    let timeout = Duration::from_secs(30);
    let deadline = Instant::now() + timeout;
    let mut i = 0;
    loop {
        if peer_up(gateway, peer) == Some(0.0) {
            return Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "the gateway did not report {peer} down within {timeout:?} (predastore_peer_up: {:?})",
            peer_up(gateway, peer)
        );
        if objects.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        let obj = &objects[i % objects.len()];
        i += 1;
        match get_md5(s3, bucket, &obj.key).await {
            Ok((len, md5)) => assert_eq!(
                (len, md5.as_str()),
                (obj.len, obj.md5.as_str()),
                "GET {} while {peer} was going down: wrong bytes",
                obj.key
            ),
            Err(GetFailure::Body(e)) => panic!(
                "GET {} while {peer} was going down: a 200 whose body broke off: {e}",
                obj.key
            ),
            Err(GetFailure::Status(_)) => {}
        }
    }
}

/// Creates `bucket`, trying again while the cluster has no metadata
/// leader yet (30 s at most).
pub async fn create_bucket_when_ready(s3: &Client, bucket: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match s3.create_bucket().bucket(bucket).send().await {
            Ok(_) => return,
            Err(e) if super::sdk::error_code(&e).as_deref() == Some("BucketAlreadyOwnedByYou") => {
                return
            }
            Err(e) => assert!(
                Instant::now() < deadline,
                "the cluster never took bucket {bucket}: {}",
                DisplayErrorContext(&e)
            ),
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until repair, on the metadata leader among `meta` (HTTP
/// addresses, dead ones allowed), has completed two scans since this
/// check began (so one began after it) and
/// `predastore_objects_below_redundancy` (with `misplaced_too`, also
/// `predastore_objects_misplaced`) is 0 on every meta node that answers.
pub async fn wait_repaired(meta: &[SocketAddr], timeout: Duration, misplaced_too: bool) {
    let deadline = Instant::now() + timeout;
    let mut seen = String::from("no leader");
    loop {
        if let Some(leader) = leader_of(meta) {
            if let Some(start) = metric(leader, HEAL_SCANS) {
                // Two more completed scans by the same leader: the second
                // began after `start` was read.
                while Instant::now() < deadline
                    && metric(leader, HEAL_SCANS).is_some_and(|s| s < start + 2.0)
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                let scans = metric(leader, HEAL_SCANS);
                let still_leader = metric(leader, "predastore_raft_is_leader") == Some(1.0);
                let below = max_over(meta, BELOW_REDUNDANCY);
                let misplaced = max_over(meta, MISPLACED);
                seen = format!(
                    "leader {leader}: scans {start} -> {scans:?}, below redundancy {below:?}, misplaced {misplaced:?}"
                );
                if still_leader
                    && scans.is_some_and(|s| s >= start + 2.0)
                    && below == Some(0.0)
                    && (!misplaced_too || misplaced == Some(0.0))
                {
                    return;
                }
            } else {
                seen = format!("leader {leader} has no {HEAL_SCANS}");
            }
        }
        assert!(
            Instant::now() < deadline,
            "repair did not bring every object to full redundancy{} within {timeout:?}: {seen}",
            if misplaced_too {
                " on its proper nodes"
            } else {
                ""
            }
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Percentile `p` (0..=100) of durations (nearest rank).
pub fn percentile(mut d: Vec<Duration>, p: f64) -> Duration {
    if d.is_empty() {
        return Duration::ZERO;
    }
    d.sort();
    let i = ((d.len() as f64 - 1.0) * p / 100.0).round() as usize;
    d[i]
}

// ---------------------------------------------------------------------------
// Objects

/// An object the test wrote: its body comes from `seed`, its MD5 is known.
#[derive(Clone, Debug)]
pub struct TestObject {
    pub key: String,
    pub seed: u64,
    pub len: usize,
    pub md5: String,
}

impl TestObject {
    /// `len` random bytes from `seed` under `key`.
    pub fn new(key: impl Into<String>, seed: u64, len: usize) -> Self {
        let key = key.into();
        let md5 = md5_hex(&random_bytes(seed, len));
        Self {
            key,
            seed,
            len,
            md5,
        }
    }

    /// The body.
    pub fn body(&self) -> Vec<u8> {
        random_bytes(self.seed, self.len)
    }
}

/// Why a GET did not deliver a body.
#[derive(Clone, Debug, PartialEq)]
pub enum GetFailure {
    /// The request failed with this HTTP status (0: no response).
    Status(u16),
    /// The status said 200 and the body broke off.
    Body(String),
}

/// GetObject of `key`, read to the end: (length, hex MD5) of the body.
pub async fn get_md5(s3: &Client, bucket: &str, key: &str) -> Result<(usize, String), GetFailure> {
    let out = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| GetFailure::Status(error_status(&e).unwrap_or(0)))?;
    let body = out
        .body
        .collect()
        .await
        .map_err(|e| GetFailure::Body(format!("{e:?}")))?
        .into_bytes();
    Ok((body.len(), md5_hex(&body)))
}

/// PutObject of `obj`: `Err(status)` (0: no response) if it failed.
pub async fn put_object(s3: &Client, bucket: &str, obj: &TestObject) -> Result<(), u16> {
    s3.put_object()
        .bucket(bucket)
        .key(&obj.key)
        .body(obj.body().into())
        .send()
        .await
        .map(|_| ())
        .map_err(|e| error_status(&e).unwrap_or(0))
}

/// Asserts every object reads back byte-identical (length and MD5).
pub async fn assert_objects(s3: &Client, bucket: &str, objects: &[TestObject], when: &str) {
    for obj in objects {
        match get_md5(s3, bucket, &obj.key).await {
            Ok((len, md5)) => {
                assert_eq!(len, obj.len, "{when}: length of {}", obj.key);
                assert_eq!(md5, obj.md5, "{when}: MD5 of {}", obj.key);
            }
            Err(e) => panic!("{when}: GET {} failed: {e:?}", obj.key),
        }
    }
}

/// Asserts `key` does not exist (GET answers 404 NoSuchKey).
pub async fn assert_no_such_key(s3: &Client, bucket: &str, key: &str, when: &str) {
    match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(_) => panic!("{when}: {key} exists"),
        Err(e) => {
            assert_eq!(
                error_status(&e),
                Some(404),
                "{when}: GET {key}: {}",
                DisplayErrorContext(&e)
            );
            assert_eq!(
                super::sdk::error_code(&e).as_deref(),
                Some("NoSuchKey"),
                "{when}: GET {key}"
            );
        }
    }
}

/// A PUT that fails mid-body: a presigned PutObject of `key` sent over a
/// raw connection to the S3 endpoint at `addr`, declaring
/// `Content-Length: body.len()` but sending only the first `sent` bytes,
/// then (after giving the gateway time to pass them on) closing the
/// connection. Panics if the gateway answered before the body was cut
/// (then the PUT did not fail mid-body).
pub async fn put_cut_off(
    s3: &Client,
    addr: SocketAddr,
    bucket: &str,
    key: &str,
    body: &[u8],
    sent: usize,
) {
    assert!(sent < body.len());
    let presigned = s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .presigned(PresigningConfig::expires_in(Duration::from_secs(300)).expect("config"))
        .await
        .expect("presign PUT");
    let target = path_and_query(presigned.uri());
    let headers: Vec<(String, String)> = presigned
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let declared = body.len();
    let part = body[..sent].to_vec();
    let key = key.to_string();
    tokio::task::spawn_blocking(move || {
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).expect("connect");
        let mut head = format!("PUT {target} HTTP/1.1\r\n");
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {addr}\r\n"));
        }
        for (k, v) in &headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {declared}\r\nConnection: close\r\n\r\n"
        ));
        s.write_all(head.as_bytes()).expect("send head");
        s.write_all(&part).expect("send part of the body");
        s.flush().expect("flush");
        hang_up_unanswered(s, &key);
    })
    .await
    .expect("cut-off PUT");
}

/// A client dying mid-body: waits half a second so the store passes on
/// what it got, checks it has not answered (the body is not complete),
/// and closes the connection. Panics if the store answered or hung up.
pub fn hang_up_unanswered(mut s: TcpStream, key: &str) {
    std::thread::sleep(Duration::from_millis(500));
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("read timeout");
    let mut answer = [0u8; 512];
    match s.read(&mut answer) {
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) => {}
        Ok(0) => panic!("PUT {key}: the store closed the connection before the body ended"),
        Ok(n) => panic!(
            "PUT {key}: the store answered before the body ended: {}",
            String::from_utf8_lossy(&answer[..n])
        ),
        Err(e) => panic!("PUT {key}: {e}"),
    }
    let _ = s.shutdown(Shutdown::Both);
}

/// Bytes of each shard of an object of `size` bytes coded with `data`
/// data shards and stripes of `stripe` bytes, as src/object/erasure.rs
/// documents the layout: every stripe (the last may be shorter) is cut
/// into `data` chunks of `ceil(stripe_len / data)` bytes, and shard i is
/// chunk i of every stripe; parity shards are as long as data shards.
pub fn shard_len(size: u64, data: u64, stripe: u64) -> u64 {
    let chunk = |n: u64| n.div_ceil(data);
    (size / stripe) * chunk(stripe) + chunk(size % stripe)
}

// ---------------------------------------------------------------------------
// Bit rot

/// One flipped byte.
#[derive(Clone, Debug)]
pub struct Flip {
    /// The object version (shard key's object id) whose shard it is in.
    pub object: u128,
    /// The shard's index in its set.
    pub shard: u16,
    pub segment: PathBuf,
    /// Byte offset in the segment file.
    pub offset: u64,
}

/// Walks the WAL of the volume at `volume_dir` (its segment files, record
/// by record, in the format src/storage/record.rs documents: header, CRC
/// table, payload) and flips one bit of one payload byte — the middle one —
/// of the first intact extent record of every object version found, so
/// that every object with a shard on this volume has exactly one shard
/// corrupted there. Headers and CRC tables are left alone. Returns the
/// flips (one per object version).
pub fn flip_one_payload_byte_per_object(volume_dir: &Path) -> Vec<Flip> {
    let mut seen = HashSet::new();
    let mut flips = Vec::new();
    let ids = list_segments(volume_dir)
        .unwrap_or_else(|e| panic!("list segments of {}: {e}", volume_dir.display()));
    for id in ids {
        let path = segment_path(volume_dir, id);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        let scan =
            scan_segment(&file, id, 0).unwrap_or_else(|e| panic!("scan {}: {e}", path.display()));
        assert!(scan.has_header, "{} is not a segment", path.display());
        for record in scan.records {
            let h = record.header;
            if h.kind != RecordKind::Extent || h.extent_len == 0 || !record.intact {
                continue;
            }
            if !seen.insert(h.key.object.0) {
                continue;
            }
            let offset = record.offset + h.payload_offset() + h.extent_len / 2;
            let mut byte = [0u8; 1];
            file.read_exact_at(&mut byte, offset).expect("read payload");
            byte[0] ^= 0x10;
            file.write_all_at(&byte, offset).expect("flip payload byte");
            flips.push(Flip {
                object: h.key.object.0,
                shard: h.key.shard,
                segment: path.clone(),
                offset,
            });
        }
        file.sync_all().expect("sync segment");
    }
    flips
}

/// Flips a payload byte of every object version's shard on the volume,
/// every copy of it: compaction may have copied a record forward and
/// only the index knows which copy is live. The versions damaged.
pub fn flip_every_copy_per_object(volume_dir: &Path) -> HashSet<u128> {
    let mut flipped = HashSet::new();
    for round in 0.. {
        assert!(
            round < 10,
            "intact copies keep appearing on {}",
            volume_dir.display()
        );
        let flips = flip_one_payload_byte_per_object(volume_dir);
        if flips.is_empty() {
            return flipped;
        }
        flipped.extend(flips.iter().map(|f| f.object));
    }
    unreachable!("the loop returns or fails")
}

/// PUTs every object, then waits until the storage nodes at `storage`
/// count `shards` shards in all.
pub async fn put_all_and_count_shards(
    s3: &Client,
    bucket: &str,
    objects: &[TestObject],
    storage: &[SocketAddr],
    shards: f64,
) {
    for obj in objects {
        put_object(s3, bucket, obj)
            .await
            .unwrap_or_else(|s| panic!("PUT {}: status {s}", obj.key));
    }
    wait_for(
        "every shard counted on the storage nodes",
        Duration::from_secs(30),
        |note| {
            let stored = sum_over(storage, SHARDS_STORED);
            *note = format!("{SHARDS_STORED} summed: {stored:?}, want {shards}");
            (stored == Some(shards)).then_some(())
        },
    )
    .await;
}

/// `predastore_volume_up` of `volume` at `http`, as `/metrics` shows it.
pub fn volume_up(http: SocketAddr, volume: u16) -> Option<f64> {
    metric(
        http,
        &format!("predastore_volume_up{{volume=\"{volume}\"}}"),
    )
}
